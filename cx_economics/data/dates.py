"""Dates in the input tables: reading them, their range, the cut-off and placeholders.

Used by :mod:`cx_economics.data.schemas`; the rules are stated in ``docs/how-to/own-data.md``
("Dates and the cut-off"):

- Text dates are ISO 8601. Dates with a time zone (``…Z``, ``+02:00``) are moved to
  UTC and the zone dropped (or, with ``local_time=True``, keep their wall-clock time);
  a column that mixes zoned and naive dates is an error, since either reading of the
  naive ones would be a guess.
- Dates pandas cannot hold (before 1677-09-22 or after 2262-04-11) are an error naming
  them as out of range, except in a column declared *open-ended* (``end_date``), where
  a date after that range (``9999-12-31``) is the common placeholder for "still
  active" and is read as missing, with a warning.
- Without an explicit ``as_of``, the cut-off is the latest date of the table that lies
  within the bulk of its dates (:func:`bulk_edge`): a ``start_date`` beyond it is an
  error, and an ``end_date`` beyond it is read as a placeholder for "still active".
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, describe_rows

#: Dates after this are read as placeholders in open-ended columns, else out of range.
LATEST_DATE = pd.Timestamp.max.floor("D")
EARLIEST_DATE = pd.Timestamp.min.ceil("D")

#: The bulk of a table's dates: percentiles and the margin beyond the upper one.
BULK_LOW, BULK_HIGH = 0.01, 0.99
BULK_MARGIN = pd.Timedelta(days=31)
BULK_SPREAD_SHARE = 0.10
BULK_GAP = pd.Timedelta(days=366)

_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}(?:$|[T ])")
# a zone after a time of day: "…T10:00Z", "… 10:00:00.5+02:00", "…T10+0200"
_ZONED = re.compile(r"[T ]\d{2}(?::?\d{2}){0,2}(?:[.,]\d+)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)\s*$")
_ZONE_SUFFIX = re.compile(r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)\s*$")
_RANGE = f"{EARLIEST_DATE.date()} – {LATEST_DATE.date()}"
_EARLIEST_PY = EARLIEST_DATE.to_pydatetime()
_LATEST_PY = pd.Timestamp.max.floor("us").to_pydatetime()


class DateProblem(ValueError):
    """Bad dates in one column: ``problem`` reads after the column's name."""

    def __init__(self, problem: str, bad: npt.NDArray[np.bool_]) -> None:
        super().__init__(problem)
        self.problem = problem
        self.bad = bad


@dataclass(frozen=True)
class ParsedDates:
    """A date column read as naive ``datetime64[ns]``, and its placeholder rows."""

    values: pd.Series
    placeholders: npt.NDArray[np.bool_]


def parse_as_of(as_of: object) -> pd.Timestamp | None:
    """Read an explicit cut-off: an ISO 8601 date or a date/datetime object.

    Parameters
    ----------
    as_of : str, datetime.date, numpy.datetime64, pandas.Timestamp or None
        The observation cut-off. A zoned one is moved to UTC and its zone dropped,
        like zoned dates in the tables.

    Returns
    -------
    pandas.Timestamp or None
        Naive timestamp; ``None`` when ``as_of`` is ``None``.

    Raises
    ------
    CxDataError
        A number (``2025`` is not a year here), words such as ``"yesterday"``, a
        non-ISO text, or a date outside 1677-09-22 – 2262-04-11.

    Examples
    --------
    >>> str(parse_as_of("2025-12-31"))
    '2025-12-31 00:00:00'
    >>> parse_as_of("yesterday")
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: `as_of` must be a date in ISO 8601 (YYYY-MM-DD) or a date object, got 'yesterday'
    """  # noqa: E501
    if as_of is None:
        return None
    if isinstance(as_of, bool | int | float | np.number):
        raise CxDataError(
            f"`as_of` must be a date such as '2025-12-31', got the number {as_of!r} "
            "(a number is not read as a year or a count of days)"
        )
    stamp = _stamp(as_of)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(None)
    return stamp


