"""Value-based targets and the naive rule: closed forms, brute force, simulated truth."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.finance import discount_factors
from cx_economics.data.datasets import ReasonTruth, SimulationTruth, simulate
from cx_economics.economics.channels import ChannelEconomics, economics_from_arrays
from cx_economics.economics.impact import MixShift
from cx_economics.scores import compare_nps, sample_size_for_margin
from cx_economics.targets.naive import compare_targets, naive_targets
from cx_economics.targets.value_based import detectable_change, value_based_targets

BANDS = ("detractor", "passive", "promoter")


class ExpCost:
    """Yearly cost ``c0 · exp((x − x0)/b)``: the log cost curve of the simulator."""

    def __init__(self, c0: float, x0: float, b: float) -> None:
        self.c0, self.x0, self.b = c0, x0, b

    def cost_at(self, nps: object) -> np.ndarray:
        return self.c0 * np.exp((np.asarray(nps, dtype=float) - self.x0) / self.b)

    def marginal(self, nps: float) -> float:
        return float(self.cost_at(nps)) / self.b


def constant_flows(values: list[list[float]], horizon: int = 60) -> np.ndarray:
    """Flows (C, 3, H) paying ``value / horizon`` a month, so band values are ``values``."""
    v = np.asarray(values, dtype=float)
    return np.repeat((v / horizon)[:, :, None], horizon, axis=2)


def make_econ(
    values: list[list[float]],
    counts: list[list[int]],
    costs: list[ExpCost],
    customers: list[float],
    **kwargs: object,
) -> ChannelEconomics:
    names = tuple(f"c{i}" for i in range(len(values)))
    return economics_from_arrays(
        names,
        customers,
        counts,
        constant_flows(values),
        excellent_nps=[50.0] * len(names),
        monthly_discount_rate=0.0,
        cost_models=dict(zip(names, costs, strict=True)),
        n_bootstrap=200,
        **kwargs,  # type: ignore[arg-type]
    )


def analytic_optimum(slope: float, annuity: float, cost: ExpCost) -> float:
    """Solve slope = A · c0/b · exp((x − x0)/b): x* = x0 + b ln(slope b / (A c0))."""
    return cost.x0 + cost.b * math.log(slope * cost.b / (annuity * cost.c0))


# --------------------------------------------------------------------------- profit rule


def test_profit_target_is_the_closed_form_optimum_and_marginals_balance() -> None:
    costs = [ExpCost(80e3, 5.0, 25.0), ExpCost(60e3, -10.0, 30.0), ExpCost(50e3, 30.0, 20.0)]
    values = [[240.0, 480.0, 540.0], [300.0, 500.0, 560.0], [400.0, 520.0, 580.0]]
    econ = make_econ(
        values, [[300, 350, 350], [400, 300, 300], [180, 320, 500]], costs, [12_000, 9_000, 20_000]
    )
    targets = value_based_targets(econ)
    annuity = 5.0  # no discounting, 60 months
    for c, cost in enumerate(costs):
        slope = econ.customers[c] * (values[c][1] - values[c][0]) / 100.0
        expected = analytic_optimum(slope, annuity, cost)
        kink = econ.nps_today[c] + 100 * econ.shares_today[c, 0]
        assert econ.nps_today[c] < expected < kink  # interior, before detractors run out
        assert targets.target[c] == pytest.approx(expected, abs=1e-5)
        assert targets.binding[c] == "optimum"
        # marginal value (closed form) equals the PV of the marginal cost at the target
        marginal_cost = annuity * cost.marginal(float(targets.target[c]))
        assert marginal_cost == pytest.approx(slope, rel=1e-6)
        assert targets.marginal_value[c] == pytest.approx(slope, rel=1e-6)
        assert targets.marginal_cost[c] == pytest.approx(slope, rel=1e-5)
    # net value against an independent evaluation through the economics' own curves
    x = targets.target
    gain = np.diag(econ.gain_at(np.tile(x, (3, 1))))
    extra = np.array(
        [
            float(k.cost_at(t)) - float(k.cost_at(n))
            for k, t, n in zip(costs, x, econ.nps_today, strict=True)
        ]
    )
    assert targets.net_value == pytest.approx(gain - annuity * extra, rel=1e-9)
    frame = targets.to_frame()
    assert frame["channel"].iloc[-1] == "total"
    assert frame["net_value"].iloc[-1] == pytest.approx(targets.net_value.sum())


def test_grid_guard_finds_the_global_optimum_past_a_rising_kink() -> None:
    # NPS 10 today; detractors run out at 20, beyond which a point is worth 8x more.
    # Marginal PV cost 6,000 at 14: a local optimum at 14, a dip, the global one near 35.
    cost = ExpCost(12e3, 14.0, 10.0)
    econ = make_econ([[200.0, 230.0, 480.0]], [[100, 700, 200]], [cost], [20_000])
    targets = value_based_targets(econ)
    grid = np.linspace(econ.nps_today[0], 100.0, 180_001)
    net = econ.gain_at(grid[:, None])[:, 0] - 5.0 * (
        cost.cost_at(grid) - cost.cost_at(econ.nps_today[0])
    )
    at = lambda x: net[np.argmin(np.abs(grid - x))]  # noqa: E731
    assert at(14.0) > at(10.0) and at(14.0) > at(20.0)  # the local optimum is real
    best = grid[np.argmax(net)]
    assert best > 30.0
    assert targets.target[0] == pytest.approx(best, abs=1e-3)
    assert targets.target[0] == pytest.approx(14.0 + 10.0 * math.log(50_000 / 6_000), abs=1e-5)
    assert targets.net_value[0] == pytest.approx(net.max(), rel=1e-7)


def test_no_point_pays_keeps_today_and_ceiling_caps() -> None:
    costly = ExpCost(5e6, 0.0, 25.0)
    cheap = ExpCost(10e3, 0.0, 25.0)
    econ = make_econ(
        [[240.0, 480.0, 540.0]] * 2, [[300, 350, 350]] * 2, [costly, cheap], [12_000, 12_000]
    )
    targets = value_based_targets(econ, upper_nps={"c1": 15.0})
    assert targets.target[0] == econ.nps_today[0]
    assert targets.binding[0] == "today" and targets.net_value[0] == 0.0
    assert targets.target[1] == pytest.approx(15.0) and targets.binding[1] == "ceiling"


# --------------------------------------------------------------------------- other rules


def brute_force_roi(econ: ChannelEconomics, cost: ExpCost, hurdle: float) -> float:
    today = econ.nps_today[0]
    grid = np.linspace(today + 1e-6, 100.0, 400_001)
    gain = econ.gain_at(grid[:, None])[:, 0]
    pv = econ.annuity * (cost.cost_at(grid) - cost.cost_at(today))
    ok = (gain - pv) / pv >= hurdle
    return float(grid[ok].max())


def test_roi_rule_is_the_highest_level_clearing_the_hurdle() -> None:
    cost = ExpCost(80e3, 5.0, 25.0)
    econ = make_econ([[240.0, 480.0, 540.0]], [[300, 350, 350]], [cost], [12_000])
    targets = value_based_targets(econ, rule="roi", roi_hurdle=0.15)
    assert targets.target[0] == pytest.approx(brute_force_roi(econ, cost, 0.15), abs=1e-3)
    assert targets.roi[0] == pytest.approx(0.15, abs=1e-6)
    assert targets.binding[0] == "hurdle"
    profit = value_based_targets(econ)
    assert targets.target[0] > profit.target[0]  # ambition beyond the optimum, still ≥ 15 %


def payback_by_loop(econ: ChannelEconomics, cost: ExpCost, level: float) -> float:
    """Month-by-month payback from the economics' band flows (an independent loop)."""
    c, today = 0, econ.nps_today[0]
    delta = econ.mix_shift.shares_at(econ.shares_today[c], level) - econ.shares_today[c]
    extra = float(cost.cost_at(level) - cost.cost_at(today))
    disc = discount_factors(econ.monthly_discount_rate, econ.horizon_months)
    gained = spent = 0.0
    for t in range(econ.horizon_months):
        gained += econ.customers[c] * float(delta @ econ.band_flows[c, :, t])
        spent += extra / 12 * disc[t]
        if gained >= spent:
            return t + 1.0
    return math.inf


