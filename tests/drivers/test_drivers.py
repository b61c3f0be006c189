from __future__ import annotations

import math
import sys
import types
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats import rates as sm_rates

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.core.finance import annuity_factor, payback_months
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.datasets import SimulatedData, simulate
from cx_economics.data.schemas import DAYS_PER_MONTH
from cx_economics.drivers import (
    ChurnLink,
    Fix,
    ReasonMoney,
    ReliabilityRules,
    contact_churn_link,
    contact_driver_analysis,
    contact_person_months,
    contact_rates,
    fix_returns,
    fix_scenarios,
    money_per_reason,
    nps_after_contacts,
    poisson_rate_interval,
)
from cx_economics.drivers.nps_link import nps_with_variance
from cx_economics.drivers.person_months import flag_column
from cx_economics.drivers.rates import CHANGE_NOT_DETECTABLE, RELIABLE, TOO_SPARSE
from cx_economics.tables.contact_counts import UNCODED, ContactCounts, contact_counts

COSTS = {"phone": 6.0, "branch": 9.0, "chat": 3.0, "web": 1.5}
# Simulator coding noise (cx_economics.data.datasets._contacts): 12 % of contacts get a
# second, uniformly drawn reason (kept only when it differs), 4 % lose their reason.
SECOND_LABEL, UNCODED_SHARE = 0.12, 0.04


@pytest.fixture(scope="module")
def big_sim() -> SimulatedData:
    return simulate(20_000, seed=2024)


def _synthetic_counts(
    monthly_contacts: dict[str, np.ndarray], exposure: np.ndarray, active: int = 10_000
) -> ContactCounts:
    months = pd.date_range("2022-01-01", periods=exposure.size, freq="MS")
    rows = [
        {"reason": r, "channel": "phone", "month": m, "contacts": int(c), "first_listed": int(c),
         "weighted": float(c), "weighted_sq": float(c)}
        for r, counts in monthly_contacts.items()
        for m, c in zip(months, counts, strict=True)
        if c > 0
    ]  # fmt: skip
    counts = pd.DataFrame(rows)
    return ContactCounts(
        counts=counts,
        exposure=pd.DataFrame({"month": months, "customer_months": exposure}),
        reason_map=pd.DataFrame({"reason_raw": list(monthly_contacts)}),
        n_contacts=int(counts["contacts"].sum()),
        n_outside_window=0,
        active_customers=active,
        n_customers=active,
    )


# --------------------------------------------------------------------------- rates


def test_garwood_interval_equals_statsmodels_exact() -> None:
    counts = np.arange(0, 60)
    exposure = np.linspace(50.0, 5000.0, counts.size)
    lower, upper = poisson_rate_interval(counts, exposure, level=0.9)
    ref_low, ref_up = sm_rates.confint_poisson(counts, exposure, method="exact-c", alpha=0.1)
    np.testing.assert_allclose(lower, np.nan_to_num(ref_low), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(upper, ref_up, rtol=1e-10)


def test_garwood_interval_covers_at_least_nominally() -> None:
    rng = np.random.default_rng(1)
    exposure = 2_000.0
    for rate in (0.001, 0.01, 0.05):
        draws = rng.poisson(rate * exposure, 4_000)
        lower, upper = poisson_rate_interval(draws, exposure)
        coverage = np.mean((lower <= rate) & (rate <= upper))
        assert coverage >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / 4_000)


def test_rates_recover_the_simulated_truth_after_coding_noise(big_sim: SimulatedData) -> None:
    rates = contact_rates(contact_counts(big_sim.contacts, big_sim.customers))
    table = rates.table.set_index("reason")
    truth = big_sim.truth.reasons
    total = sum(r.rate_per_1000 for r in truth.values())
    n_reasons = len(truth)
    covered = 0
    for name, reason in truth.items():
        r = reason.rate_per_1000
        # first listed: the true reason survives unless the contact became uncoded
        first = (1 - UNCODED_SHARE) * r
        # mentions add secondary tags drawn from the other reasons' contacts
        mentions = (1 - UNCODED_SHARE) * (r + (total - r) * SECOND_LABEL / n_reasons)
        row = table.loc[name]
        exposure = row["customer_months"] / 1000.0
        for estimate, expected in ((row["first_listed_rate_per_1000"], first),
                                   (row["rate_per_1000"], mentions)):  # fmt: skip
            z = (estimate - expected) / math.sqrt(expected / exposure)
            assert abs(z) < 3.5, (name, estimate, expected)
        covered += row["lower"] <= mentions <= row["upper"]
    assert covered >= n_reasons - 1  # 95 % intervals: at most one miss in six
    uncoded = table.loc[UNCODED]
    expected = UNCODED_SHARE * total
    exposure = uncoded["customer_months"] / 1000.0
    assert abs(uncoded["rate_per_1000"] - expected) / math.sqrt(expected / exposure) < 3.5
    assert not table["changed"].any()  # constant true rates: BH finds no change


