"""The "+x % on last year" rule, and what it costs beside value-based targets.

The naive rule sets every channel's target to last year's NPS times ``1 + uplift``
— a branch visit for a mortgage and a chat about a blocked card alike. Multiplying
only works for a positive NPS, so :func:`naive_targets` states what it does elsewhere:

One rule for every level: the target is ``L + max(|L| × uplift, min_step_points)``,
capped at 100.

================  =======================================================  ==============
last year ``L``   target                                                   ``rule`` flag
================  =======================================================  ==============
``L > 0``         ``L × (1 + uplift)`` once that is a step of at least      ``multiplied``
                  ``min_step_points``; below, ``L + min_step_points``       ``… minimum step``
``L < 0``         ``L + |L| × uplift``, or ``L + min_step_points`` near 0   ``negative: …``
``L = 0``         ``min_step_points``                                      ``zero: …``
================  =======================================================  ==============

For a negative NPS, ``L × 1.25`` would *lower* the bar (−20 → −25); adding
``|L| × uplift`` asks for the same relative effort in the right direction. Near zero
the product asks for almost nothing, so a minimum step (default one point) applies on
both sides of zero, and the target never falls as last year's NPS rises (a target of 1
for NPS 0 but 0.31 for NPS 0.25 would reward the lower level).

:func:`compare_targets` prices both rules channel by channel on the same value and
cost curves: target, extra yearly cost, value gained, net value (with intervals),
ROI, payback, whether the step can be detected, and the net value the naive rule
gives up (or adds) against the value-based target.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.intervals import percentile_interval
from cx_economics.core.results import Result
from cx_economics.economics.channels import ChannelEconomics, CostModel
from cx_economics.targets._solve import _net_curves, _NetCurves, _responses_behind_today
from cx_economics.targets.value_based import (
    ValueTargets,
    detectable_change,
    value_based_targets,
)

__all__ = ["NaiveTargets", "TargetComparison", "compare_targets", "naive_targets"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class NaiveTargets(Result):
    """Targets from the "+x % on last year" rule.

    Attributes
    ----------
    channels : tuple of str
    last_year : ndarray (C,)
        Last year's NPS, points.
    uplift : float
        The "+x %" as a fraction (0.25 is +25 %).
    min_step_points : float
        Smallest step up for a zero or negative NPS, points.
    target : ndarray (C,)
        NPS points.
    rule : tuple of str
        What was applied per channel (see the module docstring).

    Examples
    --------
    >>> naive = naive_targets({"phone": 20.0, "web": 40.0}, uplift=0.25)
    >>> naive.to_frame()[["channel", "target"]].to_dict("list")
    {'channel': ['phone', 'web'], 'target': [25.0, 50.0]}
    """

    channels: tuple[str, ...]
    last_year: FloatArray
    uplift: float
    min_step_points: float
    target: FloatArray
    rule: tuple[str, ...]

    _title = "Naive targets"

    @property
    def label(self) -> str:
        """Short name of the rule, e.g. ``"+25 %"``."""
        return f"+{self.uplift * 100:g} %"

    def as_mapping(self) -> dict[str, float]:
        """Return channel → target (NPS points)."""
        return {ch: float(x) for ch, x in zip(self.channels, self.target, strict=True)}

    def to_frame(self) -> pd.DataFrame:
        """One row per channel: last year, target, step and the rule applied."""
        return pd.DataFrame(
            {
                "channel": list(self.channels),
                "last_year": self.last_year,
                "target": self.target,
                "step": self.target - self.last_year,
                "rule": list(self.rule),
            }
        )

    def _notes(self) -> list[str]:
        odd = [
            f"{c}: {r}" for c, r in zip(self.channels, self.rule, strict=True) if r != "multiplied"
        ]
        notes = [f"rule: last year × {1 + self.uplift:g} where last year's NPS is positive"]
        return notes + odd


def _last_year_values(
    last_year: Mapping[str, float] | float, channels: Sequence[str] | None
) -> tuple[tuple[str, ...], FloatArray]:
    if isinstance(last_year, Mapping):
        names = tuple(last_year) if channels is None else tuple(channels)
        missing = [ch for ch in names if ch not in last_year]
        if missing:
            raise CxDataError(f"`last_year` has no NPS for channel(s) {missing}")
        values = np.array([float(last_year[ch]) for ch in names], dtype=np.float64)
    else:
        names = ("all",) if channels is None else tuple(channels)
        values = np.full(len(names), float(last_year))
    bad = [ch for ch, v in zip(names, values, strict=True) if not -100.0 <= v <= 100.0]
    if bad or not names:
        raise CxDataError(
            f"`last_year` must be NPS points −100..100 for at least one channel; "
            f"{len(bad)} are not (e.g. {bad[:3]})"
        )
    return names, values


def naive_targets(
    last_year: Mapping[str, float] | float,
    uplift: float = 0.25,
    *,
    channels: Sequence[str] | None = None,
    min_step_points: float = 1.0,
) -> NaiveTargets:
    """Targets by the "+x % on last year" rule, defined for every sign of NPS.

    Parameters
    ----------
    last_year : mapping channel → float, or float
        Last year's NPS (points −100..100), per channel or one for all.
    uplift : float, default 0.25
        The "+x %" as a fraction ≥ 0.
    channels : sequence of str, optional
        Channels (and their order); with a single ``last_year`` it names them.
    min_step_points : float, default 1.0
        Smallest step up (points) where multiplying breaks (NPS ≤ 0).

    Returns
    -------
    NaiveTargets
        Targets in NPS points, capped at 100, with the rule applied per channel.

    Raises
    ------
    CxDataError
        NPS outside −100..100, a negative uplift or minimum step.

    Examples
    --------
    >>> t = naive_targets({"phone": 25.0, "chat": -20.0, "web": 0.0, "branch": 90.0})
    >>> t.target.tolist()
    [31.25, -15.0, 1.0, 100.0]
    >>> t.rule[1:]
    ('negative: + |NPS| × uplift', 'zero: minimum step', 'multiplied, capped at 100')
    """
    if not (math.isfinite(uplift) and uplift >= 0):
        raise CxDataError(f"`uplift` must be a fraction ≥ 0 (0.25 is +25 %), got {uplift}")
    if not (math.isfinite(min_step_points) and min_step_points >= 0):
        raise CxDataError(f"`min_step_points` must be ≥ 0 NPS points, got {min_step_points}")
    names, last = _last_year_values(last_year, channels)
    target = last + np.maximum(np.abs(last) * uplift, min_step_points)
    capped = target > 100.0
    target = np.minimum(target, 100.0)
    rules = []
    for value, cap in zip(last, capped, strict=True):
        small = abs(value) * uplift < min_step_points
        if value > 0:
            rule = "minimum step" if small else "multiplied"
            rules.append(f"{rule}, capped at 100" if cap else rule)
        elif value == 0:
            rules.append("zero: minimum step")
        elif not small:
            rules.append("negative: + |NPS| × uplift")
        else:
            rules.append("negative: minimum step")
    return NaiveTargets(names, last, float(uplift), float(min_step_points), target, tuple(rules))


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True, eq=False)
class TargetComparison(Result):
    """Two target rules priced side by side per channel on the same curves.

    Arrays of shape (2, C) hold row 0 for the naive rule and row 1 for the value-based
    one (names in ``rules``).

    Attributes
    ----------
    channels : tuple of str
    rules : tuple of str
        E.g. ``("+25 %", "value-based")``.
    nps_today : ndarray (C,)
        NPS points.
    target, target_lower, target_upper : ndarray (2, C)
        Each rule's target (points); the naive rule has no interval (equal bounds).
    pursued : ndarray (2, C)
        The level priced: the target, or today's NPS when the target is already met.
    value_gain, extra_cost, net_value, net_value_lower, net_value_upper : ndarray (2, C)
        Equity gained (currency), extra yearly cost (currency per year) and net value
        ``value_gain − annuity × extra_cost`` (currency) with its interval.
    roi, payback_months : ndarray (2, C)
        Fraction; months (``inf``: not within the horizon).
    detectable_change : ndarray (2, C)
        Smallest change the expected responses can detect (points).
    undetectable : ndarray (2, C) of bool
        The step up is smaller than that.
    naive_rule : tuple of str
        What the naive rule did per channel (multiplied, negative, zero, capped).
    annuity : float
    currency : str
    level : float

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.economics.channels import economics_from_arrays
    >>> class ExpCost:
    ...     def cost_at(self, nps):
    ...         return 80e3 * np.exp((np.asarray(nps, dtype=float) - 25.0) / 25.0)
    >>> flows = np.array([[[4.0] * 60, [8.0] * 60, [9.0] * 60]])
    >>> econ = economics_from_arrays(("phone",), [12_000], [[250, 250, 500]], flows,
    ...     excellent_nps=[40.0], monthly_discount_rate=0.0, n_bootstrap=100,
    ...     cost_models={"phone": ExpCost()})
    >>> frame = compare_targets(econ, last_year=25.0).to_frame()
    >>> frame[frame["channel"] == "phone"][["rule", "target"]].round(2).to_dict("list")
    {'rule': ['+25 %', 'value-based'], 'target': [31.25, 39.69]}
    """

    channels: tuple[str, ...]
    rules: tuple[str, str]
    nps_today: FloatArray
    target: FloatArray
    target_lower: FloatArray
    target_upper: FloatArray
    pursued: FloatArray
    value_gain: FloatArray
    extra_cost: FloatArray
    net_value: FloatArray
    net_value_lower: FloatArray
    net_value_upper: FloatArray
    roi: FloatArray
    payback_months: FloatArray
    detectable_change: FloatArray
    undetectable: BoolArray
    naive_rule: tuple[str, ...]
    annuity: float
    currency: str
    level: float

    _title = "Naive versus value-based targets"

    @property
    def net_value_given_up(self) -> FloatArray:
        """Net value of the value-based target minus the naive one, per channel (currency)."""
        out: FloatArray = self.net_value[1] - self.net_value[0]
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per channel × rule, plus a ``total`` row per rule."""
        parts = []
        for r, rule in enumerate(self.rules):
            frame = pd.DataFrame(
                {
                    "channel": list(self.channels),
                    "rule": rule,
                    "nps_today": self.nps_today,
                    "target": self.target[r],
                    "target_lower": self.target_lower[r],
                    "target_upper": self.target_upper[r],
                    "pursued": self.pursued[r],
                    "extra_cost_per_year": self.extra_cost[r],
                    "value_gain": self.value_gain[r],
                    "net_value": self.net_value[r],
                    "net_value_lower": self.net_value_lower[r],
                    "net_value_upper": self.net_value_upper[r],
                    "net_value_vs_value_based": self.net_value[r] - self.net_value[1],
                    "roi": self.roi[r],
                    "payback_months": self.payback_months[r],
                    "detectable_change": self.detectable_change[r],
                    "undetectable": self.undetectable[r],
                    "note": list(self.naive_rule) if r == 0 else [""] * len(self.channels),
                }
            )
            parts.append(pd.concat([frame, _total(frame, rule, self.annuity)], ignore_index=True))
        return pd.concat(parts, ignore_index=True)

    def _notes(self) -> list[str]:
        naive, value = self.net_value.sum(axis=1)
        gap = value - naive
        verdict = "gives up" if gap >= 0 else "adds"
        notes = [
            f"net value (present value, {self.currency}): {self.rules[0]} rule {naive:,.0f}, "
            f"value-based {value:,.0f}; the {self.rules[0]} rule {verdict} {abs(gap):,.0f}",
        ]
        for i, ch in enumerate(self.channels):
            if self.target[0, i] < self.nps_today[i]:
                notes.append(f"{ch}: the {self.rules[0]} target is already met today")
            if self.undetectable[0, i]:
                step = self.pursued[0, i] - self.nps_today[i]
                notes.append(
                    f"{ch}: the {self.rules[0]} step of {step:.1f} points is below the "
                    f"{self.detectable_change[0, i]:.1f} points the responses can detect"
                )
        return notes


