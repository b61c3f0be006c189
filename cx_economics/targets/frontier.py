"""The achievability frontier: what a channel's best teams have demonstrably reached.

:func:`achievability_frontier` reads the team history for what a channel's best
teams have demonstrably reached: the highest lower confidence bound of team NPS
over the periods with enough responses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.data.schemas import Responses
from cx_economics.targets._nps_inputs import FloatArray, Period, _counts, _nps_table, _responses

__all__ = ["AchievabilityFrontier", "achievability_frontier"]


@dataclass(frozen=True, eq=False)
class AchievabilityFrontier(Result):
    """What each channel's best teams have demonstrably reached.

    Attributes
    ----------
    channels : tuple of str
    frontier : ndarray (C,)
        Highest lower confidence bound of a team's NPS in one period (points); NaN
        when no team-period had ``min_responses``.
    best_team, best_period : tuple of str
        Where it was reached.
    best_nps : ndarray (C,)
        That team-period's NPS (points).
    team_periods : ndarray (C,)
        Team-periods with enough responses.
    min_responses : int
    level : float

    Examples
    --------
    Two chat teams of 60 answers each; team ``chat-a`` (30 promoters, 10 detractors)
    sets the frontier at the lower bound of its NPS interval:

    >>> import pandas as pd
    >>> from cx_economics.scores import nps
    >>> from cx_economics.tables import NpsCounts
    >>> scores = [10] * 30 + [8] * 20 + [3] * 10 + [9] * 20 + [7] * 20 + [5] * 20
    >>> responses = pd.DataFrame({"customer_id": range(120), "channel": "chat",
    ...                           "team": ["chat-a"] * 60 + ["chat-b"] * 60,
    ...                           "response_date": "2025-06-30", "score": scores})
    >>> front = achievability_frontier(responses, min_responses=50)
    >>> print(front.to_frame().round(1).to_string(index=False))
    channel  frontier best_team best_period  best_nps  team_periods
       chat      13.3    chat-a        2025      33.3             2
    >>> best = nps(NpsCounts.from_counts(detractors=10, passives=20, promoters=30))
    >>> bool(front.frontier[0] == best.lower)
    True

    Channels without a team-period of ``min_responses`` have no frontier:

    >>> achievability_frontier(responses, min_responses=100).as_mapping()
    {}
    """

    channels: tuple[str, ...]
    frontier: FloatArray
    best_team: tuple[str, ...]
    best_period: tuple[str, ...]
    best_nps: FloatArray
    team_periods: npt.NDArray[np.int64]
    min_responses: int
    level: float

    _title = "Achievability frontier"

    def as_mapping(self) -> dict[str, float]:
        """Return channel → frontier (points), leaving out channels without one."""
        return {ch: float(v) for ch, v in zip(self.channels, self.frontier, strict=True) if v == v}

    def to_frame(self) -> pd.DataFrame:
        """One row per channel."""
        return pd.DataFrame(
            {
                "channel": list(self.channels),
                "frontier": self.frontier,
                "best_team": list(self.best_team),
                "best_period": list(self.best_period),
                "best_nps": self.best_nps,
                "team_periods": self.team_periods,
            }
        )

    def _notes(self) -> list[str]:
        return [
            f"frontier = highest {self.level:.0%} lower bound of a team's NPS over periods "
            f"with ≥ {self.min_responses} responses"
        ]


def achievability_frontier(
    responses: pd.DataFrame | Responses,
    *,
    period: Period = "Y",
    min_responses: int = 200,
    level: float = 0.95,
) -> AchievabilityFrontier:
    """Find what each channel's best teams have demonstrably reached.

    Parameters
    ----------
    responses : pandas.DataFrame or Responses
        Survey answers with ``channel``, ``team`` and ``response_date``.
    period : {"M", "Q", "Y"}, default "Y"
        Length of the team history periods compared.
    min_responses : int, default 200
        Team-periods with fewer responses are ignored (their NPS is noise).
    level : float, default 0.95
        Coverage of the interval whose lower bound is taken: a best team beats the
        frontier with about this confidence, so chance highs do not set it.

    Returns
    -------
    AchievabilityFrontier
        Frontier per channel, NPS points.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> front = achievability_frontier(simulate(4_000, seed=2).responses, min_responses=50)
    >>> front.channels
    ('branch', 'chat', 'phone', 'web')
    >>> bool((front.frontier < front.best_nps).all())
    True
    """
    if min_responses < 1:
        raise CxDataError(f"`min_responses` must be at least 1, got {min_responses}")
    valid = _responses(responses, "team")
    table = _nps_table(_counts(valid, ("channel", "team"), period=period), level, 1e9)
    table = table[table["n"] >= min_responses]
    channels = valid.channels
    best = table.sort_values("lower", ascending=False, kind="stable").groupby("channel").head(1)
    best = best.set_index("channel").reindex(list(channels))
    sizes = table.groupby("channel").size().reindex(list(channels), fill_value=0)
    return AchievabilityFrontier(
        channels=channels,
        frontier=best["lower"].to_numpy(np.float64),
        best_team=tuple(best["team"].fillna("").astype(str)),
        best_period=tuple(best["period"].fillna("").astype(str)),
        best_nps=best["nps"].to_numpy(np.float64),
        team_periods=np.asarray(sizes.to_numpy(), dtype=np.int64),
        min_responses=int(min_responses),
        level=float(level),
    )
