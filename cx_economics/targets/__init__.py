"""Targets: value-based per-channel targets, budget allocation, scorecards."""

from __future__ import annotations

__all__: list[str] = []
