"""Truth recovery of churn by NPS band under realistic survey designs.

For each survey design of :func:`cx_economics.data.datasets.simulate` (yearly relationship
survey of active customers, transactional surveys after contacts, a propensity that
rises with tenure) and many seeds, this prints the mean bias and the 95 % interval
coverage of:

* Kaplan–Meier survival per band at 12, 24 and 36 months (delayed entry), against the
  exact survival of the generating model (a Markov chain over contact histories,
  averaged over channels with the simulated customers' band-by-channel mix);
* the lifetime value per band over 36 months (margin from the table's revenue, the
  simulated margin rate), against the same sum over the true survival;
* the detractor and passive hazard ratios against promoters within channel
  (``by=("band", "channel")``, discrete-time cloglog), against the generating model's
  population-average ratio (contacts, not in the model, make it drift with tenure; see
  :func:`true_marginal_hr`).

The truth never comes from the library's estimates. The join-date analysis
(``band_rule="latest"``) is printed beside it for comparison.

Run ``python validation/band_churn.py --seeds 20 --customers 30000`` (about 10 minutes
on 2 cores); ``tests/tables/test_band_timing.py`` runs a reduced version that can fail.
"""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning
from cx_economics.data.datasets import SimulatedData, SurveyDesign, simulate
from cx_economics.survival.hazards import hazard_ratios
from cx_economics.survival.km import kaplan_meier
from cx_economics.tables.life import LifeTable, life_table

BANDS = ("detractor", "passive", "promoter")
MONTHS = (12, 24, 36)
HORIZON = 36
DISCOUNT = 0.08
DESIGNS = ("relationship", "transactional", "tenure")
#: The relationship design as the issue measured it: a yearly wave, 30 % answering.
SURVEYS = {"relationship": SurveyDesign("relationship", 0.3, 12)}


@dataclass(frozen=True)
class Row:
    """One estimate against its truth."""

    design: str
    analysis: str
    quantity: str
    truth: float
    estimate: float
    lower: float
    upper: float


def true_survival(sim: SimulatedData, band: str) -> np.ndarray:
    """Survival from joining for ``band``, averaged over channels by the band's mix."""
    customers = sim.customers.set_index("customer_id")
    in_band = sim.latent_band == band
    mix = customers.loc[in_band[in_band].index, "channel"].value_counts(normalize=True)
    return sum(
        share * sim.truth.survival(band, str(channel), HORIZON) for channel, share in mix.items()
    )


def discounted_sum(survival: np.ndarray, monthly_margin: float) -> float:
    """``sum_{t=1..H} m S(t) / (1 + i)^t`` with the monthly rate of ``DISCOUNT``."""
    i = (1 + DISCOUNT) ** (1 / 12) - 1
    t = np.arange(1, HORIZON + 1)
    return float(monthly_margin * (survival[1:] / (1 + i) ** t).sum())


def km_rows(sim: SimulatedData, design: str, rule: str) -> list[Row]:
    """KM survival and 36-month value per band against the truth."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        table = life_table(sim.customers, sim.responses, band_rule=rule, as_of=sim.as_of)
    curves = kaplan_meier(table, horizon_months=HORIZON)
    cells = table.frame
    rows = []
    for band in BANDS:
        g = curves.index_of(band)
        truth = true_survival(sim, band)
        for m in MONTHS:
            rows.append(
                Row(design, rule, f"S_{band}({m})", float(truth[m]),
                    float(curves.survival[g, m]), float(curves.lower[g, m]),
                    float(curves.upper[g, m]))
            )  # fmt: skip
        mine = cells[cells["band"] == band]
        revenue = float(mine["revenue_sum"].sum() / mine["customers"].sum())
        margin = revenue * sim.truth.margin_rate
        value = discounted_sum(curves.survival[g], margin)
        true_value = discounted_sum(truth, sim.truth.monthly_margin(band))
        rows.append(Row(design, rule, f"value_{band}", true_value, value, np.nan, np.nan))
    return rows


def true_marginal_hr(sim: SimulatedData, table: LifeTable, band: str) -> float:
    """The generating model's population-average hazard ratio, as a PH fit summarises it.

    Contacts raise churn and are not in the band model, so the ratio of the bands'
    monthly hazards drifts with tenure. Per channel and month it comes from the exact
    survival of the generating model; the months are weighted by the churners of the
    two bands in that channel and month (counts of the data, no estimate).
    """
    risk = table.risk_sets()
    months = risk.churned.shape[1] - 1
    total, weight = 0.0, 0.0
    for channel in sim.truth.channels:
        hazard = {}
        for b in (band, "promoter"):
            s = sim.truth.survival(b, channel, months)
            hazard[b] = -np.log(s[1:] / s[:-1])
        events = sum(risk.churned[risk.groups.index((b, channel)), 1:] for b in (band, "promoter"))
        total += float(events @ np.log(hazard[band] / hazard["promoter"]))
        weight += float(events.sum())
    return float(np.exp(total / weight))


def hr_rows(sim: SimulatedData, design: str, rule: str) -> list[Row]:
    """Detractor and passive hazard ratios within channel against the generating ones."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        table = life_table(
            sim.customers, sim.responses, by=("band", "channel"), band_rule=rule, as_of=sim.as_of
        )
    terms = hazard_ratios(table).terms.set_index("term")
    return [
        Row(design, rule, f"HR_{band}", true_marginal_hr(sim, table, band),
            float(terms.loc[f"band={band}", "hazard_ratio"]),
            float(terms.loc[f"band={band}", "lower"]), float(terms.loc[f"band={band}", "upper"]))
        for band in ("detractor", "passive")
    ]  # fmt: skip