def _total(frame: pd.DataFrame, rule: str, annuity: float) -> pd.DataFrame:
    total: dict[str, object] = {c: np.nan for c in frame.columns}
    total.update(channel="total", rule=rule, undetectable=False, note="")
    for c in ("extra_cost_per_year", "value_gain", "net_value", "net_value_vs_value_based"):
        total[c] = float(frame[c].sum())
    pv = annuity * float(frame["extra_cost_per_year"].sum())
    total["roi"] = float(frame["net_value"].sum()) / pv if pv > 0 else np.nan
    return pd.DataFrame([total])


def _price(curves: _NetCurves, levels: FloatArray, level: float) -> dict[str, FloatArray]:
    """Money of pursuing ``levels`` (2, C) on the point and replicate curves."""
    x = np.maximum(levels, curves.nps_today)
    gain = np.stack([curves.gain(row[None, :, None], slice(0, 1))[0, :, 0] for row in x])
    extra = curves.extra_cost(x[:, :, None])[..., 0]
    net = gain - curves.annuity * extra
    reps = [
        curves.gain(
            np.broadcast_to(row[None, :, None], (curves.n_rows, x.shape[1], 1)), slice(None)
        )[1:, :, 0]
        - curves.annuity * extra[i]
        for i, row in enumerate(x)
    ]
    bounds = [percentile_interval(r, level) for r in reps]
    pv = curves.annuity * extra
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(pv > 0, net / pv, np.nan)
    return {
        "pursued": x,
        "value_gain": gain,
        "extra_cost": extra,
        "net_value": net,
        "net_value_lower": np.stack([b[0] for b in bounds]),
        "net_value_upper": np.stack([b[1] for b in bounds]),
        "roi": roi,
        "payback_months": np.stack([curves.payback_months(row) for row in x]),
    }


