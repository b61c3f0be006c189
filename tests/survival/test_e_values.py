"""E-values and adjusted band curves (survival.robustness, survival.adjusted).

Independent checks: VanderWeele & Ding's (2017) published example; the defining
property that the E-value's bounding factor ``E² / (2E − 1)`` (Ding & VanderWeele 2016)
equals the risk ratio; symmetry under inversion; the interval rule on hazard ratios
whose interval does or does not contain 1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.datasets import PlantedConfounder, SimulationTruth, simulate
from cx_economics.survival.adjusted import standardised_curves, weighted_curves
from cx_economics.survival.hazards import hazard_ratios
from cx_economics.survival.km import kaplan_meier
from cx_economics.survival.robustness import e_value, e_values, risk_ratio_from_hazard_ratio
from cx_economics.tables.life import LifeTable, life_table


def test_published_example_of_vanderweele_and_ding() -> None:
    # Annals of Internal Medicine 2017: RR 3.9 (1.8 to 8.7) -> E-values 7.2 and 3.0
    point, limit = e_value([3.9, 1.8])
    assert point == pytest.approx(7.26, abs=0.005)
    assert limit == pytest.approx(3.0, abs=1e-12)


def test_the_bounding_factor_of_the_e_value_is_the_risk_ratio() -> None:
    rr = np.array([1.0, 1.05, 1.5, 2.0, 3.9, 10.0])
    e = e_value(rr)
    np.testing.assert_allclose(e**2 / (2.0 * e - 1.0), rr, rtol=1e-12)
    np.testing.assert_allclose(e_value(1.0 / rr), e, rtol=1e-12)  # protective ratios
    assert (e >= 1.0).all() and np.all(np.diff(e) > 0)


def test_hazard_ratio_conversion_keeps_the_side_of_one_and_inverts_symmetrically() -> None:
    hr = np.array([0.3, 0.8, 1.0, 1.25, 2.6, 5.0])
    rr = risk_ratio_from_hazard_ratio(hr)
    np.testing.assert_allclose(risk_ratio_from_hazard_ratio(1.0 / hr), 1.0 / rr, rtol=1e-12)
    assert np.all(np.sign(np.log(rr)) == np.sign(np.log(hr)))
    assert np.all(np.abs(np.log(rr)) <= np.abs(np.log(hr)))  # a common outcome dilutes
    np.testing.assert_array_equal(risk_ratio_from_hazard_ratio(hr, rare=True), hr)
    with pytest.raises(CxDataError, match="`hazard_ratio` must be ratios > 0"):
        risk_ratio_from_hazard_ratio([1.2, 0.0])


def _table(detractors_churned: int, promoters_churned: int) -> LifeTable:
    cells = pd.DataFrame(
        {
            "band": ["detractor", "detractor", "promoter", "promoter"],
            "duration": [1, 2, 1, 2],
            "churned": [True, False, True, False],
            "customers": [detractors_churned, 500, promoters_churned, 500],
        }
    )
    return LifeTable(cells, ("band",), "latest", None, False)


def test_an_interval_containing_one_needs_no_confounding_and_a_clear_one_does() -> None:
    clear = e_values(hazard_ratios(_table(120, 40))).table.iloc[0]
    assert clear["lower"] > 1.0
    rr_lower = risk_ratio_from_hazard_ratio(clear["lower"])
    assert clear["e_value_limit"] == pytest.approx(float(e_value(rr_lower)))
    assert clear["e_value"] > clear["e_value_limit"] > 1.0
    vague = e_values(hazard_ratios(_table(42, 40))).table.iloc[0]
    assert vague["lower"] < 1.0 < vague["upper"]
    assert vague["e_value_limit"] == 1.0
    rare = e_values(hazard_ratios(_table(120, 40)), rare=True).table.iloc[0]
    assert rare["risk_ratio"] == pytest.approx(rare["hazard_ratio"])
    assert rare["e_value"] > clear["e_value"]  # the rare reading is the bolder one


# --------------------------------------------------------------------------- planted confounder

CONFOUNDED = SimulationTruth(reasons={}, confounder=PlantedConfounder())


def test_the_planted_confounder_makes_carriers_more_critical_and_quicker_to_leave() -> None:
    sim = simulate(6_000, truth=CONFOUNDED, seed=2)
    customers = sim.customers.assign(band=sim.latent_band.to_numpy())
    carriers = customers["segment"] == "budget"
    assert abs(carriers.mean() - 0.3) < 0.03
    detractors = customers.groupby("segment")["band"].apply(lambda b: (b == "detractor").mean())
    assert detractors["budget"] > detractors["standard"] + 0.1
    hazard = CONFOUNDED.hazard("promoter", "web", segment="budget")
    assert hazard == pytest.approx(1.8 * CONFOUNDED.hazard("promoter", "web"))
    budget = CONFOUNDED.lifetime_value("promoter", "web", segment="budget")
    assert budget < CONFOUNDED.lifetime_value("promoter", "web")  # they leave sooner
    # without contacts churn is memoryless: a tenured carrier is worth a new one
    tenured = CONFOUNDED.residual_value("promoter", "web", 12, segment="budget")
    assert tenured == pytest.approx(budget, rel=1e-12)
    with pytest.raises(CxDataError, match="`share` must be a fraction"):
        PlantedConfounder(share=1.0)


@pytest.mark.slow
def test_adjusting_for_the_confounder_recovers_the_within_segment_band_ratio() -> None:
    """30 bases of 12,000 customers; the truth is the generating hazard ratio.

    Contacts are switched off (``reasons={}``): their effect on churn spreads customers'
    hazards within a band, so the marginal ratio would no longer be the generating one.
    """
    true = CONFOUNDED.hazard_ratio("detractor")
    crude, adjusted, with_unrated, covered = [], [], [], []
    for seed in range(30):
        sim = simulate(12_000, truth=CONFOUNDED, seed=seed)
        by_channel = life_table(sim.customers, sim.responses, by=("band", "channel"))
        by_segment = life_table(sim.customers, sim.responses, by=("band", "channel", "segment"))
        crude.append(hazard_ratios(by_channel, include_unrated=False).ratio("detractor").value)
        estimate = hazard_ratios(by_segment, include_unrated=False).ratio("detractor")
        adjusted.append(estimate.value)
        covered.append(estimate.lower <= true <= estimate.upper)
        with_unrated.append(hazard_ratios(by_segment).ratio("detractor").value)
    assert np.mean(crude) / true - 1 > 0.08  # the confounder inflates the crude ratio
    assert abs(np.mean(adjusted) / true - 1) < 0.03
    assert 0.85 <= np.mean(covered) <= 1.0
    # one segment term shared with the unrated (a mix of every band) pulls the ratio down
    assert np.mean(with_unrated) / true - 1 < -0.03


def _true_standardised_survival(band: str, month: int) -> float:
    """The generating model's survival of ``band`` over the joining mix (channels uniform)."""
    planted = CONFOUNDED.confounder
    assert planted is not None
    mix = (("budget", planted.share), ("standard", 1.0 - planted.share))
    return sum(
        weight
        / len(CONFOUNDED.channels)
        * math.exp(-month * CONFOUNDED.hazard(band, channel, segment=segment))
        for channel in CONFOUNDED.channels
        for segment, weight in mix
    )


