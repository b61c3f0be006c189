"""Input tables: their schemas, and the one validator that reads them.

The library accepts four tables. Each is described by a :class:`TableSchema`, a
list of :class:`ColumnSpec` (kind, required, unique, range) declared as data; one
validator, :func:`validate_table`, reads the schema and either returns a new frame
with our canonical column names and dtypes, or raises :class:`CxDataError` naming
the table, the column, the problem, how many rows and a few example row labels.

Column names are configurable: pass ``columns={"tenure_months": "months_active"}``
(ours → yours) and your frame is read without being renamed or copied in place.
Input frames are never mutated.

Canonical columns
-----------------
customers
    ``customer_id`` (unique), ``channel``, ``tenure_months`` (≥ 0, months) *or*
    ``start_date``; ``churned`` (bool or 0/1) *or* ``end_date`` (churned when set);
    optional ``monthly_revenue`` (currency per month, ≥ 0), ``segment``, ``team``.
responses
    ``customer_id``, ``response_date``, ``channel``, ``score`` (integer on the band
    scheme's scale, 0–10 by default); optional ``team``, ``employee``, ``touchpoint``.
contacts
    ``customer_id``, ``contact_date``, ``channel``, ``reason`` (one reason, several
    separated by ``;``, or a list of reasons per row; missing → ``"uncoded"``).
channel_costs
    ``channel``, ``nps`` (−100..100, the level), ``annual_cost`` (currency per year of
    operating the channel at that level, ≥ 0).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.bands import DEFAULT_SCHEME, BandScheme
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, describe_rows
from cx_economics.data.consistency import (
    DAYS_PER_MONTH,
    drop_repeated_answers,
    nfc,
    warn_contradictions,
    warn_lookalikes,
)
from cx_economics.data.dates import (
    DateProblem,
    default_cutoff,
    parse_as_of,
    parse_dates,
    warn_placeholders,
)
from cx_economics.data.plausibility import (
    TENURE_MONTHS_MAX,
    TENURE_MONTHS_PLAUSIBLE,
    TENURE_WINDOW_TOLERANCE_MONTHS,
    tenure_too_long,
)

__all__ = [
    "CHANNEL_COSTS_SCHEMA",
    "CONTACTS_SCHEMA",
    "CUSTOMERS_SCHEMA",
    "DAYS_PER_MONTH",
    "RESPONSES_SCHEMA",
    "ChannelCosts",
    "ColumnSpec",
    "Contacts",
    "Customers",
    "Responses",
    "TableSchema",
    "parse_as_of",
    "validate_channel_costs",
    "validate_contacts",
    "validate_customers",
    "validate_responses",
    "validate_table",
]

Kind = Literal["id", "str", "int", "float", "bool", "date", "reasons"]


@dataclass(frozen=True)
class ColumnSpec:
    """What one canonical column must hold.

    Parameters
    ----------
    name : str
        Canonical column name.
    kind : {"id", "str", "int", "float", "bool", "date", "reasons"}
        Logical type the values are checked against and converted to.
    required : bool
        Whether the column must be present (see also ``TableSchema.one_of``).
    unique : bool
        Whether values must be unique across rows.
    minimum, maximum : float, optional
        Inclusive range for numeric kinds.
    nullable : bool
        Whether missing values are allowed.
    description : str
        Meaning and unit, shown in errors and docs.
    open_end : bool
        For dates: a date after 2262-04-11 (``9999-12-31``) is a placeholder for "not
        yet" and read as missing, with a warning, instead of an error.

    Examples
    --------
    >>> spec = ColumnSpec("score", "int", minimum=0, maximum=10, description="0-10 answer")
    >>> spec.required, spec.unique
    (True, False)
    """

    name: str
    kind: Kind
    required: bool = True
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    description: str = ""
    open_end: bool = False


@dataclass(frozen=True)
class TableSchema:
    """A table's columns, and groups of which at least one column must be present.

    Examples
    --------
    >>> CUSTOMERS_SCHEMA.names[:3]
    ('customer_id', 'channel', 'tenure_months')
    """

    name: str
    columns: tuple[ColumnSpec, ...]
    one_of: tuple[tuple[str, ...], ...] = ()

    def spec(self, name: str) -> ColumnSpec:
        """Return the spec of canonical column ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical column names, in schema order."""
        return tuple(c.name for c in self.columns)


CUSTOMERS_SCHEMA = TableSchema(
    "customers",
    (
        ColumnSpec("customer_id", "id", unique=True, description="customer identifier"),
        ColumnSpec("channel", "str", description="main service channel"),
        ColumnSpec("tenure_months", "float", False, minimum=0.0, description="months observed"),
        ColumnSpec("start_date", "date", False, description="date the customer joined"),
        ColumnSpec("churned", "bool", False, description="left before the cut-off (bool or 0/1)"),
        ColumnSpec(
            "end_date",
            "date",
            False,
            nullable=True,
            description="date the customer left",
            open_end=True,
        ),
        ColumnSpec("monthly_revenue", "float", False, minimum=0.0, description="revenue per month"),
        ColumnSpec("segment", "str", False, description="customer segment"),
        ColumnSpec("team", "str", False, description="team serving the customer"),
    ),
    one_of=(("tenure_months", "start_date"), ("churned", "end_date")),
)

RESPONSES_SCHEMA = TableSchema(
    "responses",
    (
        ColumnSpec("customer_id", "id", description="customer identifier"),
        ColumnSpec("response_date", "date", description="date of the survey answer"),
        ColumnSpec("channel", "str", description="channel the survey was about"),
        ColumnSpec("score", "int", minimum=0, maximum=10, description="likelihood to recommend"),
        ColumnSpec("team", "str", False, nullable=True, description="team that served"),
        ColumnSpec("employee", "str", False, nullable=True, description="employee who served"),
        ColumnSpec("touchpoint", "str", False, nullable=True, description="journey step"),
    ),
)

CONTACTS_SCHEMA = TableSchema(
    "contacts",
    (
        ColumnSpec("customer_id", "id", description="customer identifier"),
        ColumnSpec("contact_date", "date", description="date of the contact"),
        ColumnSpec("channel", "str", description="channel of the contact"),
        ColumnSpec("reason", "reasons", nullable=True, description="contact reason(s)"),
    ),
)

CHANNEL_COSTS_SCHEMA = TableSchema(
    "channel_costs",
    (
        ColumnSpec("channel", "str", description="channel name"),
        ColumnSpec("nps", "float", minimum=-100.0, maximum=100.0, description="NPS level"),
        ColumnSpec(
            "annual_cost", "float", minimum=0.0, description="cost per year at that NPS level"
        ),
    ),
)


# --------------------------------------------------------------------------- validator


def _fail(
    schema: TableSchema, column: str, problem: str, labels: Sequence[object] | pd.Index
) -> CxDataError:
    rows = describe_rows(list(labels), verb="are not")
    return CxDataError(f"`{schema.name}`: `{column}` {problem}; {rows}")


def _resolve_columns(
    frame: pd.DataFrame, schema: TableSchema, columns: Mapping[str, str] | None
) -> dict[str, str]:
    """Map canonical names to the user's names present in ``frame``."""
    columns = dict(columns or {})
    unknown = sorted(set(columns) - set(schema.names))
    if unknown:
        raise CxDataError(
            f"`{schema.name}`: column mapping names unknown canonical column(s) {unknown}; "
            f"known: {list(schema.names)}"
        )
    found: dict[str, str] = {}
    for spec in schema.columns:
        theirs = columns.get(spec.name, spec.name)
        if theirs in frame.columns:
            found[spec.name] = theirs
        elif spec.name in columns:
            raise CxDataError(
                f"`{schema.name}`: column `{theirs}` (mapped to `{spec.name}`) is not in the "
                f"table; its columns are {list(map(str, frame.columns))}"
            )
        elif spec.required:
            raise CxDataError(
                f"`{schema.name}`: required column `{spec.name}` ({spec.description}) is missing; "
                f"its columns are {list(map(str, frame.columns))}. Map yours with "
                f"columns={{'{spec.name}': 'your_name'}}"
            )
    for group in schema.one_of:
        if not any(g in found for g in group):
            raise CxDataError(
                f"`{schema.name}`: needs one of the columns {list(group)}; none is present "
                f"(its columns are {list(map(str, frame.columns))})"
            )
    return found


