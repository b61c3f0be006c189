"""Life table + discrete-time hazard ratios versus lifelines' Cox model on raw rows.

Usage::

    .venv/bin/python benchmarks/bench_lifetable.py --n 1000000 --seed 7

Both sides estimate hazard ratios of NPS band (reference promoter) and channel
(reference branch) on the same simulated customers:

* ours: ``life_table(customers, responses, by=("band", "channel"))`` (validation,
  band assignment, aggregation) then ``hazard_ratios(table, method="discrete")``;
* lifelines: ``CoxPHFitter().fit`` on one row per customer (Efron ties), with the
  bands prepared beforehand in pandas (preparation timed apart, not charged to it).

It prints both times, their ratio (target ≥ 50×) and the largest absolute difference
between the two sets of hazard ratios (target: equal to 3 decimals, < 0.0005). Imports
(statsmodels, lifelines) are loaded before timing. Because the life table is built
once and then serves every model, it also prints the ratio for the model fit alone,
and the life-table build from polars frames (the engine-side path, no pandas
validation).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import polars as pl
import statsmodels.api  # noqa: F401  (loaded before timing, like lifelines)
from lifelines import CoxPHFitter

from cx_economics.data.datasets import SimulationTruth, simulate
from cx_economics.survival.hazards import hazard_ratios
from cx_economics.tables.life import life_table

TERMS = [
    ("band", "detractor"),
    ("band", "passive"),
    ("band", "unrated"),
    ("channel", "chat"),
    ("channel", "phone"),
    ("channel", "web"),
]


def raw_rows(customers: pd.DataFrame, responses: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per customer: band dummies (latest answer's band), channel dummies, duration."""
    usable = responses[responses["response_date"] <= as_of]
    latest = usable["response_date"] == usable.groupby("customer_id")["response_date"].transform(
        "max"
    )
    mean = usable[latest].groupby("customer_id")["score"].mean()
    band = pd.cut(
        mean, [-np.inf, 7, 9, np.inf], right=False, labels=["detractor", "passive", "promoter"]
    )
    bands = customers["customer_id"].map(band.astype(object)).fillna("unrated")
    rows = pd.DataFrame({f"{c}={v}": 0.0 for c, v in TERMS}, index=customers.index)
    for column, level in TERMS:
        values = bands if column == "band" else customers[column]
        rows[f"{column}={level}"] = (values.to_numpy() == level).astype(np.float64)
    tenure = customers["tenure_months"].round(6)
    churned = customers["churned"].to_numpy(bool)
    rows["duration"] = np.where(churned, np.maximum(np.ceil(tenure), 1), np.floor(tenure))
    rows["churned"] = churned
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="simulated customers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pure", action="store_true", help="no contact effects (exact proportional hazards)"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    truth = SimulationTruth(reasons={}) if args.pure else SimulationTruth()
    sim = simulate(args.n, seed=args.seed, truth=truth)
    print(f"simulate({args.n:,}): {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    table = life_table(sim.customers, sim.responses, by=("band", "channel"), as_of=sim.as_of)
    built = time.perf_counter()
    ours = hazard_ratios(table, method="discrete")
    ours_seconds = time.perf_counter() - started
    print(
        f"ours: life_table {built - started:.2f} s ({len(table.frame):,} cells) + "
        f"hazard_ratios {ours_seconds - (built - started):.2f} s = {ours_seconds:.2f} s"
    )

    started = time.perf_counter()
    hazard_ratios(table, method="discrete")
    fit_seconds = time.perf_counter() - started
    print(f"ours: hazard_ratios alone on the built table {fit_seconds:.3f} s")

    customers = pl.from_pandas(
        sim.customers[["customer_id", "channel", "tenure_months", "churned", "monthly_revenue"]]
    )
    responses = pl.from_pandas(sim.responses[["customer_id", "response_date", "score"]])
    started = time.perf_counter()
    polars_table = life_table(customers, responses, by=("band", "channel"), as_of=sim.as_of)
    polars_seconds = time.perf_counter() - started
    same = polars_table.frame["customers"].equals(table.frame["customers"])
    print(f"ours: life_table from polars frames {polars_seconds:.2f} s (same cells: {same})")

    started = time.perf_counter()
    rows = raw_rows(sim.customers, sim.responses, sim.as_of)
    print(f"lifelines: preparing {len(rows):,} raw rows {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cox = CoxPHFitter().fit(rows, "duration", "churned")
    cox_seconds = time.perf_counter() - started
    print(f"lifelines: CoxPHFitter.fit {cox_seconds:.2f} s")

    names = [f"{c}={v}" for c, v in TERMS]
    ours_hr = ours.terms.set_index("term").loc[names, "hazard_ratio"].to_numpy()
    cox_hr = np.exp(cox.params_.loc[names].to_numpy())
    print(
        pd.DataFrame({"term": names, "discrete (table)": ours_hr, "cox (raw rows)": cox_hr})
        .round(4)
        .to_string(index=False)
    )
    print(f"speed-up end to end (pandas input): {cox_seconds / ours_seconds:.1f}x (target >= 50x)")
    polars_total = polars_seconds + fit_seconds
    print(f"speed-up end to end (polars input): {cox_seconds / polars_total:.1f}x")
    print(f"speed-up of the model fit on the table: {cox_seconds / fit_seconds:.1f}x")
    diff = float(np.max(np.abs(ours_hr - cox_hr)))
    print(f"max |HR difference|: {diff:.5f} (target < 0.0005, same to 3 decimals)")


if __name__ == "__main__":
    main()
