"""Engine equivalence: the same life table and NPS counts from every dataframe engine.

Every engine (pandas, polars eager and lazy, pyarrow, DuckDB, lazy Parquet scans and
PySpark in local mode) is checked against deliberately plain pandas/numpy oracles
computed from the raw rows, not against the library's own output. The data are a
simulated base plus hand-made edge cases (ties on the latest date, a churner at
tenure 0, tenures one float step off a whole month, a response after the cut-off, a
customer with no response).
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import narwhals as nw
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.datasets import simulate
from cx_economics.data.engines import (
    LIFE_TABLE_CUSTOMER_COLUMNS,
    as_lazy,
    collect_pandas,
    count_true,
    engine_name,
    indicator,
    require_columns,
    scan_parquet,
)
from cx_economics.tables.life import life_table
from cx_economics.tables.nps_counts import nps_counts

AS_OF = "2025-12-31"
BAND_NAMES = np.array(["detractor", "passive", "promoter"], dtype=object)
CELL_KEYS = ["band", "channel", "duration", "churned"]


# --------------------------------------------------------------------------- data


def _edge_cases() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers and responses that exercise every rule of the life table."""
    customers = pd.DataFrame(
        {
            "customer_id": [900_001, 900_002, 900_003, 900_004, 900_005],
            "channel": ["web", "chat", "phone", "branch", "web"],
            "team": ["web-t1", "chat-t1", "phone-t1", "branch-t1", "web-t2"],
            "segment": ["consumer"] * 5,
            "tenure_months": [0.0, 2.9999999, 3.0000001, 12.0, 5.5],
            "churned": [True, False, True, False, True],
            "monthly_revenue": [10.0, 20.0, 30.0, 40.0, 50.0],
        }
    )
    rows = [
        (900_001, "2025-03-01", 8),
        (900_001, "2025-03-01", 9),  # tie on the latest date: mean 8.5 -> passive
        (900_002, "2025-01-01", 10),
        (900_002, "2025-02-01", 2),  # latest -> detractor
        (900_003, "2026-03-01", 10),  # after the cut-off: ignored -> unrated
        (900_004, "2024-05-05", 6),
        (900_004, "2024-05-05", 7),  # mean 6.5 -> detractor (rounded down)
    ]  # 900_005 never answered -> unrated
    responses = pd.DataFrame(rows, columns=["customer_id", "response_date", "score"])
    responses["response_date"] = pd.to_datetime(responses["response_date"])
    responses["channel"] = "web"
    responses["team"] = "web-t1"
    return customers, responses


