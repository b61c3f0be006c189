"""Churn by NPS band on the demo base: curves, hazard ratios, lifetime values, two plots.

Prints, for the 50,000 demo customers:

1. the share of each band churned by month 3, 6, 12 and 24, and the median tenure
   (Kaplan–Meier where the data reach, a parametric tail beyond);
2. how many times faster detractors, passives and unrated customers churn than
   promoters (discrete-time proportional hazards on the life table);
3. the lifetime value of one customer per band, in EUR, with bootstrap intervals.

Saves ``churn_curves.png`` and ``hazard_ratios.png`` under ``--out`` (a temp folder if
not given) with :mod:`cx_economics.presentation.plots`.

Run: .venv/bin/python examples/churn_by_band.py --out churn-plots
"""

from __future__ import annotations

import pandas as pd
from _output import output_dir

import cx_economics as cx


def main() -> None:
    out = output_dir(__doc__ or "")
    pd.set_option("display.width", 160)
    demo = cx.load_demo()

    table = cx.life_table(demo.customers, demo.responses)
    curves = cx.fit_churn(demo.customers, demo.responses)
    churn = cx.survival.km_summary(curves).to_frame()
    by_month = churn[churn["measure"] == "churn_by_month"].pivot(
        index="band", columns="month", values="value"
    )
    print("Share churned by month (fraction of the band's customers):")
    print(by_month.round(3).to_string())
    medians = churn[churn["measure"] == "median_tenure"].set_index("band")["value"]
    print("\nMedian tenure, months:", medians.round(0).to_dict())

    hazards = cx.hazard_ratios(table)
    print("\nHazard ratio against promoters (95 % interval):")
    cols = ["category", "hazard_ratio", "lower", "upper"]
    print(hazards.to_frame()[cols].round(2).to_string(index=False))

    values = cx.value_by_band(demo.customers, demo.responses, n_bootstrap=200, seed=1)
    print("\nLifetime value per customer, EUR over 60 months (95 % interval):")
    cols = ["band", "value", "lower", "upper", "monthly_margin", "extrapolated_share"]
    print(values.to_frame()[cols].round(2).to_string(index=False))

    cx.presentation.plots.plot_churn_curves(curves, life_table=table).savefig(
        out / "churn_curves.png", dpi=100
    )
    cx.presentation.plots.plot_hazard_ratios(hazards).savefig(out / "hazard_ratios.png", dpi=100)
    print(f"\nPlots written to {out}")


if __name__ == "__main__":
    main()
