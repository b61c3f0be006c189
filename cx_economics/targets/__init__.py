"""Targets: value-based per-channel targets, budget allocation, scorecards."""

from __future__ import annotations

from cx_economics.targets.scorecards import ResponsesNeeded, responses_needed

__all__: list[str] = ["ResponsesNeeded", "responses_needed"]
