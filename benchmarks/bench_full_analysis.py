"""Time the full analysis of a Parquet customer base, end to end, on one engine.

Steps (each timed; wall-clock seconds):

1. scan   — lazy Parquet scans of customers and responses (only the needed columns);
2. tables — the one pass over raw rows, inside the engine: the life table by band and
   channel, and NPS counts by channel × team over the last 12 months (summed to
   channels in Python);
3. nps    — NPS by channel with adjusted-Wald intervals (from the counts);
4. curves — churn curves by band × channel (``fit_churn`` when it has landed,
   otherwise ``fit_parametric(model="auto")``) and Kaplan–Meier by band;
5. hazards — hazard ratios of bands adjusted for channel (discrete-time PH);
6. values — lifetime value per band with 1,000 bootstrap replicates;
7. economics — the channel economics table with 1,000 bootstrap replicates.

Everything after step 2 works on tables whose size does not depend on the number of
customers. A step whose module has not landed is skipped with a note; no figure is
made up. ``--cox`` adds the baseline: lifelines ``CoxPHFitter`` on raw customer rows
(pandas, one row per customer), next to ``hazard_ratios`` on the life table.

Usage::

    python benchmarks/bench_full_analysis.py --data /tmp/cx_economics_bench/10m
    python benchmarks/bench_full_analysis.py --data /tmp/cx_economics_bench/1m --cox

The last line printed is a JSON record (used by ``bench_engines.py``).

BLAS threads: the models fit small dense matrices (a few thousand rows), where
multi-threaded OpenBLAS only adds spin-waiting; on a busy 2-core machine it made
``hazard_ratios`` 60x slower (3 s instead of 0.05 s). The script therefore restarts
itself with ``OPENBLAS_NUM_THREADS=1`` (and the MKL/OpenMP equivalents) unless they
are already set, since BLAS reads them only when numpy loads.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import resource
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.engines import LIFE_TABLE_CUSTOMER_COLUMNS, scan_parquet

AS_OF = pd.Timestamp("2025-12-31")  # the simulation's cut-off (datasets.simulate default)
WINDOW_MONTHS = 12
RESPONSE_COLUMNS = ["customer_id", "response_date", "score", "channel", "team"]


class Steps:
    """Wall-clock time per step, and notes on skipped steps."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.notes: list[str] = []

    @contextmanager
    def time(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - start
        print(f"  {name:<10} {self.seconds[name]:7.2f} s", flush=True)

    def skip(self, name: str, why: str) -> None:
        self.notes.append(f"{name}: skipped ({why})")
        print(f"  {name:<10} skipped: {why}", flush=True)


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name`` if that module has landed, else None."""
    try:
        found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    except (ModuleNotFoundError, AttributeError):
        return None
    return found


# --------------------------------------------------------------------------- tables


def _scan(folder: Path, engine: str) -> tuple[Any, Any]:
    import duckdb

    con = duckdb.connect(config={"threads": 2}) if engine == "duckdb" else None
    customers = scan_parquet(
        folder / "customers",
        engine=engine,  # type: ignore[arg-type]
        columns=LIFE_TABLE_CUSTOMER_COLUMNS,
        connection=con,
    )
    responses = scan_parquet(
        folder / "responses",
        engine=engine,  # type: ignore[arg-type]
        columns=RESPONSE_COLUMNS,
        connection=con,
    )
    return customers, responses


def _recent(responses: Any) -> Any:
    """Responses of the last ``WINDOW_MONTHS`` months, still lazy in the engine."""
    start = (AS_OF - pd.DateOffset(months=WINDOW_MONTHS)).date()
    frame = nw.from_native(responses)
    kept = frame.filter(nw.col("response_date") > nw.lit(start))
    return kept.to_native()


def build_tables(customers: Any, responses: Any) -> dict[str, Any]:
    """The only pass over raw rows: life table and NPS counts, inside the engine."""
    from cx_economics.tables.life import life_table
    from cx_economics.tables.nps_counts import nps_counts

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        table = life_table(customers, responses, by=("band", "channel"), as_of=AS_OF)
    team_counts = nps_counts(_recent(responses), by=("channel", "team"))
    return {
        "life_table": table,
        "counts": team_counts.collapse("channel"),
        "team_counts": team_counts,
    }


# --------------------------------------------------------------------------- models


def fit_curves(table: Any, horizon_months: int) -> tuple[Any, str]:
    """Churn curves per group with a tail to the horizon; the name of the function used."""
    fit_churn = _optional("cx_economics.survival.fit", "fit_churn")
    if fit_churn is not None:
        curves = fit_churn(
            table, model="auto", by=table.group_columns, horizon_months=horizon_months
        )
        return curves, "fit_churn (Kaplan-Meier + parametric tail)"
    from cx_economics.survival.parametric import fit_parametric

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        curves = fit_parametric(table, model="auto", horizon_months=horizon_months)
    return curves, "fit_parametric (fit_churn not landed)"


def lifetime_values(table: Any, assumptions: Assumptions, seed: int) -> Any:
    """Lifetime value per band with bootstrap intervals, from the life table only."""
    from cx_economics.survival.bootstrap import bootstrap_survival
    from cx_economics.value.lifetime import lifetime_value, margin_by_band

    by_band = table.collapse(["band"])
    horizon = assumptions.horizon_months
    curves, _ = fit_curves(by_band, horizon)
    draws = bootstrap_survival(
        by_band,
        n_replicates=assumptions.n_bootstrap,
        horizon_months=horizon,
        seed=seed,
        tail=curves,
    )
    margins = margin_by_band(by_band, assumptions=assumptions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        return lifetime_value(
            curves, monthly_margin=margins, assumptions=assumptions, survival_replicates=draws
        )


def channel_economics_from_tables(
    tables: dict[str, Any], assumptions: Assumptions, seed: int
) -> Any:
    """The channel economics table from the life table and NPS counts alone.

    The library's scale path: today's mix and residual values from the life table's
    active customers, the excellence level from the team counts.
    """
    from cx_economics.data.datasets import simulate
    from cx_economics.data.schemas import validate_channel_costs
    from cx_economics.economics.channels import economics_from_tables
    from cx_economics.economics.cost import cost_curves_from_table

    # finance's cost points: a 12-row table (the simulator's, seed 0)
    costs = validate_channel_costs(simulate(2_000, seed=0).channel_costs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        return economics_from_tables(
            tables["life_table"],
            assumptions=assumptions,
            team_counts=tables["team_counts"],
            survey_counts=tables["counts"],
            cost_models=cost_curves_from_table(costs.frame),
            seed=seed,
        )


# --------------------------------------------------------------------------- run


def _run_step(steps: Steps, name: str, module: str, action: Callable[[], Any]) -> Any:
    if importlib.util.find_spec(module) is None:
        steps.skip(name, f"module {module} has not landed")
        return None
    with steps.time(name):
        return action()


def run_full_analysis(
    folder: Path, *, engine: str = "duckdb", n_bootstrap: int = 1000, seed: int = 0
) -> tuple[Steps, dict[str, Any]]:
    """Run every step on the Parquet dataset in ``folder``; timings and results."""
    from cx_economics.scores import nps
    from cx_economics.survival.km import kaplan_meier

    steps = Steps()
    assumptions = Assumptions(n_bootstrap=n_bootstrap)
    out: dict[str, Any] = {}
    with steps.time("scan"):
        customers, responses = _scan(folder, engine)
    with steps.time("tables"):
        tables = build_tables(customers, responses)
    table = tables["life_table"]
    with steps.time("nps"):
        out["nps"] = nps(tables["counts"], by="channel")
    with steps.time("curves"):
        out["curves"], out["curve_model"] = fit_curves(table, assumptions.horizon_months)
        out["km"] = kaplan_meier(table.collapse(["band"]))
    out["hazards"] = _run_step(
        steps,
        "hazards",
        "cx_economics.survival.hazards",
        lambda: importlib.import_module("cx_economics.survival.hazards").hazard_ratios(table),
    )
    out["values"] = _run_step(
        steps,
        "values",
        "cx_economics.value.lifetime",
        lambda: lifetime_values(table, assumptions, seed),
    )
    out["economics"] = _run_step(
        steps,
        "economics",
        "cx_economics.economics.channels",
        lambda: channel_economics_from_tables(tables, assumptions, seed),
    )
    out["tables"] = tables
    return steps, out


def raw_cox_rows(folder: Path) -> pd.DataFrame:
    """One row per customer: tenure (months), churn flag, band and channel dummies."""
    customers = pd.read_parquet(
        folder / "customers", columns=["customer_id", "tenure_months", "churned", "channel"]
    )
    responses = pd.read_parquet(
        folder / "responses", columns=["customer_id", "response_date", "score"]
    )
    dates = pd.to_datetime(responses["response_date"])
    usable = responses.assign(response_date=dates)[dates <= AS_OF]
    latest = usable.groupby("customer_id")["response_date"].transform("max")
    mean = usable[usable["response_date"] == latest].groupby("customer_id")["score"].mean()
    code = (mean >= 7).astype(np.int64) + (mean >= 9).astype(np.int64)
    band = customers["customer_id"].map(code).fillna(-1).to_numpy()
    rows = pd.DataFrame(
        {
            "duration": customers["tenure_months"].clip(lower=1e-6).to_numpy(),
            "event": customers["churned"].to_numpy(np.int64),
            "detractor": (band == 0).astype(np.float64),
            "passive": (band == 1).astype(np.float64),
            "unrated": (band == -1).astype(np.float64),
        }
    )
    channel = customers["channel"].to_numpy()
    for name in sorted(set(channel))[1:]:
        rows[f"channel_{name}"] = (channel == name).astype(np.float64)
    return rows


def cox_baseline(folder: Path) -> dict[str, float]:
    """lifelines CoxPHFitter on raw rows (one per customer) vs hazard ratios on the table."""
    from lifelines import CoxPHFitter

    from cx_economics.survival.hazards import hazard_ratios
    from cx_economics.tables.life import life_table

    importlib.import_module("statsmodels.api")  # imported before timing, as lifelines is

    start = time.perf_counter()
    rows = raw_cox_rows(folder)
    prepare = time.perf_counter() - start
    start = time.perf_counter()
    fitter = CoxPHFitter().fit(rows, duration_col="duration", event_col="event")
    lifelines_fit = time.perf_counter() - start
    start = time.perf_counter()
    customers_lazy, responses_lazy = _scan(folder, "duckdb")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        table = life_table(customers_lazy, responses_lazy, by=("band", "channel"), as_of=AS_OF)
    ours_table = time.perf_counter() - start
    start = time.perf_counter()
    ratios = hazard_ratios(table)
    ours_fit = time.perf_counter() - start
    hr_lifelines = float(np.exp(fitter.params_["detractor"]))
    hr_ours = float(ratios.ratio("detractor").value)
    print(
        f"  lifelines CoxPHFitter, {len(rows):,} raw rows: prepare {prepare:.2f} s, "
        f"fit {lifelines_fit:.2f} s; detractor HR {hr_lifelines:.3f}"
    )
    print(
        f"  cx_economics: life table (DuckDB) {ours_table:.2f} s + hazard_ratios "
        f"{ours_fit:.2f} s; detractor HR {hr_ours:.3f}"
    )
    print(
        f"  speed-up of the fit: {lifelines_fit / ours_fit:.0f}x; end to end "
        f"{(prepare + lifelines_fit) / (ours_table + ours_fit):.1f}x"
    )
    return {
        "cox_prepare_s": prepare,
        "cox_fit_s": lifelines_fit,
        "ours_table_s": ours_table,
        "ours_hazards_s": ours_fit,
        "hr_detractor_lifelines": hr_lifelines,
        "hr_detractor_ours": hr_ours,
    }


def _summary(out: dict[str, Any]) -> None:
    table = out["tables"]["life_table"]
    print(
        f"  life table: {len(table.frame):,} cells for {table.n_customers:,} customers; "
        f"curves: {out['curve_model']}"
    )
    frame = out["nps"].to_frame()
    print(
        "  NPS by channel: "
        + ", ".join(
            f"{r.channel} {r.nps:+.1f} [{r.lower:+.1f}, {r.upper:+.1f}]" for r in frame.itertuples()
        )
    )
    if out.get("values") is not None:
        lv = out["values"]
        print(
            "  lifetime value: "
            + ", ".join(
                f"{g[0]} {v:,.0f} [{lo:,.0f}, {hi:,.0f}]"
                for g, v, lo, hi in zip(lv.groups, lv.value, lv.lower, lv.upper, strict=True)
            )
        )


BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def _single_threaded_blas(argv: list[str] | None) -> None:
    """Restart this script with one BLAS thread unless the caller chose a number."""
    if any(v in os.environ for v in BLAS_VARIABLES):
        return
    env = {**os.environ, **dict.fromkeys(BLAS_VARIABLES, "1")}
    args = sys.argv[1:] if argv is None else argv
    os.execve(sys.executable, [sys.executable, __file__, *args], env)


def main(argv: list[str] | None = None) -> int:
    _single_threaded_blas(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder made by make_parquet")
    parser.add_argument("--engine", choices=["duckdb", "polars"], default="duckdb")
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--cox", action="store_true", help="also run the lifelines baseline")
    parser.add_argument("--no-analysis", action="store_true", help="only the Cox baseline")
    args = parser.parse_args(argv)
    record: dict[str, Any] = {"data": str(args.data), "engine": args.engine}
    if not args.no_analysis:
        print(f"full analysis of {args.data} on {args.engine}:", flush=True)
        start = time.perf_counter()
        steps, out = run_full_analysis(args.data, engine=args.engine, n_bootstrap=args.bootstrap)
        total = time.perf_counter() - start
        print(f"  {'total':<10} {total:7.2f} s")
        _summary(out)
        record.update(
            steps=steps.seconds, notes=steps.notes, total_s=total, curve_model=out["curve_model"]
        )
    if args.cox:
        print(f"Cox baseline on {args.data}:", flush=True)
        record["cox"] = cox_baseline(args.data)
    record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
