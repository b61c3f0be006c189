"""A catalogue of the inputs finance teams really send, through the entry points they call.

Each case breaks a small, otherwise valid table in one way (the way a CRM export, Excel
or a survey tool breaks it) and calls a public entry point: ``validate_*``,
``life_table``, ``nps``, ``fit_churn``, ``value_by_band``, ``channel_economics``,
``contact_driver_analysis`` or ``load_assumptions``. The expected outcome is a
:class:`CxDataError` / :class:`CxModelError` whose message names the table, the column
and the number of bad rows (the counts come from how many rows we broke, not from the
program), or a :class:`CxAssumptionWarning` that counts what was set aside. The same
files through the command line give exit code 3 and one line on stderr.

``tests/data/test_data.py`` and ``tests/data/test_assumptions.py`` check the validator itself;
this file checks that every user-facing door leads to the same clear message.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _tables import contacts, costs, customers, dated_customers, responses

import cx_economics as cx
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.data.datasets import SimulatedData
from cx_economics.presentation.cli import EXIT_DATA, main

FAST = cx.Assumptions(
    n_bootstrap=50,
    excellent_nps={"branch": 40.0, "chat": 40.0, "phone": 40.0, "web": 40.0},
    cost_per_contact={"branch": 5.0, "chat": 2.0, "phone": 6.0, "web": 1.0},
)


# ------------------------------------------------------------------ the catalogue


@dataclass(frozen=True)
class Case:
    """One broken input: the call that must fail, and what its message must name."""

    name: str
    call: Callable[[], object]
    error: type[Exception]
    needles: tuple[str, ...]


def _text(**changes: object) -> pd.DataFrame:
    """Responses whose score column holds text (as an Excel export gives it)."""
    frame = responses()
    frame["score"] = frame["score"].astype(object)
    for row, value in changes.items():
        frame.loc[int(row[1:]), "score"] = value
    return frame


CASES = [
    # customers ---------------------------------------------------------------
    Case(
        "customers not a frame",
        lambda: cx.validate_customers(customers().to_dict()),  # type: ignore[arg-type]
        CxDataError,
        ("`customers`", "DataFrame", "dict"),
    ),
    Case(
        "customers empty",
        lambda: cx.life_table(customers().iloc[:0], responses()),
        CxDataError,
        ("`customers`", "0 rows"),
    ),
    Case(
        "tenure NaN",
        lambda: cx.fit_churn(customers(tenure_months=[3.0, np.nan, 1.0, np.nan, 2.0, 5.0])),
        CxDataError,
        ("`customers`", "`tenure_months`", "2 rows", "rows 1, 3"),
    ),
    Case(
        "tenure empty string",
        lambda: cx.life_table(customers(tenure_months=["3", " ", "1", "4", "2", "5"])),
        CxDataError,
        ("`customers`", "`tenure_months`", "1 row", "row 1"),
    ),
    Case(
        "tenure negative",
        lambda: cx.life_table(customers(tenure_months=[3.0, -1.0, -2.0, -0.5, 2.0, 5.0])),
        CxDataError,
        ("`customers`", "`tenure_months`", "≥ 0", "3 rows", "rows 1, 2, 3"),
    ),
    Case(
        "tenure typed with a unit",
        lambda: cx.validate_customers(
            customers(tenure_months=["3 months", "12", "7", "24", "1", "30"])
        ),
        CxDataError,
        ("`customers`", "`tenure_months`", "'3 months'", "1 row", "row 0"),
    ),
    Case(
        "end date before start",
        lambda: cx.fit_churn(
            dated_customers(end_date=[None, "2022-05-31", None, "2025-02-28", None, None])
        ),
        CxDataError,
        ("`customers`", "`end_date`", "`start_date`", "1 row", "row 1"),
    ),
    Case(
        "start date after the cut-off",
        lambda: cx.life_table(dated_customers(), as_of="2024-12-31"),
        CxDataError,
        ("`customers`", "`start_date`", "2024-12-31", "1 row", "row 4"),
    ),
    Case(
        "churn flag Y/N",
        lambda: cx.life_table(customers(churned=["Y", "N", "N", "Y", "N", "N"])),
        CxDataError,
        ("`customers`", "`churned`", "'Y'", "6 rows"),
    ),
    Case(
        "churn flag kyllä/ei",
        lambda: cx.fit_churn(customers(churned=["kyllä", "ei", "ei", "ei", "kyllä", "ei"])),
        CxDataError,
        ("`customers`", "`churned`", "'kyllä'", "6 rows"),
    ),
    Case(
        "duplicate customer ids",
        lambda: cx.value_by_band(customers(customer_id=[1, 2, 2, 4, 5, 5]), responses(), FAST),
        CxDataError,
        ("`customers`", "`customer_id`", "unique", "4 rows", "rows 1, 2, 4"),
    ),
    Case(
        "channel None",
        lambda: cx.channel_economics(
            customers(channel=["web", None, "chat", None, "phone", "chat"]), responses()
        ),
        CxDataError,
        ("`customers`", "`channel`", "missing", "2 rows", "rows 1, 3"),
    ),
    Case(
        "revenue negative",
        lambda: cx.value_by_band(
            customers(monthly_revenue=[20.0, -35.0, 50.0, 10.0, 15.0, 40.0]), responses(), FAST
        ),
        CxDataError,
        ("`customers`", "`monthly_revenue`", "1 row", "row 1"),
    ),
    # responses ---------------------------------------------------------------
    Case(
        "score 11",
        lambda: cx.nps(responses(score=[9, 11, 7, 10, 12, 8])),
        CxDataError,
        ("`responses`", "`score`", "0–10", "2 rows", "rows 1, 4"),
    ),
    Case(
        "score typed 10/10",
        lambda: cx.nps(_text(r0="10/10", r3="9/10")),
        CxDataError,
        ("`responses`", "`score`", "'10/10'", "2 rows", "rows 0, 3"),
    ),
    Case(
        "score 9.5",
        lambda: cx.life_table(customers(), responses(score=[9.5, 3, 7, 10, 0, 8])),
        CxDataError,
        ("`responses`", "`score`", "integer", "1 row", "row 0"),
    ),
    Case(
        "score NaN",
        lambda: cx.nps(responses(score=[9, np.nan, 7, np.nan, np.nan, 8])),
        CxDataError,
        ("`responses`", "`score`", "missing", "3 rows", "rows 1, 3, 4"),
    ),
    Case(
        "score empty string",
        lambda: cx.fit_churn(customers(), _text(r2="", r5="  ")),
        CxDataError,
        ("`responses`", "`score`", "missing", "2 rows", "rows 2, 5"),
    ),
    Case(
        "score boolean",
        lambda: cx.nps(responses(score=[True, False, True, True, False, True])),
        CxDataError,
        ("`responses`", "`score`", "boolean", "6 rows"),
    ),
    Case(
        "dates in two formats",
        lambda: cx.nps(
            responses(
                response_date=[
                    "2025-01-31",
                    "31/01/2025",
                    "2025-03-01",
                    "12/24/2024",
                    "2025-05-05",
                    "2025-06-30",
                ]
            )
        ),
        CxDataError,
        ("`responses`", "`response_date`", "ISO 8601", "2 rows", "rows 1, 3"),
    ),
    Case(
        "response customer id missing",
        lambda: cx.life_table(customers(), responses(customer_id=[1, None, 3, 4, 5, 6])),
        CxDataError,
        ("`responses`", "`customer_id`", "1 row", "row 1"),
    ),
    Case(
        "responses empty",
        lambda: cx.nps(responses().iloc[:0]),
        CxDataError,
        ("`responses`", "0 rows"),
    ),
    Case(
        "response column renamed without mapping",
        lambda: cx.nps(responses().rename(columns={"score": "NPS score"})),
        CxDataError,
        ("`responses`", "`score`", "NPS score", "columns="),
    ),
    # contacts ----------------------------------------------------------------
    Case(
        "contact date is text",
        lambda: cx.contact_driver_analysis(
            customers(),
            contacts(
                contact_date=[
                    "yesterday",
                    "2024-02-03",
                    "2025-03-04",
                    "2024-12-05",
                    "2025-05-06",
                    "2025-06-07",
                ]
            ),
            assumptions=FAST,
        ),
        CxDataError,
        ("`contacts`", "`contact_date`", "'yesterday'", "1 row", "row 0"),
    ),
    Case(
        "contact channel column missing",
        lambda: cx.validate_contacts(contacts().drop(columns="channel")),
        CxDataError,
        ("`contacts`", "`channel`", "missing"),
    ),
    Case(
        "contact customer id NaN",
        lambda: cx.validate_contacts(contacts(customer_id=[1, 2, np.nan, 4, np.nan, 6])),
        CxDataError,
        ("`contacts`", "`customer_id`", "2 rows", "rows 2, 4"),
    ),
    # channel costs -----------------------------------------------------------
    Case(
        "cost NPS out of range",
        lambda: cx.validate_channel_costs(costs(nps=[10.0, 140.0, 0.0, 30.0, -120.0, 35.0])),
        CxDataError,
        ("`channel_costs`", "`nps`", "2 rows", "rows 1, 4"),
    ),
    Case(
        "cost negative",
        lambda: cx.validate_channel_costs(costs(annual_cost=[1e5, -2e5, 3e5, 5e5, 1e5, 1.6e5])),
        CxDataError,
        ("`channel_costs`", "`annual_cost`", "1 row", "row 1"),
    ),
    Case(
        "cost with thousands separators",
        lambda: cx.validate_channel_costs(
            costs(annual_cost=["100,000", "200000", "300000", "1 600 000", "1", "2"])
        ),
        CxDataError,
        ("`channel_costs`", "`annual_cost`", "'100,000'", "2 rows", "rows 0, 3"),
    ),
    Case(
        "cost level repeated",
        lambda: cx.validate_channel_costs(costs(nps=[10.0, 10.0, 0.0, 30.0, 5.0, 35.0])),
        CxDataError,
        ("`channel_costs`", "`nps`", "repeat", "2 rows", "rows 0, 1"),
    ),
    Case(
        "cost for an unknown channel",
        lambda: cx.validate_channel_costs(
            costs(channel=["web", "web", "Phone", "phone", "chat", "chat"]),
            known_channels=["chat", "phone", "web"],
        ),
        CxDataError,
        ("`channel_costs`", "`channel`", "'Phone'", "1 row", "row 2"),
    ),
    # assumptions -------------------------------------------------------------
    Case(
        "discount rate 8",
        lambda: cx.Assumptions(annual_discount_rate=8.0),
        CxDataError,
        ("`annual_discount_rate`", "0.08"),
    ),
    Case(
        "horizon 0",
        lambda: cx.Assumptions(horizon_months=0),
        CxDataError,
        ("`horizon_months`", "0"),
    ),
    Case(
        "confidence level 95",
        lambda: cx.Assumptions(confidence_level=95.0),
        CxDataError,
        ("`confidence_level`", "95"),
    ),
    Case(
        "too few bootstrap replicates",
        lambda: cx.Assumptions(n_bootstrap=10),
        CxDataError,
        ("`n_bootstrap`", "50"),
    ),
    Case(
        "margin by band for an unknown band",
        lambda: cx.load_assumptions({"monthly_margin_by_band": {"promoters": 14.0}}),
        CxDataError,
        ("promoters",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_raises_a_message_naming_table_column_and_count(case: Case) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        with pytest.raises(case.error) as info:
            case.call()
    message = str(info.value)
    missing = [n for n in case.needles if n not in message]
    assert not missing, f"message lacks {missing}: {message}"


def test_catalogue_is_large_and_covers_every_table() -> None:
    assert len(CASES) >= 30
    text = " ".join(n for c in CASES for n in c.needles)
    for table in ("`customers`", "`responses`", "`contacts`", "`channel_costs`"):
        assert table in text
    assert any("horizon" in n for c in CASES for n in c.needles)


# ------------------------------------------------------------------ assumptions file


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        ("annual_discount_rate = 8\n", ("`annual_discount_rate`", "did you mean 0.08")),
        ("horizon_months = 0\n", ("`horizon_months`", "got 0")),
        ("margin_rate = 30\n", ("`margin_rate`", "did you mean 0.3")),
        ("annual_discount_rate = '8 %'\n", ("`annual_discount_rate`",)),
        ("horizon_months = 60\nhorizon_months = 12\n", ("not valid TOML",)),
    ],
    ids=["rate as percent", "horizon 0", "margin as percent", "rate as text", "duplicate key"],
)
def test_bad_assumptions_file_names_the_key(
    tmp_path: Path, toml: str, needles: tuple[str, ...]
) -> None:
    path = tmp_path / "assumptions.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(CxDataError) as info:
        cx.load_assumptions(path)
    assert all(n in str(info.value) for n in needles), str(info.value)


# ------------------------------------------------------------------ command line

CLI_CASES = {
    "churn flag kyllä": (
        {"customers": customers(churned=["kyllä", "ei", "ei", "ei", "kyllä", "ei"])},
        ("`customers`", "`churned`", "6 rows"),
    ),
    "duplicate ids": (
        {"customers": customers(customer_id=[1, 2, 2, 4, 5, 6])},
        ("`customers`", "`customer_id`", "2 rows"),
    ),
    "score 10/10": (
        {"responses": _text(r0="10/10")},
        ("`responses`", "`score`", "1 row"),
    ),
    "score out of range": (
        {"responses": responses(score=[9, 11, 7, 10, 12, 8])},
        ("`responses`", "`score`", "2 rows"),
    ),
    "dates in two formats": (
        {"responses": responses(response_date=["2025-01-31", "31.01.2025"] + ["2025-03-01"] * 4)},
        ("`responses`", "`response_date`", "1 row"),
    ),
    "negative tenure": (
        {"customers": customers(tenure_months=[3.0, -1.0, 7.5, 24.0, 1.0, 30.0])},
        ("`customers`", "`tenure_months`", "1 row"),
    ),
    "discount rate 8": ({"assumptions": "annual_discount_rate = 8\n"}, ("did you mean 0.08",)),
    "horizon 0": ({"assumptions": "horizon_months = 0\n"}, ("`horizon_months`",)),
}


def _write_inputs(folder: Path, broken: dict[str, object]) -> list[str]:
    frames = {"customers": customers(), "responses": responses(), **broken}
    args = ["report", "--out", str(folder / "out")]
    for name in ("customers", "responses"):
        path = folder / f"{name}.csv"
        frame = frames[name]
        assert isinstance(frame, pd.DataFrame)
        frame.to_csv(path, index=False)
        args += [f"--{name}", str(path)]
    if "assumptions" in broken:
        path = folder / "assumptions.toml"
        path.write_text(str(broken["assumptions"]), encoding="utf-8")
        args += ["--assumptions", str(path)]
    return args


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_maps_bad_files_to_one_line_and_exit_code_3(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken, needles = CLI_CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        code = main(_write_inputs(tmp_path, broken))
    err = capsys.readouterr().err.strip()
    assert code == EXIT_DATA
    assert len(err.splitlines()) == 1, err
    assert err.startswith("cx-economics: error:")
    assert "Traceback" not in err
    assert all(n in err for n in needles), err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# ------------------------------------------------------------------ semantic cases


def _churned_sample(data: SimulatedData, n: int) -> pd.DataFrame:
    gone = data.customers[data.customers["churned"]]
    gone = gone[
        gone["end_date"] < pd.Timestamp(data.customers["end_date"].max()) - pd.Timedelta(days=90)
    ]
    return gone.head(n)


def test_responses_for_unknown_customers_are_counted_in_a_warning(small: SimulatedData) -> None:
    strangers = pd.DataFrame(
        {
            "customer_id": [10**7, 10**7 + 1, 10**7 + 2],
            "response_date": pd.to_datetime(["2024-01-01"] * 3),
            "channel": "web",
            "score": [0, 0, 0],
        }
    )
    polluted = pd.concat([small.responses, strangers], ignore_index=True)
    with pytest.warns(
        CxAssumptionWarning, match=r"3 responses .*`customer_id`.*not in `customers`"
    ):
        table = cx.life_table(small.customers, polluted)
    clean = cx.life_table(small.customers, small.responses)
    pd.testing.assert_frame_equal(table.to_frame(), clean.to_frame())


def test_responses_after_the_cut_off_are_counted_and_ignored(small: SimulatedData) -> None:
    cutoff = pd.Timestamp("2025-06-30")
    late = int((small.responses["response_date"] > cutoff).sum())
    assert late > 0
    default_cutoff = small.customers["end_date"].max()
    future = small.responses.copy()
    future.loc[future.index[:4], "response_date"] = default_cutoff + pd.Timedelta(days=30)
    with pytest.warns(CxAssumptionWarning, match=r"\b4 responses are dated after the cut-off"):
        cx.life_table(small.customers, future)


def test_responses_dated_after_churn_are_flagged_with_a_count(small: SimulatedData) -> None:
    gone = _churned_sample(small, 5)
    ghosts = pd.DataFrame(
        {
            "customer_id": gone["customer_id"].to_numpy(),
            "response_date": (gone["end_date"] + pd.Timedelta(days=40)).to_numpy(),
            "channel": gone["channel"].to_numpy(),
            "score": 0,
        }
    )
    assert len(ghosts) == 5
    polluted = pd.concat([small.responses, ghosts], ignore_index=True)
    with pytest.warns(CxAssumptionWarning, match=r"\b5 responses .*after .*(churn|`end_date`)"):
        cx.life_table(small.customers, polluted)


def test_channel_renamed_long_ago_is_flagged_and_priced_on_the_customers(
    small: SimulatedData,
) -> None:
    # the customers' channel decides whose mix an answer sets: renaming every web
    # answer warns, names the stranger, and leaves the money where the customers are
    renamed = small.responses.copy()
    renamed.loc[renamed["channel"] == "web", "channel"] = "online"
    with pytest.warns(CxAssumptionWarning, match=r"\['online'\] that no customer belongs to"):
        moved = cx.channel_economics(small.customers, renamed, assumptions=FAST)
    same = cx.channel_economics(small.customers, small.responses, assumptions=FAST)
    np.testing.assert_allclose(moved.money_lost(), same.money_lost())


def test_channel_renamed_half_way_is_flagged(small: SimulatedData) -> None:
    renamed = small.responses.copy()
    late = (renamed["channel"] == "web") & (renamed["response_date"] > "2025-06-30")
    assert late.sum() > 50
    renamed.loc[late, "channel"] = "online"
    with pytest.warns(CxAssumptionWarning, match="online"):
        cx.channel_economics(small.customers, renamed, assumptions=FAST)


def test_costs_in_thousands_are_flagged_per_channel() -> None:
    # finance sent k€: each channel of the demo base (50,000 customers) then costs a
    # few hundred euros a year against millions of margin
    demo = cx.load_demo()
    costs = demo.channel_costs
    in_thousands = costs.assign(annual_cost=costs["annual_cost"] / 1e3)
    with pytest.warns(CxAssumptionWarning, match=r"check their unit") as caught:
        econ = cx.channel_economics(
            demo.customers, demo.responses, channel_costs=in_thousands, assumptions=FAST
        )
    flagged = {o.split(":")[0] for o in econ.implausible_costs()}
    assert flagged == set(econ.channels)
    assert any("thousands?" in str(w.message) for w in caught)
    with warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always")
        right = cx.channel_economics(
            demo.customers, demo.responses, channel_costs=costs, assumptions=FAST
        )
    assert right.implausible_costs() == []
    assert not [w for w in quiet if "check their unit" in str(w.message)]


def test_a_month_without_answers_is_absent_not_zero(small: SimulatedData) -> None:
    month = small.responses["response_date"].dt.to_period("M")
    answered = sorted(month.unique())
    dropped = answered[len(answered) // 2]  # a surveyed month between two others
    table = cx.nps(small.responses[month != dropped], period="M", by="period", seed=0).to_frame()
    periods = set(table["period"].astype(str))
    assert str(dropped) not in periods
    assert {str(answered[len(answered) // 2 - 1]), str(answered[len(answered) // 2 + 1])} <= periods
    assert np.isfinite(table["nps"]).all()
    assert (table["n"] > 0).all()


def test_no_churn_at_all_is_a_model_error_that_says_what_to_try(small: SimulatedData) -> None:
    stayers = small.customers.drop(columns="end_date").assign(churned=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        with pytest.raises(CxModelError, match=r"no churn events.*Kaplan–Meier"):
            cx.fit_churn(stayers, small.responses)
        km = cx.fit_churn(stayers, small.responses, model="km")
    # Kaplan–Meier on an all-censored base: nobody leaves within the data
    assert np.allclose(km.to_frame()["survival"], 1.0)


def test_a_channel_with_no_detractors_or_no_answers_cannot_price_its_mix(
    small: SimulatedData,
) -> None:
    no_chat = small.responses[small.responses["channel"] != "chat"]
    with pytest.raises(CxDataError, match=r"'chat'"):
        cx.channel_economics(small.customers, no_chat, assumptions=FAST)


def test_unknown_contact_channel_names_the_channel_and_count(small: SimulatedData) -> None:
    faxed = small.contacts.copy()
    faxed.loc[faxed.index[:3], "channel"] = "fax"
    with pytest.raises(CxDataError, match=r"\['fax'\], which handled 3 contact"):
        cx.contact_driver_analysis(small.customers, faxed, small.responses, assumptions=FAST)


def test_answers_after_churn_do_not_set_the_band(small: SimulatedData) -> None:
    """The exit-survey zero is left out: the customer keeps the band of earlier answers."""
    gone = _churned_sample(small, 5)
    ghosts = pd.DataFrame(
        {
            "customer_id": gone["customer_id"].to_numpy(),
            "response_date": (gone["end_date"] + pd.Timedelta(days=40)).to_numpy(),
            "channel": gone["channel"].to_numpy(),
            "score": 0,
        }
    )
    polluted = pd.concat([small.responses, ghosts], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        clean = cx.life_table(small.customers, small.responses)
        dirty = cx.life_table(small.customers, polluted)
    pd.testing.assert_frame_equal(clean.frame, dirty.frame)
