"""Meet the data where it lives: lazy Parquet scans and the narwhals helpers the tables share.

The aggregations in :mod:`cx_economics.tables` (life table, NPS counts, contact
counts) are the only pass over raw rows. They are written once against
`narwhals <https://narwhals-dev.github.io/narwhals/>`_, so a pandas, polars (eager or
lazy), pyarrow, DuckDB or PySpark frame is aggregated inside its own engine and only
the small table of counts comes back to Python.

This module holds what every builder needs for that:

* :func:`scan_parquet` — a lazy DuckDB relation or polars ``LazyFrame`` over one Parquet
  file, a directory of them or a glob, reading only the columns asked for;
* :func:`engine_name`, :func:`as_lazy`, :func:`require_columns`, :func:`indicator`,
  :func:`count_true` and :func:`collect_pandas` — the small narwhals idioms that
  differ between engines (PySpark cannot ``sum`` a boolean column; pandas and pyarrow
  run only simple per-group aggregations natively).

Engine packages are optional: ``pip install cx-economics-toolkit[duckdb]``, ``[polars]`` or
``[spark]``. Importing this module imports none of them; a scan imports only the
engine it uses.
"""

from __future__ import annotations

import glob
import importlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import narwhals as nw
import pandas as pd

from cx_economics.core.exceptions import CxDataError

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "LIFE_TABLE_CUSTOMER_COLUMNS",
    "LIFE_TABLE_DATE_COLUMNS",
    "LIFE_TABLE_RESPONSE_COLUMNS",
    "NPS_RESPONSE_COLUMNS",
    "ScanEngine",
    "as_lazy",
    "collect_pandas",
    "count_true",
    "engine_name",
    "indicator",
    "naive_utc",
    "require_columns",
    "require_same_key_type",
    "scan_parquet",
    "seconds_between",
]

#: Engines :func:`scan_parquet` can read Parquet with.
ScanEngine = Literal["duckdb", "polars"]
_SCAN_ENGINES: tuple[str, ...] = ("duckdb", "polars")
_INSTALL_HINT = {"duckdb": "cx-economics-toolkit[duckdb]", "polars": "cx-economics-toolkit[polars]"}

#: Customer columns :func:`~cx_economics.tables.life.life_table` reads from a non-pandas
#: frame (add ``segment`` / ``team`` when grouping by them, and
#: :data:`LIFE_TABLE_DATE_COLUMNS` for the band as a state).
LIFE_TABLE_CUSTOMER_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "tenure_months",
    "churned",
    "channel",
    "monthly_revenue",
)
#: Customer date columns that place each answer on its customer's tenure, so the life
#: table can keep the band as a state (``band_rule="state"``, delayed entry).
LIFE_TABLE_DATE_COLUMNS: tuple[str, ...] = ("start_date", "end_date")
#: Response columns :func:`~cx_economics.tables.life.life_table` reads.
LIFE_TABLE_RESPONSE_COLUMNS: tuple[str, ...] = ("customer_id", "response_date", "score")
#: Response columns :func:`~cx_economics.tables.nps_counts.nps_counts` reads when grouping
#: by channel (add ``team``, ``employee``, ``touchpoint`` when grouping by them).
NPS_RESPONSE_COLUMNS: tuple[str, ...] = ("score", "channel", "response_date")


# --------------------------------------------------------------------------- Parquet


def _is_remote(path: str) -> bool:
    return "://" in path


def _local_files(path: str) -> list[str]:
    """The Parquet files a local file, directory or glob names (sorted); [] when none."""
    if os.path.isdir(path):
        pattern = os.path.join(path, "**", "*.parquet")
        return sorted(glob.glob(pattern, recursive=True))
    if glob.has_magic(path):
        return sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
    return [path] if os.path.isfile(path) else []


