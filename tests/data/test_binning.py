"""Numeric columns binned into stated classes (data.binning), checked against pandas.cut."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.binning import bin_column


def test_classes_equal_pandas_cut_with_left_closed_intervals_on_every_engine() -> None:
    import duckdb
    import polars as pl

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"customer_id": np.arange(500), "revenue": rng.uniform(0, 120, 500)})
    frame.loc[0, "revenue"] = 120.0  # the last edge belongs to the last class
    edges = [0.0, 20.0, 40.0, 120.0]
    before = frame.copy()
    got = bin_column(frame, "revenue", edges)["revenue_class"]
    codes = pd.cut(frame["revenue"], edges, right=False, labels=False).fillna(2).astype(int)
    names = np.array(["0–20", "20–40", "40–120"])
    assert got.tolist() == names[codes.to_numpy()].tolist()
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    polars = bin_column(pl.from_pandas(frame), "revenue", edges)["revenue_class"].to_list()
    assert polars == got.tolist()
    relation = duckdb.from_df(frame)
    duck = bin_column(relation, "revenue", edges, name="plan").df().sort_values("customer_id")
    assert duck["plan"].tolist() == got.tolist()


def test_a_binned_column_groups_the_life_table_and_enters_the_hazard_model() -> None:
    from cx_economics.data.datasets import simulate
    from cx_economics.survival.hazards import hazard_ratios
    from cx_economics.tables.life import life_table

    sim = simulate(3_000, seed=4)
    customers = bin_column(sim.customers, "monthly_revenue", [0, 25, 40, math.inf])
    table = life_table(customers, sim.responses, by=("band", "monthly_revenue_class"))
    assert {k[1] for k in table.groups} == {"0–25", "25–40", "40–∞"}
    assert table.n_customers == len(customers)
    terms = hazard_ratios(table, include_unrated=False).to_frame()
    assert set(terms["covariate"]) >= {"band", "monthly_revenue_class"}


def test_bad_edges_and_values_outside_them_are_named() -> None:
    frame = pd.DataFrame({"customer_id": [1, 2, 3], "revenue": [5.0, np.nan, 300.0]})
    with pytest.raises(CxDataError, match=r"`customers.revenue`: 2 rows are missing or outside"):
        bin_column(frame, "revenue", [0, 100])
    with pytest.raises(CxDataError, match="strictly increasing"):
        bin_column(frame, "revenue", [0, 50, 50])
    with pytest.raises(CxDataError, match="has no column 'plan' to bin"):
        bin_column(frame, "plan", [0, 1])
    with pytest.raises(CxDataError, match="must be numeric to bin"):
        bin_column(frame.assign(revenue="x"), "revenue", [0, 1])


def test_edges_of_the_wrong_kind_and_names_in_use_are_refused() -> None:
    frame = pd.DataFrame({"customer_id": [1, 2], "revenue": [5.0, 50.0]})
    for edges in (50, None, ["a", "b"]):
        with pytest.raises(CxDataError, match="must be"):
            bin_column(frame, "revenue", edges)  # type: ignore[arg-type]
    with pytest.raises(CxDataError, match="has a column 'customer_id' already"):
        bin_column(frame, "revenue", [0, 100], name="customer_id")
    with pytest.raises(CxDataError, match="too close to tell the classes apart"):
        bin_column(frame, "revenue", [0, 1e6, 1e6 + 1e-6, 2e6])
