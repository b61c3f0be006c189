r"""Value-based NPS targets per channel: the level where one more point stops paying.

For channel ``c`` and a target NPS ``x`` (points), with ``A`` the annuity (present
value of one currency unit per year over the horizon, :attr:`ChannelEconomics.annuity`):

.. math:: \mathrm{net}_c(x) = [V_c(x) - V_c(x_0)] - A\,[K_c(x) - K_c(x_0)]

``V_c`` is the channel's customer equity at NPS ``x`` (currency,
:meth:`ChannelEconomics.value_at`), ``K_c`` its yearly cost (currency per year, any
object with ``cost_at(nps)``) and ``x_0`` today's NPS. Targets are searched on
``[x_0, 100]``: a target is an improvement; running a channel below today's level to
save cost is a different decision and is not proposed here.

Rules (``rule=``)
-----------------
``"profit"`` (default)
    The ``x`` maximising ``net_c``: where the marginal value of a point equals its
    marginal cost, ``V_c'(x) = A K_c'(x)``, or a bound.
``"roi"``
    The highest ``x`` whose return clears ``roi_hurdle``:
    ``ROI = net / (A ΔK) ≥ hurdle``. The ratio is the same on present values and on
    their level yearly equivalents (``(ΔV/A − ΔK)/ΔK``), so a hurdle of 0.15 reads
    "each currency unit of extra yearly cost returns 1.15 a year". ROI falls as the
    level rises on convex cost curves, so the *lowest* level clearing a hurdle would
    be today's plus a hair; the most ambitious level that still clears it is the
    useful target.
``"payback"``
    The highest ``x`` whose extra cost is repaid within ``max_payback_months``
    (value month by month as customers stay longer, cost evenly; both discounted).

Solving
-------
``V_c`` is piecewise smooth (detractors-first has a kink where detractors run out,
and the slope may rise there), so every solve is guarded: the objective is evaluated
on a grid of ``grid_points`` levels (plus the kink), the best grid point is bracketed
by its neighbours and refined — by :func:`scipy.optimize.minimize_scalar` (bounded,
``xatol = 1e-6`` points) for the point estimate and a vectorised golden-section
search (same tolerance) for the bootstrap replicates. Constrained rules find the last
feasible grid level and refine the boundary with :func:`scipy.optimize.brentq`
(bisection for replicates). Intervals are percentiles of the targets re-solved on
every bootstrap replicate of the value curves (band mix and lifetime values); cost
curves are taken as given.

Flags
-----
* ``beyond_frontier``: the target lies above what the channel's best teams have
  demonstrably reached (:func:`cx_economics.targets.cascade.achievability_frontier`).
* ``undetectable``: the increase is smaller than the change the expected responses
  can detect: ``(z_{1−α/2} + z_{power})·100·√(σ₀²/n₀ + σ₁²/n₁)`` with the trinomial
  variance per response ``σ² = p₊ + p₋ − (p₊ − p₋)²`` at today's and the target's mix
  (the variance :func:`cx_economics.nps.sample_size_for_margin` uses).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, stats

from cx_economics._results import Result
from cx_economics.economics import ChannelEconomics, CostModel, annuity_months
from cx_economics.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.impact import MixShift

if TYPE_CHECKING:
    from cx_economics.targets.cascade import AchievabilityFrontier

__all__ = ["ValueTargets", "detectable_change", "value_based_targets"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Rule = Literal["profit", "roi", "payback"]
Objective = Callable[[FloatArray, slice], FloatArray]

#: Solver tolerance on a target, NPS points.
XTOL = 1e-6
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_MAX_CELLS = 2_000_000  # grid cells evaluated at once (rows × channels × levels × months)


def _cost_of(model: CostModel, nps: FloatArray) -> FloatArray:
    """Yearly cost at every level in ``nps`` (any shape), for scalar-only models too."""
    try:
        out = np.asarray(model.cost_at(nps), dtype=np.float64)
    except (TypeError, ValueError):
        out = np.empty(0)
    if out.shape != nps.shape:
        flat = [float(np.asarray(model.cost_at(float(v)))) for v in nps.ravel()]
        out = np.asarray(flat, dtype=np.float64).reshape(nps.shape)
    return out


def _percentile_interval(reps: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Percentile bounds over the first axis (NaN when there are no replicates)."""
    if reps.shape[0] == 0:
        nan = np.full(reps.shape[1:], np.nan)
        return nan, nan.copy()
    alpha = (1.0 - level) / 2.0
    return (
        np.asarray(np.quantile(reps, alpha, axis=0), dtype=np.float64),
        np.asarray(np.quantile(reps, 1.0 - alpha, axis=0), dtype=np.float64),
    )


