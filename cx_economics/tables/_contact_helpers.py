"""Engine-side steps of :func:`cx_economics.tables.contact_counts.contact_counts`.

Contacts and customers of any engine narwhals wraps (pandas, polars, DuckDB, PySpark)
are checked and grouped inside that engine: contacts by raw reason text, channel and
calendar month; customers by the day they joined and the day they left (or the
cut-off), from which customer-months of exposure per calendar month follow exactly.
Only these small tables come back as pandas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import narwhals as nw
import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.engines import collect_pandas, count_true, require_same_key_type
from cx_economics.data.plausibility import TENURE_MONTHS_MAX, tenure_too_long
from cx_economics.data.schemas import (
    DAYS_PER_MONTH,
    Contacts,
    Customers,
    validate_contacts,
    validate_customers,
)

_CONTACT_COLUMNS = ("customer_id", "contact_date", "channel", "reason")
_CUSTOMER_COLUMNS = ("start_date", "tenure_months", "churned")
_COUNT_COLUMNS = ("contacts", "first_listed", "weighted", "weighted_sq")

FloatArray = npt.NDArray[np.float64]
AnyFrame = Any  # a narwhals DataFrame or LazyFrame


def _from_native(native: object, name: str, needed: Iterable[str]) -> AnyFrame:
    try:
        frame = nw.from_native(cast(Any, native))
    except TypeError:
        raise CxDataError(
            f"`{name}` must be a pandas, polars, pyarrow, DuckDB or PySpark frame, "
            f"got {type(native).__name__}"
        ) from None
    present = frame.collect_schema().names()
    missing = [c for c in needed if c not in present]
    if missing:
        raise CxDataError(
            f"`{name}`: required column(s) {', '.join(f'`{c}`' for c in missing)} missing; "
            f"its columns are {present}. "
            "Rename them in your engine, or pass a pandas frame through "
            "cx_economics.validate_* with columns={...}"
        )
    return frame


def _check_no_nulls(frame: AnyFrame, name: str, columns: Iterable[str]) -> None:
    cols = list(columns)
    nulls = collect_pandas(frame.select(*(count_true(nw.col(c).is_null()).alias(c) for c in cols)))
    bad = {c: int(nulls[c].iloc[0]) for c in cols if int(nulls[c].iloc[0]) > 0}
    if bad:
        col, n = next(iter(bad.items()))
        raise CxDataError(f"`{name}`: `{col}` must not be missing; {n} rows are missing")


def _contacts_frame(contacts: object) -> AnyFrame:
    """Contacts as a narwhals frame with canonical columns and a string ``reason``."""
    if isinstance(contacts, pd.DataFrame | Contacts):
        frame = validate_contacts(contacts).frame
        joined = frame["reason"].map("; ".join)
        return nw.from_native(frame.assign(reason=joined.astype(object)))
    out = _from_native(contacts, "contacts", _CONTACT_COLUMNS)
    dtype = out.collect_schema()["reason"]
    if dtype != nw.String:
        raise CxDataError(
            f"`contacts`: `reason` must be text (several reasons separated by ';') in "
            f"{type(contacts).__name__} frames, got {dtype}; list-typed reasons are read "
            "from pandas frames only"
        )
    _check_no_nulls(out, "contacts", ("customer_id", "contact_date", "channel"))
    return out


@dataclass(frozen=True)
class KnownContacts:
    """Contacts of known customers, and what was left out (see ``known_contacts``).

    Attributes
    ----------
    contacts : Contacts or frame
        Validated contacts (pandas input) or a frame of the contacts' own engine.
    rows_left_out : int
        Contact rows whose ``customer_id`` is not in ``customers``.
    ids_left_out : int
        Distinct such ids.
    """

    contacts: object
    rows_left_out: int
    ids_left_out: int


def _customer_ids(customers: object) -> AnyFrame | None:
    """The customers' ids; ``None`` for another engine's frame without ``customer_id``."""
    if isinstance(customers, pd.DataFrame | Customers):
        return nw.from_native(validate_customers(customers).frame[["customer_id"]])
    frame = _from_native(customers, "customers", ())
    if "customer_id" not in frame.collect_schema().names():
        return None
    return frame.select("customer_id")


def _known_contacts(contacts: object, customers: object) -> KnownContacts:
    """Keep the contacts whose ``customer_id`` is a customer's; count the others.

    The look-up runs in the contacts' engine: a hash look-up of the customers' ids
    for pandas (or when the engines differ), a semi-join when both tables live in the
    same engine (DuckDB, Spark…), so no ids leave it. Another engine's customers
    frame without ``customer_id`` cannot be matched: its contacts are all kept.
    """
    ids = _customer_ids(customers)
    if ids is None:
        return KnownContacts(contacts, 0, 0)
    if isinstance(contacts, pd.DataFrame | Contacts):
        valid = validate_contacts(contacts)
        require_same_key_type(ids, nw.from_native(valid.frame[["customer_id"]]), "contacts")
        theirs = valid.frame["customer_id"]
        known = theirs.isin(collect_pandas(ids)["customer_id"].to_numpy())
        if known.all():
            return KnownContacts(valid, 0, 0)
        kept = Contacts(valid.frame[known.to_numpy()])
        return KnownContacts(kept, int((~known).sum()), int(theirs[~known].nunique()))
    frame = _from_native(contacts, "contacts", _CONTACT_COLUMNS)
    require_same_key_type(ids, frame, "contacts")
    lazy, keys = frame.lazy(), ids.lazy().unique()
    if frame.implementation == ids.implementation:
        kept, strangers = (lazy.join(keys, on="customer_id", how=h) for h in ("semi", "anti"))
    else:
        known_ids = collect_pandas(ids)["customer_id"].to_numpy()
        inside = nw.col("customer_id").is_in(known_ids)
        kept, strangers = lazy.filter(inside), lazy.filter(~inside)
    counted = collect_pandas(
        strangers.select(nw.len().alias("rows"), nw.col("customer_id").n_unique().alias("ids"))
    )
    rows = int(counted["rows"].iloc[0])
    if rows == 0:
        return KnownContacts(contacts, 0, 0)
    return KnownContacts(kept.to_native(), rows, int(counted["ids"].iloc[0]))


def _day_number(column: str) -> Any:
    """Days since 1970-01-01 of a date column, from year and day of year (any engine)."""
    y = nw.col(column).dt.year()
    leap_days = (y - 1969) // 4 - (y - 1901) // 100 + (y - 1601) // 400
    return 365 * (y - 1970) + leap_days + nw.col(column).dt.ordinal_day() - 1


def _month_key(column: str) -> Any:
    """Months since 1970-01 of a date column (numpy ``datetime64[M]`` integers)."""
    return (nw.col(column).dt.year() - 1970) * 12 + nw.col(column).dt.month() - 1


def _raw_reason_counts(frame: AnyFrame, keys: tuple[str, ...]) -> pd.DataFrame:
    """Engine-side: contacts grouped by raw reason text and ``keys``."""
    prepared = frame.with_columns(
        reason_raw=nw.col("reason").cast(nw.String).fill_null(""),
        month_key=_month_key("contact_date"),
    )
    grouped = prepared.group_by("reason_raw", *keys).agg(nw.len().alias("n"))
    out = collect_pandas(grouped)
    out["n"] = out["n"].astype(np.int64)
    out["reason_raw"] = out["reason_raw"].astype(object)
    return out


def _customers_frame(customers: object) -> AnyFrame:
    if isinstance(customers, pd.DataFrame | Customers):
        valid = validate_customers(customers)
        if "start_date" not in valid.frame:
            raise CxDataError(
                "`customers`: `start_date` is needed to place customers in calendar months "
                "(contact rates are per calendar month); the table has only `tenure_months`"
            )
        return nw.from_native(valid.frame[list(_CUSTOMER_COLUMNS)])
    out = _from_native(customers, "customers", _CUSTOMER_COLUMNS)
    _check_no_nulls(out, "customers", _CUSTOMER_COLUMNS)
    too_long = count_true(nw.col("tenure_months").cast(nw.Float64) > TENURE_MONTHS_MAX)
    n = int(collect_pandas(out.select(too_long.alias("n")))["n"].iloc[0])
    if n:
        rows = "1 row is" if n == 1 else f"{n} rows are"
        raise CxDataError(f"`customers`: `tenure_months` {tenure_too_long()}; {rows} not")
    return out


@dataclass(frozen=True)
class _DaySums:
    """Customers grouped by whole day of an instant: day, count, sum of exact instants."""

    day: FloatArray
    n: FloatArray
    total: FloatArray


def _day_sums(frame: AnyFrame, column: str) -> _DaySums:
    grouped = frame.with_columns(day=nw.col(column).floor()).group_by("day")
    out = collect_pandas(grouped.agg(nw.len().alias("n"), nw.col(column).sum().alias("total")))
    out = out.sort_values("day", ignore_index=True)
    return _DaySums(
        out["day"].to_numpy(np.float64),
        out["n"].to_numpy(np.float64),
        out["total"].to_numpy(np.float64),
    )


def _integral_before(sums: _DaySums, a: FloatArray, b: FloatArray) -> FloatArray:
    """``Σ_i clip(x_i - a, 0, b - a)`` per month ``[a, b)`` for integer day bounds."""
    cum_n = np.concatenate([[0.0], np.cumsum(sums.n)])
    cum_total = np.concatenate([[0.0], np.cumsum(sums.total)])
    ia = np.searchsorted(sums.day, a, side="left")
    ib = np.searchsorted(sums.day, b, side="left")
    inside = (cum_total[ib] - cum_total[ia]) - a * (cum_n[ib] - cum_n[ia])
    after = (b - a) * (cum_n[-1] - cum_n[ib])
    out: FloatArray = inside + after
    return out


def _month_bounds(first_key: int, last_key: int) -> tuple[FloatArray, FloatArray]:
    keys = np.arange(first_key, last_key + 2).astype("datetime64[M]")
    days = keys.astype("datetime64[D]").astype(np.int64).astype(np.float64)
    return days[:-1], days[1:]


def _exposure(customers: object) -> tuple[pd.DataFrame, int, int]:
    """Customer-months per calendar month, active customers, customers."""
    frame = _customers_frame(customers)
    frame = frame.with_columns(start_day=_day_number("start_date").cast(nw.Float64))
    frame = frame.with_columns(
        end_day=nw.col("start_day") + nw.col("tenure_months").cast(nw.Float64) * DAYS_PER_MONTH,
        active=1 - nw.col("churned").cast(nw.Int64),
    )
    totals = collect_pandas(
        frame.select(nw.len().alias("n"), nw.col("active").sum().alias("active"))
    )
    starts, ends = _day_sums(frame, "start_day"), _day_sums(frame, "end_day")
    first_key = int(np.datetime64(int(starts.day[0]), "D").astype("datetime64[M]").astype(int))
    # The last day with any exposure: the day before an end that falls exactly on midnight.
    latest_end = ends.total[-1] / ends.n[-1]
    last_day = max(float(np.ceil(latest_end)) - 1.0, float(starts.day[-1]))
    last_key = int(np.datetime64(int(last_day), "D").astype("datetime64[M]").astype(int))
    a, b = _month_bounds(first_key, last_key)
    customer_days = _integral_before(ends, a, b) - _integral_before(starts, a, b)
    exposure = pd.DataFrame(
        {
            "month": np.arange(first_key, last_key + 1).astype("datetime64[M]").astype("M8[ns]"),
            "customer_months": customer_days / DAYS_PER_MONTH,
        }
    )
    return exposure, int(totals["active"].iloc[0]), int(totals["n"].iloc[0])
