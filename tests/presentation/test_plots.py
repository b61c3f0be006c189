"""Charts draw exactly the numbers of their result, in the house style, without pyplot.

Independent checks: at-risk counts against a direct count of simulated customers (whose
band is known by construction); drawn values against the result's own arrays (the
chart must not transform them); greyscale separation of the band colours from the
BT.601 luma formula; the absence of pyplot in a fresh interpreter.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.lines import Line2D

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.datasets import simulate
from cx_economics.economics.channels import ChannelEconomics, economics_from_arrays
from cx_economics.presentation.formatting import format_money_compact, label
from cx_economics.presentation.plots import (
    at_risk_counts,
    plot_churn_at,
    plot_churn_curves,
    plot_drivers,
    plot_hazard_ratios,
    plot_lifetime_values,
    plot_money_lost,
    plot_nps,
    plot_targets,
)
from cx_economics.presentation.style import BAND_STYLES, band_style, grey_level, use_house_style
from cx_economics.scores import nps
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import life_table
from cx_economics.tables.nps_counts import NpsCounts
from cx_economics.value.lifetime import LifetimeValues

BANDS = ("detractor", "passive", "promoter")


def _curves(months: int = 49, observed: float = 36.0) -> ChurnCurves:
    grid = np.arange(months, dtype=np.float64)
    survival = np.exp(-np.outer([0.03, 0.018, 0.011], grid))
    return ChurnCurves(
        model="weibull",
        group_columns=("band",),
        groups=tuple((b,) for b in BANDS),
        months=grid,
        survival=survival,
        lower=survival * 0.95,
        upper=np.minimum(survival * 1.05, 1.0),
        observed_months=np.full(3, observed),
        n_customers=np.array([900, 1200, 1500]),
        n_churned=np.array([400, 300, 200]),
    )


def _pixels(figure: Figure) -> np.ndarray:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    return np.asarray(imread(buffer))


def test_no_matplotlib_at_import_and_no_pyplot_when_plotting() -> None:
    code = textwrap.dedent(
        """
        import sys
        import cx_economics, cx_economics.presentation.plots
        import cx_economics.presentation.report, cx_economics.presentation.cli
        assert "matplotlib" not in sys.modules, "matplotlib imported at import time"
        import numpy as np
        from cx_economics.survival.curves import ChurnCurves
        from cx_economics.presentation.plots import plot_churn_at
        m = np.arange(13.0); s = np.exp(-0.02 * m)[None, :]
        c = ChurnCurves("km", ("band",), (("promoter",),), m, s, s, s, np.array([12.0]),
                        np.array([10]), np.array([2]))
        plot_churn_at(c, 12).savefig(__import__("io").BytesIO(), format="png")
        assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_churn_curves_draw_the_survival_and_mark_extrapolation() -> None:
    curves = _curves()
    figure = plot_churn_curves(curves)
    ax = figure.axes[0]
    solid = [line for line in ax.get_lines() if line.get_linewidth() == 2.0]
    assert len(solid) == 3
    for line, row in zip(solid, curves.survival, strict=True):
        x = np.asarray(line.get_xdata(), dtype=np.float64)
        assert x.max() == 36.0  # observed part ends at the longest observed tenure
        np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=np.float64), row[: x.size])
    texts = [t.get_text() for t in ax.texts]
    assert any(label("extrapolated", "en") in t for t in texts)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Detractors (n = 900)", "Passives (n = 1,200)", "Promoters (n = 1,500)"]
    assert ax.get_ylabel() == "Customers still with us (%)"


