"""Input helpers shared by :mod:`cx_economics.value.lifetime` and :mod:`cx_economics.value.equity`.

Settings read from :class:`~cx_economics.data.assumptions.Assumptions` (horizon in months,
annual and monthly discount rates, currency, confidence level), checks that churn
curves reach far enough, percentile intervals over bootstrap replicates, and the notes
a result carries when much of its value comes from extrapolated months.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from cx_economics.core.exceptions import CxDataError, CxModelError
from cx_economics.data.assumptions import Assumptions
from cx_economics.survival.curves import ChurnCurves

FloatArray = npt.NDArray[np.float64]
GroupKey = tuple[str, ...]
Horizon = int | Literal["infinite"]


def _extrapolation_notes(
    groups: Sequence[GroupKey], share: FloatArray, threshold: float, method: str
) -> list[str]:
    far = ["/".join(k) for k, s in zip(groups, share, strict=True) if s > threshold]
    notes = []
    if far:
        notes.append(
            f"more than {threshold:.0%} of the value comes from months beyond the data "
            f"(extrapolated) for: {far}"
        )
    if float(np.max(share, initial=0.0)) > 0 and method == "bootstrap":
        notes.append(
            "bootstrap intervals keep the extrapolated tail's shape fixed: its own "
            "uncertainty is not included"
        )
    if method == "curve band":
        notes.append("interval from the curves' pointwise bounds (approximate)")
    return notes


@dataclass(frozen=True)
class _Settings:
    horizon: int | None  # None: infinite
    annual: float
    monthly: float
    currency: str
    level: float
    n_bootstrap: int


def _settings(
    assumptions: Assumptions | None,
    annual_discount_rate: float | None,
    horizon_months: Horizon | None,
) -> _Settings:
    a = assumptions if assumptions is not None else Assumptions()
    if not isinstance(a, Assumptions):
        raise CxDataError(f"`assumptions` must be an Assumptions, got {type(a).__name__}")
    if annual_discount_rate is not None:
        a = dataclasses.replace(a, annual_discount_rate=float(annual_discount_rate))
    horizon: int | None
    if horizon_months == "infinite":
        horizon = None
    elif horizon_months is None:
        horizon = a.horizon_months
    else:
        horizon = dataclasses.replace(a, horizon_months=horizon_months).horizon_months
    return _Settings(
        horizon,
        a.annual_discount_rate,
        a.monthly_discount_rate,
        a.currency,
        a.confidence_level,
        a.n_bootstrap,
    )


def _is_km(curves: ChurnCurves) -> bool:
    return curves.model.lower() in {"km", "kaplan-meier", "kaplan_meier"}


def _checked_grid(curves: ChurnCurves, months_needed: int, what: str) -> FloatArray:
    """The curves on months ``0..months_needed``, refusing what the model cannot give."""
    if not isinstance(curves, ChurnCurves):
        raise CxDataError(f"`curves` must be ChurnCurves, got {type(curves).__name__}")
    grid = np.asarray(curves.months)
    if grid.size <= months_needed or not np.array_equal(
        grid[: months_needed + 1], np.arange(months_needed + 1)
    ):
        raise CxDataError(
            f"`curves` must cover months 0..{months_needed} for {what}; they reach month "
            f"{int(grid[-1])}. Fit them with horizon_months ≥ {months_needed}"
        )
    survival = np.asarray(curves.survival, dtype=np.float64)[:, : months_needed + 1]
    bad = ~np.isfinite(survival).all(axis=1)
    if bad.any():
        names = ["/".join(curves.groups[g]) for g in np.flatnonzero(bad)]
        raise CxDataError(
            f"`curves` have missing survival values up to month {months_needed} "
            f"for {len(names)} group(s): {names[:3]}"
        )
    if _is_km(curves) and (np.asarray(curves.observed_months) < months_needed).any():
        short = [
            f"{'/'.join(k)} ({int(o)} months)"
            for k, o in zip(curves.groups, curves.observed_months, strict=True)
            if o < months_needed
        ]
        raise CxModelError(
            f"Kaplan–Meier curves cannot reach month {months_needed} ({what}): the data stop "
            f"at {short[:3]}. Extend them with a parametric tail (fit_churn(model='auto')) "
            "or shorten the horizon"
        )
    return survival