def test_a_reason_with_a_handful_of_contacts_is_labelled_not_ranked() -> None:
    sim = simulate(3_000, seed=8, months_observed=12)
    rates = contact_rates(contact_counts(sim.contacts, sim.customers))
    table = rates.table.set_index("reason")
    assert table.loc["address change", "contacts"] < 50
    assert table.loc["address change", "verdict"] == TOO_SPARSE
    assert pd.isna(table.loc["address change", "rank"])
    assert table.loc["billing error", "rank"] == 1
    assert pd.isna(table.loc[UNCODED, "rank"])
    assert any("too sparse" in note for note in rates._notes())
    strict = contact_rates(
        contact_counts(sim.contacts, sim.customers),
        rules=ReliabilityRules(min_contacts=10_000),
    )
    assert (strict.table["verdict"] == TOO_SPARSE).all()


def test_trend_test_finds_a_known_change_and_controls_false_discoveries() -> None:
    rng = np.random.default_rng(12)
    months = 36
    exposure = np.full(months, 20_000.0)
    years = (np.arange(months) - (months - 1) / 2) / 12.0  # ~ time of each month, centred
    true_ratio = 1.35  # rate × 1.35 per year
    rising = rng.poisson(6e-3 * exposure * true_ratio**years)
    flat = {f"flat {k}": rng.poisson(rate * exposure) for k, rate in enumerate((4e-3, 6e-3, 9e-3))}
    rates = contact_rates(_synthetic_counts({"rising": rising, **flat}, exposure))
    table = rates.table.set_index("reason")
    assert table.loc["rising", "changed"]
    assert table.loc["rising", "trend_lower"] <= true_ratio <= table.loc["rising", "trend_upper"]
    assert not table.drop(index="rising")["changed"].any()
    assert (table["trend_p_adjusted"] >= table["trend_p"] - 1e-15).all()


@pytest.mark.slow
def test_overdispersed_months_get_a_negative_binomial_interval_that_covers() -> None:
    rng = np.random.default_rng(5)
    months, reps = 24, 120
    exposure = np.full(months, 10_000.0)
    rate, nb_alpha = 0.01, 0.15  # variance = mu + 0.15 mu^2 per month
    nb_hits = poisson_hits = flagged = 0
    for _ in range(reps):
        mu = rate * exposure * rng.gamma(1 / nb_alpha, nb_alpha, months)
        y = rng.poisson(mu)
        row = contact_rates(_synthetic_counts({"x": y}, exposure)).table.iloc[0]
        flagged += row["interval_method"] == "negative binomial"
        nb_hits += row["lower"] / 1000 <= rate <= row["upper"] / 1000
        low, high = poisson_rate_interval(y.sum(), exposure.sum())
        poisson_hits += low <= rate <= high
    assert flagged / reps > 0.95
    assert nb_hits / reps >= 0.87  # nominal 0.95; MC error ~0.02; Wald on 24 months
    assert poisson_hits / reps < 0.7  # exact Poisson ignores the extra variation


def test_detectable_change_has_the_stated_power() -> None:
    rng = np.random.default_rng(9)
    exposure = np.full(24, 5_000.0)
    y = rng.poisson(0.006 * exposure)
    rules = ReliabilityRules(change_window_months=6)
    row = contact_rates(_synthetic_counts({"x": y}, exposure), rules=rules).table.iloc[0]
    change = row["detectable_change"]
    window = 6 * 5_000.0
    rate = row["rate_per_1000"] / 1000
    before = rng.poisson(rate * window, 3_000)
    after = rng.poisson(rate * (1 + change) * window, 3_000)
    p = sm_rates.test_poisson_2indep(after, window, before, window, method="wald").pvalue
    power = np.mean(p < rules.alpha)
    assert 0.75 <= power <= 0.9  # stated: 0.8
    verdict = RELIABLE if change <= rules.max_detectable_change else CHANGE_NOT_DETECTABLE
    assert row["verdict"] == verdict


