"""Contact-reason counts and customer-months of exposure: the sufficient statistic for rates.

:func:`contact_counts` is the one pass over raw contact rows for contact rates. The
heavy group-by is written once against `narwhals <https://narwhals-dev.github.io/narwhals/>`_,
so pandas, polars, DuckDB or PySpark frames are aggregated inside their own engine and
only small tables come back:

* contacts grouped by (raw reason text, channel, calendar month) — a few thousand rows;
* customers grouped by the day they joined and the day they left (or the cut-off) —
  at most a few thousand rows, from which customer-months per calendar month follow
  exactly.

Reason text is normalised on the small table of distinct raw values (lower case,
single spaces, a user-given synonym map, several reasons split on ``;``). A contact
with no reason is kept in an explicit ``"uncoded"`` group, never dropped.

Multi-label contacts are counted three ways, because no single count is right for
every question:

``contacts``
    contacts mentioning the reason in any position (the headline rate);
``first_listed``
    contacts whose *first* listed reason it is;
``weighted``
    each contact split evenly over its reasons (``1/k`` each), so reasons add up to
    the number of contacts — the count used for money, so no contact is paid twice.

Real-world caveat: when coders attach secondary topics inconsistently, mentions of
a rare reason are dominated by those secondary tags, and its rate exceeds the rate
at which it truly causes contacts. Compare ``first_listed`` with ``contacts``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import narwhals as nw
import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.core.results import Result
from cx_economics.data.engines import collect_pandas
from cx_economics.tables._contact_helpers import (
    _COUNT_COLUMNS,
    KnownContacts,
    _contacts_frame,
    _exposure,
    _known_contacts,
    _raw_reason_counts,
)

__all__ = [
    "UNCODED",
    "ContactCounts",
    "KnownContacts",
    "LabelRule",
    "contact_counts",
    "contact_events",
    "first_contacts",
    "known_contacts",
    "normalise_reason",
]

#: Label of contacts without a usable reason: an explicit group, never dropped.
UNCODED = "uncoded"

#: Which labels of a multi-label contact count: every one, or only the first listed.
LabelRule = Literal["all", "first"]


# --------------------------------------------------------------------------- reasons


def _clean(text: str) -> str:
    return " ".join(text.lower().split())


def _clean_synonyms(synonyms: Mapping[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (synonyms or {}).items():
        if not isinstance(key, str) or not isinstance(value, str) or not _clean(value):
            raise CxDataError(
                f"`synonyms` must map reason text to non-empty reason text; got {key!r}: {value!r}"
            )
        out[_clean(key)] = _clean(value)
    return out


def normalise_reason(
    text: str | None, synonyms: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Split and normalise one raw reason text into distinct reason labels.

    Parameters
    ----------
    text : str or None
        Raw reason text; several reasons are separated by ``;``. ``None`` or blank
        text means no reason was coded.
    synonyms : mapping, optional
        Raw label → the label to use (e.g. ``{"invoice wrong": "billing error"}``);
        keys and values are compared after normalisation (case, whitespace).

    Returns
    -------
    tuple of str
        Labels in the order listed, lower case, single-spaced, synonyms applied,
        duplicates removed; ``("uncoded",)`` when nothing usable is left.

    Examples
    --------
    >>> normalise_reason("  Billing   Error; invoice wrong;billing error",
    ...                  {"Invoice wrong": "billing error"})
    ('billing error',)
    >>> normalise_reason(None)
    ('uncoded',)
    """
    table = _clean_synonyms(synonyms)
    return _normalise(text, table)


def _normalise(text: str | None, table: Mapping[str, str]) -> tuple[str, ...]:
    labels: list[str] = []
    for part in ("" if text is None else str(text)).split(";"):
        label = _clean(part)
        label = table.get(label, label)
        if label and label not in labels:
            labels.append(label)
    coded = [x for x in labels if x != UNCODED]
    return tuple(coded) if coded else (UNCODED,)


