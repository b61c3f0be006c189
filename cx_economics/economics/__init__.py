"""Economics: the one "value of a mix", channel economics, cost curves and effort.

Channel economics prices money lost below excellence and the value of a point on
today's active customers; ``cx.economics.cost`` holds the cost curves.
"""

from cx_economics.economics import cost
from cx_economics.economics.channels import (
    ChannelEconomics,
    CostModel,
    channel_economics,
    economics_from_arrays,
    economics_from_tables,
)
from cx_economics.economics.effort import CustomerEffort, customer_effort
from cx_economics.economics.impact import MixShift, mix_at_nps, mix_gain

__all__ = [
    "ChannelEconomics",
    "CostModel",
    "CustomerEffort",
    "MixShift",
    "channel_economics",
    "cost",
    "customer_effort",
    "economics_from_arrays",
    "economics_from_tables",
    "mix_at_nps",
    "mix_gain",
]
