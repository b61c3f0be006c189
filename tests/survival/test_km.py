"""Kaplan–Meier and log-rank on the life table against lifelines, statsmodels and a loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.datasets import simulate
from cx_economics.survival.curves import ChurnCurves
from cx_economics.survival.km import kaplan_meier, km_summary, logrank_test
from cx_economics.tables.life import LifeTable, life_table


@pytest.fixture(scope="module")
def table() -> LifeTable:
    sim = simulate(6_000, seed=11)
    return life_table(sim.customers, sim.responses, by=("band", "channel"), as_of=sim.as_of)


def _rows_of(raw: pd.DataFrame, key: tuple[str, ...], columns: tuple[str, ...]) -> pd.DataFrame:
    mask = np.ones(len(raw), dtype=bool)
    for column, value in zip(columns, key, strict=True):
        mask &= raw[column].to_numpy() == value
    return raw[mask]


def _lifelines_on_grid(part: pd.DataFrame, months: np.ndarray) -> np.ndarray:
    kmf = KaplanMeierFitter().fit(part["duration"], part["churned"], entry=part["entry"])
    frame = pd.concat([kmf.survival_function_, kmf.confidence_interval_], axis=1)
    values: np.ndarray = frame.reindex(months, method="ffill").to_numpy()
    return values


def test_survival_and_interval_equal_lifelines_on_raw_rows(table: LifeTable) -> None:
    curves = kaplan_meier(table)
    raw = table.expand()
    for g, key in enumerate(curves.groups):
        theirs = _lifelines_on_grid(_rows_of(raw, key, curves.group_columns), curves.months)
        if np.isnan(theirs[0, 0]):  # lifelines' curve starts at the first entry: S(0) = 1
            theirs[0] = 1.0
        last = int(curves.observed_months[g]) + 1
        np.testing.assert_allclose(curves.survival[g, :last], theirs[:last, 0], rtol=0, atol=1e-10)
        np.testing.assert_allclose(curves.lower[g, :last], theirs[:last, 1], rtol=0, atol=1e-10)
        np.testing.assert_allclose(curves.upper[g, :last], theirs[:last, 2], rtol=0, atol=1e-10)
    # every band state once: a customer who moved band counts in both
    assert curves.n_customers.sum() == table.frame["customers"].sum() > table.n_customers
    assert curves.n_churned.sum() == table.n_churned


def test_survival_and_greenwood_error_equal_statsmodels(table: LifeTable) -> None:
    curves = kaplan_meier(table.collapse(["band"]), level=0.9)
    raw = table.expand()
    z = stats.norm.ppf(0.95)
    for g, (band,) in enumerate(curves.groups):
        part = raw[raw["band"] == band]
        sf = SurvfuncRight(
            part["duration"].to_numpy(float),
            part["churned"].to_numpy(float),
            entry=part["entry"].to_numpy(float),
        )
        times = sf.surv_times.astype(int)
        np.testing.assert_allclose(curves.survival[g, times], sf.surv_prob, rtol=0, atol=1e-10)
        # log(-log S) interval rebuilt from statsmodels' Greenwood standard error
        log_s = np.log(sf.surv_prob)
        half = z * sf.surv_prob_se / (sf.surv_prob * np.abs(log_s))
        np.testing.assert_allclose(curves.lower[g, times], np.exp(log_s * np.exp(half)), atol=1e-10)
        np.testing.assert_allclose(
            curves.upper[g, times], np.exp(log_s * np.exp(-half)), atol=1e-10
        )


def test_equals_a_deliberately_simple_loop() -> None:
    cells = pd.DataFrame(
        {
            "band": ["detractor"] * 5 + ["promoter"] * 3,
            "duration": [1, 2, 2, 4, 5, 1, 3, 3],
            "churned": [True, True, False, False, True, False, True, False],
            "customers": [3, 2, 4, 1, 2, 5, 1, 6],
        }
    )
    curves = kaplan_meier(LifeTable(cells, ("band",), "latest", None, False), horizon_months=7)
    raw = LifeTable(cells, ("band",), "latest", None, False).expand()
    z = stats.norm.ppf(0.975)
    for g, (band,) in enumerate(curves.groups):
        d_all = raw[raw.band == band]
        s, greenwood = 1.0, 0.0
        for t in range(8):
            if t > 0:
                n = int((d_all.duration >= t).sum())
                d = int(((d_all.duration == t) & d_all.churned).sum())
                if n > 0:
                    s *= 1 - d / n
                    greenwood += d / (n * (n - d)) if n > d else 0.0
            assert curves.survival[g, t] == pytest.approx(s, abs=1e-14)
            if 0 < s < 1:
                width = z * np.sqrt(greenwood) / abs(np.log(s))
                assert curves.lower[g, t] == pytest.approx(s ** np.exp(width), abs=1e-14)
                assert curves.upper[g, t] == pytest.approx(s ** np.exp(-width), abs=1e-14)
    # flat beyond the data, marked extrapolated
    assert curves.observed_months.tolist() == [5.0, 3.0]
    assert curves.survival[1, 3] == curves.survival[1, 7]
    frame = curves.to_frame()
    assert frame.loc[frame.band == "promoter", "extrapolated"].sum() == 4
    # promoters never fall to 0.5 (S = 6/7 from month 3 on): median not reached
    summary = km_summary(curves, months=(3,))
    assert summary.median_months[1] == np.inf and np.isfinite(summary.median_months[0])
    assert "median tenure inf" in summary.summary()


def test_median_and_churn_by_month_equal_lifelines(table: LifeTable) -> None:
    by_band = table.collapse(["band"])
    curves = kaplan_meier(by_band)
    summary = km_summary(curves, months=(3, 6, 12, 24))
    raw = by_band.expand()
    for g, (band,) in enumerate(curves.groups):
        part = raw[raw.band == band]
        kmf = KaplanMeierFitter().fit(part["duration"], part["churned"], entry=part["entry"])
        assert summary.median_months[g] == kmf.median_survival_time_
        ci = median_survival_times(kmf.confidence_interval_).to_numpy().ravel()
        assert (summary.median_lower[g], summary.median_upper[g]) == (ci[0], ci[1])
        expected = 1 - kmf.survival_function_at_times([3, 6, 12, 24]).to_numpy()
        np.testing.assert_allclose(summary.churn[g], expected, atol=1e-12)
    assert np.isfinite(summary.median_months).all()
    frame = summary.to_frame()
    assert len(frame) == 4 * 5 and set(frame["unit"]) == {"fraction", "months"}
    churn_at = curves.churn_at(12)
    np.testing.assert_allclose(churn_at["churn"], summary.churn[:, 2])


def _survdiff(raw: pd.DataFrame, group: pd.Series) -> tuple[float, float]:
    """statsmodels' log-rank with delayed entry on the (entry, duration] rows."""
    chi_square, p_value = survdiff(
        raw["duration"].to_numpy(float),
        raw["churned"].to_numpy(float),
        group.to_numpy(),
        entry=raw["entry"].to_numpy(float),
    )
    return float(chi_square), float(p_value)


