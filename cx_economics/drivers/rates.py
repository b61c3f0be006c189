"""Contact rates per reason you can trust: intervals, overdispersion, trend, reliability.

Rates are contacts per 1,000 customers per month (customer-months of exposure from
:class:`~cx_economics.tables.contact_counts.ContactCounts`). Per reason:

* **interval** — exact Poisson (Garwood, 1936) on the total count; when the monthly
  counts vary more than Poisson allows (negative-binomial likelihood-ratio test of
  ``alpha = 0``, Cameron & Trivedi 1998), a negative-binomial interval instead;
* **trend** — Poisson GLM of monthly counts on time with ``log(customer-months)``
  as offset (quasi-Poisson scale when overdispersed); rate ratio per year, Wald
  p-value, Benjamini–Hochberg adjustment across reasons;
* **reliability verdict** — ``"too sparse to rank"`` when the count or the relative
  precision is short of the rules, ``"change not detectable"`` when a change of the
  stated size between two recent windows would be missed too often, else
  ``"reliable"``. Sparse reasons are labelled, never ranked.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.core.stats import check_level, normal_quantile
from cx_economics.tables.contact_counts import UNCODED, ContactCounts

__all__ = [
    "CHANGE_NOT_DETECTABLE",
    "RELIABLE",
    "TOO_SPARSE",
    "ReasonRates",
    "ReliabilityRules",
    "contact_rates",
    "poisson_rate_interval",
]

RELIABLE = "reliable"
TOO_SPARSE = "too sparse to rank"
CHANGE_NOT_DETECTABLE = "change not detectable"

FloatArray = npt.NDArray[np.float64]
PER = 1000.0  # rates are per 1,000 customer-months


@dataclass(frozen=True)
class ReliabilityRules:
    """Thresholds of the reliability verdict per reason.

    Parameters
    ----------
    min_contacts : int, default 100
        Fewest contacts (mentions over the window) for a rate to be ranked.
    max_relative_half_width : float, default 0.2
        Largest half-width of the rate's interval as a fraction of the rate (0.2 is
        ±20 %) for the rate to be ranked.
    max_detectable_change : float, default 0.25
        A change of this relative size (0.25 is ±25 %) between two windows of
        ``change_window_months`` must be detectable, else the verdict is
        ``"change not detectable"``.
    change_window_months : int, default 6
        Length in months of each of the two windows compared.
    power : float, default 0.8
        Probability of detecting a change of ``max_detectable_change``.
    alpha : float, default 0.05
        Two-sided significance level of the change tests, and the false discovery
        rate of the Benjamini–Hochberg adjustment across reasons.
    overdispersion_alpha : float, default 0.05
        Level of the negative-binomial test for extra-Poisson variation over months.

    Examples
    --------
    >>> ReliabilityRules(min_contacts=50).max_relative_half_width
    0.2
    """

    min_contacts: int = 100
    max_relative_half_width: float = 0.2
    max_detectable_change: float = 0.25
    change_window_months: int = 6
    power: float = 0.8
    alpha: float = 0.05
    overdispersion_alpha: float = 0.05

    def __post_init__(self) -> None:
        checks = {
            "min_contacts": self.min_contacts >= 1,
            "max_relative_half_width": self.max_relative_half_width > 0,
            "max_detectable_change": self.max_detectable_change > 0,
            "change_window_months": self.change_window_months >= 1,
            "power": 0 < self.power < 1,
            "alpha": 0 < self.alpha < 1,
            "overdispersion_alpha": 0 < self.overdispersion_alpha < 1,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise CxDataError(
                f"`ReliabilityRules.{bad[0]}` is out of range ({getattr(self, bad[0])!r}): counts "
                "and windows ≥ 1, fractions (power, alpha) in (0, 1), widths/changes > 0"
            )


def poisson_rate_interval(
    count: npt.ArrayLike, exposure: npt.ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Exact (Garwood) interval of a Poisson rate, vectorised.

    Parameters
    ----------
    count : array_like
        Event counts (contacts), whole numbers ≥ 0.
    exposure : array_like
        Exposure in the rate's denominator unit (e.g. customer-months), > 0.
    level : float, default 0.95
        Nominal coverage.

    Returns
    -------
    lower, upper : ndarray
        Bounds of ``count / exposure`` (events per unit of exposure).

    Examples
    --------
    >>> lo, hi = poisson_rate_interval(10, 1000.0)
    >>> round(float(lo) * 1000, 3), round(float(hi) * 1000, 3)
    (4.795, 18.39)
    """
    k = np.asarray(count, dtype=np.float64)
    e = np.asarray(exposure, dtype=np.float64)
    tail = (1.0 - level) / 2.0
    lower = np.where(k > 0, stats.chi2.ppf(tail, 2.0 * np.maximum(k, 0.5)) / 2.0, 0.0)
    upper = stats.chi2.ppf(1.0 - tail, 2.0 * k + 2.0) / 2.0
    return np.asarray(lower / e, dtype=np.float64), np.asarray(upper / e, dtype=np.float64)


