"""Hazard ratios: exact against raw-row fits, cross-library Cox, truth and coverage."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from lifelines import CoxPHFitter
from statsmodels.duration.hazard_regression import PHReg

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.data.datasets import SimulationTruth, simulate
from cx_economics.survival.hazards import (
    HazardRatios,
    check_proportional_hazards,
    hazard_ratios,
)
from cx_economics.tables.life import LifeTable, life_table

PURE = SimulationTruth(reasons={})  # no contact effects: band and channel only


@pytest.fixture(scope="module")
def table() -> LifeTable:
    sim = simulate(20_000, seed=3, truth=PURE)
    return life_table(sim.customers, sim.responses, by=("band", "channel"), as_of=sim.as_of)


def _raw_dummies(raw: pd.DataFrame) -> pd.DataFrame:
    """Treatment coding by hand: promoter and the first channel (branch) are references."""
    out = pd.DataFrame(index=raw.index)
    for band in ("detractor", "passive", "unrated"):
        out[f"band={band}"] = (raw["band"] == band).astype(float)
    for channel in ("chat", "phone", "web"):
        out[f"channel={channel}"] = (raw["channel"] == channel).astype(float)
    return out


def test_discrete_model_on_the_table_equals_the_glm_on_raw_person_months() -> None:
    sim = simulate(3_000, seed=21, truth=PURE, months_observed=24)
    table = life_table(sim.customers, sim.responses, by=("band", "channel"), as_of=sim.as_of)
    ours = hazard_ratios(table)
    raw = table.expand()
    # one row per customer state and month at risk (entry + 1 .. duration), by repetition
    assert (raw["entry"] > 0).any()
    months_at_risk = (raw["duration"] - raw["entry"]).to_numpy()
    person = raw.loc[raw.index.repeat(months_at_risk)].reset_index(drop=True)
    person["month"] = np.concatenate(
        [np.arange(e + 1, d + 1) for e, d in zip(raw["entry"], raw["duration"], strict=True)]
    )
    person["event"] = (person["churned"] & (person["month"] == person["duration"])).astype(float)
    churn_months = person.loc[person["event"] == 1, "month"].unique()
    person = person[person["month"].isin(churn_months)]
    fit = smf.glm(
        "event ~ 0 + C(month) + C(band, Treatment('promoter')) + C(channel)",
        data=person,
        family=sm.families.Binomial(link=sm.families.links.CLogLog()),
    ).fit(tol=1e-12)
    names = [n for n in fit.params.index if not n.startswith("C(month)")]
    np.testing.assert_allclose(
        ours.terms["log_hazard_ratio"], fit.params[names].to_numpy(), rtol=0, atol=1e-8
    )
    np.testing.assert_allclose(ours.terms["std_error"], fit.bse[names].to_numpy(), rtol=1e-7)
    assert ours.details["log_likelihood"] == pytest.approx(fit.llf, rel=1e-10)


def test_cox_on_the_table_agrees_with_phreg_and_lifelines_on_raw_rows(table: LifeTable) -> None:
    ours = hazard_ratios(table, method="cox")
    raw = table.expand()
    x = _raw_dummies(raw)
    efron = PHReg(
        raw["duration"].to_numpy(float),
        x.to_numpy(),
        status=raw["churned"].to_numpy(float),
        # PHReg counts a row entering at t as at risk for an event at t; on (entry,
        # stop] rows it is not, so enter half a month later (no event lies in between)
        entry=raw["entry"].to_numpy(float) + 0.5,
        ties="efron",
    ).fit()
    # lifelines' weighted Efron treats a cell as one tied unit: measured 5e-4 on log HR here
    np.testing.assert_allclose(ours.terms["log_hazard_ratio"], efron.params, atol=2e-3)
    np.testing.assert_allclose(ours.terms["std_error"], efron.bse, rtol=1e-2)
    # the two libraries agree with each other on the raw rows (same Efron likelihood)
    data = x.assign(duration=raw["duration"], churned=raw["churned"], entry=raw["entry"])
    lifelines_raw = CoxPHFitter().fit(data, "duration", "churned", entry_col="entry")
    np.testing.assert_allclose(lifelines_raw.params_.to_numpy(), efron.params, atol=1e-5)
    assert list(ours.terms["term"]) == list(x.columns)


def test_discrete_and_cox_agree_and_recover_the_true_ratios(table: LifeTable) -> None:
    discrete = hazard_ratios(table)
    cox = hazard_ratios(table, method="cox")
    np.testing.assert_allclose(
        discrete.terms["log_hazard_ratio"], cox.terms["log_hazard_ratio"], atol=3e-3
    )
    for band in ("detractor", "passive"):
        estimate = discrete.ratio(band)
        assert estimate.contains(PURE.hazard_ratio(band))
    for channel in ("chat", "phone", "web"):
        true = PURE.channel_hazard_ratio[channel] / PURE.channel_hazard_ratio["branch"]
        assert discrete.ratio(channel, "channel").contains(true)
    assert discrete.ratio("promoter").value == 1.0
    assert discrete.references == {"band": "promoter", "channel": "branch"}


@pytest.mark.slow
def test_discrete_intervals_cover_the_truth_near_nominally() -> None:
    # 200 independent bases; channels share one hazard so band is the only effect
    truth = SimulationTruth(reasons={}, channel_hazard_ratio={})
    hits = np.zeros(2)
    for seed in range(200):
        sim = simulate(2_000, seed=seed, truth=truth, months_observed=12)
        customers = sim.customers.assign(
            band=sim.latent_band.to_numpy(), duration=sim.customers["tenure_months"].astype(int)
        )
        cells = customers.groupby(["band", "duration", "churned"], as_index=False).size()
        cells = cells.rename(columns={"size": "customers"})
        result = hazard_ratios(LifeTable(cells, ("band",), "latest", None, False))
        for i, band in enumerate(("detractor", "passive")):
            hits[i] += result.ratio(band).contains(truth.hazard_ratio(band))
    coverage = hits / 200
    assert np.all((coverage >= 0.90) & (coverage <= 0.99)), coverage


def _customers_with_bands(
    hazards: np.ndarray, n: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers whose monthly churn hazard per band is ``hazards[band, month - 1]``."""
    rng = np.random.default_rng(seed)
    months = hazards.shape[1]
    band = rng.integers(0, 3, n)
    since = rng.integers(1, months + 1, n)
    leaves = rng.random((n, months)) < -np.expm1(-hazards[band])
    leaves &= np.arange(1, months + 1)[None, :] <= since[:, None]
    churned = leaves.any(axis=1)
    tenure = np.where(churned, leaves.argmax(axis=1) + 1, since)
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "channel": "web",
            "tenure_months": tenure.astype(float),
            "churned": churned,
        }
    )
    responses = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "response_date": "2025-01-01",
            "channel": "web",
            "score": np.array([4, 8, 10])[band],
        }
    )
    return customers, responses


