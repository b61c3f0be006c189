from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.datasets import SimulatedData, simulate
from cx_economics.data.schemas import DAYS_PER_MONTH
from cx_economics.tables.contact_counts import (
    UNCODED,
    contact_counts,
    contact_events,
    first_contacts,
    normalise_reason,
)


@pytest.fixture(scope="module")
def sim() -> SimulatedData:
    return simulate(3_000, seed=11)


def _oracle_explode(contacts: pd.DataFrame) -> pd.DataFrame:
    """Deliberately simple re-implementation: split on ';', lower/strip, dedupe."""
    rows = []
    for rec in contacts.itertuples(index=False):
        text = "" if rec.reason is None or pd.isna(rec.reason) else str(rec.reason)
        labels: list[str] = []
        for part in text.split(";"):
            label = " ".join(part.lower().split())
            if label and label not in labels:
                labels.append(label)
        labels = labels or [UNCODED]
        for pos, label in enumerate(labels):
            rows.append(
                (rec.customer_id, rec.contact_date, rec.channel, label, pos, 1.0 / len(labels))
            )
    return pd.DataFrame(
        rows, columns=["customer_id", "contact_date", "channel", "reason", "position", "weight"]
    )


# --------------------------------------------------------------------------- reasons


def test_normalise_reason_case_whitespace_synonyms_and_duplicates() -> None:
    synonyms = {"Invoice  WRONG": "Billing Error", "n/a": "uncoded"}
    assert normalise_reason(" Billing   ERROR ;invoice wrong; delivery", synonyms) == (
        "billing error",
        "delivery",
    )
    assert normalise_reason("n/a", synonyms) == (UNCODED,)
    assert normalise_reason("n/a; web down", synonyms) == ("web down",)
    assert normalise_reason(None) == (UNCODED,)
    assert normalise_reason(" ; ") == (UNCODED,)
    with pytest.raises(CxDataError, match="`synonyms`"):
        normalise_reason("x", {"x": "  "})


# --------------------------------------------------------------------------- counts


def _small_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "channel": ["web", "phone"],
            "start_date": pd.to_datetime(["2025-01-01", "2025-02-01"]),
            "tenure_months": [3.0, 1.0],
            "churned": [False, True],
        }
    )
    contacts = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 1],
            "contact_date": pd.to_datetime(
                ["2025-01-10", "2025-01-20", "2025-02-03", "2025-02-04", "2025-03-05"]
            ),
            "channel": ["web", "phone", "phone", "phone", "web"],
            "reason": ["Billing; Delivery", "billing", None, "delivery ;billing", " "],
        }
    )
    return customers, contacts


def test_counts_of_a_hand_made_table() -> None:
    customers, contacts = _small_tables()
    counts = contact_counts(contacts, customers)
    got = counts.counts.set_index(["reason", "channel", "month"])
    jan, feb, mar = (pd.Timestamp(f"2025-0{m}-01") for m in (1, 2, 3))
    # by hand: Jan web "billing; delivery" (split 1/2 each), Jan phone "billing",
    # Feb phone uncoded + "delivery; billing", Mar web blank -> uncoded
    expected = {
        ("billing", "web", jan): (1, 1, 0.5),
        ("delivery", "web", jan): (1, 0, 0.5),
        ("billing", "phone", jan): (1, 1, 1.0),
        (UNCODED, "phone", feb): (1, 1, 1.0),
        ("delivery", "phone", feb): (1, 1, 0.5),
        ("billing", "phone", feb): (1, 0, 0.5),
        (UNCODED, "web", mar): (1, 1, 1.0),
    }
    assert len(got) == len(expected)
    for key, (mentions, first, weighted) in expected.items():
        row = got.loc[key]
        assert (row["contacts"], row["first_listed"], row["weighted"]) == (
            mentions,
            first,
            weighted,
        )
    assert counts.reasons[0] == "billing"  # 3 mentions
    assert counts.n_contacts == 5
    assert counts.active_customers == 1
    assert counts.n_customers == 2


def test_exposure_equals_exact_overlap_computed_customer_by_customer() -> None:
    rng = np.random.default_rng(4)
    n = 150
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    tenure = rng.uniform(0.0, 20.0, n)
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "channel": "web",
            "start_date": start,
            "tenure_months": tenure,
            "churned": rng.random(n) < 0.5,
        }
    )
    contacts = pd.DataFrame(
        {"customer_id": [0], "contact_date": [start[0]], "channel": ["web"], "reason": ["x"]}
    )
    exposure = contact_counts(contacts, customers).exposure.set_index("month")["customer_months"]
    # oracle: overlap of [start, start + tenure) with each calendar month, in days
    oracle: dict[pd.Timestamp, float] = {}
    for s, t in zip(start, tenure, strict=True):
        end = s + pd.Timedelta(days=t * DAYS_PER_MONTH)
        month = s.to_period("M").to_timestamp()
        while month < end:
            nxt = month + pd.offsets.MonthBegin(1)
            days = (min(end, nxt) - max(s, month)) / pd.Timedelta(days=1)
            oracle[month] = oracle.get(month, 0.0) + max(days, 0.0) / DAYS_PER_MONTH
            month = nxt
    expected = pd.Series(oracle).sort_index()
    pd.testing.assert_series_equal(
        exposure[exposure > 0], expected[expected > 0], check_names=False, check_freq=False
    )
    assert exposure.sum() == pytest.approx(tenure.sum())


