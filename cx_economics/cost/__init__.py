"""What CX costs per channel: cost curves and the cost of excellence (see :mod:`.curve`)."""

from cx_economics.cost.curve import (
    HISTORY_SCHEMA,
    CostCurve,
    CostCurves,
    CostOfExcellence,
    CostsOfExcellence,
    agents_needed,
    bottom_up_cost_curve,
    cost_curve_from_points,
    cost_curves_from_table,
    cost_of_excellence,
    erlang_c,
    erlang_c_service_level,
    fit_cost_curve,
    fit_cost_curves,
)
from cx_economics.cost.curve import BoolArray as BoolArray
from cx_economics.cost.curve import CurveKind as CurveKind
from cx_economics.cost.curve import FitForm as FitForm
from cx_economics.cost.curve import FloatArray as FloatArray
from cx_economics.cost.curve import IntArray as IntArray

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