def _stamp(as_of: object) -> pd.Timestamp:
    expected = "must be a date in ISO 8601 (YYYY-MM-DD) or a date object"
    if isinstance(as_of, str):
        text = as_of.strip()
        if not _ISO_DATE.match(text):
            raise CxDataError(f"`as_of` {expected}, got {as_of!r}")
        if _out_of_range_iso(text):
            raise CxDataError(f"`as_of` {as_of!r} is ISO 8601 but outside the dates {_RANGE}")
        try:
            return pd.Timestamp(pd.to_datetime(text, format="ISO8601"))
        except ValueError:  # a month 13, an hour 25: the shape of a date, not a date
            raise CxDataError(f"`as_of` {expected}, got {as_of!r}, which is no date") from None
    if not isinstance(as_of, dt.date | np.datetime64):
        raise CxDataError(f"`as_of` {expected}, got {type(as_of).__name__} {as_of!r}")
    try:
        stamp = pd.Timestamp(as_of)
    except (ValueError, OverflowError):  # OutOfBoundsDatetime is a ValueError
        raise CxDataError(f"`as_of` {as_of!r} is outside the dates {_RANGE}") from None
    if pd.isna(stamp):
        raise CxDataError(f"`as_of` {expected}, got {as_of!r}")
    return stamp


