"""Reading a company's exports: CSV (any separator, decimal, encoding), Parquet, Excel.

Real exports are not the library's canonical tables: semicolons and decimal commas,
dates as ``25.08.2022``, flags as ``kyllä``/``ei``, files saved by Excel in cp1252,
their own column names. :func:`read_table` reads one file with those settings stated
(:class:`ReadOptions`), renames the columns to the canonical ones and converts dates
and flags by the stated rule, so the validators in :mod:`cx_economics.data.schemas`
see canonical values. Nothing is guessed silently: an encoding that is not UTF-8 is
read as cp1252 with a warning naming the setting; a date that does not match the
stated format is an error naming the column, the setting and the file's line numbers.

Rows keep their line numbers in the file (the header is line 1, the first row line 2)
as the frame's index, so every later error that names rows names the lines a user
sees in a text editor or spreadsheet.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.schemas import (
    CHANNEL_COSTS_SCHEMA,
    CONTACTS_SCHEMA,
    CUSTOMERS_SCHEMA,
    RESPONSES_SCHEMA,
    TableSchema,
)

__all__ = ["SCHEMAS", "ReadOptions", "read_table", "same_id_type"]

#: The canonical schema of each table a run reads, by the table's name.
SCHEMAS: Mapping[str, TableSchema] = {
    "customers": CUSTOMERS_SCHEMA,
    "responses": RESPONSES_SCHEMA,
    "contacts": CONTACTS_SCHEMA,
    "costs": CHANNEL_COSTS_SCHEMA,
}

#: The encoding read when a file is not UTF-8 (Excel's "CSV" on Western European Windows).
FALLBACK_ENCODING = "cp1252"


class FileTypeError(Exception):
    """A file of a type not read, or one that needs a package not installed (says which)."""


@dataclass(frozen=True)
class ReadOptions:
    """How a company's files are written.

    Parameters
    ----------
    encoding : str, optional
        Text encoding of CSV files (``"utf-8"``, ``"cp1252"``, ``"latin-1"``…). By
        default UTF-8 (with or without a byte-order mark), else cp1252 with a warning.
    separator : str, optional
        CSV field separator; by default ``;`` when the header has more semicolons
        than commas, else ``,``.
    decimal : str, optional
        Decimal mark of numbers; by default ``,`` with ``;`` separators, else ``.``.
    thousands : str, optional
        Thousands separator of numbers (e.g. ``" "``); none by default.
    date_format : str, optional
        ``strftime`` format of the date columns, e.g. ``"%d.%m.%Y"`` for 25.08.2022;
        by default only ISO 8601 (``2022-08-25``) is accepted, never guessed.
    true_words, false_words : sequence of str
        Words that mean true and false in flag columns such as ``churned``
        (compared without case or surrounding spaces), e.g. ``("kyllä",)`` and
        ``("ei",)``; ``1``/``0`` and booleans are always understood.
    sheets : mapping table → sheet, optional
        Excel sheet (name or 0-based position) per table; the first sheet by default.

    Examples
    --------
    >>> ReadOptions(date_format="%d.%m.%Y", true_words=("kyllä",), false_words=("ei",))
    ... # doctest: +ELLIPSIS
    ReadOptions(encoding=None, separator=None, decimal=None, thousands=None, ...)
    """

    encoding: str | None = None
    separator: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    date_format: str | None = None
    true_words: tuple[str, ...] = ()
    false_words: tuple[str, ...] = ()
    sheets: Mapping[str, str | int] | None = None

    def __post_init__(self) -> None:
        for name in ("true_words", "false_words"):
            words = getattr(self, name)
            if isinstance(words, str) or not all(isinstance(w, str) and w for w in words):
                raise CxDataError(
                    f"`{name}` must be a list of words, e.g. ['kyllä', 'yes']; got {words!r}"
                )
            object.__setattr__(self, name, tuple(words))
        clash = {w.strip().lower() for w in self.true_words} & {
            w.strip().lower() for w in self.false_words
        }
        if clash:
            raise CxDataError(f"`true_words` and `false_words` share {sorted(clash)}")
        if self.date_format is not None:
            _check_date_format(self.date_format)
        marks = {"separator": self.separator, "decimal": self.decimal, "thousands": self.thousands}
        given = {k: v for k, v in marks.items() if v is not None}
        if len(set(given.values())) < len(given):
            raise CxDataError(
                f"`separator`, `decimal` and `thousands` must differ; got {given} (a number "
                "like 1.234,5 has thousands '.' and decimal ',')"
            )
        for table, sheet in (self.sheets or {}).items():
            if isinstance(sheet, bool) or not isinstance(sheet, str | int):
                raise CxDataError(
                    f"`sheets.{table}` must be a sheet's name or its position (0 the first), "
                    f"got {sheet!r}"
                )


def _check_date_format(date_format: str) -> None:
    """Refuse a format without directives, or one ``strptime`` cannot read back."""
    import datetime as dt

    sample = dt.datetime(2024, 8, 25, 13, 45, 30)
    try:
        ok = "%" in date_format and bool(
            dt.datetime.strptime(sample.strftime(date_format), date_format)
        )
    except ValueError:
        ok = False
    if not ok:
        raise CxDataError(
            f"`date_format` must be a strftime format such as '%d.%m.%Y' (25.08.2022) or "
            f"'%Y-%m-%d'; got {date_format!r}"
        )


def read_table(
    path: str | Path,
    what: str,
    *,
    options: ReadOptions | None = None,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    r"""Read a CSV, Parquet or Excel file as a table with canonical column names.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.csv``/``.txt``, ``.parquet``/``.pq`` (needs pyarrow) or ``.xlsx`` (needs
        openpyxl: ``pip install "cx-economics-toolkit[excel]"``).
    what : str
        The table: ``"customers"``, ``"responses"``, ``"contacts"`` or ``"costs"``;
        names it in messages and chooses its date and flag columns.
    options : ReadOptions, optional
        How the file is written (defaults: see :class:`ReadOptions`).
    columns : mapping canonical → yours, optional
        Your column names, e.g. ``{"customer_id": "asiakas_id"}``; renamed to the
        canonical ones.

    Returns
    -------
    pandas.DataFrame
        Canonical names, dates as timestamps (with ``date_format``), flags as
        booleans (with the words), indexed by the file's line numbers.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    FileTypeError
        The file type is not read, or needs a package that is not installed.
    CxDataError
        The file cannot be decoded or parsed, a mapped column is missing, or a date
        or a flag does not follow the stated rule (column, setting, lines named).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "asiakkaat.csv"
    >>> _ = path.write_bytes("asiakas_id;irtisanottu;liittymispäivä\n7;kyllä;25.08.2022\n"
    ...                      .encode("cp1252"))
    >>> options = ReadOptions(date_format="%d.%m.%Y", true_words=("kyllä",), false_words=("ei",))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     frame = read_table(path, "customers", options=options, columns={
    ...         "customer_id": "asiakas_id", "churned": "irtisanottu",
    ...         "start_date": "liittymispäivä"})
    >>> frame.to_dict("records")
    [{'customer_id': 7, 'churned': True, 'start_date': Timestamp('2022-08-25 00:00:00')}]
    >>> frame.index.tolist()  # the line in the file
    [2]
    """
    options = options or ReadOptions()
    schema = _schema(what)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, f"{what} file not found", str(path))
    ids = dict(columns or {}).get("customer_id", "customer_id")
    frame, marks = _read_raw(path, what, options, ids)
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # header on line 1
    frame = _renamed(frame, what, schema, path, columns)
    if marks is not None:  # text from a CSV: numbers as the file writes them
        keep = {c.name for c in schema.columns if c.kind in ("date", "id", "str", "reasons")}
        frame = _numbers(frame, *marks, keep_text=keep)
    frame = _ids_as_numbers_unless_padded(frame)
    theirs = dict(columns or {})
    frame = _dates(frame, what, schema, options, theirs)
    return _flags(frame, what, schema, options, theirs)


def _schema(what: str) -> TableSchema:
    if what not in SCHEMAS:
        raise CxDataError(f"unknown table {what!r}; the tables are {list(SCHEMAS)}")
    return SCHEMAS[what]


def _read_raw(
    path: Path, what: str, options: ReadOptions, ids: str
) -> tuple[pd.DataFrame, tuple[str, str | None] | None]:
    """The file's frame, and for a CSV (read as text) its decimal and thousands marks."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            return _read_csv(path, what, options)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path), None
        if suffix in (".xlsx", ".xlsm"):
            return _read_excel(path, what, options, ids), None
    except CxDataError:
        raise
    except ImportError as exc:
        kind, extra = ("Excel", "excel") if suffix.startswith(".xls") else ("Parquet", "parquet")
        raise FileTypeError(
            f"reading {kind} needs a package that is not installed ({exc}); install it "
            f"with pip install 'cx-economics-toolkit[{extra}]', or save the file as CSV"
        ) from None
    except (ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CxDataError(f"`{what}` file {path} cannot be read as {suffix[1:]}: {first}") from None
    raise FileTypeError(
        f"`{what}` file {path}: unknown file type {suffix or '(none)'!r}; use .csv, "
        ".parquet or .xlsx"
    )


def _read_excel(path: Path, what: str, options: ReadOptions, ids: str) -> pd.DataFrame:
    """One sheet (the table's in ``sheets``, else the first), ids kept as written."""
    sheet = (options.sheets or {}).get(what, 0)
    book = pd.ExcelFile(path)
    names = list(book.sheet_names)
    if isinstance(sheet, str) and sheet not in names:
        raise CxDataError(f"`{what}` file {path} has no sheet {sheet!r}; its sheets are {names}")
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        raise CxDataError(
            f"`{what}` file {path} has {len(names)} sheet(s) {names}; position {sheet} is none"
        )
    return pd.read_excel(book, sheet_name=sheet, dtype={ids: str})


def _read_csv(
    path: Path, what: str, options: ReadOptions
) -> tuple[pd.DataFrame, tuple[str, str | None]]:
    raw = path.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") and options.encoding is None:
        raw = raw.decode("utf-16").encode("utf-8")  # Excel's "Unicode text"
    encoding = options.encoding or _detect_encoding(raw, path, what)
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        line = raw[: getattr(exc, "start", 0)].count(b"\n") + 1
        raise CxDataError(
            f"`{what}` file {path} is not {encoding} text (line {line}: {exc}); set the "
            "run file's `encoding` (e.g. 'cp1252' for Excel on Windows, 'utf-8')"
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise CxDataError(f"`{what}` file {path} is empty")
    header = text.split("\n", 1)[0]
    separator = options.separator or (";" if header.count(";") > header.count(",") else ",")
    decimal = options.decimal or ("," if separator == ";" else ".")
    import csv
    from io import StringIO

    rows = csv.reader(StringIO(text), delimiter=separator)
    names = [n.strip() for n in next(rows)]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise CxDataError(f"`{what}` file {path}: the header names {repeated} more than once")
    for line, fields in enumerate(rows, start=2):
        if len(fields) > len(names) and any(f.strip() for f in fields[len(names) :]):
            raise CxDataError(
                f"`{what}` file {path}: line {line} has {len(fields)} fields, the header "
                f"{len(names)} (a separator too many, or `separator` is not {separator!r}?)"
            )
    frame = pd.read_csv(
        StringIO(text),
        sep=separator,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        index_col=False,
    )
    return frame, (decimal, options.thousands)


def _detect_encoding(raw: bytes, path: Path, what: str) -> str:
    """UTF-8 (a byte-order mark or not) when the bytes decode, else cp1252 with a warning."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        warnings.warn(
            f"`{what}` file {path} is not UTF-8; read as {FALLBACK_ENCODING} (Excel on "
            "Windows). If letters such as ä or ö look wrong, set the run file's `encoding`",
            CxAssumptionWarning,
            stacklevel=4,
        )
        return FALLBACK_ENCODING
    return "utf-8"


def _numbers(
    frame: pd.DataFrame, decimal: str, thousands: str | None, *, keep_text: set[str]
) -> pd.DataFrame:
    """Columns whose every value is a number written with the file's marks, as numbers.

    Columns of only ``true``/``false`` (any case) become booleans, as pandas reads them.
    Read as text first so that ids with leading zeros and dates stay as written; the
    columns in ``keep_text`` (ids, dates, names) are left as text.
    """
    out = frame.copy()
    for column in out.columns:
        if column not in keep_text:
            converted = _number_column(out[column], decimal, thousands)
            if converted is not None:
                out[column] = converted
    return out


def _number_column(raw: pd.Series, decimal: str, thousands: str | None) -> pd.Series | None:
    """``raw`` (text) as integers, floats or booleans when all of it reads so, else None."""
    values = raw.dropna().str.strip()
    complete = bool(raw.notna().all())
    if values.empty:
        return None
    if values.str.fullmatch(r"-?(0|[1-9]\d{0,17})").all() and complete:
        return values.astype(np.int64)  # whole numbers exactly, not via float
    if values.str.lower().isin(("true", "false")).all():  # as pandas reads them
        flags = (raw.str.strip().str.lower() == "true").where(raw.notna())
        return flags.astype(bool) if complete else flags
    plain = values
    if thousands:
        plain = plain.str.replace(thousands, "", regex=False)
    if decimal != ".":
        plain = plain.str.replace(".", "\x00", regex=False).str.replace(decimal, ".")
    numbers = pd.to_numeric(plain, errors="coerce")
    if numbers.isna().any() or values.str.fullmatch(r"0\d+").any():
        return None
    converted = pd.Series(np.nan, index=raw.index, dtype=np.float64)
    converted[numbers.index] = numbers.to_numpy(np.float64)
    return converted


def _renamed(
    frame: pd.DataFrame,
    what: str,
    schema: TableSchema,
    path: Path,
    columns: Mapping[str, str] | None,
) -> pd.DataFrame:
    mapping = dict(columns or {})
    unknown = sorted(set(mapping) - set(schema.names))
    if unknown:
        raise CxDataError(
            f"`columns.{what}` names {unknown}, which are not columns of {what}; its "
            f"columns are {list(schema.names)}"
        )
    mapping = {ours: theirs.strip() for ours, theirs in mapping.items()}
    shared = sorted({v for v in mapping.values() if list(mapping.values()).count(v) > 1})
    if shared:
        raise CxDataError(
            f"`columns.{what}` maps more than one column to your {shared}; each of your "
            "columns can be one of ours"
        )
    frame = frame.rename(columns=lambda c: str(c).strip())
    clash = [o for o, t in mapping.items() if o != t and o in frame.columns]
    if clash:
        raise CxDataError(
            f"`columns.{what}` maps {clash} to other columns of file {path}, which has "
            f"columns named {clash} too; drop or rename those, or remove the mapping"
        )
    absent = {k: v for k, v in mapping.items() if v not in frame.columns}
    if absent:
        raise CxDataError(
            f"`columns.{what}` maps {absent}, but file {path} has no such column; its "
            f"columns are {list(map(str, frame.columns))}"
        )
    return frame.rename(columns={theirs: ours for ours, theirs in mapping.items()})


def _ids_as_numbers_unless_padded(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole-number ids as integers, unless one is written with leading zeros.

    ``0001`` and ``01`` are two customers written as text; read as numbers both would
    be 1. So ids stay text when any of them has a leading zero (or is not a whole
    number), and become integers otherwise.
    """
    if "customer_id" not in frame:
        return frame
    ids = frame["customer_id"]
    text = ids.dropna().astype(str).str.strip()
    numeric = text.str.fullmatch(r"-?(0|[1-9][0-9]{0,17})").all()
    if numeric and ids.notna().all():
        return frame.assign(customer_id=text.astype(np.int64))
    return frame.assign(customer_id=ids.where(ids.isna(), ids.astype(str).str.strip()))


def _named(column: str, theirs: Mapping[str, str]) -> str:
    """``column`` with the user's own name for it, when they call it otherwise."""
    return f"`{column}` (your `{theirs[column]}`)" if column in theirs else f"`{column}`"


def _dates(
    frame: pd.DataFrame,
    what: str,
    schema: TableSchema,
    options: ReadOptions,
    theirs: Mapping[str, str],
) -> pd.DataFrame:
    if options.date_format is None:
        return frame
    out = frame.copy()
    for spec in schema.columns:
        if spec.kind != "date" or spec.name not in out:
            continue
        raw = out[spec.name]
        if pd.api.types.is_datetime64_any_dtype(raw):
            continue  # Excel and Parquet dates are dates already
        text = raw.astype("string").str.strip()
        parsed = pd.to_datetime(text, format=options.date_format, errors="coerce")
        bad = text.notna() & (text != "") & parsed.isna()
        if bad.any():
            lines = list(out.index[bad.to_numpy()][:3])
            raise CxDataError(
                f"`{what}`: {_named(spec.name, theirs)} does not follow the date_format "
                f"{options.date_format!r} in {int(bad.sum()):,} rows (lines {lines}, e.g. "
                f"{text[bad].iloc[0]!r}); set `date_format` to how the file writes dates, "
                "e.g. '%d.%m.%Y' for 25.08.2022 or '%Y-%m-%d' for 2022-08-25"
            )
        out[spec.name] = parsed
    return out


def _flags(
    frame: pd.DataFrame,
    what: str,
    schema: TableSchema,
    options: ReadOptions,
    theirs: Mapping[str, str],
) -> pd.DataFrame:
    if not options.true_words and not options.false_words:
        return frame
    true = {w.strip().lower() for w in (*options.true_words, "1", "1.0", "true")}
    false = {w.strip().lower() for w in (*options.false_words, "0", "0.0", "false")}
    out = frame.copy()
    for spec in schema.columns:
        if spec.kind != "bool" or spec.name not in out:
            continue
        raw = out[spec.name]
        if pd.api.types.is_bool_dtype(raw):
            continue
        text = raw.astype("string").str.strip().str.lower()
        is_true, is_false = text.isin(true), text.isin(false)
        bad = raw.notna() & ~(is_true | is_false)
        if bad.any():
            lines = list(out.index[bad.to_numpy()][:3])
            words = sorted({str(v) for v in raw[bad].head(3)})
            raise CxDataError(
                f"`{what}`: {_named(spec.name, theirs)} holds {words} in "
                f"{int(bad.sum()):,} rows (lines {lines}), which are neither `true_words` "
                f"{list(options.true_words)} nor `false_words` {list(options.false_words)}; "
                "add them to the run file"
            )
        out[spec.name] = pd.Series(is_true.to_numpy(bool), index=out.index).where(raw.notna())
        if raw.notna().all():
            out[spec.name] = out[spec.name].astype(bool)
    return out


def same_id_type(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables with ``customer_id`` as text in all of them when it is text in one.

    Each file's ids become integers unless one is written with leading zeros; a
    customers file with ``0001…`` (text) beside a responses file whose ids all happen
    to be ``1000`` or more (integers) would then match no answer. Text everywhere keeps
    ``"1000"`` equal to ``"1000"``.

    Examples
    --------
    >>> tables = {"customers": pd.DataFrame({"customer_id": ["0999", "1000"]}),
    ...           "responses": pd.DataFrame({"customer_id": [1000, 1000]})}
    >>> same_id_type(tables)["responses"]["customer_id"].tolist()
    ['1000', '1000']
    """
    text = any(
        "customer_id" in t and not pd.api.types.is_numeric_dtype(t["customer_id"])
        for t in tables.values()
    )
    out = {}
    for name, table in tables.items():
        if text and "customer_id" in table and pd.api.types.is_numeric_dtype(table["customer_id"]):
            ids = table["customer_id"]
            table = table.assign(customer_id=ids.astype("Int64").astype(str).where(ids.notna()))
        out[name] = table
    return out