def test_proportional_hazards_check_fires_on_drifting_ratios_only() -> None:
    months = 24
    flat = np.array([[0.04] * months, [0.025] * months, [0.015] * months])
    drifting = flat.copy()
    drifting[0, :6] = 0.12  # detractors leave early, then like everyone else
    drifting[0, 6:] = 0.015
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        # bands fixed from joining (no dates on the customers): the join-date rule is exact
        table = life_table(
            *_customers_with_bands(flat, 8_000, seed=1), as_of="2025-06-30", band_rule="latest"
        )
        quiet = check_proportional_hazards(table)
    assert quiet.passed and quiet.df == 2
    table = life_table(
        *_customers_with_bands(drifting, 8_000, seed=2), as_of="2025-06-30", band_rule="latest"
    )
    with pytest.warns(CxAssumptionWarning, match="proportional hazards fail"):
        loud = check_proportional_hazards(table)
    assert not loud.passed and loud.p_value < 1e-6
    detractor = loud.slopes.set_index("term").loc["band=detractor"]
    assert detractor["slope"] < 0  # the detractor ratio falls with tenure
    assert "fails" in loud.summary()


def test_proportional_hazards_check_is_quiet_on_simulated_ph_data(table: LifeTable) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        result = check_proportional_hazards(table, alpha=0.01)
    assert result.passed and result.columns == ("band",)
    assert len(result.to_frame()) == 1 + 2  # global + detractor, passive (unrated not tested)


def test_bad_requests_are_refused(table: LifeTable) -> None:
    with pytest.raises(CxDataError, match="`reference` band 'champion'"):
        hazard_ratios(table, reference="champion")
    with pytest.raises(CxDataError, match="`method` must be"):
        hazard_ratios(table, method="weibull")  # type: ignore[arg-type]  # the point
    cells = pd.DataFrame(
        {
            "band": ["detractor", "promoter", "promoter"],
            "duration": [3, 1, 3],
            "churned": [False, True, False],
            "customers": [10, 2, 8],
        }
    )
    with pytest.raises(CxModelError, match=r"no churn among band level\(s\) \['detractor'\]"):
        hazard_ratios(LifeTable(cells, ("band",), "latest", None, False))
    with pytest.raises(CxDataError, match="not group columns"):
        check_proportional_hazards(table, columns=["segment"])


def test_result_contract(table: LifeTable) -> None:
    result = hazard_ratios(table)
    assert isinstance(result, HazardRatios)
    frame = result.to_frame()
    assert {"term", "hazard_ratio", "lower", "upper", "p_value", "reference", "method"} <= set(
        frame.columns
    )
    assert (frame["lower"] < frame["hazard_ratio"]).all()
    assert (frame["hazard_ratio"] < frame["upper"]).all()
    assert "band = promoter" in result.summary()
    with pytest.raises(KeyError):
        result.ratio("champion")