def test_reliability_rules_and_level_are_checked() -> None:
    with pytest.raises(CxDataError, match=r"`ReliabilityRules\.power`"):
        ReliabilityRules(power=1.5)
    counts = _synthetic_counts({"x": np.full(6, 10)}, np.full(6, 1_000.0))
    with pytest.raises(CxDataError, match="`level`"):
        contact_rates(counts, level=95)
    with pytest.raises(CxDataError, match="`window_months`"):
        contact_rates(counts, window_months=2)
    last3 = contact_rates(counts, window_months=3)
    assert last3.table.iloc[0]["contacts"] == 30


# --------------------------------------------------------------------------- churn link


def _oracle_person_months(sim: SimulatedData, reasons: list[str]) -> pd.DataFrame:
    """Person-months expanded row by row, from the raw tables, with plain pandas."""
    cust = sim.customers.set_index("customer_id")
    latest = sim.responses.sort_values("response_date").groupby("customer_id")["score"].last()
    band = pd.cut(latest, [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
    band = band.astype(str).reindex(cust.index).fillna("unrated")
    c = sim.contacts.copy()
    c["reason"] = c["reason"].fillna("uncoded").str.split(";")
    c = c.explode("reason")
    c["reason"] = c["reason"].str.strip()
    first = c.groupby(["customer_id", "reason"])["contact_date"].min().reset_index()
    days = (first["contact_date"] - cust.loc[first["customer_id"], "start_date"].to_numpy()).dt.days
    first["onset"] = np.maximum(np.floor(days / DAYS_PER_MONTH) + 2, 1)
    onset = first.pivot(index="customer_id", columns="reason", values="onset")
    rows = []
    for cid, rec in cust.iterrows():
        duration = int(rec["tenure_months"])  # whole months in the simulator
        for t in range(1, duration + 1):
            flags = tuple(bool(cid in onset.index and onset.at[cid, r] <= t) for r in reasons)
            rows.append((rec["channel"], band[cid], t, *flags, rec["churned"] and t == duration))
    cols = ["channel", "band", "month", *[flag_column(r) for r in reasons], "event"]
    raw = pd.DataFrame(rows, columns=cols)
    keys = cols[:-1]
    return raw.groupby(keys).agg(at_risk=("event", "size"), churned=("event", "sum")).reset_index()


def test_person_months_equal_a_row_by_row_expansion() -> None:
    sim = simulate(500, seed=31)
    reasons = ["billing error", "case status", "delivery delay", "web service down"]
    pm = contact_person_months(sim.customers, sim.contacts, sim.responses, reasons=reasons)
    oracle = _oracle_person_months(sim, reasons)
    keys = ["channel", "band", "month", *pm.flag_columns]
    got = pm.frame.sort_values(keys, ignore_index=True)
    want = oracle.sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert got["at_risk"].sum() == sim.customers["tenure_months"].sum()
    assert got["churned"].sum() == sim.customers["churned"].sum()


def test_discrete_time_hazard_ratios_agree_with_lifelines_cox() -> None:
    from lifelines import CoxTimeVaryingFitter

    sim = simulate(2_500, seed=17)
    reasons = ["billing error", "delivery delay", "case status"]
    link = contact_churn_link(
        sim.customers, sim.contacts, reasons=reasons, adjust_for=(), baseline_bins=1_000
    )
    pm = contact_person_months(sim.customers, sim.contacts, reasons=reasons)
    rows = pm.frame.loc[pm.frame.index.repeat(pm.frame["at_risk"])].reset_index(drop=True)
    event = np.zeros(len(rows), dtype=bool)
    for idx, grp in rows.groupby(list(pm.frame.columns[:-2])).groups.items():
        n_events = int(pm.frame.set_index(list(pm.frame.columns[:-2])).loc[idx, "churned"])
        event[np.asarray(grp)[:n_events]] = True
    episodes = pd.DataFrame({flag_column(r): rows[flag_column(r)].astype(float) for r in reasons})
    episodes["start"], episodes["stop"] = rows["month"] - 1, rows["month"]
    episodes["event"], episodes["id"] = event, np.arange(len(rows))
    cox = CoxTimeVaryingFitter().fit(episodes, event_col="event", id_col="id")
    for reason in reasons:
        ours = math.log(link.table.set_index("reason").loc[reason, "hazard_ratio"])
        theirs = float(cox.params_[flag_column(reason)])
        se = float(cox.standard_errors_[flag_column(reason)])
        assert abs(ours - theirs) < 0.05 * se, reason  # grouped-time model vs Efron ties


def test_time_varying_flags_recover_the_truth_and_ever_contacted_is_biased(
    big_sim: SimulatedData,
) -> None:
    sim = big_sim
    link = contact_churn_link(sim.customers, sim.contacts, sim.responses, labels="first")
    table = link.table.set_index("reason")
    z = float(stats.norm.ppf(0.975))
    covered = 0
    for name, reason in sim.truth.reasons.items():
        row = table.loc[name]
        se = (math.log(row["upper"]) - math.log(row["lower"])) / (2 * z)
        assert abs(math.log(row["hazard_ratio"] / reason.hazard_ratio)) < 3 * se, name
        covered += row["lower"] <= reason.hazard_ratio <= row["upper"]
    assert covered >= len(sim.truth.reasons) - 1
    # a large true effect is found
    assert table.loc["billing error", "lower"] > 1.5
    assert table.loc["billing error", "p_adjusted"] < 1e-10
    naive = contact_churn_link(
        sim.customers, sim.contacts, sim.responses, labels="first", exposure="ever-contacted"
    ).table.set_index("reason")
    # immortal time: ever-contacted customers look protected, a true HR of 1 looks < 1
    assert naive.loc["password reset", "upper"] < 1.0
    assert (naive["hazard_ratio"] < table["hazard_ratio"]).all()
    assert naive.loc["billing error", "upper"] < sim.truth.reasons["billing error"].hazard_ratio


def test_churn_link_input_errors() -> None:
    sim = simulate(600, seed=3)
    with pytest.raises(CxDataError, match="`adjust_for`"):
        contact_churn_link(sim.customers, sim.contacts, adjust_for=("team",))
    with pytest.raises(CxDataError, match="`reasons`"):
        contact_churn_link(sim.customers, sim.contacts, reasons=["no such reason"])
    with pytest.raises(CxDataError, match="`exposure`"):
        contact_person_months(sim.customers, sim.contacts, exposure="landmark")  # type: ignore[arg-type]  # wrong on purpose
    stranger = sim.contacts.iloc[:3].assign(customer_id=-1)
    with pytest.warns(CxAssumptionWarning, match="not in `customers`"):
        contact_person_months(
            sim.customers, pd.concat([sim.contacts, stranger]), reasons=["billing error"]
        )


# --------------------------------------------------------------------------- NPS


def test_trinomial_variance_matches_multinomial_draws() -> None:
    rng = np.random.default_rng(3)
    shares, n = np.array([0.3, 0.3, 0.4]), 250
    draws = rng.multinomial(n, shares, 40_000)
    nps, var = nps_with_variance(draws[:, 0], draws[:, 1], draws[:, 2])
    _, closed = nps_with_variance(*(shares * n))
    assert nps.var() == pytest.approx(float(closed), rel=0.03)
    assert var.mean() == pytest.approx(float(closed), rel=0.01)


def test_nps_after_contact_on_a_hand_made_table() -> None:
    responses = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3],
            "response_date": pd.to_datetime(
                ["2025-01-05", "2025-03-01", "2025-01-20", "2025-01-02"]
            ),
            "channel": "web",
            "score": [2, 10, 3, 9],
        }
    )
    contacts = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "contact_date": pd.to_datetime(["2025-01-01", "2024-11-01", "2025-01-02"]),
            "channel": "web",
            "reason": ["billing", "billing", "delivery"],
        }
    )
    res = nps_after_contacts(responses, contacts, window_days=30, min_responses=1)
    table = res.table.set_index("reason")
    # billing: only customer 1's first answer (4 days after) follows it -> one detractor
    assert table.loc["billing", "n_after"] == 1
    assert table.loc["billing", "nps_after"] == -100.0
    # others: 10 (promoter), 3 (detractor), 9 (promoter) -> NPS 100 * (2 - 1) / 3
    assert table.loc["billing", "nps_other"] == pytest.approx(100 / 3)
    # delivery: same-day answer counts
    assert table.loc["delivery", "n_after"] == 1
    assert table.loc["delivery", "nps_after"] == 100.0