@pytest.mark.slow
@pytest.mark.parametrize("route", ["g-formula", "weighted"])
def test_adjusted_band_curves_recover_the_truth_where_crude_curves_do_not(route: str) -> None:
    """20 bases of 12,000 with a planted confounder: 24-month churn per band, both routes."""
    adjusted, covered, crude = [], [], []
    for seed in range(20):
        sim = simulate(12_000, truth=CONFOUNDED, seed=seed)
        table = life_table(sim.customers, sim.responses, by=("band", "channel", "segment"))
        if route == "g-formula":
            curves = standardised_curves(table, n_draws=400, seed=seed)
        else:
            curves = weighted_curves(table, n_bootstrap=400, seed=seed)
        km = kaplan_meier(life_table(sim.customers, sim.responses))
        row_a, row_c, row_k = [], [], []
        for band in ("detractor", "passive", "promoter"):
            true = 1.0 - _true_standardised_survival(band, 24)
            i, j = curves.groups.index((band,)), km.groups.index((band,))
            row_a.append((1.0 - curves.survival[i, 24]) / true - 1.0)
            row_c.append(curves.lower[i, 24] <= 1.0 - true <= curves.upper[i, 24])
            row_k.append((1.0 - km.survival[j, 24]) / true - 1.0)
        adjusted.append(row_a)
        covered.append(row_c)
        crude.append(row_k)
    bias, coverage, crude_bias = (np.mean(v, axis=0) for v in (adjusted, covered, crude))
    assert (np.abs(bias) < 0.03).all(), bias
    assert ((coverage >= 0.85) & (coverage <= 1.0)).all(), coverage
    assert crude_bias[0] > 0.04 and crude_bias[2] < -0.04, crude_bias  # the confounder's pull