def _sources(path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[str]:
    """Resolve ``path`` to a non-empty list of Parquet files (or remote URLs, unchecked)."""
    paths = [path] if isinstance(path, str | os.PathLike) else list(path)
    if not paths:
        raise CxDataError("`path` is an empty list: name at least one Parquet file")
    files: list[str] = []
    missing: list[str] = []
    for entry in paths:
        if not isinstance(entry, str | os.PathLike):
            raise CxDataError(f"`path` must name files, got {type(entry).__name__}")
        item = str(os.fspath(entry))
        found = [item] if _is_remote(item) else _local_files(item)
        files.extend(found)
        if not found:
            missing.append(item)
    if missing:
        shown = ", ".join(repr(m) for m in missing[:3])
        raise CxDataError(
            f"`path`: {len(missing)} of {len(paths)} path(s) name no Parquet file (e.g. "
            f"{shown}); give a .parquet file, a directory holding .parquet files, or a glob"
        )
    return files


def _check_columns(
    columns: Sequence[str] | None, available: Sequence[str], source: str
) -> list[str]:
    """The columns to read, checked against the file's schema."""
    if columns is None:
        return list(available)
    if isinstance(columns, str):
        raise CxDataError(f"`columns` must be a sequence of names, not the string {columns!r}")
    wanted = list(columns)
    if not wanted:
        raise CxDataError("`columns` is empty: name the columns to read, or pass None for all")
    repeated = sorted({c for c in wanted if wanted.count(c) > 1})
    if repeated:
        raise CxDataError(f"`columns` repeats {repeated}")
    absent = [c for c in wanted if c not in available]
    if absent:
        raise CxDataError(
            f"`columns`: {len(absent)} column(s) {absent} are not in {source}; "
            f"its columns are {list(available)}"
        )
    return wanted


def _import_engine(engine: str) -> Any:
    try:
        return importlib.import_module(engine)
    except ImportError as error:
        raise ImportError(
            f"scan_parquet(engine={engine!r}) needs the {engine} package: "
            f"pip install {_INSTALL_HINT[engine]}"
        ) from error


def _scan_duckdb(
    files: list[str], columns: Sequence[str] | None, connection: duckdb.DuckDBPyConnection | None
) -> Any:
    duck = _import_engine("duckdb")
    con = connection if connection is not None else duck.default_connection()
    relation = con.read_parquet(files)
    wanted = _check_columns(columns, relation.columns, f"the Parquet data at {files[0]!r}")
    return relation.select(*(duck.ColumnExpression(c) for c in wanted))


def _scan_polars(files: list[str], columns: Sequence[str] | None) -> Any:
    pl = _import_engine("polars")
    lazy = pl.scan_parquet(files)
    available = lazy.collect_schema().names()
    wanted = _check_columns(columns, available, f"the Parquet data at {files[0]!r}")
    return lazy.select(wanted)


def scan_parquet(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    engine: ScanEngine = "duckdb",
    columns: Sequence[str] | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> Any:
    """Read Parquet lazily, as a DuckDB relation or a polars ``LazyFrame``.

    Nothing is loaded: the result is a query plan that reads only ``columns`` (and only
    the row groups a filter keeps) when an aggregation such as
    :func:`~cx_economics.tables.life.life_table` or
    :func:`~cx_economics.tables.nps_counts.nps_counts` runs it inside the engine.

    Parameters
    ----------
    path : str, path-like or sequence of them
        A ``.parquet`` file, a directory (every ``.parquet`` file below it: a
        multi-file dataset, e.g. one file per month or per chunk of customers), a glob
        such as ``"data/customers/part-*.parquet"``, or a list of these. Remote URLs
        (``s3://…``, ``https://…``) are passed to the engine unchecked.
    engine : {"duckdb", "polars"}, default "duckdb"
        Engine that scans the files and, later, runs the aggregation.
    columns : sequence of str, optional
        Columns to read (your names, before any ``columns=`` mapping of the
        aggregation); all columns when omitted. See :data:`LIFE_TABLE_CUSTOMER_COLUMNS`,
        :data:`LIFE_TABLE_RESPONSE_COLUMNS` and :data:`NPS_RESPONSE_COLUMNS`.
    connection : duckdb.DuckDBPyConnection, optional
        DuckDB connection to scan with (e.g. one made with
        ``duckdb.connect(config={"memory_limit": "1GB", "threads": 2})``); DuckDB's
        default connection when omitted. Tables that are joined (customers and
        responses) must come from the same connection. Ignored for polars.

    Returns
    -------
    duckdb.DuckDBPyRelation or polars.LazyFrame
        A lazy native frame with exactly ``columns``, which every aggregation of
        :mod:`cx_economics.tables` accepts.

    Raises
    ------
    CxDataError
        ``path`` names no Parquet file, ``columns`` names a column the files lack (or
        repeats one), or ``engine`` is unknown.
    ImportError
        The engine package is not installed (the message says which extra to install).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables.nps_counts import nps_counts
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> simulate(500, seed=1).responses.to_parquet(folder / "responses.parquet")
    >>> relation = scan_parquet(folder, engine="duckdb", columns=["channel", "score"])
    >>> relation.columns
    ['channel', 'score']
    >>> nps_counts(relation, by="channel").n_total == len(simulate(500, seed=1).responses)
    True
    >>> lazy = scan_parquet(folder / "responses.parquet", engine="polars", columns=["score"])
    >>> type(lazy).__name__
    'LazyFrame'
    """
    if engine not in _SCAN_ENGINES:
        raise CxDataError(f"`engine` must be one of {list(_SCAN_ENGINES)}, got {engine!r}")
    files = _sources(path)
    if engine == "duckdb":
        return _scan_duckdb(files, columns, connection)
    return _scan_polars(files, columns)


# --------------------------------------------------------------------------- narwhals helpers


def engine_name(frame: Any) -> str:
    """Name of the engine that holds ``frame``.

    Parameters
    ----------
    frame : pandas, polars, pyarrow, DuckDB, PySpark (or other narwhals-supported) frame
        A native frame, or a narwhals frame wrapping one.

    Returns
    -------
    str
        ``"pandas"``, ``"polars"``, ``"pyarrow"``, ``"duckdb"``, ``"pyspark"``, … (the
        lower-case name narwhals gives the backend).

    Raises
    ------
    CxDataError
        ``frame`` is not a data frame narwhals knows.

    Examples
    --------
    >>> import pandas as pd
    >>> engine_name(pd.DataFrame({"score": [9, 10]}))
    'pandas'
    """
    wrapped = frame if isinstance(frame, nw.DataFrame | nw.LazyFrame) else _wrap(frame, "frame")
    return str(wrapped.implementation.name.lower())


def _wrap(native: Any, name: str) -> Any:
    try:
        return nw.from_native(native)
    except TypeError:
        raise CxDataError(
            f"`{name}` must be a pandas, polars, pyarrow, DuckDB or PySpark frame, "
            f"got {type(native).__name__}"
        ) from None


def as_lazy(native: Any, name: str) -> nw.LazyFrame[Any]:
    """Wrap any supported frame as a narwhals ``LazyFrame``, without collecting it.

    Eager frames (pandas, polars, pyarrow) become lazy over the same data; DuckDB
    relations, polars ``LazyFrame`` and PySpark DataFrames stay in their engine.

    Parameters
    ----------
    native : data frame
        The user's frame (or a narwhals frame).
    name : str
        The argument's name, for error messages (e.g. ``"customers"``).

    Returns
    -------
    narwhals.LazyFrame

    Raises
    ------
    CxDataError
        ``native`` is not a frame narwhals supports (the message names ``name``).

    Examples
    --------
    >>> import pandas as pd
    >>> as_lazy(pd.DataFrame({"score": [9, 10]}), "responses").collect_schema().names()
    ['score']
    """
    wrapped = native if isinstance(native, nw.DataFrame | nw.LazyFrame) else _wrap(native, name)
    lazy: nw.LazyFrame[Any] = wrapped.lazy()
    return lazy


def require_columns(frame: Any, needed: Sequence[str], name: str) -> None:
    """Raise naming the missing columns when ``frame`` lacks any of ``needed``.

    Only the schema is read (no pass over rows, in any engine).

    Parameters
    ----------
    frame : narwhals DataFrame or LazyFrame
        The wrapped frame.
    needed : sequence of str
        Column names that must be present.
    name : str
        The argument's name, for the message.

    Raises
    ------
    CxDataError
        Listing the missing columns and the columns the frame has.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = as_lazy(pd.DataFrame({"score": [9]}), "responses")
    >>> require_columns(frame, ["score"], "responses")
    >>> try:
    ...     require_columns(frame, ["score", "channel"], "responses")
    ... except ValueError as error:
    ...     print(error)
    `responses` lacks column(s) `channel`; its columns are ['score']
    """
    present = frame.collect_schema().names()
    missing = [c for c in needed if c not in present]
    if missing:
        raise CxDataError(
            f"`{name}` lacks column(s) {', '.join(f'`{c}`' for c in missing)}; "
            f"its columns are {present}"
        )


def indicator(condition: nw.Expr) -> nw.Expr:
    """0/1 integer column that is 1 where ``condition`` holds (missing counts as 0).

    Derive it with ``with_columns`` before a ``group_by().agg(nw.col(...).sum())``:
    summing a plain column is the only aggregation pandas and pyarrow run natively
    per group, and PySpark refuses to sum booleans.

    Parameters
    ----------
    condition : narwhals.Expr
        A boolean expression, e.g. ``nw.col("score") >= 9``.

    Returns
    -------
    narwhals.Expr
        Int64 expression, 1 or 0 per row.

    Examples
    --------
    >>> import narwhals as nw, pandas as pd
    >>> frame = as_lazy(pd.DataFrame({"channel": ["web", "web", "chat"],
    ...                               "score": [3, 9, 10]}), "responses")
    >>> counts = (frame.with_columns(indicator(nw.col("score") >= 9).alias("promoter"))
    ...           .group_by("channel").agg(nw.col("promoter").sum()).sort("channel"))
    >>> collect_pandas(counts)["promoter"].tolist()
    [1, 1]
    """
    return condition.fill_null(value=False).cast(nw.Int64)


def count_true(condition: nw.Expr) -> nw.Expr:
    """Aggregation counting the rows where ``condition`` holds, in every engine.

    ``condition.sum()`` works in pandas, polars and DuckDB but PySpark refuses to sum
    a boolean; casting to an integer first works everywhere. Missing values count as
    not true. Use it in a whole-table ``select`` (e.g. counting bad rows for a check);
    per group, sum an :func:`indicator` column instead.

    Parameters
    ----------
    condition : narwhals.Expr
        A boolean expression, e.g. ``nw.col("score").is_null()``.

    Returns
    -------
    narwhals.Expr
        An aggregation giving the count (rows, int) in a ``select``.

    Examples
    --------
    >>> import narwhals as nw, pandas as pd
    >>> frame = as_lazy(pd.DataFrame({"score": [3, 9, 10]}), "responses")
    >>> int(frame.select(count_true(nw.col("score") >= 9)).collect().item())
    2
    """
    return indicator(condition).sum()


def naive_utc(frame: Any, column: str) -> Any:
    """``column`` as a time-zone-naive UTC datetime when it carries a time zone.

    The pandas path converts time-zone-aware dates to UTC and drops the zone
    (:mod:`cx_economics.data.schemas`); this does the same inside any narwhals engine, so
    cut-offs (naive dates) compare and periods fall in the same months everywhere.
    Frames whose column has no time zone are returned unchanged.

    Parameters
    ----------
    frame : narwhals.DataFrame or narwhals.LazyFrame
    column : str
        A date or datetime column.

    Returns
    -------
    narwhals.DataFrame or narwhals.LazyFrame
        The frame, with ``column`` naive UTC where it was zoned.

    Examples
    --------
    >>> import pandas as pd
    >>> helsinki = pd.to_datetime(["2025-01-01 01:30"]).tz_localize("Europe/Helsinki")
    >>> out = naive_utc(as_lazy(pd.DataFrame({"d": helsinki}), "responses"), "d").collect()
    >>> out["d"].dtype.time_zone, str(out["d"].to_list()[0])
    (None, '2024-12-31 23:30:00')
    """
    dtype = frame.collect_schema()[column]
    zone = getattr(dtype, "time_zone", None) if dtype == nw.Datetime else None
    if not zone:
        return frame
    date = nw.col(column)
    if zone not in ("UTC", "Etc/UTC"):  # DuckDB's TIMESTAMPTZ reads as the (UTC) session zone
        date = date.dt.convert_time_zone("UTC")
    return frame.with_columns(date.dt.replace_time_zone(None).alias(column))


def require_same_key_type(customers: Any, other: Any, table: str, key: str = "customer_id") -> None:
    """Refuse to join ``other`` to ``customers`` on ``key`` when the types cannot match.

    Ids read as text in one table and as numbers in the other (``"17"`` against
    ``17``) never match: without this check every row of ``other`` would look like a
    stranger, or pandas would stop with a ``MergeError``. Integers of different widths
    are compatible.

    Parameters
    ----------
    customers, other : narwhals.DataFrame or narwhals.LazyFrame
        The customers table and the table joined to it, each with column ``key``.
    table : str
        Name of ``other`` in the message (``"responses"``, ``"contacts"``).
    key : str, default "customer_id"
        The join column.

    Raises
    ------
    CxDataError
        Naming both tables' types of ``key``.

    Examples
    --------
    >>> import pandas as pd
    >>> ours = as_lazy(pd.DataFrame({"customer_id": [1, 2]}), "customers")
    >>> theirs = as_lazy(pd.DataFrame({"customer_id": ["1", "2"]}), "contacts")
    >>> require_same_key_type(ours, theirs, "contacts")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: `customer_id` is Int64 in `customers` but String in
    `contacts`; give both tables the same id type so they can be joined
    """
    ours = customers.collect_schema()[key]
    theirs = other.collect_schema()[key]
    if ours != theirs and not (ours.is_integer() and theirs.is_integer()):
        raise CxDataError(
            f"`{key}` is {ours} in `customers` but {theirs} in `{table}`; "
            "give both tables the same id type so they can be joined"
        )


def collect_pandas(frame: Any) -> pd.DataFrame:
    """Run a (small) narwhals frame in its engine and return the result as pandas.

    Call it only on aggregated tables: this is where rows come back to Python.

    Parameters
    ----------
    frame : narwhals DataFrame or LazyFrame
        Typically the result of a ``group_by().agg()``.

    Returns
    -------
    pandas.DataFrame
        With a fresh ``RangeIndex``.

    Examples
    --------
    >>> import narwhals as nw, pandas as pd
    >>> frame = as_lazy(pd.DataFrame({"channel": ["web", "web", "chat"]}), "responses")
    >>> collect_pandas(frame.group_by("channel").agg(nw.len()).sort("channel"))["len"].tolist()
    [1, 2]
    """
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    out: pd.DataFrame = eager.to_pandas().reset_index(drop=True)
    return out


def seconds_between(frame: Any, end: nw.Expr, start: nw.Expr) -> nw.Expr:
    """Seconds (float) from ``start`` to ``end``, two datetime expressions, in ``frame``'s engine.

    PySpark has no duration type in narwhals; there a timestamp cast to a number is its
    epoch in seconds (read in the session's time zone: run Spark in UTC, as the
    library's dates are). Elsewhere the difference's ``total_seconds``.

    Examples
    --------
    >>> import pandas as pd
    >>> lazy = nw.from_native(pd.DataFrame({"a": pd.to_datetime(["2025-01-01"]),
    ...                                     "b": pd.to_datetime(["2025-01-02"])})).lazy()
    >>> gap = seconds_between(lazy, nw.col("b"), nw.col("a"))
    >>> float(lazy.select(gap.alias("s")).collect()["s"].item())
    86400.0
    """
    native = frame.to_native() if isinstance(frame, nw.LazyFrame | nw.DataFrame) else frame
    if engine_name(native) == "pyspark":
        zoned = nw.Datetime(time_zone="UTC")  # naive timestamps cannot become numbers there
        return end.cast(zoned).cast(nw.Float64) - start.cast(zoned).cast(nw.Float64)
    return (end - start).dt.total_seconds().cast(nw.Float64)
