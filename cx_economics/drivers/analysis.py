"""The whole contact-driver analysis in one call, and its report object.

:func:`contact_driver_analysis` chains the steps, each usable on its own:

1. :func:`~cx_economics.tables.contact_counts.contact_counts` — counts and exposure;
2. :func:`~cx_economics.drivers.rates.contact_rates` — rates, trends, verdicts;
3. :func:`~cx_economics.drivers.churn.contact_churn_link` — hazard ratios
   (time-varying flags, no immortal-time bias);
4. :func:`~cx_economics.drivers.nps_link.nps_after_contacts` — NPS after contacts;
5. :func:`~cx_economics.drivers.money.money_per_reason` — money per reason per year;
6. :func:`~cx_economics.drivers.fixes.fix_returns` — NPV, payback, ROI, ranked levers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxError, CxModelError
from cx_economics.core.parameters import rng_from_seed
from cx_economics.core.results import Result
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.engines import as_lazy, require_same_key_type
from cx_economics.data.schemas import (
    Customers,
    Responses,
    validate_contacts,
    validate_customers,
    validate_responses,
)
from cx_economics.drivers.churn import ChurnLink, contact_churn_link
from cx_economics.drivers.fixes import Fix, Levers, fix_returns
from cx_economics.drivers.money import ReasonMoney, money_per_reason
from cx_economics.drivers.nps_link import NpsAfterContact, nps_after_contacts
from cx_economics.drivers.rates import ReasonRates, ReliabilityRules, contact_rates
from cx_economics.tables.contact_counts import (
    ContactCounts,
    LabelRule,
    contact_counts,
    known_contacts,
)

__all__ = ["DriverReport", "contact_driver_analysis"]

Seed = int | np.random.Generator


@dataclass(frozen=True, eq=False)
class DriverReport(Result):
    """Contact drivers: rates, churn link, NPS after contact, money and ranked levers.

    Attributes
    ----------
    counts : ContactCounts
        Counts by reason, channel and month, and customer-months.
    rates : ReasonRates
        Contacts per 1,000 customers per month by reason, with verdicts.
    churn : ChurnLink
        Hazard ratio of churn after a contact about each reason (time-varying flags).
    nps : NpsAfterContact or None
        NPS of answers following a contact vs others (``None`` without responses).
    money : ReasonMoney
        Failure-demand cost and churn value per reason per year (currency).
    levers : Levers
        Fixes with NPV, payback, ROI, ranked.
    assumptions : Assumptions
        The finance inputs used.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(2_000, seed=5)
    >>> a = Assumptions(cost_per_contact={"phone": 6, "branch": 9, "chat": 3, "web": 1.5},
    ...                 n_bootstrap=100)
    >>> report = contact_driver_analysis(sim.customers, sim.contacts, assumptions=a,
    ...                                  lifetime_value=300.0)
    >>> report.to_frame().columns[:3].tolist()
    ['reason', 'rate_per_1000', 'rate_lower']
    """

    counts: ContactCounts = field(repr=False)
    rates: ReasonRates = field(repr=False)
    churn: ChurnLink = field(repr=False)
    nps: NpsAfterContact | None = field(repr=False)
    money: ReasonMoney = field(repr=False)
    levers: Levers = field(repr=False)
    assumptions: Assumptions = field(repr=False)

    _title = "Contact drivers"

    def to_frame(self) -> pd.DataFrame:
        """One row per reason: rate, verdict, hazard ratio, NPS gap, money, lever.

        Columns: ``reason``, ``rate_per_1000`` (contacts per 1,000 customers per
        month) with ``rate_lower``/``rate_upper``, ``verdict``; ``hazard_ratio`` with
        ``hr_lower``/``hr_upper``; ``nps_difference`` (NPS points, answers after a
        contact minus others) with ``nps_difference_lower``/``_upper``;
        ``annual_money`` (currency per year) with ``money_lower``/``money_upper``;
        ``lever_rank``, ``decision``, ``npv``, ``break_even_cost``, ``payback_months``
        (NaN without a fix cost); ``currency``.
        """
        rates = self.rates.table.rename(columns={"lower": "rate_lower", "upper": "rate_upper"})
        out = rates[["reason", "rate_per_1000", "rate_lower", "rate_upper", "verdict"]]
        hr = self.churn.table.rename(columns={"lower": "hr_lower", "upper": "hr_upper"})
        out = out.merge(hr[["reason", "hazard_ratio", "hr_lower", "hr_upper"]], how="left")
        if self.nps is not None:
            gap = self.nps.table.rename(
                columns={
                    "difference": "nps_difference",
                    "difference_lower": "nps_difference_lower",
                    "difference_upper": "nps_difference_upper",
                }
            )
            cols = ["reason", "nps_difference", "nps_difference_lower", "nps_difference_upper"]
            out = out.merge(gap[cols], how="left")
        money = self.money.table.rename(
            columns={"total": "annual_money", "lower": "money_lower", "upper": "money_upper"}
        )
        out = out.merge(money[["reason", "annual_money", "money_lower", "money_upper"]], how="left")
        levers = self.levers.table.rename(columns={"rank": "lever_rank"})
        cols = ["reason", "lever_rank", "decision", "npv", "break_even_cost", "payback_months"]
        out = out.merge(levers[cols], how="left")
        out["currency"] = self.money.currency
        return out.sort_values("lever_rank", na_position="last", ignore_index=True)

    def top_levers(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` best levers (see :meth:`cx_economics.drivers.fixes.Levers.top`)."""
        return self.levers.top(n)

    def _notes(self) -> list[str]:
        notes = [*self.levers._notes()]
        notes.extend(self.rates._notes())
        return notes