def test_payback_rule_against_a_month_by_month_loop() -> None:
    i = 1.08 ** (1 / 12) - 1
    t = np.arange(1, 61)
    flows = np.array(
        [
            [
                m * np.exp(-h * t) / (1 + i) ** t
                for h, m in ((0.03, 13.0), (0.018, 14.0), (0.011, 15.0))
            ]
        ]
    )
    cost = ExpCost(80e3, 5.0, 25.0)
    econ = economics_from_arrays(
        ("phone",),
        [40_000],
        [[300, 350, 350]],
        flows,
        excellent_nps=[40.0],
        monthly_discount_rate=i,
        cost_models={"phone": cost},
        n_bootstrap=100,
    )
    targets = value_based_targets(econ, rule="payback", max_payback_months=24)
    x = float(targets.target[0])
    assert targets.binding[0] == "payback"
    assert payback_by_loop(econ, cost, x - 0.01) <= 24
    assert payback_by_loop(econ, cost, x + 0.05) > 24
    assert targets.payback_months[0] == payback_by_loop(econ, cost, x)


# --------------------------------------------------------------------------- simulated truth


def estimated_economics(seed: int) -> tuple[ChannelEconomics, SimulationTruth, dict[str, float]]:
    """Economics estimated from a simulated base (hazards by events/exposure)."""
    truth = SimulationTruth(reasons={"none": ReasonTruth(1.0, 1.0)})
    sim = simulate(60_000, truth=truth, seed=seed)
    cust = sim.customers.assign(band=sim.latent_band.to_numpy())
    channels = truth.channels
    i = 1.08 ** (1 / 12) - 1
    t = np.arange(1, 61)
    rng = np.random.default_rng(seed)
    exposure = cust.groupby(["channel", "band"])["tenure_months"].sum()
    events = cust.groupby(["channel", "band"])["churned"].sum()
    p_hat = np.array([[events[(ch, b)] / exposure[(ch, b)] for b in BANDS] for ch in channels])
    expo = np.array([[exposure[(ch, b)] for b in BANDS] for ch in channels]).astype(np.int64)
    p_reps = rng.binomial(expo, p_hat, size=(400, *expo.shape)) / expo
    margin = np.array([truth.monthly_margin(b) for b in BANDS])
    disc = (1 + i) ** -t

    def flows(p: np.ndarray) -> np.ndarray:
        return margin[:, None] * (1 - p[..., None]) ** t * disc

    # today's mix: a third of the active customers rated, in their latent band
    active_rows = cust[~cust["churned"]]
    rated = active_rows[rng.random(len(active_rows)) < 1 / 3]
    counts = rated.groupby(["channel", "band"]).size().unstack().loc[list(channels), list(BANDS)]
    active = active_rows.groupby("channel").size().loc[list(channels)]
    costs = {
        ch: ExpCost(truth.annual_cost_today[ch], truth.nps(ch), truth.cost_slope[ch])
        for ch in channels
    }
    econ = economics_from_arrays(
        channels,
        active.to_numpy(float),
        counts.to_numpy(),
        flows(p_hat),
        excellent_nps=[40.0] * 4,
        monthly_discount_rate=i,
        band_flow_replicates=flows(p_reps),
        cost_models=costs,
        seed=seed,
    )
    optimum = {}
    for c, ch in enumerate(channels):
        v = [truth.lifetime_value(b, ch, horizon_months=60) for b in BANDS]
        slope = econ.customers[c] * (v[1] - v[0]) / 100.0
        optimum[ch] = analytic_optimum(slope, econ.annuity, costs[ch])
    return econ, truth, optimum


