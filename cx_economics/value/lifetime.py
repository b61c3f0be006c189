"""Lifetime value per NPS band from churn curves, margins, discount rate and horizon.

Convention (Gupta & Lehmann, 2003): the value of a customer is

    V = sum_{t=1..H} S(t) * m / (1 + i) ** t

with ``S(t)`` the probability of still being a customer at the end of month ``t``,
``m`` the margin per customer per month (currency per month) and ``i`` the monthly
discount rate (:attr:`Assumptions.monthly_discount_rate`). With a constant monthly
retention ``r`` (``S(t) = r ** t``) and ``H`` infinite this is ``m * r / (1 + i - r)``.

Margins come from :mod:`cx_economics.value.margins` (``MarginByBand`` and ``margin_by_band``
are re-exported here); the residual value of today's base and customer equity live
in :mod:`cx_economics.value.equity`.

Intervals on money come from the bootstrap of the life table
(:mod:`cx_economics.survival.bootstrap`): percentiles of the value over replicates of
survival and of the mean revenue, both taken from the same resampled customers.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.core.intervals import percentile_interval
from cx_economics.core.parameters import check_n_bootstrap, check_seed, rng_from_seed
from cx_economics.core.results import Estimate, Result
from cx_economics.data.assumptions import Assumptions
from cx_economics.survival.bootstrap import replicate_survival, resample_life_table
from cx_economics.survival.curves import ChurnCurves
from cx_economics.survival.fit import ChurnModel, fit_churn
from cx_economics.survival.km import kaplan_meier
from cx_economics.tables.life import LifeTable, life_table

# shared with equity.py, so re-exported from here
from cx_economics.value._inputs import (
    FloatArray,
    GroupKey,
    Horizon,
    _checked_grid,
    _extrapolation_notes,
    _is_km,
    _settings,
)
from cx_economics.value._margin_lookup import _margin_index, _margin_replicates, _margin_vector
from cx_economics.value.margins import (
    MarginByBand,
    margin_by_band,
)

__all__ = [
    "LifetimeValues",
    "MarginByBand",
    "discounted_value",
    "lifetime_value",
    "margin_by_band",
    "value_by_band",
]

IntArray = npt.NDArray[np.int64]

#: Share of a value that may come from extrapolated months before a warning.
DEFAULT_MAX_EXTRAPOLATED_SHARE = 0.25
#: With an infinite horizon, remainder beyond the curves' grid (share) before a warning.
_MAX_GEOMETRIC_REMAINDER = 0.05


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class LifetimeValues(Result):
    """Lifetime value of a new customer per group, with its interval.

    Attributes
    ----------
    group_columns, groups
        The groups, as in the curves they come from.
    value, lower, upper : ndarray, shape (G,)
        Discounted margin over the horizon per customer (currency per customer) and
        its interval.
    level : float
        Nominal coverage of the interval.
    extrapolated_share : ndarray, shape (G,)
        Share (fraction) of ``value`` from months beyond the observed tenure.
    monthly_margin : ndarray, shape (G,)
        Margin used (currency per customer per month).
    horizon_months : int or None
        Horizon in months; ``None`` for an infinite horizon.
    annual_discount_rate, monthly_discount_rate : float
        Discount rates used (fractions per year / per month).
    currency, model, interval_method : str
        Currency, the curves' model, and how the interval was made (``"bootstrap"``
        percentiles or ``"curve band"``: value at the curves' pointwise bounds).
    n_customers : ndarray, shape (G,)
        Customers behind each curve.
    max_extrapolated_share : float
        Threshold above which the extrapolated share is flagged.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(3000, seed=1)
    >>> values = value_by_band(sim.customers, sim.responses, n_bootstrap=50, seed=1)
    >>> per_band = values.to_frame().set_index("band")["value"]  # currency per customer
    >>> per_band.index.tolist()
    ['detractor', 'passive', 'promoter', 'unrated']
    >>> bool(per_band["promoter"] > per_band["detractor"])
    True
    """

    group_columns: tuple[str, ...]
    groups: tuple[GroupKey, ...]
    value: FloatArray
    lower: FloatArray
    upper: FloatArray
    level: float
    extrapolated_share: FloatArray
    monthly_margin: FloatArray
    horizon_months: int | None
    annual_discount_rate: float
    monthly_discount_rate: float
    currency: str
    model: str
    interval_method: str
    n_customers: IntArray
    max_extrapolated_share: float = DEFAULT_MAX_EXTRAPOLATED_SHARE

    _title = "Lifetime value per customer"

    def estimate(self, *key: str) -> Estimate:
        """Value of one group (e.g. ``"promoter"``) with its interval (currency)."""
        g = self.groups.index(tuple(key))
        return Estimate(
            float(self.value[g]), float(self.lower[g]), float(self.upper[g]), self.level
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per group: value, interval, margin, extrapolated share, settings."""
        frame = pd.DataFrame(list(self.groups), columns=list(self.group_columns))
        frame["value"] = self.value
        frame["lower"] = self.lower
        frame["upper"] = self.upper
        frame["level"] = self.level
        frame["monthly_margin"] = self.monthly_margin
        frame["extrapolated_share"] = self.extrapolated_share
        frame["horizon_months"] = (
            "infinite" if self.horizon_months is None else str(self.horizon_months)
        )
        frame["annual_discount_rate"] = self.annual_discount_rate
        frame["currency"] = self.currency
        frame["model"] = self.model
        frame["interval_method"] = self.interval_method
        frame["n_customers"] = self.n_customers
        return frame

    def _notes(self) -> list[str]:
        return _extrapolation_notes(
            self.groups, self.extrapolated_share, self.max_extrapolated_share, self.interval_method
        )