@dataclass(frozen=True)
class _ReasonFit:
    dispersion: float
    overdispersion_p: float
    interval_method: str
    over_lower: float
    over_upper: float
    trend_ratio: float
    trend_lower: float
    trend_upper: float
    trend_p: float


_NO_FIT = _ReasonFit(math.nan, math.nan, "poisson exact", *([math.nan] * 6))


def _negative_binomial(y: FloatArray, e: FloatArray, z: float) -> tuple[float, float, float]:
    """LR-test p of NB2 ``alpha = 0`` and the NB Wald interval of the rate (NaN if no fit)."""
    from statsmodels.discrete.discrete_model import NegativeBinomial

    rate = y.sum() / e.sum()
    poisson_llf = float(stats.poisson.logpmf(y, rate * e).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = NegativeBinomial(y, np.ones((y.size, 1)), exposure=e, loglike_method="nb2")
        fit = model.fit(start_params=np.array([math.log(rate), 0.1]), disp=0, maxiter=200)
    if not fit.mle_retvals.get("converged", False) or not np.all(np.isfinite(fit.bse)):
        return math.nan, math.nan, math.nan
    lr = max(2.0 * (float(fit.llf) - poisson_llf), 0.0)
    p = 0.5 * float(stats.chi2.sf(lr, 1)) if lr > 0 else 1.0  # boundary: half chi-square(1)
    centre, se = float(fit.params[0]), float(fit.bse[0])
    return p, math.exp(centre - z * se), math.exp(centre + z * se)


def _trend(y: FloatArray, e: FloatArray, years: FloatArray, scale: float, z: float) -> FloatArray:
    """Poisson GLM slope on time (per year): ratio, lower, upper, p."""
    import statsmodels.api as sm

    exog = np.column_stack([np.ones_like(years), years])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, exog, family=sm.families.Poisson(), offset=np.log(e)).fit(scale=scale)
    slope, se = float(fit.params[1]), float(fit.bse[1])
    p = float(2.0 * stats.norm.sf(abs(slope / se))) if se > 0 else math.nan
    return np.array([math.exp(slope), math.exp(slope - z * se), math.exp(slope + z * se), p])


def _fit_reason(
    y: FloatArray, e: FloatArray, years: FloatArray, level: float, rules: ReliabilityRules
) -> _ReasonFit:
    if y.sum() == 0 or y.size < 3:
        return _NO_FIT
    z = normal_quantile(level)
    rate = y.sum() / e.sum()
    dispersion = float(((y - rate * e) ** 2 / (rate * e)).sum() / (y.size - 1))
    p, lower, upper = _negative_binomial(y, e, z)
    method = "negative binomial"
    if math.isnan(p):  # NB did not converge (usually alpha at 0): Pearson chi-square test
        p = float(stats.chi2.sf(dispersion * (y.size - 1), y.size - 1))
        half = z * math.sqrt(max(dispersion, 1.0) / y.sum())
        method, lower, upper = "quasi-poisson", rate * math.exp(-half), rate * math.exp(half)
    over = p < rules.overdispersion_alpha
    trend = _trend(y, e, years, max(dispersion, 1.0) if over else 1.0, z)
    return _ReasonFit(
        dispersion, p, method if over else "poisson exact", lower, upper, *map(float, trend)
    )


