"""Kaplan–Meier churn curves per group, their summaries, and the log-rank test.

Everything is computed from a :class:`~cx_economics.tables.life.LifeTable`'s risk
sets with array operations over groups and months (no loop over customers):
``S(t) = prod_{s ≤ t} (1 - d_s / n_s)``, Greenwood's variance
``Var S(t) = S(t)^2 sum_{s ≤ t} d_s / (n_s (n_s - d_s))``, and pointwise intervals
on the ``log(-log S)`` scale (Kalbfleisch & Prentice, 2002; lifelines' default), which
stay inside 0–1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from cx_economics.core.bands import NpsBand
from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.core.stats import check_level, normal_quantile
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable

__all__ = [
    "KmSummary",
    "LogRankResult",
    "kaplan_meier",
    "km_summary",
    "loglog_interval",
    "logrank_test",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GroupKey = tuple[str, ...]

#: Months at which :func:`km_summary` reports the share churned by default.
SUMMARY_MONTHS: tuple[int, ...] = (3, 6, 12, 24)


def _check_horizon(horizon_months: int | None) -> None:
    if horizon_months is None:
        return
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, int | np.integer):
        raise CxDataError(f"`horizon_months` must be an integer, got {horizon_months!r}")
    if horizon_months < 1:
        raise CxDataError(f"`horizon_months` must be at least 1 month, got {horizon_months}")


def _on_grid(values: IntArray, width: int) -> FloatArray:
    """Pad with zeros (nobody at risk) or cut the month axis to ``width`` columns."""
    out = np.zeros((values.shape[0], width), dtype=np.float64)
    keep = min(width, values.shape[1])
    out[:, :keep] = values[:, :keep]
    return out


def loglog_interval(
    survival: FloatArray, greenwood_sum: FloatArray, level: float
) -> tuple[FloatArray, FloatArray]:
    """Pointwise interval of S(t) on the ``log(-log S)`` scale.

    Parameters
    ----------
    survival : ndarray
        Survival probabilities S(t) (fractions 0–1).
    greenwood_sum : ndarray
        ``sum_{s ≤ t} d_s / (n_s (n_s - d_s))``, same shape.
    level : float
        Nominal coverage.

    Returns
    -------
    lower, upper : ndarray
        ``S ** exp(±z sqrt(c) / |log S|)``; equal to S where S is 0 or 1.

    Examples
    --------
    >>> lo, up = loglog_interval(np.array([1.0, 0.8]), np.array([0.0, 0.001]), 0.95)
    >>> lo.round(4).tolist(), up.round(4).tolist()
    ([1.0, 0.7448], [1.0, 0.8445])
    """
    z = normal_quantile(level)
    inside = (survival > 0.0) & (survival < 1.0)
    log_s = np.log(np.where(inside, survival, 0.5))
    spread = np.where(inside, z * np.sqrt(greenwood_sum) / np.abs(log_s), 0.0)
    lower = np.where(inside, np.exp(log_s * np.exp(spread)), survival)
    upper = np.where(inside, np.exp(log_s * np.exp(-spread)), survival)
    return lower, upper


def kaplan_meier(
    table: LifeTable, *, horizon_months: int | None = None, level: float = 0.95
) -> ChurnCurves:
    """Kaplan–Meier survival per group, with Greenwood log-log pointwise intervals.

    Parameters
    ----------
    table : LifeTable
        Customers by group, duration (whole months) and churn.
    horizon_months : int, optional
        Last month of the grid ``0, 1, …, horizon_months``. Defaults to the longest
        duration in the table. Beyond a group's longest duration the curve (and its
        interval) stays flat and is marked extrapolated by ``observed_months``;
        :func:`~cx_economics.survival.fit.fit_churn` with ``model="auto"`` extends it
        with a parametric tail instead.
    level : float, default 0.95
        Nominal coverage of the pointwise intervals.

    Returns
    -------
    ChurnCurves
        ``model="km"``; S(t), lower, upper (fractions 0–1) per group on the month grid;
        ``details["at_risk"]`` holds the customers at risk per group and month.

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> from cx_economics.tables.life import life_table
    >>> demo = load_demo()
    >>> curves = kaplan_meier(life_table(demo.customers, demo.responses, as_of=demo.as_of))
    >>> curves.groups
    (('detractor',), ('passive',), ('promoter',), ('unrated',))
    >>> [round(float(s), 3) for s in curves.survival[:, 12]]
    [0.676, 0.786, 0.872, 0.789]
    """
    _check_horizon(horizon_months)
    check_level(level)
    risk = table.risk_sets()
    observed = risk.observed_months
    last = int(observed.max()) if horizon_months is None else int(horizon_months)
    at_risk = _on_grid(risk.at_risk, last + 1)
    churned = _on_grid(risk.churned, last + 1)
    churned[:, 0] = 0.0
    hazard = np.divide(churned, at_risk, out=np.zeros_like(at_risk), where=at_risk > 0)
    survival = np.cumprod(1.0 - hazard, axis=1, dtype=np.float64)
    survivors = at_risk - churned
    terms = np.divide(churned, at_risk * survivors, out=np.zeros_like(at_risk), where=survivors > 0)
    lower, upper = loglog_interval(survival, np.cumsum(terms, axis=1), level)
    return ChurnCurves(
        model="km",
        group_columns=tuple(table.group_columns),
        groups=risk.groups,
        months=np.arange(last + 1, dtype=np.float64),
        survival=survival,
        lower=lower,
        upper=upper,
        observed_months=observed.astype(np.float64),
        n_customers=(risk.churned.sum(axis=1) + risk.censored.sum(axis=1)).astype(np.int64),
        n_churned=risk.churned.sum(axis=1).astype(np.int64),
        level=level,
        details={
            "estimator": "Kaplan–Meier",
            "interval": "Greenwood variance, log(-log S) transform",
            "at_risk": at_risk.astype(np.int64),
        },
    )


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True, eq=False)
class KmSummary(Result):
    """Median tenure and share churned by given months, per group, with intervals.

    Attributes
    ----------
    model : str
        The model of the curves summarised.
    group_columns : tuple of str
    groups : tuple of tuple of str
    median_months, median_lower, median_upper : ndarray, shape (G,)
        First month where S (its lower, its upper bound) falls to 0.5 or below;
        ``inf`` when not reached on the grid (months).
    months : ndarray of int, shape (M,)
        Months at which churn is reported.
    churn, churn_lower, churn_upper : ndarray, shape (G, M)
        Share churned by each month, ``1 - S(t)``, and its interval (fractions).
    extrapolated : ndarray of bool, shape (G, M + 1)
        Whether each churn figure (then the median, last column) lies beyond the
        group's observed tenure.
    level : float
        Nominal coverage.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables import life_table
    >>> sim = simulate(3000, seed=1)
    >>> table = life_table(sim.customers, sim.responses)
    >>> summary = km_summary(kaplan_meier(table), months=(12,))
    >>> [group[0] for group in summary.groups]
    ['detractor', 'passive', 'promoter', 'unrated']
    >>> bool(summary.churn[0, 0] > summary.churn[2, 0])  # detractors churn more by month 12
    True
    """

    model: str
    group_columns: tuple[str, ...]
    groups: tuple[GroupKey, ...]
    median_months: FloatArray
    median_lower: FloatArray
    median_upper: FloatArray
    months: IntArray
    churn: FloatArray
    churn_lower: FloatArray
    churn_upper: FloatArray
    extrapolated: npt.NDArray[np.bool_]
    level: float = 0.95

    _title = "Churn curve summary"

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: per group, the median tenure (months) and churn by month (fraction)."""
        n_groups, n_months = self.churn.shape
        rows = np.repeat(np.arange(n_groups), n_months + 1)
        keys = np.array(self.groups, dtype=object).reshape(n_groups, len(self.group_columns))
        frame = pd.DataFrame(keys[rows], columns=list(self.group_columns))
        frame["measure"] = np.tile([*["churn_by_month"] * n_months, "median_tenure"], n_groups)
        frame["month"] = np.tile([*self.months.astype(np.float64), np.nan], n_groups)
        frame["value"] = np.column_stack([self.churn, self.median_months]).ravel()
        frame["lower"] = np.column_stack([self.churn_lower, self.median_lower]).ravel()
        frame["upper"] = np.column_stack([self.churn_upper, self.median_upper]).ravel()
        frame["unit"] = np.tile([*["fraction"] * n_months, "months"], n_groups)
        frame["extrapolated"] = self.extrapolated.ravel()
        return frame

    def _notes(self) -> list[str]:
        notes = []
        if np.isinf(self.median_months).any():
            notes.append("median tenure inf: fewer than half churned within the curves' months")
        if self.extrapolated.any():
            notes.append(f"figures marked extrapolated lie beyond the data ({self.model})")
        return notes