# --------------------------------------------------------------------------- array core


def _discount_rate(monthly_discount_rate: float) -> float:
    i = float(monthly_discount_rate)
    if not math.isfinite(i) or not 0.0 <= i < 1.0:
        raise CxDataError(
            f"`monthly_discount_rate` must be a fraction per month in [0, 1), got {i}"
        )
    return i


def discounted_value(
    survival: npt.ArrayLike, monthly_margin: npt.ArrayLike, monthly_discount_rate: float
) -> FloatArray:
    """Discounted margin ``sum_t S(t) * m / (1 + i) ** t``, vectorised over leading axes.

    Parameters
    ----------
    survival : array_like, shape (..., H)
        ``S(1), …, S(H)``: probability (fraction) of still being a customer at the end
        of months ``1..H``; the horizon is the length of the last axis. Leading axes
        are e.g. groups and bootstrap replicates.
    monthly_margin : array_like, broadcastable to shape (...)
        Margin per customer per month (currency per month).
    monthly_discount_rate : float
        Discount rate per month (fraction, e.g. 0.0064 for 8 % a year).

    Returns
    -------
    ndarray, shape (...)
        Value per customer (currency).

    Examples
    --------
    >>> r, m, i = 0.98, 10.0, 0.005
    >>> s = r ** np.arange(1, 4)
    >>> round(float(discounted_value(s, m, i)), 6) == round(
    ...     sum(m * r**t / (1 + i) ** t for t in (1, 2, 3)), 6)
    True
    >>> discounted_value(np.ones((2, 5, 12)), 1.0, 0.0).shape
    (2, 5)
    """
    s = np.asarray(survival, dtype=np.float64)
    if s.ndim < 1:
        raise CxDataError("`survival` must have a month axis (last axis), got a scalar")
    bad = ~np.isfinite(s) | (s < 0.0) | (s > 1.0 + 1e-12)
    if bad.any():
        raise CxDataError(
            f"`survival` must hold probabilities in [0, 1]; {int(bad.sum())} values are not "
            f"(e.g. {s[bad][:3].tolist()})"
        )
    m = np.asarray(monthly_margin, dtype=np.float64)
    if not np.isfinite(m).all():
        raise CxDataError("`monthly_margin` must be finite (currency per month)")
    factors = (1.0 + _discount_rate(monthly_discount_rate)) ** -np.arange(1, s.shape[-1] + 1)
    out: FloatArray = np.asarray(m * (s @ factors), dtype=np.float64)
    return out


def _geometric_remainder(grid: FloatArray, monthly_discount_rate: float) -> FloatArray:
    """Discounted survival beyond the grid's last month, at its last monthly retention."""
    last, prev = grid[..., -1], grid[..., -2]
    retention = np.divide(last, prev, out=np.zeros_like(last), where=prev > 0)
    q = retention / (1.0 + monthly_discount_rate)
    if (q >= 1.0).any():
        raise CxModelError(
            "an infinite horizon does not converge: retention is 1 at the end of the curves "
            "and the discount rate is 0; use a finite `horizon_months` or a positive rate"
        )
    last_month = grid.shape[-1] - 1
    out: FloatArray = last * (1.0 + monthly_discount_rate) ** -last_month * q / (1.0 - q)
    return out


