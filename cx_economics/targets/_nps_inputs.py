"""Responses at a channel/team/person level, by period, as NPS tables with intervals.

Shared by the achievability frontier, the target cascade and the scorecards.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.dates import parse_as_of
from cx_economics.data.schemas import Responses, validate_responses
from cx_economics.tables.nps_counts import NpsCounts, nps_counts

FloatArray = npt.NDArray[np.float64]
Unit = Literal["channel", "team", "employee"]
Period = Literal["M", "Q", "Y"]
_KEYS: dict[str, tuple[str, ...]] = {
    "channel": ("channel",),
    "team": ("channel", "team"),
    "employee": ("channel", "team", "employee"),
}


def _responses(responses: pd.DataFrame | Responses, unit: Unit) -> Responses:
    valid = validate_responses(responses)
    needed = [c for c in _KEYS[unit] if c not in valid.frame.columns]
    if needed:
        raise CxDataError(
            f"`responses` needs column(s) {needed} for {unit} targets; "
            f"its columns are {list(valid.frame.columns)}"
        )
    return valid


def _between(valid: Responses, start: pd.Timestamp, end: pd.Timestamp) -> Responses:
    """Responses dated in (start, end]."""
    dates = valid.frame["response_date"]
    return Responses(valid.frame[(dates > start) & (dates <= end)], scheme=valid.scheme)


def _as_of(valid: Responses, as_of: str | pd.Timestamp | None) -> pd.Timestamp:
    if len(valid) == 0:
        raise CxDataError("`responses` is empty (0 rows): there is nothing to score")
    explicit = parse_as_of(as_of)
    stamp = valid.frame["response_date"].max() if explicit is None else explicit
    return pd.Timestamp(stamp).normalize()


def _nps_table(counts: NpsCounts, level: float, margin: float) -> pd.DataFrame:
    """NPS with interval per group of ``counts``; groups with no responses get NaN."""
    from cx_economics.scores import nps

    frame = counts.to_frame()
    keep = counts.n > 0
    out = frame.assign(nps=np.nan, lower=np.nan, upper=np.nan, reliable=False)
    if keep.any():
        idx = np.flatnonzero(keep)
        sub = NpsCounts(
            detractors=counts.detractors[idx],
            passives=counts.passives[idx],
            promoters=counts.promoters[idx],
            group_columns=counts.group_columns,
            groups=tuple(counts.groups[i] for i in idx),
        )
        table = nps(sub, by=counts.group_columns, level=level, reliability_margin=margin)
        for col in ("nps", "lower", "upper", "reliable"):
            out.loc[idx, col] = getattr(table, col)
    out["reliable"] = out["reliable"].astype(bool)
    return out


def _counts(valid: Responses, keys: tuple[str, ...], period: Period | None = None) -> NpsCounts:
    return nps_counts(valid, by=keys, period=period)