def test_nps_after_contact_finds_an_injected_drop_and_not_a_null() -> None:
    sim = simulate(6_000, seed=41)
    null = nps_after_contacts(sim.responses, sim.contacts)
    assert (null.table["p_adjusted"] > 0.05).sum() >= len(null.table) - 1
    # inject: answers within 30 days after a billing contact become detractors
    billing = sim.contacts[sim.contacts["reason"].fillna("").str.startswith("billing error")]
    pairs = sim.responses.merge(billing[["customer_id", "contact_date"]], on="customer_id")
    gap = (pairs["response_date"] - pairs["contact_date"]).dt.days
    hit = pairs.loc[(gap >= 0) & (gap <= 30), ["customer_id", "response_date"]].drop_duplicates()
    responses = sim.responses.merge(hit.assign(hit=1), how="left")
    responses["score"] = np.where(responses["hit"].eq(1), 0, responses["score"])
    shifted = nps_after_contacts(responses.drop(columns="hit"), sim.contacts)
    row = shifted.table.set_index("reason").loc["billing error"]
    assert row["difference_upper"] < -50 and row["p_adjusted"] < 1e-6
    assert row["nps_after"] == pytest.approx(-100.0, abs=15)  # a few follow a 2nd-listed tag


# --------------------------------------------------------------------------- money