def test_standardised_curves_need_a_covariate_and_name_the_grouping() -> None:
    table = _table(120, 40)
    with pytest.raises(CxDataError, match="at least one covariate to adjust for"):
        standardised_curves(table)


def test_a_stratum_without_rated_customers_is_refused_not_priced_as_the_reference() -> None:
    cells = pd.DataFrame(
        {
            "band": ["detractor", "promoter", "detractor", "promoter", "unrated", "unrated"],
            "segment": ["a", "a", "b", "b", "c", "a"],
            "entry": [0] * 6,
            "duration": [3, 3, 3, 3, 3, 3],
            "churned": [True, True, True, True, False, False],
            "customers": [10, 5, 12, 6, 40, 20],
        }
    )
    table = LifeTable(cells, ("band", "segment"), "state", None, False)
    with pytest.raises(CxDataError, match=r"\['segment=c'\], which no rated customer has"):
        standardised_curves(table)


# --------------------------------------------------------------------------- weighting route


def _lifelines_km(cells: pd.DataFrame, months: int, weights: pd.Series | None = None) -> Any:
    """lifelines' weighted Kaplan–Meier of (entry, duration] cells on months 0…months.

    Entries move half a month on: lifelines counts a subject entering at ``e`` at risk
    for events at ``e``, the life table from month ``e + 1``.
    """
    from lifelines import KaplanMeierFitter

    duration = np.where(cells["churned"], np.maximum(cells["duration"], 1), cells["duration"])
    entry = cells["entry"].to_numpy(float)
    fitter = KaplanMeierFitter().fit(
        duration,
        cells["churned"],
        entry=np.where(entry > 0, entry + 0.5, 0.0),
        weights=cells["customers"] if weights is None else weights,
    )
    return fitter


def test_the_weighted_curves_equal_lifelines_weighted_kaplan_meier_on_monthly_pieces() -> None:
    """The weights rebuilt by hand from lifelines' own curves and risk sets."""
    sim = simulate(3_000, truth=CONFOUNDED, seed=4)
    table = life_table(sim.customers, sim.responses, by=("band", "segment"))
    curves = weighted_curves(table, n_bootstrap=50)
    cells = table.frame.assign(entry=table.entry_months)
    months = int(cells["duration"].max())
    grid = np.arange(months + 1)

    def at_risk(part: pd.DataFrame) -> np.ndarray:
        events = _lifelines_km(part, months).event_table
        staying = events["at_risk"] - events["removed"]  # after each event time
        return np.asarray(staying.reindex(grid - 0.25, method="ffill").fillna(0), float)

    pieces = []
    for _, in_segment in cells.groupby("segment"):
        rated = in_segment[in_segment["band"] != "unrated"]
        share_rated = at_risk(rated) / at_risk(in_segment)  # rated share of month t's risk set
        n = {b: at_risk(part) for b, part in rated.groupby("band")}
        s_before = {
            b: _lifelines_km(part, months).survival_function_at_times(grid - 1).to_numpy()
            for b, part in rated.groupby("band")
        }
        usable = np.all([n[b] > 0 for b in n], axis=0) & (grid > 0)
        joiners = {b: (n[b][usable] / s_before[b][usable]).sum() for b in n}
        for band, part in rated.groupby("band"):
            share = joiners[band] / sum(joiners.values())
            for _, cell in part.iterrows():
                last = max(int(cell["duration"]), 1 if cell["churned"] else 0)
                for month in range(int(cell["entry"]) + 1, last + 1):
                    pieces.append(
                        {
                            "band": band,
                            "entry": month - 1,
                            "duration": month,
                            "churned": bool(cell["churned"]) and month == last,
                            # lifelines' variance step needs whole weights: scaled
                            # by 10⁶ and rounded, a relative change below 10⁻⁶
                            "customers": round(
                                1e6 * cell["customers"] / (share * share_rated[month])
                            ),
                        }
                    )
    frame = pd.DataFrame(pieces)
    # one customer of weight 10⁻⁶ present throughout keeps lifelines' check for an empty
    # risk set (meant for sparse early entry) from tripping between monthly pieces
    present = pd.DataFrame(
        {"entry": 0, "duration": months + 1, "churned": False, "customers": 1},
        index=pd.Index(["detractor", "passive", "promoter"], name="band"),
    )
    frame = pd.concat([frame, present.reset_index()], ignore_index=True)
    for band, part in frame.groupby("band"):
        expected = _lifelines_km(part, months).survival_function_at_times(grid).to_numpy()
        got = curves.survival[curves.groups.index((band,))]
        np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_a_stratum_never_holding_every_band_is_refused_by_the_weighting_route() -> None:
    cells = pd.DataFrame(
        {
            "band": ["detractor", "promoter", "detractor", "unrated"],
            "segment": ["a", "a", "b", "b"],
            "entry": [0, 0, 0, 0],
            "duration": [3, 3, 3, 2],
            "churned": [True, False, True, False],
            "customers": [10, 5, 12, 40],
        }
    )
    table = LifeTable(cells, ("band", "segment"), "state", None, False)
    with pytest.raises(CxDataError, match=r"strata \[\('b',\)\] of \('segment',\) never have"):
        weighted_curves(table)