def _aligned_naive(
    naive: NaiveTargets, channels: tuple[str, ...]
) -> tuple[FloatArray, tuple[str, ...]]:
    if naive.channels == ("all",):
        return np.full(len(channels), naive.target[0]), (naive.rule[0],) * len(channels)
    missing = [ch for ch in channels if ch not in naive.channels]
    if missing:
        raise CxDataError(f"`naive` has no target for channel(s) {missing}")
    idx = [naive.channels.index(ch) for ch in channels]
    return naive.target[idx], tuple(naive.rule[i] for i in idx)


def compare_targets(
    economics: ChannelEconomics,
    naive: NaiveTargets | None = None,
    value_targets: ValueTargets | None = None,
    *,
    last_year: Mapping[str, float] | float | None = None,
    uplift: float = 0.25,
    min_step_points: float = 1.0,
    cost_models: Mapping[str, CostModel] | None = None,
    expected_responses: Mapping[str, float] | None = None,
    power: float = 0.8,
) -> TargetComparison:
    """Price the naive "+x %" rule beside value-based targets, channel by channel.

    Parameters
    ----------
    economics : ChannelEconomics
        Value curves (and replicates, for intervals) per channel.
    naive : NaiveTargets, optional
        The naive targets; built with :func:`naive_targets` from ``last_year`` and
        ``uplift`` when omitted.
    value_targets : ValueTargets, optional
        Value-based targets; :func:`value_based_targets` (profit rule) when omitted.
    last_year : mapping channel → float, or float, optional
        Last year's NPS (points); today's measured NPS when omitted.
    uplift : float, default 0.25
        The naive rule's "+x %" as a fraction.
    min_step_points : float, default 1.0
        The naive rule's smallest step for NPS ≤ 0 (points).
    cost_models : mapping channel → CostModel, optional
        Yearly cost curves (currency per year); defaults to the economics'.
    expected_responses : mapping channel → float, optional
        Responses expected when targets are judged (detectability); by default as
        many as behind today's NPS.
    power : float, default 0.8
        Power of the detectability test.

    Returns
    -------
    TargetComparison
        Per channel and rule: target (points), extra cost (currency per year), value
        gained and net value (currency, present value, with intervals), ROI, payback.

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.economics.channels import economics_from_arrays
    >>> class ExpCost:
    ...     def cost_at(self, nps):
    ...         return 80e3 * np.exp((np.asarray(nps, dtype=float) - 25.0) / 25.0)
    >>> flows = np.array([[[4.0] * 60, [8.0] * 60, [9.0] * 60]])
    >>> econ = economics_from_arrays(("phone",), [12_000], [[250, 250, 500]], flows,
    ...     excellent_nps=[40.0], monthly_discount_rate=0.0, n_bootstrap=100,
    ...     cost_models={"phone": ExpCost()})
    >>> cmp = compare_targets(econ, last_year=25.0)
    >>> cmp.target[:, 0].round(2).tolist()
    [31.25, 39.69]
    >>> bool(cmp.net_value[1, 0] > cmp.net_value[0, 0] > 0)
    True
    """
    channels = economics.channels
    if naive is None:
        today = dict(zip(channels, economics.nps_today.tolist(), strict=True))
        base = today if last_year is None else last_year
        naive = naive_targets(base, uplift, channels=channels, min_step_points=min_step_points)
    if value_targets is None:
        value_targets = value_based_targets(
            economics, cost_models=cost_models, expected_responses=expected_responses
        )
    if value_targets.channels != channels:
        raise CxDataError(
            f"`value_targets` are for channels {value_targets.channels}, the economics for "
            f"{channels}: derive them from the same economics"
        )
    naive_level, naive_rule = _aligned_naive(naive, channels)
    curves = _net_curves(economics, cost_models)
    levels = np.vstack([naive_level, value_targets.target])
    money = _price(curves, levels, economics.level)
    n_today = _responses_behind_today(economics)
    n_future = value_targets.expected_responses
    mdc = np.stack(
        [
            detectable_change(
                economics.shares_today,
                curves.mix(row[None, :, None], slice(0, 1))[0, :, 0],
                n_today,
                n_future,
                level=economics.level,
                power=power,
            )
            for row in money["pursued"]
        ]
    )
    step = money["pursued"] - economics.nps_today
    return TargetComparison(
        channels=channels,
        rules=(naive.label, "value-based"),
        nps_today=economics.nps_today.copy(),
        target=levels,
        target_lower=np.vstack([naive_level, value_targets.target_lower]),
        target_upper=np.vstack([naive_level, value_targets.target_upper]),
        detectable_change=mdc,
        undetectable=np.asarray((step > 1e-4) & (step < mdc), dtype=np.bool_),
        naive_rule=naive_rule,
        annuity=curves.annuity,
        currency=economics.currency,
        level=economics.level,
        **money,
    )