@pytest.mark.slow
def test_targets_cover_the_analytic_optimum_of_the_true_curves() -> None:
    """16 simulated bases: intervals cover the true optimum at about their nominal rate."""
    hits, errors = [], []
    for seed in range(1, 17):
        econ, _, optimum = estimated_economics(seed)
        targets = value_based_targets(econ)
        for c, ch in enumerate(econ.channels):
            if optimum[ch] <= econ.nps_today[c] + 1:
                continue  # the true optimum is "hold": no interior target to cover
            assert targets.binding[c] in ("optimum", "today")
            hits.append(targets.target_lower[c] <= optimum[ch] <= targets.target_upper[c])
            errors.append(targets.target[c] - optimum[ch])
    assert len(hits) >= 20
    assert np.mean(hits) >= 0.8  # nominal 0.95; about 24 intervals
    assert abs(np.mean(errors)) < 1.0  # no bias beyond ~3 standard errors of the mean


# --------------------------------------------------------------------------- flags


def test_detectable_change_agrees_with_sample_size_and_with_simulated_power() -> None:
    shares = np.array([[0.3, 0.35, 0.35]])
    n = 800
    # power 0.5: the change equals z·√2·se, i.e. a ±change/√2 margin needs n responses
    half = detectable_change(shares, shares, np.array([n]), np.array([n]), power=0.5)[0]
    assert abs(sample_size_for_margin(half / math.sqrt(2), shares=tuple(shares[0])) - n) <= 1
    # power 0.8: a true shift of that size is detected about 80 % of the time
    after = np.array([[0.25, 0.35, 0.40]])
    change = 100 * (0.40 - 0.25 - 0.35 + 0.30)
    n_needed = next(
        m
        for m in range(50, 5000, 5)
        if detectable_change(shares, after, np.array([m]), np.array([m]))[0] <= change
    )
    rng = np.random.default_rng(5)
    a = rng.multinomial(n_needed, after[0], size=1500)
    b = rng.multinomial(n_needed, shares[0], size=1500)
    hits = np.mean(
        [compare_nps(x, y, method="wald").p_value < 0.05 for x, y in zip(a, b, strict=True)]
    )
    assert 0.76 <= hits <= 0.86


