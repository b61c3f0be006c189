"""The ``cx-economics`` command: the leadership report from the demo data or your files.

Exit codes: 0 done; 2 a file is missing, ``--out`` cannot be written (an existing
file, under a file, not writable), ``--seed`` is negative, or the command is mistyped;
3 the data or the assumptions are unusable (the message names the column and how many
rows, or the key). Every error is one line on stderr. Anything else is a bug and
prints a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxDataError, CxModelError

if TYPE_CHECKING:
    from cx_economics.data.assumptions import Assumptions
    from cx_economics.presentation.report import ReportResult

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "main", "read_table"]

EXIT_OK = 0
#: A file is missing, of an unknown type, or the command line is wrong.
EXIT_USAGE = 2
#: The data or the model cannot be used; the message says which column and rows.
EXIT_DATA = 3

_DESCRIPTION = """\
Turn customer-experience (NPS) data into money and write the leadership report:
a PDF (executive summary first, methods and assumptions last) and one PNG per chart.

  cx-economics demo --out cx-report
      the report on 50,000 simulated customers, to see what you will get

  cx-economics report --customers customers.csv --responses responses.csv --out cx-report
      the report on your own files
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

Exit codes: 0 report written; 2 a file is missing, --out cannot be written or
the command is wrong; 3 the data or the assumptions cannot be used (the message
names the column and the rows, or the key).
"""

ProgressCallback = Callable[[str], None]

#: Cost of one contact (currency) by channel, stated for the demo only: the simulated
#: base carries no cost data, and the contact-drivers page needs a price per contact.
DEMO_COST_PER_CONTACT: dict[str, float] = {"phone": 6.5, "branch": 9.0, "chat": 3.0, "web": 1.5}


class _UsageError(Exception):
    """A command-line mistake: unknown file type, missing optional dependency."""


# --------------------------------------------------------------------------- reading


def _csv_dialect(path: Path) -> tuple[str, str]:
    """Comma CSV, or semicolon CSV with decimal commas (Excel in Finnish locale)."""
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
    if header.count(";") > header.count(","):
        return ";", ","
    return ",", "."


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    r"""Read a CSV or Parquet file into a DataFrame, choosing the reader by extension.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.csv`` (comma-separated, or semicolon-separated with decimal commas) or
        ``.parquet`` / ``.pq`` (needs pyarrow: ``pip install "cx_economics[parquet]"``).
    what : str
        The table's name, used in error messages (``"customers"``).

    Returns
    -------
    pandas.DataFrame
        The file's columns as read; validation happens later.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    CxDataError
        The file exists but cannot be parsed as its extension says.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "costs.csv"
    >>> _ = path.write_text("channel;nps;annual_cost\nweb;30;1200,5\n", encoding="utf-8")
    >>> read_table(path, "costs")["annual_cost"].tolist()
    [1200.5]
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, f"{what} file not found", str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            separator, decimal = _csv_dialect(path)
            frame = pd.read_csv(
                path,
                sep=separator,
                decimal=decimal,
                encoding="utf-8-sig",
                dtype={"customer_id": str},
            )
            return _ids_as_numbers_unless_padded(frame)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except ImportError as exc:
        raise _UsageError(
            f"reading Parquet needs pyarrow ({exc}); install it with "
            "pip install 'cx_economics[parquet]', or save the file as CSV"
        ) from None
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CxDataError(f"`{what}` file {path} cannot be read as {suffix[1:]}: {first}") from None
    raise _UsageError(
        f"`--{what}` {path}: unknown file type {suffix or '(none)'!r}; use .csv or .parquet"
    )