@dataclass(frozen=True, eq=False)
class _NetCurves:
    """Value and cost curves of every channel, point (row 0) and bootstrap rows 1…B.

    Shapes: ``shares`` (R, C, 3), ``band_values`` (R, C, 3), ``flows`` (R, C, 3, H),
    ``coefficients`` (R, 3) for the estimated mix rule. Levels ``x`` are passed as
    (r, C, K) arrays with the rows they belong to (``rows`` slice).
    """

    channels: tuple[str, ...]
    customers: FloatArray
    nps_today: FloatArray
    shares: FloatArray
    band_values: FloatArray
    flows: FloatArray
    coefficients: FloatArray | None
    mix_shift: MixShift
    cost_models: tuple[CostModel, ...]
    annuity: float
    discount: FloatArray
    cost_today: FloatArray
    value_today: FloatArray

    @property
    def n_rows(self) -> int:
        """Rows: 1 point + B replicates."""
        return int(self.shares.shape[0])

    def mix(self, x: FloatArray, rows: slice) -> FloatArray:
        """Band shares (r, C, K, 3) at levels ``x`` (r, C, K).

        A replicate's mix moves by the same number of points as the point estimate's
        (``x − today``), from the replicate's own NPS: the replicates carry the
        uncertainty of what a point is worth, not a second, spurious starting level.
        """
        shares = self.shares[rows]
        offset = 100.0 * (shares[..., 2] - shares[..., 0]) - self.nps_today
        base = np.broadcast_to(shares[:, :, None, :], (*x.shape, 3))
        coef = None if self.coefficients is None else self.coefficients[rows][:, None, None, :]
        return self.mix_shift.shares_at(base, x + offset[:, :, None], coefficients=coef)

    def value(self, x: FloatArray, rows: slice) -> FloatArray:
        """Customer equity (currency) at levels ``x`` (r, C, K)."""
        mix = self.mix(x, rows)
        out: FloatArray = self.customers[None, :, None] * np.einsum(
            "rckb,rcb->rck", mix, self.band_values[rows]
        )
        return out

    def gain(self, x: FloatArray, rows: slice) -> FloatArray:
        """Customer equity gained moving from today to ``x`` (currency)."""
        out: FloatArray = self.value(x, rows) - self.value_today[rows][:, :, None]
        return out

    def cost(self, x: FloatArray) -> FloatArray:
        """Yearly cost (currency per year) at levels ``x`` (…, C, K); warnings silenced."""
        out = np.empty_like(x)
        with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", CxAssumptionWarning)
            for c, model in enumerate(self.cost_models):
                out[..., c, :] = _cost_of(model, np.ascontiguousarray(x[..., c, :]))
        return out

    def extra_cost(self, x: FloatArray) -> FloatArray:
        """Extra yearly cost over today's (currency per year)."""
        out: FloatArray = self.cost(x) - self.cost_today[:, None]
        return out

    def net(self, weight: float | FloatArray = 1.0) -> Objective:
        """Objective ``gain − weight·A·extra_cost``; ``weight`` broadcasts to (r, C, 1)."""

        def objective(x: FloatArray, rows: slice) -> FloatArray:
            w = np.asarray(weight, dtype=np.float64)
            w = w[rows] if w.ndim >= 1 and w.shape[0] == self.n_rows else w
            with np.errstate(invalid="ignore"):
                out: FloatArray = self.gain(x, rows) - w * self.annuity * self.extra_cost(x)
            return np.where(np.isnan(out), -np.inf, out)

        return objective

    def payback_slack(self, months: int) -> Objective:
        """Largest ``cumulative value − cumulative cost`` over months 1..``months`` (≥0: repaid)."""

        def slack(x: FloatArray, rows: slice) -> FloatArray:
            today = np.broadcast_to(self.nps_today[None, :, None], (x.shape[0], x.shape[1], 1))
            delta = self.mix(x, rows) - self.mix(today, rows)
            gain = self.customers[None, :, None, None] * np.einsum(
                "rckb,rcbt->rckt", delta, self.flows[rows][..., :months]
            )
            cost = self.extra_cost(x)[..., None] / 12.0 * self.discount[:months]
            out: FloatArray = np.cumsum(gain - cost, axis=-1).max(axis=-1)
            return out

        return slack

    def payback_months(self, x: FloatArray) -> FloatArray:
        """First month the point curves repay the move to ``x`` (C,); 0 without extra cost."""
        months = self.flows.shape[-1]
        level = x[None, :, None]
        today = self.nps_today[None, :, None]
        delta = self.mix(level, slice(0, 1)) - self.mix(today, slice(0, 1))
        gain = self.customers[:, None] * np.einsum("ckb,cbt->ct", delta[0], self.flows[0])
        extra = self.extra_cost(level)[0, :, 0]
        cost = extra[:, None] / 12.0 * self.discount[None, :months]
        reached = np.cumsum(gain - cost, axis=1) >= -1e-9 * np.abs(extra[:, None])
        first = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1.0, np.inf)
        return np.where(extra <= 0, 0.0, first)

    def kinks(self) -> FloatArray:
        """Levels (R, C) where detractors run out under detractors-first (NaN otherwise)."""
        if self.mix_shift.rule != "detractors_first":
            return np.full(self.shares.shape[:2], np.nan)
        out: FloatArray = self.nps_today + 100.0 * self.shares[..., 0]
        return out


