"""cx_economics: customer experience (NPS) turned into money, with its uncertainty.

The top level holds the workflow a user follows, in order: read or simulate data and
set the assumptions, count (the one pass over raw rows), NPS, churn by band, value,
channel economics, targets, contact drivers and the report. Everything else lives in
the stage packages, which load on first use as attributes of the package:
``cx.data``, ``cx.tables``, ``cx.scores``, ``cx.survival``, ``cx.value``,
``cx.economics``, ``cx.targets``, ``cx.drivers`` and ``cx.presentation`` (plots,
formatting, the report), with ``cx.core`` for what they share.

Names load lazily, so ``import cx_economics`` stays light: pandas, statsmodels,
lifelines and matplotlib are imported only when a function that needs them is used.

Examples
--------
>>> import cx_economics as cx
>>> demo = cx.load_demo()
>>> round(cx.nps(demo.responses).nps, 1)
16.2
>>> cx.survival.restricted_mean_survival.__module__
'cx_economics.survival.rmst'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # Data and assumptions
    "Assumptions": "cx_economics.data.assumptions",
    "load_assumptions": "cx_economics.data.assumptions",
    "load_demo": "cx_economics.data.datasets",
    "simulate": "cx_economics.data.datasets",
    "validate_customers": "cx_economics.data.schemas",
    "validate_responses": "cx_economics.data.schemas",
    "validate_contacts": "cx_economics.data.schemas",
    "validate_channel_costs": "cx_economics.data.schemas",
    "scan_parquet": "cx_economics.data.engines",
    # The one pass over raw rows
    "life_table": "cx_economics.tables",
    "nps_counts": "cx_economics.tables",
    "contact_counts": "cx_economics.tables",
    # NPS
    "nps": "cx_economics.scores",
    "compare_nps": "cx_economics.scores",
    "sample_size_for_margin": "cx_economics.scores",
    # Churn by NPS band
    "fit_churn": "cx_economics.survival",
    "kaplan_meier": "cx_economics.survival",
    "hazard_ratios": "cx_economics.survival",
    # Value
    "value_by_band": "cx_economics.value.lifetime",
    "lifetime_value": "cx_economics.value.lifetime",
    "residual_value": "cx_economics.value.equity",
    "customer_equity": "cx_economics.value.equity",
    # Channel economics
    "channel_economics": "cx_economics.economics.channels",
    "economics_from_tables": "cx_economics.economics.channels",
    "MixShift": "cx_economics.economics.impact",
    # Targets
    "value_based_targets": "cx_economics.targets",
    "compare_targets": "cx_economics.targets",
    "allocate_budget": "cx_economics.targets",
    "cascade_targets": "cx_economics.targets",
    "scorecards": "cx_economics.targets",
    # Contact drivers
    "contact_driver_analysis": "cx_economics.drivers",
    "fix_returns": "cx_economics.drivers",
    "Fix": "cx_economics.drivers",
    # Report
    "build_report": "cx_economics.presentation.report",
    # Errors and warnings
    "CxError": "cx_economics.core.exceptions",
    "CxDataError": "cx_economics.core.exceptions",
    "CxModelError": "cx_economics.core.exceptions",
    "CxAssumptionWarning": "cx_economics.core.exceptions",
}

#: The stage packages, loaded on first use as ``cx.<stage>``.
_STAGES = (
    "core",
    "data",
    "tables",
    "scores",
    "survival",
    "value",
    "economics",
    "targets",
    "drivers",
    "presentation",
)

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from cx_economics import (
        core,
        data,
        drivers,
        economics,
        presentation,
        scores,
        survival,
        tables,
        targets,
        value,
    )
    from cx_economics.core.exceptions import (
        CxAssumptionWarning,
        CxDataError,
        CxError,
        CxModelError,
    )
    from cx_economics.data.assumptions import (
        Assumptions,
        load_assumptions,
    )
    from cx_economics.data.datasets import (
        load_demo,
        simulate,
    )
    from cx_economics.data.engines import (
        scan_parquet,
    )
    from cx_economics.data.schemas import (
        validate_channel_costs,
        validate_contacts,
        validate_customers,
        validate_responses,
    )
    from cx_economics.drivers import (
        Fix,
        contact_driver_analysis,
        fix_returns,
    )
    from cx_economics.economics.channels import (
        channel_economics,
        economics_from_tables,
    )
    from cx_economics.economics.impact import (
        MixShift,
    )
    from cx_economics.presentation.report import (
        build_report,
    )
    from cx_economics.scores import (
        compare_nps,
        nps,
        sample_size_for_margin,
    )
    from cx_economics.survival import (
        fit_churn,
        hazard_ratios,
        kaplan_meier,
    )
    from cx_economics.tables import (
        contact_counts,
        life_table,
        nps_counts,
    )
    from cx_economics.targets import (
        allocate_budget,
        cascade_targets,
        compare_targets,
        scorecards,
        value_based_targets,
    )
    from cx_economics.value.equity import (
        customer_equity,
        residual_value,
    )
    from cx_economics.value.lifetime import (
        lifetime_value,
        value_by_band,
    )


def __getattr__(name: str) -> Any:
    if name in _STAGES:
        return importlib.import_module(f"cx_economics.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cx_economics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_STAGES))