def _explode_reasons(raw: pd.Series, table: Mapping[str, str], labels: LabelRule) -> pd.DataFrame:
    """Distinct raw texts → one row per (raw text, label) with position and weight."""
    rows: list[tuple[str, str, int, float]] = []
    for text in pd.unique(raw):
        parts = _normalise(text, table)
        if labels == "first":
            parts = parts[:1]
        rows.extend((text, label, pos, 1.0 / len(parts)) for pos, label in enumerate(parts))
    return pd.DataFrame(rows, columns=["reason_raw", "reason", "position", "weight"])


# --------------------------------------------------------------------------- result


def _frozen_map(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class ContactCounts(Result):
    """Contacts by (reason, channel, calendar month) and customer-months per month.

    The sufficient statistic for contact rates: every rate, interval, trend test and
    failure-demand cost in :mod:`cx_economics.drivers` is computed from it.

    Attributes
    ----------
    counts : pandas.DataFrame
        One row per (``reason``, ``channel``, ``month``) with at least one contact:
        ``contacts`` (contacts mentioning the reason), ``first_listed`` (contacts whose
        first reason it is), ``weighted`` (each contact split ``1/k`` over its ``k``
        reasons) and ``weighted_sq`` (sum of squared weights, for the variance of
        ``weighted``). ``month`` is the first day of the calendar month; ``channel``
        is the channel that handled the contact.
    exposure : pandas.DataFrame
        ``month`` and ``customer_months``: customers alive in that calendar month,
        in months of 365.25/12 days (a customer alive all of February counts 0.92).
    reason_map : pandas.DataFrame
        Audit of the normalisation: ``reason_raw`` (text as found, ``""`` when
        missing), ``reasons`` (labels it became, joined by ``"; "``), ``contacts``.
    n_contacts : int
        Contact rows counted (inside the months with exposure).
    n_outside_window : int
        Contact rows dropped because their month has no customer exposure.
    active_customers, n_customers : int
        Customers not churned at the cut-off, and all customers.
    synonyms : mapping
        The synonym map applied (normalised).
    n_unknown_contacts : int
        Contact rows left out because their ``customer_id`` is not in ``customers``
        (see :func:`known_contacts`).

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(1_000, seed=2)
    >>> counts = contact_counts(sim.contacts, sim.customers)
    >>> int(counts.counts["first_listed"].sum()) == len(sim.contacts)
    True
    """

    counts: pd.DataFrame
    exposure: pd.DataFrame
    reason_map: pd.DataFrame
    n_contacts: int
    n_outside_window: int
    active_customers: int
    n_customers: int
    synonyms: Mapping[str, str] = field(default_factory=dict)
    n_unknown_contacts: int = 0

    _title = "Contact counts by reason, channel and month"

    def __post_init__(self) -> None:
        object.__setattr__(self, "synonyms", _frozen_map(self.synonyms))
        super().__post_init__()

    @property
    def reasons(self) -> tuple[str, ...]:
        """Reasons, most mentioned first (``"uncoded"`` included)."""
        totals = self.counts.groupby("reason")["contacts"].sum()
        order = totals.sort_values(ascending=False, kind="stable").index
        return tuple(str(r) for r in order)

    @property
    def channels(self) -> tuple[str, ...]:
        """Channels that handled contacts, sorted."""
        return tuple(sorted(str(c) for c in self.counts["channel"].unique()))

    @property
    def total_customer_months(self) -> float:
        """Customer-months of exposure over all months."""
        return float(self.exposure["customer_months"].sum())

    def monthly(self) -> pd.DataFrame:
        """Dense reason × month grid (channels summed) with zeros and exposure.

        Returns
        -------
        pandas.DataFrame
            ``reason``, ``month``, the four count columns and ``customer_months``.
        """
        summed = self.counts.groupby(["reason", "month"], as_index=False)[
            list(_COUNT_COLUMNS)
        ].sum()
        grid = pd.MultiIndex.from_product(
            [list(self.reasons), self.exposure["month"]], names=["reason", "month"]
        )
        dense = summed.set_index(["reason", "month"]).reindex(grid, fill_value=0).reset_index()
        return dense.merge(self.exposure, on="month", how="left")

    def to_frame(self) -> pd.DataFrame:
        """Counts per (reason, channel, month) with the month's ``customer_months``."""
        return self.counts.merge(self.exposure, on="month", how="left")

    def _notes(self) -> list[str]:
        notes = [
            f"{self.n_contacts:,} contacts over {len(self.exposure)} months; "
            f"{self.total_customer_months:,.0f} customer-months of exposure"
        ]
        if self.n_outside_window:
            notes.append(
                f"{self.n_outside_window:,} contacts fell in months without customer "
                "exposure and were left out"
            )
        if self.n_unknown_contacts:
            notes.append(
                f"{self.n_unknown_contacts:,} contacts from ids that are not customers were "
                "left out"
            )
        return notes


def _count_reasons(raw_counts: pd.DataFrame, exploded: pd.DataFrame) -> pd.DataFrame:
    rows = raw_counts.merge(exploded, on="reason_raw", how="inner")
    n = rows["n"].to_numpy(np.float64)
    weight = rows["weight"].to_numpy(np.float64)
    rows = rows.assign(
        contacts=rows["n"],
        first_listed=np.where(rows["position"].to_numpy() == 0, rows["n"], 0),
        weighted=n * weight,
        weighted_sq=n * weight**2,
    )
    keys = ["reason", "channel", "month_key"]
    out = rows.groupby(keys, as_index=False)[list(_COUNT_COLUMNS)].sum()
    out["month"] = out.pop("month_key").to_numpy().astype("datetime64[M]").astype("M8[ns]")
    out["contacts"] = out["contacts"].astype(np.int64)
    out["first_listed"] = out["first_listed"].astype(np.int64)
    return out.sort_values(["reason", "channel", "month"], ignore_index=True)[
        ["reason", "channel", "month", *_COUNT_COLUMNS]
    ]


def _reason_map(raw_counts: pd.DataFrame, exploded: pd.DataFrame) -> pd.DataFrame:
    per_raw = raw_counts.groupby("reason_raw", as_index=False)["n"].sum()
    labels = exploded.groupby("reason_raw")["reason"].agg("; ".join).rename("reasons")
    out: pd.DataFrame = per_raw.merge(labels, on="reason_raw")
    out = out.rename(columns={"n": "contacts"})[["reason_raw", "reasons", "contacts"]]
    return out.sort_values("contacts", ascending=False, ignore_index=True)


def contact_counts(
    contacts: object,
    customers: object,
    *,
    synonyms: Mapping[str, str] | None = None,
) -> ContactCounts:
    """Count contacts by reason, channel and calendar month, with customer-months.

    Parameters
    ----------
    contacts : pandas.DataFrame, Contacts, or a polars / pyarrow / DuckDB / PySpark frame
        One row per contact: ``customer_id``, ``contact_date``, ``channel`` (the
        channel that handled it), ``reason`` (one reason, several separated by ``;``,
        or — in pandas — a list; missing means uncoded). pandas frames are checked by
        :func:`cx_economics.validate_contacts`; other engines are aggregated in place.
        Contacts from ids that are not in ``customers`` are left out with a
        :class:`CxAssumptionWarning` (:func:`known_contacts`): rates are per customer
        of the base, so counting strangers' contacts over its exposure would inflate
        every rate. (Another engine's ``customers`` without ``customer_id`` cannot be
        matched; then every contact counts.)
    customers : pandas.DataFrame, Customers, or another engine's frame
        One row per customer with ``start_date``, ``tenure_months`` (months) and
        ``churned``; pandas frames may give ``end_date`` instead of tenure (see
        :func:`cx_economics.validate_customers`). A customer is exposed from
        ``start_date`` for ``tenure_months`` months.
    synonyms : mapping, optional
        Raw reason → reason, applied after lower-casing and collapsing whitespace.

    Returns
    -------
    ContactCounts
        Counts per (reason, channel, month) and customer-months per month.

    Raises
    ------
    CxDataError
        A column is missing or unusable, the frame type is not supported, or
        ``customer_id`` has different types in the two tables.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(2_000, seed=1)
    >>> counts = contact_counts(sim.contacts, sim.customers)
    >>> counts.reasons[:2]
    ('billing error', 'case status')
    >>> bool(abs(counts.total_customer_months - sim.customers["tenure_months"].sum()) < 1e-6)
    True
    """
    table = _clean_synonyms(synonyms)
    known = _known_contacts(contacts, customers)
    _warn_unknown(known.rows_left_out, known.ids_left_out, "contact counts and rates")
    raw = _raw_reason_counts(_contacts_frame(known.contacts), ("channel", "month_key"))
    exposure, active, n_customers = _exposure(customers)
    keys = exposure["month"].to_numpy().astype("datetime64[M]").astype(np.int64)
    inside = raw["month_key"].isin(keys)
    exploded = _explode_reasons(raw["reason_raw"], table, "all")
    return ContactCounts(
        counts=_count_reasons(raw[inside], exploded),
        exposure=exposure,
        reason_map=_reason_map(raw, exploded),
        n_contacts=int(raw.loc[inside, "n"].sum()),
        n_outside_window=int(raw.loc[~inside, "n"].sum()),
        active_customers=active,
        n_customers=n_customers,
        synonyms=table,
        n_unknown_contacts=known.rows_left_out,
    )


def _warn_unknown(rows: int, ids: int, where: str) -> None:
    if rows:
        warnings.warn(
            f"`contacts`: {rows:,} contact{'s' if rows != 1 else ''} from {ids:,} "
            f"`customer_id`{'s' if ids != 1 else ''} not in `customers` are left out of the "
            f"{where} (ids from another system, or customers filtered out?)",
            CxAssumptionWarning,
            stacklevel=3,
        )


def known_contacts(contacts: object, customers: object) -> KnownContacts:
    """The contacts of customers in ``customers``; the others are left out, with a warning.

    Every contact-driver figure is per customer of the base: rates divide by its
    customer-months, the churn link follows its customers, money multiplies its rates.
    A contact from an id outside the base (another system's ids, a filtered extract)
    would inflate the rates while the churn link drops it, so it is left out of all of
    them, once, here. :func:`cx_economics.contact_driver_analysis` calls this first.

    Parameters
    ----------
    contacts : pandas.DataFrame, Contacts, or another engine's frame
        As in :func:`contact_counts`.
    customers : pandas.DataFrame, Customers, or another engine's frame
        With ``customer_id`` (another engine's frame without it is not matched: its
        contacts are all kept).

    Returns
    -------
    KnownContacts
        ``contacts``: validated :class:`~cx_economics.data.schemas.Contacts` for pandas input,
        otherwise a frame of the contacts' own engine (lazy where it was joined),
        unchanged when every contact is a customer's; ``rows_left_out`` and
        ``ids_left_out`` count what was dropped.

    Warns
    -----
    CxAssumptionWarning
        Naming how many contact rows and distinct ids were left out.

    Raises
    ------
    CxDataError
        ``customer_id`` is text in one table and numbers in the other (naming both
        types), so no contact could ever match a customer.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"customer_id": [1, 2], "channel": ["web"] * 2,
    ...                           "tenure_months": [5.0, 8.0], "churned": [0, 1]})
    >>> contacts = pd.DataFrame({"customer_id": [1, 2, 99, 99],
    ...                          "contact_date": ["2025-01-02"] * 4, "channel": ["web"] * 4,
    ...                          "reason": ["billing"] * 4})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     kept = known_contacts(contacts, customers)
    >>> len(kept.contacts), kept.rows_left_out, kept.ids_left_out
    (2, 2, 1)
    >>> str(caught[0].message)[:50]
    '`contacts`: 2 contacts from 1 `customer_id` not in'
    """
    known = _known_contacts(contacts, customers)
    _warn_unknown(known.rows_left_out, known.ids_left_out, "contact-driver analysis")
    return known


# --------------------------------------------------------------------------- per customer


def _naive_dates(values: pd.Series) -> pd.Series:
    """Dates as timezone-naive ``datetime64[ns]`` in the engine's wall-clock time.

    Engines such as PySpark hand timestamps back in their session time zone; the
    wall-clock date is what their month keys were computed from, so it is kept.
    """
    dates = pd.to_datetime(values)
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.astype("M8[ns]")


def _per_customer(
    contacts: object,
    synonyms: Mapping[str, str] | None,
    labels: LabelRule,
    key: str,
    how: Literal["min", "distinct"],
) -> pd.DataFrame:
    if labels not in ("all", "first"):
        raise CxDataError(f"`labels` must be 'all' or 'first', got {labels!r}")
    frame = _contacts_frame(contacts).with_columns(
        reason_raw=nw.col("reason").cast(nw.String).fill_null("")
    )
    if how == "min":
        grouped = frame.group_by("customer_id", "reason_raw").agg(nw.col("contact_date").min())
    else:
        grouped = frame.group_by("customer_id", "reason_raw", "contact_date").agg(
            nw.len().alias("contacts")
        )
    raw = collect_pandas(grouped)
    raw["reason_raw"] = raw["reason_raw"].astype(object)
    exploded = _explode_reasons(raw["reason_raw"], _clean_synonyms(synonyms), labels)
    rows = raw.merge(exploded[["reason_raw", "reason"]], on="reason_raw").drop(columns="reason_raw")
    rows["contact_date"] = _naive_dates(rows["contact_date"])
    if how == "min":
        first = rows.groupby(["customer_id", "reason"])["contact_date"].min()
        return first.reset_index(name=key)
    per_day = rows.groupby(["customer_id", "contact_date", "reason"])["contacts"].sum()
    return per_day.astype(np.int64).reset_index(name="contacts")


def first_contacts(
    contacts: object,
    *,
    synonyms: Mapping[str, str] | None = None,
    labels: LabelRule = "all",
) -> pd.DataFrame:
    """Date of each customer's first contact about each reason.

    The group-by (customer, raw reason text) runs in the contacts' own engine; the
    result is what a time-varying "has contacted about X before" flag needs.

    Parameters
    ----------
    contacts : frame
        As in :func:`contact_counts`.
    synonyms : mapping, optional
        Raw reason → reason.
    labels : {"all", "first"}
        ``"all"``: every reason listed on a contact counts; ``"first"``: only the
        first listed (use it when secondary tags are known to be noisy).

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``reason``, ``first_contact_date``; one row per pair.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"customer_id": [1, 1, 2], "channel": ["web"] * 3,
    ...                     "contact_date": ["2025-03-01", "2025-01-15", "2025-02-01"],
    ...                     "reason": ["Billing", "billing; delivery", None]})
    >>> first_contacts(raw)["first_contact_date"].dt.strftime("%Y-%m-%d").tolist()
    ['2025-01-15', '2025-01-15', '2025-02-01']
    """
    return _per_customer(contacts, synonyms, labels, "first_contact_date", "min")


def contact_events(
    contacts: object,
    *,
    synonyms: Mapping[str, str] | None = None,
    labels: LabelRule = "all",
) -> pd.DataFrame:
    """Contacts per (customer, day, reason), with reasons exploded and normalised.

    Parameters
    ----------
    contacts : frame
        As in :func:`contact_counts`.
    synonyms : mapping, optional
        Raw reason → reason.
    labels : {"all", "first"}
        Count every listed reason, or only the first.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``contact_date``, ``reason``, ``contacts`` (count that day).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"customer_id": [1, 1], "channel": ["web", "chat"],
    ...                     "contact_date": ["2025-01-15"] * 2, "reason": ["a; b", "A"]})
    >>> contact_events(raw)[["reason", "contacts"]].values.tolist()
    [['a', 2], ['b', 1]]
    """
    return _per_customer(contacts, synonyms, labels, "contact_date", "distinct")
