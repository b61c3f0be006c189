"""Bootstrap of churn curves on the life table (cx_economics.survival.bootstrap).

Independent checks: lifelines' Kaplan–Meier on expanded customer rows (point and
per replicate), Greenwood's variance formula for the bootstrap spread, plain numpy
on raw revenue for the revenue replicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.datasets import SimulationTruth, simulate
from cx_economics.survival.bootstrap import (
    bootstrap_survival,
    life_table_groups,
    replicate_mean_revenue,
    replicate_retention,
    replicate_survival,
    resample_life_table,
)
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable

TRUTH = SimulationTruth(reasons={}, team_nps_sd=0.0)


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


def expand(table: LifeTable, counts: np.ndarray, key: tuple[str, ...]) -> pd.DataFrame:
    """One row per (resampled) customer of one group."""
    frame = table.frame
    mask = np.ones(len(frame), dtype=bool)
    for col, value in zip(table.group_columns, key, strict=True):
        mask &= frame[col].astype(str).to_numpy() == value
    reps = counts[mask]
    return pd.DataFrame(
        {
            "duration": np.repeat(frame["duration"].to_numpy()[mask], reps),
            "churned": np.repeat(frame["churned"].to_numpy()[mask], reps),
        }
    )


def lifelines_km(rows: pd.DataFrame, months: np.ndarray) -> np.ndarray:
    kmf = KaplanMeierFitter().fit(rows["duration"], rows["churned"])
    return kmf.survival_function_at_times(months).to_numpy()


@pytest.fixture(scope="module")
def sim_table() -> tuple[pd.DataFrame, LifeTable]:
    sim = simulate(3000, truth=TRUTH, months_observed=48, seed=11)
    customers = sim.customers.assign(band=sim.latent_band.to_numpy())
    return customers, life_table_of(sim.customers, customers["band"].to_numpy(), ("band",))


def test_own_counts_reproduce_lifelines_km(sim_table: tuple[pd.DataFrame, LifeTable]) -> None:
    _, table = sim_table
    own = table.frame["customers"].to_numpy()[None, :]
    curves = replicate_survival(table, own, horizon_months=48)
    months = np.arange(49)
    for g, key in enumerate(life_table_groups(table)):
        expected = lifelines_km(expand(table, own[0], key), months)
        np.testing.assert_allclose(curves[0, g], expected, rtol=0, atol=1e-12)


def test_vectorised_replicates_equal_a_per_replicate_loop(
    sim_table: tuple[pd.DataFrame, LifeTable],
) -> None:
    _, table = sim_table
    counts = resample_life_table(table, n_replicates=4, seed=123)
    vectorised = bootstrap_survival(table, n_replicates=4, horizon_months=40, seed=123)
    months = np.arange(41)
    for b in range(4):
        for g, key in enumerate(life_table_groups(table)):
            loop = lifelines_km(expand(table, counts[b], key), months)
            np.testing.assert_allclose(vectorised[b, g], loop, rtol=0, atol=1e-12)


def test_resampling_keeps_group_sizes_and_centres_on_the_data(
    sim_table: tuple[pd.DataFrame, LifeTable],
) -> None:
    _, table = sim_table
    counts = resample_life_table(table, n_replicates=2000, seed=5)
    frame = table.frame
    for band, cells in frame.groupby("band").groups.items():
        pos = frame.index.get_indexer(cells)
        assert (counts[:, pos].sum(axis=1) == frame["customers"].to_numpy()[pos].sum()).all(), band
    # multinomial mean = n * p: replicate means sit within 5 standard errors of the counts
    original = frame["customers"].to_numpy()
    se = counts.std(axis=0) / np.sqrt(counts.shape[0])
    z = np.abs(counts.mean(axis=0) - original) / np.where(se > 0, se, 1.0)
    assert z.max() < 5.0


def test_same_seed_bit_identical_different_seed_not(
    sim_table: tuple[pd.DataFrame, LifeTable],
) -> None:
    _, table = sim_table
    a = bootstrap_survival(table, n_replicates=50, horizon_months=30, seed=9)
    b = bootstrap_survival(table, n_replicates=50, horizon_months=30, seed=9)
    c = bootstrap_survival(table, n_replicates=50, horizon_months=30, seed=10)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    g = bootstrap_survival(table, n_replicates=50, horizon_months=30, seed=np.random.default_rng(9))
    assert np.array_equal(a, g)


def test_bootstrap_spread_matches_greenwood(sim_table: tuple[pd.DataFrame, LifeTable]) -> None:
    _, table = sim_table
    draws = bootstrap_survival(table, n_replicates=3000, horizon_months=36, seed=2)
    own = table.frame["customers"].to_numpy()
    for g, key in enumerate(life_table_groups(table)):
        rows = expand(table, own, key)
        kmf = KaplanMeierFitter().fit(rows["duration"], rows["churned"])
        events = kmf.event_table
        for month in (12, 24, 36):
            upto = events.loc[(events.index > 0) & (events.index <= month)]
            d, n = upto["observed"].to_numpy(float), upto["at_risk"].to_numpy(float)
            s = float(kmf.survival_function_at_times(month).iloc[0])
            greenwood_sd = s * np.sqrt(np.sum(d / (n * (n - d))))
            boot_sd = draws[:, g, month].std(ddof=1)
            assert boot_sd == pytest.approx(greenwood_sd, rel=0.1), (key, month)


def test_tail_extends_each_replicate_with_the_conditional_shape() -> None:
    cells = pd.DataFrame(
        {
            "band": ["promoter"] * 4,
            "duration": [1, 2, 3, 3],
            "churned": [True, True, True, False],
            "customers": [10, 8, 6, 76],
            "revenue_sum": 0.0,
            "revenue_sq_sum": 0.0,
        }
    )
    table = LifeTable(cells, ("band",), "latest", None, False)
    months = np.arange(13.0)
    tail_s = (0.95**months)[None, :]
    tail = ChurnCurves(
        "weibull",
        ("band",),
        (("promoter",),),
        months,
        tail_s,
        tail_s,
        tail_s,
        np.array([3.0]),
        np.array([100]),
        np.array([24]),
    )
    fixed = bootstrap_survival(
        table, n_replicates=200, horizon_months=12, seed=4, tail=tail, rescale_tail=False
    )
    assert fixed.shape == (200, 1, 13)
    # every replicate reaches month 3 (76 active there), so the anchor is month 3
    ratio = fixed[:, 0, 3:] / fixed[:, 0, 3:4]
    np.testing.assert_allclose(ratio, np.broadcast_to(0.95 ** np.arange(10.0), ratio.shape))
    # rescaled: the tail's hazard is scaled by the replicate's churn per exposure month
    rescaled = bootstrap_survival(table, n_replicates=200, horizon_months=12, seed=4, tail=tail)
    np.testing.assert_array_equal(rescaled[:, :, :4], fixed[:, :, :4])
    counts = resample_life_table(table, n_replicates=200, seed=4)
    exposure = np.array([1, 2, 3, 3])
    churn = np.array([1, 1, 1, 0])
    data_rate = 24 / (10 * 1 + 8 * 2 + 6 * 3 + 76 * 3)  # churners per month of exposure
    theta = (counts @ churn / (counts @ exposure)) / data_rate
    log_ratio = np.log(rescaled[:, 0, 4:] / rescaled[:, 0, 3:4])
    np.testing.assert_allclose(log_ratio, theta[:, None] * np.log(0.95) * np.arange(1, 10))
    with pytest.raises(CxDataError, match="beyond the longest tenure"):
        bootstrap_survival(table, n_replicates=10, horizon_months=12, seed=4)
    with pytest.raises(CxDataError, match="fewer than `horizon_months`"):
        bootstrap_survival(table, n_replicates=10, horizon_months=20, seed=4, tail=tail)


def test_duration_zero_churners_leave_in_month_one() -> None:
    cells = pd.DataFrame(
        {
            "band": ["passive"] * 3,
            "duration": [0, 1, 2],
            "churned": [True, True, False],
            "customers": [2, 3, 5],
            "revenue_sum": 0.0,
            "revenue_sq_sum": 0.0,
        }
    )
    table = LifeTable(cells, ("band",), "latest", None, False)
    own = table.frame["customers"].to_numpy()[None, :]
    curve = replicate_survival(table, own, horizon_months=2)[0, 0]
    np.testing.assert_allclose(curve, [1.0, 0.5, 0.5])  # 5 of 10 leave in month 1


def test_unsorted_cells_with_duration_zero_and_beyond_the_horizon_match_lifelines() -> None:
    """Cells out of order, groups interleaved, empty cells, tenures past the horizon.

    Oracle: lifelines' Kaplan-Meier per replicate on expanded customer rows, with the
    library's convention that a duration-0 churner leaves in month 1. 1,100 replicates
    x 2 groups also take the month-by-month product path of ``replicate_survival``.
    """
    rng = np.random.default_rng(3)
    durations = np.arange(15)
    cells = pd.DataFrame(
        {
            "band": np.repeat(["passive", "promoter"], 2 * durations.size),
            "duration": np.tile(np.repeat(durations, 2), 2),
            "churned": np.tile([True, False], 2 * durations.size),
            "customers": rng.integers(0, 12, 4 * durations.size),
            "revenue_sum": 0.0,
            "revenue_sq_sum": 0.0,
        }
    ).sample(frac=1.0, random_state=4, ignore_index=True)
    table = LifeTable(cells, ("band",), "latest", None, False)
    horizon = 10
    counts = resample_life_table(table, n_replicates=1100, seed=6)
    survival = replicate_survival(table, counts, horizon_months=horizon)
    retention = replicate_retention(table, counts, horizon_months=horizon)
    np.testing.assert_array_equal(survival, np.cumprod(retention, axis=-1))
    few = replicate_survival(table, counts[:3], horizon_months=horizon)  # np.cumprod path
    np.testing.assert_array_equal(few, survival[:3])
    months = np.arange(horizon + 1)
    churned = cells["churned"].to_numpy()
    for b in (0, 1, 2, 1099):
        for g, key in enumerate(life_table_groups(table)):
            rows = expand(table, counts[b], key)
            rows["duration"] = np.where(
                rows["churned"], np.maximum(rows["duration"], 1), rows["duration"]
            )
            expected = lifelines_km(rows, months)
            np.testing.assert_allclose(survival[b, g], expected, rtol=0, atol=1e-12)
    assert churned.any() and (cells["duration"] == 0).any() and (cells["customers"] == 0).any()


def test_resampling_only_some_groups_leaves_the_others_at_zero(
    sim_table: tuple[pd.DataFrame, LifeTable],
) -> None:
    _, table = sim_table
    order = life_table_groups(table)
    band = table.frame["band"].astype(str).to_numpy()
    own = table.frame["customers"].to_numpy()
    wanted = [order[-1], order[0]]
    counts = resample_life_table(table, n_replicates=300, seed=7, groups=wanted)
    for (key,) in order:
        in_group = band == key
        if (key,) in wanted:
            assert (counts[:, in_group].sum(axis=1) == own[in_group].sum()).all(), key
        else:
            assert (counts[:, in_group] == 0).all(), key
    # the request's order does not matter: groups are drawn in the library's order
    again = resample_life_table(table, n_replicates=300, seed=7, groups=wanted[::-1])
    np.testing.assert_array_equal(counts, again)
    # leading groups of that order get the same draws as when every group is resampled
    full = resample_life_table(table, n_replicates=300, seed=7)
    first_two = resample_life_table(table, n_replicates=300, seed=7, groups=list(order[:2]))
    cols = np.isin(band, [order[0][0], order[1][0]])
    np.testing.assert_array_equal(first_two[:, cols], full[:, cols])
    with pytest.raises(CxDataError, match="`groups`"):
        resample_life_table(table, n_replicates=5, seed=1, groups=[("nobody",)])
    # a group named twice would leave a row of the output unfilled: refused
    with pytest.raises(CxDataError, match="more than once"):
        resample_life_table(table, n_replicates=5, seed=1, groups=[order[0], order[0]])
    with pytest.raises(CxDataError, match="more than once"):
        replicate_survival(table, counts, horizon_months=3, groups=[order[0], order[0]])


def test_revenue_noise_given_the_counts_has_the_summed_cell_moments(
    sim_table: tuple[pd.DataFrame, LifeTable],
) -> None:
    """Counts held at the data's: the group mean is normal with the cells' summed moments."""
    _, table = sim_table
    frame = table.frame
    n_cell = frame["customers"].to_numpy(float)
    counts = np.tile(frame["customers"].to_numpy(), (20_000, 1))
    revenue = replicate_mean_revenue(table, counts, seed=9)
    for g, (key,) in enumerate(life_table_groups(table)):
        cells = (frame["band"].astype(str) == key).to_numpy() & (n_cell > 0)
        n, total = n_cell[cells], frame["revenue_sum"].to_numpy()[cells]
        sq = frame["revenue_sq_sum"].to_numpy()[cells]
        cell_var = np.where(n > 1, (sq - total**2 / n) / np.maximum(n - 1, 1), 0.0)
        sd = np.sqrt(np.sum(n * np.maximum(cell_var, 0.0))) / n.sum()
        assert revenue[:, g].mean() == pytest.approx(total.sum() / n.sum(), abs=5 * sd / 141)
        assert revenue[:, g].std(ddof=1) == pytest.approx(sd, rel=0.03), key


def test_revenue_replicates_centre_on_the_mean_with_the_right_spread(
    sim_table: tuple[pd.DataFrame, LifeTable],
) -> None:
    customers, table = sim_table
    band = customers["band"].to_numpy()
    counts = resample_life_table(table, n_replicates=4000, seed=8)
    revenue = replicate_mean_revenue(table, counts, seed=8)
    for g, (key,) in enumerate(life_table_groups(table)):
        raw = customers.loc[band == key, "monthly_revenue"].to_numpy()
        sem = raw.std(ddof=1) / np.sqrt(raw.size)
        assert revenue[:, g].mean() == pytest.approx(raw.mean(), abs=4 * sem / np.sqrt(60))
        assert revenue[:, g].std(ddof=1) == pytest.approx(sem, rel=0.08)


def test_bad_inputs_are_named() -> None:
    cells = pd.DataFrame(
        {
            "band": ["passive"],
            "duration": [2],
            "churned": [True],
            "customers": [3],
            "revenue_sum": 0.0,
            "revenue_sq_sum": 0.0,
        }
    )
    table = LifeTable(cells, ("band",), "latest", None, False)
    with pytest.raises(CxDataError, match="`n_replicates`"):
        resample_life_table(table, n_replicates=0, seed=1)
    with pytest.raises(CxDataError, match="`seed`"):
        resample_life_table(table, n_replicates=5, seed=1.5)  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(CxDataError, match="`counts`"):
        replicate_survival(table, np.ones((2, 3), dtype=np.int64), horizon_months=2)
    with pytest.raises(CxDataError, match="`groups`"):
        bootstrap_survival(table, horizon_months=2, seed=1, groups=[("promoter",)])
    with pytest.raises(CxDataError, match="no revenue"):
        replicate_mean_revenue(table, np.ones((2, 1), dtype=np.int64), seed=1)
    bad = LifeTable(cells.assign(duration=[-1]), ("band",), "latest", None, False)
    with pytest.raises(CxDataError, match="`duration`"):
        resample_life_table(bad, n_replicates=5, seed=1)
