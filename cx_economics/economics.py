"""The channel economics table: value lost below excellence beside what excellence costs.

One row per channel: customers, NPS today (with interval), the excellent level,
the value of one more NPS point, money lost below excellence (customer equity and
its equivalent per year, with intervals), the extra yearly cost of excellence, the
net value of moving there, its payback and return.

Units and conventions
---------------------
* Values are customer equity: the present value (currency) over
  ``horizon_months`` of the margins of the channel's customers, discounted monthly.
* "Per year" is the level yearly amount with the same present value over the
  horizon: ``equity / annuity``, ``annuity = Σ_{t=1..H} (1+i)^{-t} / 12``.
* Costs are currency per year; their present value over the horizon is
  ``annual cost × annuity``.
* Payback: value arrives as the better mix keeps customers longer, month by month
  (``customers × Σ_b Δshare_b × margin_b × S_b(t) / (1+i)^t``), while the extra cost
  arrives evenly; payback is the first month the cumulative value reaches the
  cumulative cost (``inf`` when not within the horizon).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics._results import Result
from cx_economics.exceptions import CxDataError
from cx_economics.impact import MixShift

__all__ = ["ChannelEconomics", "CostModel", "annuity_months", "economics_from_arrays"]

FloatArray = npt.NDArray[np.float64]


class CostModel(Protocol):
    """Anything that gives a channel's yearly cost (currency per year) at an NPS level."""

    def cost_at(self, nps: npt.ArrayLike) -> npt.ArrayLike:
        """Yearly cost (currency per year) of running the channel at ``nps``."""


def annuity_months(monthly_discount_rate: float, horizon_months: int) -> FloatArray:
    """Discount factors ``(1+i)^{-t}`` for months ``t = 1..H``.

    Examples
    --------
    >>> annuity_months(0.0, 3).tolist()
    [1.0, 1.0, 1.0]
    """
    t = np.arange(1, horizon_months + 1, dtype=np.float64)
    out: FloatArray = (1.0 + monthly_discount_rate) ** -t
    return out