class _DistinctValues:
    """A column factorised once: each distinct value is inspected once, not every row.

    Text columns (channels, teams, dates read as text) repeat a few values over
    millions of rows; stripping or testing the distinct values and taking them back by
    code costs one pass in C instead of a Python call per row.
    """

    def __init__(self, raw: pd.Series) -> None:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        self.codes = codes
        self.uniques = np.asarray(uniques, dtype=object)
        self.all_text = all(isinstance(u, str) for u in self.uniques)

    @classmethod
    def of(cls, raw: pd.Series) -> _DistinctValues | None:
        """The factorised column, or ``None`` when its values are unhashable (lists)."""
        try:
            return cls(raw)
        except TypeError:
            return None

    def per_row(self, values: npt.NDArray[Any], missing: object) -> npt.NDArray[Any]:
        """``values[code]`` per row (one value per distinct value), ``missing`` for NA rows.

        The result keeps ``values``' dtype (object for text, float64 for numbers).
        """
        out = np.append(values, np.array([missing], dtype=values.dtype))
        return out[self.codes]  # code -1 (NA) takes the appended last item

    def blank(self) -> npt.NDArray[np.bool_]:
        """Rows whose text (as pandas' ``string`` dtype reads it) is empty after stripping.

        The same test as on every row, made on the distinct values: bytes such as
        ``b"  "`` are decoded as text first, so they count as blank too.
        """
        text = pd.Series(self.uniques, dtype=object).astype("string").str.strip()
        flags = np.append((text == "").fillna(False).to_numpy(bool), False)
        return flags[self.codes]

    def stripped(self) -> npt.NDArray[Any]:
        """Strings stripped of outer whitespace, in NFC (``None`` for NA); needs ``all_text``.

        NFC composes letters typed with combining accents (NFD, as macOS file names
        and some survey tools write them), so ``"Café"`` is one name however it was typed.
        """
        names = np.array([nfc(u.strip()) for u in self.uniques], dtype=object)
        return self.per_row(names, None)


