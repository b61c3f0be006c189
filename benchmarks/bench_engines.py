"""Benchmark the life table per engine, then the full analysis, on 1 M and 10 M customers.

One run does everything the scale issue asks for:

1. writes the simulated Parquet datasets if missing (``make_parquet.py``);
2. (a) builds the life table by band and channel from Parquet with each engine —
   DuckDB, polars, pandas through the library (``pd.read_parquet`` then
   ``life_table``), a hand-written pandas ``groupby`` with no validation, and PySpark
   local mode with ``--spark`` — each in a fresh subprocess so its peak RSS
   (``os.wait4``) is the step's own, not the data generation's. Every engine reads
   the same columns of the same files. Each subprocess builds the table ``--repeat``
   times: the first run is *cold* (first query in a fresh process: engine start-up,
   imports already done; the OS file cache is warm, as the files were just written or
   read), the best later run is *warm*. All engines' tables are checked equal;
3. (b) runs ``bench_full_analysis.py`` (DuckDB, 1,000 bootstrap replicates) per size,
   and (c) the lifelines ``CoxPHFitter`` baseline on raw rows at 1 M;
4. prints times, ratios to pandas and peak memory, and checks the targets.

Usage::

    python benchmarks/bench_engines.py                      # 1 M and 10 M, everything
    python benchmarks/bench_engines.py --sizes 1000000 --spark --skip-full
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_parquet  # a sibling script, found through the sys.path line above

AS_OF = pd.Timestamp("2025-12-31")
CUSTOMER_COLUMNS = ["customer_id", "tenure_months", "churned", "channel", "monthly_revenue"]
RESPONSE_COLUMNS = ["customer_id", "response_date", "score"]
KEYS = ["band", "channel", "duration", "churned"]
ENGINES = ("duckdb", "polars", "pandas", "pandas-groupby")
GB = 1024.0


# --------------------------------------------------------------------------- child side


def _life_table_engine(folder: Path, engine: str, spark: Any) -> pd.DataFrame:
    import warnings

    from cx_economics.core.exceptions import CxAssumptionWarning
    from cx_economics.data.engines import scan_parquet
    from cx_economics.tables.life import life_table

    if engine in ("duckdb", "polars"):
        con = None
        if engine == "duckdb":
            import duckdb

            con = duckdb.connect(config={"threads": 2})
        customers = scan_parquet(
            folder / "customers", engine=engine, columns=CUSTOMER_COLUMNS, connection=con
        )
        responses = scan_parquet(
            folder / "responses", engine=engine, columns=RESPONSE_COLUMNS, connection=con
        )
    elif engine == "spark":
        customers = spark.read.parquet(str(folder / "customers")).select(*CUSTOMER_COLUMNS)
        responses = spark.read.parquet(str(folder / "responses")).select(*RESPONSE_COLUMNS)
    else:
        # validate_responses requires `channel` on pandas responses: one column more
        customers = pd.read_parquet(folder / "customers", columns=CUSTOMER_COLUMNS)
        responses = pd.read_parquet(folder / "responses", columns=[*RESPONSE_COLUMNS, "channel"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        table = life_table(customers, responses, by=("band", "channel"), as_of=AS_OF)
    return table.frame


def _life_table_pandas_groupby(folder: Path) -> pd.DataFrame:
    """The same cells with plain pandas: no validation, one process, in memory."""
    customers = pd.read_parquet(folder / "customers", columns=CUSTOMER_COLUMNS)
    responses = pd.read_parquet(folder / "responses", columns=RESPONSE_COLUMNS)
    dates = pd.to_datetime(responses["response_date"])
    usable = responses[dates <= AS_OF].assign(response_date=dates)
    latest = usable.groupby("customer_id")["response_date"].transform("max")
    mean = usable[usable["response_date"] == latest].groupby("customer_id")["score"].mean()
    code = (mean >= 7).astype(np.int64) + (mean >= 9).astype(np.int64)
    names = np.array(["unrated", "detractor", "passive", "promoter"], dtype=object)
    band = customers["customer_id"].map(code).fillna(-1).astype(np.int64).to_numpy() + 1
    tenure = customers["tenure_months"].to_numpy().round(6)
    churned = customers["churned"].to_numpy(bool)
    revenue = customers["monthly_revenue"].to_numpy(np.float64)
    rows = pd.DataFrame(
        {
            "band": names[band],
            "channel": customers["channel"].to_numpy(),
            "duration": np.where(churned, np.maximum(np.ceil(tenure), 1), np.floor(tenure)),
            "churned": churned,
            "revenue": revenue,
            "revenue_sq": revenue * revenue,
        }
    )
    cells = rows.groupby(KEYS, sort=False).agg(
        customers=("revenue", "size"),
        revenue_sum=("revenue", "sum"),
        revenue_sq_sum=("revenue_sq", "sum"),
    )
    return cells.reset_index().astype({"duration": np.int64})


def _start_spark() -> Any:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("cx_economics-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def child(engine: str, folder: Path, repeat: int, table_out: Path) -> None:
    """Build the life table ``repeat`` times; print a JSON record of the times."""
    spark_start = 0.0
    spark = None
    if engine == "spark":
        start = time.perf_counter()
        spark = _start_spark()
        spark_start = time.perf_counter() - start
    seconds = []
    frame = pd.DataFrame()
    for _ in range(repeat):
        start = time.perf_counter()
        if engine == "pandas-groupby":
            frame = _life_table_pandas_groupby(folder)
        else:
            frame = _life_table_engine(folder, engine, spark)
        seconds.append(time.perf_counter() - start)
    if spark is not None:
        spark.stop()
    frame.to_parquet(table_out)
    print(json.dumps({"seconds": seconds, "spark_start_s": spark_start}))


# --------------------------------------------------------------------------- parent side


class StepFailed(RuntimeError):
    """A measured subprocess exited with an error (its last stderr line is the message)."""


def _measure(command: list[str]) -> tuple[str, float, float]:
    """Run ``command``; its stdout, wall seconds and peak RSS (MB) of that child alone.

    The child is reaped with ``os.wait4``, whose resource usage is that child's own.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True)
        assert process.stdout is not None
        out = process.stdout.read()  # until the child closes stdout, i.e. exits
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        if process.returncode:
            err.seek(0)
            lines = [line.strip() for line in err.read().splitlines() if line.strip()]
            errors = [line for line in lines if "Error" in line or "Exception" in line]
            raise StepFailed((errors or lines or [f"exit code {process.returncode}"])[-1][:300])
    return out, wall, usage.ru_maxrss / 1024.0