def test_at_risk_counts_equal_a_direct_count_of_customers() -> None:
    sim = simulate(3_000, seed=11)
    table = life_table(sim.customers, sim.responses, as_of=sim.as_of)
    months = [0, 6, 12, 24, 36]
    counts = at_risk_counts(table, ["band"], months)
    # Every answer of a simulated customer lies in their latent band: a customer is
    # unrated up to the month of their first answer, then in that band (at risk in the
    # months from it on); the month of an answer is the floor of the tenure at it.
    customers = sim.customers.set_index("customer_id")
    first = sim.responses.groupby("customer_id")["response_date"].min()
    days = (first - customers.loc[first.index, "start_date"]).dt.days.to_numpy()
    entry = pd.Series(np.floor(np.round(days / 30.4375, 9)), index=first.index)
    tenure = customers["tenure_months"]
    exit_month = np.where(customers["churned"], np.maximum(np.ceil(tenure), 1), np.floor(tenure))
    exit_month = pd.Series(exit_month, index=customers.index)
    entry = entry[entry < exit_month[entry.index]]  # an answer in the last month starts nothing
    band = sim.latent_band.reindex(entry.index).to_numpy()
    rated_exit = exit_month[entry.index].to_numpy()
    unrated_end = exit_month.copy()
    unrated_end[entry.index] = entry
    unrated_end = unrated_end[unrated_end.index.difference(entry.index[entry == 0])]
    for row in counts.itertuples(index=False):
        for i, month in enumerate(months):
            if row.band == "unrated":
                expected = int((unrated_end >= month).sum())
            else:
                in_band = band == row.band
                at = entry.to_numpy() < max(month, 1)  # entered in month e: at risk after it
                expected = int((in_band & at & (rated_exit >= month)).sum())
            assert getattr(row, f"_{i + 1}") == expected


def test_at_risk_rows_are_printed_under_the_curves() -> None:
    sim = simulate(2_000, seed=5)
    table = life_table(sim.customers, sim.responses, as_of=sim.as_of)
    counts = at_risk_counts(table, ["band"], [0, 12])
    figure = plot_churn_curves(_curves(), life_table=table)
    texts = {t.get_text() for t in figure.axes[0].texts}
    detractors_at_0 = int(counts.loc[counts["band"] == "detractor", 0].item())
    assert f"{detractors_at_0:,}" in texts
    assert label("at_risk", "en") in texts


def test_churn_at_bars_are_one_minus_survival_with_interval() -> None:
    curves = _curves()
    figure = plot_churn_at(curves, 12, language="fi")
    ax = figure.axes[0]
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, 1.0 - curves.survival[:, 12])
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Arvostelijat",
        "Passiiviset",
        "Suosittelijat",
    ]
    assert [str(p.get_hatch() or "") for p in ax.patches] == [band_style(b).hatch for b in BANDS]


def test_nps_plot_ranks_reliable_groups_and_flags_small_ones() -> None:
    counts = NpsCounts.from_counts(
        detractors=[300, 100, 2],
        passives=[300, 200, 1],
        promoters=[400, 700, 3],
        groups=["phone", "branch", "kiosk"],
        group_columns=["channel"],
    )
    table = nps(counts, by="channel")
    figure = plot_nps(table)
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["branch", "phone", "kiosk"]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    faces = [line.get_markerfacecolor() for line in dots]
    assert faces[-1] == "white" and "white" not in faces[:-1]
    np.testing.assert_allclose([line.get_xdata()[0] for line in dots], [60.0, 10.0, 16.666667])
    assert any(label("small_sample", "en") in t.get_text() for t in ax.texts)


def test_money_lost_bars_are_the_economics_numbers() -> None:
    horizon = 24
    flows = np.broadcast_to(np.array([5.0, 6.0, 7.0])[:, None], (2, 3, horizon)).copy()
    economics = economics_from_arrays(
        ("phone", "web"),
        customers=[1000, 2000],
        band_counts=[[300, 300, 400], [200, 500, 300]],
        band_flows=flows,
        excellent_nps=[40.0, 40.0],
        monthly_discount_rate=0.005,
        n_bootstrap=200,
        seed=1,
    )
    frame = economics.to_frame()
    figure = plot_money_lost(economics)
    ax = figure.axes[0]
    widths = sorted(p.get_width() for p in ax.patches)
    expected = sorted(frame.loc[frame["channel"] != "total", "money_lost"])
    np.testing.assert_allclose(widths, expected)
    total = float(frame.loc[frame["channel"] == "total", "money_lost"].item())
    assert format_money_compact(total) in ax.get_title(loc="left")


