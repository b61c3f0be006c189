"""Lifetime value per NPS band, residual value of today's base, customer equity.

Convention (Gupta & Lehmann, 2003): the value of a customer is

    V = sum_{t=1..H} S(t) * m / (1 + i) ** t

with ``S(t)`` the probability of still being a customer at the end of month ``t``,
``m`` the margin per customer per month (currency per month) and ``i`` the monthly
discount rate (:attr:`Assumptions.monthly_discount_rate`). With a constant monthly
retention ``r`` (``S(t) = r ** t``) and ``H`` infinite this is ``m * r / (1 + i - r)``.

The residual value of an active customer of tenure ``a`` (whole months completed)
conditions on survival so far: ``sum_{t=1..H} S(a + t) / S(a) * m / (1 + i) ** t``.
Customer equity is the residual value summed over today's active base.

Intervals on money come from the bootstrap of the life table
(:mod:`cx_economics.survival.bootstrap`): percentiles of the value over replicates of
survival and of the mean revenue, both taken from the same resampled customers.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics._results import Estimate, Result
from cx_economics.assumptions import Assumptions
from cx_economics.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.margins import (
    MarginByBand,
    _margin_index,
    _margin_replicates,
    _margin_vector,
    margin_by_band,
)
from cx_economics.survival.bootstrap import (
    replicate_retention,
    replicate_survival,
    resample_life_table,
)
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable

__all__ = [
    "CustomerEquity",
    "LifetimeValues",
    "MarginByBand",
    "ResidualValues",
    "customer_equity",
    "discounted_value",
    "lifetime_value",
    "margin_by_band",
    "residual_value",
    "value_by_band",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GroupKey = tuple[str, ...]
Horizon = int | Literal["infinite"]

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


@dataclass(frozen=True, eq=False)
class ResidualValues(Result):
    """Expected remaining value of today's active customers, per group and tenure.

    Attributes
    ----------
    group_columns : tuple of str
        Group columns of ``cells``.
    cells : pandas.DataFrame
        One row per (group…, ``tenure_months``): ``customers`` active today,
        ``value_per_customer`` and ``total_value`` (currency) and
        ``extrapolated_share`` (fraction of the value from months beyond the data).
    horizon_months : int
        Months ahead counted from today.
    annual_discount_rate, monthly_discount_rate : float
        Discount rates used (fractions per year / per month).
    currency, model : str
        Currency and the curves' model.
    """

    group_columns: tuple[str, ...]
    cells: pd.DataFrame
    horizon_months: int
    annual_discount_rate: float
    monthly_discount_rate: float
    currency: str
    model: str

    _title = "Residual value of active customers"

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of ``cells``."""
        return self.cells.copy()


@dataclass(frozen=True, eq=False)
class CustomerEquity(Result):
    """Total residual value of today's active base, by group and in total.

    Attributes
    ----------
    group_columns, groups
        The groups.
    value, lower, upper : ndarray, shape (G,)
        Residual value of each group's active customers (currency) and its interval.
    total_value, total_lower, total_upper : float
        The base's total (currency; ``total_value == value.sum()``) and its interval,
        from the replicates' totals.
    n_active : ndarray, shape (G,)
        Active customers per group.
    extrapolated_share : ndarray, shape (G,)
        Share of each group's value from months beyond the data (fraction).
    level : float
        Nominal coverage of the intervals.
    horizon_months : int
        Months ahead counted from today.
    currency, model, interval_method : str
        Currency, the curves' model and ``"bootstrap"`` (or ``"none"``).
    n_replicates : int
        Bootstrap replicates behind the intervals.
    """

    group_columns: tuple[str, ...]
    groups: tuple[GroupKey, ...]
    value: FloatArray
    lower: FloatArray
    upper: FloatArray
    total_value: float
    total_lower: float
    total_upper: float
    n_active: IntArray
    extrapolated_share: FloatArray
    level: float
    horizon_months: int
    currency: str
    model: str
    interval_method: str
    n_replicates: int

    _title = "Customer equity (residual value of the active base)"

    @property
    def total(self) -> Estimate:
        """The base's total residual value with its interval (currency)."""
        return Estimate(self.total_value, self.total_lower, self.total_upper, self.level)

    def to_frame(self) -> pd.DataFrame:
        """One row per group plus a ``scope == "total"`` row (group columns ``"all"``)."""
        frame = pd.DataFrame(list(self.groups), columns=list(self.group_columns))
        frame["scope"] = "group"
        frame["value"] = self.value
        frame["lower"] = self.lower
        frame["upper"] = self.upper
        frame["n_active"] = self.n_active
        frame["extrapolated_share"] = self.extrapolated_share
        total: dict[str, object] = dict.fromkeys(self.group_columns, "all")
        total.update(
            scope="total",
            value=self.total_value,
            lower=self.total_lower,
            upper=self.total_upper,
            n_active=int(self.n_active.sum()),
            extrapolated_share=_weighted_share(self.extrapolated_share, self.value),
        )
        frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
        frame["level"] = self.level
        frame["horizon_months"] = self.horizon_months
        frame["currency"] = self.currency
        frame["model"] = self.model
        return frame

    def _notes(self) -> list[str]:
        return _extrapolation_notes(
            self.groups, self.extrapolated_share, DEFAULT_MAX_EXTRAPOLATED_SHARE, "bootstrap"
        )


