"""Dates, identities and contradicting columns that used to become wrong numbers (issue 15).

Each case breaks a small, otherwise valid table the way a CRM export or a survey tool
does and calls a public entry point. The outcome is a :class:`CxDataError` or a
:class:`CxAssumptionWarning` whose message names the column and the cause, or a
documented rule (``docs/how-to/own-data.md``, "Dates and the cut-off") checked on the
numbers. The demo data must raise none of these warnings.
"""

from __future__ import annotations

import io
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest
from _tables import contacts, dated_customers, responses

import cx_economics as cx
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.datasets import SimulatedData, simulate


def _first_active(frame: pd.DataFrame) -> int:
    return int(frame.index[frame["end_date"].isna()][0])


def _dates_only(data: SimulatedData) -> pd.DataFrame:
    """The simulated customers as a CRM gives them: dates, no tenure, no flag."""
    return data.customers.drop(columns=["tenure_months", "churned"])


def _one_warning(call: object, match: str) -> list[str]:
    """Messages of the CxAssumptionWarnings raised by ``call()``; one must match."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()  # type: ignore[operator]
    messages = [str(w.message) for w in caught if issubclass(w.category, CxAssumptionWarning)]
    assert any(match in m for m in messages), messages
    return messages


def _message(error: pytest.ExceptionInfo[BaseException], *needles: str) -> None:
    text = str(error.value)
    missing = [n for n in needles if n not in text]
    assert not missing, f"message lacks {missing}: {text}"


# ------------------------------------------------------------- item 2: the cut-off


def test_one_future_start_date_does_not_move_the_cut_off(small: SimulatedData) -> None:
    raw = _dates_only(small)
    row = _first_active(raw)
    raw.loc[row, "start_date"] = pd.Timestamp("2030-01-01")
    with pytest.raises(CxDataError) as info:
        cx.validate_customers(raw)
    _message(info, "`start_date`", "2030-01-01", "far beyond", "1 row", f"row {row}", "`as_of=`")


def test_with_as_of_a_future_start_date_is_after_the_cut_off(small: SimulatedData) -> None:
    raw = _dates_only(small)
    row = _first_active(raw)
    raw.loc[row, "start_date"] = pd.Timestamp("2030-01-01")
    with pytest.raises(CxDataError) as info:
        cx.validate_customers(raw, as_of=small.as_of)
    _message(info, "`start_date`", "after the cut-off 2025-12-31", f"row {row}")


def test_default_cut_off_of_clean_data_is_the_latest_date(small: SimulatedData) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        valid = cx.validate_customers(_dates_only(small))
    assert valid.as_of == small.customers[["start_date", "end_date"]].max().max()


def test_a_cohort_followed_for_years_keeps_its_late_end_dates(small: SimulatedData) -> None:
    raw = _dates_only(small)
    cohort = raw[raw["start_date"] < pd.Timestamp("2023-01-01")]
    assert cohort["end_date"].max() > pd.Timestamp("2025-06-01")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        valid = cx.validate_customers(cohort)
    assert valid.as_of == cohort["end_date"].max()
    assert valid.frame["churned"].sum() == cohort["end_date"].notna().sum()


# ------------------------------------------------------ item 3: end-date placeholders


@pytest.mark.parametrize("placeholder", ["2099-12-31", "2100-01-01"])
def test_far_future_end_date_of_every_active_customer_reads_as_active(
    small: SimulatedData, placeholder: str
) -> None:
    raw = _dates_only(small)
    active = raw["end_date"].isna()
    raw["end_date"] = raw["end_date"].astype(object).where(~active, pd.Timestamp(placeholder))
    messages = _one_warning(lambda: cx.validate_customers(raw), "placeholder for 'still active'")
    assert any("`end_date`" in m and placeholder in m and "`as_of=`" in m for m in messages)
    valid = cx.validate_customers(_dates_only(small))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        sentinel = cx.validate_customers(raw)
    assert sentinel.as_of == valid.as_of
    assert not sentinel.frame.loc[active, "churned"].any()
    assert sentinel.frame["tenure_months"].max() < 60


def test_end_date_9999_as_text_is_still_active_not_a_bad_format() -> None:
    raw = dated_customers(end_date=[None, "2024-05-31", "9999-12-31", "2025-02-28", None, None])
    messages = _one_warning(lambda: cx.validate_customers(raw), "still active")
    assert any("`end_date`" in m and "9999-12-31" in m and "row 2" in m for m in messages)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        frame = cx.validate_customers(raw).frame
    assert frame["churned"].tolist() == [False, True, False, True, False, False]


def test_end_date_9999_from_parquet_milliseconds_is_still_active() -> None:
    ends = np.array(["NaT", "2024-05-31", "9999-12-31", "2025-02-28", "NaT", "NaT"], "M8[ms]")
    starts = pd.to_datetime(dated_customers()["start_date"]).astype("datetime64[ms]")
    raw = dated_customers(start_date=starts, end_date=pd.Series(ends))
    _one_warning(lambda: cx.validate_customers(raw), "still active")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        frame = cx.validate_customers(raw).frame
    assert frame["churned"].tolist() == [False, True, False, True, False, False]


@pytest.mark.parametrize(
    ("column", "value"),
    [("start_date", "1066-10-14"), ("start_date", "9999-12-31"), ("end_date", "1066-10-14")],
)
def test_iso_dates_out_of_range_are_called_out_of_range(column: str, value: str) -> None:
    frame = dated_customers()
    frame.loc[3, column] = value
    with pytest.raises(CxDataError) as info:
        cx.validate_customers(frame)
    _message(info, f"`{column}`", "ISO 8601 but outside", value, "row 3")


def test_response_date_9999_is_out_of_range_not_a_placeholder() -> None:
    frame = responses()
    frame.loc[2, "response_date"] = "9999-12-31"
    with pytest.raises(CxDataError) as info:
        cx.validate_responses(frame)
    _message(info, "`response_date`", "outside", "row 2")


def test_parquet_start_date_out_of_range_is_an_error_not_a_crash() -> None:
    starts = np.array(["2023-01-15", "2023-03-01", "1066-10-14", "2022-11-30"] * 1, "M8[ms]")
    raw = pd.DataFrame(
        {"customer_id": [1, 2, 3, 4], "channel": ["web"] * 4, "start_date": starts}
    ).assign(churned=False)
    with pytest.raises(CxDataError) as info:
        cx.validate_customers(raw)
    _message(info, "`start_date`", "outside", "1066-10-14", "row 2")


# --------------------------------------------------------------- as_of and zones


@pytest.mark.parametrize(
    ("as_of", "needles"),
    [
        ("yesterday", ("`as_of`", "ISO 8601", "'yesterday'")),
        ("31.12.2025", ("`as_of`", "ISO 8601", "'31.12.2025'")),
        (2025, ("`as_of`", "number", "2025")),
        (2025.0, ("`as_of`", "number")),
        ("9999-12-31", ("`as_of`", "outside")),
    ],
)
def test_as_of_that_is_not_a_date_names_as_of(as_of: object, needles: tuple[str, ...]) -> None:
    with pytest.raises(CxDataError) as info:
        cx.validate_customers(dated_customers(), as_of=as_of)  # type: ignore[arg-type]
    _message(info, *needles)


def test_life_table_as_of_that_is_not_a_date_names_as_of() -> None:
    with pytest.raises(CxDataError) as info:
        cx.life_table(dated_customers(), responses(), as_of="yesterday")
    _message(info, "`as_of`", "'yesterday'")


def test_dates_mixing_zoned_and_naive_are_an_error_naming_the_column() -> None:
    frame = responses()
    frame.loc[1, "response_date"] = "2024-02-15T10:00:00Z"
    with pytest.raises(CxDataError) as info:
        cx.validate_responses(frame)
    _message(info, "`responses`", "`response_date`", "time zone", "2024-02-15T10:00:00Z", "5 rows")


def test_zoned_dates_with_summer_and_winter_offsets_are_read() -> None:
    dates = ["2025-01-31T12:00+02:00", "2024-07-15T12:00+03:00"] * 3
    frame = cx.validate_responses(responses(response_date=dates)).frame
    assert frame["response_date"].iloc[:2].tolist() == [
        pd.Timestamp("2025-01-31 10:00"),
        pd.Timestamp("2024-07-15 09:00"),
    ]


def test_helsinki_midnight_moves_to_utc_unless_local_time_is_kept() -> None:
    dates = ["2025-02-01T00:00:00+02:00"] * 6
    utc = cx.validate_responses(responses(response_date=dates)).frame["response_date"]
    assert utc.iloc[0] == pd.Timestamp("2025-01-31 22:00")  # the documented default
    local = cx.validate_responses(responses(response_date=dates), local_time=True).frame
    assert local["response_date"].iloc[0] == pd.Timestamp("2025-02-01 00:00")
    zoned = pd.to_datetime(["2025-02-01 00:00"] * 6).tz_localize("Europe/Helsinki")
    kept = cx.validate_responses(responses(response_date=zoned), local_time=True).frame
    assert kept["response_date"].iloc[0] == pd.Timestamp("2025-02-01 00:00")


# -------------------------------------------------------------- identities (CSV ids)


def test_csv_ids_with_leading_zeros_say_to_read_them_as_text() -> None:
    csv = "customer_id,channel,tenure_months,churned\n0001,web,3,0\n01,web,5,1\n2,phone,7,0\n"
    frame = pd.read_csv(io.StringIO(csv))
    with pytest.raises(CxDataError) as info:
        cx.validate_customers(frame)
    _message(info, "`customer_id`", "must be unique", "leading zeros", "as text", "dtype=")
    text = pd.read_csv(io.StringIO(csv), dtype={"customer_id": str})
    assert len(cx.validate_customers(text)) == 3


# --------------------------------------------------- item 9: contradicting columns


def test_churned_flag_against_end_date_is_flagged_naming_both() -> None:
    frame = dated_customers(churned=[False, False, False, True, True, False])
    messages = _one_warning(lambda: cx.validate_customers(frame), "`churned` is False")
    assert any("`end_date` is set" in m and "row 1" in m for m in messages)
    assert any("`churned` is True but `end_date` is empty" in m and "row 4" in m for m in messages)


def test_tenure_against_start_date_is_flagged_naming_both() -> None:
    frame = dated_customers(tenure_months=[29.5, 15.0, 4.0, 27.0, 6.0, 13.0])
    messages = _one_warning(
        lambda: cx.validate_customers(frame, as_of="2025-07-01"), "`tenure_months` disagrees"
    )
    assert any("`start_date`" in m and "1 row" in m and "row 2" in m for m in messages)


def test_tenure_against_start_date_without_as_of_is_flagged(small: SimulatedData) -> None:
    lean = small.customers[["customer_id", "channel", "start_date", "tenure_months", "churned"]]
    row = int(lean.index[~lean["churned"]][3])
    lean = lean.assign(tenure_months=lean["tenure_months"].where(lean.index != row, 0.5))
    messages = _one_warning(lambda: cx.validate_customers(lean), "`tenure_months` disagrees")
    assert any(f"1 row (row {row})" in m and "most active tenures run to" in m for m in messages)


def test_churners_with_start_and_tenure_but_no_end_date_are_not_contradictions() -> None:
    frame = dated_customers(churned=[False, True, False, True, False, False]).drop(
        columns="end_date"
    )
    frame["tenure_months"] = [29.5, 3.0, 16.7, 5.0, 6.0, 13.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        cx.validate_customers(frame, as_of="2025-07-01")


def test_an_empty_end_date_column_is_read_as_all_active() -> None:
    frame = cx.validate_customers(dated_customers(end_date=[None] * 6)).frame
    assert not frame["churned"].any()


def test_consistent_tenure_and_dates_raise_no_warning(small: SimulatedData) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        cx.validate_customers(small.customers, as_of=small.as_of)


def test_answers_before_the_customer_started_are_dropped_with_a_count() -> None:
    early = responses(response_date=["2022-05-01", *responses()["response_date"][1:]])
    early = pd.concat([early, responses().iloc[[2]].assign(response_date="2020-01-01")])
    messages = _one_warning(
        lambda: cx.life_table(dated_customers(), early, as_of="2025-07-01"),
        "2 responses are dated before the customer's `start_date`",
    )
    assert any("customer_id 1, 3" in m for m in messages)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        table = cx.life_table(dated_customers(), early, as_of="2025-07-01", band_rule="latest")
    first = table.frame[table.frame["band"] == "unrated"]["customers"].sum()
    assert first == 1  # customer 1's only answer predates them: unrated


def test_answers_before_start_are_dropped_in_polars_too() -> None:
    pl = pytest.importorskip("polars")
    customers = cx.validate_customers(dated_customers(), as_of="2025-07-01").frame
    early = cx.validate_responses(
        responses(response_date=["2022-05-01", *responses()["response_date"][1:]])
    ).frame
    native_c = pl.from_pandas(customers.reset_index(drop=True))
    native_r = pl.from_pandas(early.reset_index(drop=True))
    _one_warning(
        lambda: cx.life_table(native_c, native_r, as_of="2025-07-01"),
        "1 responses are dated before the customer's `start_date`",
    )


# ---------------------------------------------------------- item 10: look-alikes


def test_channels_differing_only_in_case_are_named() -> None:
    frame = responses(channel=["web", "Web", "WEB ", "phone", "phone", "chat"])
    messages = _one_warning(lambda: cx.validate_responses(frame), "differ only in case")
    assert any("`channel`" in m and "'WEB' / 'Web' / 'web'" in m for m in messages)
    assert any("2 rows" in m and "rows 1, 2" in m for m in messages)


def test_reasons_in_nfc_and_nfd_are_one_reason() -> None:
    composed = unicodedata.normalize("NFC", "laskutusvirhe ä")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    frame = contacts(reason=[composed, decomposed, composed, decomposed, "billing", None])
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        out = cx.validate_contacts(frame).frame
    reasons = set(out["reason"].explode())
    assert reasons == {composed, "billing", "uncoded"}


def test_channel_names_in_nfd_join_their_nfc_twin() -> None:
    nfd = unicodedata.normalize("NFD", "myymälä")
    frame = responses(channel=["myymälä", nfd, "web", "web", "phone", "chat"])
    assert cx.validate_responses(frame).channels == ("chat", "myymälä", "phone", "web")


def test_reasons_differing_only_in_case_are_named() -> None:
    frame = contacts(reason=["Billing", "billing", "billing", None, "password", "billing"])
    messages = _one_warning(lambda: cx.validate_contacts(frame), "differ only in case")
    assert any("`reason`" in m and "'Billing' / 'billing'" in m and "row 0" in m for m in messages)


# ----------------------------------------------------- item 11: repeated answers


def test_answers_repeated_in_every_column_are_dropped_with_a_count() -> None:
    tripled = pd.concat([responses()] * 3, ignore_index=True)
    messages = _one_warning(lambda: cx.validate_responses(tripled), "repeat an earlier row")
    assert any("12 rows" in m and "12 of 18" in m for m in messages)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        assert len(cx.validate_responses(tripled)) == 6
        assert cx.nps(tripled).n == 6


def test_a_rare_repeat_is_kept_as_a_genuine_answer(small: SimulatedData) -> None:
    answers = small.responses
    once = pd.concat([answers, answers.iloc[[0]]], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        assert len(cx.validate_responses(once)) == len(once)


# ------------------------------------------------------------ no false alarms


@pytest.mark.parametrize("which", ["simulate", "demo"])
def test_demo_data_raise_none_of_these_warnings(which: str) -> None:
    data = simulate() if which == "simulate" else cx.load_demo()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        cx.validate_customers(data.customers)
        cx.validate_customers(_dates_only(data))
        lean = ["customer_id", "channel", "start_date", "tenure_months", "churned"]
        cx.validate_customers(data.customers[lean])  # default cut-off before as_of
        cx.validate_responses(data.responses)
        cx.validate_contacts(data.contacts)
        cx.life_table(data.customers, data.responses, as_of=data.as_of)


def test_target_cut_off_that_is_not_a_date_names_as_of() -> None:
    from cx_economics.targets import cascade_targets

    sim = simulate(1_500, seed=3)
    with pytest.raises(CxDataError) as info:
        cascade_targets(sim.responses, {"web": 20.0}, as_of="yesterday")
    _message(info, "`as_of`", "ISO 8601", "'yesterday'")


def _on_engine(engine: str, *frames: pd.DataFrame) -> list[object]:
    """The pandas frames as polars frames or DuckDB relations."""
    import duckdb
    import polars as pl

    if engine == "polars":
        return [pl.from_pandas(f) for f in frames]
    con = duckdb.connect()
    return [con.from_df(f) for f in frames]


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_answers_loaded_twice_count_once_in_other_engines_too(engine: str) -> None:
    sim = simulate(1_500, seed=6)
    customers = sim.customers[["customer_id", "channel", "start_date", "end_date",
                               "tenure_months", "churned", "monthly_revenue"]]  # fmt: skip
    answers = sim.responses[["customer_id", "response_date", "score"]]
    twice = pd.concat([answers, answers], ignore_index=True)
    expected = cx.life_table(sim.customers, sim.responses, as_of=sim.as_of).frame
    cust, resp = _on_engine(engine, customers, twice)
    with pytest.warns(CxAssumptionWarning, match=rf"{len(answers)} of {len(twice)} rows repeat"):
        table = cx.life_table(cust, resp, as_of=sim.as_of)
    pd.testing.assert_frame_equal(table.frame, expected, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_channel_look_alikes_are_stripped_and_named_in_other_engines(engine: str) -> None:
    sim = simulate(1_500, seed=6)
    customers = sim.customers[["customer_id", "channel", "start_date", "end_date",
                               "tenure_months", "churned"]].copy()  # fmt: skip
    web = customers["channel"] == "web"
    customers.loc[web, "channel"] = np.where(np.arange(web.sum()) % 2 == 0, "web ", "Web")
    answers = sim.responses[["customer_id", "response_date", "score"]]
    cust, resp = _on_engine(engine, customers, answers)
    with pytest.warns(CxAssumptionWarning, match=r"`channel` has names that differ only in case"):
        table = cx.life_table(cust, resp, by=("band", "channel"), as_of=sim.as_of)
    assert set(table.frame["channel"]) == {"branch", "chat", "phone", "web", "Web"}