def test_lifetime_values_bars_heights_and_units() -> None:
    values = LifetimeValues(
        group_columns=("band",),
        groups=tuple((b,) for b in BANDS),
        value=np.array([420.0, 610.0, 830.0]),
        lower=np.array([400.0, 590.0, 800.0]),
        upper=np.array([440.0, 630.0, 860.0]),
        level=0.95,
        extrapolated_share=np.zeros(3),
        monthly_margin=np.array([13.3, 14.4, 15.8]),
        horizon_months=60,
        annual_discount_rate=0.08,
        monthly_discount_rate=0.0064,
        currency="EUR",
        model="km",
        interval_method="bootstrap",
        n_customers=np.array([900, 1200, 1500]),
    )
    ax = plot_lifetime_values(values).axes[0]
    np.testing.assert_allclose([p.get_height() for p in ax.patches], values.value)
    assert "EUR" in ax.get_ylabel() and "60 months" in ax.get_ylabel()
    assert {"€420", "€610", "€830"} <= {t.get_text() for t in ax.texts}


def test_drawing_into_a_given_axes_returns_its_figure_and_renders() -> None:
    figure = Figure(figsize=(10, 4))
    left, right = figure.subplots(1, 2)
    assert plot_churn_curves(_curves(), ax=left) is figure
    assert plot_churn_at(_curves(), 12, ax=right) is figure
    pixels = _pixels(figure)
    assert pixels[..., :3].std() > 0.05


def test_band_colours_stay_apart_in_greyscale_and_have_distinct_marks() -> None:
    levels = sorted(grey_level(BAND_STYLES[b].color) for b in BANDS)
    assert min(np.diff(levels)) >= 0.15
    for attribute in ("linestyle", "marker", "hatch"):
        assert len({getattr(BAND_STYLES[b], attribute) for b in BANDS}) == 3


def test_house_style_is_restored_even_after_an_error() -> None:
    before = dict(mpl.rcParams)
    with pytest.raises(RuntimeError), use_house_style():
        assert mpl.rcParams["axes.spines.top"] is False
        raise RuntimeError("inside the block")
    assert dict(mpl.rcParams) == before


def test_hazard_ratio_rows_match_the_fit_and_the_reference_sits_at_one() -> None:
    from cx_economics.survival.hazards import hazard_ratios

    sim = simulate(3_000, seed=21)
    hazards = hazard_ratios(life_table(sim.customers, sim.responses, as_of=sim.as_of))
    ax = plot_hazard_ratios(hazards).axes[0]
    assert ax.get_xscale() == "log"
    dots = [line for line in ax.get_lines() if line.get_linestyle() == "None"]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for line, name in zip(dots, labels, strict=True):
        band = {label(b, "en"): b for b in (*BANDS, "unrated")}[name]
        assert line.get_xdata()[0] == pytest.approx(hazards.ratio(band).value)
    assert dots[labels.index("Promoters")].get_xdata()[0] == 1.0


class _ExpCost:
    def __init__(self, base: float, nps0: float, slope: float) -> None:
        self.base, self.nps0, self.slope = base, nps0, slope

    def cost_at(self, nps: object) -> np.ndarray:
        return self.base * np.exp((np.asarray(nps, dtype=float) - self.nps0) / self.slope)


def test_targets_chart_marks_both_rules_at_their_levels() -> None:
    from cx_economics.targets.naive import compare_targets

    flows = np.array([[[4.0] * 60, [8.0] * 60, [9.0] * 60]] * 2)
    economics = economics_from_arrays(
        ("phone", "chat"),
        [12_000, 8_000],
        [[250, 250, 500], [350, 300, 350]],
        flows,
        excellent_nps=[40.0, 40.0],
        monthly_discount_rate=0.0,
        n_bootstrap=100,
        cost_models={"phone": _ExpCost(80e3, 25, 25), "chat": _ExpCost(40e3, 0, 30)},
    )
    comparison = compare_targets(economics, last_year={"phone": 25.0, "chat": 0.0})
    ax = plot_targets(comparison).axes[0]
    by_marker = {
        line.get_marker(): line for line in ax.get_lines() if line.get_linestyle() == "None"
    }
    np.testing.assert_allclose(by_marker["D"].get_xdata(), [31.25, 1.0])  # 25 × 1.25; 0 + 1
    drawn = np.sort(
        np.concatenate(
            [
                line.get_xdata()
                for line in ax.get_lines()
                if line.get_marker() == "o" and line.get_markersize() == 8
            ]
        )
    )
    np.testing.assert_allclose(drawn, np.sort(comparison.target[1]))