def _weighted_share(share: FloatArray, value: FloatArray) -> float:
    total = float(value.sum())
    return float((share * value).sum() / total) if total > 0 else 0.0


def _extrapolation_notes(
    groups: Sequence[GroupKey], share: FloatArray, threshold: float, method: str
) -> list[str]:
    far = ["/".join(k) for k, s in zip(groups, share, strict=True) if s > threshold]
    notes = []
    if far:
        notes.append(
            f"more than {threshold:.0%} of the value comes from months beyond the data "
            f"(extrapolated) for: {far}"
        )
    if float(np.max(share, initial=0.0)) > 0 and method == "bootstrap":
        notes.append(
            "bootstrap intervals keep the extrapolated tail's shape fixed: its own "
            "uncertainty is not included"
        )
    if method == "curve band":
        notes.append("interval from the curves' pointwise bounds (approximate)")
    return notes


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


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Settings:
    horizon: int | None  # None: infinite
    annual: float
    monthly: float
    currency: str
    level: float
    n_bootstrap: int


def _settings(
    assumptions: Assumptions | None,
    annual_discount_rate: float | None,
    horizon_months: Horizon | None,
) -> _Settings:
    a = assumptions if assumptions is not None else Assumptions()
    if not isinstance(a, Assumptions):
        raise CxDataError(f"`assumptions` must be an Assumptions, got {type(a).__name__}")
    if annual_discount_rate is not None:
        a = dataclasses.replace(a, annual_discount_rate=float(annual_discount_rate))
    horizon: int | None
    if horizon_months == "infinite":
        horizon = None
    elif horizon_months is None:
        horizon = a.horizon_months
    else:
        horizon = dataclasses.replace(a, horizon_months=horizon_months).horizon_months
    return _Settings(
        horizon,
        a.annual_discount_rate,
        a.monthly_discount_rate,
        a.currency,
        a.confidence_level,
        a.n_bootstrap,
    )


def _is_km(curves: ChurnCurves) -> bool:
    return curves.model.lower() in {"km", "kaplan-meier", "kaplan_meier"}


