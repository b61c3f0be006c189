"""Channel economics on the demo base: money lost below excellent CX, per channel.

Prints, for the four demo channels (phone, branch, chat, web), today's NPS, the
excellent level (best quartile of each channel's teams), what one more NPS point is
worth, the money lost below excellence per year, the yearly cost of getting there and
the net value — all in EUR, with 95 % bootstrap intervals.

Saves ``money_lost.png`` and ``nps_by_channel.png`` under ``--out`` (a temp folder if
not given).

Run: .venv/bin/python examples/channel_economics.py --out economics-plots
"""

from __future__ import annotations

import pandas as pd
from _output import output_dir

import cx_economics as cx
from cx_economics.economics.channels import channel_economics
from cx_economics.presentation.formatting import format_money
from cx_economics.presentation.plots import plot_money_lost, plot_nps


def main() -> None:
    out = output_dir(__doc__ or "")
    pd.set_option("display.width", 200)
    demo = cx.load_demo()

    economics = channel_economics(demo.customers, demo.responses, channel_costs=demo.channel_costs)
    frame = economics.to_frame()
    print("Channel economics, EUR (money lost is per year, 95 % intervals):")
    cols = [
        "channel",
        "customers",
        "nps",
        "excellent_nps",
        "value_per_point",
        "money_lost_yearly_equivalent",
        "money_lost_yearly_equivalent_lower",
        "money_lost_yearly_equivalent_upper",
        "cost_of_excellence",
        "net_value",
    ]
    print(frame[cols].round(1).to_string(index=False))
    total = frame.set_index("channel").loc["total"]
    per_year = format_money(total["money_lost_yearly_equivalent"])
    print(
        f"\nTotal money lost below excellent CX: {per_year} a year "
        f"(level yearly equivalent of {format_money(total['money_lost'])} over "
        f"{economics.horizon_months} months)"
    )

    plot_money_lost(economics, per_year=True).savefig(out / "money_lost.png", dpi=100)
    plot_nps(cx.nps(demo.responses, by="channel")).savefig(out / "nps_by_channel.png", dpi=100)
    print(f"Plots written to {out}")


if __name__ == "__main__":
    main()