def _value_parts(
    grid: FloatArray, horizon: int, infinite: bool, i: float, observed: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Discounted survival (per unit margin), its extrapolated part, and the remainder."""
    months = np.arange(1, horizon + 1)
    contrib = grid[..., 1 : horizon + 1] * (1.0 + i) ** -months
    beyond = months[None, :] > observed[:, None]
    total = contrib.sum(axis=-1)
    extra = (contrib * beyond).sum(axis=-1)
    remainder = _geometric_remainder(grid[..., : horizon + 1], i) if infinite else 0.0 * total
    return total + remainder, extra + remainder, remainder


def _check_replicates(
    survival_replicates: npt.ArrayLike,
    margin_replicates: npt.ArrayLike | None,
    n_groups: int,
    months_needed: int,
) -> tuple[FloatArray, FloatArray | None]:
    reps = np.asarray(survival_replicates, dtype=np.float64)
    if reps.ndim != 3 or reps.shape[1] != n_groups or reps.shape[2] <= months_needed:
        raise CxDataError(
            f"`survival_replicates` must have shape (B, {n_groups}, ≥{months_needed + 1}) "
            f"aligned with the curves' groups and months; got {reps.shape}"
        )
    if margin_replicates is None:
        return reps[:, :, : months_needed + 1], None
    marg = np.asarray(margin_replicates, dtype=np.float64)
    if marg.shape != (reps.shape[0], n_groups):
        raise CxDataError(
            f"`margin_replicates` must have shape ({reps.shape[0]}, {n_groups}), got {marg.shape}"
        )
    return reps[:, :, : months_needed + 1], marg


# --------------------------------------------------------------------------- lifetime value


def lifetime_value(
    curves: ChurnCurves,
    *,
    monthly_margin: float | Mapping[str, float] | MarginByBand,
    assumptions: Assumptions | None = None,
    annual_discount_rate: float | None = None,
    horizon_months: Horizon | None = None,
    survival_replicates: npt.ArrayLike | None = None,
    margin_replicates: npt.ArrayLike | None = None,
    max_extrapolated_share: float = DEFAULT_MAX_EXTRAPOLATED_SHARE,
) -> LifetimeValues:
    """Lifetime value of a new customer per group: ``sum_t S(t) m / (1 + i) ** t``.

    Gupta & Lehmann (2003): ``S(t)`` is the probability of still being a customer at
    the end of month ``t`` (from ``curves``), ``m`` the margin per customer per month
    and ``i`` the monthly discount rate; months ``t = 1..H``.

    Parameters
    ----------
    curves : ChurnCurves
        Survival per group on a month grid.
    monthly_margin : float, mapping or MarginByBand
        Margin per customer per month (currency per month): one figure for all, a
        mapping by band name (or by ``"band/channel"`` key), or :func:`margin_by_band`.
    assumptions : Assumptions, optional
        Discount rate, horizon, currency and confidence level (defaults when omitted).
    annual_discount_rate : float, optional
        Overrides the assumptions' rate (fraction per year).
    horizon_months : int or "infinite", optional
        Months counted (default ``assumptions.horizon_months``). ``"infinite"`` sums the
        curves' whole grid and adds the remainder beyond it at the last month's
        retention (exact for constant retention; warned about when that remainder is
        over 5 % of the value). Refused for Kaplan–Meier curves, which stop at the data.
    survival_replicates : array_like, shape (B, G, ≥ H + 1), optional
        Bootstrap survival draws aligned with ``curves.groups`` and months (from
        :func:`~cx_economics.survival.bootstrap.bootstrap_survival` with
        ``tail=curves``); percentile intervals when given, else the value at the
        curves' pointwise ``lower``/``upper`` bounds.
    margin_replicates : array_like, shape (B, G), optional
        Matching draws of the monthly margin (currency per month).
    max_extrapolated_share : float, default 0.25
        Warn (:class:`CxAssumptionWarning`) when more than this share of a group's value
        comes from months beyond its observed tenure.

    Returns
    -------
    LifetimeValues
        Value per customer (currency) with interval and extrapolated share per group.

    Raises
    ------
    CxDataError
        The curves do not cover the horizon, or margins are missing or negative.
    CxModelError
        Kaplan–Meier curves asked to go beyond the data or to an infinite horizon.

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.survival.curves import ChurnCurves
    >>> months = np.arange(61.0)
    >>> s = np.vstack([0.97 ** months, 0.99 ** months])
    >>> curves = ChurnCurves("geometric", ("band",), (("detractor",), ("promoter",)),
    ...     months, s, s, s, np.array([60.0, 60.0]), np.array([500, 500]), np.array([90, 40]))
    >>> lv = lifetime_value(curves, monthly_margin=12.0, horizon_months=60)
    >>> [round(v) for v in lv.value]
    [285, 454]
    >>> float(lv.extrapolated_share.max())
    0.0
    """
    settings = _settings(assumptions, annual_discount_rate, horizon_months)
    infinite = settings.horizon is None
    if infinite and _is_km(curves):
        raise CxModelError(
            "Kaplan–Meier curves stop where the data stop: an infinite horizon needs a "
            "model that extrapolates (fit_churn(model='auto') or a parametric/sBG fit)"
        )
    horizon = len(curves.months) - 1 if settings.horizon is None else settings.horizon
    grid = _checked_grid(curves, horizon, "the lifetime-value horizon")
    margin = _margin_vector(monthly_margin, curves.groups, curves.group_columns)
    i = settings.monthly
    observed = np.asarray(curves.observed_months, dtype=np.float64)
    total, extra, remainder = _value_parts(grid, horizon, infinite, i, observed)
    value = margin * total
    share = np.divide(extra, total, out=np.zeros_like(total), where=total > 0)
    lower, upper, method = _lifetime_interval(
        curves,
        grid,
        margin,
        (horizon, infinite, i),
        survival_replicates,
        margin_replicates,
        settings.level,
    )
    _warn_extrapolation(curves.groups, share, max_extrapolated_share, "lifetime value")
    if infinite and (remainder > _MAX_GEOMETRIC_REMAINDER * total).any():
        warnings.warn(
            "over 5 % of the infinite-horizon value lies beyond the curves' grid and is "
            "summed at the last month's retention; fit the curves over a longer horizon",
            CxAssumptionWarning,
            stacklevel=2,
        )
    return LifetimeValues(
        group_columns=tuple(curves.group_columns),
        groups=tuple(curves.groups),
        value=value,
        lower=lower,
        upper=upper,
        level=settings.level,
        extrapolated_share=share,
        monthly_margin=margin,
        horizon_months=settings.horizon,
        annual_discount_rate=settings.annual,
        monthly_discount_rate=i,
        currency=settings.currency,
        model=curves.model,
        interval_method=method,
        n_customers=np.asarray(curves.n_customers, dtype=np.int64),
        max_extrapolated_share=max_extrapolated_share,
    )


def _lifetime_interval(
    curves: ChurnCurves,
    grid: FloatArray,
    margin: FloatArray,
    spec: tuple[int, bool, float],
    survival_replicates: npt.ArrayLike | None,
    margin_replicates: npt.ArrayLike | None,
    level: float,
) -> tuple[FloatArray, FloatArray, str]:
    horizon, infinite, i = spec
    observed = np.asarray(curves.observed_months, dtype=np.float64)
    if survival_replicates is None:
        bounds = []
        for band in (curves.lower, curves.upper):
            b = np.asarray(band, dtype=np.float64)[:, : horizon + 1]
            bounds.append(margin * _value_parts(b, horizon, infinite, i, observed)[0])
        return np.fmin(*bounds), np.fmax(*bounds), "curve band"
    reps, marg = _check_replicates(
        survival_replicates, margin_replicates, len(curves.groups), horizon
    )
    per_unit = _value_parts(reps, horizon, infinite, i, observed)[0]
    values = per_unit * (marg if marg is not None else margin[None, :])
    lower, upper = percentile_interval(values, level)
    return lower, upper, "bootstrap"


def _warn_extrapolation(
    groups: Sequence[GroupKey], share: FloatArray, threshold: float, what: str
) -> None:
    far = [f"{'/'.join(k)} ({s:.0%})" for k, s in zip(groups, share, strict=True) if s > threshold]
    if far:
        warnings.warn(
            f"more than {threshold:.0%} of the {what} comes from months beyond the observed "
            f"tenure (extrapolated by the churn model): {far}",
            CxAssumptionWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------- convenience


def value_by_band(
    customers: Any,
    responses: Any = None,
    assumptions: Assumptions | None = None,
    *,
    model: ChurnModel = "auto",
    horizon_months: Horizon | None = None,
    n_bootstrap: int | None = None,
    seed: int | np.random.Generator = 0,
) -> LifetimeValues:
    """Lifetime value per NPS band from raw tables, with bootstrap intervals.

    Builds the life table by band, fits churn curves (``model="km"``: Kaplan–Meier;
    otherwise :func:`cx_economics.survival.fit.fit_churn`, Kaplan–Meier extended by a
    parametric tail), estimates margins with :func:`margin_by_band` and returns
    :func:`lifetime_value` with percentile intervals from a joint bootstrap of
    survival and revenue (same resampled customers).

    Parameters
    ----------
    customers : DataFrame or Customers
        Customer table (see :mod:`cx_economics.data.schemas`).
    responses : DataFrame or Responses, optional
        Survey responses giving each customer's band (unrated without).
    assumptions : Assumptions, optional
        Finance inputs (defaults when omitted).
    model : str, default "auto"
        Churn model passed to ``fit_churn``; ``"km"`` for Kaplan–Meier alone, which
        stops where the data stop, so the horizon must not reach beyond the longest
        observed tenure.
    horizon_months : int or "infinite", optional
        Months counted (default ``assumptions.horizon_months``).
    n_bootstrap : int, optional
        Replicates (default ``assumptions.n_bootstrap``): a whole number from 50 to
        100,000, as :class:`Assumptions` requires.
    seed : int or numpy.random.Generator, default 0
        Randomness of the bootstrap: a whole number ≥ 0 or a Generator.

    Returns
    -------
    LifetimeValues
        Value per customer per band (currency) with bootstrap intervals.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(3_000, seed=3)
    >>> lv = value_by_band(sim.customers, sim.responses, model="km",
    ...                    horizon_months=36, n_bootstrap=100)
    >>> lv.to_frame()["band"].tolist()
    ['detractor', 'passive', 'promoter', 'unrated']
    """
    settings = _settings(assumptions, None, horizon_months)
    a = assumptions if assumptions is not None else Assumptions()
    if n_bootstrap is not None:
        n_bootstrap = check_n_bootstrap(n_bootstrap)
    seed = check_seed(seed)
    table = life_table(customers, responses)
    if model == "km":
        curves = kaplan_meier(table)
        _check_km_reach(curves, settings.horizon)
    else:
        fit_horizon = settings.horizon or a.horizon_months
        curves = fit_churn(table, model=model, horizon_months=fit_horizon)
    return _value_with_bootstrap(table, curves, a, horizon_months, n_bootstrap, seed)


def _check_km_reach(curves: ChurnCurves, horizon: int | None) -> None:
    """Kaplan–Meier alone stops where the data stop: the horizon must not go beyond."""
    reach = len(curves.months) - 1
    if horizon is not None and reach < horizon:
        raise CxDataError(
            f"model='km': Kaplan–Meier curves stop where the data stop, at month {reach}, "
            f"before `horizon_months`={horizon}; use a shorter horizon "
            f"(horizon_months={reach} or less), or model='auto' to extend the curves "
            "beyond the data with a parametric tail"
        )


def _value_with_bootstrap(
    table: LifeTable,
    curves: ChurnCurves,
    assumptions: Assumptions,
    horizon_months: Horizon | None,
    n_bootstrap: int | None,
    seed: int | np.random.Generator,
) -> LifetimeValues:
    """Lifetime value of ``curves`` with a joint bootstrap of survival and margins."""
    settings = _settings(assumptions, None, horizon_months)
    margins = margin_by_band(table, assumptions=assumptions)
    rng = rng_from_seed(seed)
    n_rep = settings.n_bootstrap if n_bootstrap is None else check_n_bootstrap(n_bootstrap)
    months = len(curves.months) - 1 if settings.horizon is None else settings.horizon
    counts = resample_life_table(table, n_replicates=n_rep, seed=rng)
    survival = replicate_survival(
        table, counts, horizon_months=months, tail=curves, groups=curves.groups
    )
    draws = _margin_replicates(margins, table, counts, rng)
    margin_b = draws[:, _margin_index(margins, curves.groups, curves.group_columns)]
    return lifetime_value(
        curves,
        monthly_margin=margins,
        assumptions=assumptions,
        horizon_months=horizon_months,
        survival_replicates=survival,
        margin_replicates=margin_b,
    )
