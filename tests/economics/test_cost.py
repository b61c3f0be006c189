"""Cost curves and the cost of excellence, checked against closed forms, numpy, published
Erlang C examples and simulations with known truth."""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.data.datasets import simulate
from cx_economics.economics.cost import (
    CostCurve,
    agents_needed,
    bottom_up_cost_curve,
    cost_curve_from_points,
    cost_curves_from_table,
    cost_of_excellence,
    erlang_c,
    erlang_c_service_level,
    fit_cost_curve,
    fit_cost_curves,
)

REFERENCE = Path(__file__).parents[1] / "reference"
quiet = pytest.mark.filterwarnings("ignore::cx_economics.core.exceptions.CxAssumptionWarning")


def numerical_derivative(curve: CostCurve, nps: np.ndarray, h: float = 1e-4) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        return (curve.cost_at(nps + h) - curve.cost_at(nps - h)) / (2 * h)


def saturating_history(seed: int, n: int = 60) -> tuple[pd.DataFrame, dict[str, float]]:
    """Spend history drawn from NPS = L − (L − n0)·exp(−k·spend) + noise (sd 2)."""
    truth = {"saturation_nps": 60.0, "nps_at_zero_spend": -20.0, "rate_per_currency": 1e-5}
    rng = np.random.default_rng(seed)
    spend = rng.uniform(20e3, 300e3, n)
    top, base, k = truth.values()
    nps = top - (top - base) * np.exp(-k * spend) + rng.normal(0.0, 2.0, n)
    return pd.DataFrame({"channel": "phone", "annual_spend": spend, "nps": nps}), truth


# --------------------------------------------------------------------------- points


def test_points_curve_passes_through_finance_points_and_follows_the_true_exponential() -> None:
    sim = simulate(200, seed=4)
    curves = cost_curves_from_table(sim.channel_costs)
    assert curves.channels == ("branch", "chat", "phone", "web")
    for channel in curves.channels:
        rows = sim.channel_costs[sim.channel_costs["channel"] == channel]
        curve = curves[channel]
        np.testing.assert_allclose(
            curve.cost_at(rows["nps"].to_numpy()), rows["annual_cost"], rtol=1e-12
        )
        # the simulator's points lie on cost = c0·exp((nps − n0)/b): log-PCHIP is exact between
        for level in (22.5, 31.0, 47.0):
            assert curve.cost_at(level) == pytest.approx(
                sim.truth.annual_cost(channel, level), rel=1e-9
            )
        with pytest.warns(CxAssumptionWarning, match="extrapolating the cost curve beyond NPS"):
            beyond = curve.cost_at(62.0)
        assert beyond == pytest.approx(sim.truth.annual_cost(channel, 62.0), rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-90, 90), min_size=2, max_size=6, unique=True).filter(
        lambda xs: np.min(np.diff(np.sort(xs))) > 0.5
    ),
    st.lists(st.floats(0.01, 3.0), min_size=6, max_size=6),
    st.floats(1e3, 1e7),
)
def test_any_rising_points_give_a_monotone_curve_through_them(
    nps: list[float], log_steps: list[float], base: float
) -> None:
    x = np.sort(np.array(nps))
    costs = base * np.exp(np.cumsum(log_steps[: x.size]))
    curve = cost_curve_from_points("web", x[::-1], costs[::-1])  # any order is accepted
    np.testing.assert_allclose(curve.cost_at(x), costs, rtol=1e-10)
    grid = np.linspace(-100, 100, 801)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        on_grid = curve.cost_at(grid)
        assert np.all(np.diff(on_grid) >= 0) and on_grid[-1] > on_grid[0]
        assert np.all(curve.marginal_cost(grid) >= 0)
        # the inverse buys back the same cost (NPS itself is ill-conditioned where flat)
        np.testing.assert_allclose(curve.cost_at(curve.nps_at(on_grid)), on_grid, rtol=1e-9)
        inside = (grid > x[0]) & (grid < x[-1])
        # NPS back from cost is as exact as the cost is, divided by the slope: a cost
        # known to 1e-9 (relative) pins NPS to 1e-9 · cost / marginal cost
        slope = curve.marginal_cost(grid[inside])
        conditioning = 1e-9 * on_grid[inside] / slope
        error = np.abs(curve.nps_at(on_grid[inside]) - grid[inside])
        assert np.all(error <= 1e-6 + 100 * conditioning), error.max()