def test_logrank_equals_statsmodels_survdiff_with_delayed_entry(table: LifeTable) -> None:
    raw = table.expand()
    assert (raw["entry"] > 0).any()  # the band states enter late: truncation is tested
    rated = raw[raw["band"] != "unrated"]
    chi_square, p_value = _survdiff(rated, rated["band"])
    ours = logrank_test(table, by=["band"])
    assert ours.chi_square == pytest.approx(chi_square, rel=1e-8)
    # statsmodels' p-value is 1 - cdf (0.0 below 1e-16): compare with the chi-square tail
    assert ours.df == 2 and p_value == pytest.approx(stats.chi2.sf(chi_square, 2), abs=1e-15)
    assert ours.p_value == pytest.approx(stats.chi2.sf(chi_square, 2), rel=1e-6)
    with_unrated = logrank_test(table, by=["band"], include_unrated=True)
    assert with_unrated.chi_square == pytest.approx(_survdiff(raw, raw["band"])[0], rel=1e-8)
    cross = raw["band"] + "/" + raw["channel"]
    assert logrank_test(table, include_unrated=True).chi_square == pytest.approx(
        _survdiff(raw, cross)[0], rel=1e-8
    )
    observed = ours.by_group()["observed"].sum()
    assert observed == pytest.approx(ours.by_group()["expected"].sum())


def test_logrank_keeps_its_size_under_no_difference() -> None:
    # 400 independent two-group samples with one hazard, drawn as a life table directly
    rng = np.random.default_rng(7)
    rejections = 0
    for _ in range(400):
        durations = rng.geometric(0.08, size=(2, 150))
        censor = rng.integers(1, 13, size=(2, 150))
        churned = durations <= censor
        duration = np.minimum(durations, censor)
        rows = [
            (band, int(d), bool(c))
            for band, ds, cs in zip(("detractor", "promoter"), duration, churned, strict=True)
            for d, c in zip(ds, cs, strict=True)
        ]
        cells = pd.DataFrame(rows, columns=["band", "duration", "churned"]).value_counts()
        frame = cells.rename("customers").reset_index()
        result = logrank_test(LifeTable(frame, ("band",), "latest", None, False))
        rejections += result.p_value < 0.05
    assert 0.025 <= rejections / 400 <= 0.08


def test_bad_arguments_are_refused(table: LifeTable) -> None:
    with pytest.raises(CxDataError, match="`level` must be"):
        kaplan_meier(table, level=95)
    with pytest.raises(CxDataError, match="`horizon_months` must be at least 1"):
        kaplan_meier(table, horizon_months=0)
    with pytest.raises(CxDataError, match="not on the curves' grid"):
        km_summary(kaplan_meier(table, horizon_months=10), months=(12,))
    with pytest.raises(CxDataError, match="at least two groups"):
        logrank_test(table.collapse([]))


def test_curves_satisfy_the_result_contract(table: LifeTable) -> None:
    curves = kaplan_meier(table, horizon_months=60)
    assert isinstance(curves, ChurnCurves) and curves.model == "km"
    assert np.all(np.diff(curves.survival, axis=1) <= 1e-15)
    assert np.all((curves.lower <= curves.survival) & (curves.survival <= curves.upper))
    assert curves.survival.shape == (len(table.groups), 61)
    assert "extrapolated" in curves.summary()
    assert "Log-rank test" in logrank_test(table).summary()