def test_frontier_and_detectability_flags() -> None:
    cost = ExpCost(80e3, 5.0, 25.0)
    econ = make_econ(
        [[240.0, 480.0, 540.0]] * 2, [[300, 350, 350]] * 2, [cost, cost], [12_000, 12_000]
    )
    flagged = value_based_targets(econ, frontier={"c0": 10.0}, expected_responses={"c0": 50})
    assert flagged.target[0] > 10.0 and flagged.beyond_frontier[0]
    assert not flagged.beyond_frontier[1]  # no frontier given for c1
    assert flagged.undetectable[0] and not flagged.undetectable[1]
    assert any("beyond" in n for n in flagged._notes())
    with pytest.raises(CxDataError, match="`frontier`"):
        value_based_targets(econ, frontier={"nowhere": 3.0})


def test_bad_inputs_and_determinism() -> None:
    cost = ExpCost(80e3, 5.0, 25.0)
    econ = make_econ([[240.0, 480.0, 540.0]], [[300, 350, 350]], [cost], [12_000])
    with pytest.raises(CxDataError, match="`rule`"):
        value_based_targets(econ, rule="max")  # type: ignore[arg-type]
    with pytest.raises(CxDataError, match="`roi_hurdle`"):
        value_based_targets(econ, rule="roi", roi_hurdle=-2.0)
    bare = make_econ([[240.0, 480.0, 540.0]], [[300, 350, 350]], [cost], [12_000])
    with pytest.raises(CxDataError, match="`cost_models` has no curve"):
        value_based_targets(bare, cost_models={"other": cost})
    history = {
        "detractors": [30, 20, 10, 25, 15, 5],
        "passives": [40, 40, 35, 38, 40, 30],
        "promoters": [30, 40, 55, 37, 45, 65],
    }
    import pandas as pd

    shift = MixShift.estimate(pd.DataFrame(history))
    args = ([[240.0, 480.0, 540.0]], [[300, 350, 350]], [cost], [12_000])
    est = make_econ(*args, mix_shift=shift, seed=3)
    before = est.shares_today.copy()
    a, b = value_based_targets(est), value_based_targets(est)
    c = value_based_targets(make_econ(*args, mix_shift=shift, seed=4))
    assert a.to_frame().equals(b.to_frame())  # reading a result never draws
    assert not a.to_frame().equals(c.to_frame())  # the economics' coefficient draws differ
    assert est.mix_coefficient_replicates is not None
    assert est.mix_coefficient_replicates.shape == (200, 3)
    assert np.array_equal(est.shares_today, before)


# --------------------------------------------------------------------------- naive rule


def test_naive_rule_on_every_sign() -> None:
    t = naive_targets({"a": 25.0, "b": -20.0, "c": 0.0, "d": -2.0, "e": 90.0}, 0.25)
    assert t.target.tolist() == [31.25, -15.0, 1.0, -1.0, 100.0]
    assert t.rule == (
        "multiplied",
        "negative: + |NPS| × uplift",
        "zero: minimum step",
        "negative: minimum step",
        "multiplied, capped at 100",
    )
    assert naive_targets(25.0, channels=["x", "y"]).as_mapping() == {"x": 31.25, "y": 31.25}
    with pytest.raises(CxDataError, match="`uplift`"):
        naive_targets(25.0, -0.1)
    with pytest.raises(CxDataError, match="`last_year`"):
        naive_targets({"a": 120.0})


