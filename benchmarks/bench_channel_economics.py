"""Channel economics with bootstrap intervals: vectorised replicates vs a Python loop.

Usage::

    .venv/bin/python benchmarks/bench_channel_economics.py --n 1000000 --replicates 1000

On ``n`` simulated customers it times, in one run:

1. the aggregation (the life table by band × channel) — the only pass over raw rows;
2. the full channel economics table with ``replicates`` bootstrap replicates
   (life-table bootstrap of the churn curves, residual values over the active
   customers' tenures, bootstrap of today's mix, money lost and value per point with
   intervals), vectorised over replicates;
3. the same replicates computed in a plain Python loop, one replicate at a time
   (one resampled table, its retention factors, a loop over tenures and bands), on a
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

from cx_economics.core.bands import BAND_ORDER
from cx_economics.core.exceptions import CxAssumptionWarning
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.datasets import simulate
from cx_economics.economics.channels import economics_from_tables
from cx_economics.survival.bootstrap import replicate_retention, resample_life_table
from cx_economics.survival.fit import fit_churn
from cx_economics.tables.life import life_table
from cx_economics.value.active import active_base, active_mix
from cx_economics.value.margins import margin_by_band


def loop_money_lost(table, curves, econ, a, n_loop, seed):  # type: ignore[no-untyped-def]
    """Money lost per replicate, one at a time (the baseline; curves fitted once).

    Each replicate: one resampled life table, its retention factors, the residual
    flows over the active customers' tenures, one draw of today's mix (rated
    customers resampled, unrated drawn from them) and its move to excellence.
    """
    horizon = a.horizon_months
    base = active_base(table)
    margins = margin_by_band(table, assumptions=a)
    keys = [(b.value, ch) for ch in econ.channels for b in BAND_ORDER]
    margin = margins.monthly_margin[[margins.groups.index(k) for k in keys]]
    months = int(base.tenure_months.max()) + horizon
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_loop):
        counts = resample_life_table(table, n_replicates=1, seed=rng, groups=keys)
        factors = replicate_retention(
            table, counts, horizon_months=months, tail=curves, groups=keys
        )[0]
        lost = []
        for c, ch in enumerate(econ.channels):
            mine = base.channel_index == c
            weight = base.customers[mine] / base.customers[mine].sum()
            values = np.zeros(3)
            for b in range(3):
                f = factors[keys.index((BAND_ORDER[b].value, ch))]
                for age, w in zip(base.tenure_months[mine], weight, strict=True):
                    stay = np.cumprod(f[age + 1 : age + horizon + 1])
                    disc = (1 + a.monthly_discount_rate) ** -np.arange(1, horizon + 1)
                    values[b] += w * margin[3 * c + b] * float(stay @ disc)
            shares = active_mix(base.rated[c : c + 1], base.unrated[c : c + 1], 1, rng)[1][0, 0]
            nps = 100 * (shares[2] - shares[0])
            target = max(econ.excellent_nps[c], nps)
            better = econ.mix_shift.shares_at(shares, target)
            lost.append(econ.customers[c] * float((better - shares) @ values))
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
    t_agg = time.perf_counter() - t0

    t0 = time.perf_counter()
    econ = economics_from_tables(table, assumptions=a, seed=1)
    frame = econ.to_frame()
    t_vec = time.perf_counter() - t0

    t0 = time.perf_counter()
    longest = int(active_base(table).tenure_months.max())
    curves = fit_churn(
        table, model="auto", by=("band", "channel"), horizon_months=longest + a.horizon_months
    )
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    loop = loop_money_lost(table, curves, econ, a, args.loop, seed=2)
    t_loop = time.perf_counter() - t0

    per_vec = max(t_vec - t_fit, 1e-9) / args.replicates
    per_loop = t_loop / args.loop
    print(f"customers: {args.n:,}  (simulated in {t_sim:.1f} s)")
    print(f"aggregation (life table): {t_agg:.2f} s")
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