def _net_curves(
    economics: ChannelEconomics,
    cost_models: Mapping[str, CostModel] | None,
    seed: int | np.random.Generator,
    *,
    replicates: bool = True,
) -> _NetCurves:
    """Gather the value curves (point + replicates) and cost models of ``economics``."""
    models = cost_models if cost_models is not None else economics.cost_models
    if not models:
        raise CxDataError(
            "`economics` carries no cost models: pass `cost_models` (channel → an object "
            "with cost_at(nps) in currency per year, e.g. a cx_economics.cost.CostCurve)"
        )
    missing = [ch for ch in economics.channels if ch not in models]
    if missing:
        raise CxDataError(f"`cost_models` has no curve for channel(s) {missing}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    shift = economics.mix_shift
    shares, flows = economics.shares_today[None], economics.band_flows[None]
    coef = None if shift.coefficients is None else shift.coefficients[None]
    have = economics.share_replicates is not None and economics.band_flow_replicates is not None
    if replicates and have:
        assert economics.share_replicates is not None
        assert economics.band_flow_replicates is not None
        b = min(economics.share_replicates.shape[0], economics.band_flow_replicates.shape[0])
        shares = np.concatenate([shares, economics.share_replicates[:b]])
        flows = np.concatenate([flows, economics.band_flow_replicates[:b]])
        draws = shift.draw_coefficients(b, rng)
        coef = None if draws is None or coef is None else np.vstack([coef, draws])
    ordered = tuple(models[ch] for ch in economics.channels)
    today = economics.nps_today
    cost_today = np.array(
        [float(np.asarray(m.cost_at(float(x)))) for m, x in zip(ordered, today, strict=True)]
    )
    bad = np.flatnonzero(~np.isfinite(cost_today))
    if bad.size:
        raise CxModelError(
            f"the cost of today's NPS is not finite for channel(s) "
            f"{[economics.channels[i] for i in bad]}: check their cost curves"
        )
    curves = _NetCurves(
        channels=economics.channels,
        customers=economics.customers,
        nps_today=today,
        shares=shares,
        band_values=flows.sum(axis=-1),
        flows=flows,
        coefficients=coef,
        mix_shift=shift,
        cost_models=ordered,
        annuity=economics.annuity,
        discount=annuity_months(economics.monthly_discount_rate, economics.horizon_months),
        cost_today=cost_today,
        value_today=np.zeros(shares.shape[:2]),
    )
    level = np.broadcast_to(today[None, :, None], (shares.shape[0], len(today), 1))
    object.__setattr__(curves, "value_today", curves.value(level, slice(None))[..., 0])
    return curves


# --------------------------------------------------------------------------- solvers


def _chunked(f: Objective, x: FloatArray, months: int = 1) -> FloatArray:
    """Evaluate ``f`` on (R, C, K) levels in row chunks that keep memory bounded."""
    per_row = max(1, x.shape[1] * x.shape[2] * months)
    step = max(1, _MAX_CELLS // per_row)
    parts = [f(x[i : i + step], slice(i, i + step)) for i in range(0, x.shape[0], step)]
    return np.concatenate(parts, axis=0)


def _grid(lo: FloatArray, hi: FloatArray, points: int, extra: FloatArray | None) -> FloatArray:
    u = np.linspace(0.0, 1.0, points)
    grid = lo[..., None] + (hi - lo)[..., None] * u
    if extra is not None:
        inside = np.where(np.isfinite(extra), np.clip(extra, lo, hi), lo)
        grid = np.sort(np.concatenate([grid, inside[..., None]], axis=-1), axis=-1)
    out: FloatArray = grid
    return out


def _at(f: Objective, x: FloatArray, rows: slice) -> FloatArray:
    return f(x[..., None], rows)[..., 0]


def _golden(f: Objective, a: FloatArray, b: FloatArray, rows: slice) -> FloatArray:
    """Vectorised golden-section maximisation on [a, b] to ``XTOL``."""
    iterations = math.ceil(math.log(XTOL / max(float(np.max(b - a)), XTOL)) / math.log(_GOLDEN))
    for _ in range(max(iterations, 1)):
        c = b - _GOLDEN * (b - a)
        d = a + _GOLDEN * (b - a)
        both = f(np.stack([c, d], axis=-1), rows)
        left = both[..., 0] >= both[..., 1]
        a, b = np.where(left, a, c), np.where(left, d, b)
    out: FloatArray = (a + b) / 2.0
    return out


def _maximise(
    f: Objective, lo: FloatArray, hi: FloatArray, *, points: int, kinks: FloatArray | None
) -> FloatArray:
    """Argmax of ``f`` per row and channel on [lo, hi] (R, C): grid guard, then refine.

    Row 0 (the point estimate) is refined with scipy's bounded Brent search, the
    replicate rows with a vectorised golden section; the grid optimum wins ties.
    """
    grid = _grid(lo, hi, points, kinks)
    values = _chunked(f, grid)
    k = values.argmax(axis=-1)
    last = grid.shape[-1] - 1
    a = np.take_along_axis(grid, np.maximum(k - 1, 0)[..., None], -1)[..., 0]
    b = np.take_along_axis(grid, np.minimum(k + 1, last)[..., None], -1)[..., 0]
    best = np.take_along_axis(grid, k[..., None], -1)[..., 0]
    refined = _golden(f, a, b, slice(None))
    refined[0] = _scipy_point(f, a[0], b[0], refined[0])
    better = _at(f, refined, slice(None)) >= values.max(axis=-1)
    out: FloatArray = np.where(better, refined, best)
    return out


def _scipy_point(f: Objective, a: FloatArray, b: FloatArray, start: FloatArray) -> FloatArray:
    """Bounded Brent search per channel on row 0; keeps ``start`` where it is better."""
    out = start.copy()
    for c in range(a.size):
        if b[c] - a[c] <= XTOL:
            continue

        def negative(t: float, c: int = c) -> float:
            x = out.copy()[None, :]
            x[0, c] = t
            return -float(_at(f, x, slice(0, 1))[0, c])

        res = optimize.minimize_scalar(
            negative, bounds=(a[c], b[c]), method="bounded", options={"xatol": XTOL}
        )
        if -float(res.fun) >= -negative(out[c]):
            out[c] = float(res.x)
    return out


def _highest_feasible(
    g: Objective, lo: FloatArray, hi: FloatArray, *, points: int, months: int = 1
) -> FloatArray:
    """Highest level in [lo, hi] with ``g ≥ 0`` per row and channel (``g(lo) = 0``).

    ``months`` is the size of the time axis ``g`` builds per level (memory guard).
    """
    grid = _grid(lo, hi, points, None)
    feasible = _chunked(g, grid, months) >= 0.0
    feasible[..., 0] = True
    last = grid.shape[-1] - 1
    j = last - np.argmax(feasible[..., ::-1], axis=-1)
    a = np.take_along_axis(grid, j[..., None], -1)[..., 0]
    b = np.take_along_axis(grid, np.minimum(j + 1, last)[..., None], -1)[..., 0]
    inner = j < last
    for _ in range(60):
        mid = (a + b) / 2.0
        ok = _at(g, mid, slice(None)) >= 0.0
        a, b = np.where(ok & inner, mid, a), np.where(ok | ~inner, b, mid)
    for c in np.flatnonzero(inner[0]):

        def row0(t: float, c: int = int(c)) -> float:
            x = a[0].copy()[None, :]
            x[0, c] = t
            return float(_at(g, x, slice(0, 1))[0, c])

        lo_c, hi_c = float(a[0, c]), float(b[0, c]) + XTOL
        if hi_c > lo_c and row0(lo_c) > 0.0 > row0(hi_c):
            a[0, c] = optimize.brentq(row0, lo_c, hi_c, xtol=XTOL)
    out: FloatArray = np.where(inner, a, hi)
    return out


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class ValueTargets(Result):
    """Value-based NPS targets per channel, with money, intervals and flags.

    Attributes
    ----------
    channels : tuple of str
    rule : str
        ``"profit"``, ``"roi"`` or ``"payback"``; ``rule_parameter`` is the ROI hurdle
        (fraction) or the payback limit (months), NaN for ``"profit"``.
    nps_today, target, target_lower, target_upper : ndarray (C,)
        NPS points; the interval is the percentile interval of targets re-solved on
        bootstrap replicates of the value curves.
    value_gain, value_gain_lower, value_gain_upper : ndarray (C,)
        Customer equity gained by reaching the target (currency, present value).
    cost_today, extra_cost : ndarray (C,)
        Yearly cost today and extra yearly cost at the target (currency per year).
    net_value, net_value_lower, net_value_upper : ndarray (C,)
        ``value_gain − annuity × extra_cost`` (currency, present value).
    roi : ndarray (C,)
        ``net_value / (annuity × extra_cost)`` (fraction; NaN without extra cost).
    payback_months : ndarray (C,)
        Months until the move repays its extra cost (``inf``: not within the horizon).
    marginal_value, marginal_cost : ndarray (C,)
        Equity of one more point at the target and the present value of its extra
        yearly cost (currency per point); equal at an interior profit optimum.
    binding : tuple of str
        What stopped the target: ``"optimum"``, ``"kink"``, ``"today"`` (no
        improvement pays), ``"ceiling"`` (``upper_nps``), ``"hurdle"`` or ``"payback"``.
    frontier, beyond_frontier : ndarray (C,)
        Best demonstrated level (points; NaN when not given) and whether the target
        exceeds it.
    expected_responses, detectable_change, undetectable : ndarray (C,)
        Responses expected when the target is judged, the smallest change they can
        detect (points), and whether the increase is smaller.
    grid_nps, grid_net_value : ndarray (C, K)
        The profit curve ``net(x)`` on a grid from today to ``upper_nps`` (currency),
        for plots.
    annuity : float
        Present value of one currency unit per year over the horizon.
    currency : str
    level : float
    n_replicates : int
    """

    channels: tuple[str, ...]
    rule: str
    rule_parameter: float
    nps_today: FloatArray
    target: FloatArray
    target_lower: FloatArray
    target_upper: FloatArray
    value_gain: FloatArray
    value_gain_lower: FloatArray
    value_gain_upper: FloatArray
    cost_today: FloatArray
    extra_cost: FloatArray
    net_value: FloatArray
    net_value_lower: FloatArray
    net_value_upper: FloatArray
    roi: FloatArray
    payback_months: FloatArray
    marginal_value: FloatArray
    marginal_cost: FloatArray
    binding: tuple[str, ...]
    frontier: FloatArray
    beyond_frontier: BoolArray
    expected_responses: FloatArray
    detectable_change: FloatArray
    undetectable: BoolArray
    grid_nps: FloatArray
    grid_net_value: FloatArray
    annuity: float
    currency: str
    level: float
    n_replicates: int

    _title = "Value-based NPS targets"

    def as_mapping(self) -> dict[str, float]:
        """Return channel → target (NPS points)."""
        return {ch: float(x) for ch, x in zip(self.channels, self.target, strict=True)}

    def to_frame(self) -> pd.DataFrame:
        """One row per channel plus ``total`` (sums of money columns); money in ``currency``."""
        frame = pd.DataFrame(
            {
                "channel": list(self.channels),
                "nps_today": self.nps_today,
                "target": self.target,
                "target_lower": self.target_lower,
                "target_upper": self.target_upper,
                "increase": self.target - self.nps_today,
                "value_gain": self.value_gain,
                "value_gain_lower": self.value_gain_lower,
                "value_gain_upper": self.value_gain_upper,
                "cost_today_per_year": self.cost_today,
                "extra_cost_per_year": self.extra_cost,
                "net_value": self.net_value,
                "net_value_lower": self.net_value_lower,
                "net_value_upper": self.net_value_upper,
                "roi": self.roi,
                "payback_months": self.payback_months,
                "marginal_value_per_point": self.marginal_value,
                "marginal_cost_per_point": self.marginal_cost,
                "binding": list(self.binding),
                "frontier": self.frontier,
                "beyond_frontier": self.beyond_frontier,
                "detectable_change": self.detectable_change,
                "undetectable": self.undetectable,
            }
        )
        total: dict[str, object] = {c: np.nan for c in frame.columns}
        total.update(channel="total", binding="", beyond_frontier=False, undetectable=False)
        for c in ("value_gain", "cost_today_per_year", "extra_cost_per_year", "net_value"):
            total[c] = float(frame[c].sum())
        pv_cost = self.annuity * float(self.extra_cost.sum())
        total["roi"] = float(self.net_value.sum()) / pv_cost if pv_cost > 0 else np.nan
        return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)

    def _notes(self) -> list[str]:
        rules = {
            "profit": "profit-maximising (marginal value = marginal cost)",
            "roi": f"highest level with ROI ≥ {self.rule_parameter:.0%}",
            "payback": f"highest level repaid within {self.rule_parameter:g} months",
        }
        notes = [
            f"rule: {rules[self.rule]}; money in {self.currency}, present value; "
            f"{self.level:.0%} intervals from {self.n_replicates} bootstrap replicates"
        ]
        for i, ch in enumerate(self.channels):
            if self.beyond_frontier[i]:
                notes.append(
                    f"{ch}: target {self.target[i]:.1f} lies beyond what its best teams have "
                    f"demonstrably reached ({self.frontier[i]:.1f})"
                )
            if self.undetectable[i]:
                notes.append(
                    f"{ch}: the increase of {self.target[i] - self.nps_today[i]:.1f} points is "
                    f"smaller than the {self.detectable_change[i]:.1f} points "
                    f"{self.expected_responses[i]:,.0f} responses can detect"
                )
        if self.n_replicates == 0:
            notes.append("no bootstrap replicates in the economics: intervals are not available")
        return notes


# --------------------------------------------------------------------------- flags


def detectable_change(
    shares_today: FloatArray,
    shares_target: FloatArray,
    n_today: FloatArray,
    n_target: FloatArray,
    *,
    level: float = 0.95,
    power: float = 0.8,
) -> FloatArray:
    """Smallest NPS change (points) a two-sided test detects with the given power.

    Parameters
    ----------
    shares_today, shares_target : ndarray (C, 3)
        Detractor, passive, promoter fractions today and at the target.
    n_today, n_target : ndarray (C,)
        Responses behind today's NPS and expected when the target is judged.
    level : float, default 0.95
        ``1 − α`` of the two-sided test.
    power : float, default 0.8
        Probability of detecting a change of that size.

    Returns
    -------
    ndarray (C,)
        ``(z_{1−α/2} + z_{power})·100·√(σ₀²/n₀ + σ₁²/n₁)``, NPS points.

    Examples
    --------
    >>> s = np.array([[0.2, 0.3, 0.5]])
    >>> detectable_change(s, s, np.array([400.0]), np.array([400.0])).round(1).tolist()
    [15.5]
    """

    def variance(s: FloatArray) -> FloatArray:
        out: FloatArray = s[..., 2] + s[..., 0] - (s[..., 2] - s[..., 0]) ** 2
        return out

    z = float(stats.norm.ppf(0.5 + level / 2.0) + stats.norm.ppf(power))
    with np.errstate(divide="ignore"):
        se = np.sqrt(variance(shares_today) / n_today + variance(shares_target) / n_target)
    out: FloatArray = z * 100.0 * se
    return out


def _responses_behind_today(economics: ChannelEconomics) -> FloatArray:
    """Responses implied by today's NPS interval: ``n = 100²σ² / se²`` (per channel)."""
    s = economics.shares_today
    var = s[:, 2] + s[:, 0] - (s[:, 2] - s[:, 0]) ** 2
    z = float(stats.norm.ppf(0.5 + economics.level / 2.0))
    se = (economics.nps_upper - economics.nps_lower) / (2.0 * z)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(se > 0, 1e4 * var / se**2, np.inf)
    out: FloatArray = np.round(n).astype(np.float64)
    return out


def _per_channel(
    name: str, given: Mapping[str, float] | None, channels: tuple[str, ...], default: FloatArray
) -> FloatArray:
    if given is None:
        return default
    unknown = sorted(set(given) - set(channels))
    if unknown:
        raise CxDataError(f"`{name}` names channel(s) {unknown} not in the economics {channels}")
    values = np.array([float(given.get(ch, d)) for ch, d in zip(channels, default, strict=True)])
    if np.any(np.isnan(values) & ~np.isnan(default)):
        raise CxDataError(f"`{name}` must hold numbers; got {dict(given)}")
    return values


def _frontier_levels(
    frontier: Mapping[str, float] | AchievabilityFrontier | None, channels: tuple[str, ...]
) -> FloatArray:
    nan = np.full(len(channels), np.nan)
    if frontier is None:
        return nan
    if isinstance(frontier, Mapping):
        return _per_channel("frontier", frontier, channels, nan)
    # a frontier read from responses may know channels these economics do not price
    known = {ch: v for ch, v in frontier.as_mapping().items() if ch in channels}
    return _per_channel("frontier", known, channels, nan)


# --------------------------------------------------------------------------- main


def _check_rule(rule: str, roi_hurdle: float, max_payback_months: int, horizon: int) -> float:
    if rule == "profit":
        return math.nan
    if rule == "roi":
        if not (math.isfinite(roi_hurdle) and roi_hurdle > -1.0):
            raise CxDataError(
                f"`roi_hurdle` must be a fraction above −1 (0.15 is 15 %), got {roi_hurdle}"
            )
        return float(roi_hurdle)
    if rule == "payback":
        if not 1 <= max_payback_months <= horizon:
            raise CxDataError(
                f"`max_payback_months` must be 1–{horizon} (the horizon), got {max_payback_months}"
            )
        return float(max_payback_months)
    raise CxDataError(f"`rule` must be 'profit', 'roi' or 'payback', got {rule!r}")


def _solve_targets(
    curves: _NetCurves, rule: str, parameter: float, upper: FloatArray, points: int
) -> FloatArray:
    """Targets (R, C) for every row under ``rule`` on [today, upper]."""
    lo = np.broadcast_to(curves.nps_today, (curves.n_rows, len(curves.channels))).copy()
    hi = np.broadcast_to(np.maximum(upper, curves.nps_today), lo.shape).copy()
    if rule == "profit":
        x = _maximise(curves.net(), lo, hi, points=points, kinks=curves.kinks())
    elif rule == "roi":
        x = _highest_feasible(curves.net(1.0 + parameter), lo, hi, points=points)
    else:
        months = int(parameter)
        slack = curves.payback_slack(months)
        x = _highest_feasible(slack, lo, hi, points=points, months=months)
    out: FloatArray = np.where(x - lo <= XTOL, lo, x)  # a hair above today is today
    return out


def _marginals(curves: _NetCurves, x: FloatArray, upper: FloatArray) -> tuple[FloatArray, ...]:
    """Equity and PV cost of one more point at ``x`` (central difference inside bounds)."""
    h = 1e-3
    up = np.minimum(x + h, np.maximum(upper, x))
    down = np.maximum(x - h, curves.nps_today)
    width = np.where(up - down > 0, up - down, np.nan)
    both = np.stack([down, up], axis=-1)[None]
    value = curves.gain(both, slice(0, 1))[0]
    cost = curves.annuity * curves.extra_cost(both)[0]
    return (value[:, 1] - value[:, 0]) / width, (cost[:, 1] - cost[:, 0]) / width


def _binding(curves: _NetCurves, x: FloatArray, upper: FloatArray, rule: str) -> tuple[str, ...]:
    kink = curves.kinks()[0]
    labels = []
    for c in range(x.size):
        if x[c] - curves.nps_today[c] <= 1e-4:
            labels.append("today")
        elif upper[c] - x[c] <= 1e-4:
            labels.append("ceiling")
        elif rule != "profit":
            labels.append("hurdle" if rule == "roi" else "payback")
        elif abs(x[c] - kink[c]) <= 1e-4:
            labels.append("kink")
        else:
            labels.append("optimum")
    return tuple(labels)


def value_based_targets(
    economics: ChannelEconomics,
    *,
    rule: Rule = "profit",
    roi_hurdle: float = 0.15,
    max_payback_months: int = 24,
    cost_models: Mapping[str, CostModel] | None = None,
    upper_nps: float | Mapping[str, float] = 100.0,
    frontier: Mapping[str, float] | AchievabilityFrontier | None = None,
    expected_responses: Mapping[str, float] | None = None,
    power: float = 0.8,
    grid_points: int = 201,
    seed: int | np.random.Generator = 0,
) -> ValueTargets:
    """Derive each channel's NPS target from the value and cost of its points.

    Parameters
    ----------
    economics : ChannelEconomics
        Value curves per channel (and their bootstrap replicates, for intervals).
    rule : {"profit", "roi", "payback"}, default "profit"
        Profit-maximising level; highest level with ROI ≥ ``roi_hurdle``; or highest
        level repaid within ``max_payback_months`` (see the module docstring).
    roi_hurdle : float, default 0.15
        Required return, fraction per year (``rule="roi"``).
    max_payback_months : int, default 24
        Longest acceptable payback, months (``rule="payback"``).
    cost_models : mapping channel → CostModel, optional
        Yearly cost (currency per year) at an NPS level; defaults to the economics'.
    upper_nps : float or mapping, default 100
        Highest target considered (NPS points), overall or per channel.
    frontier : mapping channel → float or AchievabilityFrontier, optional
        Best demonstrated level per channel (points), for the ``beyond_frontier`` flag.
    expected_responses : mapping channel → float, optional
        Responses expected when the target is judged; by default as many as behind
        today's NPS (read from its interval).
    power : float, default 0.8
        Power of the detectability test (its level is the economics' ``level``).
    grid_points : int, default 201
        Grid guard resolution between today and ``upper_nps``.
    seed : int or numpy.random.Generator
        Randomness of the estimated mix-shift coefficient draws (if any).

    Returns
    -------
    ValueTargets
        Targets (NPS points) with intervals, value gained and net value (currency,
        present value), extra cost (currency per year), ROI (fraction), payback
        (months) and flags.

    Raises
    ------
    CxDataError
        Missing cost models, unknown channels, or a bad rule parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.economics import economics_from_arrays
    >>> class ExpCost:
    ...     def cost_at(self, nps):
    ...         return 80e3 * np.exp((np.asarray(nps, dtype=float) - 5.0) / 25.0)
    >>> flows = np.array([[[4.0] * 60, [8.0] * 60, [9.0] * 60]])
    >>> econ = economics_from_arrays(("phone",), [12_000], [[300, 350, 350]], flows,
    ...     excellent_nps=[40.0], monthly_discount_rate=0.0, n_bootstrap=100,
    ...     cost_models={"phone": ExpCost()})
    >>> t = value_based_targets(econ)
    >>> round(float(t.target[0]), 2), t.binding
    (19.69, ('optimum',))
    >>> bool(abs(t.marginal_value[0] - t.marginal_cost[0]) < 1.0)
    True
    """
    parameter = _check_rule(rule, roi_hurdle, max_payback_months, economics.horizon_months)
    if not 0.0 < power < 1.0:
        raise CxDataError(f"`power` must be a probability in (0, 1), got {power}")
    if grid_points < 11:
        raise CxDataError(f"`grid_points` must be at least 11, got {grid_points}")
    channels = economics.channels
    upper = (
        _per_channel("upper_nps", upper_nps, channels, np.full(len(channels), 100.0))
        if isinstance(upper_nps, Mapping)
        else np.full(len(channels), float(upper_nps))
    )
    if np.any((upper > 100.0) | (upper < -100.0)):
        raise CxDataError(f"`upper_nps` must be NPS points −100..100, got {upper_nps}")
    curves = _net_curves(economics, cost_models, seed)
    upper = np.maximum(upper, economics.nps_today)
    targets = _solve_targets(curves, rule, parameter, upper, grid_points)
    return _assemble(
        curves, economics, targets, rule, parameter, upper, frontier, expected_responses, power
    )


def _assemble(
    curves: _NetCurves,
    economics: ChannelEconomics,
    targets: FloatArray,
    rule: str,
    parameter: float,
    upper: FloatArray,
    frontier: Mapping[str, float] | AchievabilityFrontier | None,
    expected_responses: Mapping[str, float] | None,
    power: float,
) -> ValueTargets:
    x = targets[0]
    level = x[None, :, None]
    for model, xc in zip(curves.cost_models, x, strict=True):
        model.cost_at(float(xc))  # the model's own warning if the target is extrapolated
    gain = curves.gain(level, slice(0, 1))[0, :, 0]
    extra = curves.extra_cost(level)[0, :, 0]
    net = gain - curves.annuity * extra
    reps = np.broadcast_to(level, (curves.n_rows, len(x), 1))
    gain_reps = curves.gain(reps, slice(None))[1:, :, 0]
    net_reps = gain_reps - curves.annuity * extra
    mv, mc = _marginals(curves, x, upper)
    n_today = _responses_behind_today(economics)
    n_future = _per_channel("expected_responses", expected_responses, economics.channels, n_today)
    shares_target = curves.mix(level, slice(0, 1))[0, :, 0]
    mdc = detectable_change(
        economics.shares_today, shares_target, n_today, n_future, level=economics.level, power=power
    )
    increase = x - economics.nps_today
    front = _frontier_levels(frontier, economics.channels)
    grid = _grid(economics.nps_today, upper, 101, None)[None]
    lo_t, hi_t = _percentile_interval(targets[1:], economics.level)
    lo_g, hi_g = _percentile_interval(gain_reps, economics.level)
    lo_n, hi_n = _percentile_interval(net_reps, economics.level)
    pv_extra = curves.annuity * extra
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(pv_extra > 0, net / pv_extra, np.nan)
    return ValueTargets(
        channels=economics.channels,
        rule=rule,
        rule_parameter=parameter,
        nps_today=economics.nps_today.copy(),
        target=x,
        target_lower=lo_t,
        target_upper=hi_t,
        value_gain=gain,
        value_gain_lower=lo_g,
        value_gain_upper=hi_g,
        cost_today=curves.cost_today,
        extra_cost=extra,
        net_value=net,
        net_value_lower=lo_n,
        net_value_upper=hi_n,
        roi=roi,
        payback_months=curves.payback_months(x),
        marginal_value=mv,
        marginal_cost=mc,
        binding=_binding(curves, x, upper, rule),
        frontier=front,
        beyond_frontier=np.asarray(x > front + 1e-9, dtype=np.bool_),
        expected_responses=n_future,
        detectable_change=mdc,
        undetectable=np.asarray((increase > 1e-4) & (increase < mdc), dtype=np.bool_),
        grid_nps=grid[0],
        grid_net_value=curves.net()(grid, slice(0, 1))[0],
        annuity=curves.annuity,
        currency=economics.currency,
        level=economics.level,
        n_replicates=curves.n_rows - 1,
    )