def test_sums_of_counts_match_the_raw_table(sim: SimulatedData) -> None:
    counts = contact_counts(sim.contacts, sim.customers)
    oracle = _oracle_explode(sim.contacts)
    n = len(sim.contacts)
    assert counts.n_contacts == n and counts.n_outside_window == 0
    assert counts.counts["first_listed"].sum() == n  # each contact has one first reason
    assert counts.counts["weighted"].sum() == pytest.approx(n)  # split, never paid twice
    mentions = oracle.groupby("reason").size()
    got = counts.counts.groupby("reason")["contacts"].sum()
    pd.testing.assert_series_equal(got.sort_index(), mentions.sort_index(), check_names=False)
    # uncoded contacts are kept as a group, not dropped
    assert got[UNCODED] == sim.contacts["reason"].isna().sum()
    assert counts.total_customer_months == pytest.approx(sim.customers["tenure_months"].sum())
    assert counts.active_customers == int((~sim.customers["churned"]).sum())


def test_pandas_polars_and_duckdb_give_identical_counts(sim: SimulatedData) -> None:
    from_pandas = contact_counts(sim.contacts, sim.customers)
    from_polars = contact_counts(pl.from_pandas(sim.contacts), pl.from_pandas(sim.customers))
    pd.testing.assert_frame_equal(from_pandas.counts, from_polars.counts)
    pd.testing.assert_frame_equal(from_pandas.exposure, from_polars.exposure)
    con = duckdb.connect()
    lean = sim.customers[["start_date", "tenure_months", "churned"]]
    from_duckdb = contact_counts(con.from_df(sim.contacts), con.from_df(lean))
    pd.testing.assert_frame_equal(
        from_pandas.counts, from_duckdb.counts, check_dtype=False, check_exact=False
    )
    assert from_polars.active_customers == from_pandas.active_customers


def test_monthly_grid_is_dense_and_sums_to_the_counts(sim: SimulatedData) -> None:
    counts = contact_counts(sim.contacts, sim.customers)
    grid = counts.monthly()
    assert len(grid) == len(counts.reasons) * len(counts.exposure)
    assert grid["contacts"].sum() == counts.counts["contacts"].sum()
    assert (grid["customer_months"] > 0).all()
    frame = counts.to_frame()
    assert {"reason", "channel", "month", "contacts", "customer_months"} <= set(frame.columns)
    assert counts.summary().startswith("Contact counts")


def test_contacts_outside_exposure_are_counted_as_left_out() -> None:
    customers, contacts = _small_tables()
    early = pd.DataFrame(
        {
            "customer_id": [1],
            "contact_date": [pd.Timestamp("2024-06-01")],
            "channel": ["web"],
            "reason": ["billing"],
        }
    )
    counts = contact_counts(pd.concat([contacts, early], ignore_index=True), customers)
    assert counts.n_outside_window == 1
    assert counts.n_contacts == 5
    assert any("left out" in note for note in counts._notes())


def test_synonyms_merge_reasons_and_the_reason_map_audits_them() -> None:
    customers, contacts = _small_tables()
    counts = contact_counts(contacts, customers, synonyms={"delivery": "billing"})
    assert set(counts.reasons) == {"billing", UNCODED}
    # "billing; delivery" becomes one mention of billing: duplicates go after mapping
    assert counts.counts.groupby("reason")["contacts"].sum()["billing"] == 3
    assert "billing; delivery" in counts.reason_map["reason_raw"].str.lower().tolist()


def test_inputs_are_not_mutated(sim: SimulatedData) -> None:
    contacts, customers = sim.contacts.copy(), sim.customers.copy()
    contact_counts(sim.contacts, sim.customers)
    first_contacts(sim.contacts)
    pd.testing.assert_frame_equal(contacts, sim.contacts)
    pd.testing.assert_frame_equal(customers, sim.customers)