def _first_month_at_or_below(curves: FloatArray, months: FloatArray, p: float) -> FloatArray:
    below = curves <= p
    first = months[np.argmax(below, axis=1)]
    return np.where(below.any(axis=1), first, np.inf)


def km_summary(curves: ChurnCurves, *, months: Sequence[int] = SUMMARY_MONTHS) -> KmSummary:
    """Median tenure and share churned by ``months``, per group, with intervals.

    Parameters
    ----------
    curves : ChurnCurves
        Usually from :func:`kaplan_meier`; any model's curves work.
    months : sequence of int, default (3, 6, 12, 24)
        Months at which to report the share churned; must lie on the curves' grid.

    Returns
    -------
    KmSummary
        The median (months; lifelines' convention: first month with S ≤ 0.5, its
        interval where the pointwise bounds cross 0.5) and ``1 - S(t)`` (fractions).

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> from cx_economics.tables.life import life_table
    >>> demo = load_demo()
    >>> table = life_table(demo.customers, demo.responses, as_of=demo.as_of)
    >>> summary = km_summary(kaplan_meier(table))
    >>> summary.median_months.tolist()
    [21.0, 33.0, inf, 33.0]
    """
    grid = np.asarray(curves.months, dtype=np.float64)
    wanted = np.asarray(list(months), dtype=np.int64)
    position = np.searchsorted(grid, wanted)
    on_grid = (position < grid.size) & (grid[np.minimum(position, grid.size - 1)] == wanted)
    if not on_grid.all():
        raise CxDataError(
            f"`months` {wanted[~on_grid].tolist()} are not on the curves' grid "
            f"0..{int(grid[-1])}; fit the curves with a longer horizon"
        )
    survival = np.asarray(curves.survival, dtype=np.float64)
    median = _first_month_at_or_below(survival, grid, 0.5)
    observed = np.asarray(curves.observed_months, dtype=np.float64)[:, None]
    median_beyond = np.isfinite(median)[:, None] & (median[:, None] > observed)
    beyond = np.column_stack([wanted[None, :] > observed, median_beyond])
    return KmSummary(
        model=curves.model,
        group_columns=tuple(curves.group_columns),
        groups=tuple(curves.groups),
        median_months=median,
        median_lower=_first_month_at_or_below(np.asarray(curves.lower), grid, 0.5),
        median_upper=_first_month_at_or_below(np.asarray(curves.upper), grid, 0.5),
        months=wanted,
        churn=1.0 - survival[:, position],
        churn_lower=1.0 - np.asarray(curves.upper, dtype=np.float64)[:, position],
        churn_upper=1.0 - np.asarray(curves.lower, dtype=np.float64)[:, position],
        extrapolated=beyond,
        level=curves.level,
    )


