"""The ``cx-economics`` command on files written from the demo data, and on broken files.

Checks: exit codes and one-line messages naming the column and the row count (taken
from the data we broke on purpose, not from the program), no traceback, files written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cx_economics.data.datasets import load_demo, simulate
from cx_economics.presentation import cli
from cx_economics.presentation.cli import EXIT_DATA, EXIT_OK, EXIT_USAGE, main, read_table


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The first 3,000 demo customers and their rows, as CSV (responses also as Parquet)."""
    demo = load_demo()
    folder = tmp_path_factory.mktemp("inputs")
    keep = demo.customers["customer_id"] <= 3_000
    customers = demo.customers[keep]
    responses = demo.responses[demo.responses["customer_id"] <= 3_000]
    contacts = demo.contacts[demo.contacts["customer_id"] <= 3_000]
    paths = {
        "customers": folder / "customers.csv",
        "responses": folder / "responses.csv",
        "responses_parquet": folder / "responses.parquet",
        "contacts": folder / "contacts.csv",
        "costs": folder / "costs.csv",
    }
    customers.to_csv(paths["customers"], index=False)
    responses.to_csv(paths["responses"], index=False)
    responses.to_parquet(paths["responses_parquet"], index=False)
    contacts.to_csv(paths["contacts"], index=False)
    demo.channel_costs.to_csv(paths["costs"], index=False)
    return paths


def _report_args(files: dict[str, Path], out: Path, **override: Path) -> list[str]:
    chosen = {**files, **override}
    return [
        "report",
        "--customers", str(chosen["customers"]),
        "--responses", str(chosen["responses"]),
        "--out", str(out),
        "--bootstrap", "50",
    ]  # fmt: skip


def test_report_on_csv_and_parquet_writes_pdf_and_charts(
    demo_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _report_args(demo_files, tmp_path, responses=demo_files["responses_parquet"])
    args += ["--contacts", str(demo_files["contacts"]), "--costs", str(demo_files["costs"])]
    assert main(args) == EXIT_OK
    captured = capsys.readouterr()
    assert (tmp_path / "cx_report.pdf").stat().st_size > 10_000
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) >= 3
    assert f"wrote {tmp_path / 'cx_report.pdf'}" in captured.out
    assert captured.err == ""  # stderr is not a terminal under pytest: no progress lines


