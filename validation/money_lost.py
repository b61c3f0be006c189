"""Truth recovery of the value of an NPS point and of money lost, per channel and in total.

For each survey design of :func:`cx_economics.data.datasets.simulate` and many seeds, this
runs :func:`cx_economics.economics.channels.channel_economics` with the excellent level fixed
(NPS 50 in every channel) and prints the mean bias (%) and the 95 % interval coverage
of, per channel and in total:

* the value of one NPS point (currency per point);
* the money lost below excellence (currency, present value over 60 months).

The truth is :meth:`~cx_economics.data.datasets.SimulatedData.priced_truth`: the latent
bands of the customers active at the cut-off, their own tenures and the generating
model's exact curves (contacts included), never the library's estimates. Unrated
active customers are part of the truth with their latent band; the library has to
guess it from the rated customers of their channel and tenure class.

Run ``python validation/money_lost.py --seeds 40 --customers 40000`` (about 5 minutes
on 2 cores); ``tests/economics/test_economics.py`` runs a reduced version that can fail.
"""

from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.datasets import simulate
from cx_economics.economics.channels import channel_economics

DESIGNS = ("relationship", "tenure", "transactional")
EXCELLENT_NPS = 50.0
QUANTITIES = ("value_per_point", "money_lost")


def seed_rows(
    n_customers: int, seed: int, design: str, n_bootstrap: int, model: str = "auto"
) -> list[dict[str, object]]:
    """Estimates, intervals and truths of one simulated base."""
    sim = simulate(n_customers, seed=seed, survey=design)
    truth = sim.priced_truth(EXCELLENT_NPS).set_index("channel")
    assumptions = Assumptions(
        n_bootstrap=n_bootstrap,
        excellent_nps=dict.fromkeys(truth.index, EXCELLENT_NPS),
        margin_rate=sim.truth.margin_rate,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        frame = channel_economics(
            sim.customers,
            sim.responses,
            assumptions=assumptions,
            model=model,  # type: ignore[arg-type]
            seed=seed,
        ).to_frame()
    frame = frame.set_index("channel")
    rows: list[dict[str, object]] = []
    for quantity in QUANTITIES:
        for channel in [*truth.index, "total"]:
            true = float(
                truth[quantity].sum() if channel == "total" else truth.loc[channel, quantity]
            )
            lower = frame.loc[channel, f"{quantity}_lower"]
            rows.append(
                {
                    "design": design,
                    "quantity": quantity,
                    "channel": channel,
                    "seed": seed,
                    "truth": true,
                    "estimate": float(frame.loc[channel, quantity]),
                    "lower": float(lower),
                    "upper": float(frame.loc[channel, f"{quantity}_upper"]),
                }
            )
    return rows


def study(
    n_customers: int,
    seeds: int,
    designs: tuple[str, ...] = DESIGNS,
    n_bootstrap: int = 300,
    model: str = "auto",
    first_seed: int = 0,
) -> pd.DataFrame:
    """One row per design × quantity × channel × seed (``model``: the churn model).

    The designs share their seeds, hence the customers' lives: their errors are
    correlated, and a second set of seeds (``first_seed``) is the independent check.
    """
    rows = [
        row
        for design in designs
        for seed in range(first_seed, first_seed + seeds)
        for row in seed_rows(n_customers, seed, design, n_bootstrap, model)
    ]
    return pd.DataFrame(rows)


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean bias (% of the mean truth) and coverage per design × quantity × channel.

    The total value of a point has no interval in the table (it is the sum of the
    channels' values, each moving its own NPS by a point): its coverage is NaN.
    """
    rows = rows.assign(covered=(rows["lower"] <= rows["truth"]) & (rows["truth"] <= rows["upper"]))
    rows["covered"] = rows["covered"].astype(float).where(rows["lower"].notna())
    grouped = rows.groupby(["design", "quantity", "channel"], sort=False)
    out = grouped.agg(
        truth=("truth", "mean"),
        estimate=("estimate", "mean"),
        coverage=("covered", "mean"),
        seeds=("seed", "nunique"),
    ).reset_index()
    out["bias"] = 100.0 * (out["estimate"] / out["truth"] - 1.0)
    return out[["design", "quantity", "channel", "seeds", "truth", "estimate", "bias", "coverage"]]


def main() -> None:
    """Run the study and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=40_000)
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--designs", nargs="*", default=list(DESIGNS), choices=DESIGNS)
    parser.add_argument("--model", default="auto", help="churn model of fit_churn")
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    rows = study(
        args.customers,
        args.seeds,
        tuple(args.designs),
        model=args.model,
        first_seed=args.first_seed,
    )
    table = summarise(rows)
    print(table.round({"truth": 0, "estimate": 0, "bias": 2, "coverage": 3}).to_string(index=False))
    print(
        f"\n{args.seeds} seeds × {len(args.designs)} designs at {args.customers:,} customers "
        f"in {time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
