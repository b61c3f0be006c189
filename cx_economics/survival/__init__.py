"""Churn curves by NPS band: Kaplan–Meier, hazard ratios, parametric fits, sBG."""

from __future__ import annotations

from cx_economics.survival.curves import ChurnCurves

__all__ = ["ChurnCurves"]
