"""Lifetime value, margins, residual value and customer equity (cx_economics.value.lifetime).

Independent checks: the closed forms of Gupta & Lehmann (2003) for constant
retention, hypothesis properties (monotone in margin, retention, discount), coverage
of the bootstrap intervals against the simulator's known truth, a brute-force
per-customer loop for residual value, and pandas/scipy on raw rows for margins.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter
from scipy import stats

import cx_economics.value.lifetime as value_module
from cx_economics.core.bands import BAND_ORDER
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.datasets import SimulationTruth, simulate
from cx_economics.survival.bootstrap import (
    life_table_groups,
    replicate_mean_revenue,
    replicate_survival,
    resample_life_table,
)
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable
from cx_economics.value.equity import (
    CustomerEquity,
    ResidualValues,
    customer_equity,
    residual_value,
)
from cx_economics.value.lifetime import (
    LifetimeValues,
    MarginByBand,
    discounted_value,
    lifetime_value,
    margin_by_band,
)

TRUTH = SimulationTruth(reasons={}, team_nps_sd=0.0)
BANDS = [b.value for b in BAND_ORDER]
MONTHLY_RATE = Assumptions().monthly_discount_rate  # 8 % a year


# --------------------------------------------------------------------------- helpers


def geometric_curves(
    retention: dict[str, float], months: int, observed: float | None = None
) -> ChurnCurves:
    """S(t) = r ** t per band: the constant-retention model with a closed form."""
    grid = np.arange(months + 1.0)
    keys = tuple((b,) for b in retention)
    s = np.vstack([r**grid for r in retention.values()])
    obs = np.full(len(keys), float(months if observed is None else observed))
    n = np.full(len(keys), 1000)
    return ChurnCurves("geometric", ("band",), keys, grid, s, s * 0.98, s, obs, n, n // 10)


def life_table_of(customers: pd.DataFrame, band: np.ndarray, by: tuple[str, ...]) -> LifeTable:
    """A life table by a plain pandas group-by over customer rows (test oracle)."""
    frame = customers.assign(band=band)
    tenure = frame["tenure_months"].to_numpy()
    churned = frame["churned"].to_numpy(bool)
    frame["duration"] = np.where(churned, np.ceil(tenure), np.floor(tenure)).astype(np.int64)
    frame["rev"] = frame["monthly_revenue"]
    frame["rev2"] = frame["monthly_revenue"] ** 2
    cells = (
        frame.groupby([*by, "duration", "churned"])
        .agg(
            customers=("customer_id", "size"),
            revenue_sum=("rev", "sum"),
            revenue_sq_sum=("rev2", "sum"),
        )
        .reset_index()
    )
    return LifeTable(cells, by, "latent", None, True)


def km_with_geometric_tail(table: LifeTable, months: int, switch_month: int) -> ChurnCurves:
    """Lifelines Kaplan–Meier up to ``switch_month``, then the geometric MLE tail."""
    frame = table.frame
    groups = life_table_groups(table)
    rows, observed, n, d = [], [], [], []
    for key in groups:
        mask = np.ones(len(frame), dtype=bool)
        for col, v in zip(table.group_columns, key, strict=True):
            mask &= frame[col].astype(str).to_numpy() == v
        cells = frame[mask]
        durations = np.repeat(cells["duration"].to_numpy(), cells["customers"].to_numpy())
        events = np.repeat(cells["churned"].to_numpy(), cells["customers"].to_numpy())
        switch = min(int(durations.max()), switch_month)
        kmf = KaplanMeierFitter().fit(durations, events)
        km = kmf.survival_function_at_times(np.arange(switch + 1)).to_numpy()
        retention = 1.0 - events.sum() / durations.sum()  # geometric MLE, all months
        rows.append(np.concatenate([km, km[-1] * retention ** np.arange(1, months - switch + 1)]))
        observed.append(switch)
        n.append(durations.size)
        d.append(int(events.sum()))
    s = np.vstack(rows)
    return ChurnCurves(
        "km+geometric",
        table.group_columns,
        groups,
        np.arange(months + 1.0),
        s,
        s,
        s,
        np.array(observed, dtype=float),
        np.array(n),
        np.array(d),
    )


def lifelines_km_curves(table: LifeTable, months: int) -> ChurnCurves:
    """Kaplan–Meier per group by lifelines, with its pointwise 95 % band."""
    frame = table.frame
    groups = life_table_groups(table)
    s, lo, hi, obs, n, d = [], [], [], [], [], []
    grid = np.arange(months + 1)
    for (band,) in groups:
        cells = frame[frame["band"] == band]
        durations = np.repeat(cells["duration"].to_numpy(), cells["customers"].to_numpy())
        events = np.repeat(cells["churned"].to_numpy(), cells["customers"].to_numpy())
        kmf = KaplanMeierFitter().fit(durations, events)
        s.append(kmf.survival_function_at_times(grid).to_numpy())
        ci = kmf.confidence_interval_survival_function_.reindex(grid, method="ffill")
        lo.append(ci.iloc[:, 0].to_numpy())
        hi.append(ci.iloc[:, 1].to_numpy())
        obs.append(float(durations.max()))
        n.append(durations.size)
        d.append(int(events.sum()))
    return ChurnCurves(
        "km", ("band",), groups, grid.astype(float), np.vstack(s), np.vstack(lo), np.vstack(hi),
        np.array(obs), np.array(n), np.array(d),
    )  # fmt: skip


def true_band_value(band: str, horizon_months: int) -> float:
    """Truth for a band pooled over channels: channel mix P(channel | band), all uniform."""
    k = BANDS.index(band)
    weights = np.array([TRUTH.band_shares[c][k] for c in TRUTH.channels])
    weights = weights / weights.sum()
    return float(
        sum(
            w * TRUTH.lifetime_value(band, c, horizon_months=horizon_months)
            for w, c in zip(weights, TRUTH.channels, strict=True)
        )
    )


# --------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize(
    ("r", "m", "annual"), [(0.97, 12.0, 0.08), (0.99, 40.0, 0.0), (0.9, 5.0, 0.2)]
)
def test_constant_retention_matches_the_closed_forms(r: float, m: float, annual: float) -> None:
    i = (1 + annual) ** (1 / 12) - 1
    q = r / (1 + i)
    curves = geometric_curves({"promoter": r}, months=120)
    finite = lifetime_value(
        curves, monthly_margin=m, horizon_months=36, annual_discount_rate=annual
    )
    assert finite.value[0] == pytest.approx(m * q * (1 - q**36) / (1 - q), rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)  # annual 0: remainder is large
        infinite = lifetime_value(
            curves, monthly_margin=m, horizon_months="infinite", annual_discount_rate=annual
        )
    assert infinite.value[0] == pytest.approx(m * r / (1 + i - r), rel=1e-10)
    assert infinite.horizon_months is None


def test_the_simulators_truth_is_reproduced_from_its_own_curve() -> None:
    h = TRUTH.hazard("detractor", "chat")
    curves = geometric_curves({"detractor": math.exp(-h)}, months=60)
    lv = lifetime_value(curves, monthly_margin=TRUTH.monthly_margin("detractor"))
    assert lv.value[0] == pytest.approx(TRUTH.lifetime_value("detractor", "chat"), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    r=st.floats(0.5, 0.995),
    dr=st.floats(0.001, 0.004),
    m=st.floats(1.0, 500.0),
    dm=st.floats(0.01, 50.0),
    i=st.floats(0.0, 0.03),
    di=st.floats(0.0005, 0.01),
    horizon=st.integers(1, 120),
)
def test_value_rises_with_margin_and_retention_and_falls_with_discount(
    r: float, dr: float, m: float, dm: float, i: float, di: float, horizon: int
) -> None:
    t = np.arange(1, horizon + 1)
    base = float(discounted_value(r**t, m, i))
    assert float(discounted_value(r**t, m + dm, i)) > base
    assert float(discounted_value((r + dr) ** t, m, i)) > base
    assert float(discounted_value(r**t, m, i + di)) < base
    # vectorised over leading axes: the same numbers as one curve at a time
    stacked = discounted_value(np.stack([r**t, (r + dr) ** t]), np.array([m, m + dm]), i)
    assert stacked[0] == pytest.approx(base)
    assert stacked[1] == pytest.approx(float(discounted_value((r + dr) ** t, m + dm, i)))


@settings(max_examples=30, deadline=None)
@given(r=st.floats(0.6, 0.99), bump=st.floats(0.001, 0.009), margin=st.floats(1.0, 100.0))
def test_lifetime_value_orders_bands_by_retention(r: float, bump: float, margin: float) -> None:
    curves = geometric_curves({"detractor": r, "promoter": r + bump}, months=48)
    lv = lifetime_value(curves, monthly_margin=margin, horizon_months=48)
    assert lv.value[1] > lv.value[0]
    assert (lv.lower <= lv.value + 1e-9).all()
    assert (lv.value <= lv.upper + 1e-9).all()


# --------------------------------------------------------------------------- extrapolation


def test_extrapolated_share_is_zero_within_the_data_and_exact_beyond() -> None:
    r = 0.98
    curves = geometric_curves({"passive": r}, months=60, observed=24)
    within = lifetime_value(curves, monthly_margin=10.0, horizon_months=24)
    assert within.extrapolated_share[0] == 0.0
    with pytest.warns(CxAssumptionWarning, match="beyond the observed tenure"):
        beyond = lifetime_value(curves, monthly_margin=10.0, horizon_months=60)
    q = r / (1 + MONTHLY_RATE)
    expected = sum(q**t for t in range(25, 61)) / sum(q**t for t in range(1, 61))
    assert beyond.extrapolated_share[0] == pytest.approx(expected, rel=1e-12)
    assert any("extrapolated" in note for note in beyond._notes())
    with warnings.catch_warnings():
        warnings.simplefilter("error", CxAssumptionWarning)  # a higher threshold: silent
        lifetime_value(curves, monthly_margin=10.0, horizon_months=60, max_extrapolated_share=0.9)


def test_kaplan_meier_alone_is_refused_where_it_cannot_reach() -> None:
    km = dataclasses.replace(geometric_curves({"promoter": 0.98}, 60, observed=40), model="km")
    with pytest.raises(CxModelError, match="infinite horizon"):
        lifetime_value(km, monthly_margin=10.0, horizon_months="infinite")
    with pytest.raises(CxModelError, match="cannot reach month 48"):
        lifetime_value(km, monthly_margin=10.0, horizon_months=48)
    assert lifetime_value(km, monthly_margin=10.0, horizon_months=40).value[0] > 0
    with pytest.raises(CxDataError, match=r"must cover months 0\.\.72"):
        lifetime_value(geometric_curves({"promoter": 0.98}, 60), monthly_margin=1.0,
                       horizon_months=72)  # fmt: skip


def test_margins_by_mapping_and_their_errors() -> None:
    curves = geometric_curves({"detractor": 0.97, "promoter": 0.99}, months=24)
    lv = lifetime_value(
        curves, monthly_margin={"detractor": 10.0, "promoter": 20.0}, horizon_months=24
    )
    one = lifetime_value(curves, monthly_margin=10.0, horizon_months=24)
    assert lv.value[0] == pytest.approx(one.value[0])
    assert lv.value[1] == pytest.approx(2 * one.value[1])
    with pytest.raises(CxDataError, match="no figure for group 'promoter'"):
        lifetime_value(curves, monthly_margin={"detractor": 10.0}, horizon_months=24)
    with pytest.raises(CxDataError, match="finite amounts ≥ 0"):
        lifetime_value(curves, monthly_margin=-1.0, horizon_months=24)
    with pytest.raises(CxDataError, match="`survival_replicates`"):
        lifetime_value(curves, monthly_margin=1.0, horizon_months=24,
                       survival_replicates=np.ones((5, 3, 25)))  # fmt: skip


# --------------------------------------------------------------------------- coverage


@pytest.mark.slow
def test_bootstrap_intervals_cover_the_true_lifetime_value() -> None:
    """70 simulated bases; 95 % intervals of the 48-month value per band vs the truth."""
    horizon = 48
    truth = {b: true_band_value(b, horizon) for b in BANDS}
    covered_fixed, covered_joint = [], []
    for seed in range(70):
        sim = simulate(1500, truth=TRUTH, months_observed=60, seed=1000 + seed)
        table = life_table_of(sim.customers, sim.latent_band.to_numpy(), ("band",))
        curves = lifelines_km_curves(table, horizon)
        counts = resample_life_table(table, n_replicates=300, seed=seed)
        draws = replicate_survival(table, counts, horizon_months=horizon, groups=curves.groups)
        target = np.array([truth[b] for (b,) in curves.groups])
        fixed = lifetime_value(
            curves,
            monthly_margin={b: TRUTH.monthly_margin(b) for b in BANDS},
            horizon_months=horizon,
            survival_replicates=draws,
        )
        margins = margin_by_band(table, margin_rate=TRUTH.margin_rate)
        revenue = replicate_mean_revenue(table, counts, seed=seed, groups=curves.groups)
        joint = lifetime_value(
            curves,
            monthly_margin=margins,
            horizon_months=horizon,
            survival_replicates=draws,
            margin_replicates=revenue * TRUTH.margin_rate,
        )
        covered_fixed.append((fixed.lower <= target) & (target <= fixed.upper))
        covered_joint.append((joint.lower <= target) & (target <= joint.upper))
    # 210 intervals each: binomial sd of the coverage is 1.5 points
    assert 0.90 <= np.mean(covered_fixed) <= 0.99
    assert 0.90 <= np.mean(covered_joint) <= 0.99
    assert fixed.interval_method == "bootstrap"


@pytest.mark.slow
def test_equity_intervals_cover_the_true_residual_value() -> None:
    """40 bases by band × channel: KM to month 48, geometric tail after, 12 months ahead.

    With a constant true hazard the remaining value of every active customer is the
    simulator's lifetime value of their band and channel, whatever their tenure.
    """
    horizon = 12
    margins = {f"{b}/{c}": TRUTH.monthly_margin(b) for b in BANDS for c in TRUTH.channels}
    covered = []
    for seed in range(40):
        sim = simulate(2000, truth=TRUTH, months_observed=60, seed=500 + seed)
        band = sim.latent_band.to_numpy()
        table = life_table_of(sim.customers, band, ("band", "channel"))
        curves = km_with_geometric_tail(table, months=60 + horizon, switch_month=48)
        equity = customer_equity(
            table, curves, margins, horizon_months=horizon, n_bootstrap=200, seed=seed
        )
        active = ~sim.customers["churned"].to_numpy()
        target = sum(
            TRUTH.lifetime_value(b, c, horizon_months=horizon)
            for b, c in zip(band[active], sim.customers["channel"].to_numpy()[active], strict=True)
        )
        covered.append(equity.total_lower <= target <= equity.total_upper)
    # 40 intervals: binomial sd of the coverage is 3.4 points
    assert 0.85 <= np.mean(covered) <= 1.0


# --------------------------------------------------------------------------- residual


def small_base() -> tuple[LifeTable, ChurnCurves, pd.DataFrame]:
    customers = pd.DataFrame(
        {
            "band": ["detractor"] * 5 + ["promoter"] * 5,
            "duration": [0, 3, 3, 7, 2, 1, 4, 9, 9, 5],
            "churned": [False, False, False, False, True, False, False, False, True, True],
        }
    )
    cells = (
        customers.groupby(["band", "duration", "churned"]).size().rename("customers").reset_index()
    )
    cells["revenue_sum"] = 0.0
    cells["revenue_sq_sum"] = 0.0
    table = LifeTable(cells, ("band",), "latest", None, False)
    grid = np.arange(40.0)
    weibull = np.vstack([np.exp(-((grid / 20.0) ** 0.8)), np.exp(-((grid / 45.0) ** 1.3))])
    curves = ChurnCurves(
        "weibull", ("band",), (("detractor",), ("promoter",)), grid, weibull, weibull, weibull,
        np.array([9.0, 9.0]), np.array([5, 5]), np.array([1, 2]),
    )  # fmt: skip
    return table, curves, customers


def test_residual_value_equals_a_per_customer_loop() -> None:
    table, curves, customers = small_base()
    margin = {"detractor": 11.0, "promoter": 17.0}
    i = (1.1) ** (1 / 12) - 1
    result = residual_value(
        table, curves, monthly_margin=margin, horizon_months=24, annual_discount_rate=0.1
    )
    brute: dict[tuple[str, int], float] = {}
    for row in customers.itertuples():
        if row.churned:
            continue
        s = curves.curve(row.band)
        a = row.duration
        value = sum(s[a + t] / s[a] * margin[row.band] / (1 + i) ** t for t in range(1, 25))
        brute[(row.band, a)] = brute.get((row.band, a), 0.0) + value
    got = result.cells.set_index(["band", "tenure_months"])["total_value"]
    assert len(got) == len(brute)
    for key, expected in brute.items():
        assert got[key] == pytest.approx(expected, rel=1e-12)
    # a customer of tenure 0 is worth exactly a new customer's lifetime value
    new = lifetime_value(curves, monthly_margin=margin, horizon_months=24,
                         annual_discount_rate=0.1)  # fmt: skip
    assert got[("detractor", 0)] == pytest.approx(new.value[0], rel=1e-12)
    # beyond the data (month 9) part of the value is extrapolated
    shares = result.cells.set_index(["band", "tenure_months"])["extrapolated_share"]
    assert shares[("promoter", 4)] > 0.5


def test_equity_totals_are_the_sum_of_groups_and_seeded() -> None:
    table, curves, _ = small_base()
    equity = customer_equity(table, curves, 10.0, horizon_months=12, n_bootstrap=200, seed=3)
    residual = residual_value(table, curves, monthly_margin=10.0, horizon_months=12)
    by_group = residual.cells.groupby("band")["total_value"].sum()
    assert equity.total_value == pytest.approx(equity.value.sum(), rel=1e-12)
    for g, (band,) in enumerate(equity.groups):
        assert equity.value[g] == pytest.approx(by_group[band], rel=1e-12)
    frame = equity.to_frame()
    total_row = frame[frame["scope"] == "total"].iloc[0]
    assert total_row["value"] == pytest.approx(frame.loc[frame["scope"] == "group", "value"].sum())
    assert equity.total.lower <= equity.total_value <= equity.total.upper
    again = customer_equity(table, curves, 10.0, horizon_months=12, n_bootstrap=200, seed=3)
    assert np.array_equal(again.lower, equity.lower)
    assert again.total_upper == equity.total_upper
    assert int(equity.n_active.sum()) == 7


def test_residual_value_refuses_curves_that_stop_short() -> None:
    table, curves, _ = small_base()
    with pytest.raises(CxDataError, match="tenure \\+ horizon"):
        residual_value(table, curves, monthly_margin=1.0, horizon_months=36)
    other = dataclasses.replace(curves, group_columns=("channel",))
    with pytest.raises(CxDataError, match="same groups"):
        residual_value(table, other, monthly_margin=1.0, horizon_months=12)


# --------------------------------------------------------------------------- margins


def test_margins_match_raw_revenue_means_and_standard_errors() -> None:
    sim = simulate(3000, truth=TRUTH, seed=21)
    band = sim.latent_band.to_numpy()
    table = life_table_of(sim.customers, band, ("band",))
    margins = margin_by_band(table, margin_rate=0.35)
    revenue = sim.customers["monthly_revenue"]
    for g, (b,) in enumerate(margins.groups):
        raw = revenue[band == b].to_numpy()
        assert margins.monthly_margin[g] == pytest.approx(0.35 * raw.mean(), rel=1e-10)
        assert margins.standard_error[g] == pytest.approx(0.35 * stats.sem(raw), rel=1e-8)
        assert margins.n_customers[g] == raw.size
    assert set(margins.source) == {"data"}


def test_margins_fall_back_on_assumptions_and_overrides_win() -> None:
    table, _, _ = small_base()  # no revenue
    with pytest.raises(CxDataError, match="carries no revenue"):
        margin_by_band(table)
    flat = margin_by_band(table, monthly_revenue=50.0, margin_rate=0.2)
    np.testing.assert_allclose(flat.monthly_margin, [10.0, 10.0])
    bare = LifeTable(table.frame.drop(columns=["revenue_sum", "revenue_sq_sum"]), ("band",),
                     "latest", None, False)  # fmt: skip
    np.testing.assert_allclose(margin_by_band(bare, monthly_revenue=50.0).monthly_margin, 15.0)
    assumptions = Assumptions(monthly_margin_by_band={"promoter": 14.0}, monthly_revenue=40.0)
    mixed = margin_by_band(table, assumptions=assumptions)
    assert mixed.monthly_margin.tolist() == [pytest.approx(12.0), 14.0]
    assert mixed.source == ("assumption: monthly_revenue", "assumption: monthly_margin_by_band")


# --------------------------------------------------------------------------- convenience


def test_value_by_band_wires_table_curves_margins_and_bootstrap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = simulate(2000, truth=TRUTH, months_observed=60, seed=4)
    table = life_table_of(sim.customers, sim.latent_band.to_numpy(), ("band",))
    curves = lifelines_km_curves(table, 36)
    monkeypatch.setattr(value_module, "life_table", lambda customers, responses: table)
    monkeypatch.setattr(value_module, "kaplan_meier", lambda t: curves)
    lv = value_module.value_by_band(
        sim.customers, sim.responses, Assumptions(margin_rate=0.35), model="km",
        horizon_months=36, n_bootstrap=300, seed=7,
    )  # fmt: skip
    again = value_module.value_by_band(
        sim.customers, sim.responses, Assumptions(margin_rate=0.35), model="km",
        horizon_months=36, n_bootstrap=300, seed=7,
    )  # fmt: skip
    assert np.array_equal(lv.lower, again.lower)
    assert lv.interval_method == "bootstrap"
    for g, (b,) in enumerate(lv.groups):
        assert lv.lower[g] < true_band_value(b, 36) * 1.25
        assert lv.upper[g] > true_band_value(b, 36) * 0.8
    assert list(lv.to_frame()["band"]) == BANDS


def test_value_by_band_with_the_real_builders() -> None:
    sim = simulate(3000, seed=3)
    lv = value_module.value_by_band(
        sim.customers, sim.responses, model="km", horizon_months=36, n_bootstrap=100
    )
    assert (lv.lower <= lv.value).all() and (lv.value <= lv.upper).all()


# --------------------------------------------------------------------------- contracts


def test_results_are_frozen_tidy_and_render() -> None:
    table, curves, _ = small_base()
    results = [
        lifetime_value(curves, monthly_margin=5.0, horizon_months=12),
        margin_by_band(table, monthly_revenue=30.0),
        residual_value(table, curves, monthly_margin=5.0, horizon_months=12),
        customer_equity(table, curves, 5.0, horizon_months=12, n_bootstrap=60, seed=1),
    ]
    kinds = (LifetimeValues, MarginByBand, ResidualValues, CustomerEquity)
    for result, kind in zip(results, kinds, strict=True):
        assert isinstance(result, kind)
        frame = result.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0
        assert frame.columns.is_unique
        assert result.summary().startswith(result._title)
        assert result._repr_html_().startswith("<div>")
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.currency = "USD"  # type: ignore[misc]  # frozen on purpose
    lv = results[0]
    assert isinstance(lv, LifetimeValues)
    est = lv.estimate("promoter")
    assert est.lower <= est.value <= est.upper
