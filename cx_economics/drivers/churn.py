"""Churn hazard ratios of contact reasons, free of immortal-time bias.

A customer who contacted about a reason at some point had to be alive until then.
Comparing "ever contacted" with "never contacted" customers therefore credits the
contacted group with the months before their contact — *immortal time* — and makes
contacts look protective (Suissa, 2008). The fix is to let the flag switch on only
after the contact: a time-varying covariate "has contacted about X before this
month", fitted as a discrete-time proportional-hazards model (binomial GLM with a
complementary log-log link on person-months; Allison, 1982). Its coefficients are
log hazard ratios.

Person-months are never materialised per customer: each customer's tenure is cut
into at most ``1 + number of reasons`` episodes at the months their flags switch on,
and episodes are added into cells (channel, band, flag pattern) × month of tenure
with frequency counts — the exact sufficient statistic of the grouped binomial model.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from cx_economics._results import Result
from cx_economics.bands import NpsBand
from cx_economics.data import (
    DAYS_PER_MONTH,
    Customers,
    Responses,
    validate_customers,
    validate_responses,
)
from cx_economics.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.tables.contact_counts import LabelRule, first_contacts

__all__ = [
    "ChurnLink",
    "ExposureRule",
    "PersonMonths",
    "contact_churn_link",
    "contact_person_months",
    "flag_column",
]

#: How the contact flag enters the hazard model.
ExposureRule = Literal["time-varying", "ever-contacted"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_ADJUSTABLE = ("channel", "band")
_MAX_REASONS = 40


def flag_column(reason: str) -> str:
    """Name of the person-month column flagging an earlier contact about ``reason``.

    Examples
    --------
    >>> flag_column("billing error")
    'contacted: billing error'
    """
    return f"contacted: {reason}"


# --------------------------------------------------------------------------- person-months


@dataclass(frozen=True, eq=False)
class PersonMonths(Result):
    """Person-months at risk and churn events by cell and month of tenure.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per (``channel``, ``band``, flag pattern, ``month``) with anyone at
        risk: ``month`` is the month of tenure (1 = first month), one boolean column
        per reason (see :func:`flag_column`), ``at_risk`` (customers alive at the
        start of that month of tenure) and ``churned`` (of whom left in it).
    reasons : tuple of str
        Reasons with a flag column, in column order.
    exposure : {"time-varying", "ever-contacted"}
        ``"time-varying"``: a flag is on from the month *after* the customer's first
        contact about the reason; ``"ever-contacted"``: on from month 1 for anyone who
        ever contacted about it (biased; kept to show the bias).
    labels : {"all", "first"}
        Which reasons of a multi-label contact set flags.
    n_customers : int
        Customers in the table.
    n_unknown_contacts : int
        (customer, reason) first contacts whose customer is not in ``customers``
        (left out).
    flagged_customers : tuple of int
        Per reason, customers whose flag switched on within their observed months.
    """

    frame: pd.DataFrame
    reasons: tuple[str, ...]
    exposure: str
    labels: str
    n_customers: int
    n_unknown_contacts: int
    flagged_customers: tuple[int, ...]

    _title = "Person-months at risk by contact flags"

    def to_frame(self) -> pd.DataFrame:
        """A copy of ``frame``."""
        return self.frame.copy()

    @property
    def flag_columns(self) -> tuple[str, ...]:
        """Names of the flag columns, aligned with ``reasons``."""
        return tuple(flag_column(r) for r in self.reasons)


@dataclass(frozen=True)
class _Customers:
    ids: pd.Index
    start_day: FloatArray
    duration: IntArray
    churned: npt.NDArray[np.bool_]
    channel: npt.NDArray[np.object_]
    band: npt.NDArray[np.object_]


def _customer_bands(
    frame: pd.DataFrame, responses: pd.DataFrame | Responses | None
) -> npt.NDArray[np.object_]:
    """Band of each customer's latest response; ``"unrated"`` without one."""
    out = np.full(len(frame), NpsBand.UNRATED.value, dtype=object)
    if responses is None:
        return out
    valid = validate_responses(responses)
    rows = valid.frame.sort_values("response_date", kind="stable")
    latest = rows.drop_duplicates("customer_id", keep="last")
    bands = pd.Series(valid.scheme.bands(latest["score"].to_numpy()), index=latest["customer_id"])
    found = bands.reindex(frame["customer_id"]).to_numpy(dtype=object)
    known = pd.notna(found)
    out[known] = found[known]
    return out