def test_marginal_cost_of_points_and_bottom_up_curves_equals_a_numerical_derivative() -> None:
    points = cost_curve_from_points("phone", [10, 20, 35, 50], [60e3, 80e3, 150e3, 400e3])
    bottom_up = bottom_up_cost_curve(
        150_000, 5.0, service_level_points={0.6: 10, 0.8: 25, 0.9: 35}, open_hours_per_year=2600
    )
    grid = np.array([-5.0, 12.3, 27.0, 41.5, 70.0])
    for curve in (points, bottom_up):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CxAssumptionWarning)
            analytic = curve.marginal_cost(grid)
        np.testing.assert_allclose(analytic, numerical_derivative(curve, grid), rtol=1e-5)


@pytest.mark.parametrize(
    ("nps", "costs", "pattern"),
    [
        (
            [20, 35, 50],
            [100e3, np.nan, 300e3],
            r"`annual_costs` must be finite.*1 row is not \(row 1\)",
        ),
        ([20, np.nan], [100e3, 200e3], r"`nps_levels` must be finite.*1 row"),
        ([35], [100e3], r"at least 2 points in `nps_levels`, got 1"),
        ([20, 35, 50], [100e3, 90e3, 80e3], r"cost must rise with NPS.*`annual_costs`.*2 rows"),
        ([20, 35], [-5.0, 10.0], r"`annual_costs` must be > 0.*1 row"),
        ([20, 20], [1.0, 2.0], r"`nps_levels` must not repeat"),
        ([20, 35], [1.0], r"differ in length"),
    ],
)
def test_bad_points_raise_naming_the_argument_and_count(
    nps: list[float], costs: list[float], pattern: str
) -> None:
    with pytest.raises(CxDataError, match=pattern):
        cost_curve_from_points("web", nps, costs)


def test_table_with_falling_costs_names_column_channel_and_row_labels() -> None:
    table = pd.DataFrame(
        {"channel": ["web", "web", "web"], "nps": [20, 35, 50], "annual_cost": [1e5, 2e5, 1.5e5]},
        index=[10, 11, 12],
    )
    with pytest.raises(
        CxDataError, match=r"channel 'web'.*`annual_cost`.*1 row is not .*\(row 12\)"
    ):
        cost_curves_from_table(table)
    with pytest.raises(CxDataError, match=r"`annual_cost`"):
        cost_curves_from_table(table.assign(annual_cost=[1e5, np.nan, 2e5]))


# --------------------------------------------------------------------------- log fit


