"""channel_economics gives the same numbers from pandas, polars, DuckDB and PySpark.

The customers carry only dates (no ``tenure_months``, no ``churned``): the other engines
derive both inside the engine, as the pandas path does.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.datasets import simulate
from cx_economics.economics.channels import channel_economics

A = Assumptions(n_bootstrap=60)


@pytest.fixture(scope="module")
def base() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    sim = simulate(20_000, seed=8)
    customers = sim.customers.drop(columns=["tenure_months", "churned"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        expected = channel_economics(
            customers, sim.responses, assumptions=A, adjust_for=("segment",), seed=4
        ).to_frame()
    return customers, sim.responses, expected


def _numbers(frame: pd.DataFrame) -> np.ndarray:
    return frame.select_dtypes("number").to_numpy(np.float64)


def _engines() -> dict[str, Callable[[pd.DataFrame], Any]]:
    import duckdb
    import polars as pl

    return {
        "polars": pl.from_pandas,
        "polars lazy": lambda f: pl.from_pandas(f).lazy(),
        "duckdb": duckdb.from_df,
    }


@pytest.mark.parametrize("engine", ["polars", "polars lazy", "duckdb"])
def test_engines_give_the_pandas_economics(
    base: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], engine: str
) -> None:
    customers, responses, expected = base
    convert = _engines()[engine]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        got = channel_economics(
            convert(customers), convert(responses), assumptions=A, adjust_for=("segment",),
            seed=4,
        ).to_frame()  # fmt: skip
    assert got["channel"].tolist() == expected["channel"].tolist()
    assert got["excellent_source"].tolist() == expected["excellent_source"].tolist()
    np.testing.assert_allclose(_numbers(got), _numbers(expected), rtol=1e-9, equal_nan=True)


def test_an_engine_date_column_stored_as_text_is_named() -> None:
    import polars as pl

    sim = simulate(1_000, seed=1)
    responses = pl.from_pandas(sim.responses).with_columns(pl.col("response_date").cast(str))
    customers = pl.from_pandas(sim.customers)
    with pytest.raises(CxDataError, match="`response_date` must be a date"):
        channel_economics(customers, responses, assumptions=A)


@pytest.mark.spark
def test_spark_gives_the_pandas_economics(
    spark: Any, base: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
) -> None:
    customers, responses, expected = base
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        got = channel_economics(
            spark.createDataFrame(customers), spark.createDataFrame(responses), assumptions=A,
            adjust_for=("segment",), seed=4,
        ).to_frame()  # fmt: skip
    np.testing.assert_allclose(_numbers(got), _numbers(expected), rtol=1e-9, equal_nan=True)