def _customers(
    customers: pd.DataFrame | Customers, responses: pd.DataFrame | Responses | None
) -> _Customers:
    frame = validate_customers(customers).frame
    if "start_date" not in frame:
        raise CxDataError(
            "`customers`: `start_date` is needed to place contacts in months of tenure"
        )
    tenure = frame["tenure_months"].to_numpy(np.float64)
    churned = frame["churned"].to_numpy(bool)
    duration = np.where(churned, np.maximum(np.ceil(tenure), 1.0), np.floor(tenure))
    start = (frame["start_date"] - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    return _Customers(
        ids=pd.Index(frame["customer_id"]),
        start_day=np.asarray(start, dtype=np.float64),
        duration=duration.astype(np.int64),
        churned=churned,
        channel=frame["channel"].to_numpy(dtype=object),
        band=_customer_bands(frame, responses),
    )


def _choose_reasons(
    onsets: pd.DataFrame, reasons: Sequence[str] | None, max_reasons: int, min_customers: int
) -> tuple[str, ...]:
    per_reason = onsets.groupby("reason")["row"].nunique().sort_values(ascending=False)
    if reasons is not None:
        unknown = sorted(set(reasons) - set(per_reason.index))
        if unknown:
            raise CxDataError(
                f"`reasons` names reason(s) nobody contacted about: {unknown}; "
                f"reasons in the data: {sorted(per_reason.index)}"
            )
        chosen = tuple(dict.fromkeys(reasons))
    else:
        chosen = tuple(per_reason[per_reason >= min_customers].index[:max_reasons])
    if not 1 <= len(chosen) <= _MAX_REASONS:
        raise CxDataError(
            f"need 1–{_MAX_REASONS} reasons for the churn link, got {len(chosen)}; "
            f"reasons with ≥ {min_customers} customers: {list(per_reason.index[:5])}…"
        )
    return chosen


def _onsets(
    cust: _Customers, contacts: object, synonyms: dict[str, str] | None, labels: LabelRule
) -> tuple[pd.DataFrame, int]:
    first = first_contacts(contacts, synonyms=synonyms, labels=labels)
    row = cust.ids.get_indexer(pd.Index(first["customer_id"]))
    unknown = int((row < 0).sum())
    first = first[row >= 0]
    row = row[row >= 0]
    day = (first["first_contact_date"] - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    month = np.floor((day.to_numpy(np.float64) - cust.start_day[row]) / DAYS_PER_MONTH) + 1
    frame = pd.DataFrame(
        {"row": row, "reason": first["reason"].to_numpy(), "contact_month": month.astype(np.int64)}
    )
    return frame, unknown


def _episodes(
    cust: _Customers, row: IntArray, onset: IntArray, bit: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """Split tenures at flag onsets: (customer, start, end, pattern) + last pattern."""
    n = len(cust.duration)
    raw = pd.DataFrame({"row": row, "onset": onset, "bit": bit})
    on = raw.groupby(["row", "onset"], as_index=False)["bit"].sum()
    r, o = on["row"].to_numpy(np.int64), on["onset"].to_numpy(np.int64)
    pattern = on.groupby("row")["bit"].cumsum().to_numpy(np.int64)
    same_next = np.r_[r[1:] == r[:-1], False]
    end = np.where(same_next, np.r_[o[1:], 0] - 1, cust.duration[r])
    is_first = np.r_[True, r[1:] != r[:-1]] if r.size else np.zeros(0, bool)
    first_onset = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    first_onset[r[is_first]] = o[is_first]
    last_pattern = np.zeros(n, dtype=np.int64)
    last_pattern[r[~same_next]] = pattern[~same_next]
    starts = np.r_[np.ones(n, np.int64), o]
    ends = np.r_[np.minimum(first_onset - 1, cust.duration), end]
    keep = ends >= starts
    custs = np.r_[np.arange(n, dtype=np.int64), r][keep]
    pats = np.r_[np.zeros(n, np.int64), pattern][keep]
    return custs, starts[keep], ends[keep], pats, last_pattern


def _cells(
    group: IntArray, custs: IntArray, starts: IntArray, ends: IntArray, pats: IntArray,
    last_pattern: IntArray, cust: _Customers,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:  # fmt: skip
    """At-risk and event counts per (cell, month); cells are (group, pattern) pairs."""
    churners = np.flatnonzero(cust.churned & (cust.duration >= 1))
    keys = np.r_[
        np.column_stack([group[custs], pats]),
        np.column_stack([group[churners], last_pattern[churners]]),
    ]
    cell_keys, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    episode_cell, churn_cell = inverse[: custs.size], inverse[custs.size :]
    t_max = int(cust.duration.max()) if cust.duration.size else 0
    diff = np.zeros((len(cell_keys), t_max + 2), dtype=np.int64)
    np.add.at(diff, (episode_cell, starts), 1)
    np.add.at(diff, (episode_cell, ends + 1), -1)
    at_risk = np.cumsum(diff, axis=1)[:, : t_max + 1]
    events = np.zeros_like(at_risk)
    np.add.at(events, (churn_cell, cust.duration[churners]), 1)
    cell, month = np.nonzero(at_risk)
    return cell_keys[cell], month.astype(np.int64), at_risk[cell, month], events[cell, month]


def contact_person_months(
    customers: pd.DataFrame | Customers,
    contacts: object,
    responses: pd.DataFrame | Responses | None = None,
    *,
    reasons: Sequence[str] | None = None,
    max_reasons: int = 12,
    min_customers: int = 20,
    synonyms: dict[str, str] | None = None,
    labels: LabelRule = "all",
    exposure: ExposureRule = "time-varying",
) -> PersonMonths:
    """Aggregate customers' months at risk by channel, band and contact flags.

    Parameters
    ----------
    customers : pandas.DataFrame or Customers
        With ``start_date`` (needed to place contacts in months of tenure),
        ``tenure_months`` or ``end_date``, ``churned``, ``channel``. A churner's last
        month at risk is ``ceil(tenure_months)``; an active customer's is
        ``floor(tenure_months)`` (complete months only).
    contacts : frame
        As in :func:`cx_economics.tables.contact_counts.contact_counts` (any engine).
    responses : pandas.DataFrame or Responses, optional
        Survey answers; a customer's band is that of their latest answer
        (``"unrated"`` without one).
    reasons : sequence of str, optional
        Reasons to flag; by default the most common (by customers who contacted
        about them), at most ``max_reasons``, each with ≥ ``min_customers`` customers.
    max_reasons, min_customers : int
        Limits of the default choice.
    synonyms : mapping, optional
        Raw reason → reason.
    labels : {"all", "first"}
        Which reasons of a multi-label contact set flags.
    exposure : {"time-varying", "ever-contacted"}
        Flag from the month after the first contact (correct), or from month 1 for
        everyone who ever contacted (immortal-time biased; for comparison only).

    Returns
    -------
    PersonMonths

    Examples
    --------
    >>> from cx_economics.datasets import simulate
    >>> sim = simulate(1_000, seed=3)
    >>> pm = contact_person_months(sim.customers, sim.contacts, reasons=["billing error"])
    >>> int(pm.frame["at_risk"].sum()) == int(sim.customers["tenure_months"].sum())
    True
    """
    if exposure not in ("time-varying", "ever-contacted"):
        raise CxDataError(
            f"`exposure` must be 'time-varying' or 'ever-contacted', got {exposure!r}"
        )
    cust = _customers(customers, responses)
    onsets, unknown = _onsets(cust, contacts, synonyms, labels)
    chosen = _choose_reasons(onsets, reasons, max_reasons, min_customers)
    onsets = onsets[onsets["reason"].isin(chosen)]
    row = onsets["row"].to_numpy(np.int64)
    if exposure == "time-varying":
        onset = np.maximum(onsets["contact_month"].to_numpy(np.int64) + 1, 1)
    else:
        onset = np.ones(row.size, dtype=np.int64)
    inside = onset <= cust.duration[row]
    bit = np.left_shift(1, pd.Index(chosen).get_indexer(pd.Index(onsets["reason"]))).astype(
        np.int64
    )
    episodes = _episodes(cust, row[inside], onset[inside], bit[inside])
    groups = pd.MultiIndex.from_arrays([cust.channel, cust.band])
    group, levels = pd.factorize(groups)
    keys, month, at_risk, events = _cells(group.astype(np.int64), *episodes, cust=cust)
    level_values = np.array(list(levels), dtype=object).reshape(-1, 2)
    frame = pd.DataFrame(
        {
            "channel": level_values[keys[:, 0], 0],
            "band": level_values[keys[:, 0], 1],
            "month": month,
        }
    )
    for k, reason in enumerate(chosen):
        frame[flag_column(reason)] = (keys[:, 1] >> k) & 1 == 1
    frame["at_risk"], frame["churned"] = at_risk, events
    if unknown:
        warnings.warn(
            f"{unknown} (customer, reason) first contacts name customers not in `customers`; "
            "they are left out of the churn link",
            CxAssumptionWarning,
            stacklevel=2,
        )
    flagged = np.bincount(np.log2(bit[inside]).astype(np.int64), minlength=len(chosen))
    return PersonMonths(
        frame, chosen, exposure, labels, len(cust.ids), unknown, tuple(int(x) for x in flagged)
    )


# --------------------------------------------------------------------------- model


def _baseline_bins(frame: pd.DataFrame, n_bins: int) -> IntArray:
    """Piecewise-constant baseline: months grouped into ≤ n_bins runs of equal events."""
    events = frame.groupby("month")["churned"].sum().sort_index()
    share = (events.cumsum() - events) / max(float(events.sum()), 1.0)
    bin_of = np.minimum(np.floor(share.to_numpy() * n_bins), n_bins - 1).astype(np.int64)
    mapping = pd.Series(pd.factorize(bin_of)[0], index=events.index)
    return mapping.reindex(frame["month"]).to_numpy(np.int64)


def _dummies(values: pd.Series, name: str, reference: str | None) -> pd.DataFrame:
    levels = sorted(values.unique())
    if reference is None or reference not in levels:
        reference = str(values.value_counts().idxmax())
    keep = [v for v in levels if v != reference]
    return pd.DataFrame({f"{name}={v}": (values == v).to_numpy(np.float64) for v in keep})


def _model_cells(pm: PersonMonths, adjust_for: Sequence[str], baseline_bins: int) -> pd.DataFrame:
    """Person-months summed within baseline bins (exact: cells share one hazard there)."""
    frame = pm.frame.assign(baseline=_baseline_bins(pm.frame, baseline_bins))
    keys = ["baseline", *adjust_for, *pm.flag_columns]
    return frame.groupby(keys, as_index=False, sort=False)[["at_risk", "churned"]].sum()


def _design(cells: pd.DataFrame, pm: PersonMonths, adjust_for: Sequence[str]) -> pd.DataFrame:
    bins = cells["baseline"].to_numpy()
    parts = [
        pd.DataFrame({f"baseline[{b}]": (bins == b).astype(np.float64) for b in np.unique(bins)})
    ]
    for column in adjust_for:
        reference = NpsBand.PROMOTER.value if column == "band" else None
        parts.append(_dummies(cells[column], column, reference))
    parts.append(pd.DataFrame({c: cells[c].to_numpy(np.float64) for c in pm.flag_columns}))
    return pd.concat(parts, axis=1)


@dataclass(frozen=True, eq=False)
class ChurnLink(Result):
    """Hazard ratio of churn after a contact about each reason, with intervals.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per reason: ``customers_contacted`` (customers whose flag switched on
        while observed), ``flagged_person_months``, ``flagged_churners``,
        ``hazard_ratio`` (monthly churn hazard with the flag on ÷ off, adjusted for
        the other flags, month of tenure and ``adjusted_for``) with ``lower``/
        ``upper``, ``p_value``, ``p_adjusted`` (Benjamini–Hochberg across reasons),
        ``significant`` and ``enough_events`` (≥ ``min_events`` flagged churners).
    flagged_by_band : pandas.DataFrame
        ``reason``, ``band``, ``flagged_person_months``, ``flagged_churners``: where
        the churn attributable to a reason falls (used to value it).
    coefficients : pandas.DataFrame
        Every model term: ``term``, ``estimate`` (log hazard ratio, or log baseline
        hazard per month for ``baseline[...]`` terms), ``std_error``.
    log_hr_cov : numpy.ndarray, shape (K, K)
        Covariance of the reasons' log hazard ratios (for joint simulation).
    reasons : tuple of str
        The K reasons, in the order of ``log_hr_cov``.
    exposure, labels : str
        How flags were built (see :class:`PersonMonths`).
    adjusted_for : tuple of str
        Covariates in the model besides the flags and the baseline.
    level : float
        Nominal coverage.
    total_person_months : float
        Customer-months at risk in the model.
    total_churners : int
        Churn events in the model.
    n_customers : int
        Customers in the model.
    """

    table: pd.DataFrame
    flagged_by_band: pd.DataFrame
    coefficients: pd.DataFrame
    log_hr_cov: FloatArray
    reasons: tuple[str, ...]
    exposure: str
    labels: str
    adjusted_for: tuple[str, ...]
    level: float
    total_person_months: float
    total_churners: int
    n_customers: int

    _title = "Churn hazard ratio after a contact, by reason"

    def to_frame(self) -> pd.DataFrame:
        """One row per reason (a copy of ``table``)."""
        return self.table.copy()

    def _notes(self) -> list[str]:
        notes = [
            f"discrete-time proportional hazards (cloglog), flags {self.exposure}; "
            f"adjusted for month of tenure and {list(self.adjusted_for)}"
        ]
        if self.exposure == "ever-contacted":
            notes.append(
                "'ever contacted' flags credit pre-contact months to the contacted group "
                "(immortal-time bias): hazard ratios are biased towards protection"
            )
        few = self.table.loc[~self.table["enough_events"], "reason"].tolist()
        if few:
            notes.append(f"too few churners after contact to judge: {few}")
        return notes


def _fit(cells: pd.DataFrame, design: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    import statsmodels.api as sm

    churned = cells["churned"].to_numpy(np.float64)
    survived = cells["at_risk"].to_numpy(np.float64) - churned
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.GLM(
            np.column_stack([churned, survived]), design.to_numpy(), family=family
        ).fit()
    params, cov = np.asarray(result.params), np.asarray(result.cov_params())
    if not result.converged or not np.all(np.isfinite(np.diag(cov))):
        raise CxModelError(
            "the churn model did not converge; try fewer reasons (`max_reasons`), fewer "
            "`baseline_bins`, or drop a covariate from `adjust_for`"
        )
    return params, cov


def _flagged(pm: PersonMonths) -> pd.DataFrame:
    rows = []
    for reason, col in zip(pm.reasons, pm.flag_columns, strict=True):
        on = pm.frame[pm.frame[col]]
        by_band = on.groupby("band")[["at_risk", "churned"]].sum().reset_index()
        rows.append(by_band.assign(reason=reason))
    out = pd.concat(rows, ignore_index=True).rename(
        columns={"at_risk": "flagged_person_months", "churned": "flagged_churners"}
    )
    return out[["reason", "band", "flagged_person_months", "flagged_churners"]]


def contact_churn_link(
    customers: pd.DataFrame | Customers,
    contacts: object,
    responses: pd.DataFrame | Responses | None = None,
    *,
    reasons: Sequence[str] | None = None,
    max_reasons: int = 12,
    synonyms: dict[str, str] | None = None,
    labels: LabelRule = "all",
    exposure: ExposureRule = "time-varying",
    adjust_for: Sequence[str] = ("channel", "band"),
    baseline_bins: int = 12,
    level: float = 0.95,
    alpha: float = 0.05,
    min_events: int = 10,
) -> ChurnLink:
    """Hazard ratio of churn after a contact about each reason.

    Parameters
    ----------
    customers, contacts, responses
        As in :func:`contact_person_months` (``responses`` give the band covariate).
    reasons, max_reasons, synonyms, labels
        Which reasons get a flag, and how labels are read.
    exposure : {"time-varying", "ever-contacted"}
        ``"time-varying"`` (default) switches a flag on the month after the first
        contact, so later contacts cannot leak into earlier survival.
        ``"ever-contacted"`` is the naive, immortal-time-biased flag, for comparison.
    adjust_for : sequence of {"channel", "band"}
        Covariates besides month of tenure. The band is the latest survey answer,
        which may itself follow a contact (a mediator): drop it to get the total
        effect of a contact.
    baseline_bins : int, default 12
        Months of tenure are grouped into at most this many runs with similar
        numbers of churners, each with its own baseline hazard.
    level : float, default 0.95
        Nominal coverage of the intervals.
    alpha : float, default 0.05
        False discovery rate for ``significant`` (Benjamini–Hochberg).
    min_events : int, default 10
        Fewest churners with a flag on for ``enough_events``.

    Returns
    -------
    ChurnLink

    Raises
    ------
    CxModelError
        The model does not converge.

    Examples
    --------
    >>> from cx_economics.datasets import simulate
    >>> sim = simulate(4_000, seed=5)
    >>> link = contact_churn_link(sim.customers, sim.contacts, sim.responses)
    >>> row = link.table.set_index("reason").loc["billing error"]
    >>> bool(row["lower"] > 1.0)
    True
    """
    unknown = sorted(set(adjust_for) - set(_ADJUSTABLE))
    if unknown or baseline_bins < 1 or not 0.5 <= level < 1:
        raise CxDataError(
            f"`adjust_for` must be a subset of {list(_ADJUSTABLE)} (got unknown {unknown}), "
            f"`baseline_bins` ≥ 1 (got {baseline_bins}), `level` in [0.5, 1) (got {level})"
        )
    pm = contact_person_months(
        customers, contacts, responses, reasons=reasons, max_reasons=max_reasons,
        synonyms=synonyms, labels=labels, exposure=exposure,
    )  # fmt: skip
    cells = _model_cells(pm, tuple(adjust_for), baseline_bins)
    design = _design(cells, pm, adjust_for)
    params, cov = _fit(cells, design)
    return _link_result(pm, design, params, cov, tuple(adjust_for), level, alpha, min_events)


def _link_result(
    pm: PersonMonths, design: pd.DataFrame, params: FloatArray, cov: FloatArray,
    adjusted_for: tuple[str, ...], level: float, alpha: float, min_events: int,
) -> ChurnLink:  # fmt: skip
    from statsmodels.stats.multitest import multipletests

    k = len(pm.reasons)
    se = np.sqrt(np.diag(cov))
    beta, beta_se = params[-k:], se[-k:]
    z = float(stats.norm.ppf(0.5 + level / 2.0))
    p = 2.0 * stats.norm.sf(np.abs(beta / beta_se))
    flagged = _flagged(pm)
    totals = flagged.groupby("reason")[["flagged_person_months", "flagged_churners"]].sum()
    totals = totals.reindex(list(pm.reasons), fill_value=0)
    table = pd.DataFrame(
        {
            "reason": list(pm.reasons),
            "customers_contacted": list(pm.flagged_customers),
            "flagged_person_months": totals["flagged_person_months"].to_numpy(),
            "flagged_churners": totals["flagged_churners"].to_numpy(),
            "hazard_ratio": np.exp(beta),
            "lower": np.exp(beta - z * beta_se),
            "upper": np.exp(beta + z * beta_se),
            "p_value": p,
            "p_adjusted": multipletests(p, alpha=alpha, method="fdr_bh")[1],
        }
    )
    table["significant"] = table["p_adjusted"] < alpha
    table["enough_events"] = table["flagged_churners"] >= min_events
    table["exposure"] = pm.exposure
    coefficients = pd.DataFrame({"term": list(design.columns), "estimate": params, "std_error": se})
    return ChurnLink(
        table=table,
        flagged_by_band=flagged,
        coefficients=coefficients,
        log_hr_cov=np.asarray(cov[-k:, -k:], dtype=np.float64),
        reasons=pm.reasons,
        exposure=pm.exposure,
        labels=pm.labels,
        adjusted_for=adjusted_for,
        level=level,
        total_person_months=float(pm.frame["at_risk"].sum()),
        total_churners=int(pm.frame["churned"].sum()),
        n_customers=pm.n_customers,
    )
