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

# `X as X` re-exports the type aliases of the public signatures, importable as before
from cx_economics.economics.cost._shapes import BoolArray as BoolArray
from cx_economics.economics.cost._shapes import CurveKind as CurveKind
from cx_economics.economics.cost._shapes import FitForm as FitForm
from cx_economics.economics.cost._shapes import FloatArray as FloatArray
from cx_economics.economics.cost._shapes import IntArray as IntArray
from cx_economics.economics.cost.curve import CostCurve, CostCurves
from cx_economics.economics.cost.excellence import (
    CostOfExcellence,
    CostsOfExcellence,
    cost_of_excellence,
)
from cx_economics.economics.cost.fitting import (
    HISTORY_SCHEMA,
    cost_curve_from_points,
    cost_curves_from_table,
    fit_cost_curve,
    fit_cost_curves,
)
from cx_economics.economics.cost.staffing import (
    agents_needed,
    bottom_up_cost_curve,
    erlang_c,
    erlang_c_service_level,
)

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
