"""Tests of cx_economics.targets.needed against brute-force enumeration.

The oracle enumerates every possible number of promoters among the remaining
responses and computes the period-end NPS with exact rational arithmetic
(fractions.Fraction), so it shares no floating-point shortcut with the code.
"""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction

import pytest

from cx_economics.core.exceptions import CxDataError
from cx_economics.tables import NpsCounts
from cx_economics.targets import ResponsesNeeded, responses_needed
from cx_economics.targets.needed import Assumption

ASSUMPTIONS: tuple[Assumption, ...] = ("passive", "current_mix", "detractor")


def detractor_fraction(d: int, p: int, assume: str) -> Fraction:
    if assume == "passive":
        return Fraction(0)
    if assume == "detractor":
        return Fraction(1)
    return Fraction(d, d + p) if d + p else Fraction(0)


def brute_force_promoters(d: int, p: int, r: int, m: int, target: int, assume: str) -> int | None:
    """Smallest k in 0..m whose period-end NPS reaches the target, by trying every k."""
    f = detractor_fraction(d, p, assume)
    for k in range(m + 1):
        detractors = d + f * (m - k)
        final = 100 * (r + k - detractors) / Fraction(d + p + r + m)
        if final >= target:
            return k
    return None


def brute_force_fewer_detractors(d: int, p: int, r: int, m: int, target: int) -> int | None:
    """Smallest x of fewer detractors than pace (promoters at pace) that reaches the target."""
    n = d + p + r
    pace_promoters, pace_detractors = Fraction(m * r, n), Fraction(m * d, n)
    x = 0
    while x <= pace_detractors:
        final = 100 * (r + pace_promoters - (d + pace_detractors - x)) / Fraction(n + m)
        if final >= target:
            return x
        x += 1
    return None


SMALL = range(0, 4)


@pytest.mark.parametrize("assume", ASSUMPTIONS)
def test_promoters_needed_matches_brute_force(assume: Assumption) -> None:
    checked = 0
    for d, p, r, m in itertools.product(SMALL, SMALL, SMALL, range(0, 6)):
        if d + p + r + m == 0:
            continue
        for target in range(-100, 101, 10):
            result = responses_needed((d, p, r), target, m, assume=assume)
            expected = brute_force_promoters(d, p, r, m, target, assume)
            assert result.promoters_needed == expected, (d, p, r, m, target)
            assert result.reachable == (expected is not None)
            checked += 1
    assert checked > 5_000


def test_fewer_detractors_reading_matches_brute_force() -> None:
    for d, p, r, m in itertools.product(SMALL, SMALL, SMALL, range(0, 8)):
        if d + p + r == 0:
            continue
        for target in range(-100, 101, 5):
            result = responses_needed((d, p, r), target, m)
            expected = brute_force_fewer_detractors(d, p, r, m, target)
            assert result.detractors_fewer_needed == expected, (d, p, r, m, target)


def test_worked_example_by_hand() -> None:
    # 20 D, 30 P, 50 R (NPS 30); 40 more answers; target 35.
    # Others passive: (50 + k - 20) / 140 >= 0.35  ->  k >= 19.
    # Fewer detractors: 140 * (35 - 30) / 100 = 7, pace 40 * 20 / 100 = 8 detractors.
    result = responses_needed((20, 30, 50), target_nps=35, expected_remaining=40)
    assert result.promoters_needed == 19 and result.reachable
    assert result.detractors_fewer_needed == 7 and result.detractors_at_pace == 8.0
    assert result.current_nps == 30.0
    assert result.best_case_nps == pytest.approx(100 * 70 / 140)
    assert "19 of the 40" in result.message


def test_out_of_reach_is_said_plainly() -> None:
    result = responses_needed((60, 20, 20), target_nps=50, expected_remaining=10)
    assert not result.reachable and result.promoters_needed is None
    assert result.best_case_nps == pytest.approx(100 * (30 - 60) / 110)
    assert result.message.startswith("Out of reach")
    assert "all 10 remaining" in result.message
    assert any("Out of reach" in note for note in result._notes())


def test_already_on_target_needs_no_promoters() -> None:
    result = responses_needed((10, 10, 80), target_nps=50, expected_remaining=20)
    assert result.promoters_needed == 0 and result.detractors_fewer_needed == 0
    assert result.message.startswith("On target")


def test_cautious_assumption_needs_more_promoters() -> None:
    needs = {
        a: responses_needed((20, 30, 50), 35, 40, assume=a).promoters_needed for a in ASSUMPTIONS
    }
    assert needs["passive"] is not None and needs["current_mix"] is not None
    assert needs["detractor"] is not None
    assert needs["passive"] <= needs["current_mix"] <= needs["detractor"]


def test_accepts_a_single_group_of_counts() -> None:
    counts = NpsCounts.from_counts(
        detractors=[20, 5], passives=[30, 5], promoters=[50, 5], groups=["a", "b"]
    )
    from_counts = responses_needed(counts.group("a"), 35, 40)
    assert from_counts.promoters_needed == responses_needed((20, 30, 50), 35, 40).promoters_needed
    with pytest.raises(CxDataError, match="2 groups"):
        responses_needed(counts, 35, 40)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (((1, 2, 3), 120, 5), {}, "`target_nps`"),
        (((1, 2, 3), 10, -1), {}, "`expected_remaining`"),
        (((1, 2, 3), 10, 2.5), {}, "`expected_remaining`"),
        (((1, 2, 3), 10, 5), {"assume": "optimistic"}, "`assume`"),
        (((1, 2), 10, 5), {}, "`counts`"),
        (((-1, 2, 3), 10, 5), {}, "`detractors`"),
        (((0, 0, 0), 10, 0), {}, "empty"),
    ],
)
def test_bad_input_is_named(
    args: tuple[object, ...], kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(CxDataError, match=match):
        responses_needed(*args, **kwargs)  # type: ignore[arg-type]  # deliberately bad input


def test_result_contract() -> None:
    result = responses_needed((20, 30, 50), 35, 40)
    assert isinstance(result, ResponsesNeeded)
    frame = result.to_frame()
    assert len(frame) == 1 and frame.loc[0, "promoters_needed"] == 19
    assert result.summary().strip() and "<table" in result._repr_html_()
    assert result.n == 100
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.reachable = False  # type: ignore[misc]  # frozen on purpose