# what pandas.api.types.infer_dtype calls object columns that hold no strings at all
_NO_TEXT = frozenset(
    {"empty", "integer", "floating", "mixed-integer-float", "decimal", "boolean",
     "datetime64", "datetime", "date", "timedelta64", "timedelta", "time"}
)  # fmt: skip


def _may_hold_text(raw: pd.Series) -> bool:
    """Whether ``raw`` is a text column or an object column with at least one string."""
    if raw.dtype == object:  # one typed pass; is_string_dtype would scan it as well
        return pd.api.types.infer_dtype(raw, skipna=True) not in _NO_TEXT
    return pd.api.types.is_string_dtype(raw)


def _convert(
    schema: TableSchema, spec: ColumnSpec, raw: pd.Series, *, local_time: bool = False
) -> pd.Series:
    """Check and convert one column; raise naming the bad rows."""
    missing = raw.isna()
    distinct: _DistinctValues | None = None
    if _may_hold_text(raw):
        # only text can hold blank strings; skip the factorising for numbers and dates
        distinct = _DistinctValues.of(raw)
        blank = (
            distinct.blank()
            if distinct is not None
            else (raw.astype("string").str.strip() == "").fillna(False).to_numpy(bool)
        )
        missing = missing | pd.Series(blank, index=raw.index)
    if missing.any() and not spec.nullable and spec.kind != "reasons":
        raise _fail(schema, spec.name, "must not be missing (NaN/None/empty)", raw.index[missing])
    present = ~missing
    if spec.kind == "id":
        out = raw
    elif spec.kind == "str":
        out = _convert_text(raw, distinct, present)
        warn_lookalikes(schema.name, spec.name, out)
    elif spec.kind in ("int", "float"):
        out = _convert_number(schema, spec, raw, present, distinct)
    elif spec.kind == "bool":
        out = _convert_bool(schema, spec, raw)
    elif spec.kind == "date":
        out = _convert_date(schema, spec, raw, present, local_time=local_time)
    else:
        out = _convert_reasons(raw, missing)
        warn_lookalikes(schema.name, spec.name, out.explode())
    if spec.unique:
        dup = out.duplicated(keep=False) & present
        if dup.any():
            raise _fail(schema, spec.name, f"must be unique{_id_hint(spec, out)}", raw.index[dup])
    return out


def _id_hint(spec: ColumnSpec, out: pd.Series) -> str:
    """Why numeric ids may repeat: a CSV reader turned ``0001`` and ``01`` into 1."""
    if spec.kind != "id" or not pd.api.types.is_numeric_dtype(out):
        return ""
    return (
        f" (the ids are numbers: ids with leading zeros such as 0001 and 01 both read as 1; "
        f"read the file with the ids as text, e.g. "
        f"pandas.read_csv(path, dtype={{'{spec.name}': str}}))"
    )


