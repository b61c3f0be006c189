"""The run file: one TOML file from a company's exports to the report.

``cx-economics report --config run.toml`` reads everything a run needs from it: where
the files are, their columns, how they are written (encoding, separators, date format,
the words for true and false), the cut-off, the language and output folder, strict
mode and the finance assumptions. Every command-line flag overrides the file.
``cx-economics init`` writes a commented template from the headers of the files.

An example (paths relative to the run file's folder)::

    [files]
    customers = "asiakkaat.csv"
    responses = "vastaukset.csv"
    contacts = "yhteydenotot.xlsx"

    [read]
    encoding = "cp1252"
    separator = ";"
    decimal = ","
    date_format = "%d.%m.%Y"
    true_words = ["kyllä"]
    false_words = ["ei"]

    [columns.customers]
    customer_id = "asiakas_id"
    start_date = "liittymispäivä"

    [report]
    out = "raportti"
    language = "fi"
    as_of = "2025-12-31"
    strict = true

    [assumptions]
    currency = "EUR"
    horizon_months = 60
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.assumptions import Assumptions, load_assumptions
from cx_economics.data.files import SCHEMAS, ReadOptions
from cx_economics.presentation.formatting import Language

__all__ = ["RunFile", "load_run_file", "run_file_template"]

_SECTIONS = ("files", "read", "columns", "report", "assumptions")
_READ_KEYS = (
    "encoding",
    "separator",
    "decimal",
    "thousands",
    "date_format",
    "true_words",
    "false_words",
    "sheets",
)
_REPORT_KEYS = ("out", "language", "as_of", "strict", "seed", "adjust_for", "assumptions_file")


@dataclass(frozen=True)
class RunFile:
    """A validated run file (see the module docstring for its sections).

    Attributes
    ----------
    files : mapping table → path
        ``customers`` and ``responses`` always; ``contacts`` and ``costs`` when given.
    columns : mapping table → (canonical → yours)
        Column mapping per table.
    read : ReadOptions
        How the files are written.
    out, language, as_of, strict, seed, adjust_for
        The report's settings; None where the file leaves them to the defaults.
    assumptions : Assumptions or None
        From ``[assumptions]`` or ``report.assumptions_file``.

    Examples
    --------
    Made by :func:`load_run_file`; flags override its fields:

    >>> run = RunFile(files={"customers": Path("c.csv"), "responses": Path("r.csv")},
    ...               language="fi")
    >>> run.language, run.read.date_format, run.out
    ('fi', None, None)
    """

    files: Mapping[str, Path]
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    read: ReadOptions = field(default_factory=ReadOptions)
    out: Path | None = None
    language: Language | None = None
    as_of: str | None = None
    strict: bool | None = None
    seed: int | None = None
    adjust_for: tuple[str, ...] | None = None
    assumptions: Assumptions | None = None


def load_run_file(path: str | Path) -> RunFile:
    r"""Read and validate a run file; unknown sections or keys list the valid ones.

    Parameters
    ----------
    path : str or pathlib.Path
        The TOML file. Relative paths inside it are read from its folder.

    Returns
    -------
    RunFile

    Raises
    ------
    FileNotFoundError
        The run file does not exist.
    CxDataError
        It is not TOML, or a section, key or value is wrong (named, with the valid ones).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "run.toml").write_text(
    ...     '[files]\ncustomers = "c.csv"\nresponses = "r.csv"\n'
    ...     '[read]\ndate_format = "%d.%m.%Y"\n[report]\nlanguage = "fi"\n', encoding="utf-8")
    >>> run = load_run_file(folder / "run.toml")
    >>> run.files["customers"] == folder / "c.csv", run.read.date_format, run.language
    (True, '%d.%m.%Y', 'fi')
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, "run file not found", str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CxDataError(f"run file {path} is not valid UTF-8 TOML: {exc}") from None
    where = f"run file {path}"
    _known(data, _SECTIONS, where)
    for name in ("files", "read", "columns", "report"):
        if not isinstance(data.get(name, {}), dict):
            raise CxDataError(f"{where}: `{name}` must be a [{name}] section")
    base = path.parent
    files = _files(data.get("files", {}), where, base)
    columns = _columns(data.get("columns", {}), where)
    read_section = data.get("read", {})
    _known(read_section, _READ_KEYS, f"{where} [read]")
    sheets = read_section.get("sheets")
    if sheets is not None:
        if not isinstance(sheets, dict):
            raise CxDataError(f"{where} [read]: `sheets` must be a table, e.g. contacts = 'Taul1'")
        _known(sheets, tuple(SCHEMAS), f"{where} [read.sheets]")
    for key in ("encoding", "separator", "decimal", "thousands", "date_format"):
        if key in read_section and not isinstance(read_section[key], str):
            raise CxDataError(f"{where} [read]: `{key}` must be text, got {read_section[key]!r}")
    read = ReadOptions(
        encoding=read_section.get("encoding"),
        separator=read_section.get("separator"),
        decimal=read_section.get("decimal"),
        thousands=read_section.get("thousands"),
        date_format=read_section.get("date_format"),
        true_words=tuple(_words(read_section, "true_words", where)),
        false_words=tuple(_words(read_section, "false_words", where)),
        sheets=sheets,
    )
    report = data.get("report", {})
    _known(report, _REPORT_KEYS, f"{where} [report]")
    assumptions = _assumptions(data, report, where, base)
    adjust = report.get("adjust_for")
    if adjust is not None and (
        not isinstance(adjust, list) or not all(isinstance(c, str) for c in adjust)
    ):
        raise CxDataError(f"{where} [report]: `adjust_for` must be a list of column names")
    return RunFile(
        files=files,
        columns=columns,
        read=read,
        out=None if report.get("out") is None else base / _text(report, "out", where),
        language=cast(Language | None, _choice(report, "language", ("en", "fi"), where)),
        as_of=None if report.get("as_of") is None else str(report["as_of"]),
        strict=_typed(report, "strict", bool, where),
        seed=_typed(report, "seed", int, where),
        adjust_for=None if adjust is None else tuple(adjust),
        assumptions=assumptions,
    )


