"""The ``cx-economics`` command: the leadership report from the demo data or your files.

Exit codes: 0 done; 2 a file is missing, ``--out`` cannot be written (an existing
file, under a file, not writable), ``--seed`` is negative, or the command is mistyped;
3 the data, the run file or the assumptions are unusable (the message names the
column and how many rows, or the key); 4 with ``--strict``, a section of the report
could not be made. Every error is one line on stderr. Anything else is a bug and
prints a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cx_economics.core.exceptions import CxDataError, CxModelError
from cx_economics.data.files import FileTypeError, read_table, same_id_type

if TYPE_CHECKING:
    from cx_economics.data.assumptions import Assumptions
    from cx_economics.presentation.report import ReportResult

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_STRICT", "EXIT_USAGE", "main", "read_table"]

EXIT_OK = 0
#: A file is missing, of an unknown type, or the command line is wrong.
EXIT_USAGE = 2
#: The data or the model cannot be used; the message says which column and rows.
EXIT_DATA = 3
#: ``--strict``: the report was written, but some of its sections could not be made.
EXIT_STRICT = 4

_DESCRIPTION = """\
Turn customer-experience (NPS) data into money and write the leadership report:
a PDF (executive summary first, methods and assumptions last) and one PNG per chart.

  cx-economics demo --out cx-report
      the report on 50,000 simulated customers, to see what you will get

  cx-economics report --customers customers.csv --responses responses.csv --out cx-report
      the report on your own files

  cx-economics init --customers asiakkaat.csv --responses vastaukset.csv
  cx-economics report --config run.toml
      a run file guessed from your files' headers (check it), then the report from it:
      column names, encoding, separators, date format, true/false words, cut-off
"""

_FILES_HELP = """\
What each file must contain (CSV or Parquet; one header row; CSV separated by
commas, or by semicolons with decimal commas as Excel writes in Finland):

  customers   one row per customer:
                customer_id      unique identifier
                channel          main service channel (phone, branch, chat, web, ...)
                tenure_months    months as a customer so far (or start_date, YYYY-MM-DD)
                churned          1 if the customer has left, 0 if active
                                 (or end_date, empty while active)
              optional: monthly_revenue (currency per month), segment, team
  responses   one row per survey answer:
                customer_id, response_date (YYYY-MM-DD), channel,
                score            likelihood to recommend, whole number 0-10
              optional: team, employee, touchpoint
  contacts    one row per contact (optional; enables the contact-drivers page):
                customer_id, contact_date (YYYY-MM-DD), channel,
                reason           contact reason; several separated by ';'
  costs       yearly cost of each channel at NPS levels (optional):
                channel, nps (-100..100), annual_cost (currency per year)
  assumptions a TOML file of finance inputs (optional), for example:
                currency = "EUR"
                annual_discount_rate = 0.08   # 8 % a year, as a fraction
                horizon_months = 60
                margin_rate = 0.30            # share of revenue kept as margin
                [cost_per_contact]
                phone = 6.5

  The file is UTF-8; every top-level key comes before the first [table] header
  (a key written after [cost_per_contact] belongs to that table and is refused);
  table keys must be the data's channels, spelled exactly.

Files written by Excel in other locales (semicolons, decimal commas, dates as
25.08.2022, kyllä/ei, cp1252) and with your own column names: let
cx-economics init write a run file from their headers, check it, then run
cx-economics report --config run.toml.

Exit codes: 0 report written; 2 a file is missing, --out cannot be written or
the command is wrong; 3 the data, the run file or the assumptions cannot be used
(the message names the column and the rows, or the key); 4 with --strict, a
section of the report could not be made.
"""

ProgressCallback = Callable[[str], None]

#: Cost of one contact (currency) by channel, stated for the demo only: the simulated
#: base carries no cost data, and the contact-drivers page needs a price per contact.
DEMO_COST_PER_CONTACT: dict[str, float] = {"phone": 6.5, "branch": 9.0, "chat": 3.0, "web": 1.5}


class _UsageError(Exception):
    """A command-line mistake: unknown file type, missing optional dependency."""


# --------------------------------------------------------------------------- commands


def _progress() -> ProgressCallback | None:
    """Progress lines on stderr when a person is watching (a terminal); quiet otherwise."""
    if not sys.stderr.isatty():
        return None
    return lambda message: print(f"cx-economics: {message}", file=sys.stderr, flush=True)


def _assumptions(
    args: argparse.Namespace, *, demo: bool = False, from_run: Assumptions | None = None
) -> Assumptions:
    """``--assumptions`` over the run file's over the defaults, then ``--bootstrap``."""
    from cx_economics.data.assumptions import Assumptions, load_assumptions

    path = getattr(args, "assumptions", None)
    if path is not None and Path(path).is_dir():
        raise _UsageError(f"`--assumptions` {path} is a folder; give the path of a .toml file")
    if path is not None and not Path(path).is_file():
        raise FileNotFoundError(2, "assumptions file not found", str(path))
    if path is not None:
        result = load_assumptions(path)
    elif from_run is not None:
        result = from_run
    elif demo:
        result = Assumptions(cost_per_contact=DEMO_COST_PER_CONTACT)
    else:
        result = Assumptions()
    if args.bootstrap is not None:
        result = dataclasses.replace(result, n_bootstrap=args.bootstrap)
    return result