def test_drivers_chart_draws_money_per_reason_and_hollows_unranked() -> None:
    from cx_economics.data.assumptions import Assumptions
    from cx_economics.drivers import contact_driver_analysis

    sim = simulate(4_000, seed=5)
    costs = {"phone": 6.0, "branch": 9.0, "chat": 3.0, "web": 1.5}
    report = contact_driver_analysis(
        sim.customers,
        sim.contacts,
        sim.responses,
        assumptions=Assumptions(cost_per_contact=costs, n_bootstrap=100),
        lifetime_value={"detractor": 400.0, "passive": 600.0, "promoter": 800.0, "unrated": 550.0},
        seed=1,
    )
    frame = report.to_frame().dropna(subset=["annual_money"])
    ax = plot_drivers(report, top=20).axes[0]
    widths = {
        t.get_text(): p.get_width() for t, p in zip(ax.get_yticklabels(), ax.patches, strict=True)
    }
    for row in frame.itertuples():
        assert widths[row.reason] == pytest.approx(row.annual_money)
    hollow = {
        t.get_text()
        for t, p in zip(ax.get_yticklabels(), ax.patches, strict=True)
        if p.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    }
    assert hollow == set(frame.loc[frame["lever_rank"].isna(), "reason"])
    assert "EUR per year" in ax.get_xlabel()


def _two_channel_economics() -> ChannelEconomics:
    flows = np.array([[[4.0] * 60, [8.0] * 60, [9.0] * 60]] * 2)
    return economics_from_arrays(
        ("phone", "chat"),
        [12_000, 8_000],
        [[250, 250, 500], [350, 300, 350]],
        flows,
        excellent_nps=[40.0, 40.0],
        monthly_discount_rate=0.0,
        n_bootstrap=100,
        cost_models={"phone": _ExpCost(80e3, 25, 25), "chat": _ExpCost(40e3, 0, 30)},
    )


def _by_gid(ax: Axes) -> dict[str, Line2D]:
    return {str(line.get_gid()): line for line in ax.get_lines() if line.get_gid()}


def test_net_value_chart_draws_the_profit_curves_and_marks_today_and_both_targets() -> None:
    from cx_economics.presentation.plots import plot_net_value_by_nps
    from cx_economics.targets.naive import compare_targets
    from cx_economics.targets.value_based import value_based_targets

    economics = _two_channel_economics()
    targets = value_based_targets(economics)
    comparison = compare_targets(economics, value_targets=targets, last_year=25.0)
    lines = _by_gid(plot_net_value_by_nps(targets, comparison=comparison).axes[0])
    for i, channel in enumerate(targets.channels):
        curve = lines[f"curve:{channel}"]
        np.testing.assert_array_equal(curve.get_xdata(), targets.grid_nps[i])
        np.testing.assert_array_equal(curve.get_ydata(), targets.grid_net_value[i])
        # staying where you are gains nothing and costs nothing: net value 0 at today
        today = lines[f"today:{channel}"]
        assert today.get_xdata()[0] == targets.nps_today[i]
        assert abs(today.get_ydata()[0]) <= 1e-6 * np.abs(targets.grid_net_value[i]).max()
        target = lines[f"target:{channel}"]
        assert (target.get_xdata()[0], target.get_ydata()[0]) == (
            targets.target[i],
            targets.net_value[i],
        )
        # under the profit rule the target is the top of its drawn curve
        best = float(np.max(targets.grid_net_value[i]))
        assert target.get_ydata()[0] >= best - 1e-3 * abs(best)
        interval = lines[f"interval:{channel}"]
        np.testing.assert_array_equal(
            interval.get_xdata(), [targets.target_lower[i], targets.target_upper[i]]
        )
        naive = lines[f"naive:{channel}"]
        assert naive.get_xdata()[0] == comparison.pursued[0, i]
        assert naive.get_ydata()[0] == comparison.net_value[0, i]
    # 25 × 1.25: the "+25 %" rule's target for both channels
    np.testing.assert_allclose(comparison.target[0], [31.25, 31.25])


