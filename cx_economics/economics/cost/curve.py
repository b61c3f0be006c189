"""The cost curve of a channel: yearly cost (currency per year) at an NPS level.

:class:`CostCurve` holds one channel's curve, whatever its source (finance points,
a fit to spend history, or Erlang C staffing); :class:`CostCurves` holds one per
channel. See :mod:`cx_economics.economics.cost` for the sources and their models.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, describe_rows
from cx_economics.core.parameters import rng_from_seed
from cx_economics.core.results import Result
from cx_economics.economics.cost._shapes import (
    CurveKind,
    FloatArray,
    _as_vector,
    _LogShape,
    _PointsShape,
    _quantile,
    _SaturatingShape,
    _Shape,
    _shaped,
)

__all__ = ["CostCurve", "CostCurves"]

_SOURCE = {
    "points": "the finance cost points",
    "fitted": "the spend history",
    "bottom_up": "the service-level points",
}


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

    Examples
    --------
    >>> from cx_economics.economics.cost import cost_curve_from_points
    >>> curve = cost_curve_from_points("web", [20, 35, 50], [70e3, 120e3, 210e3])
    >>> curve.kind, round(curve.cost_at(35.0))  # currency per year at NPS 35
    ('points', 120000)
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
        super().__post_init__()

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
            low, high = f"{nps.min():.1f}", f"{nps.max():.1f}"
            asked = low if low == high else f"{low} to {high}"
            warnings.warn(
                f"extrapolating the cost curve beyond NPS {lo:.1f} to {hi:.1f} (the range "
                f"supported by {_SOURCE[self.kind]}) for channel {self.channel!r}: asked for "
                f"NPS {asked}; costs there are assumptions, not evidence",
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
        >>> from cx_economics.economics.cost import cost_curve_from_points
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
        >>> from cx_economics.economics.cost import cost_curve_from_points
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
        >>> from cx_economics.economics.cost import cost_curve_from_points
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
        >>> from cx_economics.data.datasets import load_demo
        >>> from cx_economics.economics.cost import fit_cost_curve
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
        >>> from cx_economics.data.datasets import load_demo
        >>> from cx_economics.economics.cost import fit_cost_curve
        >>> curve = fit_cost_curve(load_demo().channel_history, channel="web")
        >>> curve.parameter_draws(4, seed=1).shape
        (4, 2)
        """
        if n_replicates < 1:
            raise CxDataError(f"`n_replicates` must be at least 1, got {n_replicates}")
        rng = rng_from_seed(seed)
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
        >>> from cx_economics.data.datasets import load_demo
        >>> from cx_economics.economics.cost import fit_cost_curve
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
        >>> from cx_economics.data.datasets import load_demo
        >>> from cx_economics.economics.cost import fit_cost_curve
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

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> from cx_economics.economics.cost import cost_curves_from_table
    >>> curves = cost_curves_from_table(load_demo().channel_costs)
    >>> curves.channels
    ('branch', 'chat', 'phone', 'web')
    """

    curves: Mapping[str, CostCurve]

    _title = "Cost curves by channel"

    def __post_init__(self) -> None:
        object.__setattr__(self, "curves", MappingProxyType(dict(self.curves)))
        super().__post_init__()

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