def study(
    n_customers: int, seeds: int, designs: tuple[str, ...] = DESIGNS, join_date: bool = True
) -> pd.DataFrame:
    """All rows of every design × seed × analysis."""
    rows: list[Row] = []
    rules = ("state", "latest") if join_date else ("state",)
    for design in designs:
        for seed in range(seeds):
            sim = simulate(n_customers, survey=SURVEYS.get(design, design), seed=seed)
            for rule in rules:
                rows += km_rows(sim, design, rule) + hr_rows(sim, design, rule)
    return pd.DataFrame([r.__dict__ for r in rows])


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean bias (points for survival, % for values and ratios) and interval coverage."""
    survival = rows["quantity"].str.startswith("S_")
    bias = np.where(
        survival,
        100 * (rows["estimate"] - rows["truth"]),
        100 * (rows["estimate"] / rows["truth"] - 1),
    )
    covered = (rows["lower"] <= rows["truth"]) & (rows["truth"] <= rows["upper"])
    frame = rows.assign(
        bias=bias,
        unit=np.where(survival, "pp", "%"),
        covered=covered.where(rows["lower"].notna()),
    )
    return (
        frame.groupby(["design", "analysis", "quantity", "unit"], sort=False)
        .agg(truth=("truth", "mean"), bias=("bias", "mean"), coverage=("covered", "mean"))
        .reset_index()
    )


def plot_join_date_against_state(path: str, n_customers: int = 60_000, seed: int = 1) -> None:
    """Draw the picture of ``docs/concepts.md``: both analyses against the truth."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sim = simulate(n_customers, survey=SURVEYS["relationship"], seed=seed)
    fig, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    colours = {"detractor": "#c0392b", "promoter": "#1e8449"}
    for rule, style, label in (("latest", ":", "join date (latest answer)"),
                               ("state", "-", "band from the answer on")):  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CxAssumptionWarning)
            table = life_table(sim.customers, sim.responses, band_rule=rule, as_of=sim.as_of)
        curves = kaplan_meier(table, horizon_months=HORIZON)
        for band, colour in colours.items():
            ax.plot(curves.months, curves.survival[curves.index_of(band)], style, color=colour,
                    lw=2, label=f"{band}: {label}")  # fmt: skip
    for band, colour in colours.items():
        ax.plot(range(HORIZON + 1), true_survival(sim, band), "o", ms=3, color=colour,
                label=f"{band}: truth")  # fmt: skip
    ax.set(xlabel="months since joining", ylabel="share still a customer", ylim=(0, 1.02),
           title="A yearly survey, 30 % answering: the join-date curves are too high")  # fmt: skip
    ax.legend(fontsize=8, ncols=2, loc="lower left")
    fig.savefig(path, dpi=110)


def main() -> None:
    """Run the study and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=30_000)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--plot", help="write the concepts page's picture to this PNG instead")
    args = parser.parse_args()
    if args.plot:
        plot_join_date_against_state(args.plot)
        return
    started = time.perf_counter()
    table = summarise(study(args.customers, args.seeds))
    pd.set_option("display.width", 140)
    print(table.round(3).to_string(index=False))
    print(f"\n{args.seeds} seeds × {len(DESIGNS)} designs at {args.customers:,} customers "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