def _ids_as_numbers_unless_padded(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole-number ids back to integers, unless one is written with leading zeros.

    ``0001`` and ``01`` are two customers written as text; read as numbers both would
    be 1. So ids stay text when any of them has a leading zero (or is not a whole
    number), and become integers otherwise, as pandas would have read them.
    """
    if "customer_id" not in frame:
        return frame
    ids = frame["customer_id"]
    text = ids.dropna().astype(str).str.strip()
    numeric = text.str.fullmatch(r"-?(0|[1-9][0-9]{0,17})").all()
    if numeric and ids.notna().all():
        return frame.assign(customer_id=text.astype(np.int64))
    return frame


# --------------------------------------------------------------------------- commands


def _progress() -> ProgressCallback | None:
    """Progress lines on stderr when a person is watching (a terminal); quiet otherwise."""
    if not sys.stderr.isatty():
        return None
    return lambda message: print(f"cx-economics: {message}", file=sys.stderr, flush=True)


def _assumptions(args: argparse.Namespace, *, demo: bool = False) -> Assumptions:
    from cx_economics.data.assumptions import Assumptions, load_assumptions

    path = getattr(args, "assumptions", None)
    if path is not None and Path(path).is_dir():
        raise _UsageError(f"`--assumptions` {path} is a folder; give the path of a .toml file")
    if path is not None and not Path(path).is_file():
        raise FileNotFoundError(2, "assumptions file not found", str(path))
    if path is not None:
        result = load_assumptions(path)
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
        check_seed(args.seed, name="--seed")
        check_out_dir(args.out, name="--out")
    except CxDataError as exc:
        raise _UsageError(str(exc)) from None


def _print_outcome(result: ReportResult) -> None:
    print(
        f"wrote {result.pdf_path} ({result.n_pages} pages) and "
        f"{len(result.chart_paths)} charts to {result.pdf_path.parent}"
    )
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
        language=args.language,
        seed=args.seed,
        progress=progress,
    )
    _print_outcome(result)
    return EXIT_OK


def _run_report(args: argparse.Namespace) -> int:
    from cx_economics.presentation.report import build_report

    progress = _progress()
    if progress is not None:
        progress("reading the input files…")
    customers = read_table(args.customers, "customers")
    responses = read_table(args.responses, "responses")
    contacts = None if args.contacts is None else read_table(args.contacts, "contacts")
    costs = None if args.costs is None else read_table(args.costs, "costs")
    assumptions = _assumptions(args)
    result = build_report(
        customers,
        responses,
        contacts,
        costs,
        out_dir=args.out,
        assumptions=assumptions,
        language=args.language,
        seed=args.seed,
        progress=progress,
    )
    _print_outcome(result)
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def _common_options(parser: argparse.ArgumentParser, *, out_required: bool) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        required=out_required,
        default=None if out_required else Path("cx-report"),
        metavar="DIR",
        help="folder to write the PDF and PNG charts into (created if missing)"
        + ("" if out_required else "; default: cx-report"),
    )
    parser.add_argument(
        "--language",
        choices=("en", "fi"),
        default="en",
        help="language of the report: en (English) or fi (Finnish); default: en",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="random seed of the intervals; the same seed gives the same numbers; default: 0",
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
    _common_options(demo, out_required=False)
    demo.set_defaults(run=_run_demo)
    report = commands.add_parser(
        "report",
        help="write the report on your own files",
        description="Write the report on your own customer and survey files.",
        epilog=_FILES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    files = report.add_argument_group("input files (CSV or Parquet, chosen by extension)")
    files.add_argument(
        "--customers",
        type=Path,
        required=True,
        metavar="FILE",
        help="one row per customer (see below)",
    )
    files.add_argument(
        "--responses",
        type=Path,
        required=True,
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
    _common_options(report, out_required=True)
    report.set_defaults(run=_run_report)
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
    except _UsageError as exc:
        print(f"cx-economics: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (CxDataError, CxModelError) as exc:
        print(f"cx-economics: error: {exc}", file=sys.stderr)
        return EXIT_DATA
    return code


if __name__ == "__main__":  # python -m cx_economics.presentation.cli
    raise SystemExit(main())