def _checked_grid(curves: ChurnCurves, months_needed: int, what: str) -> FloatArray:
    """The curves on months ``0..months_needed``, refusing what the model cannot give."""
    if not isinstance(curves, ChurnCurves):
        raise CxDataError(f"`curves` must be ChurnCurves, got {type(curves).__name__}")
    grid = np.asarray(curves.months)
    if grid.size <= months_needed or not np.array_equal(
        grid[: months_needed + 1], np.arange(months_needed + 1)
    ):
        raise CxDataError(
            f"`curves` must cover months 0..{months_needed} for {what}; they reach month "
            f"{int(grid[-1])}. Fit them with horizon_months ≥ {months_needed}"
        )
    survival = np.asarray(curves.survival, dtype=np.float64)[:, : months_needed + 1]
    bad = ~np.isfinite(survival).all(axis=1)
    if bad.any():
        names = ["/".join(curves.groups[g]) for g in np.flatnonzero(bad)]
        raise CxDataError(
            f"`curves` have missing survival values up to month {months_needed} "
            f"for {len(names)} group(s): {names[:3]}"
        )
    if _is_km(curves) and (np.asarray(curves.observed_months) < months_needed).any():
        short = [
            f"{'/'.join(k)} ({int(o)} months)"
            for k, o in zip(curves.groups, curves.observed_months, strict=True)
            if o < months_needed
        ]
        raise CxModelError(
            f"Kaplan–Meier curves cannot reach month {months_needed} ({what}): the data stop "
            f"at {short[:3]}. Extend them with a parametric tail (fit_churn(model='auto')) "
            "or shorten the horizon"
        )
    return survival


