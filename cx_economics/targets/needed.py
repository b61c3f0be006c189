"""Team and person scorecards: what it takes to reach an NPS target this period.

A team at NPS 24 with 60 answers so far, a target of 30 and about 40 more answers
expected this period wants one number: how many of those 40 must be promoters.
:func:`responses_needed` answers it exactly (by counting, not by rounding shares),
says when the target is out of reach, and gives the same gap read the other way —
how many fewer detractors than the current pace would close it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.tables.nps_counts import NpsCounts

__all__ = ["ResponsesNeeded", "responses_needed"]

Assumption = Literal["passive", "current_mix", "detractor"]

#: Slack for floating-point comparisons of NPS points (far below any reported digit).
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ResponsesNeeded(Result):
    """What the remaining responses of a period must look like to reach an NPS target.

    Attributes
    ----------
    detractors, passives, promoters : int
        Responses so far this period.
    current_nps : float
        NPS so far, NPS points (−100..100).
    target_nps : float
        The target, NPS points.
    expected_remaining : int
        Responses still expected this period.
    assume : str
        What the remaining responses that are not promoters are assumed to be:
        ``"passive"``, ``"detractor"``, or ``"current_mix"`` (split between detractors
        and passives like today's non-promoters, in expectation).
    promoters_needed : int or None
        Fewest promoters among the remaining responses that reach the target under
        ``assume`` (0 when already on target); ``None`` when out of reach.
    reachable : bool
        Whether the target can be met even in the best case (every remaining response
        a promoter).
    best_case_nps : float
        NPS at period end if every remaining response is a promoter, NPS points.
    detractors_fewer_needed : int or None
        The gap read the other way: with promoters arriving at today's share, how many
        fewer detractors than today's pace (each replaced by a passive) close it,
        ``⌈(n + m)(target − current)/100⌉`` (0 when on target). ``None`` when fewer
        detractors alone cannot close it (more than the ``detractors_at_pace`` expected).
    detractors_at_pace : float
        Detractors expected among the remaining responses at today's share.
    message : str
        One sentence for the scorecard.

    Examples
    --------
    >>> need = responses_needed((20, 30, 50), target_nps=35, expected_remaining=40)
    >>> need.promoters_needed, need.reachable
    (19, True)
    """

    detractors: int
    passives: int
    promoters: int
    current_nps: float
    target_nps: float
    expected_remaining: int
    assume: str
    promoters_needed: int | None
    reachable: bool
    best_case_nps: float
    detractors_fewer_needed: int | None
    detractors_at_pace: float
    message: str

    _title = "Responses needed for the NPS target"

    @property
    def n(self) -> int:
        """Responses so far."""
        return self.detractors + self.passives + self.promoters

    def to_frame(self) -> pd.DataFrame:
        """Return one row with every field."""
        return pd.DataFrame([{k: getattr(self, k) for k in self.__dataclass_fields__}])

    def _notes(self) -> list[str]:
        return [self.message]


def _counts(counts: NpsCounts | Sequence[int]) -> tuple[int, int, int]:
    if isinstance(counts, NpsCounts):
        if len(counts) != 1:
            raise CxDataError(
                f"`counts` holds {len(counts)} groups; pass one, e.g. counts.group(key)"
            )
        return int(counts.detractors[0]), int(counts.passives[0]), int(counts.promoters[0])
    values = list(counts)
    if len(values) != 3:
        raise CxDataError(f"`counts` must be (detractors, passives, promoters); got {counts!r}")
    one = NpsCounts.from_counts(detractors=values[0], passives=values[1], promoters=values[2])
    return int(one.detractors[0]), int(one.passives[0]), int(one.promoters[0])


def _check_inputs(target_nps: float, expected_remaining: int, assume: str) -> None:
    if not (isinstance(target_nps, int | float) and -100.0 <= target_nps <= 100.0):
        raise CxDataError(f"`target_nps` must be NPS points in −100..100; got {target_nps!r}")
    valid_m = isinstance(expected_remaining, int) and not isinstance(expected_remaining, bool)
    if not valid_m or expected_remaining < 0:
        raise CxDataError(
            f"`expected_remaining` must be a whole number of responses ≥ 0; "
            f"got {expected_remaining!r}"
        )
    if assume not in ("passive", "current_mix", "detractor"):
        raise CxDataError(
            f"`assume` must be 'passive', 'current_mix' or 'detractor'; got {assume!r}"
        )


def _detractor_fraction(detractors: int, passives: int, assume: str) -> float:
    """Share of the remaining non-promoters assumed to be detractors."""
    if assume == "passive":
        return 0.0
    if assume == "detractor":
        return 1.0
    non_promoters = detractors + passives
    return detractors / non_promoters if non_promoters else 0.0


def _final_nps(
    counts: tuple[int, int, int], remaining: int, promoters: int, detractor_fraction: float
) -> float:
    """NPS points at period end with ``promoters`` among ``remaining`` further responses.

    The other ``remaining - promoters`` are detractors in the fraction
    ``detractor_fraction`` and passives otherwise (fractional counts are expectations).
    """
    d, p, r = counts
    detractors = d + detractor_fraction * (remaining - promoters)
    return 100.0 * (r + promoters - detractors) / (d + p + r + remaining)


def _promoters_needed(counts: tuple[int, int, int], remaining: int, target: float, f: float) -> int:
    """Smallest k in 0..remaining with final NPS ≥ target (caller checks reachability)."""
    d, p, r = counts
    total = d + p + r + remaining
    # final(k) = 100 (r + k − d − f (m − k)) / total is increasing in k: solve, then settle.
    exact = (target * total / 100.0 - r + d + f * remaining) / (1.0 + f)
    k = min(max(math.ceil(exact - _TOLERANCE), 0), remaining)
    while k > 0 and _final_nps(counts, remaining, k - 1, f) >= target - _TOLERANCE:
        k -= 1
    while k < remaining and _final_nps(counts, remaining, k, f) < target - _TOLERANCE:
        k += 1
    return k


_OTHERS = {
    "passive": "passives",
    "detractor": "detractors",
    "current_mix": "split like today's non-promoters",
}


def _message(
    result: dict[str, float | int | None], target: float, remaining: int, assume: str
) -> str:
    best = float(result["best_case_nps"] or 0.0)
    k = result["promoters_needed"]
    if k is None:
        return (
            f"Out of reach: even if all {remaining} remaining responses are promoters, NPS ends "
            f"at {best:.1f}, below the target {target:g}."
        )
    if k == 0:
        return f"On target: NPS stays at or above {target:g} without further promoters."
    return (
        f"{k} of the {remaining} remaining responses must be promoters to reach {target:g} "
        f"(the other {remaining - int(k)} counted as {_OTHERS[assume]})."
    )


def responses_needed(
    counts: NpsCounts | Sequence[int],
    target_nps: float,
    expected_remaining: int,
    *,
    assume: Assumption = "passive",
) -> ResponsesNeeded:
    """Promoters needed among the responses still expected this period to hit an NPS target.

    With ``D, P, R`` responses so far (``n`` in all), ``m`` more expected and ``k`` of
    those promoters, the period ends at ``NPS = 100 (R + k − D − f (m − k)) / (n + m)``
    where ``f`` is the fraction of the other ``m − k`` remaining responses that are
    detractors:

    * ``assume="passive"`` (default): ``f = 0`` — every remaining non-promoter is a
      passive. The most common scorecard reading ("promoters needed, detractors held
      at today's count").
    * ``assume="current_mix"``: ``f = D / (D + P)`` — remaining non-promoters split like
      today's non-promoters (in expectation; ``f = 0`` if there are none yet).
    * ``assume="detractor"``: ``f = 1`` — the cautious reading.

    ``promoters_needed`` is the smallest whole ``k`` in ``0..m`` reaching the target.

    Parameters
    ----------
    counts : NpsCounts (one group) or (detractors, passives, promoters)
        Responses so far this period.
    target_nps : float
        Target NPS, points in −100..100.
    expected_remaining : int
        Responses still expected this period (≥ 0).
    assume : {"passive", "current_mix", "detractor"}, default "passive"
        What the remaining non-promoters are (see above).

    Returns
    -------
    ResponsesNeeded
        ``promoters_needed`` (``None`` when out of reach), ``reachable``,
        ``best_case_nps`` and the "fewer detractors" reading.

    Raises
    ------
    CxDataError
        Bad counts, a target outside −100..100, or a negative ``expected_remaining``.

    Examples
    --------
    >>> r = responses_needed((20, 30, 50), target_nps=35, expected_remaining=40)
    >>> r.promoters_needed, r.reachable, r.detractors_fewer_needed
    (19, True, 7)
    >>> responses_needed((60, 20, 20), target_nps=50, expected_remaining=10).message
    'Out of reach: even if all 10 remaining responses are promoters, NPS ends at -27.3, below the target 50.'
    """  # noqa: E501
    _check_inputs(target_nps, expected_remaining, assume)
    d, p, r = current = _counts(counts)
    n, m, target = d + p + r, expected_remaining, float(target_nps)
    if n + m == 0:
        raise CxDataError("`counts` and `expected_remaining` are both empty: no NPS to reach")
    f = _detractor_fraction(d, p, assume)
    best = _final_nps(current, m, m, f)
    reachable = best >= target - _TOLERANCE
    needed = _promoters_needed(current, m, target, f) if reachable else None
    current_nps = 100.0 * (r - d) / n if n else float("nan")
    pace = m * d / n if n else 0.0
    gap = math.ceil((n + m) * (target - current_nps) / 100.0 - _TOLERANCE) if n else None
    fewer = None if gap is None or gap > pace + _TOLERANCE else max(gap, 0)
    fields: dict[str, float | int | None] = {"best_case_nps": best, "promoters_needed": needed}
    return ResponsesNeeded(
        detractors=d,
        passives=p,
        promoters=r,
        current_nps=current_nps,
        target_nps=target,
        expected_remaining=m,
        assume=assume,
        promoters_needed=needed,
        reachable=reachable,
        best_case_nps=best,
        detractors_fewer_needed=fewer,
        detractors_at_pace=pace,
        message=_message(fields, target, m, assume),
    )
