"""The band-state life table on DuckDB against a hand-written SQL query of the same counts.

Usage::

    .venv/bin/python benchmarks/make_parquet.py --sizes 10000000
    .venv/bin/python benchmarks/bench_life_table_states.py --n 10000000

Both sides read the same Parquet files (``benchmarks/make_parquet.py``) with two DuckDB
threads and produce the counts per (band, channel, entry, exit month, churned, moved)
with revenue sums: the library through ``life_table(..., by=("band", "channel"))``
(narwhals on DuckDB relations: validation, cut-off, answers after churn, band states,
group-by), the floor as one SQL query written by hand for this exact job (no
validation). It prints both times (best of ``--repeat`` warm runs), their ratio
(target ≤ 2), and checks that the counts are equal.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import duckdb
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning
from cx_economics.data.engines import (
    LIFE_TABLE_CUSTOMER_COLUMNS,
    LIFE_TABLE_DATE_COLUMNS,
    scan_parquet,
)
from cx_economics.tables.life import life_table

sys.path.insert(0, str(Path(__file__).parent))
from make_parquet import DEFAULT_ROOT, dataset_dir

AS_OF = "2025-12-31"
FLOOR_SQL = """
WITH c AS (
    SELECT customer_id, channel, churned, start_date, end_date, monthly_revenue AS rev,
           CASE WHEN churned THEN greatest(ceil(round(tenure_months, 6)), 1)
                ELSE floor(round(tenure_months, 6)) END::BIGINT AS last_month
    FROM read_parquet('{customers}/*.parquet')
),
a AS (
    SELECT r.customer_id, r.response_date, r.score,
           greatest(floor(round(epoch(r.response_date::TIMESTAMP - c.start_date::TIMESTAMP)
                                / (86400 * 30.4375), 6)), 0)::BIGINT AS entry
    FROM read_parquet('{responses}/*.parquet') r JOIN c USING (customer_id)
    WHERE r.response_date <= DATE '{as_of}' AND r.response_date >= c.start_date
      AND (c.end_date IS NULL OR r.response_date <= c.end_date)
),
latest AS (
    SELECT a.customer_id, entry, score
    FROM a JOIN c USING (customer_id)
    WHERE entry < last_month
    QUALIFY response_date = max(response_date) OVER (PARTITION BY a.customer_id, entry)
),
monthly AS (SELECT customer_id, entry, avg(score) AS score FROM latest GROUP BY ALL),
states AS (
    SELECT customer_id, entry, max(code) AS code FROM (
        SELECT customer_id, entry, (score >= 7)::INT + (score >= 9)::INT AS code FROM monthly
        UNION ALL SELECT customer_id, 0, -1 FROM c
    ) GROUP BY ALL
),
changes AS (
    SELECT * FROM states
    QUALIFY lag(code) OVER (PARTITION BY customer_id ORDER BY entry) IS DISTINCT FROM code
),
segments AS (
    SELECT customer_id, code, entry,
           lead(entry) OVER (PARTITION BY customer_id ORDER BY entry) AS next
    FROM changes
)
SELECT code, channel, entry, coalesce(next, last_month) AS duration,
       churned AND next IS NULL AS churned, next IS NOT NULL AS moved,
       count(*) AS customers, sum(rev) AS revenue_sum, sum(rev * rev) AS revenue_sq_sum
FROM segments JOIN c USING (customer_id)
GROUP BY ALL
"""


def best_of(repeat: int, action):  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` runs after one warm-up, and the last result."""
    result = action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = dataset_dir(args.root, args.n)
    con = duckdb.connect(config={"threads": 2})

    def ours() -> pd.DataFrame:
        customers = scan_parquet(folder / "customers", engine="duckdb",
                                 columns=LIFE_TABLE_CUSTOMER_COLUMNS + LIFE_TABLE_DATE_COLUMNS,
                                 connection=con)  # fmt: skip
        responses = scan_parquet(folder / "responses", engine="duckdb",
                                 columns=["customer_id", "response_date", "score"],
                                 connection=con)  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CxAssumptionWarning)
            table = life_table(customers, responses, by=("band", "channel"), as_of=AS_OF)
        return table.frame

    def floor() -> pd.DataFrame:
        sql = FLOOR_SQL.format(customers=folder / "customers", responses=folder / "responses",
                               as_of=AS_OF)  # fmt: skip
        return con.sql(sql).df()

    t_ours, cells = best_of(args.repeat, ours)
    t_floor, counts = best_of(args.repeat, floor)
    same = int(cells["customers"].sum()) == int(counts["customers"].sum()) and len(cells) == len(
        counts
    )
    print(f"{args.n:,} customers, DuckDB, 2 threads, best of {args.repeat} warm runs")
    print(f"  life_table (band states)  {t_ours:7.2f} s  {len(cells):,} cells")
    print(f"  hand-written SQL (floor)  {t_floor:7.2f} s  {len(counts):,} cells")
    print(f"  ratio                     {t_ours / t_floor:7.2f}×  (target ≤ 2)")
    print(f"  same cells and counts     {same}")


if __name__ == "__main__":
    main()
