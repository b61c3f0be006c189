"""Returns of fixing contact reasons: net present value, payback, ROI, ranked levers.

A fix of reason X costs ``cost`` once (currency, paid now), ``annual_running_cost``
a year, and removes a fraction ``reduction`` of X's contacts — and the same fraction
of its excess churn. Its benefit is ``reduction × money per year`` from
:class:`~cx_economics.drivers.money.ReasonMoney`, received in equal monthly parts at
each month's end for ``Assumptions.horizon_months`` months, discounted at
``Assumptions.monthly_discount_rate``:

* ``npv = A × (benefit − running cost) / 12 − cost`` with the annuity factor
  ``A = Σ_{m=1..H} (1 + i)^-m`` (currency);
* ``roi = npv / cost`` (fraction; NaN when the cost is 0);
* ``payback_months``: first month whose discounted cumulative net benefit covers
  the cost (``inf`` if never; NaN when there is no cost to repay);
* ``break_even_cost = A × (benefit − running cost) / 12``: the most a fix may cost
  and still pay back within the horizon.

Intervals come from the money replicates, so they carry the uncertainty of rates,
hazard ratios and churn counts. Leadership funds a fix only when the money comes
back with interest: the ``decision`` is ``"fund"`` only when the whole NPV interval
is above zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.finance import annuity_factor, payback_months
from cx_economics.core.intervals import percentile_interval
from cx_economics.core.results import Result
from cx_economics.data.assumptions import Assumptions
from cx_economics.drivers.money import ReasonMoney
from cx_economics.drivers.rates import TOO_SPARSE
from cx_economics.tables.contact_counts import UNCODED

__all__ = [
    "Fix",
    "FixScenarios",
    "Levers",
    "fix_returns",
    "fix_scenarios",
]

FloatArray = npt.NDArray[np.float64]

FUND = "fund"
DO_NOT_FUND = "do not fund"
UNCERTAIN = "uncertain"
NOT_RANKED = "not ranked"
SCENARIO = "scenario (no cost given)"


@dataclass(frozen=True)
class Fix:
    """A proposed fix of one contact reason.

    Parameters
    ----------
    cost : float
        One-off cost of the fix (currency), paid at the start.
    reduction : float
        Fraction (0–1] of the reason's contacts the fix removes; the same fraction of
        its excess churn goes too.
    annual_running_cost : float, default 0.0
        Cost of keeping the fix running (currency per year).

    Examples
    --------
    >>> Fix(cost=50_000, reduction=0.4).reduction
    0.4
    """

    cost: float
    reduction: float
    annual_running_cost: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.cost) and self.cost >= 0):
            raise CxDataError(f"`Fix.cost` must be a finite amount ≥ 0, got {self.cost}")
        if not 0 < self.reduction <= 1:
            hint = f" (did you mean {self.reduction / 100:g}?)" if 1 < self.reduction <= 100 else ""
            raise CxDataError(
                f"`Fix.reduction` must be a fraction in (0, 1], got {self.reduction}{hint}"
            )
        running = self.annual_running_cost
        if not (math.isfinite(running) and running >= 0):
            raise CxDataError(
                f"`Fix.annual_running_cost` must be a finite amount ≥ 0, got {running}"
            )


def _returns(
    money: ReasonMoney, reasons: Sequence[str], fixes: Sequence[Fix], assumptions: Assumptions
) -> pd.DataFrame:
    """NPV, ROI, payback and break-even cost of each (reason, fix), with intervals."""
    rows = [money.reasons.index(r) for r in reasons]
    reduction = np.array([f.reduction for f in fixes])
    cost = np.array([f.cost for f in fixes])
    running = np.array([f.annual_running_cost for f in fixes])
    i, level = assumptions.monthly_discount_rate, assumptions.confidence_level
    factor = annuity_factor(i, assumptions.horizon_months)
    point = money.table.set_index("reason").loc[list(reasons), "total"].to_numpy(np.float64)
    benefit = np.column_stack([point, money.total_draws[rows]]) * reduction[:, None]
    net_monthly = (benefit - running[:, None]) / 12.0
    break_even = factor * net_monthly
    npv = break_even - cost[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(cost[:, None] > 0, npv / cost[:, None], np.nan)
    payback = np.where(cost[:, None] > 0, payback_months(cost[:, None], net_monthly, i), np.nan)
    out = pd.DataFrame({"reason": list(reasons), "reduction": reduction, "fix_cost": cost})
    out["annual_running_cost"] = running
    columns = {
        "annual_benefit": benefit, "npv": npv, "roi": roi,
        "payback_months": payback, "break_even_cost": break_even,
    }  # fmt: skip
    for name, values in columns.items():
        low, high = percentile_interval(values[:, 1:], level, axis=-1)
        out[name], out[f"{name}_lower"], out[f"{name}_upper"] = values[:, 0], low, high
    out["probability_npv_positive"] = (npv[:, 1:] > 0).mean(axis=1)
    return out


@dataclass(frozen=True, eq=False)
class Levers(Result):
    """Fixes of contact reasons with their returns, ranked for the executive summary.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per reason: ``reduction`` (fraction), ``fix_cost`` (currency, once),
        ``annual_running_cost`` (currency per year); ``annual_benefit`` (currency per
        year), ``npv`` (currency), ``roi`` (fraction), ``payback_months`` and
        ``break_even_cost`` (currency), each with ``*_lower``/``*_upper``;
        ``probability_npv_positive`` (share of replicates); ``verdict`` (reliability
        of the reason's rate), ``decision`` (``"fund"``, ``"uncertain"``, ``"do not
        fund"``, ``"not ranked"``, or ``"scenario (no cost given)"``), ``rank``
        (1 = best lever; missing when not ranked) and ``headline`` (one sentence).
        Sorted by rank, unranked reasons last.
    mode : {"fixes", "scenario"}
        ``"fixes"`` when costs were given; ``"scenario"`` when each reason is priced
        at a default reduction with no cost (ranked by break-even cost).
    currency : str
        ISO code of every amount.
    horizon_months : int
        Months the benefits last.
    annual_discount_rate : float
        Fraction per year.
    level : float
        Nominal coverage of the intervals.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.drivers.money import money_per_reason
    >>> from cx_economics.drivers.rates import contact_rates
    >>> from cx_economics.tables.contact_counts import contact_counts
    >>> sim = simulate(1_000, seed=1)
    >>> a = Assumptions(cost_per_contact={"phone": 6, "branch": 9, "chat": 3, "web": 1.5})
    >>> money = money_per_reason(contact_rates(contact_counts(sim.contacts, sim.customers)),
    ...                          None, assumptions=a)
    >>> fix_returns(money, assumptions=a).mode
    'scenario'
    """

    table: pd.DataFrame
    mode: str
    currency: str
    horizon_months: int
    annual_discount_rate: float
    level: float

    _title = "Levers: returns of fixing contact reasons"

    def to_frame(self) -> pd.DataFrame:
        """One row per reason (a copy of ``table``)."""
        return self.table.copy()

    def top(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` best ranked levers (unranked reasons never appear)."""
        ranked = self.table[self.table["rank"].notna()]
        return ranked.sort_values("rank").head(n).reset_index(drop=True)

    def _notes(self) -> list[str]:
        notes = [
            f"benefits over {self.horizon_months} months discounted at "
            f"{self.annual_discount_rate:.1%} a year; steady state (no ramp-up while "
            "already-contacted customers age out)"
        ]
        unranked = self.table.loc[self.table["rank"].isna(), "reason"].tolist()
        if unranked:
            notes.append(f"not ranked (uncoded, or too sparse to judge): {unranked}")
        return notes


def _decide(table: pd.DataFrame, mode: str) -> npt.NDArray[np.object_]:
    if mode == "scenario":
        decision = np.full(len(table), SCENARIO, dtype=object)
    else:
        decision = np.where(
            table["npv_lower"] > 0,
            FUND,
            np.where(table["npv_upper"] < 0, DO_NOT_FUND, UNCERTAIN),
        ).astype(object)
    unranked = (table["verdict"] == TOO_SPARSE) | (table["reason"] == UNCODED)
    decision[unranked.to_numpy()] = NOT_RANKED
    return decision


def _headline(row: pd.Series, currency: str, horizon: int) -> str:
    share = f"cutting {row['reason']!r} contacts by {row['reduction']:.0%}"
    benefit = (
        f"is worth {row['annual_benefit']:,.0f} {currency} a year "
        f"({row['annual_benefit_lower']:,.0f}–{row['annual_benefit_upper']:,.0f})"
    )
    if row["decision"] == NOT_RANKED:
        return f"{share}: not ranked ({row['verdict']})"
    if row["fix_cost"] <= 0:
        return (
            f"{share.capitalize()} {benefit}; a fix costing under "
            f"{max(row['break_even_cost'], 0.0):,.0f} {currency} pays back within {horizon} months"
        )
    payback = row["payback_months"]
    when = f"pays back in {payback:.0f} months" if math.isfinite(payback) else "never pays back"
    npv = f"NPV {row['npv']:,.0f} ({row['npv_lower']:,.0f}–{row['npv_upper']:,.0f})"
    return (
        f"{share.capitalize()} {benefit}; the fix ({row['fix_cost']:,.0f} {currency}) {when}, "
        f"{npv}: {row['decision']}"
    )


def fix_returns(
    money: ReasonMoney,
    fixes: Mapping[str, Fix] | None = None,
    *,
    assumptions: Assumptions,
    default_reduction: float = 0.5,
) -> Levers:
    """NPV, payback and ROI of fixing contact reasons, ranked as levers.

    Parameters
    ----------
    money : ReasonMoney
        From :func:`~cx_economics.drivers.money.money_per_reason`.
    fixes : mapping of reason → Fix, optional
        The fixes on the table. Without them every coded reason is priced as a
        scenario: ``default_reduction`` of its contacts removed at no cost, ranked by
        break-even cost (what a fix could cost and still pay back).
    assumptions : Assumptions
        ``horizon_months``, ``annual_discount_rate``, ``confidence_level``, currency.
    default_reduction : float, default 0.5
        Fraction of contacts removed in the scenario (0–1].

    Returns
    -------
    Levers

    Raises
    ------
    CxDataError
        A fix names an unknown reason, or a reduction is out of range.

    Examples
    --------
    >>> from cx_economics.data.assumptions import Assumptions
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.drivers.money import money_per_reason
    >>> from cx_economics.drivers.rates import contact_rates
    >>> from cx_economics.tables.contact_counts import contact_counts
    >>> sim = simulate(2_000, seed=1)
    >>> a = Assumptions(cost_per_contact={"phone": 6.0, "branch": 9.0, "chat": 3.0, "web": 1.5})
    >>> money = money_per_reason(contact_rates(contact_counts(sim.contacts, sim.customers)),
    ...                          None, assumptions=a)
    >>> levers = fix_returns(money, {"billing error": Fix(cost=1_000.0, reduction=0.5)},
    ...                      assumptions=a)
    >>> levers.table.loc[0, "decision"]
    'fund'
    """
    if fixes is None:
        Fix(0.0, default_reduction)  # validates the fraction
        plan = {r: Fix(0.0, default_reduction) for r in money.reasons if r != UNCODED}
        mode = "scenario"
    else:
        unknown = sorted(set(fixes) - set(money.reasons))
        if unknown:
            raise CxDataError(
                f"`fixes` names reason(s) not in the data: {unknown}; known: {list(money.reasons)}"
            )
        plan, mode = dict(fixes), "fixes"
    table = _returns(money, list(plan), list(plan.values()), assumptions)
    verdicts = money.table.set_index("reason")["verdict"]
    table["verdict"] = verdicts.reindex(table["reason"]).to_numpy()
    table["decision"] = _decide(table, mode)
    key = "break_even_cost" if mode == "scenario" else "npv"
    ranked = table["decision"] != NOT_RANKED
    table["rank"] = table[key].where(ranked).rank(ascending=False, method="first").astype("Int64")
    table = table.sort_values("rank", na_position="last", ignore_index=True)
    horizon = assumptions.horizon_months
    table["headline"] = [_headline(r, money.currency, horizon) for _, r in table.iterrows()]
    return Levers(
        table, mode, money.currency, horizon, assumptions.annual_discount_rate,
        assumptions.confidence_level,
    )  # fmt: skip


@dataclass(frozen=True, eq=False)
class FixScenarios(Result):
    """A grid of fix scenarios per reason: reductions × one-off costs.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (reason, reduction, cost) with the columns of
        :class:`Levers` ``table`` that describe returns (benefit, NPV, ROI, payback,
        break-even cost with intervals, probability NPV > 0).
    currency : str
        ISO code of every amount.
    horizon_months : int
        Months the benefits last.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.drivers.money import money_per_reason
    >>> from cx_economics.drivers.rates import contact_rates
    >>> from cx_economics.tables.contact_counts import contact_counts
    >>> sim = simulate(1_000, seed=1)
    >>> a = Assumptions(cost_per_contact={"phone": 6, "branch": 9, "chat": 3, "web": 1.5})
    >>> money = money_per_reason(contact_rates(contact_counts(sim.contacts, sim.customers)),
    ...                          None, assumptions=a)
    >>> fix_scenarios(money, assumptions=a, reductions=(0.5,)).horizon_months
    60
    """

    table: pd.DataFrame
    currency: str
    horizon_months: int

    _title = "Fix scenarios"

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario (a copy of ``table``)."""
        return self.table.copy()


def fix_scenarios(
    money: ReasonMoney,
    *,
    assumptions: Assumptions,
    reductions: Sequence[float] = (0.1, 0.25, 0.5),
    costs: Sequence[float] = (0.0,),
    reasons: Sequence[str] | None = None,
) -> FixScenarios:
    """Returns of every combination of reduction and one-off cost, per reason.

    Parameters
    ----------
    money : ReasonMoney
        Money per reason per year.
    assumptions : Assumptions
        Horizon, discount rate, confidence level.
    reductions : sequence of float
        Fractions (0–1] of contacts removed.
    costs : sequence of float
        One-off costs (currency).
    reasons : sequence of str, optional
        Reasons to include; every coded reason by default.

    Returns
    -------
    FixScenarios

    Examples
    --------
    >>> from cx_economics.data.assumptions import Assumptions
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.drivers.money import money_per_reason
    >>> from cx_economics.drivers.rates import contact_rates
    >>> from cx_economics.tables.contact_counts import contact_counts
    >>> sim = simulate(2_000, seed=1)
    >>> a = Assumptions(cost_per_contact={"phone": 6.0, "branch": 9.0, "chat": 3.0, "web": 1.5})
    >>> money = money_per_reason(contact_rates(contact_counts(sim.contacts, sim.customers)),
    ...                          None, assumptions=a)
    >>> grid = fix_scenarios(money, assumptions=a, reductions=(0.25, 0.5), costs=(0, 5_000))
    >>> len(grid.table) == 4 * len([r for r in money.reasons if r != "uncoded"])
    True
    """
    chosen = list(reasons) if reasons is not None else [r for r in money.reasons if r != UNCODED]
    unknown = sorted(set(chosen) - set(money.reasons))
    if unknown:
        raise CxDataError(f"`reasons` names reason(s) not in the data: {unknown}")
    grid = [Fix(float(c), float(r)) for r in reductions for c in costs]
    parts = [_returns(money, chosen, [fix] * len(chosen), assumptions) for fix in grid]
    table = pd.concat(parts, ignore_index=True)
    return FixScenarios(table, money.currency, assumptions.horizon_months)
