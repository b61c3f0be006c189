"""Charts for people: each a pure function of a result object, returning a Figure.

Every function has the shape ``plot_x(result, *, ax=None, language="en") -> Figure``:

* with ``ax=None`` it builds a stand-alone :class:`matplotlib.figure.Figure` (no
  pyplot, no GUI backend, nothing global) in the house style of
  :mod:`cx_economics.presentation.style`;
* with an ``ax`` it draws into that axes (a report page, a notebook grid) and
  returns the figure the axes belongs to.

Numbers on charts carry their units (money in the result's currency, NPS in points,
churn in per cent of customers) and are written with :mod:`cx_economics.presentation.formatting`
in the chosen language. Intervals are drawn wherever the result has them; groups
flagged as too small are drawn hollow and labelled, never ranked with the others.

The charts are grouped by theme: :mod:`~cx_economics.presentation.plots.nps`,
:mod:`~cx_economics.presentation.plots.churn`,
:mod:`~cx_economics.presentation.plots.value`,
:mod:`~cx_economics.presentation.plots.economics`,
:mod:`~cx_economics.presentation.plots.targets` and
:mod:`~cx_economics.presentation.plots.drivers`. Matplotlib is imported inside the functions, so
``import cx_economics`` stays light.
"""

from cx_economics.presentation.plots.churn import (
    at_risk_counts,
    plot_churn_at,
    plot_churn_curves,
    plot_hazard_ratios,
)
from cx_economics.presentation.plots.drivers import plot_drivers
from cx_economics.presentation.plots.economics import plot_money_lost, plot_value_vs_cost
from cx_economics.presentation.plots.nps import plot_nps
from cx_economics.presentation.plots.targets import (
    plot_budget_allocation,
    plot_net_value_by_nps,
    plot_scorecard,
    plot_targets,
)
from cx_economics.presentation.plots.value import plot_lifetime_values

__all__ = [
    "at_risk_counts",
    "plot_budget_allocation",
    "plot_churn_at",
    "plot_churn_curves",
    "plot_drivers",
    "plot_hazard_ratios",
    "plot_lifetime_values",
    "plot_money_lost",
    "plot_net_value_by_nps",
    "plot_nps",
    "plot_scorecard",
    "plot_targets",
    "plot_value_vs_cost",
]