def _oracle_failure_cost(sim: SimulatedData, costs: dict[str, float]) -> pd.Series:
    c = sim.contacts.copy()
    labels = (
        c["reason"]
        .fillna("uncoded")
        .str.split(";")
        .map(lambda xs: list(dict.fromkeys(x.strip() for x in xs)))
    )
    c["weight"] = 1.0 / labels.map(len)
    c["reason"] = labels
    c = c.explode("reason")
    money = (c["weight"] * c["channel"].map(costs)).groupby(c["reason"]).sum()
    per_customer_month = money / sim.customers["tenure_months"].sum()
    return per_customer_month * 12 * int((~sim.customers["churned"]).sum())


def test_failure_cost_equals_a_direct_computation_from_raw_contacts() -> None:
    sim = simulate(3_000, seed=6)
    rates = contact_rates(contact_counts(sim.contacts, sim.customers))
    assumptions = Assumptions(cost_per_contact=COSTS, n_bootstrap=400)
    money = money_per_reason(rates, None, assumptions=assumptions, seed=1)
    got = money.table.set_index("reason")["failure_cost"]
    oracle = _oracle_failure_cost(sim, COSTS)
    pd.testing.assert_series_equal(got.sort_index(), oracle.sort_index(), check_names=False)
    inside = (money.table["failure_lower"] <= money.table["failure_cost"]) & (
        money.table["failure_cost"] <= money.table["failure_upper"]
    )
    assert inside.all()
    assert money.table["churn_value"].isna().all()
    with pytest.raises(CxDataError, match=r"`assumptions\.cost_per_contact` has no cost"):
        money_per_reason(rates, None, assumptions=Assumptions(cost_per_contact={"phone": 5.0}))


def _hand_link(hazard_ratio: float, churners: dict[str, int], cov: float) -> ChurnLink:
    flagged = pd.DataFrame(
        {
            "reason": "x",
            "band": list(churners),
            "flagged_person_months": [1_000.0] * len(churners),
            "flagged_churners": list(churners.values()),
        }
    )
    table = pd.DataFrame({"reason": ["x"], "hazard_ratio": [hazard_ratio]})
    return ChurnLink(
        table=table, flagged_by_band=flagged, coefficients=table, log_hr_cov=np.array([[cov]]),
        reasons=("x",), exposure="time-varying", labels="all", adjusted_for=(), level=0.95,
        total_person_months=50_000.0, total_churners=2_000, n_customers=5_000,
    )  # fmt: skip


