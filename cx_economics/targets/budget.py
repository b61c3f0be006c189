r"""Split a yearly CX budget across channels where it buys the most customer equity.

Spend ``s_c`` (currency per year, on top of what the channel costs today) buys the
NPS level ``x_c`` with ``K_c(x_c) − K_c(x_c^0) = s_c`` — the inverse of the channel's
cost curve, found numerically from ``cost_at`` alone. The allocation solves

.. math:: \max_{s} \sum_c V_c(x_c(s_c)) \quad\text{s.t.}\quad \sum_c s_c = B,\;
          s_c^{\min} \le s_c \le s_c^{\max}

(``V_c`` customer equity, currency). Its Lagrangian splits by channel: for a price
``λ`` (equity per currency unit of yearly spend) each channel picks
``argmax_x V_c(x) − λ [K_c(x) − K_c(x^0)]``, and ``λ`` is bisected (on its logarithm)
until the spends add up to the budget. At the solution the marginal value per
currency is equalised across channels that are not at a bound. Each channel's pick is
the same guarded solve as :func:`value_based_targets` (grid, then golden section), so
a value curve whose slope rises at the detractors-first kink is handled: if a channel
jumps across the kink at the final price, the small remainder of the budget goes to
the channels that jump. ``spend_all=False`` lets the budget go partly unspent when the
last currency unit would return less than it costs (``λ`` then stops at the annuity,
which is the profit-maximising target of every channel).

Intervals re-solve the allocation on every bootstrap replicate of the value curves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError, CxModelError
from cx_economics.core.intervals import percentile_interval
from cx_economics.core.results import Result
from cx_economics.economics.channels import ChannelEconomics, CostModel
from cx_economics.targets._solve import (
    _at,
    _chunked,
    _golden,
    _grid,
    _marginals,
    _net_curves,
    _NetCurves,
    _per_channel,
)

__all__ = ["BudgetAllocation", "allocate_budget"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class BudgetAllocation(Result):
    """A yearly CX budget split across channels, with the NPS each share buys.

    Attributes
    ----------
    channels : tuple of str
    budget : float
        Yearly budget on top of today's costs (currency per year).
    spend, spend_lower, spend_upper : ndarray (C,)
        Extra yearly spend per channel (currency per year) and its interval.
    min_spend, max_spend : ndarray (C,)
        The bounds honoured (currency per year).
    nps_today, nps_target, nps_target_lower, nps_target_upper : ndarray (C,)
        NPS points today and at the allocated spend.
    cost_today : ndarray (C,)
        Yearly cost today (currency per year).
    value_gain, value_gain_lower, value_gain_upper : ndarray (C,)
        Customer equity gained (currency, present value).
    net_value : ndarray (C,)
        ``value_gain − annuity × spend`` (currency, present value).
    marginal_return : ndarray (C,)
        Yearly-equivalent value of one more currency unit of yearly spend at the
        allocation (``dV/dK / annuity``); equal across channels not at a bound.
    shadow_price : float
        The common marginal return (the Lagrange multiplier over the annuity); below 1
        the last currency unit returns less than it costs.
    binding : tuple of str
        ``"interior"``, ``"min"``, ``"max"`` (spend bounds) or ``"ceiling"`` (NPS cap).
    unspent : float
        Budget left over (currency per year): channels cannot absorb it, or
        ``spend_all=False`` and it would not pay.
    grid_spend, grid_value_gain : ndarray (C, K)
        Each channel's value gained against spend, for plots.
    spend_all : bool
    annuity : float
    currency : str
    level : float
    n_replicates : int

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.economics.channels import economics_from_arrays
    >>> class ExpCost:
    ...     def __init__(self, base):
    ...         self.base = base
    ...     def cost_at(self, nps):
    ...         return self.base * np.exp(np.asarray(nps, dtype=float) / 25.0)
    >>> flows = np.tile([[4.0], [8.0], [9.0]], (2, 1, 60))
    >>> econ = economics_from_arrays(("chat", "web"), [10_000, 10_000],
    ...     [[400, 300, 300], [400, 300, 300]], flows, excellent_nps=[40.0, 40.0],
    ...     monthly_discount_rate=0.0, n_bootstrap=50,
    ...     cost_models={"chat": ExpCost(50e3), "web": ExpCost(100e3)})
    >>> plan = allocate_budget(econ, 60_000)  # currency per year
    >>> frame = plan.to_frame()
    >>> float(frame.loc[frame["channel"] == "total", "spend_per_year"].iloc[0])
    60000.0
    """

    channels: tuple[str, ...]
    budget: float
    spend: FloatArray
    spend_lower: FloatArray
    spend_upper: FloatArray
    min_spend: FloatArray
    max_spend: FloatArray
    nps_today: FloatArray
    nps_target: FloatArray
    nps_target_lower: FloatArray
    nps_target_upper: FloatArray
    cost_today: FloatArray
    value_gain: FloatArray
    value_gain_lower: FloatArray
    value_gain_upper: FloatArray
    net_value: FloatArray
    marginal_return: FloatArray
    shadow_price: float
    binding: tuple[str, ...]
    unspent: float
    grid_spend: FloatArray
    grid_value_gain: FloatArray
    spend_all: bool
    annuity: float
    currency: str
    level: float
    n_replicates: int

    _title = "CX budget allocation"

    def to_frame(self) -> pd.DataFrame:
        """One row per channel plus ``total``; money in ``currency``."""
        frame = pd.DataFrame(
            {
                "channel": list(self.channels),
                "spend_per_year": self.spend,
                "spend_lower": self.spend_lower,
                "spend_upper": self.spend_upper,
                "min_spend": self.min_spend,
                "max_spend": self.max_spend,
                "nps_today": self.nps_today,
                "nps_target": self.nps_target,
                "nps_target_lower": self.nps_target_lower,
                "nps_target_upper": self.nps_target_upper,
                "cost_today_per_year": self.cost_today,
                "value_gain": self.value_gain,
                "value_gain_lower": self.value_gain_lower,
                "value_gain_upper": self.value_gain_upper,
                "net_value": self.net_value,
                "marginal_return": self.marginal_return,
                "binding": list(self.binding),
            }
        )
        total: dict[str, object] = {c: np.nan for c in frame.columns}
        total.update(channel="total", binding="")
        for c in ("spend_per_year", "cost_today_per_year", "value_gain", "net_value"):
            total[c] = float(frame[c].sum())
        total["marginal_return"] = self.shadow_price
        return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)

    def _notes(self) -> list[str]:
        notes = [
            f"budget {self.budget:,.0f} {self.currency} per year on top of today's costs; "
            f"value is customer equity (present value); {self.level:.0%} intervals from "
            f"{self.n_replicates} bootstrap replicates",
            f"the last {self.currency} of yearly spend returns {self.shadow_price:.2f} a year "
            "in value" + (" — less than it costs" if self.shadow_price < 1 else ""),
        ]
        if self.unspent > 1e-6 * max(self.budget, 1.0):
            reason = (
                "spending it would not pay (spend_all=False)"
                if not self.spend_all and self.shadow_price <= 1 + 1e-6
                else "the channels cannot absorb it within their bounds"
            )
            notes.append(f"{self.unspent:,.0f} {self.currency} per year left unspent: {reason}")
        return notes


# --------------------------------------------------------------------------- helpers


def _bounds(
    name: str, given: float | Mapping[str, float] | None, channels: tuple[str, ...], default: float
) -> FloatArray:
    fill = np.full(len(channels), default)
    if isinstance(given, Mapping):
        return _per_channel(name, given, channels, fill)
    return fill if given is None else np.full(len(channels), float(given))


def _nps_for_spend(
    curves: _NetCurves, spend: FloatArray, lo: FloatArray, hi: FloatArray
) -> FloatArray:
    """Invert the cost curves: the level in [lo, hi] whose extra cost is ``spend`` (…, C)."""
    a = np.broadcast_to(lo, spend.shape).copy()
    b = np.broadcast_to(hi, spend.shape).copy()
    for _ in range(100):
        mid = (a + b) / 2.0
        below = curves.extra_cost(mid[..., None])[..., 0] < spend
        a, b = np.where(below, mid, a), np.where(below, b, mid)
    out: FloatArray = (a + b) / 2.0
    return out


def _check_increasing(curves: _NetCurves, lo: FloatArray, hi: FloatArray) -> None:
    grid = _grid(lo, hi, 201, None)[None]
    cost = curves.extra_cost(grid)[0]
    falls = np.any(np.diff(cost, axis=-1) < -1e-9 * np.abs(cost[:, 1:]), axis=-1)
    if falls.any():
        names = [curves.channels[i] for i in np.flatnonzero(falls)]
        raise CxModelError(
            f"the cost curve of channel(s) {names} falls as NPS rises, so spend cannot be "
            "mapped to an NPS level; check the cost points or fit a monotone curve"
        )


@dataclass(frozen=True, eq=False)
class _Problem:
    """The allocation problem on all rows: grid, bounds, objective pieces."""

    curves: _NetCurves
    lo: FloatArray  # (R, C) NPS bounds
    hi: FloatArray
    grid: FloatArray  # (R, C, K)
    gain: FloatArray  # (R, C, K)
    spend: FloatArray  # (R, C, K)

    @classmethod
    def build(cls, curves: _NetCurves, lo: FloatArray, hi: FloatArray, points: int) -> _Problem:
        """Tabulate value gained and spend on a grid of levels between the bounds."""
        grid = _grid(lo, hi, points, curves.kinks())
        return cls(curves, lo, hi, grid, _chunked(curves.gain, grid), curves.extra_cost(grid))

    def respond(self, price: FloatArray, *, refine: bool = True) -> tuple[FloatArray, FloatArray]:
        """Each channel's best level and its spend at a price (R,) per currency of spend.

        The best grid level, refined by golden section between its neighbours unless
        ``refine`` is off (the coarse steps of the price search).
        """
        scores = self.gain - price[:, None, None] * self.spend
        k = scores.argmax(axis=-1)
        if not refine:
            x = np.take_along_axis(self.grid, k[..., None], -1)[..., 0]
            return x, np.take_along_axis(self.spend, k[..., None], -1)[..., 0]
        weight = (price / self.curves.annuity)[:, None, None]
        last = self.grid.shape[-1] - 1
        a = np.take_along_axis(self.grid, np.maximum(k - 1, 0)[..., None], -1)[..., 0]
        b = np.take_along_axis(self.grid, np.minimum(k + 1, last)[..., None], -1)[..., 0]
        best = np.take_along_axis(self.grid, k[..., None], -1)[..., 0]
        objective = self.curves.net(weight)
        x = _golden(objective, a, b, slice(None))
        keep = _at(objective, x, slice(None)) >= scores.max(axis=-1)
        x = np.where(keep, x, best)
        return x, self.curves.extra_cost(x[..., None])[..., 0]

    def net(self, x: FloatArray, spend: FloatArray) -> FloatArray:
        """Total net value (R,) of levels ``x`` costing ``spend`` (currency)."""
        gain = self.curves.gain(x[..., None], slice(None))[..., 0]
        out: FloatArray = (gain - self.curves.annuity * spend).sum(axis=1)
        return out


@dataclass(frozen=True, eq=False)
class _Solution:
    """Both sides of the price at which spends cross the budget, per row."""

    price: FloatArray  # (R,)
    x: FloatArray  # (R, C) levels spending at most the budget
    spend: FloatArray
    x_over: FloatArray  # (R, C) levels at the next lower price (spending at least it)
    spend_over: FloatArray
    at_floor: npt.NDArray[np.bool_]  # the lowest price allowed already spends ≤ budget


def _price_range(problem: _Problem) -> tuple[FloatArray, FloatArray]:
    """Prices (R,) low enough to spend every bound and high enough to spend none."""
    d_spend = problem.spend - problem.spend[..., :1]
    d_gain = problem.gain - problem.gain[..., :1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(d_spend > 0, d_gain / d_spend, 0.0)
    top = np.maximum(ratio.max(axis=(1, 2)), 1e-12) * 4.0
    return top * 1e-12, top


#: Bisection steps of the price search on grid responses, then refined ones.
COARSE_STEPS, FINE_STEPS = 40, 22


def _solve(problem: _Problem, budget: float, spend_all: bool) -> _Solution:
    """Bisect the log-price until the channels' spends add up to the budget.

    The spends fall as the price rises (concave values, convex costs), so the price is
    a water level: coarse steps on the grid's best levels bracket it cheaply, then the
    bracket, widened by a grid step's worth of price, is bisected on refined levels.
    """
    low, top = _price_range(problem)
    floor = low if spend_all else np.maximum(low, problem.curves.annuity)
    ceiling = np.log(np.maximum(top, floor))
    log_lo, log_hi = np.log(floor), ceiling
    for step in range(COARSE_STEPS + FINE_STEPS):
        if step == COARSE_STEPS:  # grid levels err by a step: widen before refining
            log_lo = np.maximum(log_lo - 0.5, np.log(floor))
            log_hi = np.minimum(log_hi + 0.5, ceiling)
        mid = (log_lo + log_hi) / 2.0
        _, spend = problem.respond(np.exp(mid), refine=step >= COARSE_STEPS)
        over = spend.sum(axis=1) > budget
        log_lo, log_hi = np.where(over, mid, log_lo), np.where(over, log_hi, mid)
    x, spend = problem.respond(np.exp(log_hi))
    x_over, spend_over = problem.respond(np.exp(log_lo))
    x_floor, s_floor = problem.respond(floor)
    at_floor = s_floor.sum(axis=1) <= budget
    pick = at_floor[:, None]
    return _Solution(
        price=np.where(at_floor, floor, np.exp(log_hi)),
        x=np.where(pick, x_floor, x),
        spend=np.where(pick, s_floor, spend),
        x_over=np.where(pick, x_floor, x_over),
        spend_over=np.where(pick, s_floor, spend_over),
        at_floor=at_floor,
    )


def _spread(
    problem: _Problem, sol: _Solution, budget: float, min_spend: FloatArray, max_spend: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Give the remainder of the budget to the channels that jump, else by their room."""
    residual = np.where(sol.at_floor, 0.0, budget - sol.spend.sum(axis=1))[:, None]
    jump = np.maximum(sol.spend_over - sol.spend, 0.0)
    room = np.maximum(max_spend - sol.spend, 0.0)
    weights = np.where(jump.sum(axis=1, keepdims=True) > 0, jump, room)
    share = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-300)
    target = np.clip(sol.spend + residual * share, min_spend, max_spend)
    moved = np.abs(target - sol.spend) > 0
    if not moved.any():
        return sol.x, sol.spend
    x = np.where(moved, _nps_for_spend(problem.curves, target, problem.lo, problem.hi), sol.x)
    return x, problem.curves.extra_cost(x[..., None])[..., 0]


