"""Targets: value-based per-channel targets, budget allocation, scorecards."""

from __future__ import annotations

from cx_economics.targets.budget import BudgetAllocation, allocate_budget
from cx_economics.targets.cascade import (
    AchievabilityFrontier,
    CascadedTargets,
    Scorecards,
    achievability_frontier,
    cascade_targets,
    scorecards,
    standing,
)
from cx_economics.targets.naive import (
    NaiveTargets,
    TargetComparison,
    compare_targets,
    naive_targets,
)
from cx_economics.targets.needed import ResponsesNeeded, responses_needed
from cx_economics.targets.value_based import (
    ValueTargets,
    detectable_change,
    value_based_targets,
)

__all__: list[str] = [
    "AchievabilityFrontier",
    "BudgetAllocation",
    "CascadedTargets",
    "NaiveTargets",
    "ResponsesNeeded",
    "Scorecards",
    "TargetComparison",
    "ValueTargets",
    "achievability_frontier",
    "allocate_budget",
    "cascade_targets",
    "compare_targets",
    "detectable_change",
    "naive_targets",
    "responses_needed",
    "scorecards",
    "standing",
    "value_based_targets",
]