@pytest.fixture(scope="module")
def raw() -> tuple[pd.DataFrame, pd.DataFrame]:
    data = simulate(3_000, seed=11)
    extra_customers, extra_responses = _edge_cases()
    customers = data.customers.drop(columns=["start_date", "end_date"])
    customers = pd.concat([customers, extra_customers], ignore_index=True)
    responses = data.responses[["customer_id", "response_date", "channel", "score", "team"]]
    responses = pd.concat([responses, extra_responses], ignore_index=True)
    return customers, responses


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """Arrow table with timestamps stored as dates (as a warehouse export would)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
    return table


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory: pytest.TempPathFactory, raw: Any) -> Path:
    """Customers and responses as multi-file Parquet datasets (two files each)."""
    root = tmp_path_factory.mktemp("parquet")
    for name, frame in zip(("customers", "responses"), raw, strict=True):
        folder = root / name
        folder.mkdir()
        half = len(frame) // 2
        pq.write_table(_arrow(frame.iloc[:half]), folder / "part-0.parquet")
        pq.write_table(_arrow(frame.iloc[half:]), folder / "part-1.parquet")
    return root


# --------------------------------------------------------------------------- oracles


def _oracle_bands(responses: pd.DataFrame, rule: str) -> pd.Series:
    r = responses[responses["response_date"] <= pd.Timestamp(AS_OF)]
    if rule != "mean":
        pick = "max" if rule == "latest" else "min"
        chosen = r.groupby("customer_id")["response_date"].transform(pick)
        r = r[r["response_date"] == chosen]
    mean = r.groupby("customer_id")["score"].mean()
    codes = (mean >= 7).astype(int) + (mean >= 9).astype(int)
    return pd.Series(BAND_NAMES[codes.to_numpy()], index=mean.index)


def _oracle_cells(customers: pd.DataFrame, responses: pd.DataFrame, rule: str) -> pd.DataFrame:
    """Plain pandas/numpy life table: customers and revenue per (band, channel, duration)."""
    band = customers["customer_id"].map(_oracle_bands(responses, rule)).fillna("unrated")
    tenure = customers["tenure_months"].to_numpy().round(6)
    churned = customers["churned"].to_numpy(bool)
    duration = np.where(churned, np.maximum(np.ceil(tenure), 1), np.floor(tenure))
    rows = pd.DataFrame(
        {
            "band": band.to_numpy(object),
            "channel": customers["channel"].to_numpy(object),
            "duration": duration.astype(np.int64),
            "churned": churned,
            "revenue": customers["monthly_revenue"].to_numpy(float),
        }
    )
    cells = rows.groupby(CELL_KEYS).agg(
        customers=("revenue", "size"), revenue_sum=("revenue", "sum")
    )
    return cells.sort_index()


def _oracle_nps(responses: pd.DataFrame) -> dict[str, list[int]]:
    """Detractors, passives, promoters per channel with numpy bincount."""
    channels, index = np.unique(responses["channel"].to_numpy(str), return_inverse=True)
    score = responses["score"].to_numpy()
    band = (score >= 7).astype(int) + (score >= 9).astype(int)
    counts = np.bincount(index * 3 + band, minlength=3 * len(channels)).reshape(-1, 3)
    return {str(ch): counts[i].tolist() for i, ch in enumerate(channels)}


def _assert_cells_match(table_frame: pd.DataFrame, oracle: pd.DataFrame) -> None:
    got = table_frame.set_index(CELL_KEYS).sort_index()
    assert list(got.index) == list(oracle.index)
    np.testing.assert_array_equal(got["customers"].to_numpy(), oracle["customers"].to_numpy())
    np.testing.assert_allclose(got["revenue_sum"], oracle["revenue_sum"], rtol=1e-9)


def _nps_by_channel(counts: Any) -> dict[str, list[int]]:
    frame = counts.to_frame()
    return {
        str(row.channel): [int(row.detractors), int(row.passives), int(row.promoters)]
        for row in frame.itertuples()
    }


# --------------------------------------------------------------------------- engines

Make = Callable[[pd.DataFrame, pd.DataFrame, Path], tuple[Any, Any]]
CONNECTION = duckdb.connect()


def _make_duckdb(c: pd.DataFrame, r: pd.DataFrame, _: Path) -> tuple[Any, Any]:
    return CONNECTION.from_arrow(_arrow(c)), CONNECTION.from_arrow(_arrow(r))


def _scan(engine: str) -> Make:
    def make(_c: pd.DataFrame, _r: pd.DataFrame, root: Path) -> tuple[Any, Any]:
        customers = scan_parquet(
            root / "customers",
            engine=engine,
            columns=LIFE_TABLE_CUSTOMER_COLUMNS,  # type: ignore[arg-type]
        )
        responses = scan_parquet(root / "responses", engine=engine)  # type: ignore[arg-type]
        return customers, responses

    return make


ENGINES: dict[str, Make] = {
    "pandas": lambda c, r, _: (c, r),
    "polars": lambda c, r, _: (pl.from_pandas(c), pl.from_pandas(r)),
    "polars-lazy": lambda c, r, _: (pl.from_pandas(c).lazy(), pl.from_pandas(r).lazy()),
    "pyarrow": lambda c, r, _: (_arrow(c), _arrow(r)),
    "duckdb": _make_duckdb,
    "parquet-duckdb": _scan("duckdb"),
    "parquet-polars": _scan("polars"),
}


def _life_table(customers: Any, responses: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        return life_table(customers, responses, by=("band", "channel"), as_of=AS_OF, **kwargs)


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("band_rule", ["latest", "mean", "first"])
def test_life_table_is_the_same_in_every_engine(
    engine: str, band_rule: str, raw: Any, parquet_dir: Path
) -> None:
    customers, responses = raw
    native = ENGINES[engine](customers, responses, parquet_dir)
    table = _life_table(*native, band_rule=band_rule)
    _assert_cells_match(table.frame, _oracle_cells(customers, responses, band_rule))
    assert table.n_customers == len(customers)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_nps_counts_are_the_same_in_every_engine(engine: str, raw: Any, parquet_dir: Path) -> None:
    customers, responses = raw
    _, native_responses = ENGINES[engine](customers, responses, parquet_dir)
    counts = nps_counts(native_responses, by="channel")
    assert _nps_by_channel(counts) == _oracle_nps(responses)


@pytest.mark.parametrize("engine", ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb"])
def test_zoned_answer_dates_count_as_utc_in_every_engine(
    engine: str, raw: Any, parquet_dir: Path
) -> None:
    # Auckland is 13 hours ahead in summer: local dates near midnight and month ends fall
    # on another UTC day or month, so a cut-off or a period in local time would differ
    customers, responses = raw
    utc = responses.assign(response_date=responses["response_date"] + pd.Timedelta(hours=11))
    zoned = utc.assign(
        response_date=utc["response_date"].dt.tz_localize("UTC").dt.tz_convert("Pacific/Auckland")
    )
    if engine in ("pyarrow", "duckdb"):  # keep the zoned timestamps (no cast to dates)
        zoned = zoned.astype({"response_date": "datetime64[us, Pacific/Auckland]"})
        arrow = (pa.Table.from_pandas(f, preserve_index=False) for f in (customers, zoned))
        native_customers, native_responses = arrow
        if engine == "duckdb":
            native_customers = CONNECTION.from_arrow(native_customers)
            native_responses = CONNECTION.from_arrow(native_responses)
    else:
        native_customers, native_responses = ENGINES[engine](customers, zoned, parquet_dir)
    table = _life_table(native_customers, native_responses)
    _assert_cells_match(table.frame, _oracle_cells(customers, utc, "latest"))
    by_month = nps_counts(native_responses, by="channel", period="M").to_frame()
    expected = nps_counts(utc, by="channel", period="M").to_frame()
    pd.testing.assert_frame_equal(
        by_month.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
    )


def test_duckdb_nanosecond_zoned_dates_get_a_clear_error(raw: Any) -> None:
    # DuckDB's TIMESTAMPTZ_NS reaches narwhals as an unknown type: say what to cast
    customers, responses = raw
    zoned = responses.assign(response_date=responses["response_date"].dt.tz_localize("UTC"))
    relations = [CONNECTION.from_arrow(pa.Table.from_pandas(f)) for f in (customers, zoned)]
    with pytest.raises(CxDataError, match=r"`response_date`.*TIMESTAMPTZ_NS.*cast it first"):
        _life_table(*relations)


def test_edge_cases_land_in_the_expected_cells(raw: Any) -> None:
    customers, responses = raw
    table = _life_table(pl.from_pandas(customers).lazy(), pl.from_pandas(responses).lazy())
    cells = table.frame.set_index(CELL_KEYS)["customers"]
    # churner at tenure 0 counts in month 1; the 8/9 tie averages to 8.5 -> passive
    assert cells[("passive", "web", 1, True)] >= 1
    # 2.9999999 months is 3 completed months; 12 months with a 6/7 tie is a detractor
    assert cells[("detractor", "chat", 3, False)] >= 1
    assert cells[("detractor", "branch", 12, False)] >= 1
    # 3.0000001 rounds to 3 (churned in month 3); its only answer is after the cut-off
    assert cells[("unrated", "phone", 3, True)] >= 1


def test_life_table_size_does_not_grow_with_customers() -> None:
    """The sufficient statistic is bounded by groups × (entry, exit) pairs × 3 endings."""
    sizes = []
    for n in (1_000, 8_000):
        data = simulate(n, seed=3, months_observed=24)
        table = _life_table(pl.from_pandas(data.customers), pl.from_pandas(data.responses))
        sizes.append(len(table.frame))
        assert len(table.frame) <= 4 * 4 * (25 * 26 // 2) * 3
    assert sizes[1] < 4 * sizes[0], sizes  # 8× the customers, far fewer than 8× the cells


# --------------------------------------------------------------------------- scan_parquet


def test_scan_parquet_reads_only_the_asked_columns(parquet_dir: Path) -> None:
    wanted = ["customer_id", "churned"]
    relation = scan_parquet(parquet_dir / "customers", engine="duckdb", columns=wanted)
    assert relation.columns == wanted
    plan = relation.explain()
    assert "tenure_months" not in plan and "monthly_revenue" not in plan
    lazy = scan_parquet(parquet_dir / "customers", engine="polars", columns=wanted)
    assert isinstance(lazy, pl.LazyFrame)
    total = len(pq.read_schema(next((parquet_dir / "customers").glob("*.parquet"))).names)
    assert f"PROJECT 2/{total} COLUMNS" in lazy.explain()


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_scan_parquet_accepts_files_directories_globs_and_lists(
    engine: str, parquet_dir: Path, raw: Any
) -> None:
    folder = parquet_dir / "responses"
    parts = sorted(folder.glob("*.parquet"))
    expected = len(raw[1])
    for path in (folder, str(folder / "part-*.parquet"), parts):
        frame = nw.from_native(scan_parquet(path, engine=engine))  # type: ignore[arg-type]
        assert int(frame.select(nw.len()).collect().item()) == expected
    single = nw.from_native(scan_parquet(parts[0], engine=engine))  # type: ignore[arg-type]
    assert int(single.select(nw.len()).collect().item()) == pq.read_metadata(parts[0]).num_rows


def test_scan_parquet_with_an_own_connection_joins(parquet_dir: Path, raw: Any) -> None:
    con = duckdb.connect(config={"threads": 1, "memory_limit": "256MB"})
    customers = scan_parquet(parquet_dir / "customers", connection=con)
    responses = scan_parquet(parquet_dir / "responses", connection=con)
    table = _life_table(customers, responses)
    _assert_cells_match(table.frame, _oracle_cells(*raw, "latest"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": ["customer_id", "ltr"]}, r"`columns`: 1 column\(s\) \['ltr'\] are not in"),
        ({"columns": ["churned", "churned"]}, r"`columns` repeats \['churned'\]"),
        ({"columns": "churned"}, r"`columns` must be a sequence of names"),
        ({"columns": []}, r"`columns` is empty"),
        ({"engine": "spark"}, r"`engine` must be one of \['duckdb', 'polars'\]"),
    ],
)
def test_scan_parquet_refuses_bad_arguments(
    kwargs: dict[str, Any], message: str, parquet_dir: Path
) -> None:
    engines = [kwargs.pop("engine")] if "engine" in kwargs else ["duckdb", "polars"]
    for engine in engines:
        with pytest.raises(CxDataError, match=message):
            scan_parquet(parquet_dir / "customers", engine=engine, **kwargs)


def test_scan_parquet_names_missing_paths(tmp_path: Path, parquet_dir: Path) -> None:
    with pytest.raises(CxDataError, match=r"`path`: 1 of 1 path\(s\) name no Parquet file"):
        scan_parquet(tmp_path / "nowhere.parquet")
    with pytest.raises(CxDataError, match=r"`path`: 1 of 2 path\(s\).*empty"):
        (tmp_path / "empty").mkdir()
        scan_parquet([parquet_dir / "customers", tmp_path / "empty"])
    with pytest.raises(CxDataError, match=r"`path` is an empty list"):
        scan_parquet([])


def test_scan_parquet_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, parquet_dir: Path
) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r"pip install cx-economics-toolkit\[polars\]"):
        scan_parquet(parquet_dir / "customers", engine="polars")


def test_importing_engines_loads_no_engine_package() -> None:
    code = (
        "import sys, cx_economics.data.engines; "
        "print(sorted(m for m in ('polars', 'duckdb', 'pyspark') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- helpers


HELPER_FRAMES: dict[str, Callable[[pd.DataFrame], Any]] = {
    "pandas": lambda f: f,
    "polars": pl.from_pandas,
    "pyarrow": lambda f: pa.Table.from_pandas(f, preserve_index=False),
    "duckdb": lambda f: CONNECTION.from_arrow(pa.Table.from_pandas(f, preserve_index=False)),
}


@pytest.mark.parametrize("engine", list(HELPER_FRAMES))
def test_helpers_agree_with_numpy(engine: str) -> None:
    frame = pd.DataFrame({"score": [3.0, 9.0, np.nan, 10.0, 7.0], "channel": list("aabbb")})
    native = HELPER_FRAMES[engine](frame)
    assert engine_name(native) == engine
    lazy = as_lazy(native, "responses")
    flagged = lazy.with_columns(indicator(nw.col("score") >= 9).alias("promoters"))
    by_channel = collect_pandas(
        flagged.group_by("channel").agg(nw.col("promoters").sum()).sort("channel")
    )
    score = frame["score"].to_numpy()
    expected = [int(np.sum(score[frame["channel"] == c] >= 9)) for c in ("a", "b")]
    assert by_channel["promoters"].tolist() == expected
    missing = int(lazy.select(count_true(nw.col("score").is_null())).collect().item())
    assert missing == int(np.isnan(score).sum())
    with pytest.raises(CxDataError, match=r"`responses` lacks column\(s\) `team`"):
        require_columns(lazy, ["score", "team"], "responses")


def test_as_lazy_names_the_argument() -> None:
    with pytest.raises(CxDataError, match=r"`customers` must be a pandas, polars"):
        as_lazy([1, 2, 3], "customers")


# --------------------------------------------------------------------------- PySpark


@pytest.mark.spark
def test_spark_life_table_and_nps_counts_match(spark: Any, raw: Any, parquet_dir: Path) -> None:
    customers, responses = raw
    spark_customers = spark.read.parquet(str(parquet_dir / "customers"))
    spark_responses = spark.read.parquet(str(parquet_dir / "responses"))
    assert engine_name(spark_customers) == "pyspark"
    table = _life_table(spark_customers, spark_responses)
    _assert_cells_match(table.frame, _oracle_cells(customers, responses, "latest"))
    counts = nps_counts(spark_responses, by="channel")
    assert _nps_by_channel(counts) == _oracle_nps(responses)


@pytest.mark.spark
def test_spark_frames_built_in_memory_match(spark: Any, raw: Any) -> None:
    customers, responses = raw
    spark_customers = spark.createDataFrame(customers)
    spark_responses = spark.createDataFrame(responses)
    table = _life_table(spark_customers, spark_responses, band_rule="mean")
    _assert_cells_match(table.frame, _oracle_cells(customers, responses, "mean"))


@pytest.mark.spark
def test_spark_helpers_count_booleans(spark: Any) -> None:
    frame = pd.DataFrame({"score": [3.0, 9.0, None, 10.0], "channel": list("aabb")})
    lazy = as_lazy(spark.createDataFrame(frame), "responses")
    counts = collect_pandas(
        lazy.group_by("channel").agg(count_true(nw.col("score") >= 9).alias("n")).sort("channel")
    )
    assert counts["n"].tolist() == [1, 1]
    missing = lazy.select(count_true(nw.col("score").is_null())).collect().item()
    assert int(missing) == 1


# --------------------------------------------------------------------------- contact counts


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_contact_counts_from_parquet_match_pandas(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from cx_economics.tables.contact_counts import contact_counts

    data = simulate(2_000, seed=5)
    root = tmp_path_factory.mktemp("contacts")
    pq.write_table(_arrow(data.contacts), root / "contacts.parquet")
    pq.write_table(_arrow(data.customers), root / "customers.parquet")
    contacts = scan_parquet(root / "contacts.parquet", engine=engine)  # type: ignore[arg-type]
    customers = scan_parquet(
        root / "customers.parquet",
        engine=engine,  # type: ignore[arg-type]
        columns=["start_date", "tenure_months", "churned"],
    )
    ours = contact_counts(contacts, customers)
    reference = contact_counts(data.contacts, data.customers)
    pd.testing.assert_frame_equal(
        ours.counts, reference.counts, check_dtype=False, check_exact=False
    )
    pd.testing.assert_frame_equal(
        ours.exposure, reference.exposure, check_dtype=False, check_exact=False
    )
    # every contact counted once in the split counts: none dropped in the engine
    assert ours.counts["weighted"].sum() == pytest.approx(len(data.contacts))