def test_errors_name_the_column() -> None:
    customers, contacts = _small_tables()
    with pytest.raises(CxDataError, match="`reason`"):
        contact_counts(pl.from_pandas(contacts.drop(columns="reason")), customers)
    listed = pl.DataFrame(
        {
            "customer_id": [1],
            "contact_date": [pd.Timestamp("2025-01-10")],
            "channel": ["web"],
            "reason": [["billing", "delivery"]],
        }
    )
    with pytest.raises(CxDataError, match="`reason` must be text"):
        contact_counts(listed, customers)
    no_start = customers.drop(columns="start_date")
    with pytest.raises(CxDataError, match="`start_date`"):
        contact_counts(contacts, no_start)
    with pytest.raises(CxDataError, match="must be a pandas, polars"):
        contact_counts([1, 2, 3], customers)
    nulls = pl.from_pandas(contacts).with_columns(pl.lit(None, dtype=pl.Utf8).alias("channel"))
    with pytest.raises(CxDataError, match="`channel` must not be missing; 5 rows"):
        contact_counts(nulls, customers)


def test_first_contacts_and_events_match_a_pandas_oracle(sim: SimulatedData) -> None:
    oracle = _oracle_explode(sim.contacts)
    first = oracle.groupby(["customer_id", "reason"], as_index=False)["contact_date"].min()
    got = first_contacts(pl.from_pandas(sim.contacts))
    got = got.sort_values(["customer_id", "reason"], ignore_index=True)
    first = first.sort_values(["customer_id", "reason"], ignore_index=True)
    assert got["reason"].tolist() == first["reason"].tolist()
    assert (got["first_contact_date"].to_numpy() == first["contact_date"].to_numpy()).all()
    only_first = first_contacts(sim.contacts, labels="first")
    assert (
        len(only_first)
        == oracle[oracle["position"] == 0].groupby(["customer_id", "reason"]).ngroups
    )
    events = contact_events(sim.contacts)
    per_day = oracle.groupby(["customer_id", "contact_date", "reason"]).size()
    assert events["contacts"].sum() == per_day.sum()
    assert len(events) == len(per_day)
    with pytest.raises(CxDataError, match="`labels`"):
        first_contacts(sim.contacts, labels="second")  # type: ignore[arg-type]  # wrong on purpose


# --------------------------------------------------------------------------- properties

reason_text = st.lists(
    st.text(alphabet=st.sampled_from(list("abAB ;\t")), max_size=12), max_size=4
).map(";".join)


@given(text=reason_text)
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise_reason(text)
    assert normalise_reason("; ".join(once)) == once
    assert all(label == " ".join(label.lower().split()) and label for label in once)


@settings(max_examples=40, deadline=None)
@given(
    starts=st.lists(st.integers(0, 900), min_size=1, max_size=25),
    tenures=st.lists(st.floats(0.0, 30.0), min_size=25, max_size=25),
)
def test_exposure_adds_up_to_tenure_and_never_exceeds_a_full_month(
    starts: list[int], tenures: list[float]
) -> None:
    n = len(starts)
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "channel": "web",
            "start_date": pd.Timestamp("2022-01-01") + pd.to_timedelta(starts, unit="D"),
            "tenure_months": tenures[:n],
            "churned": False,
        }
    )
    contacts = pd.DataFrame(
        {"customer_id": [0], "contact_date": customers["start_date"].iloc[:1],
         "channel": ["web"], "reason": [None]}
    )  # fmt: skip
    exposure = contact_counts(contacts, customers).exposure
    assert exposure["customer_months"].sum() == pytest.approx(sum(tenures[:n]), abs=1e-6)
    days = exposure["month"].dt.days_in_month.to_numpy()
    assert (exposure["customer_months"].to_numpy() <= n * days / DAYS_PER_MONTH + 1e-9).all()
    assert (exposure["customer_months"] >= -1e-9).all()


# --------------------------------------------------------------------------- PySpark


@pytest.mark.spark
def test_spark_gives_the_same_counts_exposure_and_first_contacts(
    spark: Any, sim: SimulatedData
) -> None:
    lean = sim.customers[["customer_id", "start_date", "tenure_months", "churned"]]
    from_spark = contact_counts(spark.createDataFrame(sim.contacts), spark.createDataFrame(lean))
    from_pandas = contact_counts(sim.contacts, sim.customers)
    pd.testing.assert_frame_equal(from_spark.counts, from_pandas.counts, check_dtype=False)
    pd.testing.assert_frame_equal(from_spark.exposure, from_pandas.exposure, check_dtype=False)
    assert from_spark.active_customers == from_pandas.active_customers
    first = first_contacts(spark.createDataFrame(sim.contacts)).sort_values(
        ["customer_id", "reason"], ignore_index=True
    )
    expected = first_contacts(sim.contacts).sort_values(
        ["customer_id", "reason"], ignore_index=True
    )
    pd.testing.assert_frame_equal(first, expected, check_dtype=False)
