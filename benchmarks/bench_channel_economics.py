"""Channel economics with bootstrap intervals: vectorised replicates vs a Python loop.

Usage::

    .venv/bin/python benchmarks/bench_channel_economics.py --n 1000000 --replicates 1000

On ``n`` simulated customers it times, in one run:

1. the aggregation (life table by band × channel, NPS counts by channel) — the only
   pass over raw rows;
2. the full channel economics table with ``replicates`` bootstrap replicates
   (life-table bootstrap of the churn curves, multinomial bootstrap of the mix,
   money lost and value per point with intervals), vectorised over replicates;
3. the same replicates computed in a plain Python loop, one replicate at a time
   (``bootstrap_survival(n_replicates=1)`` and the per-replicate arithmetic), on a
   subset of ``--loop`` replicates, scaled to time per replicate.

It prints the time per replicate of both and their ratio (target ≥ 20×), the time of
the resampling draws alone (a floor for any exact bootstrap, so a ceiling for the
ratio), and checks that the loop's money-lost replicates have the same spread as the
vectorised ones.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from cx_economics.assumptions import Assumptions
from cx_economics.bands import BAND_ORDER
from cx_economics.datasets import simulate
from cx_economics.economics import annuity_months, economics_from_tables
from cx_economics.exceptions import CxAssumptionWarning
from cx_economics.margins import margin_by_band
from cx_economics.survival.bootstrap import bootstrap_survival, resample_life_table
from cx_economics.survival.fit import fit_churn
from cx_economics.tables.life import life_table
from cx_economics.tables.nps_counts import nps_counts


def loop_money_lost(table, curves, econ, band_counts, a, n_loop, seed):  # type: ignore[no-untyped-def]
    """Money lost per replicate, one at a time (the baseline; curves fitted once)."""
    horizon = a.horizon_months
    margins = margin_by_band(table, assumptions=a)
    keys = [(b.value, ch) for ch in econ.channels for b in BAND_ORDER]
    rows = [curves.groups.index(k) for k in keys]
    margin = margins.monthly_margin[[margins.groups.index(k) for k in keys]]
    disc = annuity_months(a.monthly_discount_rate, horizon)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_loop):
        surv = bootstrap_survival(
            table, n_replicates=1, horizon_months=horizon, seed=rng, tail=curves
        )[0, rows, 1 : horizon + 1]
        values = (surv * margin[:, None] * disc).sum(axis=1).reshape(len(econ.channels), 3)
        lost = []
        for c in range(len(econ.channels)):
            n_c = band_counts[c].sum()
            counts = rng.multinomial(n_c, band_counts[c] / n_c)
            shares = counts / counts.sum()
            nps = 100 * (shares[2] - shares[0])
            target = max(econ.excellent_nps[c], nps)
            better = econ.mix_shift.shares_at(shares, target)
            lost.append(econ.customers[c] * float((better - shares) @ values[c]))
        out.append(lost)
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--loop", type=int, default=50, help="replicates timed in the loop")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore", CxAssumptionWarning)

    t0 = time.perf_counter()
    sim = simulate(args.n, seed=args.seed)
    t_sim = time.perf_counter() - t0
    a = Assumptions(
        n_bootstrap=args.replicates,
        excellent_nps={"phone": 30.0, "branch": 45.0, "chat": 25.0, "web": 30.0},
    )
    t0 = time.perf_counter()
    table = life_table(sim.customers, sim.responses, by=("band", "channel"))
    counts = nps_counts(sim.responses, by="channel")
    active = sim.customers.loc[~sim.customers["churned"], "channel"].value_counts()
    t_agg = time.perf_counter() - t0

    t0 = time.perf_counter()
    econ = economics_from_tables(
        table, counts, {str(k): float(v) for k, v in active.items()}, assumptions=a, seed=1
    )
    frame = econ.to_frame()
    t_vec = time.perf_counter() - t0

    idx = [counts.groups.index((ch,)) for ch in econ.channels]
    band_counts = np.column_stack(
        [counts.detractors[idx], counts.passives[idx], counts.promoters[idx]]
    ).astype(np.int64)
    t0 = time.perf_counter()
    curves = fit_churn(table, model="auto", by=("band", "channel"), horizon_months=a.horizon_months)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    loop = loop_money_lost(table, curves, econ, band_counts, a, args.loop, seed=2)
    t_loop = time.perf_counter() - t0

    per_vec = max(t_vec - t_fit, 1e-9) / args.replicates
    per_loop = t_loop / args.loop
    print(f"customers: {args.n:,}  (simulated in {t_sim:.1f} s)")
    print(f"aggregation (life table + NPS counts): {t_agg:.2f} s")
    print(
        f"channel economics, {args.replicates} replicates vectorised: {t_vec:.2f} s "
        f"({per_vec * 1e3:.2f} ms per replicate once the {t_fit:.2f} s curve fit, "
        "which the loop also does once, is subtracted)"
    )
    print(
        f"plain Python loop, {args.loop} replicates: {t_loop:.2f} s "
        f"({per_loop * 1e3:.2f} ms per replicate)"
    )
    print(f"speed-up from vectorising: {per_loop / per_vec:.0f}x (target >= 20x)")
    # detail: the multinomial draws alone, which any exact bootstrap must make
    priced = [(band.value, ch) for ch in econ.channels for band in BAND_ORDER]
    t0 = time.perf_counter()
    resample_life_table(table, n_replicates=args.replicates, seed=1, groups=priced)
    per_draw = (time.perf_counter() - t0) / args.replicates
    print(
        f"of which resampling draws alone: {per_draw * 1e3:.3f} ms per replicate "
        f"(the speed-up cannot exceed {per_loop / per_draw:.0f}x against this loop)"
    )
    body = frame.iloc[:-1].set_index("channel")
    width_vec = (body["money_lost_upper"] - body["money_lost_lower"]).to_numpy()
    sd_loop = loop.std(axis=0, ddof=1)
    print(
        "money lost 95% width / (2 x 1.96 x loop sd), per channel "
        f"(≈1 when both agree): {np.round(width_vec / (2 * 1.96 * sd_loop), 2).tolist()}"
    )


if __name__ == "__main__":
    main()