# --------------------------------------------------------------------------- log-rank


@dataclass(frozen=True, eq=False)
class LogRankResult(Result):
    """Log-rank test that the churn hazard is the same in every group.

    Attributes
    ----------
    group_columns : tuple of str
    groups : tuple of tuple of str
        The groups compared.
    observed, expected : ndarray, shape (G,)
        Churn events per group, and the number expected if all groups shared one
        hazard (customers).
    chi_square : float
        The test statistic.
    df : int
        Degrees of freedom, groups − 1.
    p_value : float
        Upper tail of the chi-square distribution at ``chi_square``.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables import life_table
    >>> sim = simulate(3000, seed=1)
    >>> table = life_table(sim.customers, sim.responses)
    >>> result = logrank_test(table)
    >>> result.df, bool(result.p_value < 0.001)
    (2, True)
    """

    group_columns: tuple[str, ...]
    groups: tuple[GroupKey, ...]
    observed: FloatArray
    expected: FloatArray
    chi_square: float
    df: int
    p_value: float

    _title = "Log-rank test"

    def to_frame(self) -> pd.DataFrame:
        """One row: the groups compared, chi-square, degrees of freedom and p-value."""
        return pd.DataFrame(
            {
                "test": ["log-rank"],
                "groups": [", ".join("/".join(k) for k in self.groups)],
                "chi_square": [self.chi_square],
                "df": [self.df],
                "p_value": [self.p_value],
            }
        )

    def by_group(self) -> pd.DataFrame:
        """Observed and expected churn events per group, and their ratio."""
        keys = np.array(self.groups, dtype=object).reshape(len(self.groups), -1)
        frame = pd.DataFrame(keys, columns=list(self.group_columns))
        frame["observed"] = self.observed
        frame["expected"] = self.expected
        frame["observed_over_expected"] = self.observed / self.expected
        return frame