def _convert_text(
    raw: pd.Series, distinct: _DistinctValues | None, present: pd.Series
) -> pd.Series:
    if distinct is not None and distinct.all_text:
        return pd.Series(distinct.stripped(), index=raw.index, dtype=object).where(present, None)
    stripped = raw.astype("string").str.strip().str.normalize("NFC")
    return stripped.astype(object).where(present, None)


def _convert_number(
    schema: TableSchema,
    spec: ColumnSpec,
    raw: pd.Series,
    present: pd.Series,
    distinct: _DistinctValues | None,
) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw):
        raise _fail(schema, spec.name, "must be numeric, not boolean", raw.index)
    if raw.dtype == object and distinct is not None and distinct.all_text:
        # numbers typed as text ("9 "): parse each distinct string once
        parsed = pd.to_numeric(pd.Series(distinct.uniques).str.strip(), errors="coerce")
        floats = distinct.per_row(parsed.to_numpy(np.float64), np.nan)
        values = pd.Series(floats, index=raw.index)
    else:
        text = raw.astype("string").str.strip() if raw.dtype == object else raw
        values = pd.to_numeric(text, errors="coerce").astype(np.float64)
    bad = present & ~np.isfinite(values)
    if bad.any():
        example = raw[bad].iloc[0]
        raise _fail(
            schema, spec.name, f"must be a finite number (e.g. {example!r})", raw.index[bad]
        )
    scale = _range_text(spec)
    if spec.kind == "int":
        frac = present & (values != np.round(values))
        if frac.any():
            raise _fail(schema, spec.name, f"must be an integer{scale}", raw.index[frac])
    low = present & (values < spec.minimum) if spec.minimum is not None else present & False
    high = present & (values > spec.maximum) if spec.maximum is not None else present & False
    if (low | high).any():
        raise _fail(schema, spec.name, f"must lie in{scale}", raw.index[low | high])
    if spec.kind == "int" and not (~present).any():
        return values.astype(np.int64)
    return values


def _range_text(spec: ColumnSpec) -> str:
    if spec.minimum is not None and spec.maximum is not None:
        return f" {spec.minimum:g}–{spec.maximum:g}"
    if spec.minimum is not None:
        return f" ≥ {spec.minimum:g}"
    return ""


_TRUE = {True}
_FALSE = {False}


