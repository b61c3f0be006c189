"""Money per contact reason per year, and the returns of fixing a reason.

Per reason, per year (currency of :class:`~cx_economics.data.assumptions.Assumptions`):

``failure_cost``
    failure demand: contacts the reason causes × cost per contact in the channel
    that handled them (``Assumptions.cost_per_contact``). Multi-label contacts are
    split ``1/k`` over their ``k`` reasons, so no contact is paid twice. Every
    contact about a reason counts as caused by a failure; how many a fix can avoid
    is the fix's ``reduction``.
``churn_value``
    value lost through excess churn: churners whose hazard was raised by an earlier
    contact about the reason × ``(1 − 1/HR)`` (the share of their churn the raise
    explains) × lifetime value of a customer of their band.

Both are scaled from the observed history to a year of today's base:
``annual_customer_months = 12 × active customers``. Intervals come from a
parametric bootstrap, vectorised over reasons and replicates: contact totals
(gamma, inflated by any overdispersion), flagged churners (gamma) and the joint
normal of the log hazard ratios.

A fix removes a fraction ``reduction`` of a reason's contacts, and — because fewer
customers then carry the flag — the same fraction of its excess churn, from the
month it is live, for ``Assumptions.horizon_months`` months, discounted monthly at
``Assumptions.monthly_discount_rate``. That steady-state reading ignores the
ramp-up while already-flagged customers age out; it is stated in every result.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.core.intervals import percentile_interval
from cx_economics.core.parameters import rng_from_seed
from cx_economics.core.results import Result
from cx_economics.data.assumptions import Assumptions
from cx_economics.drivers.churn import ChurnLink
from cx_economics.drivers.rates import TOO_SPARSE, ReasonRates
from cx_economics.tables.contact_counts import UNCODED

__all__ = ["ReasonMoney", "money_per_reason"]

FloatArray = npt.NDArray[np.float64]
Seed = int | np.random.Generator


def _rng(seed: Seed) -> np.random.Generator:
    return rng_from_seed(seed)


# --------------------------------------------------------------------------- money


@dataclass(frozen=True, eq=False)
class ReasonMoney(Result):
    """Money per contact reason per year: failure demand plus churn value, with intervals.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per reason: ``annual_contacts`` (contacts per year it causes,
        multi-label contacts split), ``failure_cost`` with ``failure_lower``/
        ``failure_upper``; ``excess_churners`` (customers per year) with
        ``excess_lower``/``excess_upper``; ``churn_value`` with ``churn_lower``/
        ``churn_upper`` (NaN when the reason has no churn link); ``total`` with
        ``lower``/``upper``; ``verdict`` (from the rates), ``rank`` (1 = most money;
        missing for uncoded or too-sparse reasons) and ``currency``. Money is in
        currency per year.
    failure_draws, churn_draws : numpy.ndarray, shape (R, B)
        Bootstrap replicates of ``failure_cost`` and ``churn_value`` (0 where the
        reason has no churn link), rows aligned with ``reasons``.
    reasons : tuple of str
        Reasons, in the rows of the draws.
    currency : str
        ISO code of every amount.
    level : float
        Nominal coverage of the intervals.
    annual_customer_months : float
        Customer-months in a year of today's base (12 × active customers).
    cost_per_contact : mapping
        Channel → cost of one contact (currency) used.
    lifetime_value : mapping
        Band → value lost when a customer of that band churns (currency per customer).

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.drivers.rates import contact_rates
    >>> from cx_economics.tables.contact_counts import contact_counts
    >>> sim = simulate(1_000, seed=1)
    >>> rates = contact_rates(contact_counts(sim.contacts, sim.customers))
    >>> a = Assumptions(cost_per_contact={"phone": 6, "branch": 9, "chat": 3, "web": 1.5})
    >>> money_per_reason(rates, None, assumptions=a).failure_draws.shape[1]
    1000
    """

    table: pd.DataFrame
    failure_draws: FloatArray
    churn_draws: FloatArray
    reasons: tuple[str, ...]
    currency: str
    level: float
    annual_customer_months: float
    cost_per_contact: Mapping[str, float] = field(default_factory=dict)
    lifetime_value: Mapping[str, float] = field(default_factory=dict)

    _title = "Money per contact reason per year"

    def __post_init__(self) -> None:
        object.__setattr__(self, "cost_per_contact", MappingProxyType(dict(self.cost_per_contact)))
        object.__setattr__(self, "lifetime_value", MappingProxyType(dict(self.lifetime_value)))
        super().__post_init__()

    def to_frame(self) -> pd.DataFrame:
        """One row per reason (a copy of ``table``)."""
        return self.table.copy()

    @property
    def total_draws(self) -> FloatArray:
        """Replicates of the total money per reason per year, shape (R, B)."""
        out: FloatArray = self.failure_draws + self.churn_draws
        return out

    def _notes(self) -> list[str]:
        notes = [
            f"per year of today's base ({self.annual_customer_months / 12:,.0f} active "
            f"customers), {self.currency}"
        ]
        missing = self.table.loc[self.table["churn_value"].isna(), "reason"].tolist()
        if missing:
            notes.append(f"no churn link estimated (failure demand only): {missing}")
        return notes


def _channel_costs(rates: ReasonRates, assumptions: Assumptions) -> pd.Series:
    by_channel = rates.by_channel
    channels = sorted(by_channel["channel"].unique())
    missing = [c for c in channels if c not in assumptions.cost_per_contact]
    if missing:
        n = int(by_channel.loc[by_channel["channel"].isin(missing), "contacts"].sum())
        raise CxDataError(
            f"`assumptions.cost_per_contact` has no cost for channel(s) {missing}, which "
            f"handled {n:,} contact mentions; give one per channel, e.g. "
            f"Assumptions(cost_per_contact={{{', '.join(repr(c) + ': 6.0' for c in channels)}}})"
        )
    return pd.Series({c: float(assumptions.cost_per_contact[c]) for c in channels})


def _failure(
    rates: ReasonRates, costs: pd.Series, scale: float, reasons: list[str],
    rng: np.random.Generator, n_draws: int,
) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """Annual contacts, failure cost (point) and its draws, per reason."""
    rows = rates.by_channel.assign(cost=rates.by_channel["channel"].map(costs))
    per_reason = rows.assign(money=rows["weighted"] * rows["cost"]).groupby("reason")
    money = per_reason["money"].sum().reindex(reasons).to_numpy(np.float64) * scale
    table = rates.table.set_index("reason").reindex(reasons)
    weighted = table["weighted"].to_numpy(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(weighted > 0, weighted**2 / table["weighted_sq"].to_numpy(np.float64), 0)
    over = table["interval_method"].to_numpy() != "poisson exact"
    phi = np.where(over, np.maximum(table["dispersion"].to_numpy(np.float64), 1.0), 1.0)
    shape = np.maximum(n_eff / phi, 1e-12)[:, None]
    factor = rng.gamma(shape, 1.0 / shape, size=(len(reasons), n_draws))
    return weighted * scale, money, money[:, None] * np.where(weighted[:, None] > 0, factor, 0.0)


def _band_values(link: ChurnLink, lifetime_value: float | Mapping[str, float]) -> dict[str, float]:
    bands = sorted(link.flagged_by_band["band"].unique())
    if not isinstance(lifetime_value, Mapping):
        value = float(lifetime_value)
        if not math.isfinite(value) or value < 0:
            raise CxDataError(f"`lifetime_value` must be a finite amount ≥ 0, got {value}")
        return dict.fromkeys(bands, value)
    given = {str(k): float(v) for k, v in lifetime_value.items()}
    missing = [b for b in bands if b not in given]
    if missing:
        events = link.flagged_by_band.groupby("band")["flagged_churners"].sum()
        have = [b for b in bands if b in given]
        if not have:
            raise CxDataError(f"`lifetime_value` has no value for any band in {bands}")
        weights = events.reindex(have).to_numpy(np.float64) + 1e-12
        fill = float(np.average([given[b] for b in have], weights=weights))
        warnings.warn(
            f"`lifetime_value` has no value for band(s) {missing}; their churners are valued "
            f"at the churner-weighted mean of the other bands ({fill:,.2f})",
            CxAssumptionWarning,
            stacklevel=3,
        )
        given.update(dict.fromkeys(missing, fill))
    return given


def _churn(
    link: ChurnLink, values: Mapping[str, float], scale: float, reasons: list[str],
    rng: np.random.Generator, n_draws: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """Excess churners and churn value per reason: points and draws (NaN rows if unlinked)."""
    log_hr = np.log(link.table.set_index("reason").loc[list(link.reasons), "hazard_ratio"])
    beta = rng.multivariate_normal(log_hr.to_numpy(np.float64), link.log_hr_cov, size=n_draws).T
    flagged = link.flagged_by_band
    churners = flagged.pivot_table(
        index="reason", columns="band", values="flagged_churners", aggfunc="sum", fill_value=0
    ).reindex(index=list(link.reasons), fill_value=0)
    events = churners.to_numpy(np.float64)  # (K, bands)
    value = np.array([values[b] for b in churners.columns])
    drawn = rng.gamma(np.maximum(events, 1e-12)[:, :, None], 1.0, size=(*events.shape, n_draws))
    drawn = np.where(events[:, :, None] > 0, drawn, 0.0)
    attributable = -np.expm1(-beta)  # 1 - 1/HR, shape (K, B)
    excess_draws = drawn.sum(axis=1) * attributable * scale
    value_draws = (drawn * value[None, :, None]).sum(axis=1) * attributable * scale
    point_share = -np.expm1(-log_hr.to_numpy(np.float64))
    excess = events.sum(axis=1) * point_share * scale
    money = (events * value).sum(axis=1) * point_share * scale
    rows = pd.Index(link.reasons).get_indexer(pd.Index(reasons))
    return (
        _place(excess, rows),
        _place(excess_draws, rows),
        _place(money, rows),
        _place(value_draws, rows),
    )


def _place(values: FloatArray, rows: npt.NDArray[np.intp]) -> FloatArray:
    """Rows of ``values`` at positions ``rows``; NaN where ``rows`` is -1 (not linked)."""
    out = np.full((rows.size, *values.shape[1:]), np.nan)
    out[rows >= 0] = values[rows[rows >= 0]]
    return out


def _rank(table: pd.DataFrame, column: str) -> pd.Series:
    ranked = (table["verdict"] != TOO_SPARSE) & (table["reason"] != UNCODED)
    return table[column].where(ranked).rank(ascending=False, method="first").astype("Int64")


def money_per_reason(
    rates: ReasonRates,
    churn: ChurnLink | None,
    *,
    assumptions: Assumptions,
    lifetime_value: float | Mapping[str, float] | None = None,
    active_customers: int | None = None,
    seed: Seed = 0,
) -> ReasonMoney:
    """Failure-demand cost and churn value lost per contact reason per year.

    Parameters
    ----------
    rates : ReasonRates
        From :func:`~cx_economics.drivers.rates.contact_rates`.
    churn : ChurnLink or None
        From :func:`~cx_economics.drivers.churn.contact_churn_link`
        (``exposure="time-varying"``); ``None`` values failure demand only.
    assumptions : Assumptions
        ``cost_per_contact`` (currency per contact, by channel; every channel that
        handled contacts needs one), ``currency``, ``confidence_level`` and
        ``n_bootstrap`` (replicates).
    lifetime_value : float or mapping, optional
        Value lost when a customer churns (currency per customer): one number, or one
        per band (``"detractor"``, ``"passive"``, ``"promoter"``, ``"unrated"``), e.g.
        from :func:`cx_economics.value.lifetime.value_by_band`. Required with ``churn``.
    active_customers : int, optional
        Size of today's base; ``rates.active_customers`` by default.
    seed : int or numpy.random.Generator
        Randomness of the bootstrap; the same seed gives the same intervals.

    Returns
    -------
    ReasonMoney

    Examples
    --------
    >>> from cx_economics.data.assumptions import Assumptions
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.drivers.rates import contact_rates
    >>> from cx_economics.tables.contact_counts import contact_counts
    >>> sim = simulate(2_000, seed=1)
    >>> rates = contact_rates(contact_counts(sim.contacts, sim.customers))
    >>> costs = {"phone": 6.0, "branch": 9.0, "chat": 3.0, "web": 1.5}
    >>> money = money_per_reason(rates, None, assumptions=Assumptions(cost_per_contact=costs))
    >>> money.table.loc[0, "reason"]
    'billing error'
    """
    if churn is not None and churn.exposure != "time-varying":
        raise CxDataError(
            "`churn` must use exposure='time-varying'; 'ever-contacted' hazard ratios carry "
            "immortal-time bias and would misprice churn"
        )
    if churn is not None and lifetime_value is None:
        raise CxDataError(
            "`lifetime_value` is needed to value churn: one amount per customer, or one per "
            "band (e.g. from cx_economics.value.lifetime.value_by_band)"
        )
    base = rates.active_customers if active_customers is None else active_customers
    annual = 12.0 * float(base)
    rng = _rng(seed)
    b = assumptions.n_bootstrap
    reasons = rates.table["reason"].tolist()
    contacts, failure, failure_d = _failure(
        rates, _channel_costs(rates, assumptions), annual / rates.total_customer_months,
        reasons, rng, b,
    )  # fmt: skip
    values: dict[str, float] = {}
    n = len(reasons)
    excess, excess_d = np.full(n, np.nan), np.full((n, b), np.nan)
    churn_p, churn_d = np.full(n, np.nan), np.full((n, b), np.nan)
    if churn is not None and lifetime_value is not None:
        values = _band_values(churn, lifetime_value)
        excess, excess_d, churn_p, churn_d = _churn(
            churn, values, annual / churn.total_person_months, reasons, rng, b
        )
    table = _money_table(
        rates, contacts, (failure, failure_d), (excess, excess_d), (churn_p, churn_d),
        assumptions,
    )  # fmt: skip
    return ReasonMoney(
        table=table,
        failure_draws=failure_d,
        churn_draws=np.nan_to_num(churn_d, nan=0.0),
        reasons=tuple(reasons),
        currency=assumptions.currency,
        level=assumptions.confidence_level,
        annual_customer_months=annual,
        cost_per_contact=dict(assumptions.cost_per_contact),
        lifetime_value=values,
    )


def _money_table(
    rates: ReasonRates, contacts: FloatArray, failure: tuple[FloatArray, FloatArray],
    excess: tuple[FloatArray, FloatArray], churn: tuple[FloatArray, FloatArray],
    assumptions: Assumptions,
) -> pd.DataFrame:  # fmt: skip
    level = assumptions.confidence_level
    table = pd.DataFrame({"reason": rates.table["reason"], "annual_contacts": contacts})
    parts = {"failure": failure, "excess": excess, "churn": churn}
    names = {"failure": "failure_cost", "excess": "excess_churners", "churn": "churn_value"}
    for key, (point, draws) in parts.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = percentile_interval(draws, level, axis=-1)
        table[names[key]], table[f"{key}_lower"], table[f"{key}_upper"] = point, low, high
    total_d = failure[1] + np.nan_to_num(churn[1], nan=0.0)
    table["total"] = failure[0] + np.nan_to_num(churn[0], nan=0.0)
    table["lower"], table["upper"] = percentile_interval(total_d, level, axis=-1)
    table["verdict"] = rates.table["verdict"].to_numpy()
    table["rank"] = _rank(table, "total")
    table["currency"] = assumptions.currency
    return table