def _check_options(args: argparse.Namespace) -> None:
    """Refuse ``--seed`` and ``--out`` mistakes before reading or computing anything."""
    from cx_economics.core.parameters import check_seed
    from cx_economics.presentation.report import check_out_dir

    try:
        if args.seed is not None:
            check_seed(args.seed, name="--seed")
        if getattr(args, "out", None) is not None and args.command != "init":
            check_out_dir(args.out, name="--out")
    except CxDataError as exc:
        raise _UsageError(str(exc)) from None


def _print_outcome(result: ReportResult, *, excel: bool = False) -> None:
    print(
        f"wrote {result.pdf_path} ({result.n_pages} pages) and "
        f"{len(result.chart_paths)} charts to {result.pdf_path.parent}"
    )
    if excel:
        try:
            print(f"wrote {result.to_excel()} (one sheet per table)")
        except ImportError as exc:
            raise _UsageError(str(exc)) from None
    for section in result.sections:
        if not section.included:
            print(f"not available: {section.title} ({section.reason})")


def _run_demo(args: argparse.Namespace) -> int:
    from cx_economics.data.datasets import load_demo
    from cx_economics.presentation.report import build_report

    progress = _progress()
    if progress is not None:
        progress("loading the demo data (50,000 simulated customers)…")
    demo = load_demo()
    assumptions = _assumptions(args, demo=True)
    result = build_report(
        demo.customers,
        demo.responses,
        demo.contacts,
        demo.channel_costs,
        channel_history=demo.channel_history,
        out_dir=args.out,
        assumptions=assumptions,
        language=args.language or "en",
        seed=0 if args.seed is None else args.seed,
        progress=progress,
    )
    _print_outcome(result, excel=args.excel)
    return EXIT_OK


def _run_report(args: argparse.Namespace) -> int:
    from cx_economics.data.files import SCHEMAS
    from cx_economics.data.schemas import validate_customers
    from cx_economics.presentation.report import build_report, check_out_dir
    from cx_economics.presentation.runfile import RunFile, load_run_file

    run = load_run_file(args.config) if args.config is not None else RunFile(files={})
    files = dict(run.files)
    for table in SCHEMAS:
        if getattr(args, table) is not None:
            files[table] = getattr(args, table)
    missing = [f"--{t}" for t in ("customers", "responses") if t not in files]
    if missing:
        raise _UsageError(
            f"give {' and '.join(missing)} (the files), or --config run.toml naming them "
            "(cx-economics init writes one)"
        )
    out = args.out or run.out
    if out is None:
        raise _UsageError("give --out DIR, or `out` under [report] in the run file")
    try:
        check_out_dir(out, name="--out")
    except CxDataError as exc:
        raise _UsageError(str(exc)) from None
    read = dataclasses.replace(
        run.read,
        encoding=args.encoding or run.read.encoding,
        date_format=args.date_format or run.read.date_format,
    )
    progress = _progress()
    if progress is not None:
        progress("reading the input files…")
    tables = same_id_type(
        {
            table: read_table(path, table, options=read, columns=run.columns.get(table))
            for table, path in files.items()
        }
    )
    as_of = args.as_of or run.as_of
    customers = tables["customers"]
    result = build_report(
        customers if as_of is None else validate_customers(customers, as_of=as_of),
        tables["responses"],
        tables.get("contacts"),
        tables.get("costs"),
        out_dir=out,
        assumptions=_assumptions(args, from_run=run.assumptions),
        language=args.language or run.language or "en",
        adjust_for=run.adjust_for,
        seed=args.seed if args.seed is not None else (run.seed or 0),
        progress=progress,
    )
    _print_outcome(result, excel=args.excel)
    dropped = [s.title for s in result.sections if not s.included]
    if dropped and (args.strict or run.strict):
        print(
            f"cx-economics: strict: {len(dropped)} section(s) could not be made: "
            f"{', '.join(dropped)} (see 'not available' above)",
            file=sys.stderr,
        )
        return EXIT_STRICT
    return EXIT_OK


def _run_init(args: argparse.Namespace) -> int:
    from cx_economics.presentation.runfile import run_file_template

    files = {
        table: getattr(args, table)
        for table in ("customers", "responses", "contacts", "costs")
        if getattr(args, table) is not None
    }
    for table, path in files.items():
        if not Path(path).is_file():
            raise FileNotFoundError(2, f"{table} file not found", str(path))
    target = Path(args.out)
    if target.is_dir():
        raise _UsageError(f"--out {target} is a folder; give the path of the run file to write")
    if target.exists() and not args.force:
        raise _UsageError(f"{target} exists; choose another --out or add --force to replace it")
    text = run_file_template(files, target)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}: check the guessed lines, then cx-economics report --config {target}")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def _common_options(
    parser: argparse.ArgumentParser, *, out_required: bool, out_default: Path | None
) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        required=out_required,
        default=out_default,
        metavar="DIR",
        help="folder to write the PDF and PNG charts into (created if missing)"
        + (f"; default: {out_default}" if out_default else ""),
    )
    parser.add_argument(
        "--language",
        choices=("en", "fi"),
        default=None,
        help="language of the report: en (English) or fi (Finnish); default: en",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="N",
        help="random seed of the intervals; the same seed gives the same numbers; default: 0",
    )
    parser.add_argument(
        "--excel",
        action="store_true",
        default=False,
        help="also write the report's tables to cx_tables.xlsx (needs openpyxl: the excel extra)",
    )
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=None,
        metavar="N",
        help="replicates behind each interval on money (at least 50; fewer is faster, "
        "1000 is the default and the recommended value for decisions)",
    )