def _same_cells(reference: pd.DataFrame, other: pd.DataFrame) -> bool:
    a = reference.set_index(KEYS).sort_index()
    b = other.set_index(KEYS).sort_index()
    if not a.index.equals(b.index) or not (a["customers"] == b["customers"]).all():
        return False
    return bool(np.allclose(a["revenue_sum"], b["revenue_sum"], rtol=1e-9))


def bench_life_tables(
    folder: Path, engines: list[str], repeat: int, workdir: Path
) -> list[dict[str, Any]]:
    rows = []
    reference: pd.DataFrame | None = None
    for engine in engines:
        table_out = workdir / f"{folder.name}-{engine}.parquet"
        command = [sys.executable, __file__, "--child", engine, "--data", str(folder)]
        command += ["--repeat", str(repeat), "--table-out", str(table_out)]
        print(f"  life table, {folder.name}, {engine} …", flush=True)
        try:
            out, wall, rss = _measure(command)
        except StepFailed as error:
            print(f"    FAILED: {error}", flush=True)
            rows.append({"size": folder.name, "engine": engine, "failed": str(error)[:80]})
            continue
        record = json.loads(out.strip().splitlines()[-1])
        frame = pd.read_parquet(table_out)
        reference = frame if reference is None else reference
        seconds = record["seconds"]
        rows.append(
            {
                "size": folder.name,
                "engine": engine,
                "cold_s": seconds[0],
                "warm_s": min(seconds[1:]) if len(seconds) > 1 else float("nan"),
                "process_s": wall,
                "spark_start_s": record["spark_start_s"],
                "peak_rss_mb": rss,
                "cells": len(frame),
                "same_table": _same_cells(reference, frame),
            }
        )
        print(
            f"    cold {seconds[0]:.2f} s, runs {[round(s, 2) for s in seconds]}, "
            f"peak RSS {rss:,.0f} MB",
            flush=True,
        )
    return rows


def _print_engines(rows: list[dict[str, Any]]) -> None:
    frame = pd.DataFrame(rows)
    for _, part in frame.groupby("size", sort=False):
        base = part.set_index("engine")
        for baseline in ("pandas", "pandas-groupby"):
            if baseline in base.index:
                column = f"x_vs_{baseline}"
                best = part[["cold_s", "warm_s"]].min(axis=1)
                frame.loc[part.index, column] = (
                    base.loc[baseline, ["cold_s", "warm_s"]].min() / best
                ).to_numpy()
    if "failed" in frame and frame["failed"].isna().all():
        frame = frame.drop(columns="failed")
    print("\n(a) life table by band × channel from Parquet (seconds; RSS in MB)")
    print(frame.to_string(index=False, na_rep="-", float_format=lambda v: f"{v:,.2f}"))