def test_budget_chart_draws_value_against_spend_with_the_allocated_points() -> None:
    from cx_economics.presentation.plots import plot_budget_allocation
    from cx_economics.targets.budget import allocate_budget

    plan = allocate_budget(_two_channel_economics(), 60_000)
    lines = _by_gid(plot_budget_allocation(plan, language="fi").axes[0])
    spends = []
    for i, channel in enumerate(plan.channels):
        curve = lines[f"curve:{channel}"]
        np.testing.assert_array_equal(curve.get_xdata(), plan.grid_spend[i])
        np.testing.assert_array_equal(curve.get_ydata(), plan.grid_value_gain[i])
        point = lines[f"allocated:{channel}"]
        assert (point.get_xdata()[0], point.get_ydata()[0]) == (plan.spend[i], plan.value_gain[i])
        spends.append(point.get_xdata()[0])
    # the drawn points spend the budget (less what is left unspent)
    assert sum(spends) == pytest.approx(plan.budget - plan.unspent, rel=1e-6)
    # at an interior optimum the drawn curves are equally steep at the allocated points
    slopes = []
    for i in range(len(plan.channels)):
        if plan.binding[i] != "interior":
            continue
        spend, gain = plan.grid_spend[i], plan.grid_value_gain[i]
        step = np.diff(spend) > 0
        slope = np.diff(gain)[step] / np.diff(spend)[step]
        slopes.append(float(np.interp(plan.spend[i], spend[1:][step], slope)))
    assert len(slopes) == 2
    assert slopes[0] == pytest.approx(slopes[1], rel=0.1)


def test_scorecard_chart_draws_nps_so_far_and_target_of_one_unit() -> None:
    from cx_economics.core.exceptions import CxDataError
    from cx_economics.presentation.plots import plot_scorecard
    from cx_economics.targets.cascade import cascade_targets, scorecards

    sim = simulate(3_000, seed=4)
    cascade = cascade_targets(sim.responses, {"phone": 20.0, "web": 25.0})
    cards = scorecards(sim.responses, cascade, unit="channel", period="Q")
    figure = plot_scorecard(cards, "phone")
    lines = _by_gid(figure.axes[0])
    rows = cards.table[cards.table["channel"] == "phone"].sort_values("date")
    np.testing.assert_array_equal(lines["nps"].get_ydata(), rows["nps"].to_numpy(dtype=float))
    np.testing.assert_array_equal(lines["target"].get_ydata(), rows["target"].to_numpy(dtype=float))
    assert figure.axes[0].get_title(loc="left").endswith("phone")
    # independent: NPS of phone responses from the period start to the last date
    responses = sim.responses
    last = rows["date"].max()
    in_period = responses[
        (responses["channel"] == "phone")
        & (responses["response_date"] >= cards.period_start)
        & (responses["response_date"] <= last)
    ]
    scores = in_period["score"].to_numpy()
    direct = 100.0 * (np.mean(scores >= 9) - np.mean(scores <= 6))
    assert lines["nps"].get_ydata()[-1] == pytest.approx(direct, abs=1e-9)
    with pytest.raises(CxDataError, match="`unit`"):
        plot_scorecard(cards)
    with pytest.raises(CxDataError, match="`unit`"):
        plot_scorecard(cards, "fax")


def test_a_plot_given_another_result_names_the_one_it_draws() -> None:
    from cx_economics.presentation.plots import plot_net_value_by_nps, plot_nps, plot_targets

    sim = simulate(1_000, seed=1)
    table = nps(sim.responses, by="channel")
    with pytest.raises(
        CxDataError, match=r"`plot_targets` draws a TargetComparison .*got NpsTable"
    ):
        plot_targets(table)  # type: ignore[arg-type]
    with pytest.raises(CxDataError, match="from value_based_targets"):
        plot_net_value_by_nps(table)  # type: ignore[arg-type]
    with pytest.raises(CxDataError, match=r"`plot_nps` draws a NpsTable .*got NpsEstimate"):
        plot_nps(nps(sim.responses))  # type: ignore[arg-type]
