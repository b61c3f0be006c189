"""Margin per customer per month by group (usually NPS band), from the life table.

Per group: mean monthly revenue (``revenue_sum / customers``) × the margin rate, with
its standard error; a flat figure or per-band figures from
:class:`~cx_economics.data.assumptions.Assumptions` where the data carry no revenue.
Bootstrap draws of the margin reuse the life table's resampled customers
(:mod:`cx_economics.survival.bootstrap`), so survival and revenue vary together in
:mod:`cx_economics.value.lifetime` and :mod:`cx_economics.value.equity`, which read margins
from here.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.core.results import Result
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.plausibility import monthly_revenue_range, revenue_scale_hint
from cx_economics.survival.bootstrap import life_table_groups
from cx_economics.tables.life import LifeTable

__all__ = ["MarginByBand", "margin_by_band"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GroupKey = tuple[str, ...]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class MarginByBand(Result):
    """Margin per customer per month by group (usually NPS band).

    Attributes
    ----------
    group_columns : tuple of str
        What a group is made of, e.g. ``("band",)``.
    groups : tuple of tuple of str
        One key per group.
    monthly_margin : ndarray, shape (G,)
        Margin per customer per month (currency per month).
    standard_error : ndarray, shape (G,)
        Standard error of ``monthly_margin`` (currency per month; 0 for assumed
        figures, NaN for a group of one customer).
    n_customers : ndarray, shape (G,)
        Customers behind each figure.
    source : tuple of str
        Per group: ``"data"`` (mean revenue × margin rate),
        ``"assumption: monthly_revenue"`` or ``"assumption: monthly_margin_by_band"``.
    margin_rate : float
        Share of revenue kept as margin (fraction).
    currency : str
        ISO code of the amounts.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables import life_table
    >>> sim = simulate(3000, seed=1)
    >>> table = life_table(sim.customers, sim.responses)
    >>> margins = margin_by_band(table, margin_rate=0.3)
    >>> margins.to_frame()["band"].tolist()
    ['detractor', 'passive', 'promoter', 'unrated']
    """

    group_columns: tuple[str, ...]
    groups: tuple[GroupKey, ...]
    monthly_margin: FloatArray
    standard_error: FloatArray
    n_customers: IntArray
    source: tuple[str, ...]
    margin_rate: float
    currency: str

    _title = "Margin per customer per month"

    def to_frame(self) -> pd.DataFrame:
        """One row per group: margin, standard error, customers, source."""
        frame = pd.DataFrame(list(self.groups), columns=list(self.group_columns))
        frame["monthly_margin"] = self.monthly_margin
        frame["standard_error"] = self.standard_error
        frame["n_customers"] = self.n_customers
        frame["source"] = list(self.source)
        frame["margin_rate"] = self.margin_rate
        frame["currency"] = self.currency
        return frame


# --------------------------------------------------------------------------- margins


def _group_sums(table: LifeTable) -> tuple[tuple[GroupKey, ...], pd.DataFrame]:
    """Customers and revenue sums per group, in :func:`life_table_groups` order."""
    order = life_table_groups(table)
    frame = table.frame
    keys = pd.MultiIndex.from_arrays(
        [frame[c].astype(str) for c in table.group_columns], names=list(table.group_columns)
    )
    columns = ["customers", "revenue_sum", "revenue_sq_sum"]
    numbers = frame.reindex(columns=columns, fill_value=0.0).astype(np.float64)
    sums = numbers.groupby(keys, sort=False).sum()
    sums.index = pd.Index([k if isinstance(k, tuple) else (k,) for k in sums.index])
    return order, sums.reindex(pd.Index(list(order)))


def margin_by_band(
    table: LifeTable,
    *,
    margin_rate: float | None = None,
    monthly_revenue: float | None = None,
    assumptions: Assumptions | None = None,
) -> MarginByBand:
    """Margin per customer per month by group, from the life table's revenue.

    Per group: mean monthly revenue (``revenue_sum / customers``) × ``margin_rate``,
    with standard error ``margin_rate * sd / sqrt(n)`` (``sd`` from
    ``revenue_sq_sum``). When the data carry no revenue, one flat figure
    ``monthly_revenue × margin_rate`` is used. ``assumptions.monthly_margin_by_band``
    overrides both for the bands it names.

    Parameters
    ----------
    table : LifeTable
        Life table; its group columns are the margins' groups.
    margin_rate : float, optional
        Share of revenue kept as margin (fraction 0–1); ``assumptions.margin_rate``
        when omitted.
    monthly_revenue : float, optional
        Revenue per customer per month (currency per month) used when the table has no
        revenue; ``assumptions.monthly_revenue`` when omitted.
    assumptions : Assumptions, optional
        Margin rate, flat revenue, per-band overrides and currency.

    Returns
    -------
    MarginByBand
        Margin per customer per month (currency per month) with standard errors.

    Raises
    ------
    CxDataError
        No revenue in the data and no figure to fall back on, or a bad margin rate.

    Warns
    -----
    CxAssumptionWarning
        The average revenue per customer per month lies outside
        :data:`~cx_economics.data.plausibility.MONTHLY_REVENUE_RANGE` (in the currency's
        units): revenue in cents, thousands or per year.

    Examples
    --------
    >>> import pandas as pd
    >>> from cx_economics.tables.life import LifeTable
    >>> cells = pd.DataFrame({"band": ["passive", "passive"], "duration": [2, 5],
    ...                       "churned": [True, False], "customers": [2, 2],
    ...                       "revenue_sum": [80.0, 120.0], "revenue_sq_sum": [3250.0, 7250.0]})
    >>> m = margin_by_band(LifeTable(cells, ("band",), "latest", None, True), margin_rate=0.3)
    >>> float(m.monthly_margin[0]), round(float(m.standard_error[0]), 3)
    (15.0, 1.936)
    """
    a = assumptions if assumptions is not None else Assumptions()
    if margin_rate is not None:
        a = dataclasses.replace(a, margin_rate=float(margin_rate))
    if monthly_revenue is not None:
        a = dataclasses.replace(a, monthly_revenue=float(monthly_revenue))
    order, sums = _group_sums(table)
    n = sums["customers"].to_numpy(np.float64)
    overrides = dict(a.monthly_margin_by_band)
    band_at = list(table.group_columns).index("band") if "band" in table.group_columns else None
    band = [k[band_at] if band_at is not None else "" for k in order]
    if table.has_revenue:
        mean, se = _revenue_moments(n, sums)
        margin, se, source = mean * a.margin_rate, se * a.margin_rate, ["data"] * len(order)
        # each customer once: their last band state (earlier states ended by a move)
        last = table.frame[~table.moved_on]
        average = float(last["revenue_sum"].sum() / max(float(table.n_customers), 1.0))
        _warn_revenue_scale(average, a.currency, "`customers`: column `monthly_revenue`")
    elif a.monthly_revenue is not None:
        _warn_revenue_scale(a.monthly_revenue, a.currency, "`Assumptions.monthly_revenue`")
        margin = np.full(len(order), a.monthly_revenue * a.margin_rate)
        se, source = np.zeros(len(order)), ["assumption: monthly_revenue"] * len(order)
    elif all(b in overrides for b in band):
        margin, se, source = np.zeros(len(order)), np.zeros(len(order)), [""] * len(order)
    else:
        raise CxDataError(
            "`table` carries no revenue: give `monthly_revenue` (currency per customer per "
            "month), Assumptions(monthly_revenue=...) or Assumptions(monthly_margin_by_band=...)"
        )
    for g, b in enumerate(band):
        if b in overrides:
            margin[g], se[g] = overrides[b], 0.0
            source[g] = "assumption: monthly_margin_by_band"
    return MarginByBand(
        group_columns=tuple(table.group_columns),
        groups=order,
        monthly_margin=margin,
        standard_error=se,
        n_customers=n.astype(np.int64),
        source=tuple(source),
        margin_rate=a.margin_rate,
        currency=a.currency,
    )


def _warn_revenue_scale(average: float, currency: str, where: str) -> None:
    """Warn when the average revenue per customer per month looks like the wrong unit.

    See :func:`cx_economics.data.plausibility.revenue_scale_hint` for the range.
    """
    hint = revenue_scale_hint(average, currency)
    if hint is None:
        return
    low, high = monthly_revenue_range(currency)
    warnings.warn(
        f"{where}: the average revenue is {average:,.4g} {currency} per customer per month, "
        f"outside the plausible {low:,.4g}–{high:,.4g}; is it in {hint}? Every margin and "
        "value scales with it",
        CxAssumptionWarning,
        stacklevel=3,
    )


def _revenue_moments(n: FloatArray, sums: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    safe = np.where(n > 0, n, np.nan)
    mean: FloatArray = sums["revenue_sum"].to_numpy(np.float64) / safe
    sq = sums["revenue_sq_sum"].to_numpy(np.float64)
    var = np.maximum(sq - n * mean**2, 0.0) / np.where(n > 1, n - 1, np.nan)
    se: FloatArray = np.sqrt(var / safe)
    return mean, se


# --------------------------------------------------------------------------- lookup
