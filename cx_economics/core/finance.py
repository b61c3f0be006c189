"""Finance helpers shared by every stage: monthly discount factors."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["annuity_months"]

FloatArray = npt.NDArray[np.float64]


def annuity_months(monthly_discount_rate: float, horizon_months: int) -> FloatArray:
    """Discount factors ``(1+i)^{-t}`` for months ``t = 1..H``.

    Examples
    --------
    >>> annuity_months(0.0, 3).tolist()
    [1.0, 1.0, 1.0]
    """
    t = np.arange(1, horizon_months + 1, dtype=np.float64)
    out: FloatArray = (1.0 + monthly_discount_rate) ** -t
    return out