def _detectable_change(
    rate: FloatArray, recent_exposure: float, dispersion: FloatArray, rules: ReliabilityRules
) -> FloatArray:
    """Smallest relative change between two windows detected with ``rules.power``."""
    n = rate * recent_exposure
    z = stats.norm.ppf(1.0 - rules.alpha / 2.0) + stats.norm.ppf(rules.power)
    with np.errstate(divide="ignore"):
        se = np.sqrt(dispersion * 2.0 / n)
    out: FloatArray = np.expm1(z * se)
    return out


def _verdicts(table: pd.DataFrame, rules: ReliabilityRules) -> pd.DataFrame:
    half = (table["upper"] - table["lower"]) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = (half / table["rate_per_1000"]).to_numpy(np.float64)
    rankable = (table["contacts"] >= rules.min_contacts) & (
        np.nan_to_num(rel, nan=np.inf) <= rules.max_relative_half_width
    )
    detectable = table["detectable_change"] <= rules.max_detectable_change
    verdict = np.where(
        ~rankable, TOO_SPARSE, np.where(~detectable, CHANGE_NOT_DETECTABLE, RELIABLE)
    )
    ranked = rankable & (table["reason"] != UNCODED)
    order = table["rate_per_1000"].where(ranked).rank(ascending=False, method="first")
    return table.assign(
        relative_half_width=rel,
        rankable=rankable.to_numpy(),
        change_detectable=detectable.to_numpy(),
        verdict=verdict,
        rank=order.astype("Int64"),
    )


def _adjust(p: pd.Series, alpha: float) -> pd.Series:
    from statsmodels.stats.multitest import multipletests

    out = pd.Series(np.nan, index=p.index, dtype=np.float64)
    ok = p.notna()
    if ok.any():
        out[ok] = multipletests(p[ok].to_numpy(), alpha=alpha, method="fdr_bh")[1]
    return out


@dataclass(frozen=True, eq=False)
class ReasonRates(Result):
    """Contact rates per reason with intervals, trend tests and reliability verdicts.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per reason: ``contacts``, ``first_listed``, ``weighted`` (counts over
        the window), ``customer_months``; ``rate_per_1000`` (contacts mentioning the
        reason per 1,000 customers per month) with ``lower``/``upper`` and
        ``interval_method`` (``"poisson exact"``; ``"negative binomial"`` or, when that
        model does not converge, ``"quasi-poisson"`` for overdispersed reasons);
        ``first_listed_rate_per_1000`` and ``weighted_rate_per_1000``;
        ``dispersion`` (Pearson χ²/df over months), ``overdispersion_p``;
        ``trend_ratio_per_year`` (rate ratio per 12 months) with
        ``trend_lower``/``trend_upper``, ``trend_p`` and ``trend_p_adjusted``
        (Benjamini–Hochberg), ``changed``; ``detectable_change`` (fraction);
        ``relative_half_width``, ``rankable``, ``change_detectable``, ``verdict`` and
        ``rank`` (1 = highest rate; missing when not ranked or uncoded).
    by_channel : pandas.DataFrame
        Per (reason, channel): counts, ``rate_per_1000`` (contacts handled in that
        channel per 1,000 customers of the whole base per month) with interval, and
        ``share`` of the reason's contacts.
    monthly : pandas.DataFrame
        Per (reason, month): counts, ``customer_months``, ``rate_per_1000`` with exact
        interval — the rate trend.
    level : float
        Nominal coverage of every interval.
    rules : ReliabilityRules
        Thresholds used for the verdicts.
    window_start, window_end : pandas.Timestamp
        First and last calendar month analysed.
    total_customer_months : float
        Exposure over the window (customer-months).
    active_customers : int
        Customers not churned at the cut-off (the base going forward).
    counts : ContactCounts
        The sufficient statistic the rates come from.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables.contact_counts import contact_counts
    >>> sim = simulate(2_000, seed=1)
    >>> rates = contact_rates(contact_counts(sim.contacts, sim.customers))
    >>> rates.table.loc[0, ["reason", "verdict"]].tolist()
    ['billing error', 'change not detectable']
    """

    table: pd.DataFrame
    by_channel: pd.DataFrame
    monthly: pd.DataFrame
    level: float
    rules: ReliabilityRules
    window_start: pd.Timestamp
    window_end: pd.Timestamp
    total_customer_months: float
    active_customers: int
    counts: ContactCounts = field(repr=False)

    _title = "Contacts per 1,000 customers per month, by reason"

    def to_frame(self) -> pd.DataFrame:
        """One row per reason (a copy of ``table``)."""
        return self.table.copy()

    def _notes(self) -> list[str]:
        notes: list[str] = []
        t = self.table
        sparse = t.loc[t["verdict"] == TOO_SPARSE, "reason"].tolist()
        if sparse:
            notes.append(f"too sparse to rank (labelled, not ranked): {sparse}")
        noisy = t.loc[(t["first_listed"] < 0.5 * t["contacts"]) & (t["reason"] != UNCODED)]
        shares = noisy["first_listed"] / noisy["contacts"].clip(lower=1)
        for reason, share in zip(noisy["reason"], shares, strict=True):
            notes.append(
                f"{reason!r}: only {share:.0%} of its mentions list it first; its rate is "
                "inflated by secondary tags (see first_listed_rate_per_1000)"
            )
        changed = t.loc[t["changed"], "reason"].tolist()
        if changed:
            notes.append(f"rate changed over time (BH-adjusted p < {self.rules.alpha}): {changed}")
        return notes


