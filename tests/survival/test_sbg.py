"""Shifted-beta-geometric model (cx_economics.survival.sbg).

Independent checks: the published fits of Fader & Hardie (2007) on their worked
example (tests/reference/sbg_fader_hardie_2007.json); a direct Monte-Carlo simulation
of beta-distributed churn probabilities for the survival formula; and simulations with
known alpha, beta for recovery and interval coverage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cx_economics.core.exceptions import CxDataError, CxModelError
from cx_economics.survival.curves import ChurnCurves
from cx_economics.survival.sbg import SbgFit, fit_sbg, fit_sbg_counts
from cx_economics.tables.life import LifeTable

REFERENCE = json.loads(
    (Path(__file__).parents[1] / "reference" / "sbg_fader_hardie_2007.json").read_text()
)


def detail(curves: ChurnCurves, name: str) -> Any:
    details = curves.details
    assert details is not None
    return details[name]


def sbg_cohort(rng: np.random.Generator, n: int, alpha: float, beta: float) -> np.ndarray:
    """Churn period of each customer: p ~ Beta(alpha, beta), then T ~ Geometric(p) on 1, 2, …"""
    return rng.geometric(rng.beta(alpha, beta, n))


def survivors_of(periods: np.ndarray, n_periods: int) -> np.ndarray:
    """Customers alive at the start of periods 0..n_periods (plain counting)."""
    churned_in = np.bincount(np.minimum(periods, n_periods + 1), minlength=n_periods + 2)
    return periods.size - np.cumsum(churned_in)[: n_periods + 1]


@pytest.mark.parametrize("segment", ["regular", "high_end"])
def test_published_fader_hardie_estimates(segment: str) -> None:
    case = REFERENCE["segments"][segment]
    fit = fit_sbg_counts(case["survivors"])
    tolerance = 0.5 * 10.0 ** -REFERENCE["reported_decimals"]
    assert fit.alpha.value == pytest.approx(case["alpha"], abs=tolerance)
    assert fit.beta.value == pytest.approx(case["beta"], abs=tolerance)
    assert fit.alpha.contains(case["alpha"]) and fit.beta.contains(case["beta"])
    # retention rises with tenure, as the paper stresses
    assert np.all(np.diff(fit.retention) > 0)
    assert fit.n_periods == 7 and fit.n_customers == 1000


def test_survival_formula_matches_monte_carlo_of_beta_churn_probabilities() -> None:
    fit = fit_sbg_counts(REFERENCE["segments"]["regular"]["survivors"])
    rng = np.random.default_rng(42)
    n = 400_000
    periods = sbg_cohort(rng, n, fit.alpha.value, fit.beta.value)
    t = np.arange(0, 13)
    empirical = (periods[:, None] > t[None, :]).mean(axis=0)
    se = np.sqrt(empirical * (1 - empirical) / n) + 1e-12
    assert np.all(np.abs(fit.survival(t) - empirical) < 4 * se)
    # retention rate r_t = S(t) / S(t-1)
    empirical_retention = empirical[1:] / empirical[:-1]
    np.testing.assert_allclose(fit.retention_rate(t[1:]), empirical_retention, atol=0.01)


def test_alpha_beta_recovered_from_a_censored_life_table() -> None:
    rng = np.random.default_rng(9)
    alpha, beta, n = 0.8, 2.5, 30_000
    periods = sbg_cohort(rng, n, alpha, beta)
    since = rng.integers(1, 25, n)  # joined uniformly over two years: right-censoring
    churned = periods <= since
    rows = pd.DataFrame({"duration": np.where(churned, periods, since), "churned": churned})
    cells = rows.groupby(["duration", "churned"]).size().rename("customers").reset_index()
    curves = fit_sbg(LifeTable(cells, (), "latest", None, False), horizon_months=36)
    fit = detail(curves, "fits")[()]
    assert fit.alpha.contains(alpha) and fit.beta.contains(beta)
    assert curves.model == "sbg"
    true_s = np.exp(
        [np.sum(np.log((beta + np.arange(m)) / (alpha + beta + np.arange(m)))) for m in range(37)]
    )
    assert np.all((curves.lower[0] <= true_s + 1e-12) & (true_s <= curves.upper[0] + 1e-12))


@pytest.mark.slow
def test_interval_coverage_over_simulated_cohorts() -> None:
    rng = np.random.default_rng(123)
    alpha, beta, replicates = 1.2, 4.0, 300
    covered = np.zeros(2)
    for _ in range(replicates):
        fit = fit_sbg_counts(survivors_of(sbg_cohort(rng, 1500, alpha, beta), 8))
        covered += [fit.alpha.contains(alpha), fit.beta.contains(beta)]
    assert np.all((covered / replicates >= 0.91) & (covered / replicates <= 0.99)), covered


def test_life_table_fit_equals_counts_fit_without_censoring() -> None:
    survivors = np.array(REFERENCE["segments"]["high_end"]["survivors"])
    churners = -np.diff(survivors)
    periods = np.arange(1, survivors.size)
    cells = pd.DataFrame(
        {
            "band": "promoter",
            "duration": [*periods, periods[-1]],
            "churned": [True] * periods.size + [False],
            "customers": [*churners, survivors[-1]],
        }
    )
    curves = fit_sbg(LifeTable(cells, ("band",), "latest", None, False), horizon_months=12)
    from_table = detail(curves, "fits")[("promoter",)]
    from_counts = fit_sbg_counts(survivors)
    assert isinstance(from_table, SbgFit)
    np.testing.assert_allclose(from_table.theta, from_counts.theta, rtol=1e-9)
    np.testing.assert_allclose(from_table.covariance, from_counts.covariance, rtol=1e-5)
    np.testing.assert_allclose(curves.curve("promoter"), from_counts.survival(np.arange(13)))
    assert curves.observed_months[0] == 7 and curves.n_churned[0] == survivors[0] - survivors[-1]


def test_groups_are_fitted_separately() -> None:
    frames = []
    for band, survivors in (
        ("detractor", REFERENCE["segments"]["regular"]["survivors"]),
        ("promoter", REFERENCE["segments"]["high_end"]["survivors"]),
    ):
        s = np.array(survivors)
        frames.append(
            pd.DataFrame(
                {
                    "band": band,
                    "duration": [*range(1, 8), 7],
                    "churned": [True] * 7 + [False],
                    "customers": [*-np.diff(s), s[-1]],
                }
            )
        )
    table = LifeTable(pd.concat(frames, ignore_index=True), ("band",), "latest", None, False)
    curves = fit_sbg(table, horizon_months=12)
    assert detail(curves, "alpha")[("detractor",)] == pytest.approx(0.704, abs=5e-4)
    assert detail(curves, "beta")[("promoter",)] == pytest.approx(3.806, abs=5e-4)
    assert np.all(curves.curve("detractor")[1:] < curves.curve("promoter")[1:])


def test_homogeneous_churn_is_refused_with_advice() -> None:
    with pytest.raises(CxModelError, match="no spread"):
        fit_sbg_counts(np.round(1000 * 0.9 ** np.arange(10)))


def test_bad_survivor_series_raise_data_errors() -> None:
    with pytest.raises(CxDataError, match="must not increase"):
        fit_sbg_counts([1000, 600, 700, 300])
    with pytest.raises(CxDataError, match="≥ 2 counts"):
        fit_sbg_counts([1000])
    with pytest.raises(CxDataError, match="finite counts"):
        fit_sbg_counts([1000, -5])
    with pytest.raises(CxModelError, match="no churn"):
        fit_sbg_counts([1000, 1000, 1000])


def test_cohort_that_churned_completely_is_fitted() -> None:
    rng = np.random.default_rng(6)
    periods = sbg_cohort(rng, 20_000, 0.9, 1.6)
    horizon = int(periods.max())
    fit = fit_sbg_counts(survivors_of(periods, horizon))  # ends at 0: nobody censored
    assert fit.alpha.contains(0.9) and fit.beta.contains(1.6)
    assert fit.n_churned == fit.n_customers == 20_000


def test_result_frames_and_notes() -> None:
    fit = fit_sbg_counts(REFERENCE["segments"]["regular"]["survivors"])
    frame = fit.to_frame()
    assert list(frame["parameter"]) == ["alpha", "beta"]
    assert (frame["lower"] < frame["value"]).all() and (frame["value"] < frame["upper"]).all()
    assert "retention rises" in fit.summary()
    lower, upper = fit.survival_interval(np.arange(13))
    assert lower[0] == upper[0] == 1.0
    assert np.all((lower <= fit.survival(np.arange(13))) & (fit.survival(np.arange(13)) <= upper))


@pytest.mark.parametrize(
    ("alpha", "beta", "renewals", "rate"),
    [(0.668, 3.806, 4, 0.10), (1.2, 0.8, 0, 0.05), (3.0, 9.0, 11, 0.2), (0.3, 0.3, 2, 0.5)],
)
def test_derl_equals_the_discounted_sum_of_sbg_survival(
    alpha: float, beta: float, renewals: int, rate: float
) -> None:
    from scipy.special import betaln

    from cx_economics.survival.sbg import discounted_expected_residual_lifetime

    # brute force: sum over periods t >= n of S(t) / S(n - 1), discounted by t - n periods,
    # with S(t) = B(alpha, beta + t) / B(alpha, beta)
    n = renewals + 1
    t = np.arange(n, 200_000)
    terms = np.exp(betaln(alpha, beta + t) - betaln(alpha, beta + n - 1) - (t - n) * np.log1p(rate))
    derl = discounted_expected_residual_lifetime(alpha, beta, renewals, rate)
    assert derl == pytest.approx(terms.sum(), rel=1e-9)


def test_derl_refuses_bad_parameters() -> None:
    from cx_economics.survival.sbg import discounted_expected_residual_lifetime

    with pytest.raises(CxDataError, match="`discount_rate` must be a positive number"):
        discounted_expected_residual_lifetime(1.0, 1.0, 0, 0.0)
    with pytest.raises(CxDataError, match="`renewals` must be a whole number"):
        discounted_expected_residual_lifetime(1.0, 1.0, -1, 0.1)
