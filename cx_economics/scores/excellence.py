"""The excellent NPS level of each channel: as given, else from its best teams."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.tables.nps_counts import NpsCounts

__all__ = ["excellent_levels", "warn_excellence_within_noise"]

FloatArray = npt.NDArray[np.float64]


def warn_excellence_within_noise(
    channels: Sequence[str],
    excellent: npt.ArrayLike,
    sources: Sequence[str] | None,
    lower: FloatArray,
    upper: FloatArray,
    level: float,
) -> None:
    """Warn where a team-derived excellent level lies inside today's NPS interval.

    There the best quartile of teams is no farther from today than the sampling noise
    of today's NPS: the "money lost" measures the spread between similar teams, not
    the money at stake.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_excellence_within_noise(("web",), [31.0], ["best quartile of 4 teams"],
    ...                                  np.array([28.0]), np.array([34.0]), 0.95)
    >>> "spread between teams" in str(caught[0].message)
    True
    """
    levels = np.asarray(excellent, dtype=np.float64)
    derived = [str(s).startswith("best quartile") for s in (sources or [""] * len(channels))]
    inside = [i for i, _ in enumerate(channels) if derived[i] and lower[i] <= levels[i] <= upper[i]]
    if inside:
        names = ", ".join(channels[i] for i in inside)
        detail = "; ".join(
            f"{channels[i]} excellent {levels[i]:+.1f}, today {lower[i]:+.1f} … {upper[i]:+.1f}"
            for i in inside
        )
        warnings.warn(
            f"{names}: excellent NPS within today's {level:.0%} interval, so money lost "
            "measures the spread between teams; set Assumptions.excellent_nps to a level "
            f"you aim for ({detail})",
            CxAssumptionWarning,
            stacklevel=3,
        )


def excellent_levels(
    team_counts: NpsCounts | None,
    channels: tuple[str, ...],
    given: Mapping[str, float],
    reliability_margin: float,
    nps_today: FloatArray,
) -> tuple[FloatArray, tuple[str, ...]]:
    """Excellent NPS per channel: as given, else today's NPS plus the best teams' lead.

    The lead is how far the best quartile of the channel's reliable teams sits above
    the channel's NPS on the same answers (the window's, all teams pooled); added to
    ``nps_today`` (the active base's NPS), it compares like with like: the answers of
    the window include customers who have since left, the active base does not.

    Examples
    --------
    >>> levels, sources = excellent_levels(None, ("web",), {"web": 45.0}, 10.0, np.array([30.0]))
    >>> levels.tolist(), sources
    ([45.0], ('assumption',))
    """
    levels, sources = [], []
    teams = None
    if team_counts is not None and set(channels) - set(given):
        from cx_economics.scores import nps  # only needed (and imported) for team levels

        teams = nps(team_counts, by=("channel", "team"), reliability_margin=reliability_margin)
    missing: list[str] = []
    for c, ch in enumerate(channels):
        if ch in given:
            levels.append(float(given[ch]))
            sources.append("assumption")
            continue
        if teams is None or team_counts is None:
            missing.append(f"{ch!r} (no `team` column in the responses)")
            levels.append(np.nan)
            sources.append("")
            continue
        mine = np.array([g[0] == ch for g in teams.groups])
        mask = mine & teams.reliable
        if mask.sum() < 2:
            missing.append(f"{ch!r} ({int(mask.sum())} of {int(mine.sum())} "
                           "teams with a reliable NPS, 2 needed)")  # fmt: skip
            levels.append(np.nan)
            sources.append("")
            continue
        rows = np.array([g[0] == ch for g in team_counts.groups])
        pooled = (
            100.0
            * (team_counts.promoters[rows].sum() - team_counts.detractors[rows].sum())
            / max(int(team_counts.n[rows].sum()), 1)
        )
        lead = float(np.quantile(teams.nps[mask], 0.75)) - float(pooled)
        levels.append(float(nps_today[c]) + lead)
        sources.append(f"best quartile of {int(mask.sum())} teams ({lead:+.1f} over the channel)")
    if missing:
        raise CxDataError(
            f"no excellent NPS for {len(missing)} channel(s): {', '.join(missing)}; the "
            "default is the best quartile of a channel's reliable teams: set "
            "Assumptions.excellent_nps for these channels (e.g. an external benchmark level)"
        )
    return np.asarray(levels, dtype=np.float64), tuple(sources)