def _window(counts: ContactCounts, window_months: int | None) -> pd.DataFrame:
    monthly = counts.monthly()
    months = counts.exposure.loc[counts.exposure["customer_months"] > 0, "month"]
    if window_months is not None:
        if window_months < 3:
            raise CxDataError(f"`window_months` must be at least 3, got {window_months}")
        months = months.iloc[-window_months:]
    return monthly[monthly["month"].isin(months)]


def _by_channel(counts: ContactCounts, monthly: pd.DataFrame, level: float) -> pd.DataFrame:
    months = monthly["month"].unique()
    exposure = float(
        counts.exposure.loc[counts.exposure["month"].isin(months), "customer_months"].sum()
    )
    rows = counts.counts[counts.counts["month"].isin(months)]
    out = rows.groupby(["reason", "channel"], as_index=False)[
        ["contacts", "first_listed", "weighted", "weighted_sq"]
    ].sum()
    lower, upper = poisson_rate_interval(out["contacts"], exposure, level)
    out["customer_months"] = exposure
    out["rate_per_1000"] = out["contacts"] / exposure * PER
    out["lower"], out["upper"] = lower * PER, upper * PER
    out["share"] = out["weighted"] / out.groupby("reason")["weighted"].transform("sum")
    return out


def _monthly_rates(monthly: pd.DataFrame, level: float) -> pd.DataFrame:
    out = monthly.copy()
    lower, upper = poisson_rate_interval(out["contacts"], out["customer_months"], level)
    out["rate_per_1000"] = out["contacts"] / out["customer_months"] * PER
    out["lower"], out["upper"] = lower * PER, upper * PER
    out["first_listed_rate_per_1000"] = out["first_listed"] / out["customer_months"] * PER
    return out


def _reason_table(monthly: pd.DataFrame, level: float, rules: ReliabilityRules) -> pd.DataFrame:
    sums = monthly.groupby("reason", sort=False)[
        ["contacts", "first_listed", "weighted", "weighted_sq", "customer_months"]
    ].sum()
    months = np.sort(monthly["month"].unique())
    exposure = monthly.drop_duplicates("month").set_index("month")["customer_months"]
    e = exposure.reindex(months).to_numpy(np.float64)
    years = (months - months[0]) / np.timedelta64(1, "D") / 365.25
    years = years - years.mean()
    counts = monthly.pivot(index="reason", columns="month", values="contacts").reindex(
        index=sums.index, columns=months
    )
    fits = [
        _fit_reason(row.astype(np.float64), e, years, level, rules)
        for row in counts.to_numpy(np.float64)
    ]
    table = pd.DataFrame([vars(f) for f in fits], index=sums.index).join(sums).reset_index()
    return _finish_table(table, e, level, rules)


