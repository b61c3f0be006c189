"""Residual value of today's active customers, and customer equity (their total).

The residual value of an active customer of tenure ``a`` (whole months completed)
conditions on survival so far (Gupta & Lehmann, 2003)::

    sum_{t=1..H} S(a + t) / S(a) * m / (1 + i) ** t

with ``S`` the churn curve of the customer's group, ``m`` the margin per customer per
month (currency per month) and ``i`` the monthly discount rate. Customer equity is
the residual value summed over today's active base. Discounting, horizons and curve
checks are those of :mod:`cx_economics.value.lifetime`; margins come from
:mod:`cx_economics.value.margins`.

Intervals come from the bootstrap of the life table
(:mod:`cx_economics.survival.bootstrap`): percentiles over replicates of survival and
of the mean revenue, both taken from the same resampled customers, with the active
base itself held fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError, CxModelError
from cx_economics.core.intervals import percentile_interval
from cx_economics.core.parameters import check_n_bootstrap, rng_from_seed
from cx_economics.core.results import Estimate, Result
from cx_economics.data.assumptions import Assumptions
from cx_economics.survival.bootstrap import replicate_retention, resample_life_table
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable
from cx_economics.value._discounting import _conditional_terms, _retention
from cx_economics.value._inputs import _checked_grid, _extrapolation_notes, _settings
from cx_economics.value._margin_lookup import _margin_index, _margin_replicates, _margin_vector
from cx_economics.value.lifetime import (
    DEFAULT_MAX_EXTRAPOLATED_SHARE,
)
from cx_economics.value.margins import (
    MarginByBand,
)

__all__ = ["CustomerEquity", "ResidualValues", "customer_equity", "residual_value"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GroupKey = tuple[str, ...]


# --------------------------------------------------------------------------- results


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

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables import life_table
    >>> sim = simulate(3000, seed=1)
    >>> table = life_table(sim.customers, sim.responses)
    >>> import warnings
    >>> from cx_economics.survival import fit_churn
    >>> with warnings.catch_warnings():  # the curves reach far past the observed tenure
    ...     warnings.simplefilter("ignore")
    ...     curves = fit_churn(sim.customers, sim.responses, horizon_months=120)
    >>> residual = residual_value(table, curves, monthly_margin=10.0, horizon_months=12)
    >>> residual.to_frame().columns.tolist()[:4]
    ['band', 'tenure_months', 'customers', 'value_per_customer']
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

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables import life_table
    >>> sim = simulate(3000, seed=1)
    >>> table = life_table(sim.customers, sim.responses)
    >>> import warnings
    >>> from cx_economics.survival import fit_churn
    >>> with warnings.catch_warnings():  # the curves reach far past the observed tenure
    ...     warnings.simplefilter("ignore")
    ...     curves = fit_churn(sim.customers, sim.responses, horizon_months=120)
    >>> import numpy as np
    >>> equity = customer_equity(table, curves, 10.0, horizon_months=12, n_bootstrap=50, seed=1)
    >>> bool(np.isclose(equity.total_value, equity.value.sum()))  # currency, groups add up
    True
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


# --------------------------------------------------------------------------- residual value


def _active_cells(table: LifeTable, curves: ChurnCurves) -> pd.DataFrame:
    """Active customers per (group…, tenure) with the curves' row of their group."""
    if tuple(table.group_columns) != tuple(curves.group_columns):
        raise CxDataError(
            f"`table` groups by {tuple(table.group_columns)}, `curves` by "
            f"{tuple(curves.group_columns)}; build both on the same groups"
        )
    frame = table.frame
    still_open = ~frame["churned"].to_numpy(bool) & ~table.moved_on
    active = frame.loc[still_open & (frame["customers"].to_numpy() > 0)]
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
    """
    value = np.zeros(factors[..., row, 0].shape)
    extra = np.zeros_like(value)
    for t, term in _conditional_terms(factors, row, tenure, horizon, i):
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
        Today's base; its open cells (neither churned nor moved on to another band) are
        the active customers.
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
        raise CxDataError("`table` has no active customers (no cell open at the cut-off)")
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
        Replicates (default ``assumptions.n_bootstrap``): a whole number from 50 to
        100,000, or 0 for no interval (NaN).
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
    n_rep = (
        settings.n_bootstrap
        if n_bootstrap is None
        else check_n_bootstrap(n_bootstrap, allow_zero=True)
    )
    totals_b = (
        _equity_replicates(table, curves, margins, residual, order, n_rep, seed)
        if n_rep > 0
        else np.full((1, len(order)), np.nan)
    )
    lower, upper = percentile_interval(totals_b, settings.level)
    total_lower, total_upper = percentile_interval(totals_b.sum(axis=1), settings.level)
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
    rng = rng_from_seed(seed)
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
