"""Validation of the input tables: every bad-input class names table, column and rows."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cx_economics.core.bands import BandScheme
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.schemas import (
    validate_channel_costs,
    validate_contacts,
    validate_customers,
    validate_responses,
)


def customers(**overrides: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "customer_id": [1, 2, 3, 4],
        "channel": ["phone", "web", "chat", "branch"],
        "tenure_months": [3.0, 12.0, 7.5, 0.0],
        "churned": [False, True, False, True],
        "monthly_revenue": [40.0, 35.5, 50.0, 10.0],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def responses(**overrides: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "customer_id": [1, 2, 3, 4],
        "response_date": ["2025-01-05", "2025-02-10", "2025-03-01", "2025-03-02"],
        "channel": ["phone", "web", "chat", "branch"],
        "score": [10, 7, 3, 9],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def error_of(func: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(CxDataError) as info:
        func(*args, **kwargs)  # type: ignore[operator]
    assert isinstance(info.value, ValueError)  # CxDataError is a ValueError
    return str(info.value)


# ----------------------------------------------------------------- good input


def test_valid_customers_round_trip_and_input_untouched() -> None:
    raw = customers(churned=[0, 1, 0, 1])
    before = raw.copy(deep=True)
    out = validate_customers(raw).frame
    pd.testing.assert_frame_equal(raw, before)
    assert out["churned"].tolist() == [False, True, False, True]
    assert out["tenure_months"].dtype == np.float64
    assert list(out.index) == list(raw.index)


def test_column_mapping_reads_user_names_without_renaming_their_frame() -> None:
    raw = customers().rename(columns={"customer_id": "cust_no", "tenure_months": "months"})
    out = validate_customers(raw, columns={"customer_id": "cust_no", "tenure_months": "months"})
    assert "cust_no" in raw.columns and "customer_id" not in raw.columns
    assert out.frame["customer_id"].tolist() == [1, 2, 3, 4]
    assert out.frame["tenure_months"].tolist() == [3.0, 12.0, 7.5, 0.0]


def test_tenure_and_churn_derived_from_dates() -> None:
    raw = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "channel": ["web", "web"],
            "start_date": ["2024-01-01", "2024-07-01"],
            "end_date": ["2024-12-31", None],
        }
    )
    out = validate_customers(raw, as_of="2025-07-01")
    # 365 days and 365 days, in months of 365.25/12 days
    assert out.frame["tenure_months"].tolist() == pytest.approx([365 / 30.4375] * 2)
    assert out.frame["churned"].tolist() == [True, False]
    assert out.as_of == pd.Timestamp("2025-07-01")


def test_score_text_with_spaces_is_read_as_number() -> None:
    out = validate_responses(responses(score=["10 ", " 7", "3", "9"])).frame
    assert out["score"].tolist() == [10, 7, 3, 9]


@pytest.mark.parametrize("as_string_dtype", [False, True])
def test_repeated_text_is_cleaned_per_row_like_a_plain_loop(as_string_dtype: bool) -> None:
    # text values repeat (channels, scores typed as text); each distinct value is
    # cleaned once and taken back per row — checked against a per-row Python loop
    rng = np.random.default_rng(7)
    channels = np.array([" phone", "phone ", "web", "\tchat", "branch"], dtype=object)
    scores = np.array(["10 ", " 7", "3", "9", "0"], dtype=object)
    n = 2_000
    frame = responses(
        customer_id=np.arange(n),
        response_date=["2025-01-05"] * n,
        channel=channels[rng.integers(0, 5, n)],
        score=scores[rng.integers(0, 5, n)],
    )
    if as_string_dtype:
        frame = frame.astype({"channel": "string", "score": "string"})
    out = validate_responses(frame).frame
    assert out["channel"].tolist() == [str(v).strip() for v in frame["channel"]]
    assert out["score"].tolist() == [int(str(v).strip()) for v in frame["score"]]


def test_text_mixing_numbers_and_strings_keeps_each_value_apart() -> None:
    # 1 and "1" (or True) hash alike or compare equal in Python; cleaning them by
    # distinct value must not merge them: a boolean in a score column stays an error
    frame = responses(score=np.array([1, "1 ", True, 9], dtype=object))
    assert "`score`" in error_of(validate_responses, frame)
    teams = customers(team=np.array([1, "1 ", 1.0, "b"], dtype=object))
    assert validate_customers(teams).frame["team"].tolist() == ["1", "1", "1.0", "b"]


def test_blank_bytes_count_as_missing_like_blank_text() -> None:
    # SAS/numpy exports carry bytes; pandas' string dtype decodes them, so b"  " is blank
    frame = responses(channel=np.array([b"web", b"  ", b"web", b"chat"], dtype=object))
    message = error_of(validate_responses, frame)
    assert "`channel`" in message and "1 row" in message and "row 1" in message


def test_blank_strings_count_as_missing_among_repeated_text() -> None:
    frame = responses(channel=np.array(["web", "  ", "web", ""], dtype=object))
    message = error_of(validate_responses, frame)
    assert "`channel`" in message and "2 rows" in message


def test_multi_label_reasons_and_uncoded() -> None:
    raw = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "contact_date": ["2025-01-01"] * 4,
            "channel": ["phone"] * 4,
            "reason": ["Billing ; delivery", None, "", ["web", "billing"]],
        }
    )
    out = validate_contacts(raw).frame["reason"].tolist()
    assert out == [("Billing", "delivery"), ("uncoded",), ("uncoded",), ("web", "billing")]


# ----------------------------------------------------------------- bad input

BAD_CUSTOMERS = [
    ("empty", customers().iloc[:0], "empty"),
    ("missing column", customers().drop(columns="channel"), "`channel`"),
    ("duplicate id", customers(customer_id=[1, 2, 2, 3]), "`customer_id`"),
    ("negative tenure", customers(tenure_months=[3.0, -1.0, 2.0, 1.0]), "`tenure_months`"),
    ("text tenure", customers(tenure_months=["3", "x", "2", "1"]), "`tenure_months`"),
    ("NaN in required", customers(channel=["phone", None, "web", "chat"]), "`channel`"),
    ("churn flag Y", customers(churned=["Y", "N", "Y", "N"]), "`churned`"),
    ("churn flag 2", customers(churned=[0, 1, 2, 1]), "`churned`"),
    ("no churn column", customers().drop(columns="churned"), "churned"),
    ("negative revenue", customers(monthly_revenue=[1.0, -5.0, 2.0, 3.0]), "`monthly_revenue`"),
    ("inf revenue", customers(monthly_revenue=[1.0, np.inf, 2.0, 3.0]), "`monthly_revenue`"),
]


@pytest.mark.parametrize(
    ("case", "frame", "names"), BAD_CUSTOMERS, ids=[c[0] for c in BAD_CUSTOMERS]
)
def test_bad_customers_raise_naming_the_column(case: str, frame: pd.DataFrame, names: str) -> None:
    message = error_of(validate_customers, frame)
    assert "`customers`" in message
    assert names in message


def test_message_counts_rows_and_gives_examples() -> None:
    raw = customers(tenure_months=[-1.0, -2.0, 3.0, -4.0])
    message = error_of(validate_customers, raw)
    assert re.search(r"3 rows are not \(rows 0, 1, 3\)", message), message
    raw = customers(tenure_months=[-1.0, 2.0, 3.0, 4.0])
    assert "1 row is not (row 0)" in error_of(validate_customers, raw)


def test_end_before_start_is_rejected() -> None:
    raw = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "channel": ["web", "web"],
            "start_date": ["2024-05-01", "2024-05-01"],
            "end_date": ["2024-04-01", "2024-06-01"],
        }
    )
    message = error_of(validate_customers, raw)
    assert "`end_date`" in message and "1 row" in message


def test_mapping_to_missing_or_unknown_column() -> None:
    assert "`months`" in error_of(
        validate_customers, customers(), columns={"tenure_months": "months"}
    )
    assert "unknown canonical" in error_of(validate_customers, customers(), columns={"tenur": "x"})


BAD_RESPONSES = [
    ("score 11", responses(score=[10, 11, 3, 9]), "`score`"),
    ("score -1", responses(score=[10, -1, 3, 9]), "`score`"),
    ("score 7.5", responses(score=[10, 7.5, 3, 9]), "`score`"),
    ("score 10/10", responses(score=["10/10", "7", "3", "9"]), "`score`"),
    ("score NaN", responses(score=[10, None, 3, 9]), "`score`"),
    ("score bool", responses(score=[True, False, True, True]), "`score`"),
    ("ambiguous date", responses(response_date=["03/04/2025"] * 4), "`response_date`"),
    ("bad date", responses(response_date=["2025-02-30"] * 4), "`response_date`"),
    ("missing id", responses(customer_id=[1, None, 3, 4]), "`customer_id`"),
]


@pytest.mark.parametrize(
    ("case", "frame", "names"), BAD_RESPONSES, ids=[c[0] for c in BAD_RESPONSES]
)
def test_bad_responses_raise_naming_the_column(case: str, frame: pd.DataFrame, names: str) -> None:
    message = error_of(validate_responses, frame)
    assert "`responses`" in message
    assert names in message


def test_other_scale_checks_its_own_range() -> None:
    csat = BandScheme(min_score=1, max_score=5, passive_from=4, promoter_from=5)
    ok = validate_responses(responses(score=[1, 5, 4, 3]), scheme=csat)
    assert ok.scheme is csat
    assert "1–5" in error_of(validate_responses, responses(score=[0, 5, 4, 3]), scheme=csat)


def test_cost_table_rejects_unknown_channels_and_negative_costs() -> None:
    costs = pd.DataFrame(
        {"channel": ["phone", "phnoe"], "nps": [20, 35], "annual_cost": [1e5, 2e5]}
    )
    message = error_of(validate_channel_costs, costs, known_channels=["phone", "web"])
    assert "`channel`" in message and "phnoe" in message and "1 row" in message
    costs = pd.DataFrame({"channel": ["web"], "nps": [20], "annual_cost": [-1.0]})
    assert "`annual_cost`" in error_of(validate_channel_costs, costs)
    costs = pd.DataFrame({"channel": ["web"], "nps": [120], "annual_cost": [1.0]})
    assert "`nps`" in error_of(validate_channel_costs, costs)


def test_not_a_frame() -> None:
    assert "DataFrame" in error_of(validate_customers, {"customer_id": [1]})  # type: ignore[arg-type]


def test_end_date_after_the_cut_off_counts_as_active_at_the_cut_off() -> None:
    raw = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "channel": ["web", "web"],
            "start_date": ["2024-01-01", "2024-01-01"],
            "end_date": ["2025-06-30", "2024-07-01"],
        }
    )
    with pytest.warns(CxAssumptionWarning, match=r"after the cut-off 2024-12-31 for 1 row"):
        out = validate_customers(raw, as_of="2024-12-31").frame
    assert out["churned"].tolist() == [False, True]
    # tenure runs to the cut-off (365 days), not to the later end date
    assert out["tenure_months"].iloc[0] == pytest.approx(365 / 30.4375)
