"""Restricted mean survival (cx_economics.survival.rmst).

Independent checks: the closed form for a constant monthly hazard; lifelines'
``restricted_mean_survival_time`` on a lifelines Kaplan–Meier fit; the plain sample
variance when nothing is censored; simulations with known truth for the coverage of
the Greenwood and delta-method intervals; and a parametric bootstrap of the sBG
closed form for its delta-method standard error.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import restricted_mean_survival_time
from scipy import special

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.datasets import SimulationTruth, simulate
from cx_economics.survival.curves import ChurnCurves
from cx_economics.survival.parametric import fit_parametric
from cx_economics.survival.rmst import RmstResult, restricted_mean_survival
from cx_economics.survival.sbg import fit_sbg_counts
from cx_economics.tables.life import LifeTable


def table_from_rows(duration: np.ndarray, churned: np.ndarray, band: np.ndarray) -> LifeTable:
    rows = pd.DataFrame({"band": band, "duration": duration, "churned": churned})
    cells = rows.groupby(["band", "duration", "churned"]).size().rename("customers").reset_index()
    return LifeTable(cells, ("band",), "latest", None, False)


def km_curves(
    duration: np.ndarray, churned: np.ndarray, band: np.ndarray, months: int
) -> tuple[ChurnCurves, dict[str, KaplanMeierFitter]]:
    """Kaplan–Meier curves per band from lifelines, on the whole-month grid."""
    keys = sorted(set(band))
    grid = np.arange(months + 1, dtype=np.float64)
    fitters = {b: KaplanMeierFitter().fit(duration[band == b], churned[band == b]) for b in keys}
    survival = np.vstack([fitters[b].survival_function_at_times(grid).to_numpy() for b in keys])
    curves = ChurnCurves(
        model="km",
        group_columns=("band",),
        groups=tuple((b,) for b in keys),
        months=grid,
        survival=survival,
        lower=survival,
        upper=survival,
        observed_months=np.array([duration[band == b].max() for b in keys], dtype=np.float64),
        n_customers=np.array([np.sum(band == b) for b in keys], dtype=np.int64),
        n_churned=np.array([np.sum(churned[band == b]) for b in keys], dtype=np.int64),
    )
    return curves, fitters


def geometric_sample(
    rng: np.random.Generator, n: int, monthly_churn: float, follow_up: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Churn month ~ Geometric(monthly_churn); optional uniform entry over follow_up months."""
    month = rng.geometric(monthly_churn, n)
    if follow_up is None:
        return month, np.ones(n, dtype=bool)
    since = rng.integers(1, follow_up + 1, n)
    churned = month <= since
    return np.where(churned, month, since), churned


def geometric_rmst(monthly_churn: float, horizon: int) -> float:
    q = 1.0 - monthly_churn
    return q * (1.0 - q**horizon) / (1.0 - q)


def test_constant_hazard_matches_closed_form_and_flags_missing_interval() -> None:
    hazards = np.array([0.03, 0.011])
    months = np.arange(61, dtype=np.float64)
    survival = np.exp(-hazards[:, None] * months[None, :])
    curves = ChurnCurves(
        "given", ("band",), (("detractor",), ("promoter",)), months, survival, survival,
        survival, np.array([60.0, 60.0]), np.array([10, 10]), np.array([5, 5]),
    )  # fmt: skip
    with pytest.warns(CxAssumptionWarning, match="no valid variance"):
        result = restricted_mean_survival(curves, 36)
    expected = [geometric_rmst(1 - np.exp(-h), 36) for h in hazards]
    np.testing.assert_allclose(result.rmst_months, expected, rtol=1e-12)
    assert result.variance_method == ("none", "none")
    assert np.isnan(result.lower).all() and "no interval" in result.summary()


