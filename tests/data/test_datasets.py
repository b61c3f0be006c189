from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cx_economics.data.datasets import SimulationTruth, load_demo, simulate
from cx_economics.data.schemas import (
    validate_channel_costs,
    validate_contacts,
    validate_customers,
    validate_responses,
)


def test_same_seed_same_tables_different_seed_different() -> None:
    a, b, c = simulate(3000, seed=7), simulate(3000, seed=7), simulate(3000, seed=8)
    pd.testing.assert_frame_equal(a.customers, b.customers)
    pd.testing.assert_frame_equal(a.responses, b.responses)
    pd.testing.assert_frame_equal(a.contacts, b.contacts)
    assert not a.customers["tenure_months"].equals(c.customers["tenure_months"])


def test_simulated_tables_pass_validation() -> None:
    sim = simulate(3000, seed=1)
    customers = validate_customers(sim.customers)
    validate_responses(sim.responses)
    validate_contacts(sim.contacts)
    validate_channel_costs(sim.channel_costs, known_channels=customers.channels)
    assert set(sim.responses["customer_id"]) <= set(sim.customers["customer_id"])


def test_responses_fall_inside_the_latent_band_and_before_churn() -> None:
    sim = simulate(4000, seed=2)
    band = sim.latent_band.reindex(sim.responses["customer_id"]).to_numpy()
    score = sim.responses["score"].to_numpy()
    assert np.all(score[band == "promoter"] >= 9)
    assert np.all((score[band == "passive"] >= 7) & (score[band == "passive"] <= 8))
    assert np.all(score[band == "detractor"] <= 6)
    ends = sim.customers.set_index("customer_id")["end_date"]
    end = ends.reindex(sim.responses["customer_id"]).to_numpy()
    churned = ~pd.isna(end)
    assert np.all(sim.responses["response_date"].to_numpy()[churned] <= end[churned])


def test_band_shares_and_churn_rate_match_the_truth() -> None:
    truth = SimulationTruth(reasons={}, team_nps_sd=0.0)
    sim = simulate(40_000, truth=truth, seed=3, months_observed=1)
    # one month of exposure each: churn share = 1 - exp(-h) per band
    shares = sim.latent_band.value_counts(normalize=True)
    expected = np.mean([truth.band_shares[c] for c in truth.channels], axis=0)
    assert shares["detractor"] == pytest.approx(expected[0], abs=0.01)
    assert shares["promoter"] == pytest.approx(expected[2], abs=0.01)
    churned = sim.customers.set_index("customer_id")["churned"]
    for band in ("detractor", "promoter"):
        ids = sim.latent_band.index[sim.latent_band == band]
        hr = np.mean([truth.channel_hazard_ratio[c] for c in truth.channels])
        p = 1 - np.exp(-truth.monthly_hazard[band] * hr)
        se = np.sqrt(p * (1 - p) / len(ids))
        assert abs(churned.loc[ids].mean() - p) < 4 * se + 0.002


def test_closed_form_lifetime_value_of_the_truth() -> None:
    truth = SimulationTruth()
    r = np.exp(-truth.hazard("passive", "phone"))
    i = 1.08 ** (1 / 12) - 1
    m = truth.monthly_margin("passive")
    brute = sum(m * r**t / (1 + i) ** t for t in range(1, 5000))
    assert truth.lifetime_value("passive", "phone", horizon_months=None) == pytest.approx(brute)
    finite = sum(m * r**t / (1 + i) ** t for t in range(1, 61))
    assert truth.lifetime_value("passive", "phone", horizon_months=60) == pytest.approx(finite)


def test_demo_is_fixed_and_copies_are_independent() -> None:
    demo = load_demo()
    assert len(demo.customers) == 50_000
    assert sorted(demo.customers["channel"].unique()) == ["branch", "chat", "phone", "web"]
    demo.customers.loc[0, "channel"] = "changed"
    assert load_demo().customers.loc[0, "channel"] != "changed"


def test_cost_truth_is_consistent() -> None:
    truth = SimulationTruth()
    for ch in truth.channels:
        assert truth.annual_cost(ch, truth.nps(ch)) == pytest.approx(truth.annual_cost_today[ch])
        doubled = truth.annual_cost(ch, truth.nps(ch) + truth.cost_slope[ch] * np.log(2))
        assert doubled == pytest.approx(2 * truth.annual_cost_today[ch])


def test_residual_value_is_memoryless_without_contacts_and_falls_with_them() -> None:
    pure = SimulationTruth(reasons={})
    for tenure in (0, 12, 36):
        assert pure.residual_value("passive", "phone", tenure) == pytest.approx(
            pure.lifetime_value("passive", "phone"), rel=1e-12
        )
    truth = SimulationTruth()  # contacts raise churn: long-lived customers contacted more
    new = truth.residual_value("promoter", "chat", 0)
    old = truth.residual_value("promoter", "chat", 36)
    assert old < new
    # at tenure 0 it is the exact curve's discounted margin over 60 months
    i = 1.08 ** (1 / 12) - 1
    s = truth.survival("promoter", "chat", 60)
    by_hand = sum(truth.monthly_margin("promoter") * s[t] / (1 + i) ** t for t in range(1, 61))
    assert new == pytest.approx(by_hand, rel=1e-12)


def test_transactional_answers_follow_their_own_contact_within_a_week() -> None:
    sim = simulate(3_000, seed=1, survey="transactional")
    pairs = sim.responses.merge(sim.contacts[["customer_id", "contact_date"]], on="customer_id")
    lag_days = (pairs["response_date"] - pairs["contact_date"]).dt.days
    followed = pairs[(lag_days >= 0) & (lag_days <= 8)]  # 7 days, plus date rounding
    answered = sim.responses.groupby(["customer_id", "response_date"]).ngroups
    assert followed.groupby(["customer_id", "response_date"]).ngroups == answered
