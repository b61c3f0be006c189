"""The checks and the Wald interval that NPS estimates and comparisons share."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.stats import normal_quantile, nps_variance

FloatArray = npt.NDArray[np.float64]

#: What ``method="auto"`` resolves to: the interval with coverage closest to nominal.
AUTO_METHOD = "adjusted_wald"


def _z(level: float) -> float:
    return normal_quantile(level)


def _resolve_method(method: str, allowed: Sequence[str]) -> str:
    if method == "auto":
        return AUTO_METHOD
    if method == "adjusted":
        return "adjusted_wald"
    if method not in allowed:
        raise CxDataError(f"`method` must be one of {['auto', *allowed]}; got {method!r}")
    return method


def _check_positive(name: str, value: float) -> float:
    if not (isinstance(value, float | int) and math.isfinite(value) and value > 0):
        raise CxDataError(f"`{name}` must be a positive number of NPS points; got {value!r}")
    return float(value)


def _responses_for_margin(half_width: float, z: float, variance: float = 1.0) -> int:
    """Responses for an interval of ± ``half_width`` NPS points (``variance`` per response)."""
    return max(1, math.ceil((z * 100.0 / half_width) ** 2 * variance - 1e-9))


@dataclass(frozen=True, eq=False)
class _Interval:
    """Per-group standard error and bounds, NPS points."""

    se: FloatArray
    lower: FloatArray
    upper: FloatArray


def _trinomial(
    counts: npt.NDArray[np.float64], z: float, pseudo: Sequence[float] = (0.0, 0.0, 0.0)
) -> _Interval:
    """Wald interval from (groups, 3) counts, after adding ``pseudo`` counts to each band."""
    adjusted = counts + np.asarray(pseudo, dtype=np.float64)
    n = adjusted.sum(axis=-1)
    detractor, promoter = adjusted[..., 0] / n, adjusted[..., 2] / n
    centre = 100.0 * (promoter - detractor)
    variance = nps_variance(promoter, detractor)
    se = 100.0 * np.sqrt(variance / n)
    return _Interval(se, centre - z * se, centre + z * se)
