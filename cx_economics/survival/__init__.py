"""Churn curves by NPS band: Kaplan–Meier, hazard ratios, parametric fits, sBG."""

from __future__ import annotations

from cx_economics.survival.adjusted import standardised_curves, weighted_curves
from cx_economics.survival.bootstrap import (
    bootstrap_survival,
    replicate_mean_revenue,
    replicate_retention,
    replicate_survival,
    resample_life_table,
)
from cx_economics.survival.curves import ChurnCurves
from cx_economics.survival.fit import fit_churn, splice_tail
from cx_economics.survival.hazards import (
    HazardRatios,
    ProportionalHazardsCheck,
    check_proportional_hazards,
    hazard_ratios,
)
from cx_economics.survival.km import (
    KmSummary,
    LogRankResult,
    kaplan_meier,
    km_summary,
    logrank_test,
)
from cx_economics.survival.parametric import (
    ParametricFit,
    fit_parametric,
    fit_parametric_intervals,
    survival_function,
)
from cx_economics.survival.rmst import RmstResult, restricted_mean_survival
from cx_economics.survival.robustness import (
    EValues,
    e_value,
    e_values,
    risk_ratio_from_hazard_ratio,
)
from cx_economics.survival.sbg import SbgFit, fit_sbg, fit_sbg_counts

__all__ = [
    "ChurnCurves",
    "EValues",
    "HazardRatios",
    "KmSummary",
    "LogRankResult",
    "ParametricFit",
    "ProportionalHazardsCheck",
    "RmstResult",
    "SbgFit",
    "bootstrap_survival",
    "check_proportional_hazards",
    "e_value",
    "e_values",
    "fit_churn",
    "fit_parametric",
    "fit_parametric_intervals",
    "fit_sbg",
    "fit_sbg_counts",
    "hazard_ratios",
    "kaplan_meier",
    "km_summary",
    "logrank_test",
    "replicate_mean_revenue",
    "replicate_retention",
    "replicate_survival",
    "resample_life_table",
    "restricted_mean_survival",
    "risk_ratio_from_hazard_ratio",
    "splice_tail",
    "standardised_curves",
    "survival_function",
    "weighted_curves",
]
