"""Shapes of the cost curves (NPS ↔ yearly cost) and small array helpers.

Private to :mod:`cx_economics.economics.cost`. Each shape maps parameter rows ``theta``
(R, p) and NPS levels (m,) to yearly costs (R, m), and back.
"""

from __future__ import annotations

import math
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
from scipy import stats
from scipy.interpolate import PchipInterpolator

from cx_economics.core.exceptions import CxDataError, describe_rows
from cx_economics.core.stats import check_level

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CurveKind = Literal["points", "fitted", "bottom_up"]
FitForm = Literal["log", "saturating"]


# --------------------------------------------------------------------------- shapes


class _Shape(Protocol):
    names: tuple[str, ...]

    def cost(self, theta: FloatArray, nps: FloatArray) -> FloatArray: ...
    def marginal(self, theta: FloatArray, nps: FloatArray) -> FloatArray: ...
    def nps(self, theta: FloatArray, cost: FloatArray) -> FloatArray: ...


class _LogShape:
    """``NPS = a + b·ln(cost)``; draws with ``b ≤ 0`` cannot buy NPS (cost ``inf``)."""

    names: tuple[str, ...] = ("a", "b")

    def cost(self, theta: FloatArray, nps: FloatArray) -> FloatArray:
        a, b = theta[:, :1], theta[:, 1:2]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            out: FloatArray = np.where(b > 0, np.exp((nps[None, :] - a) / b), np.inf)
        return out

    def marginal(self, theta: FloatArray, nps: FloatArray) -> FloatArray:
        with np.errstate(invalid="ignore"):
            out: FloatArray = self.cost(theta, nps) / theta[:, 1:2]
        return out

    def nps(self, theta: FloatArray, cost: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore"):
            out: FloatArray = theta[:, :1] + theta[:, 1:2] * np.log(cost[None, :])
        return out


class _SaturatingShape:
    """``NPS = L − (L − n0)·exp(−k·cost)``: zero cost below ``n0``, ``inf`` from ``L`` on."""

    names: tuple[str, ...] = ("saturation_nps", "nps_at_zero_spend", "rate_per_currency")

    def _split(self, theta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
        top, base, k = theta[:, :1], theta[:, 1:2], theta[:, 2:3]
        return top, base, k, (k > 0) & (top > base)

    def cost(self, theta: FloatArray, nps: FloatArray) -> FloatArray:
        top, base, k, ok = self._split(theta)
        n = nps[None, :]
        with np.errstate(all="ignore"):
            out = np.log((top - base) / (top - n)) / k
        out = np.where(n <= base, 0.0, out)
        result: FloatArray = np.where(ok & (n < top), out, np.inf)
        return result

    def marginal(self, theta: FloatArray, nps: FloatArray) -> FloatArray:
        top, base, k, ok = self._split(theta)
        n = nps[None, :]
        with np.errstate(all="ignore"):
            out = np.where(n <= base, 0.0, 1.0 / (k * (top - n)))
        result: FloatArray = np.where(ok & (n < top), out, np.inf)
        return result

    def nps(self, theta: FloatArray, cost: FloatArray) -> FloatArray:
        top, base, k, _ = self._split(theta)
        out: FloatArray = top - (top - base) * np.exp(-k * cost[None, :])
        return out


class _PointsShape:
    """PCHIP through ``(nps, ln cost)``; log-linear beyond with the end segments' slopes."""

    names: tuple[str, ...] = ()

    def __init__(self, nps_knots: FloatArray, cost_knots: FloatArray) -> None:
        self.x, self.y = nps_knots, np.log(cost_knots)
        self.spline = PchipInterpolator(self.x, self.y, extrapolate=False)
        self.dspline = self.spline.derivative()
        self.slope_lo = (self.y[1] - self.y[0]) / (self.x[1] - self.x[0])
        self.slope_hi = (self.y[-1] - self.y[-2]) / (self.x[-1] - self.x[-2])

    def _log_cost(self, nps: FloatArray, *, derivative: bool = False) -> FloatArray:
        x0, x1 = self.x[0], self.x[-1]
        inner = (self.dspline if derivative else self.spline)(np.clip(nps, x0, x1))
        if derivative:  # PCHIP of rising data never falls; clip rounding (e.g. -1e-17)
            inner = np.maximum(inner, 0.0)
        below = self.slope_lo if derivative else self.y[0] + self.slope_lo * (nps - x0)
        above = self.slope_hi if derivative else self.y[-1] + self.slope_hi * (nps - x1)
        out: FloatArray = np.where(nps < x0, below, np.where(nps > x1, above, inner))
        return out

    def cost(self, theta: FloatArray, nps: FloatArray) -> FloatArray:
        row = np.exp(self._log_cost(nps))
        return np.tile(row, (theta.shape[0], 1))

    def marginal(self, theta: FloatArray, nps: FloatArray) -> FloatArray:
        row = np.exp(self._log_cost(nps)) * self._log_cost(nps, derivative=True)
        return np.tile(row, (theta.shape[0], 1))

    def nps(self, theta: FloatArray, cost: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore"):
            target = np.log(cost)
        lo, hi = np.full(target.shape, self.x[0]), np.full(target.shape, self.x[-1])
        for _ in range(64):  # bisection on the monotone spline, vectorised over costs
            mid = 0.5 * (lo + hi)
            below = self.spline(mid) < target
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        row = 0.5 * (lo + hi)
        row = np.where(target < self.y[0], self.x[0] + (target - self.y[0]) / self.slope_lo, row)
        row = np.where(target > self.y[-1], self.x[-1] + (target - self.y[-1]) / self.slope_hi, row)
        return np.tile(row, (theta.shape[0], 1))


# --------------------------------------------------------------------------- helpers


def _as_vector(values: npt.ArrayLike, name: str) -> tuple[FloatArray, tuple[int, ...]]:
    """Return ``values`` as a 1-D float array and the shape they came in."""
    arr = np.asarray(values, dtype=np.float64)
    flat = np.atleast_1d(arr).ravel()
    bad = np.flatnonzero(~np.isfinite(flat))
    if bad.size:
        rows = describe_rows(bad.tolist(), verb="are not")
        raise CxDataError(f"`{name}` must be finite numbers (no NaN/inf); {rows}")
    return flat, arr.shape


def _shaped(values: FloatArray, shape: tuple[int, ...]) -> float | FloatArray:
    return float(values[0]) if shape == () else values.reshape(shape)


def _quantile(level: float, df: float) -> float:
    p = 0.5 + check_level(level) / 2.0
    return float(stats.norm.ppf(p) if math.isinf(df) else stats.t.ppf(p, df))
