"""Cascading targets to teams and people, scorecards, the daily view and the frontier."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.datasets import SimulatedData, simulate
from cx_economics.targets.cascade import (
    achievability_frontier,
    cascade_targets,
    scorecards,
    standing,
)


@cache
def sim() -> SimulatedData:
    return simulate(20_000, seed=7)


def responses() -> pd.DataFrame:
    return sim().responses.copy()


def pandas_nps(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """NPS per group straight from the scores (independent of nps_counts)."""
    banded = (
        frame.assign(d=frame["score"] <= 6, r=frame["score"] >= 9, n=1)
        .groupby(keys)[["d", "r", "n"]]
        .sum()
    )
    return banded.assign(nps=100 * (banded["r"] - banded["d"]) / banded["n"]).reset_index()


def baseline_window(frame: pd.DataFrame) -> pd.DataFrame:
    end = frame["response_date"].max()
    start = end - pd.DateOffset(months=12)
    return frame[(frame["response_date"] > start) & (frame["response_date"] <= end)]


def test_equal_lift_moves_every_team_and_keeps_the_channel_on_target() -> None:
    raw = responses()
    window = baseline_window(raw)
    channel = pandas_nps(window, ["channel"]).set_index("channel")
    wanted = {ch: float(channel.loc[ch, "nps"]) + 5.0 for ch in ("phone", "web")}
    cascade = cascade_targets(raw, wanted, reliability_margin=100.0)
    teams = cascade.unit("team").merge(
        pandas_nps(window, ["channel", "team"]), on=["channel", "team"]
    )
    assert len(teams) == 12
    assert teams["target"].to_numpy() == pytest.approx(teams["nps"].to_numpy() + 5.0)
    for ch, target in wanted.items():
        rows = teams[teams["channel"] == ch]
        assert np.average(rows["target"], weights=rows["n"]) == pytest.approx(target)
    people = cascade.unit("employee").merge(
        teams[["channel", "team", "target"]], on=["channel", "team"], suffixes=("", "_team")
    )
    assert (people["target"] == people["target_team"]).all()  # people take the team target
    assert raw.equals(responses())  # the input is not changed


def test_other_rules_and_unreliable_baselines() -> None:
    raw = responses()
    window = baseline_window(raw)
    same = cascade_targets(raw, {"chat": 30.0}, team_rule="same_level")
    assert (same.unit("team")["target"] == 30.0).all()
    lifted = cascade_targets(
        raw, {"chat": 30.0}, person_rule="equal_lift", reliability_margin=100.0
    )
    people = lifted.unit("employee").merge(
        pandas_nps(window, ["channel", "team", "employee"]), on=["channel", "team", "employee"]
    )
    team_lift = lifted.unit("channel")["lift"].iloc[0]
    expected = (people["nps"] + team_lift).clip(-100, 100).to_numpy()
    assert people["target"].to_numpy() == pytest.approx(expected)
    strict = cascade_targets(raw, {"chat": 30.0}, reliability_margin=1.0)
    teams = strict.unit("team")
    assert (teams["basis"] == "unreliable baseline: unit above").all()
    assert (teams["target"] == 30.0).all()
    # a channel target below today's baseline asks teams to hold, not to fall
    hold = cascade_targets(raw, {"branch": -50.0}, reliability_margin=100.0)
    branch = hold.unit("team")
    assert branch["target"].to_numpy() == pytest.approx(branch["baseline_nps"].to_numpy())


def brute_force_promoters(d: int, p: int, r: int, m: int, target: float) -> int | None:
    for k in range(m + 1):
        if 100 * (r + k - d) / (d + p + r + m) >= target - 1e-9:
            return k
    return None


def test_scorecards_count_the_period_and_what_it_still_takes() -> None:
    raw = responses()
    cascade = cascade_targets(raw, {"phone": 15.0, "web": 20.0}, as_of="2024-12-31")
    cards = scorecards(raw, cascade, unit="team", period="Y").to_frame()
    assert cards["date"].dt.month.tolist().count(1) == 24  # 24 teams, one card each month
    year = raw[raw["response_date"].dt.year == 2025]
    for date in (pd.Timestamp("2025-03-31"), cards["date"].max()):
        so_far = pandas_nps(year[year["response_date"] <= date], ["channel", "team"])
        got = cards[cards["date"] == date].merge(so_far, on=["channel", "team"])
        assert len(got) == 24
        assert (got["responses"] == got["n"]).all()
        assert got["nps_x"].to_numpy() == pytest.approx(got["nps_y"].to_numpy())
    targets = cascade.unit("team").set_index("team")
    pace = targets["baseline_n"] / cascade.baseline_days  # phone and web teams
    march = cards[cards["date"] == "2025-03-31"].set_index("team")
    left = (pd.Timestamp("2025-12-31") - march["date"]).dt.days
    run_rate = march["responses"] / 90  # 1 January to 31 March, for teams without a target
    expected = np.round(pace.reindex(march.index).fillna(run_rate) * left)
    assert (march["expected_remaining"] == expected).all()
    phone_web = cards[cards["channel"].isin(["phone", "web"])]
    for row in phone_web.sample(40, random_state=1).itertuples(index=False):
        want = brute_force_promoters(
            row.detractors, row.passives, row.promoters, row.expected_remaining, row.target
        )
        got = None if pd.isna(row.promoters_needed) else int(row.promoters_needed)
        assert got == want
    half_width = (cards["nps_upper"] - cards["nps_lower"]) / 2
    assert (cards["reliable"] == (half_width <= 10.0)).all()
    assert cards.loc[~cards["reliable"], "message"].str.startswith("too few responses").all()
    assert cards.loc[cards["channel"] == "chat", "target"].isna().all()  # no chat target


def test_standing_is_the_latest_scorecard_in_one_call() -> None:
    raw = responses()
    cascade = cascade_targets(raw, {"phone": 15.0}, as_of="2024-12-31")
    today = standing(raw, cascade, unit="employee", period="Q", as_of="2025-11-20").to_frame()
    assert today["date"].nunique() == 1 and today["date"].iloc[0] == pd.Timestamp("2025-11-20")
    assert not today.duplicated(["channel", "team", "employee"]).any()
    cards = scorecards(raw, cascade, unit="employee", period="Q", as_of="2025-11-20").to_frame()
    last = cards[cards["date"] == cards["date"].max()].reset_index(drop=True)
    pd.testing.assert_frame_equal(today, last)
    people = today[today["channel"] == "phone"]
    assert (~people["reliable"]).mean() > 0.5  # ~25 answers a quarter cannot judge a person


def test_frontier_is_the_best_adjusted_wald_lower_bound_of_team_years() -> None:
    data = simulate(40_000, seed=9)
    frontier = achievability_frontier(data.responses, period="Y", min_responses=200)
    raw = data.responses.assign(year=data.responses["response_date"].dt.year)
    counts = raw.assign(d=raw["score"] <= 6, p=raw["score"].between(7, 8), r=raw["score"] >= 9)
    cells = counts.groupby(["channel", "team", "year"])[["d", "p", "r"]].sum()
    cells = cells[cells.sum(axis=1) >= 200]
    # Rocks (2016) adjusted Wald: add 3/4, 3/2, 3/4 pseudo-responses, then Wald
    adj = cells.astype(float) + np.array([0.75, 1.5, 0.75])
    n = adj.sum(axis=1)
    share_d, share_r = adj["d"] / n, adj["r"] / n
    se = 100 * np.sqrt((share_r + share_d - (share_r - share_d) ** 2) / n)
    lower = 100 * (share_r - share_d) - 1.959963984540054 * se
    expected = lower.groupby(level="channel").max()
    assert frontier.frontier == pytest.approx(expected.loc[list(frontier.channels)].to_numpy())
    assert (frontier.team_periods == cells.groupby(level="channel").size().to_numpy()).all()
    channel_nps = pandas_nps(raw, ["channel"]).set_index("channel")["nps"]
    for c, ch in enumerate(frontier.channels):
        # the best teams demonstrably beat their channel, by less than their point NPS
        assert channel_nps[ch] < frontier.frontier[c] < frontier.best_nps[c]
    assert set(frontier.as_mapping()) == set(frontier.channels)


def test_bad_inputs() -> None:
    raw = responses()
    with pytest.raises(CxDataError, match="`responses` needs column"):
        cascade_targets(raw.drop(columns=["employee"]), {"phone": 10.0})
    with pytest.raises(CxDataError, match="`team_rule`"):
        cascade_targets(raw, {"phone": 10.0}, team_rule="best")  # type: ignore[arg-type]
    with pytest.raises(CxDataError, match="names none of the channels"):
        cascade_targets(raw, {"fax": 10.0})
    with pytest.raises(CxDataError, match=r"−100\.\.100"):
        cascade_targets(raw, {"phone": 140.0})
    cascade = cascade_targets(raw, {"phone": 10.0})
    with pytest.raises(CxDataError, match="`period`"):
        scorecards(raw, cascade, period="W")  # type: ignore[arg-type]


def test_results_are_frozen_tidy_and_render() -> None:
    import dataclasses

    raw = responses()
    cascade = cascade_targets(raw, {"phone": 10.0})
    results = [
        cascade,
        standing(raw, cascade, unit="team"),
        achievability_frontier(raw, min_responses=50),
    ]
    for result in results:
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.level = "x"  # type: ignore[misc, assignment]
        frame = result.to_frame()
        assert len(frame) >= 4 and frame.columns.is_unique
        assert result.summary().startswith(result._title)
        assert "<table" in result._repr_html_()