def logrank_test(
    table: LifeTable, *, by: Sequence[str] | None = None, include_unrated: bool = False
) -> LogRankResult:
    """Log-rank test across the groups of a life table (by default, across NPS bands).

    Parameters
    ----------
    table : LifeTable
        Customers by group, duration (months) and churn.
    by : sequence of str, optional
        Compare the groups formed by these group columns (the table is summed over the
        others); default all of ``table.group_columns``.
    include_unrated : bool, default False
        Whether customers with no usable response (band ``"unrated"``) form a group.

    Returns
    -------
    LogRankResult
        Chi-square with ``groups − 1`` degrees of freedom, and its p-value.

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> from cx_economics.tables.life import life_table
    >>> demo = load_demo()
    >>> result = logrank_test(life_table(demo.customers, demo.responses, as_of=demo.as_of))
    >>> result.df, result.p_value < 1e-10
    (2, True)
    """
    if by is not None:
        table = table.collapse(by)
    risk = table.risk_sets()
    keep = np.ones(len(risk.groups), dtype=bool)
    if "band" in risk.group_columns and not include_unrated:
        column = risk.group_columns.index("band")
        keep = np.array([k[column] != NpsBand.UNRATED.value for k in risk.groups])
    groups = tuple(k for k, ok in zip(risk.groups, keep, strict=True) if ok)
    if len(groups) < 2:
        raise CxDataError(
            f"the log-rank test needs at least two groups; the table has {list(groups)}"
        )
    at_risk = risk.at_risk[keep, 1:].astype(np.float64)
    churned = risk.churned[keep, 1:].astype(np.float64)
    total_at_risk = at_risk.sum(axis=0)
    total_churned = churned.sum(axis=0)
    share = np.divide(at_risk, total_at_risk, out=np.zeros_like(at_risk), where=total_at_risk > 0)
    expected = (share * total_churned).sum(axis=1)
    observed = churned.sum(axis=1)
    tie = np.divide(
        total_at_risk - total_churned,
        total_at_risk - 1.0,
        out=np.ones_like(total_at_risk),
        where=total_at_risk > 1,
    )
    weight = tie * total_churned  # per month: d (n - d) / (n - 1)
    covariance = np.diag((weight * share).sum(axis=1)) - (weight * share) @ share.T
    diff = (observed - expected)[:-1]
    chi_square = float(diff @ np.linalg.pinv(covariance[:-1, :-1]) @ diff)
    df = len(groups) - 1
    return LogRankResult(
        group_columns=tuple(risk.group_columns),
        groups=groups,
        observed=observed,
        expected=expected,
        chi_square=chi_square,
        df=df,
        p_value=float(stats.chi2.sf(chi_square, df)),
    )