def test_log_fit_matches_numpy_polyfit_coefficients_and_covariance() -> None:
    history = simulate(50, seed=11).channel_history
    rows = history[history["channel"] == "chat"]
    curve = fit_cost_curve(history, channel="chat")
    coef, cov = np.polyfit(np.log(rows["annual_spend"]), rows["nps"], 1, cov=True)
    assert curve.parameters["b"] == pytest.approx(coef[0], rel=1e-10)
    assert curve.parameters["a"] == pytest.approx(coef[1], rel=1e-10)
    assert curve.covariance is not None
    np.testing.assert_allclose(curve.covariance, cov[::-1, ::-1], rtol=1e-8)
    # cost(nps) = exp((nps − a)/b): the inverse of the fitted line, and nps_at its inverse
    a, b = coef[1], coef[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        assert curve.cost_at(0.0) == pytest.approx(math.exp((0.0 - a) / b), rel=1e-10)
        assert curve.marginal_cost(3.0) == pytest.approx(
            numerical_derivative(curve, np.array([3.0]))[0], rel=1e-6
        )
        assert curve.nps_at(50e3) == pytest.approx(a + b * math.log(50e3), rel=1e-10)


@pytest.mark.slow
@quiet
def test_log_fit_intervals_cover_the_simulated_truth_at_the_nominal_rate() -> None:
    slope_hits, cost_hits, draw_hits, extra_hits, slopes = [], [], [], [], []
    for seed in range(150):
        sim = simulate(20, seed=seed)
        curves = fit_cost_curves(sim.channel_history)
        table = curves.parameter_table(level=0.90).set_index(["channel", "parameter"])
        for channel in curves.channels:
            truth_b = sim.truth.cost_slope[channel]
            row = table.loc[(channel, "b")]
            slope_hits.append(row["lower"] <= truth_b <= row["upper"])
            slopes.append(row["estimate"] - truth_b)
            level = sim.truth.nps(channel) + 5.0
            true_cost = sim.truth.annual_cost(channel, level)
            low, high = curves[channel].cost_interval([level], level=0.90)
            cost_hits.append(low[0] <= true_cost <= high[0])
            draws = curves[channel].sample_costs([level], n_replicates=400, seed=seed)[:, 0]
            q = np.quantile(draws, [0.05, 0.95])
            draw_hits.append(q[0] <= true_cost <= q[1])
            today = sim.truth.nps(channel)
            extra = cost_of_excellence(
                curves[channel], today_nps=today, excellent_nps=today + 8, level=0.90
            )
            true_extra = sim.truth.annual_cost(channel, today + 8) - sim.truth.annual_cost(
                channel, today
            )
            extra_hits.append(extra.extra_cost.contains(true_extra))
    n = len(slope_hits)  # 600 intervals; 90 % nominal, binomial sd ≈ 1.2 %
    for hits in (slope_hits, cost_hits, draw_hits, extra_hits):
        assert 0.86 <= np.mean(hits) <= 0.94, (np.mean(hits), n)
    assert abs(np.mean(slopes)) < 0.2  # unbiased slope (sd of the mean ≈ 0.06)


def test_log_fit_refuses_data_where_more_spend_lowers_nps() -> None:
    spend = np.linspace(50e3, 150e3, 12)
    history = pd.DataFrame(
        {"channel": "web", "annual_spend": spend, "nps": 40 - 10 * np.log(spend / 5e4)}
    )
    with pytest.raises(CxModelError, match="do not support a cost curve"):
        fit_cost_curve(history)


def test_bad_history_raises_naming_the_column_and_count() -> None:
    history = simulate(20, seed=1).channel_history
    original = history.copy()
    bad = history.copy()
    bad.loc[[3, 7], "annual_spend"] = -1.0
    with pytest.raises(
        CxDataError, match=r"`annual_spend` must lie in ≥ 0; 2 rows are not \(rows 3, 7\)"
    ):
        fit_cost_curve(bad, channel="phone")
    bad = history.copy()
    bad.loc[5, "nps"] = np.nan
    with pytest.raises(CxDataError, match=r"`nps` must not be missing.*1 row is not \(row 5\)"):
        fit_cost_curves(bad)
    with pytest.raises(CxDataError, match="`channel` is needed"):
        fit_cost_curve(history)
    with pytest.raises(CxDataError, match="'fax' is not in the history"):
        fit_cost_curve(history, channel="fax")
    flat = pd.DataFrame({"channel": "web", "annual_spend": [1e5] * 5, "nps": [1.0, 2, 3, 4, 5]})
    with pytest.raises(CxDataError, match=r"`annual_spend` must vary.*all 5 rows"):
        fit_cost_curve(flat)
    with pytest.raises(CxDataError, match=r"needs at least 3 rows, got 2"):
        fit_cost_curve(flat.head(2))
    zero = flat.assign(annual_spend=[0.0, 1e5, 2e5, 3e5, 4e5])
    with pytest.raises(CxDataError, match=r"`annual_spend` must be > 0 for form='log'; 1 row"):
        fit_cost_curve(zero)
    fit_cost_curve(history, channel="web")
    pd.testing.assert_frame_equal(history, original)


# --------------------------------------------------------------------------- saturating fit


@quiet
def test_saturating_fit_recovers_parameters_of_data_drawn_from_that_form() -> None:
    hits, errors = [], []
    for seed in range(60):
        history, truth = saturating_history(seed)
        curve = fit_cost_curve(history, form="saturating")
        table = curve.parameter_table(level=0.90).set_index("parameter")
        hits.append([table.loc[p, "lower"] <= v <= table.loc[p, "upper"] for p, v in truth.items()])
        errors.append([table.loc[p, "estimate"] / v - 1 for p, v in truth.items()])
    coverage = np.mean(hits, axis=0)  # 60 fits per parameter: binomial sd ≈ 4 %
    assert np.all((coverage >= 0.78) & (coverage <= 0.99)), coverage
    assert np.all(np.abs(np.median(errors, axis=0)) < 0.05), np.median(errors, axis=0)


@quiet
def test_saturating_curve_costs_marginal_and_the_saturation_limit() -> None:
    history, truth = saturating_history(0, n=200)
    curve = fit_cost_curve(history, form="saturating")
    top, base, k = (curve.parameters[p] for p in truth)
    level = 35.0
    assert curve.cost_at(level) == pytest.approx(
        math.log((top - base) / (top - level)) / k, rel=1e-12
    )
    true_cost = math.log((60 - -20) / (60 - level)) / 1e-5
    assert curve.cost_at(level) == pytest.approx(true_cost, rel=0.1)
    assert curve.marginal_cost(level) == pytest.approx(
        numerical_derivative(curve, np.array([level]))[0], rel=1e-6
    )
    assert curve.nps_at(curve.cost_at(level)) == pytest.approx(level, abs=1e-9)
    high_edge = curve.valid_range[1]
    with pytest.warns(CxAssumptionWarning, match="extrapolating the cost curve beyond NPS"):
        curve.cost_at((high_edge + top) / 2)
    with pytest.warns(CxAssumptionWarning, match="saturation level"):
        assert math.isinf(curve.cost_at(top + 1.0))
    with pytest.raises(CxModelError, match="no spend reaches it"):
        cost_of_excellence(curve, today_nps=20.0, excellent_nps=top + 1.0)


# --------------------------------------------------------------------------- Erlang C


def direct_erlang_c(load: float, agents: int) -> float:
    """Exact direct-sum Erlang C in rational arithmetic (independent oracle)."""
    a = Fraction(load)
    top = a**agents / math.factorial(agents) * Fraction(agents) / (agents - a)
    return float(top / (sum(a**k / math.factorial(k) for k in range(agents)) + top))


def test_erlang_c_matches_the_published_worked_examples() -> None:
    reference = json.loads((REFERENCE / "erlang_c.json").read_text())
    assert "source" in reference
    for case in reference["cases"]:
        load, n = case["offered_load_erlangs"], case["agents"]
        assert float(erlang_c(load, n)) == pytest.approx(case["probability_of_waiting"], abs=1e-9)
        sl = erlang_c_service_level(
            load,
            n,
            answer_within_seconds=case["answer_within_seconds"],
            average_handle_seconds=case["average_handle_seconds"],
        )
        assert float(sl) == pytest.approx(case["service_level"], abs=1e-9)
    for case in reference["agents_needed"]:
        got = agents_needed(
            case["offered_load_erlangs"],
            case["target_service_level"],
            answer_within_seconds=case["answer_within_seconds"],
            average_handle_seconds=case["average_handle_seconds"],
        )
        assert got.tolist() == [case["agents"]]


def test_erlang_c_agrees_with_exact_sums_and_the_single_server_closed_form() -> None:
    loads = np.array([0.3, 2.5, 7.0, 19.2, 40.0])
    for load in loads:
        n = np.arange(int(load) + 1, int(load) + 12)
        expected = [direct_erlang_c(float(load), int(k)) for k in n]
        np.testing.assert_allclose(erlang_c(load, n), expected, rtol=1e-10)
    rho = np.array([0.1, 0.5, 0.9])  # M/M/1: P(wait) = ρ, P(W ≤ t) = 1 − ρ·exp(−(1 − ρ)t/AHT)
    np.testing.assert_allclose(erlang_c(rho, 1), rho, rtol=1e-12)
    sl = erlang_c_service_level(rho, 1, answer_within_seconds=30, average_handle_seconds=120)
    np.testing.assert_allclose(sl, 1 - rho * np.exp(-(1 - rho) * 30 / 120), rtol=1e-12)
    assert float(erlang_c(5.0, 5)) == 1.0 and float(erlang_c(5.0, 3)) == 1.0  # overloaded
    big = erlang_c(600.0, 620)  # large loads stay finite and inside (0, 1)
    assert 0 < float(big) < 1


def test_bottom_up_curve_prices_staffing_by_hand_and_rises_with_nps() -> None:
    contacts, per_contact, hours, aht = 300_000, 4.5, 2_600, 360.0
    points = {0.6: 5.0, 0.8: 20.0, 0.95: 40.0}
    curve = bottom_up_cost_curve(
        contacts,
        per_contact,
        service_level_points=points,
        open_hours_per_year=hours,
        average_handle_seconds=aht,
        fixed_annual_cost=50_000.0,
    )
    load = contacts * aht / (hours * 3600)
    staffing = curve.details["staffing"]
    assert isinstance(staffing, pd.DataFrame)
    for level, agents in zip(points, staffing["agents"], strict=True):
        # minimal: this many agents meet the level, one fewer does not (exact sums)
        meets = [
            1 - direct_erlang_c(load, k) * math.exp(-(k - load) * 20 / aht) >= level
            for k in (agents - 1, agents)
        ]
        assert meets == [False, True]
    expected = 50_000.0 + contacts * per_contact * staffing["agents"].to_numpy() / load
    np.testing.assert_allclose(curve.cost_at(np.array(list(points.values()))), expected, rtol=1e-12)
    grid = np.linspace(5, 40, 50)
    assert np.all(np.diff(curve.cost_at(grid)) > 0)
    assert curve.kind == "bottom_up" and curve.valid_range == (5.0, 40.0)


@pytest.mark.parametrize(
    ("points", "open_hours", "pattern"),
    [
        ({0.8: 20.0}, 2600.0, "at least 2 points"),
        ({0.8: 20.0, 1.2: 30.0}, 2600.0, r"fractions in \(0, 1\)"),
        ({0.8: 30.0, 0.9: 20.0}, 2600.0, "NPS must rise with the service level"),
        ({0.80: 20.0, 0.801: 21.0}, 2600.0, "same staffing"),
        ({0.6: 1.0, 0.8: 2.0}, -1.0, "`open_hours_per_year` must be a positive number, got -1.0"),
    ],
)
def test_bottom_up_rejects_bad_inputs(
    points: dict[float, float], open_hours: float, pattern: str
) -> None:
    with pytest.raises(CxDataError, match=pattern):
        bottom_up_cost_curve(
            100_000, 4.0, service_level_points=points, open_hours_per_year=open_hours
        )


# --------------------------------------------------------------------------- excellence and results


def test_cost_of_excellence_of_given_points_is_the_exact_difference_without_interval() -> None:
    sim = simulate(100, seed=2)
    curves = cost_curves_from_table(sim.channel_costs)
    result = cost_of_excellence(curves["web"], today_nps=25.0, excellent_nps=45.0)
    expected = sim.truth.annual_cost("web", 45.0) - sim.truth.annual_cost("web", 25.0)
    assert result.extra_cost.value == pytest.approx(expected, rel=1e-9)
    assert result.extra_cost.lower == result.extra_cost.upper == result.extra_cost.value
    assert not result.extrapolated and "no interval" in result.summary()
    with pytest.warns(CxAssumptionWarning, match="extrapolating"):
        assert cost_of_excellence(curves["web"], today_nps=10.0, excellent_nps=45.0).extrapolated
    below = cost_of_excellence(curves["web"], today_nps=45.0, excellent_nps=25.0)
    assert below.extra_cost.value == pytest.approx(-expected, rel=1e-9)


@quiet
def test_collections_give_tidy_frames_and_per_channel_costs_of_excellence() -> None:
    sim = simulate(100, seed=5)
    curves = fit_cost_curves(sim.channel_history)
    today = {ch: sim.truth.nps(ch) for ch in curves.channels}
    costs = cost_of_excellence(curves, today_nps=today, excellent_nps=40.0)
    frame = costs.to_frame()
    assert frame["channel"].tolist() == list(curves.channels)
    assert (frame["lower"] < frame["extra_annual_cost"]).all()
    assert (frame["extra_annual_cost"] < frame["upper"]).all()
    assert costs["phone"].extra_cost.value == pytest.approx(
        curves["phone"].cost_at(40.0) - curves["phone"].cost_at(today["phone"]), rel=1e-12
    )
    with pytest.raises(CxDataError, match=r"`today_nps` has no level for channel\(s\) \['web'\]"):
        cost_of_excellence(
            curves, today_nps={k: v for k, v in today.items() if k != "web"}, excellent_nps=40.0
        )
    assert "web" in curves and "fax" not in curves and len(curves) == 4
    assert dict(curves)["web"] is curves["web"]
    table = curves.to_frame()
    assert set(table["channel"]) == set(curves.channels)
    assert {"nps", "annual_cost", "lower", "upper", "marginal_cost", "extrapolated"} <= set(
        table.columns
    )
    assert (table["lower"] <= table["annual_cost"]).all() and (
        table["annual_cost"] <= table["upper"]
    ).all()
    for result in (curves, curves["chat"], costs, costs["chat"]):
        assert result.summary() and result._repr_html_().startswith("<div>")
    with pytest.raises(dataclasses.FrozenInstanceError):
        curves["chat"].__setattr__("channel", "x")


@quiet
def test_posterior_draws_are_reproducible_and_match_the_t_law_of_the_slope() -> None:
    curve = fit_cost_curve(simulate(50, seed=8).channel_history, channel="branch")
    a = curve.sample_costs([30.0, 40.0], n_replicates=300, seed=7)
    np.testing.assert_array_equal(a, curve.sample_costs([30.0, 40.0], n_replicates=300, seed=7))
    assert not np.array_equal(a, curve.sample_costs([30.0, 40.0], n_replicates=300, seed=8))
    draws = curve.parameter_draws(20_000, seed=1)
    assert curve.covariance is not None
    df = curve.df_resid  # multivariate t: variance = scale² · df/(df − 2)
    expected_sd = math.sqrt(curve.covariance[1, 1] * df / (df - 2))
    assert draws[:, 1].std() == pytest.approx(expected_sd, rel=0.03)
    assert draws[:, 1].mean() == pytest.approx(
        curve.parameters["b"], abs=4 * expected_sd / math.sqrt(20_000)
    )


def test_weak_or_wrong_histories_warn_or_refuse_and_shapes_are_kept() -> None:
    weak = pd.DataFrame(
        {"channel": "web", "annual_spend": [1e4, 2e4, 3e4, 4e4], "nps": [0.0, 10.0, -5.0, 8.0]}
    )
    with pytest.warns(CxAssumptionWarning, match="not distinguishable from 0"):
        fit_cost_curve(weak)
    spend = np.linspace(20e3, 300e3, 30)
    falling = pd.DataFrame(
        {"channel": "web", "annual_spend": spend, "nps": 50 - 60 * (1 - np.exp(-spend / 1e5))}
    )
    with pytest.raises(CxModelError, match="saturating"):
        fit_cost_curve(falling, form="saturating")
    with pytest.raises(CxDataError, match="`form` must be 'log' or 'saturating'"):
        fit_cost_curve(falling, form="linear")  # type: ignore[arg-type]  # deliberately invalid
    curve = cost_curve_from_points("web", [20, 35, 50], [70e3, 120e3, 210e3])
    grid = np.array([[20.0, 35.0], [50.0, 20.0]])
    assert curve.cost_at(grid).shape == (2, 2)
    assert curve.cost_at(grid)[1, 0] == pytest.approx(210e3)
    with pytest.raises(CxDataError, match=r"`nps` must be finite.*1 row is not \(row 1\)"):
        curve.cost_at([20.0, np.nan])
    with pytest.raises(CxDataError, match=r"`annual_cost` must be > 0"):
        curve.nps_at([0.0])
