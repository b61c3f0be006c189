r"""Value-based NPS targets per channel: the level where one more point stops paying.

For channel ``c`` and a target NPS ``x`` (points), with ``A`` the annuity (present
value of one currency unit per year over the horizon, :attr:`ChannelEconomics.annuity`):

.. math:: \mathrm{net}_c(x) = G_c(x) - A\,[K_c(x) - K_c(x_0)]

``G_c`` is the present value the channel's active customers gain when its NPS moves
from today's ``x_0`` to ``x`` (currency, :meth:`ChannelEconomics.gain_at`), ``K_c`` its
yearly cost (currency per year, any object with ``cost_at(nps)``). Targets are
searched on ``[x_0, 100]``: a target is an improvement; running a channel below today's level to
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
  demonstrably reached (:func:`cx_economics.targets.frontier.achievability_frontier`).
* ``undetectable``: the increase is smaller than the change the expected responses
  can detect: ``(z_{1−α/2} + z_{power})·100·√(σ₀²/n₀ + σ₁²/n₁)`` with the trinomial
  variance per response ``σ² = p₊ + p₋ − (p₊ − p₋)²`` at today's and the target's mix
  (the variance :func:`cx_economics.scores.sample_size_for_margin` uses).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.intervals import percentile_interval
from cx_economics.core.results import Result
from cx_economics.core.stats import normal_quantile, nps_variance
from cx_economics.economics.channels import ChannelEconomics, CostModel
from cx_economics.targets._solve import (
    XTOL,
    BoolArray,
    FloatArray,
    Rule,
    _grid,
    _highest_feasible,
    _marginals,
    _maximise,
    _net_curves,
    _NetCurves,
    _per_channel,
    _responses_behind_today,
)

if TYPE_CHECKING:
    from cx_economics.targets.frontier import AchievabilityFrontier


__all__ = ["ValueTargets", "detectable_change", "value_based_targets"]


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

    Examples
    --------
    One phone channel at NPS 5 whose yearly cost grows as ``80,000 · e^((x − 5)/25)``
    and whose value rises 28,800 a point (detractors becoming passives, 60 months
    undiscounted, so the annuity is 5 years):

    >>> import math
    >>> import numpy as np
    >>> from cx_economics.economics.channels import economics_from_arrays
    >>> class ExpCost:
    ...     def cost_at(self, nps):
    ...         return 80e3 * np.exp((np.asarray(nps, dtype=float) - 5.0) / 25.0)
    >>> flows = np.array([[[4.0] * 60, [8.0] * 60, [9.0] * 60]])
    >>> econ = economics_from_arrays(("phone",), [12_000], [[300, 350, 350]], flows,
    ...     excellent_nps=[40.0], monthly_discount_rate=0.0, n_bootstrap=100,
    ...     cost_models={"phone": ExpCost()})
    >>> targets = value_based_targets(econ)

    The optimum is where five years of the marginal cost, ``5 · K(x) / 25``, equals
    28,800, i.e. ``K(x) = 144,000``:

    >>> round(float(targets.target[0]), 2), round(5 + 25 * math.log(144e3 / 80e3), 2)
    (19.69, 19.69)
    >>> total = targets.to_frame().set_index("channel").loc["total"]
    >>> round(float(total["extra_cost_per_year"])), round(float(total["net_value"]), -2)
    (64000, 103200.0)
    >>> roi = value_based_targets(econ, rule="roi", roi_hurdle=0.5)
    >>> round(float(roi.target[0]), 1), round(float(roi.roi[0]), 2), roi.binding
    (13.9, 0.5, ('hurdle',))
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
        return nps_variance(s[..., 2], s[..., 0])

    z = normal_quantile(level) + float(stats.norm.ppf(power))
    with np.errstate(divide="ignore"):
        se = np.sqrt(variance(shares_today) / n_today + variance(shares_target) / n_target)
    out: FloatArray = z * 100.0 * se
    return out


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
    >>> from cx_economics.economics.channels import economics_from_arrays
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
    curves = _net_curves(economics, cost_models)
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
    lo_t, hi_t = percentile_interval(targets[1:], economics.level)
    lo_g, hi_g = percentile_interval(gain_reps, economics.level)
    lo_n, hi_n = percentile_interval(net_reps, economics.level)
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