def test_km_rmst_matches_lifelines_integral() -> None:
    sim = simulate(5000, truth=SimulationTruth(team_nps_sd=0.0), seed=21, months_observed=36)
    duration = sim.customers["tenure_months"].to_numpy().astype(np.int64)
    churned = sim.customers["churned"].to_numpy(bool)
    band = sim.latent_band.to_numpy()
    curves, fitters = km_curves(duration, churned, band, months=48)
    table = table_from_rows(duration, churned, band)
    for horizon in (12, 30):
        result = restricted_mean_survival(curves, horizon, table=table)
        assert result.variance_method == ("greenwood",) * 3
        for i, (b,) in enumerate(curves.groups):
            # lifelines integrates the step curve, counting the month of churn in full
            integral = restricted_mean_survival_time(fitters[b], t=horizon)
            s_h = curves.survival[i, horizon]
            assert result.rmst_months[i] == pytest.approx(integral - 1.0 + s_h, rel=1e-10)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_greenwood_variance_without_censoring_is_the_sample_variance() -> None:
    rng = np.random.default_rng(1)
    duration, churned = geometric_sample(rng, 2000, 0.08, follow_up=None)
    band = np.full(duration.size, "passive")
    horizon = int(duration.max())
    curves, fitters = km_curves(duration, churned, band, months=horizon)
    table = table_from_rows(duration, churned, band)
    for h in (12, horizon):
        result = restricted_mean_survival(curves, h, table=table)
        months_survived = np.minimum(duration - 1, h)  # whole months completed, capped
        assert result.rmst_months[0] == pytest.approx(months_survived.mean(), rel=1e-12)
        assert result.std_error[0] ** 2 == pytest.approx(
            months_survived.var() / duration.size, rel=1e-9
        )
    # with the horizon beyond every churn, lifelines' variance of min(T, H) over n agrees
    # (it integrates 2 t S(t) of the step curve with scipy's quad, hence the tolerance)
    _, variance = restricted_mean_survival_time(fitters["passive"], t=horizon, return_variance=True)
    assert result.std_error[0] ** 2 == pytest.approx(variance / duration.size, rel=1e-3)


@pytest.mark.slow
def test_greenwood_interval_covers_the_truth_under_censoring() -> None:
    rng = np.random.default_rng(77)
    monthly_churn, horizon, replicates = 0.05, 18, 200
    truth = geometric_rmst(monthly_churn, horizon)
    estimates, errors, covered = [], [], 0
    for _ in range(replicates):
        duration, churned = geometric_sample(rng, 600, monthly_churn, follow_up=24)
        band = np.full(duration.size, "promoter")
        curves, _ = km_curves(duration, churned, band, months=24)
        result = restricted_mean_survival(
            curves, horizon, table=table_from_rows(duration, churned, band)
        )
        estimates.append(result.rmst_months[0])
        errors.append(result.std_error[0])
        covered += result.estimate("promoter").contains(truth)
    assert np.mean(errors) == pytest.approx(np.std(estimates), rel=0.12)
    assert 0.90 <= covered / replicates <= 0.99


@pytest.mark.slow
def test_delta_interval_of_a_parametric_fit_covers_the_truth() -> None:
    rng = np.random.default_rng(5)
    monthly_churn, horizon, replicates = 0.04, 36, 200
    truth = geometric_rmst(monthly_churn, horizon)
    estimates, errors, covered = [], [], 0
    for _ in range(replicates):
        duration, churned = geometric_sample(rng, 800, monthly_churn, follow_up=24)
        table = table_from_rows(duration, churned, np.full(duration.size, "passive"))
        curves = fit_parametric(table, model="exponential", horizon_months=40)
        result = restricted_mean_survival(curves, horizon)
        assert result.variance_method == ("delta",)
        assert bool(result.extrapolated[0])
        estimates.append(result.rmst_months[0])
        errors.append(result.std_error[0])
        covered += result.lower[0] <= truth <= result.upper[0]
    assert np.mean(errors) == pytest.approx(np.std(estimates), rel=0.12)
    assert 0.90 <= covered / replicates <= 0.99


def test_sbg_delta_standard_error_matches_parametric_bootstrap() -> None:
    fit = fit_sbg_counts([1000, 631, 468, 382, 326, 289, 262, 241])
    months = np.arange(25, dtype=np.float64)
    survival = fit.survival(months)[None, :]
    curves = ChurnCurves(
        "sbg", ("segment",), (("regular",),), months, survival, survival, survival,
        np.array([7.0]), np.array([1000]), np.array([759]),
        details={"fits": {("regular",): fit}},
    )  # fmt: skip
    result = restricted_mean_survival(curves, 24)
    draws = np.random.default_rng(0).multivariate_normal(fit.theta, fit.covariance, 20_000)
    a, b = np.exp(draws[:, :1]), np.exp(draws[:, 1:])
    t = np.arange(1, 25)[None, :]
    rmst_draws = np.exp(special.betaln(a, b + t) - special.betaln(a, b)).sum(axis=1)
    assert result.variance_method == ("delta",)
    assert result.std_error[0] == pytest.approx(rmst_draws.std(), rel=0.05)


