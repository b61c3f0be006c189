"""Contact drivers on the demo base: which reasons cost money, and which fixes pay.

Prints, for the 50,000 demo customers:

1. contact rates per reason (per 1,000 customers per month) with intervals and the
   reliability verdict — "address change" is mostly a secondary tag, and too thin for
   a change to be detected;
2. the churn hazard ratio after a contact, beside the naive "ever contacted" ratio
   that immortal-time bias makes look protective;
3. money per reason per year (failure demand + churn value) with intervals;
4. the ranked levers: first as a scenario (halve each reason; what could a fix cost?),
   then for three costed fixes (fund / uncertain / do not fund).

Lifetime values come from ``cx_economics.value.lifetime.value_by_band``; if that is not
available in this checkout, a constant-hazard value per band is computed here from
the same data and the fact is printed.

Run: .venv/bin/python examples/contact_drivers.py
"""

from __future__ import annotations

import pandas as pd

from cx_economics.core.bands import DEFAULT_SCHEME
from cx_economics.core.exceptions import CxError
from cx_economics.core.finance import annuity_factor
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.datasets import load_demo
from cx_economics.drivers import Fix, contact_churn_link, contact_driver_analysis, fix_returns

ASSUMPTIONS = Assumptions(
    currency="EUR",
    annual_discount_rate=0.08,
    horizon_months=36,
    margin_rate=0.35,
    cost_per_contact={"phone": 6.5, "branch": 12.0, "chat": 3.5, "web": 1.2},
    n_bootstrap=1000,
)

# Illustrative proposals: a billing-system fix with a running cost, a case-status
# tracker, and a self-service password reset.
FIXES = {
    "billing error": Fix(cost=150_000, reduction=0.4, annual_running_cost=20_000),
    "case status": Fix(cost=40_000, reduction=0.5),
    "password reset": Fix(cost=60_000, reduction=0.6),
}


def simple_lifetime_values(customers: pd.DataFrame, responses: pd.DataFrame) -> dict[str, float]:
    """Constant monthly hazard and mean margin per band (latest answer), discounted."""
    latest = responses.sort_values("response_date").groupby("customer_id")["score"].last()
    band = pd.Series(DEFAULT_SCHEME.bands(latest.to_numpy()), index=latest.index)
    band = band.reindex(customers["customer_id"]).fillna("unrated").to_numpy()
    frame = customers.assign(band=band)
    per_band = frame.groupby("band").agg(
        churners=("churned", "sum"),
        months=("tenure_months", "sum"),
        revenue=("monthly_revenue", "mean"),
    )
    hazard = per_band["churners"] / per_band["months"]
    margin = per_band["revenue"] * ASSUMPTIONS.margin_rate
    i = ASSUMPTIONS.monthly_discount_rate
    values = {}
    for name in per_band.index:
        # monthly margin while retained: sum_m m * (1 - h)^m / (1 + i)^m, m = 1..H
        q = (1 - hazard[name]) / (1 + i)
        n = ASSUMPTIONS.horizon_months
        values[str(name)] = float(margin[name] * q * (1 - q**n) / (1 - q))
    return values


def lifetime_values(customers: pd.DataFrame, responses: pd.DataFrame) -> dict[str, float] | None:
    """``None`` (the library's default path) when value_by_band works, else a fallback."""
    try:
        from cx_economics.value.lifetime import value_by_band

        value_by_band(customers, responses, ASSUMPTIONS, n_bootstrap=50)
        print("Lifetime values: cx_economics.value.lifetime.value_by_band\n")
        return None
    except (ImportError, CxError) as exc:
        print(f"Lifetime values: value_by_band unavailable here ({type(exc).__name__}); using")
        print("a constant-hazard value per band from the same data.\n")
        return simple_lifetime_values(customers, responses)


def main() -> None:
    pd.set_option("display.width", 160)
    demo = load_demo()
    values = lifetime_values(demo.customers, demo.responses)
    report = contact_driver_analysis(
        demo.customers,
        demo.contacts,
        demo.responses,
        assumptions=ASSUMPTIONS,
        lifetime_value=values,
        seed=1,
    )

    rates = report.rates.table
    print("Contacts per 1,000 customers per month (95 % intervals):")
    cols = ["reason", "contacts", "rate_per_1000", "lower", "upper"]
    print(
        rates[[*cols, "first_listed_rate_per_1000", "verdict", "rank"]]
        .round(2)
        .to_string(index=False)
    )
    for note in report.rates._notes():
        print("  note:", note)

    naive = contact_churn_link(
        demo.customers, demo.contacts, demo.responses, exposure="ever-contacted"
    ).table.set_index("reason")["hazard_ratio"]
    link = report.churn.table.set_index("reason")
    link["naive_ever_contacted"] = naive
    print("\nChurn hazard ratio after a contact (time-varying flag) vs the naive flag:")
    print(link[["hazard_ratio", "lower", "upper", "naive_ever_contacted"]].round(2).to_string())

    money = report.money.table
    print("\nMoney per reason per year, EUR (failure demand + churn value, 95 % intervals):")
    cols = ["reason", "failure_cost", "churn_value", "total", "lower", "upper", "verdict"]
    print(money[cols].round(0).to_string(index=False))

    print("\nRanked levers, scenario: halve each reason's contacts (no cost given):")
    for line in report.top_levers(5)["headline"]:
        print("  -", line)

    costed = fix_returns(report.money, FIXES, assumptions=ASSUMPTIONS)
    factor = annuity_factor(ASSUMPTIONS.monthly_discount_rate, ASSUMPTIONS.horizon_months)
    print(
        f"\nCosted fixes over {ASSUMPTIONS.horizon_months} months "
        f"(1 EUR a month is worth {factor:.1f} EUR today):"
    )
    cols = [
        "rank",
        "reason",
        "fix_cost",
        "npv",
        "npv_lower",
        "npv_upper",
        "payback_months",
        "roi",
        "decision",
    ]
    print(costed.table[cols].round(2).to_string(index=False))
    for line in costed.top(3)["headline"]:
        print("  -", line)


if __name__ == "__main__":
    main()