def test_missing_file_exits_2_with_the_path_and_no_traceback(
    demo_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"
    assert main(_report_args(demo_files, tmp_path / "out", customers=missing)) == EXIT_USAGE
    err = capsys.readouterr().err
    assert str(missing) in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_missing_column_exits_3_naming_the_column(
    demo_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "customers.csv"
    pd.read_csv(demo_files["customers"]).drop(columns="channel").to_csv(broken, index=False)
    assert main(_report_args(demo_files, tmp_path / "out", customers=broken)) == EXIT_DATA
    err = capsys.readouterr().err
    assert "`channel`" in err and "missing" in err and "Traceback" not in err


def test_bad_scores_exit_3_with_column_and_row_count(
    demo_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(demo_files["responses"])
    bad_rows = [5, 50, 500, 1000]
    frame.loc[bad_rows, "score"] = 12
    broken = tmp_path / "responses.csv"
    frame.to_csv(broken, index=False)
    assert main(_report_args(demo_files, tmp_path / "out", responses=broken)) == EXIT_DATA
    err = capsys.readouterr().err
    assert "`score`" in err and f"{len(bad_rows)} rows" in err
    assert "Traceback" not in err


def test_unknown_extension_and_unreadable_file(
    demo_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ods = tmp_path / "customers.ods"
    ods.write_bytes(b"an OpenDocument sheet")
    assert main(_report_args(demo_files, tmp_path / "a", customers=ods)) == EXIT_USAGE
    assert "use .csv, .parquet or .xlsx" in capsys.readouterr().err
    xlsx = tmp_path / "customers.xlsx"
    xlsx.write_bytes(b"not really excel")
    assert main(_report_args(demo_files, tmp_path / "c", customers=xlsx)) == EXIT_DATA
    assert "cannot be read as xlsx" in capsys.readouterr().err
    garbage = tmp_path / "customers.parquet"
    garbage.write_bytes(b"this is not parquet")
    assert main(_report_args(demo_files, tmp_path / "b", customers=garbage)) == EXIT_DATA
    assert "`customers` file" in capsys.readouterr().err


def test_semicolon_csv_with_decimal_commas_is_read(tmp_path: Path) -> None:
    path = tmp_path / "costs.csv"
    path.write_text("channel;nps;annual_cost\nweb;30;1200,5\nphone;-5;80000\n", encoding="utf-8")
    frame = read_table(path, "costs")
    assert frame["annual_cost"].tolist() == [1200.5, 80000.0]
    assert frame["nps"].tolist() == [30, -5]


def test_bootstrap_below_minimum_is_a_data_error(
    demo_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _report_args(demo_files, tmp_path)
    args[-1] = "10"
    assert main(args) == EXIT_DATA
    assert "`n_bootstrap`" in capsys.readouterr().err


def test_demo_command_uses_the_demo_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small = simulate(1_500, seed=9)  # the real demo is covered by tests/presentation/test_report.py
    monkeypatch.setattr("cx_economics.data.datasets.load_demo", lambda: small)
    code = main(["demo", "--out", str(tmp_path), "--language", "fi", "--bootstrap", "50"])
    assert code == EXIT_OK
    assert (tmp_path / "cx_report.pdf").exists()
    assert "wrote" in capsys.readouterr().out


def test_help_explains_the_files(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for needle in ("customer_id", "tenure_months", "score", "annual_cost", "Exit codes"):
        assert needle in text


def test_real_process_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "customers.csv"
    broken.write_text("customer_id,tenure_months,churned\n1,3,0\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "cx_economics.presentation.cli", "report",
         "--customers", str(broken), "--responses", str(broken), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert run.returncode == EXIT_DATA
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("cx-economics: error:") and "`channel`" in run.stderr


def test_progress_lines_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert cli._progress() is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli._progress() is not None


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The single stderr line of a failed run (and no traceback)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("cx-economics: error:")
    return err


def test_out_that_is_a_file_or_under_a_file_exits_2(
    demo_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken.pdf"
    taken.write_bytes(b"%PDF")
    assert main(_report_args(demo_files, taken)) == EXIT_USAGE
    err = _one_line_error(capsys)
    assert "`--out`" in err and "existing file, not a folder" in err
    assert main(_report_args(demo_files, taken / "report")) == EXIT_USAGE
    err = _one_line_error(capsys)
    assert "`--out`" in err and "lies under" in err and "which is a file" in err
    assert taken.read_bytes() == b"%PDF"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_out_where_nothing_can_be_written_says_not_writable(
    demo_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_report_args(demo_files, Path("/proc/cx-report"))) == EXIT_USAGE
    err = _one_line_error(capsys)
    assert "`--out`" in err and "not writable" in err and "No such file" not in err


def test_negative_seed_exits_2_naming_the_option(
    demo_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*_report_args(demo_files, tmp_path / "out"), "--seed", "-1"]
    assert main(args) == EXIT_USAGE
    err = _one_line_error(capsys)
    assert "`--seed`" in err and "≥ 0" in err and "-1" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        (
            b"[cost_per_contact]\nphone = 6.5\nhorizon_months = 24\n",
            ("`horizon_months`", "[cost_per_contact]", "before the first [table] header"),
        ),
        (
            b"[cost_per_contact]\nphone = 6.5\nBranch = 9.0\n",
            ("`cost_per_contact`", "'Branch'", "did you mean 'branch'"),
        ),
        (
            "# hinta €/kontakti\nhorizon_months = 36\n".encode("cp1252"),
            ("assumptions.toml", "not UTF-8", "line 1", "save the file again"),
        ),
    ],
    ids=["key after a table header", "channel in the wrong case", "cp1252 file"],
)
def test_bad_assumptions_file_exits_3_with_one_line(
    demo_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    needles: tuple[str, ...],
) -> None:
    toml = tmp_path / "assumptions.toml"
    toml.write_bytes(content)
    args = [*_report_args(demo_files, tmp_path / "out"), "--assumptions", str(toml)]
    assert main(args) == EXIT_DATA
    err = _one_line_error(capsys)
    missing = [n for n in needles if n not in err]
    assert not missing, err
    assert not (tmp_path / "out").exists()


def test_assumptions_folder_exits_2(
    demo_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*_report_args(demo_files, tmp_path / "out"), "--assumptions", str(tmp_path)]
    assert main(args) == EXIT_USAGE
    err = _one_line_error(capsys)
    assert "`--assumptions`" in err and "is a folder" in err


def test_ids_with_leading_zeros_stay_two_customers(tmp_path: Path) -> None:
    padded = tmp_path / "padded.csv"
    padded.write_text("customer_id,channel\n0001,web\n01,web\n7,chat\n", encoding="utf-8")
    assert read_table(padded, "customers")["customer_id"].tolist() == ["0001", "01", "7"]
    plain = tmp_path / "plain.csv"
    plain.write_text("customer_id,channel\n1,web\n2,web\n", encoding="utf-8")
    ids = read_table(plain, "customers")["customer_id"]
    assert ids.tolist() == [1, 2] and ids.dtype == "int64"  # joins Parquet's integer ids