def test_table_that_did_not_produce_the_curves_is_refused() -> None:
    rng = np.random.default_rng(2)
    duration, churned = geometric_sample(rng, 500, 0.05, follow_up=24)
    band = np.full(duration.size, "passive")
    curves, _ = km_curves(duration, churned, band, months=24)
    other = table_from_rows(duration, ~churned, band)
    with pytest.raises(CxDataError, match="does not reproduce"):
        restricted_mean_survival(curves, 12, table=other)


def test_bad_horizons_and_missing_curves_raise() -> None:
    months = np.arange(13, dtype=np.float64)
    survival = np.exp(-0.05 * months)[None, :]
    with_nan = survival.copy()
    with_nan[0, 10:] = np.nan
    args = (("band",), (("promoter",),), months)
    counts = (np.array([12.0]), np.array([5]), np.array([1]))
    curves = ChurnCurves("given", *args, survival, survival, survival, *counts)
    for horizon in (0, 13):
        with pytest.raises(CxDataError, match="`horizon_months`"):
            restricted_mean_survival(curves, horizon)
    gappy = ChurnCurves("km", *args, with_nan, with_nan, with_nan, *counts)
    with pytest.raises(CxDataError, match="NaN"):
        restricted_mean_survival(gappy, 12)


def test_result_frame_is_tidy() -> None:
    rng = np.random.default_rng(3)
    duration, churned = geometric_sample(rng, 3000, 0.03, follow_up=30)
    band = np.where(rng.random(duration.size) < 0.5, "detractor", "promoter")
    table = table_from_rows(duration, churned, band)
    result = restricted_mean_survival(fit_parametric(table, model="weibull"), 24, level=0.9)
    assert isinstance(result, RmstResult)
    frame = result.to_frame()
    assert list(frame["band"]) == ["detractor", "promoter"]
    assert set(frame.columns) >= {"rmst_months", "std_error", "lower", "upper", "variance_method"}
    assert (frame["lower"] < frame["rmst_months"]).all()
    assert (frame["rmst_months"] < frame["upper"]).all() and (frame["upper"] <= 24).all()
    assert (frame["level"] == 0.9).all()


def test_kaplan_meier_curves_from_the_life_table_builder_get_greenwood_intervals() -> None:
    from cx_economics.survival.km import kaplan_meier
    from cx_economics.tables.life import life_table

    sim = simulate(4000, seed=31, months_observed=30)
    table = life_table(sim.customers, sim.responses, as_of=sim.as_of)
    curves = kaplan_meier(table, horizon_months=36)
    result = restricted_mean_survival(curves, 24, table=table)
    assert result.variance_method == ("greenwood",) * len(curves.groups)
    assert np.all(result.std_error > 0) and not result.extrapolated.any()
    # the same numbers from lifelines on the expanded customer rows
    rows = table.frame.loc[table.frame.index.repeat(table.frame["customers"])]
    for i, key in enumerate(curves.groups):
        part = rows[rows["band"] == key[0]]
        kmf = KaplanMeierFitter().fit(part["duration"], part["churned"], entry=part["entry"])
        integral = restricted_mean_survival_time(kmf, t=24)
        assert result.rmst_months[i] == pytest.approx(
            integral - 1.0 + curves.survival[i, 24], rel=1e-10
        )
    # kaplan_meier keeps the risk sets in details["at_risk"]: no table needed
    without_table = restricted_mean_survival(curves, 24)
    assert without_table.variance_method == result.variance_method
    np.testing.assert_allclose(without_table.std_error, result.std_error, rtol=1e-9)
    # a curve that keeps falling where nobody is at risk is not a Kaplan–Meier curve
    tail = curves.survival.copy()
    tail[:, 31:] *= np.exp(-0.02 * np.arange(1, 7))
    spliced = dataclasses.replace(curves, survival=tail, lower=tail, upper=tail)
    with pytest.warns(CxAssumptionWarning, match="no valid variance"):
        beyond = restricted_mean_survival(spliced, 36)
    assert set(beyond.variance_method) == {"none"}
    assert restricted_mean_survival(spliced, 30).variance_method == result.variance_method
