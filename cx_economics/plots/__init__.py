"""Charts for people: each a pure function of a result object, returning a Figure.

Every function has the shape ``plot_x(result, *, ax=None, language="en") -> Figure``
and imports matplotlib only when called, so ``import cx_economics`` stays light.
"""

from cx_economics.plots.churn import (
    at_risk_counts,
    plot_churn_at,
    plot_churn_curves,
    plot_drivers,
    plot_hazard_ratios,
    plot_lifetime_values,
    plot_money_lost,
    plot_nps,
    plot_targets,
)

__all__ = [
    "at_risk_counts",
    "plot_churn_at",
    "plot_churn_curves",
    "plot_drivers",
    "plot_hazard_ratios",
    "plot_lifetime_values",
    "plot_money_lost",
    "plot_nps",
    "plot_targets",
]
