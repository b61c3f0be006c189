"""Is it the experience? Crude and adjusted churn, money and E-values on a planted confounder.

A simulated base of 30,000 customers where 30 % are on a budget plan that makes them
both more critical (more detractors) and 1.8 times as quick to leave, whatever their
band: the plan is the confounder, recorded in the customers' ``segment`` column.
Contacts are off, so the generating model's band ratio is the truth to recover.

Prints:

1. the detractors' hazard ratio against promoters: the truth, crude (by channel) and
   adjusted for the plan;
2. each band's 24-month churn: the truth standardised over the plan mix, the crude
   Kaplan–Meier curve, the g-formula and the weighting route;
3. money lost below NPS 50 in every channel: the truth, crude and adjusted;
4. how strong an unmeasured confounder would have to be to explain the adjusted band
   effect away (E-values), and the money if one explained 25 % or 50 % of it.

Run: .venv/bin/python examples/is_it_the_experience.py (about 15 s)
"""

from __future__ import annotations

import math
import warnings

import cx_economics as cx
from cx_economics.data.datasets import PlantedConfounder, SimulationTruth, simulate
from cx_economics.economics.channels import channel_economics, confounding_sensitivity
from cx_economics.survival import (
    e_values,
    hazard_ratios,
    kaplan_meier,
    standardised_curves,
    weighted_curves,
)

TRUTH = SimulationTruth(reasons={}, confounder=PlantedConfounder())
BANDS = ("detractor", "passive", "promoter")


def true_churn(band: str, month: int) -> float:
    """Churn by ``month`` of ``band`` over the joining mix (plan share, channels uniform)."""
    plan = TRUTH.confounder
    assert plan is not None
    mix = ((plan.value, plan.share), ("standard", 1.0 - plan.share))
    stay = sum(
        share / len(TRUTH.channels) * math.exp(-month * TRUTH.hazard(band, ch, segment=s))
        for ch in TRUTH.channels
        for s, share in mix
    )
    return 1.0 - stay


def main() -> None:
    warnings.simplefilter("ignore", cx.CxAssumptionWarning)
    sim = simulate(30_000, truth=TRUTH, seed=11)
    by_channel = cx.life_table(sim.customers, sim.responses, by=("band", "channel"))
    by_plan = cx.life_table(sim.customers, sim.responses, by=("band", "channel", "segment"))

    crude = hazard_ratios(by_channel, include_unrated=False).ratio("detractor")
    adjusted = hazard_ratios(by_plan, include_unrated=False).ratio("detractor")
    print("1. Detractors' churn rate against promoters'")
    print(f"   truth within a plan      {TRUTH.hazard_ratio('detractor'):.2f}")
    print(f"   crude (by channel)       {crude.value:.2f} ({crude.lower:.2f}-{crude.upper:.2f})")
    print(
        f"   adjusted for the plan    {adjusted.value:.2f} "
        f"({adjusted.lower:.2f}-{adjusted.upper:.2f})"
    )

    km = kaplan_meier(cx.life_table(sim.customers, sim.responses))
    g = standardised_curves(by_plan, n_draws=500, seed=1)
    w = weighted_curves(by_plan, n_bootstrap=500, seed=1)
    print("\n2. Churn by month 24 (%)      truth   crude  g-formula  weighted")
    for band in BANDS:
        row = [100.0 * (1.0 - c.survival[c.groups.index((band,)), 24]) for c in (km, g, w)]
        print(
            f"   {band:<26} {100.0 * true_churn(band, 24):6.1f}  {row[0]:6.1f}"
            f"  {row[1]:9.1f}  {row[2]:8.1f}"
        )

    channels = sorted(sim.customers["channel"].unique())
    a = cx.Assumptions(
        excellent_nps=dict.fromkeys(channels, 50.0), n_bootstrap=200, margin_rate=TRUTH.margin_rate
    )
    truth = sim.priced_truth(50.0)["money_lost"].sum()
    print("\n3. Money lost below NPS 50, present value over 60 months (EUR)")
    print(f"   truth                    {truth:12,.0f}")
    for name, columns in (("crude", ()), ("adjusted for the plan", ("segment",))):
        econ = channel_economics(
            sim.customers, sim.responses, assumptions=a, adjust_for=columns, seed=1
        )
        total = econ.to_frame().set_index("channel").loc["total"]
        print(
            f"   {name:<24} {total['money_lost']:12,.0f}  "
            f"({total['money_lost_lower']:,.0f} - {total['money_lost_upper']:,.0f})"
        )

    robust = e_values(hazard_ratios(by_plan, include_unrated=False)).table
    detractor = robust[robust["category"] == "detractor"].iloc[0]
    print(
        "\n4. A confounder left out would need risk ratios of "
        f"{detractor['e_value']:.1f} with both band and churn to explain the detractors' "
        f"effect away ({detractor['e_value_limit']:.1f} to reach the interval's end)."
    )
    sensitivity = confounding_sensitivity(
        sim.customers, sim.responses, shares=(0.0, 0.25, 0.5), assumptions=a,
        adjust_for=("segment",), seed=1,
    )  # fmt: skip
    for row in sensitivity.itertuples():
        print(
            f"   if it explained {100 * row.confounded_share:3.0f} %: money lost "
            f"{row.money_lost:12,.0f} ({100 * row.share_of_estimate:.0f} % of the estimate)"
        )


if __name__ == "__main__":
    main()
