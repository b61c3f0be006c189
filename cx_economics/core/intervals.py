"""The one percentile interval every bootstrap in the library reports."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["percentile_interval"]

FloatArray = npt.NDArray[np.float64]


def percentile_interval(
    replicates: npt.ArrayLike, level: float, *, axis: int = 0
) -> tuple[FloatArray, FloatArray]:
    """Percentile bounds of bootstrap replicates along ``axis``.

    Parameters
    ----------
    replicates : array_like
        Replicates of an estimate, in its own unit (currency, NPS points, months…).
    level : float
        Nominal coverage, a fraction in (0, 1): 0.95 gives the 2.5 % and 97.5 %
        quantiles.
    axis : int, default 0
        The replicate axis.

    Returns
    -------
    lower, upper : ndarray
        The bounds, the shape of ``replicates`` without ``axis``; NaN where there are
        no replicates.

    Examples
    --------
    >>> lo, hi = percentile_interval(np.arange(101.0), 0.9)
    >>> round(float(lo), 9), round(float(hi), 9)
    (5.0, 95.0)
    """
    reps = np.asarray(replicates, dtype=np.float64)
    if reps.shape[axis] == 0:
        nan = np.full(np.delete(np.array(reps.shape), axis), np.nan)
        return nan, nan.copy()
    alpha = (1.0 - level) / 2.0
    lower = np.quantile(reps, alpha, axis=axis)
    upper = np.quantile(reps, 1.0 - alpha, axis=axis)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
