"""Statistics helpers every stage shares: level, normal quantile, NPS variance.

The confidence level, its two-sided normal quantile and the trinomial variance of an
NPS. One implementation each, so a level is checked with one message everywhere and an NPS
variance is the same number in the NPS tables, the sample sizes and the driver link.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

from cx_economics.core.exceptions import CxDataError

__all__ = ["check_level", "normal_quantile", "nps_variance"]

FloatArray = npt.NDArray[np.float64]


def check_level(level: object, *, name: str = "level") -> float:
    """Return ``level`` as a float after checking it is a coverage strictly in (0, 1).

    Parameters
    ----------
    level : float
        Nominal coverage of a two-sided interval (fraction), e.g. 0.95.
    name : str, default "level"
        The argument's name, repeated in the message.

    Returns
    -------
    float

    Raises
    ------
    CxDataError
        Not a number strictly between 0 and 1.

    Examples
    --------
    >>> check_level(0.9)
    0.9
    >>> check_level(95)
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: `level` must be a coverage ... got 95
    """
    is_number = isinstance(level, float | int | np.floating | np.integer)
    if isinstance(level, bool) or not is_number or not 0.0 < float(level) < 1.0:  # type: ignore[arg-type]
        raise CxDataError(
            f"`{name}` must be a coverage strictly between 0 and 1, e.g. 0.95; got {level!r}"
        )
    return float(level)  # type: ignore[arg-type]


def normal_quantile(level: float) -> float:
    """The standard normal quantile of a two-sided interval of coverage ``level``.

    Parameters
    ----------
    level : float
        Coverage (fraction strictly between 0 and 1).

    Returns
    -------
    float
        ``z`` with ``P(|Z| ≤ z) = level``.

    Examples
    --------
    >>> round(normal_quantile(0.95), 4)
    1.96
    """
    return float(stats.norm.ppf(0.5 + check_level(level) / 2.0))


def nps_variance(promoter_share: npt.ArrayLike, detractor_share: npt.ArrayLike) -> FloatArray:
    """Variance of one answer's NPS score (+1, 0, −1), on the share scale.

    With shares ``p₊`` and ``p₋`` the score of one answer has variance
    ``p₊ + p₋ − (p₊ − p₋)²``; an NPS of ``n`` answers (points) has variance
    ``100² × that / n``.

    Parameters
    ----------
    promoter_share, detractor_share : array_like
        Fractions 0–1.

    Returns
    -------
    ndarray
        The variance per answer (fraction², ≥ 0).

    Examples
    --------
    >>> float(nps_variance(0.5, 0.2))
    0.61
    """
    plus = np.asarray(promoter_share, dtype=np.float64)
    minus = np.asarray(detractor_share, dtype=np.float64)
    out: FloatArray = np.maximum(plus + minus - (plus - minus) ** 2, 0.0)
    return out