def _convert_bool(schema: TableSchema, spec: ColumnSpec, raw: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(bool)
    ok_true = raw.map(lambda v: not isinstance(v, str) and v in _TRUE)
    ok_false = raw.map(lambda v: not isinstance(v, str) and v in _FALSE)
    bad = ~(ok_true | ok_false)
    if bad.any():
        examples = sorted({repr(v) for v in raw[bad].head(3)})
        raise _fail(
            schema,
            spec.name,
            f"must be boolean or 0/1 (found {', '.join(examples)}; name the words in the "
            "run file, true_words = ['kyllä'] and false_words = ['ei'], or map them, e.g. "
            "frame[col].map({'Y': True, 'N': False}))",
            raw.index[bad],
        )
    return ok_true.astype(bool)


def _convert_date(
    schema: TableSchema, spec: ColumnSpec, raw: pd.Series, present: pd.Series, *, local_time: bool
) -> pd.Series:
    try:
        parsed = parse_dates(raw, present, open_end=spec.open_end, local_time=local_time)
    except DateProblem as problem:
        raise _fail(schema, spec.name, problem.problem, raw.index[problem.bad]) from None
    if parsed.placeholders.any():
        warn_placeholders(schema.name, spec.name, raw, raw.index[parsed.placeholders])
    return parsed.values


def _convert_reasons(raw: pd.Series, missing: pd.Series) -> pd.Series:
    def split(v: object) -> tuple[str, ...]:
        if isinstance(v, list | tuple | np.ndarray):
            items = [str(x).strip() for x in v if x is not None and str(x).strip()]
        else:
            items = [x.strip() for x in str(v).split(";") if x.strip()]
        return tuple(nfc(x) for x in items) or ("uncoded",)

    return pd.Series(
        [("uncoded",) if m else split(v) for v, m in zip(raw, missing, strict=True)],
        index=raw.index,
        dtype=object,
    )


def validate_table(
    frame: pd.DataFrame,
    schema: TableSchema,
    *,
    columns: Mapping[str, str] | None = None,
    local_time: bool = False,
) -> pd.DataFrame:
    """Check ``frame`` against ``schema`` and return a new frame with canonical columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        The user's table; it is not modified.
    schema : TableSchema
        What the table must hold.
    columns : mapping, optional
        Canonical name → the user's column name, for columns named differently.
    local_time : bool, default False
        Dates with a time zone keep their wall-clock time (the zone is dropped)
        instead of being moved to UTC.

    Returns
    -------
    pandas.DataFrame
        Only the schema's columns that are present, canonically named and typed, with
        the user's index kept (so errors downstream can name rows).

    Raises
    ------
    CxDataError
        Not a frame, empty, a column missing, or values of the wrong kind or range.

    Examples
    --------
    >>> schema = TableSchema("visits", (ColumnSpec("customer_id", "id", unique=True),))
    >>> validate_table(pd.DataFrame({"id": ["a", "b"]}), schema, columns={"customer_id": "id"})
      customer_id
    0           a
    1           b
    """
    if not isinstance(frame, pd.DataFrame):
        raise CxDataError(
            f"`{schema.name}` must be a pandas DataFrame here, got {type(frame).__name__}; "
            "other engines (polars, DuckDB, Spark) go through cx_economics.tables"
        )
    if len(frame) == 0:
        raise CxDataError(f"`{schema.name}` is empty (0 rows)")
    found = _resolve_columns(frame, schema, columns)
    out = {
        name: _convert(schema, schema.spec(name), frame[theirs], local_time=local_time)
        for name, theirs in found.items()
    }
    return pd.DataFrame(out, index=frame.index)


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class _Table:
    """A validated table: ``frame`` holds canonical columns, the user's index."""

    frame: pd.DataFrame = field(repr=False)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def channels(self) -> tuple[str, ...]:
        """Sorted channel names present in the table."""
        return tuple(sorted(self.frame["channel"].unique()))


@dataclass(frozen=True)
class Customers(_Table):
    """Validated customers: one row each, with ``tenure_months`` and ``churned`` resolved.

    ``as_of`` is the observation cut-off (the date tenures of active customers run to).
    Made by :func:`validate_customers`.

    Examples
    --------
    Dates in, tenure (months) and churn flags out:

    >>> import pandas as pd
    >>> raw = pd.DataFrame({"customer_id": [1, 2, 3], "channel": ["web", "phone", "web"],
    ...                     "start_date": ["2024-01-01", "2024-07-01", "2025-01-01"],
    ...                     "end_date": [None, "2025-01-01", None]})
    >>> customers = validate_customers(raw, as_of="2025-07-01")
    >>> str(customers.as_of.date()), len(customers), customers.channels, customers.has_revenue
    ('2025-07-01', 3, ('phone', 'web'), False)
    >>> customers.frame["tenure_months"].round(1).tolist(), customers.frame["churned"].tolist()
    ([18.0, 6.0, 5.9], [False, True, False])
    """

    as_of: pd.Timestamp | None = None

    @property
    def has_revenue(self) -> bool:
        """Whether ``monthly_revenue`` is available."""
        return "monthly_revenue" in self.frame.columns


@dataclass(frozen=True)
class Responses(_Table):
    """Validated survey responses; ``scheme`` is the band rule their scores follow.

    Made by :func:`validate_responses`, which checks the scores against the scheme's
    scale.

    Examples
    --------
    Answers on a 1–5 satisfaction scale, 5 counted as promoter and 4 as passive:

    >>> import pandas as pd
    >>> from cx_economics.core.bands import BandScheme
    >>> csat = BandScheme(min_score=1, max_score=5, passive_from=4, promoter_from=5)
    >>> raw = pd.DataFrame({"customer_id": [1, 1, 2],
    ...                     "response_date": ["2025-01-05", "2025-03-01", "2025-02-10"],
    ...                     "channel": ["web", "web", "phone"], "score": [2, 5, 4]})
    >>> responses = validate_responses(raw, scheme=csat)
    >>> len(responses), responses.channels, responses.scheme.max_score
    (3, ('phone', 'web'), 5)
    >>> responses.scheme.bands(responses.frame["score"]).tolist()
    ['detractor', 'promoter', 'passive']
    >>> validate_responses(raw.assign(score=[2, 9, 4]), scheme=csat)
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: `responses`: `score` must lie in 1–5; ... (row 1)
    """

    scheme: BandScheme = DEFAULT_SCHEME


@dataclass(frozen=True)
class Contacts(_Table):
    """Validated contacts; ``reason`` holds a tuple of reasons per contact.

    Made by :func:`validate_contacts`: one reason, several separated by ``;`` or a
    list all become tuples, and a missing reason becomes ``("uncoded",)``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"customer_id": [1, 1, 2],
    ...                     "contact_date": ["2025-02-01", "2025-02-09", "2025-03-01"],
    ...                     "channel": ["phone", "chat", "phone"],
    ...                     "reason": ["billing", ["billing", "delivery"], None]})
    >>> contacts = validate_contacts(raw)
    >>> len(contacts), contacts.channels
    (3, ('chat', 'phone'))
    >>> contacts.frame["reason"].tolist()
    [('billing',), ('billing', 'delivery'), ('uncoded',)]
    >>> contacts.frame["reason"].explode().value_counts().to_dict()
    {'billing': 2, 'delivery': 1, 'uncoded': 1}
    """


@dataclass(frozen=True)
class ChannelCosts(_Table):
    """Validated channel cost points: annual cost of a channel at given NPS levels.

    Made by :func:`validate_channel_costs`; costs are currency per year, NPS levels
    points (−100..100), and a level may appear once per channel.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"channel": ["web", "web", "phone"], "nps": [20, 40, 10],
    ...                     "annual_cost": [50e3, 90e3, 80e3]})
    >>> costs = validate_channel_costs(raw)
    >>> costs.channels, len(costs)
    (('phone', 'web'), 3)
    >>> costs.frame.sort_values(["channel", "nps"]).to_numpy().tolist()
    [['phone', 10.0, 80000.0], ['web', 20.0, 50000.0], ['web', 40.0, 90000.0]]
    >>> validate_channel_costs(raw.assign(nps=[20, 20, 10]))  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: `channel_costs`: `nps` must not repeat within a
    channel; 2 rows are not (rows 0, 1)
    """


def validate_customers(
    frame: pd.DataFrame | Customers,
    *,
    columns: Mapping[str, str] | None = None,
    as_of: str | pd.Timestamp | None = None,
    local_time: bool = False,
) -> Customers:
    """Validate a customers table.

    Parameters
    ----------
    frame : pandas.DataFrame or Customers
        One row per customer (see the module docstring for columns). A
        :class:`Customers` is returned as is.
    columns : mapping, optional
        Canonical name → your column name.
    as_of : date-like, optional
        Observation cut-off (ISO 8601 text or a date object), used when tenure is
        derived from ``start_date``. Without it, the cut-off is the latest date of the
        table within the bulk of its dates (99th percentile plus the larger of 31 days
        and a tenth of the 1st–99th percentile spread): a ``start_date`` beyond that is
        an error, an ``end_date`` beyond it a placeholder for "still active".
    local_time : bool, default False
        Zoned dates keep their wall-clock time instead of being moved to UTC.

    Returns
    -------
    Customers
        With ``tenure_months`` (months, float ≥ 0) and ``churned`` (bool) always present.

    Raises
    ------
    CxDataError
        On any bad column, an ``end_date`` before ``start_date``, a ``start_date`` after
        the cut-off or far beyond the other dates, an ``as_of`` that is not a date, a
        ``tenure_months`` over :data:`~cx_economics.data.plausibility.TENURE_MONTHS_MAX`
        (100 years: days instead of months?) or a ``monthly_revenue`` that is 0 for
        every customer.

    Warns
    -----
    CxAssumptionWarning
        ``end_date`` after the cut-off or beyond 2262-04-11 (read as active);
        ``churned`` against ``end_date``, ``tenure_months`` against ``start_date``;
        names that differ only in case; a given ``tenure_months`` longer than
        :data:`~cx_economics.data.plausibility.TENURE_MONTHS_PLAUSIBLE` (50 years) or, with
        ``start_date`` and ``as_of``, than the observation window (most likely days).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"id": [1, 2], "channel": ["web", "phone"],
    ...                     "months": [3.0, 12.0], "churned": [0, 1]})
    >>> c = validate_customers(raw, columns={"customer_id": "id", "tenure_months": "months"})
    >>> c.frame["churned"].tolist()
    [False, True]
    """
    if isinstance(frame, Customers):
        return frame
    explicit = parse_as_of(as_of)
    out = validate_table(frame, CUSTOMERS_SCHEMA, columns=columns, local_time=local_time)
    _check_revenue(out)
    if "tenure_months" in out:
        _check_tenure_scale(out, explicit)
    if "start_date" in out and "end_date" in out:
        bad = out["end_date"].notna() & (out["end_date"] < out["start_date"])
        if bad.any():
            raise _fail(
                CUSTOMERS_SCHEMA, "end_date", "must not be before `start_date`", out.index[bad]
            )
    cutoff = explicit if explicit is not None else default_cutoff(out)
    if "end_date" in out and cutoff is not None:
        out = _censor_after_cutoff(out, cutoff, explicit=explicit is not None)
    warn_contradictions(out, cutoff, explicit=explicit is not None)
    if "churned" not in out:
        out["churned"] = out["end_date"].notna()
    if "tenure_months" not in out:
        assert cutoff is not None  # start_date present, so a cut-off exists
        end = out["end_date"].fillna(cutoff) if "end_date" in out else cutoff
        days = (end - out["start_date"]).dt.days.astype(np.float64)
        late = days < 0
        if late.any():
            raise _fail(
                CUSTOMERS_SCHEMA,
                "start_date",
                f"must not be after the cut-off {cutoff.date()}",
                out.index[late],
            )
        out["tenure_months"] = days / DAYS_PER_MONTH
    return Customers(out, as_of=cutoff)


def _check_revenue(out: pd.DataFrame) -> None:
    """Refuse a revenue column that is 0 for every customer: it would value everyone at 0."""
    if "monthly_revenue" in out and not (out["monthly_revenue"] > 0).any():
        raise CxDataError(
            "`customers`: `monthly_revenue` is 0 for every customer, so every margin and "
            "value would be 0 (an empty export?); drop the column and set "
            "Assumptions(monthly_revenue=...) if revenue is unknown; "
            f"{describe_rows(list(out.index), verb='are 0')}"
        )


def _check_tenure_scale(out: pd.DataFrame, cutoff: pd.Timestamp | None) -> None:
    """Catch tenures given in days: an error past 100 years, a warning when implausible.

    The thresholds are :data:`~cx_economics.data.plausibility.TENURE_MONTHS_MAX` (error),
    :data:`~cx_economics.data.plausibility.TENURE_MONTHS_PLAUSIBLE` and, with
    ``start_date`` and an explicit cut-off ``as_of``, the observation window from the
    earliest start to the cut-off (warnings). A cut-off taken from the table's own
    latest date is no bound on given tenures (active customers run past it), so it
    is not used here.
    """
    tenure = out["tenure_months"]
    days = f"days instead of months? (divide by {DAYS_PER_MONTH:.2f})"
    absurd = tenure > TENURE_MONTHS_MAX
    if absurd.any():
        raise _fail(
            CUSTOMERS_SCHEMA, "tenure_months", tenure_too_long(tenure.max()), out.index[absurd]
        )
    limit, reason = TENURE_MONTHS_PLAUSIBLE, f"longer than {TENURE_MONTHS_PLAUSIBLE / 12:g} years"
    if "start_date" in out and cutoff is not None:
        window = (cutoff - out["start_date"].min()).days / DAYS_PER_MONTH
        if window + TENURE_WINDOW_TOLERANCE_MONTHS < limit:
            limit = window + TENURE_WINDOW_TOLERANCE_MONTHS
            reason = (
                f"longer than the observation window ({window:.1f} months from the earliest "
                f"`start_date` to the cut-off {cutoff.date()})"
            )
    long = tenure > limit
    if long.any():
        warnings.warn(
            f"`customers`: `tenure_months` is {reason} for "
            f"{describe_rows(list(out.index[long]))} (largest {tenure.max():,.1f}): {days}",
            CxAssumptionWarning,
            stacklevel=3,
        )


def _censor_after_cutoff(
    out: pd.DataFrame, cutoff: pd.Timestamp, *, explicit: bool
) -> pd.DataFrame:
    """Customers who leave after the cut-off were still customers at it: censor them.

    Without an explicit cut-off, the only end dates after it are those far beyond the
    bulk of the table's dates: placeholders for "still active" such as 2099-12-31.
    """
    after = out["end_date"].notna() & (out["end_date"] > cutoff)
    if not after.any():
        return out
    rows = describe_rows(list(out.index[after]))
    if explicit:
        reason = f"`end_date` is after the cut-off {cutoff.date()} for {rows}"
    else:
        latest = out.loc[after, "end_date"].max().date()
        reason = (
            f"`end_date` lies far beyond the other dates (up to {latest}) for {rows}, read "
            f"as a placeholder for 'still active'; the default cut-off is {cutoff.date()}, "
            "the latest date within the bulk of the table's dates (pass `as_of=` to set it "
            "yourself)"
        )
    warnings.warn(
        f"`customers`: {reason}; they count as active at the cut-off (censored there)",
        CxAssumptionWarning,
        stacklevel=3,
    )
    out = out.copy()
    out.loc[after, "end_date"] = pd.NaT
    if "churned" in out:
        out.loc[after, "churned"] = False
    return out


def validate_responses(
    frame: pd.DataFrame | Responses,
    *,
    columns: Mapping[str, str] | None = None,
    scheme: BandScheme = DEFAULT_SCHEME,
    local_time: bool = False,
) -> Responses:
    """Validate a survey-responses table.

    Parameters
    ----------
    frame : pandas.DataFrame or Responses
        One row per answer. Scores given as text with spaces (``"9 "``) are read as
        numbers; anything else that is not an integer on the scale is an error.
    columns : mapping, optional
        Canonical name → your column name.
    scheme : BandScheme
        The scale and cut-offs; scores are checked against its range.
    local_time : bool, default False
        Zoned answer dates keep their wall-clock time (an answer at midnight in
        Helsinki stays on that day) instead of being moved to UTC.

    Returns
    -------
    Responses
        Rows repeated in every column are dropped, with a warning, when they are at
        least 1 % of the rows (a file loaded twice); fewer are kept.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"customer_id": [1], "response_date": ["2025-01-31"],
    ...                     "channel": ["chat"], "score": ["9 "]})
    >>> int(validate_responses(raw).frame["score"].iloc[0])
    9
    """
    if isinstance(frame, Responses):
        return frame
    schema = RESPONSES_SCHEMA
    if (scheme.min_score, scheme.max_score) != (0, 10):
        score = ColumnSpec(
            "score",
            "int",
            minimum=scheme.min_score,
            maximum=scheme.max_score,
            description="survey score",
        )
        schema = TableSchema(
            schema.name, tuple(score if c.name == "score" else c for c in schema.columns)
        )
    out = validate_table(frame, schema, columns=columns, local_time=local_time)
    return Responses(drop_repeated_answers(out), scheme=scheme)


def validate_contacts(
    frame: pd.DataFrame | Contacts,
    *,
    columns: Mapping[str, str] | None = None,
    local_time: bool = False,
) -> Contacts:
    """Validate a contacts table; reasons become tuples, missing ones ``("uncoded",)``.

    Reasons are stripped and put in Unicode NFC; reasons (and channels) that differ
    only in case are kept apart, with a warning naming them. ``local_time=True``
    keeps zoned contact dates' wall-clock time instead of moving them to UTC.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"customer_id": [1, 2], "contact_date": ["2025-02-01"] * 2,
    ...                     "channel": ["phone"] * 2, "reason": ["billing; delivery", None]})
    >>> validate_contacts(raw).frame["reason"].tolist()
    [('billing', 'delivery'), ('uncoded',)]
    """
    if isinstance(frame, Contacts):
        return frame
    return Contacts(validate_table(frame, CONTACTS_SCHEMA, columns=columns, local_time=local_time))


def validate_channel_costs(
    frame: pd.DataFrame | ChannelCosts,
    *,
    columns: Mapping[str, str] | None = None,
    known_channels: Sequence[str] | None = None,
) -> ChannelCosts:
    """Validate a channel-cost table (annual cost, currency per year, at NPS levels).

    Parameters
    ----------
    known_channels : sequence of str, optional
        Channels of the customer base; a cost row for any other channel is an error
        (it usually means a typo or a renamed channel).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"channel": ["web"], "nps": [30], "annual_cost": [1e6]})
    >>> validate_channel_costs(raw, known_channels=["web"]).channels
    ('web',)
    """
    if isinstance(frame, ChannelCosts):
        out = frame.frame
    else:
        out = validate_table(frame, CHANNEL_COSTS_SCHEMA, columns=columns)
    if known_channels is not None:
        unknown = ~out["channel"].isin(list(known_channels))
        if unknown.any():
            names = sorted(set(out.loc[unknown, "channel"]))
            raise _fail(
                CHANNEL_COSTS_SCHEMA,
                "channel",
                f"must name a known channel {sorted(known_channels)} (unknown: {names})",
                out.index[unknown],
            )
    dup = out.duplicated(["channel", "nps"], keep=False)
    if dup.any():
        raise _fail(CHANNEL_COSTS_SCHEMA, "nps", "must not repeat within a channel", out.index[dup])
    return frame if isinstance(frame, ChannelCosts) else ChannelCosts(out)