def _finish_table(
    table: pd.DataFrame, e: FloatArray, level: float, rules: ReliabilityRules
) -> pd.DataFrame:
    total_e = float(e.sum())
    lower, upper = poisson_rate_interval(table["contacts"], total_e, level)
    over = table["overdispersion_p"] < rules.overdispersion_alpha
    table["rate_per_1000"] = table["contacts"] / total_e * PER
    table["lower"] = np.where(over, table.pop("over_lower") * PER, lower * PER)
    table["upper"] = np.where(over, table.pop("over_upper") * PER, upper * PER)
    table["first_listed_rate_per_1000"] = table["first_listed"] / total_e * PER
    table["weighted_rate_per_1000"] = table["weighted"] / total_e * PER
    table = table.rename(columns={"trend_ratio": "trend_ratio_per_year"})
    table["trend_p_adjusted"] = _adjust(table["trend_p"], rules.alpha)
    table["changed"] = (table["trend_p_adjusted"] < rules.alpha).to_numpy()
    recent = float(e[-rules.change_window_months :].mean()) * rules.change_window_months
    dispersion = np.where(over, np.maximum(table["dispersion"].to_numpy(np.float64), 1.0), 1.0)
    table["detectable_change"] = _detectable_change(
        table["contacts"].to_numpy(np.float64) / total_e, recent, dispersion, rules
    )
    table["interval_level"] = level
    return _verdicts(table, rules)


_COLUMNS = [
    "reason", "contacts", "first_listed", "weighted", "weighted_sq", "customer_months",
    "rate_per_1000", "lower", "upper", "interval_method", "interval_level",
    "first_listed_rate_per_1000", "weighted_rate_per_1000", "dispersion", "overdispersion_p",
    "trend_ratio_per_year", "trend_lower", "trend_upper", "trend_p", "trend_p_adjusted",
    "changed", "detectable_change", "relative_half_width", "rankable", "change_detectable",
    "verdict", "rank",
]  # fmt: skip


def contact_rates(
    counts: ContactCounts,
    *,
    level: float = 0.95,
    rules: ReliabilityRules | None = None,
    window_months: int | None = None,
) -> ReasonRates:
    """Contact rates per reason with intervals, trend tests and reliability verdicts.

    Parameters
    ----------
    counts : ContactCounts
        From :func:`cx_economics.tables.contact_counts.contact_counts`.
    level : float, default 0.95
        Nominal coverage of the intervals.
    rules : ReliabilityRules, optional
        Thresholds of the verdicts; the defaults when omitted.
    window_months : int, optional
        Analyse only the last this many calendar months (≥ 3); all months when omitted.

    Returns
    -------
    ReasonRates
        ``rate_per_1000`` is contacts per 1,000 customers per month. With multi-label
        contacts it counts every mention, so noisy secondary tags inflate it above the
        rate at which a reason truly *causes* contacts; ``first_listed_rate_per_1000``
        is the stricter view.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables.contact_counts import contact_counts
    >>> sim = simulate(3_000, seed=1, months_observed=12)
    >>> rates = contact_rates(contact_counts(sim.contacts, sim.customers))
    >>> rates.table.set_index("reason").loc["address change", "verdict"]
    'too sparse to rank'
    """
    check_level(level)
    rules = rules or ReliabilityRules()
    monthly = _window(counts, window_months)
    if monthly.empty:
        raise CxDataError("`counts` has no contacts inside months with customer exposure")
    table = _reason_table(monthly, level, rules)[_COLUMNS]
    table = table.sort_values(["rank", "rate_per_1000"], ascending=[True, False], ignore_index=True)
    months = monthly["month"].unique()
    return ReasonRates(
        table=table,
        by_channel=_by_channel(counts, monthly, level),
        monthly=_monthly_rates(monthly, level),
        level=level,
        rules=rules,
        window_start=pd.Timestamp(months.min()),
        window_end=pd.Timestamp(months.max()),
        total_customer_months=float(monthly.drop_duplicates("month")["customer_months"].sum()),
        active_customers=counts.active_customers,
        counts=counts,
    )