def test_churn_value_is_excess_churners_times_lifetime_value() -> None:
    exposure = np.full(12, 10_000.0)
    rates = contact_rates(_synthetic_counts({"x": np.full(12, 80)}, exposure, active=4_000))
    link = _hand_link(2.0, {"detractor": 3_000, "promoter": 1_000}, cov=1e-8)
    a = Assumptions(cost_per_contact={"phone": 5.0}, n_bootstrap=500)
    money = money_per_reason(
        rates, link, assumptions=a, lifetime_value={"detractor": 100.0, "promoter": 300.0}
    )
    row = money.table.iloc[0]
    scale = 12 * 4_000 / 50_000.0  # customer-months per year of today's base / in the model
    assert row["excess_churners"] == pytest.approx(4_000 * 0.5 * scale)
    assert row["churn_value"] == pytest.approx((3_000 * 100 + 1_000 * 300) * 0.5 * scale)
    assert row["failure_cost"] == pytest.approx(80 / 10_000 * 5.0 * 12 * 4_000)
    assert row["churn_lower"] < row["churn_value"] < row["churn_upper"]
    assert (row["churn_upper"] - row["churn_lower"]) / row["churn_value"] < 0.1
    assert row["total"] == pytest.approx(row["failure_cost"] + row["churn_value"])
    with pytest.warns(CxAssumptionWarning, match="no value for band"):
        partial = money_per_reason(rates, link, assumptions=a, lifetime_value={"promoter": 300.0})
    assert partial.table.iloc[0]["churn_value"] == pytest.approx(4_000 * 300 * 0.5 * scale)
    with pytest.raises(CxDataError, match="`lifetime_value` is needed"):
        money_per_reason(rates, link, assumptions=a)
    naive = _hand_link(2.0, {"promoter": 10}, 0.01)
    object.__setattr__(naive, "exposure", "ever-contacted")
    with pytest.raises(CxDataError, match="immortal-time"):
        money_per_reason(rates, naive, assumptions=a, lifetime_value=100.0)


def _hand_money(annual: dict[str, tuple[float, float]], draws: int = 2_000) -> ReasonMoney:
    rng = np.random.default_rng(0)
    reasons = list(annual)
    failure = np.vstack(
        [rng.normal(m, s, draws) if s else np.full(draws, m) for m, s in annual.values()]
    )
    table = pd.DataFrame(
        {"reason": reasons, "total": [m for m, _ in annual.values()], "verdict": RELIABLE}
    )
    return ReasonMoney(
        table=table, failure_draws=failure, churn_draws=np.zeros_like(failure),
        reasons=tuple(reasons), currency="EUR", level=0.95, annual_customer_months=1.0,
    )  # fmt: skip


def test_npv_payback_and_roi_equal_brute_force_cash_flows() -> None:
    a = Assumptions(annual_discount_rate=0.10, horizon_months=60)
    money = _hand_money({"billing": (24_000.0, 0.0)})
    fix = Fix(cost=10_000.0, reduction=0.5, annual_running_cost=1_200.0)
    row = fix_returns(money, {"billing": fix}, assumptions=a).table.iloc[0]
    i = (1.10) ** (1 / 12) - 1
    net = (0.5 * 24_000 - 1_200) / 12  # 900 a month
    discounted = np.array([net / (1 + i) ** m for m in range(1, 61)])
    assert row["npv"] == pytest.approx(discounted.sum() - 10_000)
    assert row["roi"] == pytest.approx((discounted.sum() - 10_000) / 10_000)
    assert row["payback_months"] == 1 + int(np.argmax(np.cumsum(discounted) >= 10_000))
    assert row["break_even_cost"] == pytest.approx(discounted.sum())
    assert annuity_factor(i, 60) == pytest.approx(discounted.sum() / net)
    assert payback_months(1e9, 10.0, i) == np.inf
    assert payback_months(0.0, 10.0, i) == 0.0