def _percentile_interval(reps: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    alpha = (1.0 - level) / 2.0
    lo = np.quantile(reps, alpha, axis=0)
    hi = np.quantile(reps, 1.0 - alpha, axis=0)
    return np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class ChannelEconomics(Result):
    """Per-channel economics of CX; see the module docstring for units.

    Attributes
    ----------
    channels : tuple of str
    customers : ndarray (C,)
        Customers whose experience the channel shapes.
    shares_today : ndarray (C, 3)
        Detractor, passive, promoter shares today.
    nps_today, nps_lower, nps_upper : ndarray (C,)
        NPS today and its interval (points).
    excellent_nps : ndarray (C,)
        The level counted as excellent (points), and ``excellent_source`` saying where
        it came from.
    band_flows : ndarray (C, 3, H)
        Discounted margin per customer per month by band (currency): its sum over the
        last axis is the lifetime value of a customer in that band.
    band_flow_replicates : ndarray (B, C, 3, H) or None
        Bootstrap replicates of ``band_flows``.
    share_replicates : ndarray (B, C, 3) or None
        Bootstrap replicates of ``shares_today``.
    mix_shift : MixShift
    cost_models : mapping channel → CostModel, optional
    monthly_discount_rate : float
    currency : str
    level : float
    """

    channels: tuple[str, ...]
    customers: FloatArray
    shares_today: FloatArray
    nps_today: FloatArray
    nps_lower: FloatArray
    nps_upper: FloatArray
    excellent_nps: FloatArray
    excellent_source: tuple[str, ...]
    band_flows: FloatArray
    band_flow_replicates: FloatArray | None
    share_replicates: FloatArray | None
    mix_shift: MixShift
    cost_models: Mapping[str, CostModel] | None
    monthly_discount_rate: float
    currency: str = "EUR"
    level: float = 0.95

    _title = "Channel economics"

    # ------------------------------------------------------------------ values
    @property
    def horizon_months(self) -> int:
        """Months the values look ahead."""
        return int(self.band_flows.shape[-1])

    @property
    def band_values(self) -> FloatArray:
        """Lifetime value per customer by channel and band (currency), shape (C, 3)."""
        out: FloatArray = self.band_flows.sum(axis=-1)
        return out

    @property
    def annuity(self) -> float:
        """Present value of one currency unit per year paid monthly over the horizon."""
        return float(annuity_months(self.monthly_discount_rate, self.horizon_months).sum() / 12)

    def value_at(self, nps: npt.ArrayLike) -> FloatArray:
        """Customer equity (currency) of each channel if its NPS were ``nps`` (points).

        ``nps`` broadcasts against the channels: shape (C,) or (K, C) for a grid.
        """
        target = np.asarray(nps, dtype=np.float64)
        shares = self.mix_shift.shares_at(
            np.broadcast_to(self.shares_today, (*target.shape, 3)), target
        )
        out: FloatArray = self.customers * np.sum(shares * self.band_values, axis=-1)
        return out

    def _value_reps_at(self, nps: FloatArray, rng: np.random.Generator) -> FloatArray | None:
        """Replicates (B, C) of customer equity at ``nps`` per channel."""
        if self.band_flow_replicates is None or self.share_replicates is None:
            return None
        b = self.share_replicates.shape[0]
        coef = self.mix_shift.draw_coefficients(b, rng)
        coef = None if coef is None else coef[:, None, :]
        shares = self.mix_shift.shares_at(self.share_replicates, nps, coefficients=coef)
        values = self.band_flow_replicates.sum(axis=-1)
        out: FloatArray = self.customers * np.sum(shares * values, axis=-1)
        return out

    def _reps_or_fail(self, nps: FloatArray, rng: np.random.Generator) -> FloatArray:
        reps = self._value_reps_at(nps, rng)
        if reps is None:
            raise CxDataError("no bootstrap replicates: build the table with replicates")
        return reps

    def money_lost(self) -> FloatArray:
        """Customer equity lost below excellence per channel (currency), shape (C,)."""
        target = np.maximum(self.excellent_nps, self.nps_today)
        return self.value_at(target) - self.value_at(self.nps_today)

    def value_per_point(self) -> FloatArray:
        """Customer equity of one more NPS point per channel (currency per point)."""
        return self.value_at(self.nps_today + 1.0) - self.value_at(self.nps_today)

    # ------------------------------------------------------------------ costs
    def cost_at(self, nps: npt.ArrayLike) -> FloatArray:
        """Yearly cost per channel at ``nps`` (currency per year); NaN without cost models."""
        target = np.broadcast_to(np.asarray(nps, dtype=np.float64), self.nps_today.shape)
        if not self.cost_models:
            return np.full(target.shape, np.nan)
        out = [
            float(np.asarray(self.cost_models[ch].cost_at(x))) if ch in self.cost_models else np.nan
            for ch, x in zip(self.channels, target, strict=True)
        ]
        return np.asarray(out, dtype=np.float64)

    def payback_months(self) -> FloatArray:
        """Months until the value of moving to excellence repays its extra cost (inf: never)."""
        target = np.maximum(self.excellent_nps, self.nps_today)
        delta = self.mix_shift.shares_at(self.shares_today, target) - self.shares_today
        gain = self.customers[:, None] * np.einsum("cb,cbt->ct", delta, self.band_flows)
        extra = self.cost_at(target) - self.cost_at(self.nps_today)
        disc = annuity_months(self.monthly_discount_rate, self.horizon_months)
        cost = (extra[:, None] / 12.0) * disc[None, :]
        reached = np.cumsum(gain, axis=1) >= np.cumsum(cost, axis=1)
        first = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1.0, np.inf)
        return np.where(extra <= 0, 0.0, first)

    # ------------------------------------------------------------------ table
    def to_frame(self, *, seed: int = 0) -> pd.DataFrame:
        """One row per channel plus a ``total`` row; money in ``currency``.

        Columns: channel, customers, nps, nps_lower, nps_upper, excellent_nps,
        excellent_source, value_per_point (+ _lower/_upper), money_lost (equity,
        + _lower/_upper), money_lost_per_year (+ _lower/_upper), cost_today,
        cost_excellent, cost_of_excellence (per year), net_value (equity minus the
        present value of the extra cost), payback_months, roi (net value / present
        value of the extra cost).
        """
        rng = np.random.default_rng(seed)
        target = np.maximum(self.excellent_nps, self.nps_today)
        lost = self.money_lost()
        vpp = self.value_per_point()
        frame = pd.DataFrame(
            {
                "channel": list(self.channels),
                "customers": self.customers,
                "nps": self.nps_today,
                "nps_lower": self.nps_lower,
                "nps_upper": self.nps_upper,
                "excellent_nps": self.excellent_nps,
                "excellent_source": list(self.excellent_source),
                "value_per_point": vpp,
                "money_lost": lost,
            }
        )
        reps_today = self._value_reps_at(self.nps_today, rng)
        if reps_today is not None:
            state = rng.bit_generator.state
            lost_reps = self._reps_or_fail(target, rng) - reps_today
            rng.bit_generator.state = state  # same coefficient draws for the +1 point
            vpp_reps = self._reps_or_fail(self.nps_today + 1.0, rng) - reps_today
            frame["value_per_point_lower"], frame["value_per_point_upper"] = _percentile_interval(
                vpp_reps, self.level
            )
            frame["money_lost_lower"], frame["money_lost_upper"] = _percentile_interval(
                lost_reps, self.level
            )
        annuity = self.annuity
        frame["money_lost_per_year"] = lost / annuity
        if reps_today is not None:
            frame["money_lost_per_year_lower"] = frame["money_lost_lower"] / annuity
            frame["money_lost_per_year_upper"] = frame["money_lost_upper"] / annuity
        cost_today = self.cost_at(self.nps_today)
        cost_exc = self.cost_at(target)
        extra = cost_exc - cost_today
        frame["cost_today"] = cost_today
        frame["cost_excellent"] = cost_exc
        frame["cost_of_excellence"] = extra
        frame["net_value"] = lost - extra * annuity
        frame["payback_months"] = self.payback_months()
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["roi"] = np.where(extra > 0, (lost - extra * annuity) / (extra * annuity), np.nan)
        return _with_total(frame)

    def _notes(self) -> list[str]:
        notes = [
            f"money in {self.currency}; equity = present value over {self.horizon_months} months; "
            f"mix shift rule: {self.mix_shift.rule}"
        ]
        if not self.cost_models:
            notes.append("no cost curves given: cost, net value, payback and ROI are not available")
        return notes


