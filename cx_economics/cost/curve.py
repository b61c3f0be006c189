"""What CX costs per channel: cost curves and the cost of excellence.

A cost curve gives the yearly cost (currency per year) of operating one channel at
an NPS level (NPS points, −100..100). It comes from one of three sources:

``cost_curve_from_points`` / ``cost_curves_from_table`` (kind ``"points"``)
    Finance states the cost at a few NPS levels. The curve passes exactly through
    them: a monotone PCHIP interpolation of the *log* cost, so it rises wherever
    the points rise; beyond the points it is log-linear (the growth rate per NPS
    point of the nearest segment), with a warning.
``fit_cost_curve`` / ``fit_cost_curves`` (kind ``"fitted"``)
    Fitted from a channel's history of spend and measured NPS. ``form="log"``:
    ``NPS = a + b·ln(spend)`` by OLS, so ``cost(nps) = exp((nps − a)/b)``.
    ``form="saturating"``: ``NPS = L − (L − n0)·exp(−k·spend)`` by non-linear least
    squares, so ``cost(nps) = ln((L − n0)/(L − nps))/k`` below the saturation level
    ``L`` (no spend reaches ``L``). Parameters carry their covariance; costs carry
    delta-method intervals and parametric (posterior) draws.
``bottom_up_cost_curve`` (kind ``"bottom_up"``)
    Contact volume × cost per contact, grossed up for the idle agent time an
    Erlang C queue needs to answer a share of contacts within T seconds, at the
    service levels the user maps to NPS.

:func:`cost_of_excellence` prices the step from today's NPS to the excellent level.
Every curve warns (:class:`CxAssumptionWarning`) when asked about an NPS outside the
range its points or data support.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, Protocol, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from scipy.interpolate import PchipInterpolator

from cx_economics._results import Estimate, Result
from cx_economics.data import ColumnSpec, TableSchema, validate_channel_costs, validate_table
from cx_economics.exceptions import CxAssumptionWarning, CxDataError, CxModelError, describe_rows

__all__ = [
    "HISTORY_SCHEMA",
    "CostCurve",
    "CostCurves",
    "CostOfExcellence",
    "CostsOfExcellence",
    "agents_needed",
    "bottom_up_cost_curve",
    "cost_curve_from_points",
    "cost_curves_from_table",
    "cost_of_excellence",
    "erlang_c",
    "erlang_c_service_level",
    "fit_cost_curve",
    "fit_cost_curves",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CurveKind = Literal["points", "fitted", "bottom_up"]
FitForm = Literal["log", "saturating"]

#: Schema of a channel spend history: one row per channel and period.
HISTORY_SCHEMA = TableSchema(
    "channel_history",
    (
        ColumnSpec("channel", "str", description="channel name"),
        ColumnSpec("annual_spend", "float", minimum=0.0, description="spend, currency per year"),
        ColumnSpec("nps", "float", minimum=-100.0, maximum=100.0, description="measured NPS"),
    ),
)

_SOURCE = {
    "points": "the finance cost points",
    "fitted": "the spend history",
    "bottom_up": "the service-level points",
}


# --------------------------------------------------------------------------- shapes
# Each shape maps parameter rows theta (R, p) and NPS levels (m,) to costs (R, m).


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
    if not 0.5 <= level < 1:
        raise CxDataError(f"`level` must be in [0.5, 1), got {level}")
    p = 0.5 + level / 2.0
    return float(stats.norm.ppf(p) if math.isinf(df) else stats.t.ppf(p, df))


# --------------------------------------------------------------------------- CostCurve


@dataclass(frozen=True, eq=False)
class CostCurve(Result):
    """Yearly cost of operating one channel at an NPS level (currency per year).

    Build one with :func:`cost_curve_from_points`, :func:`fit_cost_curve` or
    :func:`bottom_up_cost_curve` rather than by hand.

    Attributes
    ----------
    channel : str
        The channel the curve prices.
    kind : {"points", "fitted", "bottom_up"}
        Where the curve comes from.
    form : {"pchip_log", "log", "saturating"}
        Its shape: monotone interpolation of log cost through points, or a fitted form.
    valid_range : tuple of float
        NPS range (points) supported by the points or data; elsewhere the curve is
        extrapolated and says so with a :class:`CxAssumptionWarning`. For fitted
        curves it is the fitted NPS at the lowest and highest spend observed.
    nps_points, cost_points : ndarray
        The knots (NPS, currency per year) for ``"points"``/``"bottom_up"``; the
        observed history (measured NPS, annual spend) for ``"fitted"``, for plots.
    parameters : mapping
        Fitted parameters: ``a`` (NPS points) and ``b`` (NPS points per unit of
        log-cost) for ``"log"``; ``saturation_nps``, ``nps_at_zero_spend`` (NPS
        points) and ``rate_per_currency`` (per currency unit per year) for
        ``"saturating"``; empty otherwise.
    covariance : ndarray or None
        Covariance of ``parameters`` (same order); ``None`` when the curve is given,
        not estimated (then intervals have zero width).
    df_resid : float
        Residual degrees of freedom of the fit (t quantiles and draws); ``inf`` if none.
    details : mapping
        Fit statistics (``n_obs``, ``r_squared``, ``residual_sd``, ``method``) or the
        bottom-up staffing table (``staffing``) and its inputs.
    """

    channel: str
    kind: CurveKind
    form: str
    valid_range: tuple[float, float]
    nps_points: FloatArray
    cost_points: FloatArray
    parameters: Mapping[str, float] = field(default_factory=dict)
    covariance: FloatArray | None = None
    df_resid: float = math.inf
    details: Mapping[str, object] = field(default_factory=dict)
    _shape: _Shape = field(init=False, repr=False, compare=False)

    _title = "Cost curve"

    def __post_init__(self) -> None:
        shapes: dict[str, Callable[[], _Shape]] = {
            "log": _LogShape,
            "saturating": _SaturatingShape,
            "pchip_log": lambda: _PointsShape(self.nps_points, self.cost_points),
        }
        if self.form not in shapes:
            raise ValueError(f"unknown cost-curve form {self.form!r}; known: {sorted(shapes)}")
        object.__setattr__(self, "_shape", shapes[self.form]())
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @property
    def uncertain(self) -> bool:
        """Whether the curve is estimated (has a parameter covariance) rather than given."""
        return self.covariance is not None

    @property
    def _theta(self) -> FloatArray:
        return np.array([list(self.parameters.values())], dtype=np.float64).reshape(1, -1)

    def _check_range(self, nps: FloatArray) -> None:
        lo, hi = self.valid_range
        if nps.size and (nps.min() < lo - 1e-9 or nps.max() > hi + 1e-9):
            warnings.warn(
                f"extrapolating the cost curve beyond NPS {lo:.1f}–{hi:.1f} (the range "
                f"supported by {_SOURCE[self.kind]}) for channel {self.channel!r}: asked for "
                f"NPS {nps.min():.1f}…{nps.max():.1f}; costs there are assumptions, not evidence",
                CxAssumptionWarning,
                stacklevel=3,
            )

    def _check_reachable(self, nps: FloatArray, cost: FloatArray) -> None:
        if np.isinf(cost).any():
            top = self.parameters.get("saturation_nps", math.nan)
            warnings.warn(
                f"channel {self.channel!r}: NPS {nps[np.isinf(cost)].min():.1f} is at or beyond "
                f"the fitted saturation level {top:.1f}; no spend reaches it (cost is inf)",
                CxAssumptionWarning,
                stacklevel=3,
            )

    @overload
    def cost_at(self, nps: FloatArray | Sequence[float]) -> FloatArray: ...
    @overload
    def cost_at(self, nps: float) -> float: ...
    @overload
    def cost_at(self, nps: npt.ArrayLike) -> float | FloatArray: ...
    def cost_at(self, nps: npt.ArrayLike) -> float | FloatArray:
        """Return the yearly cost (currency per year) of running the channel at ``nps``.

        Parameters
        ----------
        nps : float or array_like
            NPS level(s), points −100..100.

        Returns
        -------
        float or ndarray
            Currency per year, same shape as ``nps`` (a float for a float). ``inf``
            at or beyond a saturating curve's saturation level (with a warning).

        Examples
        --------
        >>> curve = cost_curve_from_points("web", [20, 35, 50], [70e3, 120e3, 210e3])
        >>> round(curve.cost_at(35.0))
        120000
        """
        values, shape = _as_vector(nps, "nps")
        self._check_range(values)
        cost = self._shape.cost(self._theta, values)[0]
        self._check_reachable(values, cost)
        return _shaped(cost, shape)

    @overload
    def marginal_cost(self, nps: FloatArray | Sequence[float]) -> FloatArray: ...
    @overload
    def marginal_cost(self, nps: float) -> float: ...
    @overload
    def marginal_cost(self, nps: npt.ArrayLike) -> float | FloatArray: ...
    def marginal_cost(self, nps: npt.ArrayLike) -> float | FloatArray:
        """Return the extra yearly cost of one more NPS point at ``nps`` (analytic derivative).

        Parameters
        ----------
        nps : float or array_like
            NPS level(s), points −100..100.

        Returns
        -------
        float or ndarray
            ``d cost / d NPS`` in currency per year per NPS point.

        Examples
        --------
        >>> curve = cost_curve_from_points("web", [20, 50], [100e3, 200e3])
        >>> round(curve.marginal_cost(20.0))  # 100e3 * ln(2) / 30
        2310
        """
        values, shape = _as_vector(nps, "nps")
        self._check_range(values)
        return _shaped(self._shape.marginal(self._theta, values)[0], shape)

    @overload
    def nps_at(self, annual_cost: FloatArray | Sequence[float]) -> FloatArray: ...
    @overload
    def nps_at(self, annual_cost: float) -> float: ...
    @overload
    def nps_at(self, annual_cost: npt.ArrayLike) -> float | FloatArray: ...
    def nps_at(self, annual_cost: npt.ArrayLike) -> float | FloatArray:
        """Return the NPS level a yearly cost buys: the inverse of :meth:`cost_at`.

        Parameters
        ----------
        annual_cost : float or array_like
            Currency per year, > 0.

        Returns
        -------
        float or ndarray
            NPS points (−100..100 within the data; extrapolated values may exceed it).

        Examples
        --------
        >>> curve = cost_curve_from_points("web", [20, 35, 50], [70e3, 120e3, 210e3])
        >>> round(curve.nps_at(120e3), 6)
        35.0
        """
        values, shape = _as_vector(annual_cost, "annual_cost")
        bad = np.flatnonzero(values <= 0)
        if bad.size:
            rows = describe_rows(bad.tolist(), verb="are not")
            raise CxDataError(f"`annual_cost` must be > 0 (currency per year); {rows}")
        nps = self._shape.nps(self._theta, values)[0]
        self._check_range(nps)
        return _shaped(nps, shape)

    def _log_cost_se(self, fn: Callable[[FloatArray], FloatArray]) -> FloatArray:
        """Delta-method standard error of ``ln fn(theta)``; ``fn`` maps (R, p) → (R, m)."""
        theta = self._theta[0]
        if self.covariance is None:
            return np.zeros(fn(self._theta).shape[1])
        step = 1e-6 * np.maximum(np.abs(theta), np.sqrt(np.diag(self.covariance)))
        shift = np.diag(step)
        with np.errstate(all="ignore"):
            up, down = np.log(fn(theta + shift)), np.log(fn(theta - shift))
        grad = (up - down) / (2.0 * step[:, None])  # (p, m)
        var = np.einsum("pm,pq,qm->m", grad, self.covariance, grad)
        se: FloatArray = np.sqrt(np.maximum(var, 0.0))
        return se

    def cost_interval(
        self, nps: npt.ArrayLike, *, level: float = 0.95
    ) -> tuple[FloatArray, FloatArray]:
        """Return pointwise (lower, upper) bounds of the yearly cost at ``nps``.

        Delta method on the log cost with a t quantile (residual df), so bounds stay
        positive; zero width for curves that are given rather than estimated.

        Parameters
        ----------
        nps : array_like
            NPS level(s), points −100..100.
        level : float, default 0.95
            Nominal coverage.

        Returns
        -------
        tuple of ndarray
            Lower and upper bounds, currency per year.

        Examples
        --------
        >>> from cx_economics.datasets import load_demo
        >>> curve = fit_cost_curve(load_demo().channel_history, channel="phone")
        >>> low, high = curve.cost_interval([10.0])
        >>> bool(low[0] < curve.cost_at(10.0) < high[0])
        True
        """
        values, _ = _as_vector(nps, "nps")
        cost = self.cost_at(values)
        half = _quantile(level, self.df_resid) * self._log_cost_se(
            lambda th: self._shape.cost(np.atleast_2d(th), values)
        )
        with np.errstate(invalid="ignore", over="ignore"):
            lower, upper = cost * np.exp(-half), cost * np.exp(half)
        return np.where(np.isfinite(lower), lower, cost), np.where(np.isfinite(upper), upper, cost)

    def parameter_draws(self, n_replicates: int, seed: int | np.random.Generator) -> FloatArray:
        """Return draws of the parameters, shape (n_replicates, p).

        Multivariate t around the estimate with the fit's covariance and residual df
        (the exact posterior of OLS under a flat prior; an approximation for the
        saturating form); the estimate repeated when the curve is given.

        Parameters
        ----------
        n_replicates : int
            Number of draws.
        seed : int or numpy.random.Generator
            Randomness; the same seed gives the same draws.

        Returns
        -------
        ndarray
            Parameters in the order of :attr:`parameters`.

        Examples
        --------
        >>> from cx_economics.datasets import load_demo
        >>> curve = fit_cost_curve(load_demo().channel_history, channel="web")
        >>> curve.parameter_draws(4, seed=1).shape
        (4, 2)
        """
        if n_replicates < 1:
            raise CxDataError(f"`n_replicates` must be at least 1, got {n_replicates}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        theta = self._theta
        if self.covariance is None:
            return np.repeat(theta, n_replicates, axis=0)
        z = rng.multivariate_normal(np.zeros(theta.shape[1]), self.covariance, n_replicates)
        if math.isfinite(self.df_resid):
            z *= np.sqrt(self.df_resid / rng.chisquare(self.df_resid, n_replicates))[:, None]
        draws: FloatArray = theta + z
        return draws

    def sample_costs(
        self,
        nps_grid: npt.ArrayLike,
        n_replicates: int = 1000,
        seed: int | np.random.Generator = 0,
    ) -> FloatArray:
        """Return draws of the cost curve on ``nps_grid`` for downstream intervals.

        Parameters
        ----------
        nps_grid : array_like
            NPS levels (points), shape (m,).
        n_replicates : int, default 1000
            Number of draws.
        seed : int or numpy.random.Generator, default 0
            Randomness; the same seed gives the same draws.

        Returns
        -------
        ndarray, shape (n_replicates, m)
            Yearly costs (currency per year), one curve per row, from
            :meth:`parameter_draws`; identical rows for a given curve. ``inf`` where a
            draw cannot reach the level.

        Examples
        --------
        >>> from cx_economics.datasets import load_demo
        >>> curve = fit_cost_curve(load_demo().channel_history, channel="chat")
        >>> curve.sample_costs([0.0, 10.0], n_replicates=200, seed=3).shape
        (200, 2)
        """
        values, _ = _as_vector(nps_grid, "nps_grid")
        self._check_range(values)
        return self._shape.cost(self.parameter_draws(n_replicates, seed), values)

    def parameter_table(self, *, level: float = 0.95) -> pd.DataFrame:
        """Return fitted parameters with standard error and t interval (empty if given).

        Examples
        --------
        >>> from cx_economics.datasets import load_demo
        >>> curve = fit_cost_curve(load_demo().channel_history, channel="phone")
        >>> curve.parameter_table()["parameter"].tolist()
        ['a', 'b']
        """
        names = list(self.parameters)
        est = np.array(list(self.parameters.values()), dtype=np.float64)
        cov = self.covariance if self.covariance is not None else np.zeros((len(names),) * 2)
        se = np.sqrt(np.diag(cov))
        q = _quantile(level, self.df_resid)
        return pd.DataFrame(
            {
                "channel": self.channel,
                "parameter": names,
                "estimate": est,
                "std_error": se,
                "lower": est - q * se,
                "upper": est + q * se,
                "level": level,
            }
        )

    def default_grid(self) -> FloatArray:
        """NPS levels for tables and plots: steps of 5 around the valid range, plus knots."""
        lo, hi = self.valid_range
        start, stop = (
            max(-100.0, 5 * math.floor(lo / 5) - 10),
            min(100.0, 5 * math.ceil(hi / 5) + 10),
        )
        grid = np.arange(start, stop + 0.5, 5.0)
        if self.kind != "fitted":
            grid = np.union1d(grid, self.nps_points)
        top = self.parameters.get("saturation_nps", math.inf)
        out: FloatArray = grid[grid < top]
        return out

    def to_frame(
        self, nps_grid: npt.ArrayLike | None = None, *, level: float = 0.95
    ) -> pd.DataFrame:
        """Return the curve on a grid: one row per NPS level.

        Columns: ``channel``, ``kind``, ``nps`` (points), ``annual_cost``, ``lower``,
        ``upper`` (currency per year), ``marginal_cost`` (currency per year per NPS
        point), ``extrapolated`` (outside :attr:`valid_range`).
        """
        grid = self.default_grid() if nps_grid is None else _as_vector(nps_grid, "nps_grid")[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CxAssumptionWarning)
            cost = np.asarray(self.cost_at(grid), dtype=np.float64)
            lower, upper = self.cost_interval(grid, level=level)
            marginal = np.asarray(self.marginal_cost(grid), dtype=np.float64)
        lo, hi = self.valid_range
        return pd.DataFrame(
            {
                "channel": self.channel,
                "kind": self.kind,
                "nps": grid,
                "annual_cost": cost,
                "lower": lower,
                "upper": upper,
                "marginal_cost": marginal,
                "extrapolated": (grid < lo - 1e-9) | (grid > hi + 1e-9),
            }
        )

    def _notes(self) -> list[str]:
        lo, hi = self.valid_range
        notes = [
            f"supported by {_SOURCE[self.kind]} for NPS {lo:.1f}–{hi:.1f}; "
            "outside it the curve is extrapolated"
        ]
        if not self.uncertain:
            notes.append("costs are given, not estimated: intervals have zero width")
        else:
            d = self.details
            notes.append(
                f"{d.get('method')}: {d.get('n_obs')} periods, R² {d.get('r_squared', 0):.2f}; "
                f"intervals by the delta method on log cost (t, {self.df_resid:g} df)"
            )
        if self.kind == "bottom_up":
            notes.append("service level → NPS mapping is the user's assumption (Erlang C staffing)")
        return notes


# --------------------------------------------------------------------------- points


def _checked_points(
    nps: npt.ArrayLike,
    costs: npt.ArrayLike,
    *,
    names: tuple[str, str] = ("nps_levels", "annual_costs"),
    labels: Sequence[object] | None = None,
    where: str = "",
) -> tuple[FloatArray, FloatArray]:
    """Validate cost points; return them sorted by NPS."""
    x = np.asarray(nps, dtype=np.float64).ravel()
    y = np.asarray(costs, dtype=np.float64).ravel()
    if x.size != y.size:
        raise CxDataError(
            f"{where}`{names[0]}` and `{names[1]}` differ in length: {x.size}, {y.size}"
        )
    rows = np.array(list(labels) if labels is not None else range(x.size), dtype=object)
    checks = (
        (names[0], ~np.isfinite(x), "must be finite (no NaN/inf)"),
        (names[1], ~np.isfinite(y), "must be finite (no NaN/inf)"),
        (names[0], np.abs(x) > 100, "must lie in −100..100 (NPS points)"),
        (names[1], y <= 0, "must be > 0 (currency per year; interpolated on the log scale)"),
    )
    for name, bad, problem in checks:
        if bad.any():
            raise CxDataError(
                f"{where}`{name}` {problem}; {describe_rows(list(rows[bad]), verb='are not')}"
            )
    if x.size < 2:
        raise CxDataError(
            f"{where}a cost curve needs at least 2 points in `{names[0]}`, got {x.size}"
        )
    order = np.argsort(x, kind="stable")
    xs, ys, rs = x[order], y[order], rows[order]
    repeated = np.flatnonzero(np.diff(xs) == 0) + 1
    if repeated.size:
        rows_text = describe_rows(list(rs[repeated]), verb="are")
        raise CxDataError(f"{where}`{names[0]}` must not repeat; {rows_text} repeats")
    falling = np.flatnonzero(np.diff(ys) <= 0) + 1
    if falling.size:
        i = falling[0]
        raise CxDataError(
            f"{where}cost must rise with NPS: `{names[1]}` must increase strictly with "
            f"`{names[0]}`; {describe_rows(list(rs[falling]), verb='are not above the cost below')}"
            f" (e.g. NPS {xs[i]:g} costs {ys[i]:,.0f}, NPS {xs[i - 1]:g} costs {ys[i - 1]:,.0f})"
        )
    return xs, ys


def cost_curve_from_points(
    channel: str, nps_levels: npt.ArrayLike, annual_costs: npt.ArrayLike
) -> CostCurve:
    """Build a cost curve through finance's cost points.

    The curve passes exactly through every point: PCHIP (monotone, no overshoot)
    interpolation of ``ln(cost)`` against NPS. Beyond the lowest and highest point it
    is log-linear, growing at the rate of the nearest segment, and warns.

    Parameters
    ----------
    channel : str
        Channel name.
    nps_levels : array_like
        NPS levels (points, −100..100), at least 2, distinct, any order.
    annual_costs : array_like
        Yearly cost at each level (currency per year, > 0), rising with NPS.

    Returns
    -------
    CostCurve
        ``kind="points"``, ``form="pchip_log"``; no interval (costs are given).

    Raises
    ------
    CxDataError
        Fewer than 2 points, NaN, non-positive costs, repeated levels, or costs
        that do not rise with NPS.

    Examples
    --------
    >>> curve = cost_curve_from_points("phone", [20, 35, 50], [145e3, 265e3, 484e3])
    >>> round(curve.cost_at(50.0))
    484000
    >>> bool(curve.cost_at(42.0) < curve.cost_at(43.0))
    True
    """
    x, y = _checked_points(nps_levels, annual_costs)
    return CostCurve(str(channel), "points", "pchip_log", (float(x[0]), float(x[-1])), x, y)


def cost_curves_from_table(
    channel_costs: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    known_channels: Sequence[str] | None = None,
) -> CostCurves:
    """Build one points curve per channel from a channel-costs table.

    Parameters
    ----------
    channel_costs : pandas.DataFrame or ChannelCosts
        Columns ``channel``, ``nps`` (points) and ``annual_cost`` (currency per
        year); see :func:`cx_economics.data.validate_channel_costs`.
    columns : mapping, optional
        Canonical name → your column name.
    known_channels : sequence of str, optional
        Channels of the customer base; other channels are an error.

    Returns
    -------
    CostCurves
        One :class:`CostCurve` of kind ``"points"`` per channel.

    Examples
    --------
    >>> from cx_economics.datasets import load_demo
    >>> curves = cost_curves_from_table(load_demo().channel_costs)
    >>> curves.channels
    ('branch', 'chat', 'phone', 'web')
    """
    frame = validate_channel_costs(
        channel_costs, columns=columns, known_channels=known_channels
    ).frame
    curves = {}
    for channel, rows in frame.groupby("channel", sort=True):
        x, y = _checked_points(
            rows["nps"],
            rows["annual_cost"],
            names=("nps", "annual_cost"),
            labels=list(rows.index),
            where=f"`channel_costs` (channel {channel!r}): ",
        )
        curves[str(channel)] = CostCurve(
            str(channel), "points", "pchip_log", (float(x[0]), float(x[-1])), x, y
        )
    return CostCurves(curves)


# --------------------------------------------------------------------------- fitted


def _fit_log(
    spend: FloatArray, nps: FloatArray
) -> tuple[FloatArray, FloatArray, float, dict[str, object]]:
    import statsmodels.api as sm

    design = np.column_stack([np.ones_like(spend), np.log(spend)])
    fit = sm.OLS(nps, design).fit()
    theta = np.asarray(fit.params, dtype=np.float64)
    if theta[1] <= 0:
        raise CxModelError(
            f"more spend goes with lower NPS in this history (slope b = {theta[1]:.2f} NPS "
            "points per unit of log-spend ≤ 0): the data do not support a cost curve. Check "
            "the channel and periods, or give finance's cost points (cost_curve_from_points)"
        )
    if fit.pvalues[1] > 0.05:
        warnings.warn(
            f"the NPS-per-log-spend slope b = {theta[1]:.2f} is not distinguishable from 0 "
            f"(p = {fit.pvalues[1]:.2f}): the fitted cost curve is very uncertain",
            CxAssumptionWarning,
            stacklevel=4,
        )
    details = {
        "method": "OLS NPS = a + b·ln(annual_spend) (statsmodels)",
        "n_obs": int(fit.nobs),
        "r_squared": float(fit.rsquared),
        "residual_sd": float(np.sqrt(fit.scale)),
    }
    return theta, np.asarray(fit.cov_params(), dtype=np.float64), float(fit.df_resid), details


def _saturating_start(scaled_spend: FloatArray, nps: FloatArray) -> tuple[float, float, float]:
    """Profile least squares over a grid of k (the model is linear in L, n0 given k)."""
    ks = np.geomspace(1e-3, 1e3, 301)
    e = np.exp(-ks[:, None] * scaled_spend[None, :])  # (K, n)
    ec = e - e.mean(axis=1, keepdims=True)
    sxx = (ec**2).sum(axis=1)
    ok = sxx > 1e-12
    beta = np.where(ok, (ec * (nps - nps.mean())[None, :]).sum(axis=1) / np.where(ok, sxx, 1), 0)
    alpha = nps.mean() - beta * e.mean(axis=1)
    rss = np.where(
        ok, ((nps[None, :] - alpha[:, None] - beta[:, None] * e) ** 2).sum(axis=1), np.inf
    )
    best = int(np.argmin(rss))
    if best in (0, ks.size - 1):
        warnings.warn(
            "the spend history shows no clear saturation (the best rate lies at the edge of "
            "the search grid); the saturating fit may be unstable: consider form='log'",
            CxAssumptionWarning,
            stacklevel=5,
        )
    return float(alpha[best]), float(alpha[best] + beta[best]), float(ks[best])


def _fit_saturating(
    spend: FloatArray, nps: FloatArray
) -> tuple[FloatArray, FloatArray, float, dict[str, object]]:
    from scipy.optimize import curve_fit

    scale = float(np.median(spend))
    s = spend / scale

    def model(x: FloatArray, top: float, base: float, k: float) -> FloatArray:
        out: FloatArray = top - (top - base) * np.exp(-k * x)
        return out

    try:
        popt, pcov = curve_fit(model, s, nps, p0=_saturating_start(s, nps), maxfev=20_000)
    except (RuntimeError, ValueError) as err:
        raise CxModelError(
            f"the saturating cost curve did not converge ({err}); try form='log' or more "
            "periods with varied spend"
        ) from err
    top, base, k = (float(v) for v in popt)
    if not np.all(np.isfinite(pcov)) or k <= 0 or top <= base:
        raise CxModelError(
            "the history does not identify a rising, saturating NPS-spend curve "
            f"(L = {top:.1f}, n0 = {base:.1f}, k = {k:.3g}); more spend does not clearly raise "
            "NPS towards a ceiling. Try form='log' or give finance's cost points"
        )
    jac = np.diag([1.0, 1.0, 1.0 / scale])
    resid = nps - model(s, top, base, k)
    details = {
        "method": "least squares NPS = L − (L − n0)·exp(−k·annual_spend) (scipy curve_fit)",
        "n_obs": int(nps.size),
        "r_squared": float(1 - resid @ resid / ((nps - nps.mean()) @ (nps - nps.mean()))),
        "residual_sd": float(np.sqrt(resid @ resid / (nps.size - 3))),
    }
    theta = np.array([top, base, k / scale])
    return theta, jac @ pcov @ jac, float(nps.size - 3), details


_FITTERS = {"log": _fit_log, "saturating": _fit_saturating}
_SHAPES: dict[str, _Shape] = {"log": _LogShape(), "saturating": _SaturatingShape()}


def _fit_rows(channel: str, rows: pd.DataFrame, form: FitForm) -> CostCurve:
    spend = rows["annual_spend"].to_numpy(np.float64)
    nps = rows["nps"].to_numpy(np.float64)
    where = f"`channel_history` (channel {channel!r})"
    needed = 3 if form == "log" else 4
    if spend.size < needed:
        raise CxDataError(f"{where}: form={form!r} needs at least {needed} rows, got {spend.size}")
    if form == "log" and (spend <= 0).any():
        rows_text = describe_rows(list(rows.index[spend <= 0]), verb="are not")
        raise CxDataError(f"{where}: `annual_spend` must be > 0 for form='log'; {rows_text}")
    if np.ptp(spend) <= 1e-9 * np.abs(spend).max():
        raise CxDataError(
            f"{where}: `annual_spend` must vary to fit a cost curve; all {spend.size} rows "
            f"are {spend[0]:,.0f}"
        )
    theta, cov, df, details = _FITTERS[form](spend, nps)
    bounds = _SHAPES[form].nps(theta[None, :], np.array([spend.min(), spend.max()]))[0]
    return CostCurve(
        channel,
        "fitted",
        form,
        (float(bounds[0]), float(bounds[1])),
        nps,
        spend,
        dict(zip(_SHAPES[form].names, theta.tolist(), strict=True)),
        cov,
        df,
        details,
    )


def _history(history: pd.DataFrame, columns: Mapping[str, str] | None, form: str) -> pd.DataFrame:
    if form not in _FITTERS:
        raise CxDataError(f"`form` must be 'log' or 'saturating', got {form!r}")
    return validate_table(history, HISTORY_SCHEMA, columns=columns)


def fit_cost_curve(
    history: pd.DataFrame,
    *,
    channel: str | None = None,
    form: FitForm = "log",
    columns: Mapping[str, str] | None = None,
) -> CostCurve:
    """Fit one channel's cost curve from its history of spend and measured NPS.

    ``form="log"``: ``NPS = a + b·ln(spend)`` by OLS (statsmodels), so
    ``cost(nps) = exp((nps − a)/b)`` and ``b·ln 2`` is the NPS gained by doubling
    spend. ``form="saturating"``: ``NPS = L − (L − n0)·exp(−k·spend)`` by least
    squares (scipy ``curve_fit``, started from a profile search over ``k``), so
    ``cost(nps) = ln((L − n0)/(L − nps))/k``; no spend reaches ``L``.

    Parameters
    ----------
    history : pandas.DataFrame
        One row per channel and period with ``channel``, ``annual_spend`` (currency
        per year, the spend rate in that period) and ``nps`` (points), e.g.
        ``simulate(...).channel_history``. Not modified.
    channel : str, optional
        Which channel to fit; may be omitted when the history holds one channel.
    form : {"log", "saturating"}, default "log"
        Functional form.
    columns : mapping, optional
        Canonical name → your column name.

    Returns
    -------
    CostCurve
        ``kind="fitted"``, with parameters, covariance and residual df.

    Raises
    ------
    CxDataError
        Missing/NaN/negative values (naming the column and rows), too few rows,
        zero spend (log form), spend that never varies, an unknown channel.
    CxModelError
        The data do not show NPS rising with spend, or the fit does not converge.

    Examples
    --------
    >>> from cx_economics.datasets import load_demo
    >>> demo = load_demo()
    >>> curve = fit_cost_curve(demo.channel_history, channel="phone")
    >>> 20 < curve.parameters["b"] < 30  # truth: 25 NPS points per unit of log-spend
    True
    """
    frame = _history(history, columns, form)
    present = sorted(frame["channel"].unique())
    if channel is None:
        if len(present) != 1:
            raise CxDataError(f"`channel` is needed: the history holds channels {present}")
        channel = present[0]
    if channel not in present:
        raise CxDataError(f"`channel` {channel!r} is not in the history; it holds {present}")
    return _fit_rows(channel, frame[frame["channel"] == channel], form)


def fit_cost_curves(
    history: pd.DataFrame, *, form: FitForm = "log", columns: Mapping[str, str] | None = None
) -> CostCurves:
    """Fit a cost curve for every channel in a spend history (see :func:`fit_cost_curve`).

    Parameters
    ----------
    history : pandas.DataFrame
        Columns ``channel``, ``annual_spend`` (currency per year), ``nps`` (points).
    form : {"log", "saturating"}, default "log"
        Functional form, the same for every channel.
    columns : mapping, optional
        Canonical name → your column name.

    Returns
    -------
    CostCurves

    Examples
    --------
    >>> from cx_economics.datasets import load_demo
    >>> fit_cost_curves(load_demo().channel_history).channels
    ('branch', 'chat', 'phone', 'web')
    """
    frame = _history(history, columns, form)
    return CostCurves(
        {
            str(ch): _fit_rows(str(ch), rows, form)
            for ch, rows in frame.groupby("channel", sort=True)
        }
    )


# --------------------------------------------------------------------------- Erlang C


def erlang_c(offered_load: npt.ArrayLike, agents: npt.ArrayLike) -> FloatArray:
    """Return the Erlang C probability that a contact has to wait (M/M/N queue).

    ``C = N·B / (N − A·(1 − B))`` with the Erlang B loss ``B = pmf(N; A) / cdf(N; A)``
    of a Poisson(A) law (stable for large loads); 1 when ``N ≤ A`` (the queue grows
    without bound).

    Parameters
    ----------
    offered_load : array_like
        Traffic intensity ``A`` in Erlangs (arrival rate × average handle time).
    agents : array_like
        Number of agents ``N`` (integers ≥ 1); broadcast against ``offered_load``.

    Returns
    -------
    ndarray
        Probability (fraction 0–1) that an arriving contact waits.

    Examples
    --------
    >>> round(float(erlang_c(48.0, 55)), 4)  # 360 calls per half hour, 4-minute calls
    0.2387
    """
    load, n = np.broadcast_arrays(
        np.asarray(offered_load, np.float64), np.asarray(agents, np.float64)
    )
    with np.errstate(all="ignore"):
        loss = np.exp(stats.poisson.logpmf(n, load) - stats.poisson.logcdf(n, load))
        wait = n * loss / (n - load * (1.0 - loss))
    out: FloatArray = np.where(n > load, wait, 1.0)
    return out


def erlang_c_service_level(
    offered_load: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    answer_within_seconds: float,
    average_handle_seconds: float,
) -> FloatArray:
    """Return the share of contacts answered within ``answer_within_seconds`` (Erlang C).

    ``SL = 1 − C · exp(−(N − A) · T / AHT)``; 0 when ``N ≤ A``.

    Parameters
    ----------
    offered_load : array_like
        Traffic intensity ``A`` in Erlangs.
    agents : array_like
        Number of agents ``N``.
    answer_within_seconds : float
        Target answer time ``T`` (seconds).
    average_handle_seconds : float
        Average handle time ``AHT`` (seconds per contact).

    Returns
    -------
    ndarray
        Service level, fraction 0–1.

    Examples
    --------
    >>> sl = erlang_c_service_level(10.0, 14, answer_within_seconds=20, average_handle_seconds=180)
    >>> round(float(sl), 3)
    0.888
    """
    load = np.asarray(offered_load, np.float64)
    n = np.asarray(agents, np.float64)
    decay = np.exp(-(n - load) * answer_within_seconds / average_handle_seconds)
    out: FloatArray = np.where(n > load, 1.0 - erlang_c(load, n) * decay, 0.0)
    return out


def agents_needed(
    offered_load: float,
    target_service_level: npt.ArrayLike,
    *,
    answer_within_seconds: float,
    average_handle_seconds: float,
) -> IntArray:
    """Return the fewest agents that answer a target share within T seconds (Erlang C).

    Parameters
    ----------
    offered_load : float
        Traffic intensity ``A`` in Erlangs (> 0).
    target_service_level : array_like
        Target share(s) answered within ``answer_within_seconds``, fractions in [0, 1).
    answer_within_seconds : float
        Target answer time (seconds).
    average_handle_seconds : float
        Average handle time (seconds per contact).

    Returns
    -------
    ndarray of int
        Agents (on duty at every open hour) per target.

    Examples
    --------
    >>> agents_needed(10.0, [0.8, 0.9], answer_within_seconds=20, average_handle_seconds=180)
    array([14, 15])
    """
    targets = np.atleast_1d(np.asarray(target_service_level, np.float64))
    if not (np.all(np.isfinite(targets)) and np.all((targets >= 0) & (targets < 1))):
        raise CxDataError(f"`target_service_level` must be fractions in [0, 1), got {targets}")
    first = math.floor(offered_load) + 1
    span = int(10 * math.sqrt(offered_load) + 30)
    while True:
        n = np.arange(first, first + span, dtype=np.int64)
        sl = erlang_c_service_level(
            offered_load,
            n,
            answer_within_seconds=answer_within_seconds,
            average_handle_seconds=average_handle_seconds,
        )
        if sl[-1] >= targets.max():
            out: IntArray = n[np.argmax(sl[None, :] >= targets[:, None], axis=1)]
            return out
        span *= 2


# --------------------------------------------------------------------------- bottom-up


def _checked_service_levels(points: Mapping[float, float]) -> tuple[FloatArray, FloatArray]:
    levels = np.array([float(k) for k in points], dtype=np.float64)
    nps = np.array([float(v) for v in points.values()], dtype=np.float64)
    if levels.size < 2:
        raise CxDataError(f"`service_level_points` needs at least 2 points, got {levels.size}")
    bad = ~np.isfinite(levels) | (levels <= 0) | (levels >= 1)
    if bad.any():
        raise CxDataError(f"`service_level_points` keys must be fractions in (0, 1): {levels[bad]}")
    if (~np.isfinite(nps) | (np.abs(nps) > 100)).any():
        raise CxDataError(f"`service_level_points` values must be NPS points −100..100: {nps}")
    order = np.argsort(levels)
    levels, nps = levels[order], nps[order]
    if (np.diff(nps) <= 0).any():
        raise CxDataError(
            "`service_level_points`: NPS must rise with the service level; got "
            + ", ".join(f"{s:g} → {v:g}" for s, v in zip(levels, nps, strict=True))
        )
    return levels, nps


def bottom_up_cost_curve(
    contacts_per_year: float,
    cost_per_contact: float,
    *,
    service_level_points: Mapping[float, float],
    answer_within_seconds: float = 20.0,
    average_handle_seconds: float = 300.0,
    open_hours_per_year: float = 3120.0,
    fixed_annual_cost: float = 0.0,
    channel: str = "phone",
) -> CostCurve:
    """Build a phone/chat cost curve from contact volume and Erlang C staffing.

    Model, stated plainly:

    1. Contacts arrive at random (Poisson) evenly over the open hours, so the load is
       ``A = contacts_per_year · average_handle_seconds / (open_hours_per_year · 3600)``
       Erlangs (agents busy on average).
    2. For each service level ``s`` in ``service_level_points`` (share of contacts
       answered within ``answer_within_seconds``), Erlang C gives the fewest agents
       ``N(s)`` on duty every open hour (:func:`agents_needed`).
    3. ``cost_per_contact`` is the cost of the agent time spent handling one contact
       (e.g. hourly agent cost × handle hours). Staffing ``N`` agents for a load of
       ``A`` pays for ``N/A`` times that time, so the yearly cost at level ``s`` is
       ``fixed_annual_cost + contacts_per_year · cost_per_contact · N(s)/A``.
    4. The user's mapping ``service level → NPS`` (e.g. ``{0.6: 10, 0.8: 25, 0.9: 35}``)
       places these costs on the NPS axis; between and beyond them the curve is the
       points curve of :func:`cost_curve_from_points`.

    Peaks, abandonment and shrinkage are not modelled (an even "average hour"
    understates staffing for peaky traffic). For chat with ``c`` concurrent sessions
    per agent, pass ``average_handle_seconds / c``.

    Parameters
    ----------
    contacts_per_year : float
        Contacts offered per year (> 0).
    cost_per_contact : float
        Currency per contact of handling time (> 0).
    service_level_points : mapping float → float
        Service level (fraction in (0, 1)) → NPS points it delivers; ≥ 2 points, NPS
        rising with service level.
    answer_within_seconds : float, default 20
        Target answer time of the service level (seconds).
    average_handle_seconds : float, default 300
        Average handle time (seconds per contact).
    open_hours_per_year : float, default 3120
        Staffed hours per year (default 52 weeks × 60 hours).
    fixed_annual_cost : float, default 0
        Yearly cost that does not vary with the service level (currency per year).
    channel : str, default "phone"
        Channel name.

    Returns
    -------
    CostCurve
        ``kind="bottom_up"``; ``details["staffing"]`` holds service level, NPS, agents,
        occupancy and yearly cost per point.

    Examples
    --------
    >>> curve = bottom_up_cost_curve(
    ...     200_000, 4.0, service_level_points={0.6: 10, 0.8: 25, 0.9: 35},
    ...     open_hours_per_year=2_600)
    >>> curve.details["staffing"]["agents"].tolist()
    [9, 10, 11]
    """
    inputs = {
        "contacts_per_year": contacts_per_year,
        "cost_per_contact": cost_per_contact,
        "answer_within_seconds": answer_within_seconds,
        "average_handle_seconds": average_handle_seconds,
        "open_hours_per_year": open_hours_per_year,
    }
    for name, value in inputs.items():
        if not math.isfinite(value) or value <= 0:
            raise CxDataError(f"`{name}` must be a positive number, got {value}")
    if not math.isfinite(fixed_annual_cost) or fixed_annual_cost < 0:
        raise CxDataError(
            f"`fixed_annual_cost` must be ≥ 0 (currency per year), got {fixed_annual_cost}"
        )
    levels, nps = _checked_service_levels(service_level_points)
    load = contacts_per_year * average_handle_seconds / (open_hours_per_year * 3600.0)
    agents = agents_needed(
        load,
        levels,
        answer_within_seconds=answer_within_seconds,
        average_handle_seconds=average_handle_seconds,
    )
    if (np.diff(agents) <= 0).any():
        raise CxDataError(
            f"`service_level_points`: service levels {levels.tolist()} need agents "
            f"{agents.tolist()}; levels needing the same staffing cost the same, so cost "
            "would not rise with NPS. Space the service levels further apart"
        )
    cost = (fixed_annual_cost + contacts_per_year * cost_per_contact * agents / load).astype(
        np.float64
    )
    staffing = pd.DataFrame(
        {
            "service_level": levels,
            "nps": nps,
            "agents": agents,
            "occupancy": load / agents,
            "annual_cost": cost,
        }
    )
    details = {"staffing": staffing, "offered_load_erlangs": load, **inputs}
    return CostCurve(
        channel,
        "bottom_up",
        "pchip_log",
        (float(nps[0]), float(nps[-1])),
        nps,
        cost,
        details=details,
    )


# --------------------------------------------------------------------------- excellence


@dataclass(frozen=True)
class CostOfExcellence(Result):
    """Extra yearly cost of running a channel at the excellent NPS instead of today's.

    Attributes
    ----------
    channel : str
        The channel.
    kind : {"points", "fitted", "bottom_up"}
        Kind of the cost curve used.
    today_nps, excellent_nps : float
        NPS levels compared (points).
    today_cost, excellent_cost : float
        Yearly cost at each level (currency per year).
    extra_cost : Estimate
        ``excellent_cost − today_cost`` (currency per year) with its interval: delta
        method on the log of the difference for fitted curves; zero width for given
        curves. Negative when the excellent level lies below today's.
    extrapolated : bool
        Whether either level lies outside the curve's supported NPS range.
    """

    channel: str
    kind: CurveKind
    today_nps: float
    excellent_nps: float
    today_cost: float
    excellent_cost: float
    extra_cost: Estimate
    extrapolated: bool

    _title = "Cost of excellence"

    def to_frame(self) -> pd.DataFrame:
        """One row: levels, yearly costs, extra yearly cost with interval."""
        return pd.DataFrame(
            [
                {
                    "channel": self.channel,
                    "kind": self.kind,
                    "today_nps": self.today_nps,
                    "excellent_nps": self.excellent_nps,
                    "today_annual_cost": self.today_cost,
                    "excellent_annual_cost": self.excellent_cost,
                    "extra_annual_cost": self.extra_cost.value,
                    "lower": self.extra_cost.lower,
                    "upper": self.extra_cost.upper,
                    "level": self.extra_cost.level,
                    "extrapolated": self.extrapolated,
                }
            ]
        )

    def _notes(self) -> list[str]:
        notes = []
        if self.extrapolated:
            notes.append(f"{self.channel}: the cost curve is extrapolated to reach these levels")
        if self.kind != "fitted":
            notes.append(f"{self.channel}: costs are given, not estimated: no interval")
        return notes


def cost_of_excellence(
    curve: CostCurve, *, today_nps: float, excellent_nps: float, level: float = 0.95
) -> CostOfExcellence:
    """Return the extra yearly cost of running a channel at the excellent NPS level.

    Parameters
    ----------
    curve : CostCurve
        The channel's cost curve.
    today_nps : float
        Today's NPS of the channel (points −100..100).
    excellent_nps : float
        The level counted as excellent (points), e.g. ``Assumptions.excellent_nps``.
    level : float, default 0.95
        Nominal coverage of the interval.

    Returns
    -------
    CostOfExcellence
        ``extra_cost`` in currency per year, with its interval (fitted curves).

    Raises
    ------
    CxModelError
        The excellent level lies at or beyond a saturating curve's saturation level
        (no spend reaches it).

    Examples
    --------
    >>> curve = cost_curve_from_points("web", [20, 35, 50], [70e3, 120e3, 210e3])
    >>> round(cost_of_excellence(curve, today_nps=20, excellent_nps=50).extra_cost.value)
    140000
    """
    levels, _ = _as_vector([today_nps, excellent_nps], "today_nps/excellent_nps")
    if (np.abs(levels) > 100).any():
        raise CxDataError(f"`today_nps` and `excellent_nps` must be NPS points −100..100: {levels}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        costs = curve._shape.cost(curve._theta, levels)[0]
    if not np.isfinite(costs).all():
        raise CxModelError(
            f"channel {curve.channel!r}: NPS {levels[~np.isfinite(costs)].max():g} is at or beyond "
            f"the fitted saturation level {curve.parameters.get('saturation_nps', math.nan):.1f}: "
            "no spend reaches it (the cost is infinite). Set a lower excellent level, or fit "
            "form='log' if the data do not really show a ceiling"
        )
    curve._check_range(levels)
    extra = float(costs[1] - costs[0])
    half = 0.0
    if extra != 0.0:
        sign = math.copysign(1.0, extra)

        def difference(theta: FloatArray) -> FloatArray:
            both = curve._shape.cost(np.atleast_2d(theta), levels)
            out: FloatArray = sign * (both[:, 1:] - both[:, :1])
            return out

        half = _quantile(level, curve.df_resid) * float(curve._log_cost_se(difference)[0])
    bounds = sorted((extra * math.exp(-half), extra * math.exp(half)))
    lo, hi = curve.valid_range
    return CostOfExcellence(
        curve.channel,
        curve.kind,
        float(today_nps),
        float(excellent_nps),
        float(costs[0]),
        float(costs[1]),
        Estimate(extra, bounds[0], bounds[1], level),
        bool((levels < lo - 1e-9).any() or (levels > hi + 1e-9).any()),
    )


@dataclass(frozen=True)
class CostsOfExcellence(Result):
    """Cost of excellence for several channels (see :class:`CostOfExcellence`)."""

    items: tuple[CostOfExcellence, ...]

    _title = "Cost of excellence by channel"

    def __getitem__(self, channel: str) -> CostOfExcellence:
        for item in self.items:
            if item.channel == channel:
                return item
        raise KeyError(f"no channel {channel!r}; channels are {[i.channel for i in self.items]}")

    def to_frame(self) -> pd.DataFrame:
        """One row per channel (columns of :meth:`CostOfExcellence.to_frame`)."""
        return pd.concat([item.to_frame() for item in self.items], ignore_index=True)

    def _notes(self) -> list[str]:
        return [note for item in self.items for note in item._notes()]


@dataclass(frozen=True, eq=False)
class CostCurves(Result, Mapping[str, CostCurve]):
    """Cost curves by channel, for finance tables and the channel economics.

    A read-only mapping channel → :class:`CostCurve` (``curves["web"]``,
    ``"web" in curves``, ``curves.items()``), so it can be passed wherever a mapping
    of cost models is expected.

    Attributes
    ----------
    curves : mapping str → CostCurve
        One curve per channel, in channel order.
    """

    curves: Mapping[str, CostCurve]

    _title = "Cost curves by channel"

    def __post_init__(self) -> None:
        object.__setattr__(self, "curves", MappingProxyType(dict(self.curves)))

    @property
    def channels(self) -> tuple[str, ...]:
        """Channel names."""
        return tuple(self.curves)

    def __getitem__(self, channel: str) -> CostCurve:
        if channel not in self.curves:
            raise KeyError(
                f"no cost curve for channel {channel!r}; channels are {list(self.curves)}"
            )
        return self.curves[channel]

    def __iter__(self) -> Iterator[str]:
        return iter(self.curves)

    def __len__(self) -> int:
        return len(self.curves)

    def to_frame(self) -> pd.DataFrame:
        """Every curve on its default grid, stacked (columns of :meth:`CostCurve.to_frame`)."""
        return pd.concat([c.to_frame() for c in self.curves.values()], ignore_index=True)

    def parameter_table(self, *, level: float = 0.95) -> pd.DataFrame:
        """Fitted parameters of every curve, stacked (see :meth:`CostCurve.parameter_table`)."""
        return pd.concat(
            [c.parameter_table(level=level) for c in self.curves.values()], ignore_index=True
        )

    def cost_of_excellence(
        self,
        *,
        today_nps: Mapping[str, float],
        excellent_nps: Mapping[str, float] | float,
        level: float = 0.95,
    ) -> CostsOfExcellence:
        """Return the cost of excellence of every channel (see :func:`cost_of_excellence`).

        Parameters
        ----------
        today_nps : mapping str → float
            Today's NPS per channel (points); every channel needs one.
        excellent_nps : mapping str → float or float
            Excellent level per channel, or one level for all (points).
        level : float, default 0.95
            Nominal coverage of the intervals.

        Returns
        -------
        CostsOfExcellence
            Extra yearly cost per channel (currency per year).

        Examples
        --------
        >>> from cx_economics.datasets import load_demo
        >>> curves = fit_cost_curves(load_demo().channel_history)
        >>> today = {"branch": 32.0, "chat": -5.0, "phone": 5.0, "web": 10.0}
        >>> costs = curves.cost_of_excellence(today_nps=today, excellent_nps=today)
        >>> costs.to_frame()["extra_annual_cost"].tolist()
        [0.0, 0.0, 0.0, 0.0]
        """
        target = (
            excellent_nps
            if isinstance(excellent_nps, Mapping)
            else dict.fromkeys(self.curves, float(excellent_nps))
        )
        for name, given in (("today_nps", today_nps), ("excellent_nps", target)):
            missing = sorted(set(self.curves) - set(given))
            if missing:
                raise CxDataError(f"`{name}` has no level for channel(s) {missing}")
        return CostsOfExcellence(
            tuple(
                cost_of_excellence(
                    curve, today_nps=today_nps[ch], excellent_nps=target[ch], level=level
                )
                for ch, curve in self.curves.items()
            )
        )