def _parser() -> argparse.ArgumentParser:
    from cx_economics import __version__

    parser = argparse.ArgumentParser(
        prog="cx-economics",
        description=_DESCRIPTION,
        epilog=_FILES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="write the report on the built-in demo data",
        description="Write the report on 50,000 simulated customers (the built-in demo).",
    )
    _common_options(demo, out_required=False, out_default=Path("cx-report"))
    demo.set_defaults(run=_run_demo)
    report = commands.add_parser(
        "report",
        help="write the report on your own files",
        description="Write the report on your own customer and survey files.",
        epilog=_FILES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    files = report.add_argument_group(
        "input files (CSV, Parquet or Excel .xlsx, chosen by extension)"
    )
    files.add_argument(
        "--config",
        type=Path,
        metavar="run.toml",
        help="run file: the files, their columns and how they are written, the report's "
        "settings and the assumptions (cx-economics init writes one); flags override it",
    )
    files.add_argument(
        "--customers",
        type=Path,
        metavar="FILE",
        help="one row per customer (see below)",
    )
    files.add_argument(
        "--responses",
        type=Path,
        metavar="FILE",
        help="one row per survey answer, scores 0-10",
    )
    files.add_argument(
        "--contacts",
        type=Path,
        metavar="FILE",
        help="one row per contact with its reason (optional)",
    )
    files.add_argument(
        "--costs",
        type=Path,
        metavar="FILE",
        help="yearly cost of each channel at NPS levels (optional)",
    )
    files.add_argument(
        "--assumptions",
        type=Path,
        metavar="FILE.toml",
        help="finance inputs: currency, discount rate, horizon, margins (optional)",
    )
    reading = report.add_argument_group("how the files are written (override the run file)")
    reading.add_argument(
        "--encoding", metavar="NAME", help="text encoding of CSV files, e.g. cp1252 or utf-8"
    )
    reading.add_argument(
        "--date-format",
        metavar="FORMAT",
        help="how dates are written, e.g. %%d.%%m.%%Y for 25.08.2022 (default: YYYY-MM-DD)",
    )
    reading.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="the export day: cut-off of tenures and answers (default: the data's last date)",
    )
    _common_options(report, out_required=False, out_default=None)
    report.add_argument(
        "--strict",
        action="store_true",
        default=False,
        help="exit with code 4 when a section of the report cannot be made",
    )
    report.set_defaults(run=_run_report)
    init = commands.add_parser(
        "init",
        help="write a run file guessed from your files' headers",
        description="Write a commented run file (TOML) from the headers of your files: "
        "column mapping, encoding, separators, date format and true/false words as "
        "guessed. Check it, then run cx-economics report --config FILE.",
    )
    for table, required in (("customers", True), ("responses", True), ("contacts", False),
                            ("costs", False)):  # fmt: skip
        init.add_argument(
            f"--{table}", type=Path, required=required, metavar="FILE",
            help=f"your {table} file (CSV, Parquet or .xlsx)" + ("" if required else "; optional"),
        )  # fmt: skip
    init.add_argument(
        "--out", type=Path, default=Path("run.toml"), metavar="FILE", help="default: run.toml"
    )
    init.add_argument("--force", action="store_true", help="replace an existing run file")
    init.set_defaults(run=_run_init, seed=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cx-economics`` command and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when omitted.

    Returns
    -------
    int
        0 when the report is written; 2 when a file is missing or of an unknown type,
        ``--out`` cannot be written or ``--seed`` is negative; 3 when the data or the
        assumptions cannot be used. Command-line mistakes and ``--help`` exit through
        argparse (codes 2 and 0).

    Examples
    --------
    >>> main(["report", "--customers", "no-such-file.csv", "--responses", "r.csv",
    ...       "--out", "cx-report"])  # prints the missing file on stderr
    2
    """
    args = _parser().parse_args(None if argv is None else list(argv))
    try:
        _check_options(args)
        code: int = args.run(args)
    except FileNotFoundError as exc:
        print(f"cx-economics: error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return EXIT_USAGE
    except (_UsageError, FileTypeError) as exc:
        print(f"cx-economics: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (CxDataError, CxModelError) as exc:
        print(f"cx-economics: error: {exc}", file=sys.stderr)
        return EXIT_DATA
    return code


if __name__ == "__main__":  # python -m cx_economics.presentation.cli
    raise SystemExit(main())