_SUMMED = [
    "customers",
    "value_per_point",
    "money_lost",
    "money_lost_per_year",
    "cost_today",
    "cost_excellent",
    "cost_of_excellence",
    "net_value",
]


def _with_total(frame: pd.DataFrame) -> pd.DataFrame:
    """Append a ``total`` row: sums of additive columns (intervals of sums are not sums)."""
    total: dict[str, object] = {c: np.nan for c in frame.columns}
    total["channel"] = "total"
    total["excellent_source"] = ""
    for c in _SUMMED:
        if c in frame:
            total[c] = float(frame[c].sum(min_count=1))
    extra = float(frame["cost_of_excellence"].sum(min_count=1))
    lost_per_year = float(frame["money_lost_per_year"].sum())
    if extra > 0 and lost_per_year > 0:
        annuity = float(frame["money_lost"].sum()) / lost_per_year
        total["roi"] = float(frame["net_value"].sum()) / (extra * annuity)
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def economics_from_arrays(
    channels: tuple[str, ...],
    customers: npt.ArrayLike,
    band_counts: npt.ArrayLike,
    band_flows: npt.ArrayLike,
    *,
    excellent_nps: npt.ArrayLike,
    monthly_discount_rate: float,
    excellent_source: tuple[str, ...] | None = None,
    band_flow_replicates: npt.ArrayLike | None = None,
    mix_shift: MixShift | None = None,
    cost_models: Mapping[str, CostModel] | None = None,
    n_bootstrap: int = 1000,
    level: float = 0.95,
    currency: str = "EUR",
    seed: int | np.random.Generator = 0,
) -> ChannelEconomics:
    """Assemble :class:`ChannelEconomics` from small arrays (the vectorised core).

    Parameters
    ----------
    channels : tuple of str
    customers : array_like (C,)
        Customers per channel.
    band_counts : array_like (C, 3)
        Survey responses per band (detractor, passive, promoter) per channel; their
        shares are today's mix and a multinomial bootstrap of them its uncertainty.
    band_flows : array_like (C, 3, H)
        Discounted margin per customer per month by band (currency).
    excellent_nps : array_like (C,)
        Excellent level per channel (NPS points).
    monthly_discount_rate : float
        Fraction per month.
    band_flow_replicates : array_like (B, C, 3, H), optional
        Bootstrap replicates of ``band_flows``; with them, intervals are computed and
        ``n_bootstrap`` is ignored (B replicates are used for the mix too).
    mix_shift : MixShift, optional
        Defaults to detractors-first.
    cost_models : mapping channel → CostModel, optional
    seed : int or numpy.random.Generator

    Returns
    -------
    ChannelEconomics
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    counts = np.asarray(band_counts, dtype=np.int64)
    n = counts.sum(axis=1)
    if counts.ndim != 2 or counts.shape[1] != 3 or np.any(n <= 0):
        raise CxDataError(
            "`band_counts` must be (channels, 3) with at least one response per channel"
        )
    shares = counts / n[:, None]
    nps = 100.0 * (shares[:, 2] - shares[:, 0])
    flows = np.asarray(band_flows, dtype=np.float64)
    reps = None if band_flow_replicates is None else np.asarray(band_flow_replicates, np.float64)
    b = n_bootstrap if reps is None else reps.shape[0]
    draws = rng.multinomial(np.tile(n, (b, 1)), np.broadcast_to(shares, (b, *shares.shape)))
    share_reps = draws / n[None, :, None]
    nps_reps = 100.0 * (share_reps[..., 2] - share_reps[..., 0])
    lo, hi = _percentile_interval(nps_reps, level)
    if reps is None:
        reps = np.broadcast_to(flows, (b, *flows.shape))
    return ChannelEconomics(
        channels=tuple(channels),
        customers=np.asarray(customers, dtype=np.float64),
        shares_today=shares,
        nps_today=nps,
        nps_lower=lo,
        nps_upper=hi,
        excellent_nps=np.asarray(excellent_nps, dtype=np.float64),
        excellent_source=excellent_source or ("given",) * len(channels),
        band_flows=flows,
        band_flow_replicates=reps,
        share_replicates=share_reps,
        mix_shift=mix_shift or MixShift(),
        cost_models=cost_models,
        monthly_discount_rate=monthly_discount_rate,
        currency=currency,
        level=level,
    )