def _known(section: Mapping[str, Any], valid: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(section) - set(valid))
    if unknown:
        raise CxDataError(f"{where}: unknown key(s) {unknown}; valid keys are {list(valid)}")


def _files(section: Mapping[str, Any], where: str, base: Path) -> dict[str, Path]:
    _known(section, tuple(SCHEMAS), f"{where} [files]")
    missing = [t for t in ("customers", "responses") if t not in section]
    if missing:
        raise CxDataError(f"{where} [files]: {missing} must be given (the path of each file)")
    return {table: base / _text(section, table, f"{where} [files]") for table in section}


def _columns(section: Mapping[str, Any], where: str) -> dict[str, dict[str, str]]:
    _known(section, tuple(SCHEMAS), f"{where} [columns]")
    out: dict[str, dict[str, str]] = {}
    for table, mapping in section.items():
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise CxDataError(
                f"{where}: [columns.{table}] must map canonical names to your column "
                'names, e.g. customer_id = "asiakas_id"'
            )
        _known(mapping, SCHEMAS[table].names, f"{where} [columns.{table}]")
        out[table] = dict(mapping)
    return out


def _words(section: Mapping[str, Any], key: str, where: str) -> list[str]:
    words = section.get(key, [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise CxDataError(f"{where} [read]: `{key}` must be a list of words, e.g. ['kyllä']")
    return words


def _assumptions(
    data: Mapping[str, Any], report: Mapping[str, Any], where: str, base: Path
) -> Assumptions | None:
    inline, referenced = data.get("assumptions"), report.get("assumptions_file")
    if inline is not None and referenced is not None:
        raise CxDataError(
            f"{where}: give the assumptions either as [assumptions] or as "
            "report.assumptions_file, not both"
        )
    if inline is not None:
        if not isinstance(inline, dict):
            raise CxDataError(f"{where}: `assumptions` must be an [assumptions] section")
        return load_assumptions(inline)
    if referenced is not None:
        file = base / _text(report, "assumptions_file", f"{where} [report]")
        if not file.is_file():
            raise FileNotFoundError(2, "assumptions file not found", str(file))
        return load_assumptions(file)
    return None


def _text(section: Mapping[str, Any], key: str, where: str) -> str:
    value = section[key]
    if not isinstance(value, str) or not value:
        raise CxDataError(f"{where}: `{key}` must be a path or name as text, got {value!r}")
    return value


def _choice(
    section: Mapping[str, Any], key: str, choices: tuple[str, ...], where: str
) -> str | None:
    value = section.get(key)
    if value is not None and value not in choices:
        raise CxDataError(
            f"{where} [report]: `{key}` must be one of {list(choices)}, got {value!r}"
        )
    return value


def _typed(section: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = section.get(key)
    if value is not None and (type(value) is not kind):
        raise CxDataError(f"{where} [report]: `{key}` must be {kind.__name__}, got {value!r}")
    return value


# --------------------------------------------------------------------------- init

#: Names companies give the canonical columns (lower case, ä/ö folded, spaces as _).
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "customer_id": ("asiakas_id", "asiakasid", "asiakasnumero", "asiakasnro", "asiakas",
                    "customer", "customerid", "cust_id", "client_id", "id"),
    "channel": ("kanava", "palvelukanava", "service_channel"),
    "team": ("tiimi", "ryhma"),
    "employee": ("tyontekija", "agentti", "agent", "employee_id"),
    "segment": ("segmentti", "asiakasryhma", "asiakassegmentti"),
    "start_date": ("liittymispaiva", "aloituspaiva", "alkupaiva", "liittymispvm",
                   "join_date", "signup_date", "start"),
    "end_date": ("paattymispaiva", "irtisanomispaiva", "lopetuspaiva", "end", "churn_date"),
    "churned": ("irtisanottu", "poistunut", "lahtenyt", "churn", "is_churned", "left"),
    "tenure_months": ("asiakkuuden_kesto_kk", "kesto_kk", "tenure"),
    "monthly_revenue": ("kuukausilaskutus", "laskutus_kk", "kuukausimaksu", "revenue",
                        "arpu", "monthly_fee"),
    "response_date": ("vastauspaiva", "vastauspvm", "vastattu", "survey_date", "date",
                      "paivamaara"),
    "score": ("pisteet", "suositteluhalukkuus", "arvosana", "nps_score", "ltr"),
    "touchpoint": ("kosketuspiste",),
    "contact_date": ("yhteydenottopaiva", "yhteydenotto_pvm", "yhteydenottopvm"),
    "reason": ("syykoodi", "syy", "reason_code", "contact_reason"),
    "annual_cost": ("vuosikustannus", "kustannus_vuodessa", "cost"),
}  # fmt: skip

#: Words companies write for true and false in flag columns (lower case).
KNOWN_FLAGS: Mapping[str, bool] = {
    "kyllä": True, "ei": False, "k": True, "e": False, "yes": True, "no": False,
    "y": True, "n": False, "true": True, "false": False, "x": True,
}  # fmt: skip


def _fold(name: str) -> str:
    table = str.maketrans({"ä": "a", "ö": "o", "å": "a", " ": "_", "-": "_", ".": "_"})
    return name.strip().lower().translate(table)


def _guess_columns(table: str, header: list[str]) -> dict[str, str]:
    """Canonical → the user's column for the columns of ``table`` that can be recognised."""
    folded = {_fold(c): c for c in header}
    out: dict[str, str] = {}
    for name in SCHEMAS[table].names:
        for candidate in (name, *SYNONYMS.get(name, ())):
            if candidate in folded and folded[candidate] not in out.values():
                if folded[candidate] != name:
                    out[name] = folded[candidate]
                break
    return out


def run_file_template(files: Mapping[str, str | Path], path: str | Path) -> str:
    r"""A commented run file for ``files``, guessed from their headers, for the user to confirm.

    Parameters
    ----------
    files : mapping table → path
        At least ``customers`` and ``responses``; ``contacts`` and ``costs`` optional.
    path : str or pathlib.Path
        Where the run file will be written: the files are named relative to its folder.

    Returns
    -------
    str
        TOML text: the files, how they are written (encoding, separator, decimal mark,
        date format and flag words, as sniffed), each table's column mapping (columns
        it could not place are commented out for the user to fill), and the report's
        settings with their defaults commented.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "c.csv").write_text("asiakas_id;kanava;irtisanottu\n1;web;ei\n")
    >>> _ = (folder / "r.csv").write_text("asiakas_id;vastauspäivä;pisteet\n1;25.08.2022;9\n")
    >>> text = run_file_template({"customers": folder / "c.csv", "responses": folder / "r.csv"},
    ...                          folder / "run.toml")
    >>> 'customer_id = "asiakas_id"' in text, 'date_format = "%d.%m.%Y"' in text
    (True, True)
    """
    import os

    import pandas as pd

    where = Path(path).parent
    lines = [
        "# cx-economics run file: check every guessed line, then run",
        f"#   cx-economics report --config {Path(path).name}",
        "",
        "[files]",
    ]
    heads: dict[str, pd.DataFrame] = {}
    encodings: set[str] = set()
    separators: set[str] = set()
    for table, file in files.items():
        file = Path(file)
        lines.append(f'{table} = "{Path(os.path.relpath(file, where)).as_posix()}"')
        try:
            heads[table], encoding, separator = _head(file)
        except (ValueError, OSError) as exc:  # empty, or not what its extension says
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CxDataError(f"`{table}` file {file} cannot be read: {first}") from None
        heads[table] = heads[table].rename(columns=lambda c: str(c).strip())
        encodings.update([encoding] if encoding else [])
        separators.update([separator] if separator else [])
    lines += ["", "[read]"]
    encoding = "cp1252" if "cp1252" in encodings else "utf-8"
    lines.append(f'encoding = "{encoding}"')
    separator = ";" if ";" in separators else ","
    lines.append(f'separator = "{separator}"')
    lines.append(f'decimal = "{"," if separator == ";" else "."}"')
    mappings = {table: _guess_columns(table, list(head.columns)) for table, head in heads.items()}
    date_format = _guess_date_format(heads, mappings)
    unset = '# date_format = "%d.%m.%Y"  # only when dates are not written YYYY-MM-DD'
    lines.append(f'date_format = "{date_format}"' if date_format else unset)
    true_words, false_words = _guess_flags(heads, mappings)
    if true_words or false_words:
        lines.append(f"true_words = {true_words!r}".replace("'", '"'))
        lines.append(f"false_words = {false_words!r}".replace("'", '"'))
    for table, head in heads.items():
        lines += ["", f"[columns.{table}]"]
        mapping = mappings[table]
        present = {_fold(c) for c in head.columns}
        for spec in SCHEMAS[table].columns:
            if spec.name in mapping:
                lines.append(f'{spec.name} = "{mapping[spec.name]}"')
            elif spec.name not in present:
                lines.append(f'# {spec.name} = ""  # {spec.description}')
    lines += [
        "",
        "[report]",
        '# out = "cx-report"',
        '# language = "en"        # or "fi"',
        '# as_of = "2025-12-31"   # the export day: the cut-off of tenures and answers',
        "# strict = false         # true: exit 4 when a section cannot be made",
        "",
        "# [assumptions]           # finance inputs, as in an assumptions TOML file",
        '# currency = "EUR"',
        "# annual_discount_rate = 0.08",
        "# horizon_months = 60",
    ]
    return "\n".join(lines) + "\n"


def _head(file: Path) -> tuple[Any, str | None, str | None]:
    """The first rows of a file (as text), its encoding and separator when it is a CSV."""
    import pandas as pd

    if file.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(file, nrows=200, dtype=str), None, None
    if file.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(file).head(200).astype(str), None, None
    raw = file.read_bytes()[:200_000]
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(raw) - 4:  # a character cut at the sample's end
            text, encoding = raw[: exc.start].decode("utf-8"), "utf-8"
        else:
            text, encoding = raw.decode("cp1252"), "cp1252"
    text = text.removeprefix("\ufeff")
    header = text.split("\n", 1)[0]
    separator = ";" if header.count(";") > header.count(",") else ","
    from io import StringIO

    rows = "\n".join(text.split("\n")[:201])
    return pd.read_csv(StringIO(rows), sep=separator, dtype=str), encoding, separator


def _guess_date_format(
    heads: Mapping[str, Any], mappings: Mapping[str, dict[str, str]]
) -> str | None:
    """``%d.%m.%Y`` when date columns are written 25.08.2022; None for ISO or unclear."""
    import re

    for table, head in heads.items():
        for spec in SCHEMAS[table].columns:
            if spec.kind != "date":
                continue
            column = mappings[table].get(spec.name, spec.name)
            if column not in head:
                continue
            values = head[column].dropna().astype(str).str.strip()
            values = values[values != ""]
            if (
                len(values)
                and values.map(lambda v: bool(re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", v))).all()
            ):
                return "%d.%m.%Y"
    return None


def _guess_flags(
    heads: Mapping[str, Any], mappings: Mapping[str, dict[str, str]]
) -> tuple[list[str], list[str]]:
    """The words of flag columns that :data:`KNOWN_FLAGS` reads as true and false."""
    true: list[str] = []
    false: list[str] = []
    for table, head in heads.items():
        for spec in SCHEMAS[table].columns:
            column = mappings[table].get(spec.name, spec.name)
            if spec.kind != "bool" or column not in head:
                continue
            for value in sorted(set(head[column].dropna().astype(str).str.strip())):
                meaning = KNOWN_FLAGS.get(value.lower())
                if meaning is True and value not in true:
                    true.append(value)
                elif meaning is False and value not in false:
                    false.append(value)
    return true, false