def _full_analysis(folder: Path, engine: str, cox: bool = False) -> dict[str, Any]:
    """The full analysis on ``engine`` (or, with ``cox``, only the Cox baseline)."""
    script = Path(__file__).with_name("bench_full_analysis.py")
    command = [sys.executable, str(script), "--data", str(folder), "--engine", engine]
    if cox:
        command += ["--cox", "--no-analysis"]
    what = "Cox baseline" if cox else f"full analysis, {engine}"
    print(f"  {what}, {folder.name} …", flush=True)
    try:
        out, wall, rss = _measure(command)
    except StepFailed as error:
        print(f"    FAILED: {error}", flush=True)
        return {"failed": str(error)}
    print("\n".join("    " + line for line in out.strip().splitlines()[:-1]))
    record: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    record.update(process_s=wall, process_peak_rss_mb=rss)
    return record


def _check_engine_targets(engines: list[dict[str, Any]]) -> None:
    frame = pd.DataFrame(engines).set_index(["size", "engine"])
    best = frame[["cold_s", "warm_s"]].min(axis=1)
    pairs = [(f, s) for f in ("duckdb", "polars") for s in ("pandas", "pandas-groupby")]
    for size in frame.index.get_level_values("size").unique():
        for fast, slow in pairs:
            ratio = best.get((size, slow), np.nan) / best.get((size, fast), np.nan)
            if not np.isnan(ratio):
                flag = "ok" if ratio >= 5 else "MISSED"
                print(f"  {size}: {fast} {ratio:.1f}x faster than {slow} (≥ 5x: {flag})")
        for engine in ("duckdb", "polars"):
            rss = frame["peak_rss_mb"].get((size, engine), np.nan)
            if not np.isnan(rss):
                flag = "ok" if rss < 2 * GB else "MISSED"
                print(f"  {size}: {engine} life-table peak RSS {rss / GB:.2f} GB (< 2 GB: {flag})")


def _check_full_targets(full: dict[tuple[str, str], dict[str, Any]]) -> None:
    for (size, engine), record in full.items():
        if "total_s" in record:
            flag = "ok" if record["process_s"] < 15 else "MISSED"
            print(
                f"  {size}: full analysis on {engine}: {record['total_s']:.1f} s in-process, "
                f"{record['process_s']:.1f} s with interpreter start-up (< 15 s: {flag}); "
                f"peak RSS {record['process_peak_rss_mb'] / GB:.2f} GB"
            )
        if "cox" in record:
            cox = record["cox"]
            print(
                f"  {size}: lifelines CoxPHFitter on raw rows {cox['cox_fit_s']:.1f} s "
                f"(+{cox['cox_prepare_s']:.1f} s to prepare rows) vs life table "
                f"{cox['ours_table_s']:.1f} s + hazard_ratios {cox['ours_hazards_s']:.1f} s"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=make_parquet.DEFAULT_ROOT)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--engines", nargs="+", default=list(ENGINES))
    parser.add_argument("--spark", action="store_true", help="also PySpark local mode")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-full", action="store_true")
    parser.add_argument("--skip-engines", action="store_true", help="only the full analysis")
    parser.add_argument("--full-engines", nargs="+", default=["duckdb", "polars"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--table-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.data, args.repeat, args.table_out)
        return 0
    engines = args.engines + (["spark"] if args.spark else [])
    print(
        f"cx_economics scale benchmark, {time.strftime('%Y-%m-%d %H:%M')}, "
        f"load average {', '.join(f'{v:.1f}' for v in os.getloadavg())}, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        flush=True,
    )
    chunk = make_parquet.DEFAULT_CHUNK
    folders = [
        make_parquet.make_dataset(args.root, n, chunk=min(n, chunk)) for n in sorted(args.sizes)
    ]
    rows: list[dict[str, Any]] = []
    full: dict[tuple[str, str], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for folder in folders if not args.skip_engines else []:
            rows += bench_life_tables(folder, engines, args.repeat, Path(workdir))
    if not args.skip_full:
        for folder in folders:
            for engine in args.full_engines:
                full[folder.name, engine] = _full_analysis(folder, engine)
            if folder.name == "1m":
                full[folder.name, "lifelines"] = _full_analysis(folder, "duckdb", cox=True)
    if rows:
        _print_engines(rows)
    print("\nTargets")
    if rows:
        _check_engine_targets(rows)
    _check_full_targets(full)
    return 0


if __name__ == "__main__":
    sys.exit(main())