def _percentiles(values: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    alpha = (1.0 - level) / 2.0
    lower: FloatArray = np.quantile(values, alpha, axis=0)
    upper: FloatArray = np.quantile(values, 1.0 - alpha, axis=0)
    return lower, upper


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
    lower, upper = _percentiles(values, level)
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


# --------------------------------------------------------------------------- residual value


def _active_cells(table: LifeTable, curves: ChurnCurves) -> pd.DataFrame:
    """Active customers per (group…, tenure) with the curves' row of their group."""
    if tuple(table.group_columns) != tuple(curves.group_columns):
        raise CxDataError(
            f"`table` groups by {tuple(table.group_columns)}, `curves` by "
            f"{tuple(curves.group_columns)}; build both on the same groups"
        )
    frame = table.frame
    active = frame.loc[~frame["churned"].astype(bool) & (frame["customers"] > 0)]
    keys = [tuple(str(v) for v in row) for row in active[list(table.group_columns)].to_numpy()]
    lookup = {k: g for g, k in enumerate(curves.groups)}
    missing = sorted({"/".join(k) for k in keys if k not in lookup})
    if missing:
        raise CxDataError(f"`curves` have no curve for life-table group(s) {missing}")
    cells = pd.DataFrame({c: active[c].astype(str).to_numpy() for c in table.group_columns})
    cells["tenure_months"] = active["duration"].to_numpy(np.int64)
    cells["customers"] = active["customers"].to_numpy(np.int64)
    cells["curve_row"] = [lookup[k] for k in keys]
    by = [*table.group_columns, "tenure_months", "curve_row"]
    return cells.groupby(by, sort=True)["customers"].sum().reset_index()


def _retention(survival: FloatArray) -> FloatArray:
    """Monthly retention ``S(t) / S(t-1)`` along the last axis (0 once S reaches 0)."""
    factors = np.zeros_like(survival)
    prev = survival[..., :-1]
    np.divide(survival[..., 1:], prev, out=factors[..., 1:], where=prev > 0)
    factors[..., 0] = 1.0
    return factors


def _conditional_value(
    factors: FloatArray,
    row: IntArray,
    tenure: IntArray,
    horizon: int,
    i: float,
    observed: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """``sum_t S(a+t)/S(a) (1+i)^-t`` per cell from retention factors, over leading axes.

    Returns the values and their part from months beyond ``observed`` (per cell).
    A loop over the horizon's months only; cells and replicates are array axes.
    """
    running = np.ones(factors[..., row, 0].shape)
    value = np.zeros_like(running)
    extra = np.zeros_like(running)
    for t in range(1, horizon + 1):
        running = running * factors[..., row, tenure + t]
        term = running * (1.0 + i) ** -t
        value += term
        extra += term * (tenure + t > observed)
    return value, extra


def residual_value(
    table: LifeTable,
    curves: ChurnCurves,
    *,
    monthly_margin: float | Mapping[str, float] | MarginByBand,
    assumptions: Assumptions | None = None,
    annual_discount_rate: float | None = None,
    horizon_months: int | None = None,
) -> ResidualValues:
    """Expected remaining value of today's active customers, given their tenure.

    For an active customer of tenure ``a`` (whole months completed):
    ``sum_{t=1..H} S(a + t) / S(a) * m / (1 + i) ** t`` (Gupta & Lehmann, 2003,
    conditioned on survival to ``a``). Computed per censored life-table cell
    (group × tenure), never per customer row.

    Parameters
    ----------
    table : LifeTable
        Today's base; its censored (``churned == False``) cells are the active customers.
    curves : ChurnCurves
        Survival per group, same group columns as ``table``, on a grid reaching at
        least ``max(tenure) + horizon_months`` months.
    monthly_margin : float, mapping or MarginByBand
        Margin per customer per month (currency per month), as in :func:`lifetime_value`.
    assumptions : Assumptions, optional
        Discount rate, horizon and currency.
    annual_discount_rate : float, optional
        Overrides the assumptions' rate (fraction per year).
    horizon_months : int, optional
        Months ahead from today (default ``assumptions.horizon_months``).

    Returns
    -------
    ResidualValues
        Per (group…, tenure): active customers, value per customer and total value
        (currency), and the share of value from months beyond the data.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cx_economics.survival.curves import ChurnCurves
    >>> from cx_economics.tables.life import LifeTable
    >>> months = np.arange(40.0)
    >>> s = (0.98 ** months)[None, :]
    >>> curves = ChurnCurves("geometric", ("band",), (("promoter",),), months, s, s, s,
    ...                      np.array([39.0]), np.array([10]), np.array([4]))
    >>> cells = pd.DataFrame({"band": "promoter", "duration": [3, 7], "churned": False,
    ...                       "customers": [4, 2], "revenue_sum": 0.0, "revenue_sq_sum": 0.0})
    >>> rv = residual_value(LifeTable(cells, ("band",), "latest", None, False), curves,
    ...                     monthly_margin=10.0, horizon_months=24, annual_discount_rate=0.0)
    >>> round(float(rv.cells["value_per_customer"].iloc[0]), 4) == round(
    ...     sum(10 * 0.98 ** t for t in range(1, 25)), 4)
    True
    """
    settings = _settings(assumptions, annual_discount_rate, horizon_months)
    horizon = int(settings.horizon or 0)
    cells = _active_cells(table, curves)
    if cells.empty:
        raise CxDataError("`table` has no active customers (no cell with `churned` False)")
    row = cells["curve_row"].to_numpy(np.int64)
    tenure = cells["tenure_months"].to_numpy(np.int64)
    grid = _checked_grid(curves, int(tenure.max()) + horizon, "tenure + horizon")
    if (grid[row, tenure] <= 0).any():
        raise CxModelError(
            "a survival curve is 0 at a tenure where customers are still active; the "
            "curves do not fit this life table"
        )
    margin = _margin_vector(monthly_margin, curves.groups, curves.group_columns)[row]
    observed = np.asarray(curves.observed_months, dtype=np.float64)[row]
    per_unit, extra = _conditional_value(
        _retention(grid), row, tenure, horizon, settings.monthly, observed
    )
    cells["value_per_customer"] = margin * per_unit
    cells["total_value"] = cells["value_per_customer"] * cells["customers"]
    cells["extrapolated_share"] = np.divide(
        extra, per_unit, out=np.zeros_like(per_unit), where=per_unit > 0
    )
    return ResidualValues(
        group_columns=tuple(table.group_columns),
        cells=cells.drop(columns="curve_row"),
        horizon_months=horizon,
        annual_discount_rate=settings.annual,
        monthly_discount_rate=settings.monthly,
        currency=settings.currency,
        model=curves.model,
    )


# --------------------------------------------------------------------------- equity


def customer_equity(
    table: LifeTable,
    curves: ChurnCurves,
    margins: float | Mapping[str, float] | MarginByBand,
    assumptions: Assumptions | None = None,
    *,
    horizon_months: int | None = None,
    n_bootstrap: int | None = None,
    seed: int | np.random.Generator = 0,
) -> CustomerEquity:
    """Total residual value of today's active base, by group and in total, with intervals.

    Equity = ``sum over active customers of sum_{t=1..H} S(a + t) / S(a) m / (1 + i)^t``
    (see :func:`residual_value`). The interval resamples the life table's customers
    (:func:`~cx_economics.survival.bootstrap.resample_life_table`), recomputes
    Kaplan–Meier per replicate (beyond each replicate's data, the conditional shape of
    ``curves``) and, where margins come from the data, the same customers' mean
    revenue; the active base itself is held fixed (it is known, not estimated).

    Parameters
    ----------
    table : LifeTable
        Today's base (same group columns as ``curves``).
    curves : ChurnCurves
        Point-estimate survival per group reaching ``max(tenure) + horizon`` months.
    margins : float, mapping or MarginByBand
        Margin per customer per month (currency per month).
    assumptions : Assumptions, optional
        Discount rate, horizon, currency, confidence level, ``n_bootstrap``.
    horizon_months : int, optional
        Months ahead from today (default ``assumptions.horizon_months``).
    n_bootstrap : int, optional
        Replicates (default ``assumptions.n_bootstrap``); 0 gives no interval (NaN).
    seed : int or numpy.random.Generator, default 0
        Randomness of the bootstrap; the same seed gives identical intervals.

    Returns
    -------
    CustomerEquity
        Residual value per group and in total (currency) with percentile intervals;
        the total equals the sum of the groups, its interval the replicates' totals.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cx_economics.survival.curves import ChurnCurves
    >>> from cx_economics.tables.life import LifeTable
    >>> cells = pd.DataFrame({"band": ["detractor"] * 4 + ["promoter"] * 4,
    ...     "duration": [1, 2, 3, 3] * 2, "churned": [True, True, True, False] * 2,
    ...     "customers": [30, 20, 10, 140, 10, 8, 6, 176],
    ...     "revenue_sum": 0.0, "revenue_sq_sum": 0.0})
    >>> months = np.arange(16.0)
    >>> s = np.vstack([0.9 ** months, 0.97 ** months])
    >>> curves = ChurnCurves("geometric", ("band",), (("detractor",), ("promoter",)),
    ...     months, s, s, s, np.array([3.0, 3.0]), np.array([200, 200]), np.array([60, 24]))
    >>> table = LifeTable(cells, ("band",), "latest", None, False)
    >>> eq = customer_equity(table, curves, 10.0, horizon_months=12, n_bootstrap=200, seed=1)
    >>> bool(np.isclose(eq.total_value, eq.value.sum()))
    True
    """
    settings = _settings(assumptions, None, horizon_months)
    horizon = int(settings.horizon or 0)
    residual = residual_value(
        table, curves, monthly_margin=margins, assumptions=assumptions, horizon_months=horizon
    )
    cells = residual.cells
    keys = [tuple(r) for r in cells[list(table.group_columns)].to_numpy()]
    order = tuple(k for k in curves.groups if k in set(keys))
    index = np.array([order.index(k) for k in keys], dtype=np.int64)
    value = np.asarray(
        np.bincount(index, cells["total_value"].to_numpy(np.float64), minlength=len(order)),
        dtype=np.float64,
    )
    extra = np.bincount(
        index,
        (cells["total_value"] * cells["extrapolated_share"]).to_numpy(),
        minlength=len(order),
    )
    n_active = np.bincount(index, cells["customers"].to_numpy(), minlength=len(order))
    n_rep = settings.n_bootstrap if n_bootstrap is None else int(n_bootstrap)
    totals_b = (
        _equity_replicates(table, curves, margins, residual, order, n_rep, seed)
        if n_rep > 0
        else np.full((1, len(order)), np.nan)
    )
    lower, upper = _percentiles(totals_b, settings.level)
    total_lower, total_upper = _percentiles(totals_b.sum(axis=1), settings.level)
    return CustomerEquity(
        group_columns=tuple(table.group_columns),
        groups=order,
        value=value,
        lower=lower,
        upper=upper,
        total_value=float(value.sum()),
        total_lower=float(total_lower),
        total_upper=float(total_upper),
        n_active=n_active.astype(np.int64),
        extrapolated_share=np.divide(extra, value, out=np.zeros_like(value), where=value > 0),
        level=settings.level,
        horizon_months=horizon,
        currency=settings.currency,
        model=curves.model,
        interval_method="bootstrap" if n_rep > 0 else "none",
        n_replicates=n_rep,
    )


def _equity_replicates(
    table: LifeTable,
    curves: ChurnCurves,
    margins: float | Mapping[str, float] | MarginByBand,
    residual: ResidualValues,
    order: tuple[GroupKey, ...],
    n_replicates: int,
    seed: int | np.random.Generator,
) -> FloatArray:
    """Bootstrap draws of each group's residual value, shape (B, G)."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    cells = residual.cells
    tenure = cells["tenure_months"].to_numpy(np.int64)
    keys = [tuple(r) for r in cells[list(table.group_columns)].to_numpy()]
    row = np.array([order.index(k) for k in keys], dtype=np.int64)
    months = int(tenure.max()) + residual.horizon_months
    counts = resample_life_table(table, n_replicates=n_replicates, seed=rng)
    factors = replicate_retention(table, counts, horizon_months=months, tail=curves, groups=order)
    observed = np.array([curves.observed_months[curves.index_of(*k)] for k in order])[row]
    per_unit = _conditional_value(
        factors, row, tenure, residual.horizon_months, residual.monthly_discount_rate, observed
    )[0]
    if isinstance(margins, MarginByBand):
        draws = _margin_replicates(margins, table, counts, rng)
        margin = draws[:, _margin_index(margins, order, table.group_columns)][:, row]
    else:
        margin = _margin_vector(margins, order, table.group_columns)[None, row]
    per_cell = per_unit * margin * cells["customers"].to_numpy(np.float64)[None, :]
    to_group = np.zeros((row.size, len(order)))
    to_group[np.arange(row.size), row] = 1.0
    out: FloatArray = per_cell @ to_group
    return out


# --------------------------------------------------------------------------- convenience


def _builder(module: str, name: str) -> Callable[..., Any]:
    """A function of a sibling module, imported when first needed."""
    try:
        found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise CxModelError(f"{module}.{name} is not available: {exc}") from None
    return found


def value_by_band(
    customers: Any,
    responses: Any = None,
    assumptions: Assumptions | None = None,
    *,
    model: str = "auto",
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
        Customer table (see :mod:`cx_economics.data`).
    responses : DataFrame or Responses, optional
        Survey responses giving each customer's band (unrated without).
    assumptions : Assumptions, optional
        Finance inputs (defaults when omitted).
    model : str, default "auto"
        Churn model passed to ``fit_churn``; ``"km"`` for Kaplan–Meier alone.
    horizon_months : int or "infinite", optional
        Months counted (default ``assumptions.horizon_months``).
    n_bootstrap : int, optional
        Replicates (default ``assumptions.n_bootstrap``).
    seed : int or numpy.random.Generator, default 0
        Randomness of the bootstrap.

    Returns
    -------
    LifetimeValues
        Value per customer per band (currency) with bootstrap intervals.

    Examples
    --------
    >>> from cx_economics.datasets import simulate
    >>> sim = simulate(3_000, seed=3)
    >>> lv = value_by_band(sim.customers, sim.responses, model="km",
    ...                    horizon_months=36, n_bootstrap=100)
    >>> lv.to_frame()["band"].tolist()
    ['detractor', 'passive', 'promoter', 'unrated']
    """
    settings = _settings(assumptions, None, horizon_months)
    a = assumptions if assumptions is not None else Assumptions()
    table: LifeTable = _builder("cx_economics.tables.life", "life_table")(customers, responses)
    if model == "km":
        curves = _builder("cx_economics.survival.km", "kaplan_meier")(table)
    else:
        fit_horizon = settings.horizon or a.horizon_months
        curves = _builder("cx_economics.survival.fit", "fit_churn")(
            customers, responses, model=model, horizon_months=fit_horizon
        )
    return _value_with_bootstrap(table, curves, a, horizon_months, n_bootstrap, seed)


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
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n_rep = settings.n_bootstrap if n_bootstrap is None else int(n_bootstrap)
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