def test_g_formula_curves_equal_a_per_customer_prediction_loop_on_a_statsmodels_fit() -> None:
    """The grouped-time model fitted by statsmodels' GLM; each joiner's curve predicted."""
    import statsmodels.api as sm

    sim = simulate(1_500, truth=CONFOUNDED, seed=6)
    table = life_table(sim.customers, sim.responses, by=("band", "segment"))
    curves = standardised_curves(table, n_draws=50)
    cells = table.frame.assign(entry=table.entry_months)
    rows = []
    for cell in cells[cells["band"] != "unrated"].itertuples():
        last = max(int(cell.duration), 1 if cell.churned else 0)
        for month in range(int(cell.entry) + 1, last + 1):
            churned = bool(cell.churned) and month == last
            rows.append((cell.band, cell.segment, month, churned, cell.customers))
    person = pd.DataFrame(rows, columns=["band", "segment", "month", "churned", "n"])
    person = person.groupby(["band", "segment", "month", "churned"], as_index=False)["n"].sum()
    with_churn = sorted(person.loc[person["churned"], "month"].unique())
    person = person[person["month"].isin(with_churn)]  # other months: no churn, no information
    design = pd.concat(
        [
            pd.get_dummies(person["month"], prefix="m").astype(float),
            (person["band"] == "detractor").astype(float).rename("detractor"),
            (person["band"] == "passive").astype(float).rename("passive"),
            (person["segment"] == "standard").astype(float).rename("standard"),
        ],
        axis=1,
    )
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    fit = sm.GLM(person["churned"].astype(float), design, family=family,
                 freq_weights=person["n"]).fit(tol=1e-12)  # fmt: skip
    params = fit.params
    joiners = cells[cells["entry"] == 0]
    months = int(cells["duration"].max())
    for band in ("detractor", "passive", "promoter"):
        total = np.zeros(months + 1)
        for joiner in joiners.itertuples():  # each customer who joined, under this band
            curve, alive = [1.0], 1.0
            for month in range(1, months + 1):
                if month in with_churn:
                    eta = params[f"m_{month}"] + params.get(band, 0.0)
                    eta += params["standard"] if joiner.segment == "standard" else 0.0
                    alive *= math.exp(-math.exp(eta))
                curve.append(alive)
            total += joiner.customers * np.array(curve)
        expected = total / joiners["customers"].sum()
        got = curves.survival[curves.groups.index((band,))]
        np.testing.assert_allclose(got, expected, rtol=1e-6)
