"""Parametric churn curves (cx_economics.survival.parametric).

Independent checks: lifelines' WeibullFitter / LogNormalFitter / LogLogisticFitter on
continuous times and their ``fit_interval_censoring`` on the whole-month intervals;
scipy.stats survival functions; the closed-form MLE of a piecewise-constant monthly
churn probability; and simulations with known Weibull truth.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from lifelines import LogLogisticFitter, LogNormalFitter, WeibullFitter
from scipy import stats

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.data.datasets import SimulationTruth, simulate
from cx_economics.survival.curves import ChurnCurves
from cx_economics.survival.parametric import (
    ParametricFit,
    akaike_tails,
    fit_parametric,
    fit_parametric_intervals,
    survival_function,
)
from cx_economics.tables.life import LifeTable

LIFELINES = {
    "weibull": (WeibullFitter, ("lambda_", "rho_")),
    "lognormal": (LogNormalFitter, ("mu_", "sigma_")),
    "loglogistic": (LogLogisticFitter, ("alpha_", "beta_")),
}


def table_from_rows(
    duration: np.ndarray, churned: np.ndarray, band: np.ndarray | None = None
) -> LifeTable:
    """A life table by a plain pandas group-by over customer rows (test oracle)."""
    rows = pd.DataFrame({"duration": duration.astype(np.int64), "churned": churned.astype(bool)})
    by = ["duration", "churned"]
    if band is not None:
        rows["band"] = band
        by = ["band", *by]
    cells = rows.groupby(by).size().rename("customers").reset_index()
    return LifeTable(cells, ("band",) if band is not None else (), "latest", None, False)


def discrete_weibull_sample(
    rng: np.random.Generator, n: int, scale: float, shape: float, follow_up: int = 36
) -> tuple[np.ndarray, np.ndarray]:
    """Continuous Weibull lifetimes seen in whole months, joined uniformly over follow_up."""
    lifetime = scale * rng.weibull(shape, n)
    since = rng.integers(1, follow_up + 1, n)
    churned = lifetime <= since
    duration = np.where(churned, np.ceil(lifetime), since)
    return duration.astype(np.int64), churned


def detail(curves: ChurnCurves, name: str) -> Any:
    details = curves.details
    assert details is not None
    return details[name]


def interval_bounds(table: LifeTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    frame = table.frame
    k = frame["duration"].to_numpy(np.float64)
    gone = frame["churned"].to_numpy(bool)
    return np.where(gone, k - 1.0, k), np.where(gone, k, np.inf), frame["customers"].to_numpy()


@pytest.fixture(scope="module")
def sim_table() -> LifeTable:
    sim = simulate(6000, truth=SimulationTruth(team_nps_sd=0.0), seed=11, months_observed=36)
    customers = sim.customers
    return table_from_rows(
        customers["tenure_months"].to_numpy(),
        customers["churned"].to_numpy(),
        sim.latent_band.to_numpy(),
    )


@pytest.mark.parametrize("model", sorted(LIFELINES))
def test_continuous_times_match_lifelines(model: str) -> None:
    rng = np.random.default_rng(5)
    lifetime = 20.0 * rng.weibull(1.4, 3000)
    censor = rng.uniform(5.0, 40.0, 3000)
    observed = np.minimum(lifetime, censor)
    event = lifetime <= censor
    fitter_cls, names = LIFELINES[model]
    reference = fitter_cls().fit(observed, event)
    fit = fit_parametric_intervals(observed, np.where(event, observed, np.inf), model=model)
    ours = list(fit.params.values())
    theirs = [getattr(reference, n) for n in names]
    np.testing.assert_allclose(ours, theirs, rtol=2e-5)
    assert fit.log_likelihood == pytest.approx(reference.log_likelihood_, rel=1e-8)
    # standard errors: lifelines reports the natural scale, we the log scale (delta method)
    natural_se = np.sqrt(np.diag(reference.variance_matrix_.to_numpy()))
    to_natural = np.array(ours)  # d exp(x)/dx = exp(x); lognormal's mu is not logged
    if model == "lognormal":
        to_natural[0] = 1.0
    np.testing.assert_allclose(np.sqrt(np.diag(fit.covariance)) * to_natural, natural_se, rtol=0.05)


@pytest.mark.parametrize("model", sorted(LIFELINES))
def test_life_table_fit_matches_lifelines_interval_censoring(
    sim_table: LifeTable, model: str
) -> None:
    band_rows = sim_table.frame["band"] == "passive"
    part = LifeTable(sim_table.frame[band_rows], ("band",), "latest", None, False)
    curves = fit_parametric(part, model=model, horizon_months=60)
    fit = detail(curves, "fits")[("passive",)]
    lower, upper, weights = interval_bounds(part)
    fitter_cls, names = LIFELINES[model]
    reference = fitter_cls().fit_interval_censoring(lower, upper, weights=weights)
    np.testing.assert_allclose(
        list(fit.params.values()), [getattr(reference, n) for n in names], rtol=1e-4
    )
    assert fit.log_likelihood == pytest.approx(reference.log_likelihood_, rel=1e-7)
    months = np.arange(1.0, 61.0)
    np.testing.assert_allclose(
        curves.curve("passive")[1:], reference.survival_function_at_times(months), rtol=1e-4
    )


@pytest.mark.parametrize("model", ["weibull", "piecewise_exponential"])
def test_grouped_cells_equal_replicated_customer_rows(model: str) -> None:
    rng = np.random.default_rng(3)
    duration, churned = discrete_weibull_sample(rng, 1500, scale=30.0, shape=0.8)
    grouped = fit_parametric(table_from_rows(duration, churned), model=model)
    rows = pd.DataFrame({"duration": duration, "churned": churned, "customers": 1})
    raw = fit_parametric(LifeTable(rows, (), "latest", None, False), model=model)
    assert len(rows) > 10 * len(table_from_rows(duration, churned).frame)
    g_fit = detail(grouped, "fits")[()]
    r_fit = detail(raw, "fits")[()]
    np.testing.assert_allclose(g_fit.theta, r_fit.theta, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(g_fit.covariance, r_fit.covariance, rtol=1e-5, atol=1e-10)
    assert g_fit.log_likelihood == pytest.approx(r_fit.log_likelihood, rel=1e-10)


@pytest.mark.slow
def test_weibull_parameters_are_recovered_with_nominal_coverage() -> None:
    rng = np.random.default_rng(2024)
    scale, shape, horizon = 30.0, 0.8, 24
    covered = {"scale_months": 0, "shape": 0, "s24": 0}
    replicates = 200
    for _ in range(replicates):
        duration, churned = discrete_weibull_sample(rng, 1500, scale, shape)
        fit = fit_parametric(
            table_from_rows(duration, churned), model="weibull", horizon_months=horizon
        )
        frame = detail(fit, "fits")[()].to_frame().set_index("parameter")
        covered["scale_months"] += (
            frame.loc["scale_months", "lower"] <= scale <= frame.loc["scale_months", "upper"]
        )
        covered["shape"] += frame.loc["shape", "lower"] <= shape <= frame.loc["shape", "upper"]
        true_s = np.exp(-((horizon / scale) ** shape))
        covered["s24"] += fit.lower[0, horizon] <= true_s <= fit.upper[0, horizon]
    for name, hits in covered.items():
        assert 0.90 <= hits / replicates <= 0.99, (name, hits)


def test_large_sample_recovers_weibull_truth_closely() -> None:
    rng = np.random.default_rng(7)
    duration, churned = discrete_weibull_sample(rng, 60_000, scale=25.0, shape=1.3)
    fit = fit_parametric(table_from_rows(duration, churned), model="weibull")
    params = detail(fit, "fits")[()].params
    assert params["scale_months"] == pytest.approx(25.0, rel=0.02)
    assert params["shape"] == pytest.approx(1.3, rel=0.02)


def test_piecewise_exponential_matches_closed_form_monthly_churn() -> None:
    rng = np.random.default_rng(4)
    duration, churned = discrete_weibull_sample(rng, 5000, scale=30.0, shape=0.7, follow_up=30)
    curves = fit_parametric(
        table_from_rows(duration, churned), model="piecewise_exponential", breakpoints=[6, 12]
    )
    fit = detail(curves, "fits")[()]
    # With whole-month pieces the MLE of the monthly churn probability of a piece is
    # churners / (churners + whole months survived in it).
    months_done = np.where(churned, duration - 1, duration)
    edges = [0, 6, 12, np.inf]
    expected = []
    for lo, hi in itertools.pairwise(edges):
        churn = np.sum(churned & (duration > lo) & (duration <= hi))
        survived = np.clip(months_done - lo, 0, hi - lo).sum()
        expected.append(-np.log1p(-churn / (churn + survived)))
    assert fit.param_names == ("hazard_0_6", "hazard_6_12", "hazard_12_inf")
    np.testing.assert_allclose(list(fit.params.values()), expected, rtol=1e-7)


def test_survival_function_matches_scipy_distributions() -> None:
    t = np.array([0.0, 0.5, 3.0, 12.0, 60.0])
    np.testing.assert_allclose(
        survival_function("weibull", {"scale_months": 20.0, "shape": 1.5}, t),
        stats.weibull_min(1.5, scale=20.0).sf(t),
    )
    np.testing.assert_allclose(
        survival_function("lognormal", {"mu_log_months": 3.0, "sigma_log_months": 0.8}, t),
        stats.lognorm(0.8, scale=np.exp(3.0)).sf(t),
    )
    np.testing.assert_allclose(
        survival_function("loglogistic", {"scale_months": 15.0, "shape": 2.0}, t),
        stats.fisk(2.0, scale=15.0).sf(t),
    )
    hazards = {"hazard_0_6": 0.05, "hazard_6_inf": 0.02}
    got = survival_function("piecewise_exponential", hazards, t, breakpoints=[6])
    cumulative = 0.05 * np.minimum(t, 6) + 0.02 * np.maximum(t - 6, 0)
    np.testing.assert_allclose(got, np.exp(-cumulative))
    with pytest.raises(CxDataError, match="`params`"):
        survival_function("weibull", {"scale": 1.0, "shape": 1.0}, t)


@pytest.mark.parametrize("model", ["lognormal", "piecewise_exponential"])
def test_fitted_curves_equal_survival_function_of_their_parameters(
    sim_table: LifeTable, model: str
) -> None:
    curves = fit_parametric(sim_table, model=model, horizon_months=48)
    for key, fit in detail(curves, "fits").items():
        assert isinstance(fit, ParametricFit)
        cuts = fit.breakpoints
        expected = survival_function(fit.model, fit.params, curves.months, breakpoints=cuts)
        np.testing.assert_allclose(curves.curve(*key), expected, rtol=1e-12)


def test_auto_picks_lowest_aic_and_curves_cover_the_grid(sim_table: LifeTable) -> None:
    curves = fit_parametric(sim_table, horizon_months=72)
    aic = detail(curves, "aic")
    assert isinstance(aic, pd.DataFrame)
    assert curves.model == "auto"
    assert curves.groups == (("detractor",), ("passive",), ("promoter",))
    assert set(aic["model"]) == {
        "weibull",
        "lognormal",
        "loglogistic",
        "exponential",
        "piecewise_exponential",
    }
    for (band,), chosen in detail(curves, "selected").items():
        rows = aic[aic["band"] == band]
        assert chosen == rows.loc[rows["aic"].idxmin(), "model"]
        assert rows.loc[rows["selected"], "model"].item() == chosen
    np.testing.assert_array_equal(curves.months, np.arange(73))
    assert np.all(curves.survival[:, 0] == 1.0)
    assert np.all(np.diff(curves.survival, axis=1) <= 0)
    assert np.all((curves.lower <= curves.survival) & (curves.survival <= curves.upper))
    frame = sim_table.frame
    for i, (band,) in enumerate(curves.groups):
        part = frame[frame["band"] == band]
        assert curves.observed_months[i] == part["duration"].max()
        assert curves.n_customers[i] == part["customers"].sum()
        assert curves.n_churned[i] == part.loc[part["churned"], "customers"].sum()
    # constant true hazards: the detractor curve lies below the promoter curve
    assert np.all(curves.curve("detractor")[1:] < curves.curve("promoter")[1:])


def test_akaike_weights_follow_the_aic_table_and_curves_are_each_familys_fit(
    sim_table: LifeTable,
) -> None:
    curves, weights = akaike_tails(sim_table, horizon_months=72)
    aic = detail(fit_parametric(sim_table, horizon_months=72), "aic")
    assert isinstance(aic, pd.DataFrame)
    assert weights.shape == (5, 3)
    np.testing.assert_allclose(weights.sum(axis=0), 1.0)
    for f, family in enumerate(curves):
        alone = fit_parametric(sim_table, model=family.model, horizon_months=72)  # type: ignore[arg-type]
        np.testing.assert_allclose(family.survival, alone.survival, rtol=1e-12)
        for g, (band,) in enumerate(family.groups):
            rows = aic[aic["band"] == band].set_index("model")["aic"]
            expected = np.exp(-(rows - rows.min()) / 2)
            assert weights[f, g] == pytest.approx(expected[family.model] / expected.sum())


def test_auto_recovers_the_generating_family() -> None:
    rng = np.random.default_rng(8)
    lifetime = np.exp(rng.normal(2.8, 0.9, 20_000))
    since = rng.integers(1, 49, lifetime.size)
    churned = lifetime <= since
    duration = np.where(churned, np.ceil(lifetime), since)
    curves = fit_parametric(table_from_rows(duration, churned))
    assert detail(curves, "selected") == {(): "lognormal"}


def test_group_without_churn_raises_model_error() -> None:
    cells = pd.DataFrame({"duration": [3, 5], "churned": [False, False], "customers": [10, 4]})
    with (
        pytest.raises(CxModelError, match="no churn events"),
        pytest.warns(CxAssumptionWarning, match="fewer than 10 churn events"),
    ):
        fit_parametric(
            LifeTable(cells, (), "latest", None, False), model="weibull", horizon_months=6
        )


def test_piece_without_churn_is_merged_into_the_piece_before_it() -> None:
    # no churn in [6, 12): its breakpoint 6 is dropped, so [0, 12) is one piece
    cells = pd.DataFrame(
        {
            "duration": [1, 2, 3, 8, 20, 20],
            "churned": [True, True, True, False, True, False],
            "customers": [30, 20, 10, 40, 5, 100],
        }
    )
    table = LifeTable(cells, (), "latest", None, False)
    merged = detail(
        fit_parametric(table, model="piecewise_exponential", horizon_months=36), "fits"
    )[()]
    explicit = detail(
        fit_parametric(table, model="piecewise_exponential", horizon_months=36, breakpoints=(12,)),
        "fits",
    )[()]
    assert merged.breakpoints == (12.0,)
    assert merged.log_likelihood == pytest.approx(explicit.log_likelihood, rel=1e-9)
    # closed form of a whole-month piece: hazard log(1 + events / completed months at
    # risk); [0, 12): 60 churners, 20*1 + 10*2 + 40*8 + 105*12 = 1620 months
    first = next(iter(merged.params.values()))
    assert first == pytest.approx(np.log1p(60 / 1620), rel=1e-5)


def test_bad_cells_raise_data_errors_naming_the_column() -> None:
    cells = pd.DataFrame({"duration": [1, -2, 1.5], "churned": [True, False, True], "customers": 3})
    with pytest.raises(CxDataError, match=r"`duration`.*2 cells"):
        fit_parametric(LifeTable(cells, (), "latest", None, False))
    cells = pd.DataFrame({"duration": [1, 2], "churned": [True, False], "customers": [3, -1]})
    with pytest.raises(CxDataError, match="`customers`"):
        fit_parametric(LifeTable(cells, (), "latest", None, False))
    with pytest.raises(CxDataError, match="`table` must be a LifeTable"):
        fit_parametric(cells)  # the raw frame, not a LifeTable
    with pytest.raises(CxDataError, match="`model`"):
        fit_parametric(LifeTable(cells.abs(), (), "latest", None, False), model="gompertz")
    with pytest.raises(CxDataError, match="`breakpoints`"):
        fit_parametric(LifeTable(cells.abs(), (), "latest", None, False), breakpoints=[12, 6])


def test_input_frame_is_not_mutated_and_month_zero_churn_counts_as_month_one() -> None:
    cells = pd.DataFrame(
        {
            "duration": [0, 1, 2, 6],
            "churned": [True, True, True, False],
            "customers": [5, 20, 15, 60],
        }
    )
    before = cells.copy()
    moved = cells.assign(duration=[1, 1, 2, 6])
    curves = fit_parametric(
        LifeTable(cells, (), "latest", None, False), model="weibull", horizon_months=12
    )
    pd.testing.assert_frame_equal(cells, before)
    same = fit_parametric(
        LifeTable(moved, (), "latest", None, False), model="weibull", horizon_months=12
    )
    np.testing.assert_allclose(curves.survival, same.survival)
    assert curves.n_churned[0] == 40


def test_to_frame_and_summary_are_tidy(sim_table: LifeTable) -> None:
    curves = fit_parametric(sim_table, model="weibull", horizon_months=60)
    frame = curves.to_frame()
    assert len(frame) == 3 * 61
    assert not frame["extrapolated"][frame["month"] <= 36].any()
    assert frame["extrapolated"][frame["month"] > 36].all()
    fit = detail(curves, "fits")[("promoter",)]
    params = fit.to_frame()
    assert list(params["parameter"]) == ["scale_months", "shape"]
    assert (params["lower"] < params["value"]).all() and (params["value"] < params["upper"]).all()
    assert fit.aic == pytest.approx(2 * 2 - 2 * fit.log_likelihood)
    assert "extrapolated" in curves.summary()


def test_curves_from_the_life_table_builder_mark_observed_tenure_per_group() -> None:
    from cx_economics.tables.life import life_table

    sim = simulate(5000, seed=17, months_observed=30)
    table = life_table(sim.customers, sim.responses, as_of=sim.as_of, by=("band", "channel"))
    curves = fit_parametric(table, model="auto", horizon_months=60)
    risk = table.risk_sets()
    assert curves.groups == risk.groups
    np.testing.assert_array_equal(curves.observed_months, risk.observed_months)
    # every band state counts once, present from month 0 or entering later
    assert risk.entered[:, 1:].sum() > 0
    np.testing.assert_array_equal(curves.n_customers, risk.entered.sum(axis=1))
    np.testing.assert_array_equal(curves.n_churned, risk.churned.sum(axis=1))
    assert curves.survival.shape == (len(risk.groups), 61)
    assert np.all(np.isfinite(curves.survival)) and np.all(curves.survival[:, 0] == 1.0)
