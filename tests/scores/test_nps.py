"""Tests of cx_economics.scores: NPS, its intervals, reliability, comparison and sample size.

Independent checks used here: hand arithmetic on small counts, statsmodels'
weighted descriptive statistics (NPS is the mean of −1/0/+1 scores), exact coverage
by enumerating every trinomial outcome with scipy.stats.multinomial, and
simulations with known truth.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.datasets import simulate
from cx_economics.scores import (
    Method,
    NpsEstimate,
    NpsTable,
    compare_nps,
    nps,
    sample_size_for_margin,
)
from cx_economics.tables import NpsCounts

Z95 = 1.959963984540054  # standard normal 97.5 % quantile


def counts_of(d: int, p: int, r: int) -> NpsCounts:
    return NpsCounts.from_counts(detractors=d, passives=p, promoters=r)


def many(samples: np.ndarray) -> NpsCounts:
    """(replicates, 3) counts → one group per replicate."""
    return NpsCounts.from_counts(
        detractors=samples[:, 0], passives=samples[:, 1], promoters=samples[:, 2]
    )


# --------------------------------------------------------------------------- by hand


def test_nps_and_wald_variance_by_hand() -> None:
    # 50 promoters, 30 passives, 20 detractors: NPS = 50 - 20 = 30 points.
    # Var per response = p+ + p- - (p+ - p-)^2 = 0.5 + 0.2 - 0.09 = 0.61,
    # so Var(NPS) = 0.61 / 100 * 100^2 = 61 points^2 and se = sqrt(61).
    est = nps(counts_of(20, 30, 50), method="wald")
    assert est.nps == pytest.approx(30.0)
    assert est.se == pytest.approx(math.sqrt(61.0))
    assert est.lower == pytest.approx(30.0 - Z95 * math.sqrt(61.0))
    assert est.upper == pytest.approx(30.0 + Z95 * math.sqrt(61.0))
    assert (est.detractor_share, est.passive_share, est.promoter_share) == (0.2, 0.3, 0.5)


def test_wald_se_matches_statsmodels_on_minus_one_zero_one_scores() -> None:
    scores = np.array([-1.0, 0.0, 1.0])
    for d, p, r in [(20, 30, 50), (7, 1, 2), (300, 20, 681)]:
        weighted = DescrStatsW(scores, weights=np.array([d, p, r], dtype=float), ddof=0)
        est = nps(counts_of(d, p, r), method="wald")
        assert est.nps == pytest.approx(100 * weighted.mean)
        assert est.se == pytest.approx(100 * weighted.std / math.sqrt(d + p + r))


def test_adjusted_wald_by_hand() -> None:
    # Rocks (2016): add 3/4 detractor, 3/2 passive, 3/4 promoter: (20.75, 31.5, 50.75), n = 103.
    d, r, n = 20.75, 50.75, 103.0
    centre = 100 * (r - d) / n
    se = 100 * math.sqrt((r / n + d / n - (r / n - d / n) ** 2) / n)
    est = nps(counts_of(20, 30, 50), method="adjusted_wald")
    assert est.nps == pytest.approx(30.0)  # the point estimate stays the raw NPS
    assert est.se == pytest.approx(se)
    assert est.lower == pytest.approx(centre - Z95 * se)
    assert est.upper == pytest.approx(centre + Z95 * se)
    assert est.method == "adjusted_wald"
    assert nps(counts_of(20, 30, 50)).method == "adjusted_wald"  # what "auto" means


def test_all_one_band_gives_a_finite_non_degenerate_adjusted_interval() -> None:
    for d, p, r in [(0, 0, 12), (12, 0, 0), (0, 12, 0)]:
        est = nps(counts_of(d, p, r))
        assert np.isfinite([est.lower, est.upper, est.se]).all()
        assert est.upper - est.lower > 10.0
        assert -100.0 <= est.lower < est.upper <= 100.0
    wald = nps(counts_of(0, 0, 12), method="wald")
    assert wald.lower == wald.upper == 100.0
    assert not wald.reliable  # a zero-width interval from 12 answers proves nothing


def test_intervals_are_clipped_to_the_scale() -> None:
    est = nps(counts_of(0, 1, 9))
    assert est.upper == 100.0 and est.lower > -100.0
    low = nps(counts_of(9, 1, 0), method="bootstrap", seed=3)
    assert low.lower == -100.0


def test_zero_responses_is_an_error() -> None:
    with pytest.raises(CxDataError, match="n = 0"):
        nps(counts_of(0, 0, 0))
    table = NpsCounts.from_counts(detractors=[1, 0], passives=[1, 0], promoters=[1, 0])
    with pytest.raises(CxDataError, match="1 group"):
        nps(table, by="group")


# --------------------------------------------------------------------------- coverage


def exact_coverage(n: int, shares: tuple[float, float, float], method: Method) -> float:
    """Sum of trinomial probabilities of the outcomes whose interval holds the truth."""
    d, p = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    keep = d + p <= n
    outcomes = np.column_stack([d[keep], p[keep], n - d[keep] - p[keep]])
    probability = np.asarray(stats.multinomial.pmf(outcomes, n, shares))
    table = nps(many(outcomes), by="group", method=method, n_bootstrap=1000, seed=1)
    truth = 100 * (shares[2] - shares[0])
    inside = (table.lower <= truth + 1e-9) & (truth - 1e-9 <= table.upper)
    return float(probability[inside].sum())


SHARE_GRID = [
    (d, round(1 - d - r, 2), r)
    for d in (0.05, 0.15, 0.3, 0.5, 0.7)
    for r in (0.05, 0.15, 0.3, 0.5, 0.7)
    if d + r <= 0.95
]


@pytest.mark.slow
@pytest.mark.parametrize("n", [10, 30])
def test_auto_is_the_method_with_coverage_closest_to_nominal_at_small_n(n: int) -> None:
    deviation, worst = {}, {}
    methods: tuple[Method, ...] = ("wald", "adjusted_wald", "bootstrap")
    for method in methods:
        coverage = np.array([exact_coverage(n, s, method) for s in SHARE_GRID])
        deviation[method] = float(np.mean(np.abs(coverage - 0.95)))
        worst[method] = float(coverage.min())
    best = min(deviation, key=deviation.__getitem__)
    assert best == "adjusted_wald" == nps(counts_of(1, 1, 1)).method, deviation
    assert deviation["adjusted_wald"] < 0.02
    # Plain Wald and the percentile bootstrap fall below 93 % somewhere on the grid.
    assert worst["wald"] < 0.93 <= worst["adjusted_wald"], worst
    assert worst["bootstrap"] < 0.93, worst


@pytest.mark.parametrize("n", [30, 1000])
@pytest.mark.parametrize("shares", [(0.10, 0.20, 0.70), (0.60, 0.30, 0.10)])
def test_simulated_coverage_of_auto_interval_is_near_95_percent(
    n: int, shares: tuple[float, float, float]
) -> None:
    rng = np.random.default_rng(20_251_123 + n)
    samples = rng.multinomial(n, shares, size=4_000)
    table = nps(many(samples), by="group")
    truth = 100 * (shares[2] - shares[0])
    coverage = np.mean((table.lower <= truth) & (truth <= table.upper))
    assert 0.93 <= coverage <= 0.97, coverage


def test_bootstrap_coverage_and_agreement_with_wald_at_large_n() -> None:
    rng = np.random.default_rng(5)
    samples = rng.multinomial(1000, (0.3, 0.3, 0.4), size=1_000)
    boot = nps(many(samples), by="group", method="bootstrap", n_bootstrap=500, seed=2)
    wald = nps(many(samples), by="group", method="wald")
    assert 0.93 <= np.mean((boot.lower <= 10) & (10 <= boot.upper)) <= 0.97
    assert np.median(np.abs(boot.se - wald.se)) < 0.15  # points; se itself is ~2.8
    assert np.median(np.abs(boot.lower - wald.lower)) < 0.5


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    counts = NpsCounts.from_counts(detractors=[5, 50], passives=[5, 10], promoters=[10, 40])
    a = nps(counts, by="group", method="bootstrap", seed=7)
    b = nps(counts, by="group", method="bootstrap", seed=7)
    c = nps(counts, by="group", method="bootstrap", seed=8)
    np.testing.assert_array_equal(a.lower, b.lower)
    np.testing.assert_array_equal(a.se, b.se)
    assert not np.array_equal(a.se, c.se)


# --------------------------------------------------------------------------- groups


def test_grouped_nps_matches_pandas_groupby() -> None:
    responses = simulate(3_000, seed=4).responses
    table = nps(responses, by=["channel", "team"])
    assert isinstance(table, NpsTable)
    frame = table.to_frame()
    score = responses["score"]
    value = np.where(score >= 9, 100.0, np.where(score <= 6, -100.0, 0.0))
    expected = (
        responses.assign(v=value).groupby(["channel", "team"])["v"].agg(["mean", "size"])
    ).reset_index()
    np.testing.assert_allclose(frame["nps"], expected["mean"])
    np.testing.assert_array_equal(frame["n"], expected["size"])
    assert list(frame.columns[:8]) == [
        "channel",
        "team",
        "n",
        "nps",
        "se",
        "lower",
        "upper",
        "reliable",
    ]


def test_grouped_by_period_and_from_polars() -> None:
    responses = simulate(2_000, seed=6).responses
    by_quarter = nps(responses, by=["channel"], period="Q")
    assert by_quarter.group_columns == ("channel", "period")
    from_polars = nps(pl.from_pandas(responses), by="channel")
    from_pandas = nps(responses, by="channel")
    np.testing.assert_allclose(from_polars.nps, from_pandas.nps)
    np.testing.assert_allclose(from_polars.upper, from_pandas.upper)


def test_counts_collapse_to_the_requested_groups() -> None:
    responses = simulate(2_000, seed=6).responses
    from cx_economics.tables import nps_counts

    fine = nps_counts(responses, by=["channel", "team"])
    np.testing.assert_allclose(nps(fine, by="channel").nps, nps(responses, by="channel").nps)
    overall = nps(responses)
    assert isinstance(overall, NpsEstimate)
    assert overall.nps == pytest.approx(nps(fine.total()).nps)
    with pytest.raises(CxDataError, match="by="):
        nps(fine)


def test_reliability_flag_and_ranking_put_small_groups_last() -> None:
    counts = NpsCounts.from_counts(
        detractors=[100, 0, 300, 2],
        passives=[200, 0, 300, 2],
        promoters=[700, 4, 400, 6],
        groups=["big_good", "tiny_perfect", "big_ok", "tiny_good"],
        group_columns=["team"],
    )
    table = nps(counts, by="team")
    half = (table.upper - table.lower) / 2
    np.testing.assert_array_equal(table.reliable, half <= 10.0)
    assert table.reliable.tolist() == [True, False, True, False]
    ranking = table.ranked()
    assert ranking["team"].tolist()[:2] == ["big_good", "big_ok"]
    assert ranking["rank"].tolist()[:2] == [1, 2]
    assert ranking["rank"].iloc[2:].isna().all()
    assert ranking["status"].iloc[2:].str.startswith("not ranked").all()
    assert any("not to be ranked" in note for note in table._notes())
    loose = nps(counts, by="team", reliability_margin=60.0)
    assert loose.reliable.all()


# --------------------------------------------------------------------------- comparison


def test_compare_nps_wald_by_hand() -> None:
    # a: NPS 30, var 0.61; b = (30, 30, 40): NPS 10, var 0.7 - 0.01 = 0.69; n = 100 each.
    se = 100 * math.sqrt(0.61 / 100 + 0.69 / 100)
    result = compare_nps((20, 30, 50), (30, 30, 40), method="wald")
    assert result.difference == pytest.approx(20.0)
    assert result.se == pytest.approx(se)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(20.0 / se))
    assert result.lower == pytest.approx(20.0 - Z95 * se)


def test_compare_nps_p_value_and_interval_by_simulation() -> None:
    rng = np.random.default_rng(99)
    shares_a, shares_b = (0.2, 0.3, 0.5), (0.3, 0.3, 0.4)
    true_difference = 100 * ((0.5 - 0.2) - (0.4 - 0.3))
    a = rng.multinomial(80, shares_a, size=1_500)
    b = rng.multinomial(120, shares_b, size=1_500)
    null = rng.multinomial(120, shares_a, size=1_500)
    covered = rejected = 0
    for x, y, z in zip(a, b, null, strict=True):
        alternative = compare_nps(x.tolist(), y.tolist())
        covered += alternative.lower <= true_difference <= alternative.upper
        rejected += compare_nps(x.tolist(), z.tolist()).p_value < 0.05
    assert 0.93 <= covered / 1_500 <= 0.97
    assert 0.03 <= rejected / 1_500 <= 0.07


def test_compare_nps_accepts_counts_and_estimates() -> None:
    a = counts_of(20, 30, 50)
    from_counts = compare_nps(a, (30, 30, 40))
    from_estimate = compare_nps(nps(a), (30, 30, 40))
    assert from_counts.p_value == pytest.approx(from_estimate.p_value)
    assert (from_counts.p_value < 0.05) == (from_counts.lower > 0 or from_counts.upper < 0)
    with pytest.raises(CxDataError, match="`b`"):
        compare_nps(a, (0, 0, 0))


# --------------------------------------------------------------------------- sample size


def test_sample_size_closed_form() -> None:
    # Worst case: half promoters, half detractors, variance 1 per response on the ±1 scale:
    # n = (1.96 * 100 / 10)^2 = 384.1 -> 385 responses for ±10 points.
    assert sample_size_for_margin(10) == 385
    assert sample_size_for_margin(5, shares=(0.2, 0.3, 0.5)) == math.ceil(
        (Z95 * 100 / 5) ** 2 * 0.61
    )
    assert sample_size_for_margin(10, level=0.9) < 385


@pytest.mark.parametrize(
    ("margin", "shares"), [(10.0, None), (5.0, (0.2, 0.3, 0.5)), (3.0, (0.1, 0.2, 0.7))]
)
def test_sample_size_gives_the_margin_in_simulation(
    margin: float, shares: tuple[float, float, float] | None
) -> None:
    n = sample_size_for_margin(margin, shares=shares)
    truth = (0.5, 0.0, 0.5) if shares is None else shares
    samples = np.random.default_rng(3).multinomial(n, truth, size=2_000)
    table = nps(many(samples), by="group")
    half_width = np.mean((table.upper - table.lower) / 2)
    assert margin * 0.97 <= half_width <= margin * 1.01
    smaller = np.random.default_rng(4).multinomial(int(n * 0.8), truth, size=2_000)
    assert np.mean(nps(many(smaller), by="group").half_width) > margin


def test_sample_size_rejects_bad_input() -> None:
    with pytest.raises(CxDataError, match="`margin`"):
        sample_size_for_margin(0)
    with pytest.raises(CxDataError, match="sum to 1"):
        sample_size_for_margin(5, shares=(0.2, 0.2, 0.2))
    with pytest.raises(CxDataError, match="one band"):
        sample_size_for_margin(5, shares=(0.0, 0.0, 1.0))


# --------------------------------------------------------------------------- misc


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"level": 1.5}, "`level`"),
        ({"method": "exact"}, "`method`"),
        ({"reliability_margin": -1}, "`reliability_margin`"),
        ({"method": "bootstrap", "n_bootstrap": 10}, "`n_bootstrap`"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(CxDataError, match=match):
        nps(counts_of(1, 2, 3), **kwargs)  # type: ignore[call-overload]  # deliberately bad


def test_result_contracts() -> None:
    est = nps(counts_of(20, 30, 50))
    table = nps(
        NpsCounts.from_counts(detractors=[1, 2], passives=[3, 4], promoters=[5, 6]), by="group"
    )
    comparison = compare_nps((20, 30, 50), (30, 30, 40))
    for result in (est, table, comparison):
        frame = result.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame) >= 1
        assert result.summary().strip() and "<table" in result._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        est.nps = 0.0  # type: ignore[misc]  # frozen on purpose
    assert est.as_estimate().contains(30.0)
    assert table.estimate("1").n == 12


@pytest.mark.docs
def test_example_script_runs_and_shows_the_reliability_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import runpy
    from pathlib import Path

    script = Path(__file__).parents[2] / "examples" / "nps_by_channel.py"
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "branch" in out and "not ranked" in out and "385" in out


def test_grouping_counts_by_all_their_columns_keeps_the_callers_order() -> None:
    # Group labels "0", "1", ..., "10" would sort as text; rows must stay aligned with input.
    counts = NpsCounts.from_counts(
        detractors=np.arange(12), passives=np.ones(12, int), promoters=np.full(12, 5)
    )
    table = nps(counts, by="group")
    assert [g[0] for g in table.groups] == [str(i) for i in range(12)]
    np.testing.assert_allclose(table.nps, 100 * (5 - np.arange(12)) / (np.arange(12) + 6))


def test_raw_response_options_are_refused_for_counts_and_period_needs_by() -> None:
    counts = counts_of(1, 2, 3)
    with pytest.raises(CxDataError, match="already counted"):
        nps(counts, by=(), period="M")
    with pytest.raises(CxDataError, match="by='period'"):
        nps(simulate(200, seed=1).responses, period="M")  # type: ignore[call-overload]  # deliberately bad


def test_scores_alone_give_the_nps_of_their_bands_in_any_container() -> None:
    import cx_economics as cx

    scores = [10, 9, 9, 8, 7, 6, 0, 3, 10, 5]  # 4 promoters, 2 passives, 4 detractors
    expected = cx.nps(NpsCounts.from_counts(detractors=4, passives=2, promoters=4))
    for data in (scores, tuple(scores), np.array(scores), pd.Series(scores),
                 pd.DataFrame({"score": scores})):  # fmt: skip
        got = cx.nps(data)
        assert got.nps == 0.0 and got.n == 10
        assert (got.lower, got.upper) == (expected.lower, expected.upper)
    with pytest.raises(CxDataError, match=r"2 are not \(positions \[1, 2\], e.g. 11\)"):
        cx.nps([10, 11, 3.5])
    with pytest.raises(CxDataError, match="no groups to split by 'channel'"):
        cx.nps(scores, by="channel")


def test_scores_as_booleans_are_refused_not_read_as_zero_and_one() -> None:
    import cx_economics as cx

    with pytest.raises(CxDataError, match="not bool values"):
        cx.nps([True, False, True])
