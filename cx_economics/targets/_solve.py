"""Net-value curves per channel and the vectorised solvers that find their optima.

:func:`_net_curves` turns channel economics into net value (money kept minus cost, in
currency over the horizon) as a function of NPS per channel and bootstrap replicate;
the solvers (grid, golden section, scipy polish, highest feasible level) work on all
channels and replicates at once.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.core.finance import discount_factors, first_month_repaid
from cx_economics.core.stats import normal_quantile, nps_variance
from cx_economics.economics.channels import ChannelEconomics, CostModel
from cx_economics.economics.impact import MixShift, mix_gain

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

    def gain(self, x: FloatArray, rows: slice) -> FloatArray:
        """Customer equity gained moving from today to ``x`` (r, C, K) (currency).

        A replicate moves by the same number of points as the point estimate
        (``x − today``) from its own NPS; priced by :func:`~cx_economics.economics.impact.mix_gain`.
        """
        shares = self.shares[rows]
        offset = 100.0 * (shares[..., 2] - shares[..., 0]) - self.nps_today
        coef = None if self.coefficients is None else self.coefficients[rows][:, None, None, :]
        return mix_gain(
            shares[:, :, None, :],
            x + offset[:, :, None],
            self.band_values[rows][:, :, None, :],
            self.customers[None, :, None],
            self.mix_shift,
            coefficients=coef,
        )

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
        cost = np.maximum(extra, 0.0)[:, None] / 12.0 * self.discount[None, :months]
        return first_month_repaid(gain, cost)

    def kinks(self) -> FloatArray:
        """Levels (R, C) where detractors run out under detractors-first (NaN otherwise)."""
        if self.mix_shift.rule != "detractors_first":
            return np.full(self.shares.shape[:2], np.nan)
        out: FloatArray = self.nps_today + 100.0 * self.shares[..., 0]
        return out


def _net_curves(
    economics: ChannelEconomics,
    cost_models: Mapping[str, CostModel] | None,
    *,
    replicates: bool = True,
) -> _NetCurves:
    """Gather the value curves (point + replicates) and cost models of ``economics``."""
    models = cost_models if cost_models is not None else economics.cost_models
    if not models:
        raise CxDataError(
            "`economics` carries no cost models: pass `cost_models` (channel → an object "
            "with cost_at(nps) in currency per year, e.g. a cx_economics.economics.cost.CostCurve)"
        )
    missing = [ch for ch in economics.channels if ch not in models]
    if missing:
        raise CxDataError(f"`cost_models` has no curve for channel(s) {missing}")
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
        draws = economics.mix_coefficient_replicates
        coef = None if draws is None or coef is None else np.vstack([coef, draws[:b]])
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
        discount=discount_factors(economics.monthly_discount_rate, economics.horizon_months),
        cost_today=cost_today,
    )
    return curves


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


def _responses_behind_today(economics: ChannelEconomics) -> FloatArray:
    """Survey answers a change of NPS is measured on, per channel.

    The economics' ``survey_responses`` (the answers of the NPS window) when known;
    else the responses implied by today's NPS interval, ``n = 100²σ² / se²``.
    """
    if economics.survey_responses is not None:
        return np.asarray(economics.survey_responses, dtype=np.float64)
    s = economics.shares_today
    var = nps_variance(s[:, 2], s[:, 0])
    z = normal_quantile(economics.level)
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
