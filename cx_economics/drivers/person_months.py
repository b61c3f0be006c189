"""Person-months at risk by contact flags: the sufficient statistic of the churn link.

A customer's tenure is cut into at most ``1 + number of reasons`` episodes at the
months their "has contacted about X before" flags switch on, and the episodes are
added into cells (channel, band, flag pattern) × month of tenure with frequency
counts. No row per customer-month is ever materialised, yet the table is exactly what
a row-by-row expansion would aggregate to — the sufficient statistic of a grouped
binomial (discrete-time hazard) model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.bands import NpsBand
from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.data.schemas import (
    DAYS_PER_MONTH,
    Customers,
    Responses,
    validate_customers,
    validate_responses,
)
from cx_economics.tables.contact_counts import LabelRule, first_contacts, known_contacts

__all__ = ["ExposureRule", "PersonMonths", "contact_person_months", "flag_column"]

#: How the contact flag enters the hazard model.
ExposureRule = Literal["time-varying", "ever-contacted"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MAX_REASONS = 40


def flag_column(reason: str) -> str:
    """Name of the person-month column flagging an earlier contact about ``reason``.

    Examples
    --------
    >>> flag_column("billing error")
    'contacted: billing error'
    """
    return f"contacted: {reason}"


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
        Contact rows whose ``customer_id`` is not in ``customers`` (left out, with a
        warning, by :func:`~cx_economics.tables.contact_counts.known_contacts`).
    flagged_customers : tuple of int
        Per reason, customers whose flag switched on within their observed months.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(1_000, seed=3)
    >>> contact_person_months(sim.customers, sim.contacts, reasons=["case status"]).flag_columns
    ('contacted: case status',)
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
    cust: _Customers, contacts: object, synonyms: Mapping[str, str] | None, labels: LabelRule
) -> pd.DataFrame:
    """Month of tenure of each customer's first contact per reason (known customers only)."""
    first = first_contacts(contacts, synonyms=synonyms, labels=labels)
    row = cust.ids.get_indexer(pd.Index(first["customer_id"]))
    first = first[row >= 0]
    row = row[row >= 0]
    day = (first["first_contact_date"] - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    month = np.floor((day.to_numpy(np.float64) - cust.start_day[row]) / DAYS_PER_MONTH) + 1
    frame = pd.DataFrame(
        {"row": row, "reason": first["reason"].to_numpy(), "contact_month": month.astype(np.int64)}
    )
    return frame


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
    synonyms: Mapping[str, str] | None = None,
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
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(1_000, seed=3)
    >>> pm = contact_person_months(sim.customers, sim.contacts, reasons=["billing error"])
    >>> int(pm.frame["at_risk"].sum()) == int(sim.customers["tenure_months"].sum())
    True
    """
    if exposure not in ("time-varying", "ever-contacted"):
        raise CxDataError(
            f"`exposure` must be 'time-varying' or 'ever-contacted', got {exposure!r}"
        )
    valid = validate_customers(customers)
    cust = _customers(valid, responses)
    known = known_contacts(contacts, valid)
    onsets = _onsets(cust, known.contacts, synonyms, labels)
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
    flagged = np.bincount(np.log2(bit[inside]).astype(np.int64), minlength=len(chosen))
    return PersonMonths(
        frame,
        chosen,
        exposure,
        labels,
        len(cust.ids),
        known.rows_left_out,
        tuple(int(x) for x in flagged),
    )