def test_decisions_follow_the_npv_interval_and_sparse_reasons_are_not_ranked() -> None:
    a = Assumptions(horizon_months=36, n_bootstrap=200)
    money = _hand_money(
        {"sure": (50_000.0, 2_000.0), "maybe": (8_000.0, 6_000.0), "no": (500.0, 100.0),
         "rare": (90_000.0, 1_000.0)}
    )  # fmt: skip
    money.table.loc[money.table["reason"] == "rare", "verdict"] = TOO_SPARSE
    fixes = {r: Fix(cost=20_000.0, reduction=0.5) for r in money.reasons}
    levers = fix_returns(money, fixes, assumptions=a)
    table = levers.table.set_index("reason")
    assert table.loc["sure", "decision"] == "fund"
    assert table.loc["maybe", "decision"] == "uncertain"
    assert table.loc["no", "decision"] == "do not fund"
    assert table.loc["rare", "decision"] == "not ranked" and pd.isna(table.loc["rare", "rank"])
    assert levers.top(2)["reason"].tolist() == ["sure", "maybe"]
    assert "NPV" in table.loc["sure", "headline"]
    grid = fix_scenarios(money, assumptions=a, reductions=(0.2, 0.4), costs=(0.0, 1e4))
    assert len(grid.table) == 2 * 2 * 4
    sure = grid.table[grid.table["reason"] == "sure"].set_index(["reduction", "fix_cost"])
    assert sure.loc[(0.4, 0.0), "npv"] == pytest.approx(2 * sure.loc[(0.2, 0.0), "npv"])
    with pytest.raises(CxDataError, match=r"`Fix\.reduction`"):
        Fix(cost=1.0, reduction=40)
    with pytest.raises(CxDataError, match="`fixes` names"):
        fix_returns(money, {"nope": Fix(1.0, 0.5)}, assumptions=a)


# --------------------------------------------------------------------------- analysis


def test_contact_driver_analysis_end_to_end() -> None:
    sim = simulate(6_000, seed=77, months_observed=24)
    customers, contacts = sim.customers.copy(), sim.contacts.copy()
    a = Assumptions(cost_per_contact=COSTS, n_bootstrap=300)
    report = contact_driver_analysis(
        sim.customers, sim.contacts, sim.responses, assumptions=a, lifetime_value=400.0, seed=3
    )
    frame = report.to_frame()
    assert frame["reason"].is_unique and len(frame) == len(report.rates.table)
    top = report.top_levers(3)
    assert top["reason"].iloc[0] == "billing error"
    assert "address change" not in top["reason"].tolist()
    assert frame.set_index("reason").loc["address change", "verdict"] == TOO_SPARSE
    assert report.summary().startswith("Contact drivers")
    assert "<strong>Contact drivers</strong>" in report._repr_html_()
    again = contact_driver_analysis(
        sim.customers, sim.contacts, sim.responses, assumptions=a, lifetime_value=400.0, seed=3
    )
    pd.testing.assert_frame_equal(again.to_frame(), frame)
    other = contact_driver_analysis(
        sim.customers, sim.contacts, sim.responses, assumptions=a, lifetime_value=400.0, seed=4
    )
    assert not other.money.table["lower"].equals(report.money.table["lower"])
    pd.testing.assert_frame_equal(customers, sim.customers)
    pd.testing.assert_frame_equal(contacts, sim.contacts)


def test_default_lifetime_value_comes_from_value_by_band(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    class _Values:
        def to_frame(self) -> pd.DataFrame:
            return pd.DataFrame(
                {"band": ["detractor", "passive", "promoter", "unrated"],
                 "value": [200.0, 400.0, 600.0, 400.0]}
            )  # fmt: skip

    def value_by_band(
        customers: object, responses: object, assumptions: Assumptions, **kwargs: object
    ) -> _Values:
        calls.append(assumptions)
        return _Values()

    fake = types.ModuleType("cx_economics.value.lifetime")
    setattr(fake, "value_by_band", value_by_band)  # noqa: B010 - a module built at runtime
    monkeypatch.setitem(sys.modules, "cx_economics.value.lifetime", fake)
    sim = simulate(2_000, seed=12)
    a = Assumptions(cost_per_contact=COSTS, n_bootstrap=100)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)
        report = contact_driver_analysis(sim.customers, sim.contacts, sim.responses, assumptions=a)
    assert calls == [a]
    assert dict(report.money.lifetime_value)["promoter"] == 600.0
