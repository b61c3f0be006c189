"""A Finnish telco's exports to the report through a run file, with no pre-processing.

The export is built here from a simulated base as Excel in Finland would write it:
semicolons, decimal commas, dates as dd.mm.yyyy, cp1252, ``kyllä``/``ei`` flags, Finnish
column names, and the contacts as an ``.xlsx`` workbook. The reference is the report
built from the same base's canonical frames, so the two PDFs' text must be equal.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pypdf
import pytest

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.datasets import simulate
from cx_economics.data.files import ReadOptions, read_table
from cx_economics.presentation.cli import EXIT_DATA, EXIT_OK, EXIT_STRICT, main
from cx_economics.presentation.report import build_report
from cx_economics.presentation.runfile import load_run_file

CUSTOMER_NAMES = {
    "customer_id": "asiakas_id",
    "channel": "kanava",
    "segment": "segmentti",
    "start_date": "liittymispäivä",
    "end_date": "irtisanomispäivä",
    "churned": "irtisanottu",
    "monthly_revenue": "kuukausilaskutus",
}
RESPONSE_NAMES = {
    "customer_id": "asiakas_id",
    "response_date": "vastauspäivä",
    "channel": "kanava",
    "score": "pisteet",
    "team": "tiimi",
}
CONTACT_NAMES = {
    "customer_id": "asiakas_id",
    "contact_date": "yhteydenottopäivä",
    "channel": "kanava",
    "reason": "syykoodi",
}


def _finnish(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    out = frame[list(names)].copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%d.%m.%Y").fillna("")
        elif pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "kyllä", False: "ei"})
        elif pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(lambda x: f"{x:.2f}".replace(".", ","))
    return out.rename(columns=names)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    sim = simulate(2_000, seed=3)
    folder = tmp_path_factory.mktemp("vienti")
    for name, frame, names in (
        ("asiakkaat.csv", sim.customers, CUSTOMER_NAMES),
        ("vastaukset.csv", sim.responses, RESPONSE_NAMES),
    ):
        text = _finnish(frame, names).to_csv(sep=";", index=False, lineterminator="\r\n")
        (folder / name).write_bytes(text.encode("cp1252"))
    contacts = sim.contacts[list(CONTACT_NAMES)].rename(columns=CONTACT_NAMES)
    contacts.to_excel(folder / "yhteydenotot.xlsx", sheet_name="Taul1", index=False)
    return folder, sim


def test_init_guesses_a_run_file_that_gives_the_report_of_the_canonical_tables(
    export: tuple[Path, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, sim = export
    run = folder / "run.toml"
    args = ["init", "--customers", str(folder / "asiakkaat.csv")]
    args += ["--responses", str(folder / "vastaukset.csv")]
    args += ["--contacts", str(folder / "yhteydenotot.xlsx"), "--out", str(run)]
    assert main(args) == EXIT_OK
    text = run.read_text(encoding="utf-8")
    for line in ('encoding = "cp1252"', 'separator = ";"', 'date_format = "%d.%m.%Y"',
                 'true_words = ["kyllä"]', 'start_date = "liittymispäivä"',
                 'reason = "syykoodi"', 'customer_id = "asiakas_id"'):  # fmt: skip
        assert line in text, text
    assert main(args) != EXIT_OK  # an existing run file is not replaced without --force
    assert "exists" in capsys.readouterr().err

    out = tmp_path / "raportti"
    code = main(["report", "--config", str(run), "--out", str(out), "--bootstrap", "50", "--excel"])
    assert code == EXIT_OK, capsys.readouterr().err
    assert "sections" in pd.read_excel(out / "cx_tables.xlsx", sheet_name=None)
    reference = tmp_path / "reference"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        customers = sim.customers.drop(columns=["tenure_months", "team"])  # type: ignore[attr-defined]
        build_report(
            customers,
            sim.responses[list(RESPONSE_NAMES)],  # type: ignore[attr-defined]
            sim.contacts,  # type: ignore[attr-defined]
            out_dir=reference,
            assumptions=Assumptions(n_bootstrap=50),
        )
    pages = [pypdf.PdfReader(str(d / "cx_report.pdf")).pages for d in (out, reference)]
    assert len(pages[0]) == len(pages[1])
    for got, expected in zip(*pages, strict=True):
        assert got.extract_text() == expected.extract_text()


def test_a_wrong_date_setting_names_the_column_and_the_setting(
    export: tuple[Path, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = export
    run = tmp_path / "run.toml"
    run.write_text(
        f'[files]\ncustomers = "{(folder / "asiakkaat.csv").as_posix()}"\n'
        f'responses = "{(folder / "vastaukset.csv").as_posix()}"\n'
        '[read]\nencoding = "cp1252"\ndate_format = "%m/%d/%Y"\n'
        'true_words = ["kyllä"]\nfalse_words = ["ei"]\n'
        '[columns.customers]\ncustomer_id = "asiakas_id"\nchannel = "kanava"\n'
        'start_date = "liittymispäivä"\nend_date = "irtisanomispäivä"\nchurned = "irtisanottu"\n'
        '[columns.responses]\ncustomer_id = "asiakas_id"\nresponse_date = "vastauspäivä"\n'
        'channel = "kanava"\nscore = "pisteet"\n',
        encoding="utf-8",
    )
    code = main(["report", "--config", str(run), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == EXIT_DATA
    assert "`start_date` (your `liittymispäivä`) does not follow the date_format '%m/%d/%Y'" in err
    assert "lines [2, 3, 4]" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_strict_mode_exits_four_when_a_section_is_dropped(
    export: tuple[Path, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = export
    run = tmp_path / "run.toml"
    main(["init", "--customers", str(folder / "asiakkaat.csv"), "--responses",
          str(folder / "vastaukset.csv"), "--out", str(run)])  # fmt: skip
    code = main(["report", "--config", str(run), "--out", str(tmp_path / "o"),
                 "--bootstrap", "50", "--strict"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == EXIT_STRICT
    assert "not available: Contact drivers" in captured.out  # no contacts given
    assert "strict:" in captured.err and (tmp_path / "o" / "cx_report.pdf").is_file()


def test_run_file_keys_and_values_are_checked_with_the_valid_ones_listed(tmp_path: Path) -> None:
    run = tmp_path / "run.toml"
    cases = {
        '[files]\ncustomers = "c.csv"\nresponses = "r.csv"\n[raed]\n': "unknown key(s) ['raed']",
        '[files]\ncustomers = "c.csv"\n': "['responses'] must be given",
        '[files]\ncustomers = "c.csv"\nresponses = "r.csv"\n[read]\ndate_fmt = "x"\n': (
            "[read]: unknown key(s) ['date_fmt']; valid keys are ['encoding'"
        ),
        '[files]\ncustomers = "c.csv"\nresponses = "r.csv"\n[columns.customers]\nid = "a"\n': (
            "[columns.customers]: unknown key(s) ['id']"
        ),
        '[files]\ncustomers = "c.csv"\nresponses = "r.csv"\n[report]\nlanguage = "sv"\n': (
            "`language` must be one of ['en', 'fi']"
        ),
        '[files]\ncustomers = "c.csv"\nresponses = "r.csv"\n[assumptions]\nhorizon = 5\n': (
            "unknown key(s) ['horizon']"
        ),
        '[files]\ncustomers = "c.csv"\nresponses = "r.csv"\n[read]\ndate_format = "dd.mm"\n': (
            "`date_format` must be a strftime format"
        ),
    }
    for text, message in cases.items():
        run.write_text(text, encoding="utf-8")
        with pytest.raises(CxDataError, match=re.escape(message)):
            load_run_file(run)


def test_flags_outside_the_stated_words_and_bad_encodings_are_named(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("asiakas_id;irtisanottu\n1;kyllä\n2;ehkä\n".encode("cp1252"))
    options = ReadOptions(encoding="cp1252", true_words=("kyllä",), false_words=("ei",))
    with pytest.raises(CxDataError, match=r"`churned` \(your `irtisanottu`\) holds \['ehkä'\]"):
        names = {"churned": "irtisanottu", "customer_id": "asiakas_id"}
        read_table(path, "customers", options=options, columns=names)
    with pytest.raises(CxDataError, match=r"is not utf-8 text \(line 2"):
        read_table(path, "customers", options=ReadOptions(encoding="utf-8"))
    with pytest.warns(CxAssumptionWarning, match="is not UTF-8; read as cp1252"):
        frame = read_table(path, "customers")
    assert frame["irtisanottu"].tolist() == ["kyllä", "ehkä"]


def test_day_first_dates_without_a_format_and_bad_scores_name_setting_and_lines(
    tmp_path: Path,
) -> None:
    from cx_economics.data.schemas import validate_customers, validate_responses

    customers = tmp_path / "c.csv"
    customers.write_text(
        "asiakas_id;kanava;liittymispäivä;irtisanottu\n1;web;25.08.2022;0\n", encoding="utf-8"
    )
    names = {"customer_id": "asiakas_id", "channel": "kanava", "start_date": "liittymispäivä",
             "churned": "irtisanottu"}  # fmt: skip
    frame = read_table(customers, "customers", columns=names)
    with pytest.raises(CxDataError, match=r"found '25\.08\.2022'.*date_format = '%d\.%m\.%Y'"):
        validate_customers(frame)
    responses = tmp_path / "r.csv"
    rows = "".join(f"{i};2024-01-0{1 + i % 9};web;{11 if i == 4 else 9}\n" for i in range(1, 8))
    responses.write_text("customer_id;response_date;channel;score\n" + rows, encoding="utf-8")
    with pytest.raises(CxDataError, match=r"`score`.*row 5\b"):  # the 4th answer, line 5
        validate_responses(read_table(responses, "responses"))


def test_exports_that_used_to_become_wrong_numbers_are_read_right_or_refused(
    tmp_path: Path,
) -> None:
    """Cases from a bad-input hunt: each was a silent wrong number or a traceback."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    with pytest.raises(CxDataError, match="must differ"):
        ReadOptions(decimal=",", thousands=",")
    with pytest.raises(CxDataError, match="`date_format` must be a strftime format"):
        ReadOptions(date_format="%d.%m.%Y %Q")
    with pytest.raises(CxDataError, match=r"`sheets.customers` must be a sheet's name"):
        ReadOptions(sheets={"customers": ["A"]})  # type: ignore[dict-item]
    long_ids = write("ids.csv", "customer_id;score\n123456789012345678;9\n123456789012345679;3\n")
    ids = read_table(long_ids, "responses")["customer_id"].tolist()
    assert ids == [123456789012345678, 123456789012345679]  # exact, not through floats
    trailing = write("trail.csv", "customer_id;score;response_date\n1;9;2022-01-01;\n")
    assert read_table(trailing, "responses")[["customer_id", "score"]].values.tolist() == [[1, 9]]
    shifted = write("shift.csv", "customer_id;score;response_date\n1;9;2022-01-01;x\n")
    with pytest.raises(CxDataError, match="line 2 has 4 fields, the header 3"):
        read_table(shifted, "responses")
    dotted = write("dates.csv", "customer_id;start_date;monthly_revenue\n1;01.05.2025;1.234,5\n")
    options = ReadOptions(thousands=".", decimal=",", date_format="%d.%m.%Y")
    frame = read_table(dotted, "customers", options=options)
    assert str(frame["start_date"].iloc[0].date()) == "2025-05-01"  # not the number 1052025
    assert frame["monthly_revenue"].iloc[0] == 1234.5
    with pytest.raises(CxDataError, match="maps more than one column to your"):
        read_table(dotted, "customers", columns={"start_date": "x", "end_date": "x"})
    both = write("both.csv", "customer_id;asiakas\n1;2\n")
    with pytest.raises(CxDataError, match=r"which has columns named \['customer_id'\] too"):
        read_table(both, "customers", columns={"customer_id": "asiakas"})
    with pytest.raises(CxDataError, match="is empty"):
        read_table(write("empty.csv", ""), "customers")
    flags = write("flags.csv", "customer_id;churned\n1;1\n2;\n3;0\n")
    read = read_table(flags, "customers", options=ReadOptions(true_words=("kyllä",)))
    assert read["churned"].tolist()[::2] == [True, False]


def test_ids_text_in_one_file_are_text_in_all_so_they_still_match(tmp_path: Path) -> None:
    from cx_economics.data.files import same_id_type

    customers = tmp_path / "c.csv"
    customers.write_text("customer_id\n0999\n1000\n", encoding="utf-8")
    responses = tmp_path / "r.csv"
    responses.write_text("customer_id\n1000\n1000\n", encoding="utf-8")
    tables = {"customers": read_table(customers, "customers"),
              "responses": read_table(responses, "responses")}  # fmt: skip
    assert tables["responses"]["customer_id"].tolist() == [1000, 1000]
    same = same_id_type(tables)
    assert set(same["responses"]["customer_id"]) <= set(same["customers"]["customer_id"])


def test_as_of_shaped_like_a_date_but_no_date_is_named() -> None:
    from cx_economics.data.dates import parse_as_of

    for text in ("2025-13-01", "2025-12-31T25:00"):
        with pytest.raises(CxDataError, match="which is no date"):
            parse_as_of(text)
