"""cx_economics: customer experience (NPS) turned into money, with its uncertainty.

The public API is curated in ``__all__``. Names load lazily, so ``import
cx_economics`` stays light: pandas, statsmodels, lifelines and matplotlib are
imported only when a function that needs them is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "CxError": "cx_economics.exceptions",
    "CxDataError": "cx_economics.exceptions",
    "CxModelError": "cx_economics.exceptions",
    "CxAssumptionWarning": "cx_economics.exceptions",
    # results
    "Estimate": "cx_economics._results",
    # bands
    "NpsBand": "cx_economics.bands",
    "BandScheme": "cx_economics.bands",
    # data
    "Customers": "cx_economics.data",
    "Responses": "cx_economics.data",
    "Contacts": "cx_economics.data",
    "ChannelCosts": "cx_economics.data",
    "validate_customers": "cx_economics.data",
    "validate_responses": "cx_economics.data",
    "validate_contacts": "cx_economics.data",
    "validate_channel_costs": "cx_economics.data",
    # assumptions
    "Assumptions": "cx_economics.assumptions",
    "load_assumptions": "cx_economics.assumptions",
    # datasets
    "simulate": "cx_economics.datasets",
    "load_demo": "cx_economics.datasets",
    "SimulationTruth": "cx_economics.datasets",
    "SimulatedData": "cx_economics.datasets",
    # tables
    "LifeTable": "cx_economics.tables",
    "NpsCounts": "cx_economics.tables",
    "nps_counts": "cx_economics.tables",
    # NPS
    "nps": "cx_economics.nps",
    "NpsEstimate": "cx_economics.nps",
    "NpsTable": "cx_economics.nps",
    "NpsComparison": "cx_economics.nps",
    "compare_nps": "cx_economics.nps",
    "sample_size_for_margin": "cx_economics.nps",
    # scorecards
    "responses_needed": "cx_economics.targets",
    "ResponsesNeeded": "cx_economics.targets",
    # cost
    "CostCurve": "cx_economics.cost",
    "CostCurves": "cx_economics.cost",
    "CostOfExcellence": "cx_economics.cost",
    "CostsOfExcellence": "cx_economics.cost",
    "cost_curve_from_points": "cx_economics.cost",
    "cost_curves_from_table": "cx_economics.cost",
    "fit_cost_curve": "cx_economics.cost",
    "fit_cost_curves": "cx_economics.cost",
    "bottom_up_cost_curve": "cx_economics.cost",
    "cost_of_excellence": "cx_economics.cost",
    # survival
    "ChurnCurves": "cx_economics.survival",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from cx_economics._results import Estimate
    from cx_economics.assumptions import Assumptions, load_assumptions
    from cx_economics.bands import BandScheme, NpsBand
    from cx_economics.cost import (
        CostCurve,
        CostCurves,
        CostOfExcellence,
        CostsOfExcellence,
        bottom_up_cost_curve,
        cost_curve_from_points,
        cost_curves_from_table,
        cost_of_excellence,
        fit_cost_curve,
        fit_cost_curves,
    )
    from cx_economics.data import (
        ChannelCosts,
        Contacts,
        Customers,
        Responses,
        validate_channel_costs,
        validate_contacts,
        validate_customers,
        validate_responses,
    )
    from cx_economics.datasets import SimulatedData, SimulationTruth, load_demo, simulate
    from cx_economics.exceptions import (
        CxAssumptionWarning,
        CxDataError,
        CxError,
        CxModelError,
    )
    from cx_economics.nps import (
        NpsComparison,
        NpsEstimate,
        NpsTable,
        compare_nps,
        nps,
        sample_size_for_margin,
    )
    from cx_economics.survival import ChurnCurves
    from cx_economics.tables import LifeTable, NpsCounts, nps_counts
    from cx_economics.targets import ResponsesNeeded, responses_needed


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cx_economics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