def _out_of_range_iso(text: str) -> Literal["early", "late"] | None:
    """Whether ``text`` is an ISO date Python reads but pandas cannot hold, and which side."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    naive = value.replace(tzinfo=None)
    if naive < _EARLIEST_PY:
        return "early"
    if naive > _LATEST_PY:
        return "late"
    return None


def parse_dates(
    raw: pd.Series, present: pd.Series, *, open_end: bool = False, local_time: bool = False
) -> ParsedDates:
    """Read a date column as naive ``datetime64[ns]``.

    Parameters
    ----------
    raw : pandas.Series
        Dates, as text (ISO 8601), date/datetime objects or a datetime column of any
        unit (Parquet's ``datetime64[ms]``) and time zone.
    present : pandas.Series of bool
        Rows that hold a value (not missing, not blank).
    open_end : bool
        A date after 2262-04-11 is a placeholder for "not yet": read as missing and
        flagged in ``placeholders``, instead of an error.
    local_time : bool
        Keep zoned dates' wall-clock time (drop the zone) instead of moving them to UTC.

    Returns
    -------
    ParsedDates

    Raises
    ------
    DateProblem
        Not a date, out of range, or zoned and naive dates mixed.
    """
    if pd.api.types.is_datetime64_any_dtype(raw):
        return _from_datetimes(raw, open_end=open_end, local_time=local_time)
    # each distinct value is inspected and parsed once, then taken back by code
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    items = pd.Series([u.strip() if isinstance(u, str) else u for u in uniques], dtype=object)
    aware = np.array([_has_zone(u) for u in items], bool)
    _refuse_mixed_zones(raw, codes, items, aware, present.to_numpy(bool))
    if local_time and aware.any():
        items = items.where(~aware, items.astype(str).str.replace(_ZONE_SUFFIX, "", regex=True))
        aware[:] = False
    parsed = _to_datetime(items, utc=bool(aware.any())).to_numpy("datetime64[ns]")
    values = pd.Series(np.append(parsed, np.datetime64("NaT", "ns"))[codes], index=raw.index)
    bad = present.to_numpy(bool) & values.isna().to_numpy(bool)
    placeholders = np.zeros(len(raw), bool)
    if bad.any():
        # which failures are ISO dates out of range, judged once per distinct text
        sides = [_out_of_range_iso(u) if isinstance(u, str) else None for u in items]
        iso = np.append(np.array([s is not None for s in sides], bool), False)[codes] & bad
        later = np.append(np.array([s == "late" for s in sides], bool), False)[codes] & bad
        if open_end:
            placeholders = later
        _raise_bad(raw, bad & ~placeholders, iso)
        values = values.where(~pd.Series(placeholders, index=values.index))
    return ParsedDates(values.astype("datetime64[ns]"), placeholders)


def _refuse_mixed_zones(
    raw: pd.Series,
    codes: npt.NDArray[np.intp],
    items: pd.Series,
    aware: npt.NDArray[np.bool_],
    present: npt.NDArray[np.bool_],
) -> None:
    """Raise when some dates carry a time zone and others do not."""
    naive = np.array([not a and _is_date_like(u) for u, a in zip(items, aware, strict=True)], bool)
    row_aware = np.append(aware, False)[codes]
    row_naive = np.append(naive, False)[codes] & present
    if row_aware.any() and row_naive.any():
        raise DateProblem(
            f"mixes dates with a time zone (e.g. {raw[row_aware].iloc[0]!r}) and dates "
            f"without one (e.g. {raw[row_naive].iloc[0]!r}); give every date a zone or none "
            "(naive dates are not guessed to be UTC or local time)",
            row_naive,
        )


def _has_zone(value: object) -> bool:
    if isinstance(value, str):
        return bool(_ZONED.search(value))
    return isinstance(value, dt.datetime) and value.tzinfo is not None


def _is_date_like(value: object) -> bool:
    if isinstance(value, str):
        return bool(_ISO_DATE.match(value))
    return isinstance(value, dt.date | np.datetime64)


def _to_datetime(text: pd.Series, *, utc: bool) -> pd.Series:
    values = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=utc)
    if utc:
        values = values.dt.tz_convert(None)
    return values


def _raise_bad(raw: pd.Series, bad: npt.NDArray[np.bool_], iso: npt.NDArray[np.bool_]) -> None:
    out_of_range = bad & iso
    if out_of_range.any():
        example = raw[out_of_range].iloc[0]
        raise DateProblem(
            f"is ISO 8601 but outside the dates pandas can hold, {_RANGE} (e.g. {example!r}); "
            "correct the date, or leave an `end_date` empty while the customer is active",
            out_of_range,
        )
    if bad.any():
        example = raw[bad].iloc[0]
        hint = ""
        if re.fullmatch(r"\d{1,2}[./]\d{1,2}[./]\d{4}", str(example).strip()):
            mark = "." if "." in str(example) else "/"
            hint = (
                f"; for day-first dates set date_format = '%d{mark}%m{mark}%Y' in the run "
                "file (or --date-format)"
            )
        raise DateProblem(
            f"must be a date in ISO 8601 (YYYY-MM-DD) or a datetime, not as written "
            f"here (found {example!r}); other formats are not guessed{hint}",
            bad,
        )


def _from_datetimes(raw: pd.Series, *, open_end: bool, local_time: bool) -> ParsedDates:
    """A datetime column of any unit and zone as naive ``datetime64[ns]``."""
    values = raw
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None) if local_time else values.dt.tz_convert(None)
    if values.dtype == np.dtype("datetime64[ns]"):
        return ParsedDates(values, np.zeros(len(raw), bool))
    late = (values > LATEST_DATE).to_numpy(bool)
    early = (values < EARLIEST_DATE).to_numpy(bool)
    placeholders = late if open_end else np.zeros(len(raw), bool)
    bad = early | (late & ~placeholders)
    if bad.any():
        example = str(values[bad].iloc[0])[:10]
        raise DateProblem(
            f"is outside the dates pandas can hold, {_RANGE} (e.g. {example}); correct the "
            "date, or leave an `end_date` empty while the customer is active",
            bad,
        )
    kept = values.mask(pd.Series(placeholders, index=values.index))
    return ParsedDates(kept.astype("datetime64[ns]"), placeholders)


def warn_placeholders(table: str, column: str, raw: pd.Series, rows: pd.Index) -> None:
    """Warn that dates after 2262-04-11 in ``column`` are read as "still active"."""
    examples = sorted({str(v)[:10] for v in raw.loc[rows[:3]]})
    warnings.warn(
        f"`{table}`: `{column}` {', '.join(examples)} lies beyond the dates pandas can hold "
        f"for {describe_rows(list(rows))}; read as a placeholder for 'still active' "
        "(no end date)",
        CxAssumptionWarning,
        stacklevel=5,
    )


# --------------------------------------------------------------------------- the cut-off


def bulk_edge(reference: pd.Series, others: pd.Series | None = None) -> pd.Timestamp:
    """The edge of the bulk of a table's dates: a date after it is an outlier.

    Two steps. The *anchor* is the 99th percentile of ``reference`` plus the larger of
    31 days and a tenth of the spread between its 1st and 99th percentiles (a table
    whose dates run over four years reaches about 146 days past its 99th percentile).
    Then the bulk runs on from the anchor through the later dates (of ``reference``
    and ``others``) as long as each lies within a year (:data:`BULK_GAP`) of the one
    before: the first gap of more than a year ends it. A date beyond the bulk is far
    from every other date of the table, the mark of a typo (2030 for 2020) or a
    placeholder (2099-12-31), while end dates that keep coming after the last start
    (a cohort followed for years) stay in the bulk.

    Parameters
    ----------
    reference : pandas.Series
        Dates that cannot be placeholders (start dates, churners' end dates): naive
        datetimes without missing values, at least one.
    others : pandas.Series, optional
        Further dates of the table (end dates of customers not flagged as churned).

    Returns
    -------
    pandas.Timestamp
        The anchor, or the last date reached from it without a gap of over a year.

    Examples
    --------
    >>> dates = pd.Series(pd.date_range("2022-01-01", "2025-12-31", periods=1000))
    >>> str(bulk_edge(pd.concat([dates, pd.Series([pd.Timestamp("2030-01-01")])])).date())
    '2026-05-10'
    >>> cohort_ends = pd.Series(pd.date_range("2026-01-01", "2027-06-30", periods=300))
    >>> str(bulk_edge(dates, cohort_ends).date())  # ends keep coming: still the bulk
    '2027-06-30'
    """
    low, high = _percentiles(reference)
    margin = max(BULK_MARGIN.value, BULK_SPREAD_SHARE * (high - low))
    anchor = np.int64(high + margin)
    dates = reference if others is None else pd.concat([reference, others.dropna()])
    ns = dates.to_numpy("datetime64[ns]").astype(np.int64)
    later = np.unique(ns[ns > anchor])
    steps = np.diff(np.concatenate([[anchor], later]))
    gaps = np.flatnonzero(steps > BULK_GAP.value)
    inside = later[: gaps[0]] if gaps.size else later
    return pd.Timestamp(int(inside[-1] if inside.size else anchor))


def _percentiles(dates: pd.Series) -> tuple[float, float]:
    """The bulk's 1st and 99th percentiles of ``dates``, in nanoseconds since 1970."""
    ns = dates.to_numpy("datetime64[ns]").astype(np.int64).astype(np.float64)
    low, high = np.quantile(ns, [BULK_LOW, BULK_HIGH])
    return float(low), float(high)


def default_cutoff(out: pd.DataFrame) -> pd.Timestamp | None:
    """The cut-off of a customers table without ``as_of``: its latest date within the bulk.

    The bulk (:func:`bulk_edge`) is anchored on the dates that cannot be placeholders:
    ``start_date``, and the ``end_date`` of customers flagged ``churned`` (every
    ``end_date`` when there is neither). A ``start_date`` beyond the bulk is an error;
    an ``end_date`` beyond it is left beyond the cut-off, where it counts as active.

    Parameters
    ----------
    out : pandas.DataFrame
        Validated customers (canonical columns).

    Returns
    -------
    pandas.Timestamp or None
        ``None`` when the table has no dates.

    Raises
    ------
    CxDataError
        A ``start_date`` far beyond the other dates.
    """
    start = out["start_date"] if "start_date" in out else None
    end = out["end_date"] if "end_date" in out else None
    reference = [start] if start is not None else []
    others = None
    if end is not None and "churned" in out:
        reference.append(end[out["churned"]])
        others = end[~out["churned"]]
    elif end is not None and start is None:
        reference.append(end)
    elif end is not None:
        others = end
    dates = pd.concat(reference).dropna() if reference else pd.Series(dtype="datetime64[ns]")
    if dates.empty:
        return None
    edge = bulk_edge(dates, others)
    latest = [s[s <= edge].max() for s in (start, end) if s is not None]
    cutoff = max(d for d in latest if pd.notna(d))
    if start is not None:
        late = start > edge
        if late.any():
            raise CxDataError(
                f"`customers`: `start_date` {start[late].max().date()} lies far beyond the "
                f"other dates of the table (over a year after the latest of them, "
                f"{cutoff.date()}) for {describe_rows(list(out.index[late]))}: a typo? "
                "Correct it, or pass `as_of=` to set the cut-off yourself"
            )
    return pd.Timestamp(cutoff)
