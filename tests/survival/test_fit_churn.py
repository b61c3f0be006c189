"""fit_churn: dispatch, the KM + parametric splice, and recovery of a known truth."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.datasets import SimulationTruth, simulate
from cx_economics.survival.curves import ChurnCurves
from cx_economics.survival.fit import fit_churn, splice_tail
from cx_economics.survival.km import kaplan_meier
from cx_economics.tables.life import LifeTable, life_table

# constant band hazards, no channel or contact effects: S_band(t) = exp(-h_band t)
EXPONENTIAL = SimulationTruth(reasons={}, channel_hazard_ratio={})


@pytest.fixture(scope="module")
def sim_table() -> tuple[LifeTable, SimulationTruth]:
    sim = simulate(20_000, seed=4, truth=EXPONENTIAL, months_observed=36)
    table = life_table(sim.customers, sim.responses, by=("band", "channel"), as_of=sim.as_of)
    return table, sim.truth


def test_km_model_equals_kaplan_meier_and_warns_when_held_flat(
    sim_table: tuple[LifeTable, SimulationTruth],
) -> None:
    table, _ = sim_table
    with pytest.warns(CxAssumptionWarning, match="held flat"):
        curves = fit_churn(table, model="km", horizon_months=60)
    reference = kaplan_meier(table.collapse(["band"]), horizon_months=60)
    np.testing.assert_array_equal(curves.survival, reference.survival)
    assert curves.groups == reference.groups and curves.model == "km"
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        fit_churn(table, model="km", horizon_months=36)


def test_raw_tables_give_the_same_curves_as_their_life_table() -> None:
    sim = simulate(3_000, seed=9)
    table = life_table(sim.customers, sim.responses, by=("band", "channel"), as_of=sim.as_of)
    from_raw = fit_churn(
        sim.customers,
        sim.responses,
        model="km",
        by=("band", "channel"),
        horizon_months=36,
        as_of=sim.as_of,
    )
    np.testing.assert_array_equal(
        from_raw.survival, kaplan_meier(table, horizon_months=36).survival
    )


def test_splice_joins_continuously_and_follows_the_tail_ratio() -> None:
    months = np.arange(13.0)
    km_s = np.array([[1.0, 0.95, 0.9, 0.86, 0.8, 0.77] + [0.77] * 7])
    km = ChurnCurves(
        "km",
        ("band",),
        (("passive",),),
        months,
        km_s,
        km_s - 0.02,
        np.minimum(km_s + 0.02, 1),
        np.array([5.0]),
        np.array([200]),
        np.array([46]),
    )
    hazard = 0.04
    tail_s = np.exp(-hazard * months)[None, :]
    tail = ChurnCurves(
        "exponential",
        ("band",),
        (("passive",),),
        months,
        tail_s,
        tail_s * 0.9,
        np.minimum(tail_s * 1.1, 1),
        np.array([5.0]),
        np.array([200]),
        np.array([46]),
    )
    out = splice_tail(km, tail)
    # closed form beyond tau = 5: 0.77 * exp(-0.04 (t - 5))
    expected = 0.77 * np.exp(-hazard * (months[6:] - 5))
    np.testing.assert_allclose(out.survival[0, 6:], expected, rtol=1e-12)
    np.testing.assert_array_equal(out.survival[0, :6], km_s[0, :6])
    assert np.all((out.lower <= out.survival) & (out.survival <= out.upper))
    assert out.model == "km+exponential" and out.observed_months.tolist() == [5.0]
    assert out.details is not None and out.details["observed_months"] == {("passive",): 5}
    # the interval widens beyond tau, never narrower than the KM interval at tau (log scale)
    log_width = np.log(out.upper[0] / out.lower[0])
    assert np.all(log_width[6:] >= log_width[5] - 1e-12)


def test_auto_extends_km_with_a_parametric_tail_that_recovers_the_truth(
    sim_table: tuple[LifeTable, SimulationTruth],
) -> None:
    pytest.importorskip("cx_economics.survival.parametric")
    table, truth = sim_table
    curves = fit_churn(table, horizon_months=60)
    km = kaplan_meier(table.collapse(["band"]), horizon_months=60)
    assert curves.model.startswith("km+")
    assert curves.details is not None
    tail_model = curves.details["tail_model"]
    assert isinstance(tail_model, dict) and set(tail_model) == set(curves.groups)
    for g, (band,) in enumerate(curves.groups):
        tau = int(curves.observed_months[g])
        assert tau == 36
        np.testing.assert_array_equal(curves.survival[g, : tau + 1], km.survival[g, : tau + 1])
        if band == "unrated":
            continue
        # the tail's job: survival from the end of the data on, S(60) / S(36)
        true_tail = np.exp(-truth.monthly_hazard[band] * 24)
        assert abs(curves.survival[g, 60] / curves.survival[g, 36] - true_tail) < 0.03
        true_60 = np.exp(-truth.monthly_hazard[band] * 60)
        assert curves.lower[g, 60] <= true_60 <= curves.upper[g, 60]
    frame = curves.to_frame()
    assert frame.loc[frame["month"] > 36, "extrapolated"].all()


def test_auto_needs_no_tail_when_the_data_reach_the_horizon(
    sim_table: tuple[LifeTable, SimulationTruth],
) -> None:
    table, _ = sim_table
    curves = fit_churn(table, horizon_months=24)
    assert curves.model == "km"
    np.testing.assert_array_equal(
        curves.survival, kaplan_meier(table.collapse(["band"]), horizon_months=24).survival
    )


@pytest.mark.parametrize("model", ["weibull", "lognormal", "loglogistic", "piecewise_exponential"])
def test_parametric_names_dispatch_to_fit_parametric(
    sim_table: tuple[LifeTable, SimulationTruth], model: str
) -> None:
    parametric = pytest.importorskip("cx_economics.survival.parametric")
    table, _ = sim_table
    ours = fit_churn(table, model=model, horizon_months=48)  # type: ignore[arg-type]
    theirs = parametric.fit_parametric(table.collapse(["band"]), model=model, horizon_months=48)
    np.testing.assert_allclose(ours.survival, theirs.survival, rtol=1e-12)
    assert ours.model == theirs.model


def test_sbg_dispatches_to_fit_sbg() -> None:
    sbg = pytest.importorskip("cx_economics.survival.sbg")
    cells = pd.DataFrame(
        {
            "band": ["promoter"] * 4,
            "duration": [1, 2, 3, 3],
            "churned": [True, True, True, False],
            "customers": [300, 150, 90, 460],
        }
    )
    small = LifeTable(cells, ("band",), "latest", None, False)
    ours = fit_churn(small, model="sbg", horizon_months=6)
    theirs = sbg.fit_sbg(small, horizon_months=6)
    np.testing.assert_allclose(ours.survival, theirs.survival, rtol=1e-12)
    assert ours.model == "sbg"


def test_bad_requests_are_refused(sim_table: tuple[LifeTable, SimulationTruth]) -> None:
    table, _ = sim_table
    with pytest.raises(CxDataError, match="`model` must be one of"):
        fit_churn(table, model="gompertz")  # type: ignore[arg-type]  # the wrong value is the point
    with pytest.raises(CxDataError, match="`responses` must be None"):
        fit_churn(table, pd.DataFrame({"customer_id": [1]}))
    with pytest.raises(CxDataError, match="`by` must name distinct columns"):
        fit_churn(table, by=("segment",))
    with pytest.raises(CxDataError, match="`horizon_months` must be at least 1"):
        fit_churn(table, horizon_months=0)
