"""The cost of excellence: extra yearly cost of a channel at the excellent NPS."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import overload

import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.core.results import Estimate, Result
from cx_economics.economics.cost._shapes import CurveKind, FloatArray, _as_vector, _quantile
from cx_economics.economics.cost.curve import CostCurve, CostCurves

__all__ = ["CostOfExcellence", "CostsOfExcellence", "cost_of_excellence"]


@dataclass(frozen=True)
class CostOfExcellence(Result):
    """Extra yearly cost of running a channel at the excellent NPS instead of today's.

    Attributes
    ----------
    channel : str
        The channel.
    kind : {"points", "fitted", "bottom_up"}
        Kind of the cost curve used.
    today_nps, excellent_nps : float
        NPS levels compared (points).
    today_cost, excellent_cost : float
        Yearly cost at each level (currency per year).
    extra_cost : Estimate
        ``excellent_cost − today_cost`` (currency per year) with its interval: delta
        method on the log of the difference for fitted curves; zero width for given
        curves. Negative when the excellent level lies below today's.
    extrapolated : bool
        Whether either level lies outside the curve's supported NPS range.

    Examples
    --------
    >>> from cx_economics.economics.cost import cost_curve_from_points
    >>> curve = cost_curve_from_points("web", [20, 35, 50], [70e3, 120e3, 210e3])
    >>> round(cost_of_excellence(curve, today_nps=20, excellent_nps=50).extra_cost.value)
    140000
    """

    channel: str
    kind: CurveKind
    today_nps: float
    excellent_nps: float
    today_cost: float
    excellent_cost: float
    extra_cost: Estimate
    extrapolated: bool

    _title = "Cost of excellence"

    def to_frame(self) -> pd.DataFrame:
        """One row: levels, yearly costs, extra yearly cost with interval."""
        return pd.DataFrame(
            [
                {
                    "channel": self.channel,
                    "kind": self.kind,
                    "today_nps": self.today_nps,
                    "excellent_nps": self.excellent_nps,
                    "today_annual_cost": self.today_cost,
                    "excellent_annual_cost": self.excellent_cost,
                    "extra_annual_cost": self.extra_cost.value,
                    "lower": self.extra_cost.lower,
                    "upper": self.extra_cost.upper,
                    "level": self.extra_cost.level,
                    "extrapolated": self.extrapolated,
                }
            ]
        )

    def _notes(self) -> list[str]:
        notes = []
        if self.extrapolated:
            notes.append(f"{self.channel}: the cost curve is extrapolated to reach these levels")
        if self.kind != "fitted":
            notes.append(f"{self.channel}: costs are given, not estimated: no interval")
        return notes


@overload
def cost_of_excellence(
    curve: CostCurve, *, today_nps: float, excellent_nps: float, level: float = 0.95
) -> CostOfExcellence: ...


@overload
def cost_of_excellence(
    curve: CostCurves,
    *,
    today_nps: Mapping[str, float],
    excellent_nps: Mapping[str, float] | float,
    level: float = 0.95,
) -> CostsOfExcellence: ...


def cost_of_excellence(
    curve: CostCurve | CostCurves,
    *,
    today_nps: float | Mapping[str, float],
    excellent_nps: float | Mapping[str, float],
    level: float = 0.95,
) -> CostOfExcellence | CostsOfExcellence:
    """Return the extra yearly cost of running a channel (or each) at the excellent NPS.

    Parameters
    ----------
    curve : CostCurve or CostCurves
        The channel's cost curve, or several channels' curves.
    today_nps : float or mapping str → float
        Today's NPS of the channel (points −100..100); per channel for ``CostCurves``,
        where every channel needs one.
    excellent_nps : float or mapping str → float
        The level counted as excellent (points), e.g. ``Assumptions.excellent_nps``;
        for ``CostCurves`` one level for all or one per channel.
    level : float, default 0.95
        Nominal coverage of the interval.

    Returns
    -------
    CostOfExcellence or CostsOfExcellence
        ``extra_cost`` in currency per year, with its interval (fitted curves); per
        channel for ``CostCurves``.

    Raises
    ------
    CxModelError
        The excellent level lies at or beyond a saturating curve's saturation level
        (no spend reaches it).

    Examples
    --------
    >>> from cx_economics.economics.cost import cost_curve_from_points
    >>> curve = cost_curve_from_points("web", [20, 35, 50], [70e3, 120e3, 210e3])
    >>> round(cost_of_excellence(curve, today_nps=20, excellent_nps=50).extra_cost.value)
    140000
    """
    if isinstance(curve, CostCurves):
        return _per_channel(curve, today_nps, excellent_nps, level)
    if isinstance(today_nps, Mapping) or isinstance(excellent_nps, Mapping):
        raise CxDataError("one channel's curve takes one `today_nps` and one `excellent_nps`")
    levels, _ = _as_vector([today_nps, excellent_nps], "today_nps/excellent_nps")
    if (np.abs(levels) > 100).any():
        raise CxDataError(f"`today_nps` and `excellent_nps` must be NPS points −100..100: {levels}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        costs = curve._shape.cost(curve._theta, levels)[0]
    if not np.isfinite(costs).all():
        raise CxModelError(
            f"channel {curve.channel!r}: NPS {levels[~np.isfinite(costs)].max():g} is at or beyond "
            f"the fitted saturation level {curve.parameters.get('saturation_nps', math.nan):.1f}: "
            "no spend reaches it (the cost is infinite). Set a lower excellent level, or fit "
            "form='log' if the data do not really show a ceiling"
        )
    curve._check_range(levels)
    extra = float(costs[1] - costs[0])
    half = 0.0
    if extra != 0.0:
        sign = math.copysign(1.0, extra)

        def difference(theta: FloatArray) -> FloatArray:
            both = curve._shape.cost(np.atleast_2d(theta), levels)
            out: FloatArray = sign * (both[:, 1:] - both[:, :1])
            return out

        half = _quantile(level, curve.df_resid) * float(curve._log_cost_se(difference)[0])
    bounds = sorted((extra * math.exp(-half), extra * math.exp(half)))
    lo, hi = curve.valid_range
    return CostOfExcellence(
        curve.channel,
        curve.kind,
        float(today_nps),
        float(excellent_nps),
        float(costs[0]),
        float(costs[1]),
        Estimate(extra, bounds[0], bounds[1], level),
        bool((levels < lo - 1e-9).any() or (levels > hi + 1e-9).any()),
    )


@dataclass(frozen=True)
class CostsOfExcellence(Result):
    """Cost of excellence for several channels (see :class:`CostOfExcellence`).

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> from cx_economics.economics.cost import cost_curves_from_table
    >>> curves = cost_curves_from_table(load_demo().channel_costs)
    >>> today = {"branch": 40.0, "chat": 30.0, "phone": 30.0, "web": 30.0}
    >>> better = {channel: nps + 5.0 for channel, nps in today.items()}
    >>> costs = cost_of_excellence(curves, today_nps=today, excellent_nps=better)
    >>> bool((costs.to_frame()["extra_annual_cost"] > 0).all())
    True
    """

    items: tuple[CostOfExcellence, ...]

    _title = "Cost of excellence by channel"

    def __getitem__(self, channel: str) -> CostOfExcellence:
        for item in self.items:
            if item.channel == channel:
                return item
        raise KeyError(f"no channel {channel!r}; channels are {[i.channel for i in self.items]}")

    def to_frame(self) -> pd.DataFrame:
        """One row per channel (columns of :meth:`CostOfExcellence.to_frame`)."""
        return pd.concat([item.to_frame() for item in self.items], ignore_index=True)

    def _notes(self) -> list[str]:
        return [note for item in self.items for note in item._notes()]


def _per_channel(
    curves: CostCurves,
    today_nps: float | Mapping[str, float],
    excellent_nps: float | Mapping[str, float],
    level: float,
) -> CostsOfExcellence:
    """The cost of excellence of every channel of ``curves``."""
    if not isinstance(today_nps, Mapping):
        raise CxDataError("`today_nps` must give one level per channel for several curves")
    target = (
        excellent_nps
        if isinstance(excellent_nps, Mapping)
        else dict.fromkeys(curves.curves, float(excellent_nps))
    )
    for name, given in (("today_nps", today_nps), ("excellent_nps", target)):
        missing = sorted(set(curves.curves) - set(given))
        if missing:
            raise CxDataError(f"`{name}` has no level for channel(s) {missing}")
    return CostsOfExcellence(
        tuple(
            cost_of_excellence(
                curve, today_nps=today_nps[ch], excellent_nps=target[ch], level=level
            )
            for ch, curve in curves.curves.items()
        )
    )
