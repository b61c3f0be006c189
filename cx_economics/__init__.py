"""cx_economics: customer experience (NPS) turned into money, with its uncertainty.

The public API is curated in ``__all__``. Names load lazily, so ``import
cx_economics`` stays light: pandas, statsmodels, lifelines and matplotlib are
imported only when a function that needs them is used.

Examples
--------
>>> import cx_economics as cx
>>> demo = cx.load_demo()
>>> round(cx.nps(demo.responses).nps, 1)
16.2
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "CxAssumptionWarning": "cx_economics.core.exceptions",
    "CxDataError": "cx_economics.core.exceptions",
    "CxError": "cx_economics.core.exceptions",
    "CxModelError": "cx_economics.core.exceptions",
    "Estimate": "cx_economics.core.results",
    "BandScheme": "cx_economics.core.bands",
    "NpsBand": "cx_economics.core.bands",
    "ChannelCosts": "cx_economics.data.schemas",
    "Contacts": "cx_economics.data.schemas",
    "Customers": "cx_economics.data.schemas",
    "Responses": "cx_economics.data.schemas",
    "validate_channel_costs": "cx_economics.data.schemas",
    "validate_contacts": "cx_economics.data.schemas",
    "validate_customers": "cx_economics.data.schemas",
    "validate_responses": "cx_economics.data.schemas",
    "Assumptions": "cx_economics.data.assumptions",
    "load_assumptions": "cx_economics.data.assumptions",
    "ReasonTruth": "cx_economics.data.datasets",
    "SimulatedData": "cx_economics.data.datasets",
    "SimulationTruth": "cx_economics.data.datasets",
    "load_demo": "cx_economics.data.datasets",
    "simulate": "cx_economics.data.datasets",
    "scan_parquet": "cx_economics.data.engines",
    "ContactCounts": "cx_economics.tables",
    "LifeTable": "cx_economics.tables",
    "NpsCounts": "cx_economics.tables",
    "contact_counts": "cx_economics.tables",
    "life_table": "cx_economics.tables",
    "nps_counts": "cx_economics.tables",
    "NpsComparison": "cx_economics.scores",
    "NpsEstimate": "cx_economics.scores",
    "NpsTable": "cx_economics.scores",
    "compare_nps": "cx_economics.scores",
    "nps": "cx_economics.scores",
    "sample_size_for_margin": "cx_economics.scores",
    "ChurnCurves": "cx_economics.survival",
    "HazardRatios": "cx_economics.survival",
    "KmSummary": "cx_economics.survival",
    "LogRankResult": "cx_economics.survival",
    "ParametricFit": "cx_economics.survival",
    "ProportionalHazardsCheck": "cx_economics.survival",
    "RmstResult": "cx_economics.survival",
    "SbgFit": "cx_economics.survival",
    "bootstrap_survival": "cx_economics.survival",
    "check_proportional_hazards": "cx_economics.survival",
    "fit_churn": "cx_economics.survival",
    "fit_parametric": "cx_economics.survival",
    "fit_sbg": "cx_economics.survival",
    "fit_sbg_counts": "cx_economics.survival",
    "hazard_ratios": "cx_economics.survival",
    "kaplan_meier": "cx_economics.survival",
    "km_summary": "cx_economics.survival",
    "logrank_test": "cx_economics.survival",
    "restricted_mean_survival": "cx_economics.survival",
    "MarginByBand": "cx_economics.value.margins",
    "margin_by_band": "cx_economics.value.margins",
    "LifetimeValues": "cx_economics.value.lifetime",
    "discounted_value": "cx_economics.value.lifetime",
    "lifetime_value": "cx_economics.value.lifetime",
    "value_by_band": "cx_economics.value.lifetime",
    "CustomerEquity": "cx_economics.value.equity",
    "ResidualValues": "cx_economics.value.equity",
    "customer_equity": "cx_economics.value.equity",
    "residual_value": "cx_economics.value.equity",
    "MixShift": "cx_economics.economics.impact",
    "mix_at_nps": "cx_economics.economics.impact",
    "mix_gain": "cx_economics.economics.impact",
    "mix_value": "cx_economics.economics.impact",
    "money_lost": "cx_economics.economics.impact",
    "value_per_point": "cx_economics.economics.impact",
    "CostCurve": "cx_economics.economics.cost",
    "CostCurves": "cx_economics.economics.cost",
    "CostOfExcellence": "cx_economics.economics.cost",
    "CostsOfExcellence": "cx_economics.economics.cost",
    "bottom_up_cost_curve": "cx_economics.economics.cost",
    "cost_curve_from_points": "cx_economics.economics.cost",
    "cost_curves_from_table": "cx_economics.economics.cost",
    "cost_of_excellence": "cx_economics.economics.cost",
    "fit_cost_curve": "cx_economics.economics.cost",
    "fit_cost_curves": "cx_economics.economics.cost",
    "CustomerEffort": "cx_economics.economics.effort",
    "customer_effort": "cx_economics.economics.effort",
    "ChannelEconomics": "cx_economics.economics.channels",
    "channel_economics": "cx_economics.economics.channels",
    "economics_from_tables": "cx_economics.economics.channels",
    "AchievabilityFrontier": "cx_economics.targets",
    "BudgetAllocation": "cx_economics.targets",
    "CascadedTargets": "cx_economics.targets",
    "NaiveTargets": "cx_economics.targets",
    "ResponsesNeeded": "cx_economics.targets",
    "Scorecards": "cx_economics.targets",
    "TargetComparison": "cx_economics.targets",
    "ValueTargets": "cx_economics.targets",
    "achievability_frontier": "cx_economics.targets",
    "allocate_budget": "cx_economics.targets",
    "cascade_targets": "cx_economics.targets",
    "compare_targets": "cx_economics.targets",
    "naive_targets": "cx_economics.targets",
    "responses_needed": "cx_economics.targets",
    "scorecards": "cx_economics.targets",
    "standing": "cx_economics.targets",
    "value_based_targets": "cx_economics.targets",
    "DriverReport": "cx_economics.drivers",
    "Fix": "cx_economics.drivers",
    "contact_driver_analysis": "cx_economics.drivers",
    "contact_churn_link": "cx_economics.drivers",
    "contact_rates": "cx_economics.drivers",
    "fix_returns": "cx_economics.drivers",
    "money_per_reason": "cx_economics.drivers",
    "nps_after_contacts": "cx_economics.drivers",
    "ReportResult": "cx_economics.presentation.report",
    "build_report": "cx_economics.presentation.report",
    "plot_churn_at": "cx_economics.presentation.plots",
    "plot_churn_curves": "cx_economics.presentation.plots",
    "plot_drivers": "cx_economics.presentation.plots",
    "plot_hazard_ratios": "cx_economics.presentation.plots",
    "plot_lifetime_values": "cx_economics.presentation.plots",
    "plot_money_lost": "cx_economics.presentation.plots",
    "plot_nps": "cx_economics.presentation.plots",
    "plot_targets": "cx_economics.presentation.plots",
    "plot_value_vs_cost": "cx_economics.presentation.plots",
    "plot_net_value_by_nps": "cx_economics.presentation.plots",
    "plot_budget_allocation": "cx_economics.presentation.plots",
    "plot_scorecard": "cx_economics.presentation.plots",
    "format_money": "cx_economics.presentation.formatting",
    "format_nps": "cx_economics.presentation.formatting",
    "format_percent": "cx_economics.presentation.formatting",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from cx_economics.core.bands import (
        BandScheme,
        NpsBand,
    )
    from cx_economics.core.exceptions import (
        CxAssumptionWarning,
        CxDataError,
        CxError,
        CxModelError,
    )
    from cx_economics.core.results import (
        Estimate,
    )
    from cx_economics.data.assumptions import (
        Assumptions,
        load_assumptions,
    )
    from cx_economics.data.datasets import (
        ReasonTruth,
        SimulatedData,
        SimulationTruth,
        load_demo,
        simulate,
    )
    from cx_economics.data.engines import (
        scan_parquet,
    )
    from cx_economics.data.schemas import (
        ChannelCosts,
        Contacts,
        Customers,
        Responses,
        validate_channel_costs,
        validate_contacts,
        validate_customers,
        validate_responses,
    )
    from cx_economics.drivers import (
        DriverReport,
        Fix,
        contact_churn_link,
        contact_driver_analysis,
        contact_rates,
        fix_returns,
        money_per_reason,
        nps_after_contacts,
    )
    from cx_economics.economics.channels import (
        ChannelEconomics,
        channel_economics,
        economics_from_tables,
    )
    from cx_economics.economics.cost import (
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
    from cx_economics.economics.effort import (
        CustomerEffort,
        customer_effort,
    )
    from cx_economics.economics.impact import (
        MixShift,
        mix_at_nps,
        mix_gain,
        mix_value,
        money_lost,
        value_per_point,
    )
    from cx_economics.presentation.formatting import (
        format_money,
        format_nps,
        format_percent,
    )
    from cx_economics.presentation.plots import (
        plot_budget_allocation,
        plot_churn_at,
        plot_churn_curves,
        plot_drivers,
        plot_hazard_ratios,
        plot_lifetime_values,
        plot_money_lost,
        plot_net_value_by_nps,
        plot_nps,
        plot_scorecard,
        plot_targets,
        plot_value_vs_cost,
    )
    from cx_economics.presentation.report import (
        ReportResult,
        build_report,
    )
    from cx_economics.scores import (
        NpsComparison,
        NpsEstimate,
        NpsTable,
        compare_nps,
        nps,
        sample_size_for_margin,
    )
    from cx_economics.survival import (
        ChurnCurves,
        HazardRatios,
        KmSummary,
        LogRankResult,
        ParametricFit,
        ProportionalHazardsCheck,
        RmstResult,
        SbgFit,
        bootstrap_survival,
        check_proportional_hazards,
        fit_churn,
        fit_parametric,
        fit_sbg,
        fit_sbg_counts,
        hazard_ratios,
        kaplan_meier,
        km_summary,
        logrank_test,
        restricted_mean_survival,
    )
    from cx_economics.tables import (
        ContactCounts,
        LifeTable,
        NpsCounts,
        contact_counts,
        life_table,
        nps_counts,
    )
    from cx_economics.targets import (
        AchievabilityFrontier,
        BudgetAllocation,
        CascadedTargets,
        NaiveTargets,
        ResponsesNeeded,
        Scorecards,
        TargetComparison,
        ValueTargets,
        achievability_frontier,
        allocate_budget,
        cascade_targets,
        compare_targets,
        naive_targets,
        responses_needed,
        scorecards,
        standing,
        value_based_targets,
    )
    from cx_economics.value.equity import (
        CustomerEquity,
        ResidualValues,
        customer_equity,
        residual_value,
    )
    from cx_economics.value.lifetime import (
        LifetimeValues,
        discounted_value,
        lifetime_value,
        value_by_band,
    )
    from cx_economics.value.margins import (
        MarginByBand,
        margin_by_band,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cx_economics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