def _valley(
    problem: _Problem, sol: _Solution, rows: npt.NDArray[np.intp], channel: npt.NDArray[np.intp]
) -> FloatArray:
    """Worst grid level between a jumping channel's two best levels at the final price."""
    grid = problem.grid[rows, channel]
    scores = problem.gain[rows, channel] - sol.price[rows, None] * problem.spend[rows, channel]
    low, high = sol.x[rows, channel][:, None], sol.x_over[rows, channel][:, None]
    between = (grid > np.minimum(low, high)) & (grid < np.maximum(low, high))
    k = np.where(between, scores, np.inf).argmin(axis=1)
    out: FloatArray = np.where(between.any(axis=1), grid[np.arange(rows.size), k], low[:, 0])
    return out


def _allocate_rows(
    problem: _Problem,
    budget: float,
    min_spend: FloatArray,
    max_spend: FloatArray,
    spend_all: bool,
    points: int,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Levels (R, C), spends (R, C) and prices (R,) of the allocation on every row.

    Where a channel's best response jumps across the budget (a value curve whose slope
    rises), the allocation is re-solved twice with that channel held to the branch
    below, then above, the valley between its two best levels, and the better feasible
    one is kept.
    """
    sol = _solve(problem, budget, spend_all)
    x, spend = _spread(problem, sol, budget, min_spend, max_spend)
    price = sol.price
    jump = np.where(sol.at_floor[:, None], 0.0, np.maximum(sol.spend_over - sol.spend, 0.0))
    material = jump.max(axis=1) > 1e-6 * max(budget, 1.0)
    if not material.any():
        return x, spend, price
    rows, channel = np.flatnonzero(material), jump.argmax(axis=1)[material]
    valley = _valley(problem, sol, rows, channel)
    best = np.where(material, problem.net(x, spend), np.inf)
    for branch in ("below", "above"):
        lo, hi = problem.lo.copy(), problem.hi.copy()
        (hi if branch == "below" else lo)[rows, channel] = valley
        sub = _Problem.build(problem.curves, lo, hi, points)
        cand = _solve(sub, budget, spend_all)
        x_c, s_c = _spread(sub, cand, budget, min_spend, max_spend)
        feasible = s_c.sum(axis=1) <= budget * (1 + 1e-9) + 1e-9
        better = material & feasible & (sub.net(x_c, s_c) > best)
        x, spend = np.where(better[:, None], x_c, x), np.where(better[:, None], s_c, spend)
        price = np.where(better, cand.price, price)
        best = np.where(better, sub.net(x_c, s_c), best)
    return x, spend, price


def _binding(
    spend: FloatArray,
    x: FloatArray,
    min_spend: FloatArray,
    max_spend: FloatArray,
    upper: FloatArray,
) -> tuple[str, ...]:
    labels = []
    for c in range(spend.size):
        tol = 1e-6 * max(abs(max_spend[c]), 1.0)
        if upper[c] - x[c] <= 1e-6:
            labels.append("ceiling")
        elif spend[c] - min_spend[c] <= tol:
            labels.append("min")
        elif max_spend[c] - spend[c] <= tol:
            labels.append("max")
        else:
            labels.append("interior")
    return tuple(labels)


# --------------------------------------------------------------------------- main


def _check_budget(budget: float, min_spend: FloatArray, max_spend: FloatArray) -> None:
    if not (math.isfinite(budget) and budget >= 0):
        raise CxDataError(f"`budget` must be a yearly amount ≥ 0 (currency per year), got {budget}")
    bad = np.flatnonzero(~np.isfinite(min_spend) | (min_spend > max_spend))
    if bad.size:
        raise CxDataError(
            f"`min_spend` must be finite and at most `max_spend`; {bad.size} channel(s) are not "
            f"(e.g. minimum {min_spend[bad[0]]:g} vs maximum {max_spend[bad[0]]:g})"
        )
    if min_spend.sum() > budget:
        raise CxDataError(
            f"the minimum spends add up to {min_spend.sum():,.0f}, more than the `budget` "
            f"{budget:,.0f}: lower them or raise the budget"
        )


def allocate_budget(
    economics: ChannelEconomics,
    budget: float,
    *,
    min_spend: float | Mapping[str, float] = 0.0,
    max_spend: float | Mapping[str, float] | None = None,
    spend_all: bool = True,
    cost_models: Mapping[str, CostModel] | None = None,
    upper_nps: float = 100.0,
    grid_points: int = 201,
) -> BudgetAllocation:
    """Split a yearly CX budget across channels to maximise the customer equity it buys.

    Parameters
    ----------
    economics : ChannelEconomics
        Value curves per channel (with replicates, for intervals).
    budget : float
        Yearly budget on top of today's channel costs (currency per year).
    min_spend, max_spend : float or mapping channel → float, optional
        Bounds on each channel's extra yearly spend (currency per year); by default
        0 and the whole budget. A negative minimum allows a cut below today's cost.
    spend_all : bool, default True
        Spend the whole budget (equality). ``False`` stops where one more currency
        unit returns less than it costs, leaving the rest unspent.
    cost_models : mapping channel → CostModel, optional
        Yearly cost curves (currency per year); defaults to the economics'. Each must
        rise with NPS over the range searched.
    upper_nps : float, default 100
        Highest NPS level a channel may be pushed to (points).
    grid_points : int, default 201
        Grid guard resolution of each channel's response.

    Returns
    -------
    BudgetAllocation
        Spend (currency per year) and resulting NPS target (points) per channel, value
        gained and net value (currency), marginal returns, intervals.

    Raises
    ------
    CxDataError
        A negative budget, inconsistent bounds, or minimum spends above the budget.
    CxModelError
        A cost curve that falls as NPS rises.

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.economics.channels import economics_from_arrays
    >>> class ExpCost:
    ...     def __init__(self, base):
    ...         self.base = base
    ...     def cost_at(self, nps):
    ...         return self.base * np.exp(np.asarray(nps, dtype=float) / 25.0)
    >>> flows = np.tile([[4.0], [8.0], [9.0]], (2, 1, 60))
    >>> econ = economics_from_arrays(("chat", "web"), [10_000, 10_000],
    ...     [[400, 300, 300], [400, 300, 300]], flows, excellent_nps=[40.0, 40.0],
    ...     monthly_discount_rate=0.0, n_bootstrap=50,
    ...     cost_models={"chat": ExpCost(50e3), "web": ExpCost(100e3)})
    >>> plan = allocate_budget(econ, 60_000)
    >>> plan.spend.round(-2).tolist(), plan.binding
    ([46800.0, 13200.0], ('interior', 'interior'))
    """
    channels = economics.channels
    lower = _bounds("min_spend", min_spend, channels, 0.0)
    upper_spend = _bounds("max_spend", max_spend, channels, float(budget))
    _check_budget(float(budget), lower, upper_spend)
    if not -100.0 < upper_nps <= 100.0:
        raise CxDataError(f"`upper_nps` must be NPS points in (−100, 100], got {upper_nps}")
    if grid_points < 11:
        raise CxDataError(f"`grid_points` must be at least 11, got {grid_points}")
    curves = _net_curves(economics, cost_models)
    ceiling = np.maximum(np.full(len(channels), float(upper_nps)), economics.nps_today)
    floor_nps = np.full(len(channels), -100.0)
    _check_increasing(curves, np.minimum(floor_nps + 1e-9, ceiling), ceiling)
    lo = _nps_for_spend(curves, lower[None], floor_nps, ceiling)[0]
    hi = _nps_for_spend(curves, upper_spend[None], floor_nps, ceiling)[0]
    rows = (curves.n_rows, len(channels))
    lo_r, hi_r = np.broadcast_to(lo, rows).copy(), np.broadcast_to(hi, rows).copy()
    problem = _Problem.build(curves, lo_r, hi_r, grid_points)
    x, spend, price = _allocate_rows(
        problem, float(budget), lower, upper_spend, spend_all, grid_points
    )
    return _result(
        problem, economics, float(budget), x, spend, price, lower, upper_spend, ceiling, spend_all
    )


def _result(
    problem: _Problem,
    economics: ChannelEconomics,
    budget: float,
    x: FloatArray,
    spend: FloatArray,
    price: FloatArray,
    lower: FloatArray,
    upper_spend: FloatArray,
    ceiling: FloatArray,
    spend_all: bool,
) -> BudgetAllocation:
    curves, level = problem.curves, economics.level
    at_min = np.abs(spend - lower) <= 1e-9 * max(budget, 1.0)
    spend = np.where(at_min, lower, spend)  # bisection noise at a bound is the bound
    gain = curves.gain(x[..., None], slice(None))[..., 0]
    mv, mc = _marginals(curves, x[0], np.minimum(problem.hi[0], ceiling))
    with np.errstate(divide="ignore", invalid="ignore"):
        marginal_return = np.where(mc > 0, mv / mc, np.nan)
    lo_s, hi_s = percentile_interval(spend[1:], level)
    lo_x, hi_x = percentile_interval(x[1:], level)
    lo_g, hi_g = percentile_interval(gain[1:], level)
    return BudgetAllocation(
        channels=economics.channels,
        budget=budget,
        spend=spend[0],
        spend_lower=lo_s,
        spend_upper=hi_s,
        min_spend=lower,
        max_spend=upper_spend,
        nps_today=economics.nps_today.copy(),
        nps_target=x[0],
        nps_target_lower=lo_x,
        nps_target_upper=hi_x,
        cost_today=curves.cost_today,
        value_gain=gain[0],
        value_gain_lower=lo_g,
        value_gain_upper=hi_g,
        net_value=gain[0] - curves.annuity * spend[0],
        marginal_return=marginal_return,
        shadow_price=float(price[0] / curves.annuity),
        binding=_binding(spend[0], x[0], lower, upper_spend, ceiling),
        unspent=max(budget - float(spend[0].sum()), 0.0),
        grid_spend=problem.spend[0],
        grid_value_gain=problem.gain[0],
        spend_all=spend_all,
        annuity=curves.annuity,
        currency=economics.currency,
        level=level,
        n_replicates=curves.n_rows - 1,
    )