def _resolve_lifetime_value(
    lifetime_value: float | Mapping[str, float] | None,
    customers: object,
    responses: object | None,
    assumptions: Assumptions,
    seed: Seed,
) -> float | Mapping[str, float]:
    """Lifetime value lost per churner: as given, or per band from ``value_by_band``."""
    if lifetime_value is not None:
        return lifetime_value
    from cx_economics.value.lifetime import value_by_band

    try:
        values = value_by_band(customers, responses, assumptions, seed=seed).to_frame()
    except CxError as exc:
        raise CxModelError(
            f"no `lifetime_value` given and value_by_band failed ({exc}); pass "
            "lifetime_value=<currency per customer> or a mapping per band"
        ) from exc
    if "band" not in values or "value" not in values:
        raise CxModelError(
            "value_by_band returned no `band`/`value` columns; pass `lifetime_value` explicitly"
        )
    return {str(b): float(v) for b, v in zip(values["band"], values["value"], strict=True)}


def contact_driver_analysis(
    customers: pd.DataFrame | Customers,
    contacts: object,
    responses: pd.DataFrame | Responses | None = None,
    *,
    assumptions: Assumptions,
    lifetime_value: float | Mapping[str, float] | None = None,
    fixes: Mapping[str, Fix] | None = None,
    synonyms: Mapping[str, str] | None = None,
    labels: LabelRule = "all",
    rules: ReliabilityRules | None = None,
    window_days: int = 30,
    default_reduction: float = 0.5,
    seed: Seed = 0,
) -> DriverReport:
    """Which contact reasons cost money, which are reliable, and which fixes pay.

    Parameters
    ----------
    customers : pandas.DataFrame or Customers
        With ``start_date``, ``tenure_months`` (or ``end_date``), ``churned``,
        ``channel``.
    contacts : frame
        One row per contact (``customer_id``, ``contact_date``, ``channel``,
        ``reason``); pandas or any engine narwhals reads. Contacts from ids not in
        ``customers`` are left out of every figure (rates, churn link, NPS after
        contact, money), with one :class:`CxAssumptionWarning` counting them.
    responses : pandas.DataFrame or Responses, optional
        Survey answers: bands for the churn model and lifetime values, and the NPS
        after contacts. Without them, bands are ``"unrated"`` and no NPS is compared.
    assumptions : Assumptions
        ``cost_per_contact`` for every channel that handles contacts (currency per
        contact), discount rate, horizon, confidence level, bootstrap replicates.
    lifetime_value : float or mapping, optional
        Value lost per churner (currency per customer), one number or one per band.
        By default :func:`cx_economics.value.lifetime.value_by_band` is called.
    fixes : mapping of reason → Fix, optional
        Proposed fixes (one-off cost, reduction); without them every reason is priced
        at ``default_reduction`` as a scenario.
    synonyms : mapping, optional
        Raw reason → reason.
    labels : {"all", "first"}
        Which reasons of a multi-label contact set the churn flags.
    rules : ReliabilityRules, optional
        Thresholds of the reliability verdicts.
    window_days : int, default 30
        Days after a contact in which a survey answer counts as following it.
    default_reduction : float, default 0.5
        Fraction of contacts removed in the scenario without ``fixes``.
    seed : int or numpy.random.Generator
        Randomness of every bootstrap; the same seed gives the same report.

    Returns
    -------
    DriverReport

    Raises
    ------
    CxDataError
        Bad tables, or ``customer_id`` typed differently in ``customers`` and in
        ``contacts`` or ``responses`` (text against numbers), naming both types.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(4_000, seed=5)
    >>> a = Assumptions(cost_per_contact={"phone": 6.0, "branch": 9.0, "chat": 3.0, "web": 1.5},
    ...                 n_bootstrap=200)
    >>> report = contact_driver_analysis(sim.customers, sim.contacts, sim.responses,
    ...                                  assumptions=a, lifetime_value=400.0)
    >>> report.top_levers(1)["reason"].tolist()
    ['billing error']
    """
    rng = rng_from_seed(seed)
    customers = validate_customers(customers)  # once: every step below reuses it
    if isinstance(contacts, pd.DataFrame):
        contacts = validate_contacts(contacts)
    if responses is not None:
        responses = validate_responses(responses)
        require_same_key_type(
            as_lazy(customers.frame, "customers"), as_lazy(responses.frame, "responses"),
            "responses",
        )  # fmt: skip
    # strangers' contacts are left out of every step below, with one warning here
    contacts = known_contacts(contacts, customers).contacts
    counts = contact_counts(contacts, customers, synonyms=synonyms)
    rates = contact_rates(counts, level=assumptions.confidence_level, rules=rules)
    adjust = ("channel", "band") if responses is not None else ("channel",)
    churn = contact_churn_link(
        customers, contacts, responses, synonyms=synonyms, labels=labels,
        adjust_for=adjust, level=assumptions.confidence_level,
    )  # fmt: skip
    nps = None
    if responses is not None:
        nps = nps_after_contacts(
            responses, contacts, window_days=window_days, synonyms=synonyms, labels=labels,
            level=assumptions.confidence_level,
        )  # fmt: skip
    value = _resolve_lifetime_value(lifetime_value, customers, responses, assumptions, rng)
    money = money_per_reason(rates, churn, assumptions=assumptions, lifetime_value=value, seed=rng)
    levers = fix_returns(money, fixes, assumptions=assumptions, default_reduction=default_reduction)
    return DriverReport(counts, rates, churn, nps, money, levers, assumptions)
