"""Aggregation of raw rows into sufficient statistics.

Building a :class:`LifeTable` is the only pass over raw customer rows; every churn
model, lifetime value and bootstrap downstream works on the (small) life table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cx_economics._results import Result

__all__ = ["LifeTable"]


@dataclass(frozen=True, eq=False)
class LifeTable(Result):
    """Counts of customers by (group…, duration, churned): the survival sufficient statistic.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per cell with columns ``*group_columns``, ``duration`` (int, whole
        months: the month of churn for churners, i.e. ``ceil(tenure_months)``; months
        completed for active customers, i.e. ``floor(tenure_months)``), ``churned``
        (bool), ``customers`` (int count), ``revenue_sum`` and ``revenue_sq_sum``
        (sum and sum of squares of ``monthly_revenue`` over the cell's customers,
        currency per month; 0 when the data carry no revenue).
    group_columns : tuple of str
        ``("band",)`` by default; ``("band", "channel")`` etc. when asked. Band values
        are ``"detractor"``, ``"passive"``, ``"promoter"`` and ``"unrated"`` (customers
        with no usable response: kept, never dropped).
    band_rule : str
        How a customer's band was chosen from their responses (``"latest"``,
        ``"mean"``, ``"first"``).
    as_of : pandas.Timestamp or None
        Observation cut-off; responses after it are ignored.
    has_revenue : bool
        Whether ``revenue_sum`` holds real data.
    """

    frame: pd.DataFrame
    group_columns: tuple[str, ...]
    band_rule: str
    as_of: pd.Timestamp | None
    has_revenue: bool

    _title = "Life table"

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the cells."""
        return self.frame.copy()

    @property
    def n_customers(self) -> int:
        """Customers counted in the table."""
        return int(self.frame["customers"].sum())