def test_compare_prices_both_rules_by_closed_form() -> None:
    costs = [ExpCost(80e3, 25.0, 25.0), ExpCost(60e3, -10.0, 30.0)]
    values = [[240.0, 480.0, 540.0], [300.0, 500.0, 560.0]]
    econ = make_econ(values, [[250, 250, 500], [400, 300, 300]], costs, [12_000, 9_000])
    cmp = compare_targets(econ, last_year={"c0": 25.0, "c1": -10.0})
    assert cmp.target[0].tolist() == [31.25, -7.5]
    for c in range(2):
        slope = econ.customers[c] * (values[c][1] - values[c][0]) / 100.0
        for r in range(2):
            x = cmp.target[r, c]
            expected = slope * (x - econ.nps_today[c]) - 5.0 * float(
                costs[c].cost_at(x) - costs[c].cost_at(econ.nps_today[c])
            )
            assert cmp.net_value[r, c] == pytest.approx(expected, rel=1e-9)
        assert cmp.net_value[1, c] >= cmp.net_value[0, c]  # the optimum is never beaten
    frame = cmp.to_frame()
    totals = frame[frame["channel"] == "total"].set_index("rule")["net_value"]
    assert totals["+25 %"] == pytest.approx(cmp.net_value[0].sum())
    assert "value-based" in totals.index
    # a naive target below today is already met: nothing spent, nothing gained
    met = compare_targets(econ, last_year={"c0": 10.0, "c1": -40.0})
    assert met.pursued[0, 0] == econ.nps_today[0] and met.net_value[0, 0] == 0.0


# --------------------------------------------------------------------------- contracts, demo


def test_results_are_frozen_tidy_and_render() -> None:
    import dataclasses

    from cx_economics.targets.budget import allocate_budget

    cost = ExpCost(80e3, 5.0, 25.0)
    econ = make_econ(
        [[240.0, 480.0, 540.0]] * 2, [[300, 350, 350]] * 2, [cost, cost], [12_000, 9_000]
    )
    results = [
        value_based_targets(econ),
        naive_targets({"c0": 5.0, "c1": -3.0}),
        compare_targets(econ),
        allocate_budget(econ, 30_000.0),
    ]
    for result in results:
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.currency = "USD"  # type: ignore[misc]
        frame = result.to_frame()
        assert len(frame) >= 2 and frame.columns.is_unique
        assert result.summary().startswith(result._title)
        assert "<table" in result._repr_html_()


@pytest.mark.docs
def test_example_prints_both_rules_on_the_demo() -> None:
    import pathlib
    import subprocess
    import sys

    script = pathlib.Path(__file__).parents[2] / "examples" / "value_based_targets.py"
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    import re

    notes = re.findall(
        r"\+25 % rule (-?[\d,]+), value-based (-?[\d,]+); the \+25 % rule "
        r"gives up ([\d,]+)",
        out,
    )
    assert len(notes) == 2  # this year's NPS + 25 %, and the seed's 25 → 31.25
    for naive, value, gap in ([float(v.replace(",", "")) for v in note] for note in notes):
        assert value > naive and gap == pytest.approx(value - naive, abs=1.0)
    assert out.count("31.25") >= 4  # every channel gets 31.25 under the seed's rule
    assert "total value-based" in out and "total       +25 %" in out


def test_naive_rule_never_asks_less_of_a_higher_nps() -> None:
    """Monotone and a visible step everywhere: 0 → 1, 0.25 → 1.25, 0.5 → 1.5, 4 → 5."""
    grid = np.round(np.linspace(-100.0, 100.0, 4001), 6)
    t = naive_targets({f"c{i}": float(x) for i, x in enumerate(grid)}, 0.25)
    assert np.all(np.diff(t.target) >= 0.0)
    steps = t.target - grid
    assert np.all((steps >= 1.0 - 1e-12) | (t.target == 100.0))
    small = naive_targets({"a": 0.25, "b": 0.5, "c": 4.0, "d": 8.0}, 0.25)
    assert small.target.tolist() == [1.25, 1.5, 5.0, 10.0]
    assert small.rule[:2] == ("minimum step", "minimum step") and small.rule[3] == "multiplied"
