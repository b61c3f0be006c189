"""Value-based NPS targets on the demo base, beside the naive "+25 % on last year" rule.

Run::

    .venv/bin/python examples/value_based_targets.py            # the demo's true curves
    .venv/bin/python examples/value_based_targets.py --estimated  # curves estimated from data

By default the channel economics are built from the demo's *true* value and cost
curves (churn curves, margins and cost curves of ``load_demo().truth``), priced on
the active customers' latent bands and tenures
(:meth:`~cx_economics.data.datasets.SimulatedData.true_band_flows`), so every number below
follows from the stated truth. ``--estimated`` uses the end-to-end builder
:func:`cx_economics.economics.channels.channel_economics` instead (curves and intervals
estimated from the demo tables).
"""

from __future__ import annotations

import sys

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.data.datasets import SimulatedData, SimulationTruth, load_demo
from cx_economics.economics.channels import ChannelEconomics, economics_from_arrays
from cx_economics.targets.budget import allocate_budget
from cx_economics.targets.cascade import achievability_frontier, cascade_targets, standing
from cx_economics.targets.naive import compare_targets
from cx_economics.targets.value_based import value_based_targets

BANDS = ("detractor", "passive", "promoter")
HORIZON_MONTHS = 60
ANNUAL_DISCOUNT_RATE = 0.08


class TrueCost:
    """The simulator's cost curve: ``cost(x) = cost_today · exp((x − nps_true) / slope)``."""

    def __init__(self, truth: SimulationTruth, channel: str) -> None:
        self.today = truth.annual_cost_today[channel]
        self.nps = truth.nps(channel)
        self.slope = truth.cost_slope[channel]

    def cost_at(self, nps: npt.ArrayLike) -> npt.NDArray[np.float64]:
        level = np.asarray(nps, dtype=np.float64)
        out: npt.NDArray[np.float64] = self.today * np.exp((level - self.nps) / self.slope)
        return out


def economics_from_truth(demo: SimulatedData) -> ChannelEconomics:
    """Channel economics from the demo's true curves and its active customers' true mix."""
    truth = demo.truth
    channels, counts, flows = demo.true_band_flows(
        annual_discount_rate=ANNUAL_DISCOUNT_RATE, horizon_months=HORIZON_MONTHS
    )
    i = (1 + ANNUAL_DISCOUNT_RATE) ** (1 / 12) - 1
    # targets are judged on the survey: the answers of the last 12 months per channel
    recent = demo.responses["response_date"] > demo.as_of - pd.DateOffset(months=12)
    answers = demo.responses.loc[recent, "channel"].value_counts()
    return economics_from_arrays(
        channels,
        counts.sum(axis=1).astype(np.float64),
        counts,
        flows,
        excellent_nps=[40.0] * len(channels),
        monthly_discount_rate=i,
        cost_models={ch: TrueCost(truth, ch) for ch in channels},
        survey_responses=answers.reindex(list(channels)).to_numpy(np.float64),
        seed=1,
    )


def estimated_economics(demo: SimulatedData) -> ChannelEconomics:
    """Channel economics estimated end to end from the demo tables."""
    from cx_economics.data.assumptions import Assumptions
    from cx_economics.economics.channels import channel_economics

    return channel_economics(
        demo.customers,
        demo.responses,
        channel_costs=demo.channel_costs,
        assumptions=Assumptions(margin_rate=demo.truth.margin_rate),
        seed=1,
    )


def show(title: str, frame: pd.DataFrame, columns: list[str]) -> None:
    print(f"\n{title}\n{'-' * len(title)}")
    print(frame[columns].to_string(index=False, float_format=lambda x: f"{x:,.2f}"))


def main(estimated: bool = False) -> None:
    demo = load_demo()
    econ = estimated_economics(demo) if estimated else economics_from_truth(demo)
    print(f"channel economics: {'estimated from the demo tables' if estimated else 'true curves'}")
    frontier = achievability_frontier(demo.responses)
    targets = value_based_targets(econ, frontier=frontier)
    show(
        "Value-based targets (profit-maximising)",
        targets.to_frame(),
        [
            "channel",
            "nps_today",
            "target",
            "target_lower",
            "target_upper",
            "extra_cost_per_year",
            "value_gain",
            "net_value",
            "roi",
            "payback_months",
            "binding",
            "frontier",
        ],
    )
    comparison = compare_targets(econ, value_targets=targets)
    columns = [
        "channel",
        "rule",
        "nps_today",
        "target",
        "extra_cost_per_year",
        "value_gain",
        "net_value",
        "net_value_vs_value_based",
        "undetectable",
    ]
    show("+25 % on this year's NPS versus value-based", comparison.to_frame(), columns)
    for note in comparison._notes():
        print("note:", note)
    seed_case = compare_targets(econ, value_targets=targets, last_year=25.0)
    show(
        "The seed's rule: last year 25, target 31.25 in every channel",
        seed_case.to_frame(),
        columns,
    )
    for note in seed_case._notes():
        print("note:", note)
    plan = allocate_budget(econ, 100_000.0)
    show(
        "A yearly CX budget of 100,000 split across channels",
        plan.to_frame(),
        [
            "channel",
            "spend_per_year",
            "nps_today",
            "nps_target",
            "value_gain",
            "net_value",
            "marginal_return",
            "binding",
        ],
    )
    print("note:", plan._notes()[1])
    cascade = cascade_targets(demo.responses, targets, as_of="2024-12-31")
    today = standing(demo.responses, cascade, unit="team", period="Q", as_of="2025-11-15")
    web = today.to_frame().query("channel == 'web'")
    show(
        "Where the web teams stand on 15 November 2025 (quarter to date)",
        web,
        [
            "team",
            "responses",
            "nps",
            "nps_lower",
            "nps_upper",
            "target",
            "expected_remaining",
            "promoters_needed",
            "reliable",
        ],
    )


if __name__ == "__main__":
    main(estimated="--estimated" in sys.argv[1:])
