"""The rule that turns a 0–10 score into an NPS band.

Promoters score 9–10, passives 7–8, detractors 0–6 by default (Reichheld, 2003).
A :class:`BandScheme` changes the cut-offs or the scale (e.g. 1–5 CSAT).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cx_economics.core.exceptions import CxDataError

__all__ = ["BAND_ORDER", "DEFAULT_SCHEME", "BandScheme", "NpsBand"]


class NpsBand(enum.StrEnum):
    """The three NPS bands, plus ``UNRATED`` for customers with no response.

    A string enum: each member equals its value, so it can be compared with (and
    used to filter) the ``band`` column of any table.

    Examples
    --------
    >>> [band.value for band in NpsBand]
    ['detractor', 'passive', 'promoter', 'unrated']
    >>> NpsBand("promoter")
    <NpsBand.PROMOTER: 'promoter'>
    >>> NpsBand.DETRACTOR == "detractor", BandScheme().band_of(10) is NpsBand.PROMOTER
    (True, True)
    >>> NpsBand("fan")
    Traceback (most recent call last):
    ValueError: 'fan' is not a valid NpsBand
    """

    DETRACTOR = "detractor"
    PASSIVE = "passive"
    PROMOTER = "promoter"
    UNRATED = "unrated"


#: Rated bands from worst to best; the order used in every table and plot.
BAND_ORDER: tuple[NpsBand, NpsBand, NpsBand] = (
    NpsBand.DETRACTOR,
    NpsBand.PASSIVE,
    NpsBand.PROMOTER,
)


@dataclass(frozen=True)
class BandScheme:
    """Cut-offs mapping an integer score scale onto detractor / passive / promoter.

    Parameters
    ----------
    min_score, max_score : int
        The scale's end points, inclusive (0 and 10 for NPS; 1 and 5 for a CSAT scale).
    passive_from : int
        Lowest score counted as passive; scores below it are detractors.
    promoter_from : int
        Lowest score counted as promoter.

    Examples
    --------
    >>> BandScheme().band_of(8)
    <NpsBand.PASSIVE: 'passive'>
    >>> BandScheme(passive_from=6).band_of(6)
    <NpsBand.PASSIVE: 'passive'>
    >>> BandScheme(min_score=1, max_score=5, passive_from=4, promoter_from=5).band_of(3)
    <NpsBand.DETRACTOR: 'detractor'>
    """

    min_score: int = 0
    max_score: int = 10
    passive_from: int = 7
    promoter_from: int = 9

    def __post_init__(self) -> None:
        values = (self.min_score, self.max_score, self.passive_from, self.promoter_from)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise CxDataError(f"BandScheme cut-offs must be integers, got {values}")
        if not self.min_score < self.passive_from < self.promoter_from <= self.max_score:
            raise CxDataError(
                "BandScheme needs min_score < passive_from < promoter_from <= max_score "
                f"so every band is non-empty; got min_score={self.min_score}, "
                f"passive_from={self.passive_from}, promoter_from={self.promoter_from}, "
                f"max_score={self.max_score}"
            )

    def band_of(self, score: int) -> NpsBand:
        """Return the band of one score (must lie on the scale)."""
        if not self.min_score <= score <= self.max_score:
            raise CxDataError(
                f"score {score} is outside the scale {self.min_score}–{self.max_score}"
            )
        if score >= self.promoter_from:
            return NpsBand.PROMOTER
        if score >= self.passive_from:
            return NpsBand.PASSIVE
        return NpsBand.DETRACTOR

    def band_codes(self, scores: npt.ArrayLike) -> npt.NDArray[np.int8]:
        """Vectorised band of many scores: 0 detractor, 1 passive, 2 promoter.

        Scores are assumed validated (on the scale); see :func:`cx_economics.data.schemas`.
        """
        s = np.asarray(scores)
        return (s >= self.passive_from).astype(np.int8) + (s >= self.promoter_from).astype(np.int8)

    def bands(self, scores: npt.ArrayLike) -> npt.NDArray[np.str_]:
        """Vectorised band names (``"detractor"``, ``"passive"``, ``"promoter"``)."""
        names = np.array([b.value for b in BAND_ORDER])
        return names[self.band_codes(scores)]


#: The standard NPS scheme: 0–6 detractor, 7–8 passive, 9–10 promoter.
DEFAULT_SCHEME = BandScheme()
