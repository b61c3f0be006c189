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

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics._results import Result
from cx_economics.assumptions import Assumptions
from cx_economics.bands import BAND_ORDER
from cx_economics.data import (
    ChannelCosts,
    Customers,
    Responses,
    validate_channel_costs,
    validate_customers,
    validate_responses,
)
from cx_economics.effort import CustomerEffort
from cx_economics.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.impact import MixRule, MixShift
from cx_economics.parameters import check_n_bootstrap, rng_from_seed
from cx_economics.plausibility import cost_scale_hint
from cx_economics.survival.fit import ChurnModel
from cx_economics.tables.life import LifeTable
from cx_economics.tables.nps_counts import NpsCounts

__all__ = [
    "ChannelEconomics",
    "CostModel",
    "annuity_months",
    "band_flows",
    "channel_economics",
    "economics_from_arrays",
    "economics_from_tables",
]

FloatArray = npt.NDArray[np.float64]


class CostModel(Protocol):
    """Anything that gives a channel's yearly cost (currency per year) at an NPS level."""

    def cost_at(self, nps: npt.ArrayLike) -> npt.ArrayLike:
        """Yearly cost (currency per year) of running the channel at ``nps``."""


def answers_in_window(
    responses: pd.DataFrame, cutoff: pd.Timestamp, window_months: int
) -> pd.DataFrame:
    """The survey answers that make "NPS today": the last ``window_months`` months.

    Answers dated in ``(cutoff − window_months, cutoff]``; answers after the cut-off
    are left out, as :func:`~cx_economics.tables.life.life_table` leaves them out of
    the bands. The report's NPS pages use the same window.

    Parameters
    ----------
    responses : pandas.DataFrame
        Validated answers (``Responses.frame``) with ``response_date``.
    cutoff : pandas.Timestamp
        Data cut-off (the customers' ``as_of``, else the latest answer).
    window_months : int
        Length of the window (months).

    Returns
    -------
    pandas.DataFrame
        The rows of ``responses`` inside the window (a filtered view, index kept).

    Examples
    --------
    >>> frame = pd.DataFrame({"response_date": pd.to_datetime(
    ...     ["2024-12-31", "2025-01-01", "2025-12-31", "2026-01-02"])})
    >>> answers_in_window(frame, pd.Timestamp("2025-12-31"), 12).index.tolist()
    [1, 2]
    """
    dates = responses["response_date"]
    start = cutoff - pd.DateOffset(months=window_months)
    return responses[(dates > start) & (dates <= cutoff)]


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
    customer_effort : CustomerEffort, optional
        The customers' own cost per channel (contacts, repeats, minutes), shown beside
        the company's cost so a channel that saves money by shifting work onto
        customers is visible.

    Examples
    --------
    >>> import numpy as np
    >>> # 10,000 web customers, 40/30/30 % detractors/passives/promoters earning 4, 8 and 9
    >>> # a month for 60 months (240, 480, 540 each), no discounting, excellent NPS 40
    >>> flows = np.tile([[4.0], [8.0], [9.0]], (1, 1, 60))
    >>> econ = economics_from_arrays(("web",), [10_000], [[400, 300, 300]], flows,
    ...     excellent_nps=[40.0], monthly_discount_rate=0.0, n_bootstrap=50)
    >>> row = econ.to_frame().iloc[0]
    >>> round(float(row["value_per_point"]), 6)  # 1 % from detractor to passive: 100 x 240
    24000.0
    >>> round(float(row["money_lost"]), 6)  # all detractors to passive, 10 % passive to promoter
    1020000.0
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
    customer_effort: CustomerEffort | None = None

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

    def _value_reps_at(
        self,
        nps: FloatArray,
        rng: np.random.Generator,
        band_values: FloatArray,
        *,
        relative: bool = True,
    ) -> FloatArray:
        """Replicates (B, C) of customer equity at ``nps`` per channel.

        ``band_values`` (B, C, 3) are the replicates' lifetime values per customer by
        band (currency). ``relative``: each replicate moves by ``nps − nps_today``
        points from its own NPS (value of a point); otherwise it moves to
        ``max(nps, its own NPS)`` (money lost below an absolute bar, so the gap carries
        today's sampling uncertainty).
        """
        assert self.share_replicates is not None
        b = self.share_replicates.shape[0]
        coef = self.mix_shift.draw_coefficients(b, rng)
        coef = None if coef is None else coef[:, None, :]
        rep_nps = 100.0 * (self.share_replicates[..., 2] - self.share_replicates[..., 0])
        target = rep_nps + (nps - self.nps_today) if relative else np.maximum(nps, rep_nps)
        shares = self.mix_shift.shares_at(self.share_replicates, target, coefficients=coef)
        out: FloatArray = self.customers * np.sum(shares * band_values, axis=-1)
        return out

    def money_lost(self) -> FloatArray:
        """Customer equity lost below excellence per channel (currency), shape (C,)."""
        target = np.maximum(self.excellent_nps, self.nps_today)
        return self.value_at(target) - self.value_at(self.nps_today)

    def value_per_point(self) -> FloatArray:
        """Customer equity of one more NPS point per channel (currency per point)."""
        return self.value_at(self.nps_today + 1.0) - self.value_at(self.nps_today)

    # ------------------------------------------------------------------ costs
    def cost_at(self, nps: npt.ArrayLike) -> FloatArray:
        """Yearly cost per channel at ``nps`` (currency per year); NaN without cost models.

        Extrapolation warnings of the cost curves are not repeated on every call;
        :meth:`summary` notes the channels whose levels lie outside their curve's range.
        """
        target = np.broadcast_to(np.asarray(nps, dtype=np.float64), self.nps_today.shape)
        if not self.cost_models:
            return np.full(target.shape, np.nan)
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CxAssumptionWarning)
            for ch, x in zip(self.channels, target, strict=True):
                model = self.cost_models.get(ch)
                out.append(np.nan if model is None else float(np.asarray(model.cost_at(x))))
        return np.asarray(out, dtype=np.float64)

    def _extrapolated_costs(self) -> list[str]:
        """Channels whose today or excellent NPS lies outside their cost curve's range."""
        found = []
        for ch, today, bar in zip(self.channels, self.nps_today, self.excellent_nps, strict=True):
            model = (self.cost_models or {}).get(ch)
            span = getattr(model, "valid_range", None)
            if span is not None and not (span[0] <= min(today, bar) and max(today, bar) <= span[1]):
                found.append(f"{ch} (NPS {today:.0f}→{bar:.0f}, curve {span[0]:g}–{span[1]:g})")
        return found

    def implausible_costs(self) -> list[str]:
        """Channels whose yearly cost is off the scale of their customers' margin.

        A channel costing less than :data:`~cx_economics.plausibility.COST_SCALE_BOUNDS`
        ``[0]`` (0.1 %) of the yearly margin of its customers, or less than
        :data:`~cx_economics.plausibility.MIN_ANNUAL_CHANNEL_COST` (1,000 a year, which
        catches costs in thousands on a small base), most likely has its costs in
        thousands; one costing more than ``[1]`` (10×) that margin, in cents — every
        target and net value built on it would be off by the same factor. The margin
        per customer per year is read off the first month of the value flows (12 ×
        today's mix of band flows), a rough figure that is enough to catch factors of
        a thousand. See :func:`cx_economics.plausibility.cost_scale_hint`.

        Returns
        -------
        list of str
            One description per suspicious channel (empty when all look plausible or
            there are no cost curves).
        """
        if not self.cost_models:
            return []
        cost = self.cost_at(self.nps_today)
        yearly_margin = 12.0 * np.sum(self.shares_today * self.band_flows[..., 0], axis=-1)
        base = self.customers * yearly_margin
        found = []
        for ch, c, m, n in zip(self.channels, cost, base, self.customers, strict=True):
            hint = cost_scale_hint(float(c), float(m), self.currency) if n > 0 else None
            if hint is None:
                continue
            found.append(
                f"{ch}: {c:,.0f} {self.currency}/year, {c / n:,.4g} per customer against a "
                f"margin of {m / n:,.4g} per customer per year (cost in {hint})"
            )
        return found

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
        excellent_source, value_per_point (+ _lower/_upper), money_lost (present value
        of the equity over the horizon, + _lower/_upper), money_lost_per_year (its level
        yearly equivalent: the yearly amount whose present value over the horizon is
        ``money_lost``, not a recurring yearly loss; + _lower/_upper), cost_today,
        cost_excellent, cost_of_excellence (per year), net_value (equity minus the
        present value of the extra cost), payback_months, roi (net value / present
        value of the extra cost).
        """
        rng = rng_from_seed(seed)
        target = np.maximum(self.excellent_nps, self.nps_today)
        lost = self.money_lost()
        columns: dict[str, npt.ArrayLike] = {  # built as one frame at the end
            "channel": list(self.channels),
            "customers": self.customers,
            "nps": self.nps_today,
            "nps_lower": self.nps_lower,
            "nps_upper": self.nps_upper,
            "excellent_nps": self.excellent_nps,
            "excellent_source": list(self.excellent_source),
            "value_per_point": self.value_per_point(),
            "money_lost": lost,
        }
        total_interval: tuple[float, float] | None = None
        lost_interval: tuple[FloatArray, FloatArray] | None = None
        if self.band_flow_replicates is not None and self.share_replicates is not None:
            band_values = self.band_flow_replicates.sum(axis=-1)  # (B, C, 3), used 3 times
            reps_today = self._value_reps_at(self.nps_today, rng, band_values)
            state = rng.bit_generator.state
            lost_reps = self._value_reps_at(target, rng, band_values, relative=False) - reps_today
            rng.bit_generator.state = state  # same coefficient draws for the +1 point
            vpp_reps = self._value_reps_at(self.nps_today + 1.0, rng, band_values) - reps_today
            columns["value_per_point_lower"], columns["value_per_point_upper"] = (
                _percentile_interval(vpp_reps, self.level)
            )
            lost_interval = _percentile_interval(lost_reps, self.level)
            columns["money_lost_lower"], columns["money_lost_upper"] = lost_interval
            lo, hi = _percentile_interval(lost_reps.sum(axis=1), self.level)
            total_interval = (float(lo), float(hi))
        annuity = self.annuity
        columns["money_lost_per_year"] = lost / annuity
        if lost_interval is not None:
            columns["money_lost_per_year_lower"] = lost_interval[0] / annuity
            columns["money_lost_per_year_upper"] = lost_interval[1] / annuity
        cost_today = self.cost_at(self.nps_today)
        cost_exc = self.cost_at(target)
        extra = cost_exc - cost_today
        columns["cost_today"] = cost_today
        columns["cost_excellent"] = cost_exc
        columns["cost_of_excellence"] = extra
        columns["net_value"] = lost - extra * annuity
        columns["payback_months"] = self.payback_months()
        with np.errstate(divide="ignore", invalid="ignore"):
            columns["roi"] = np.where(
                extra > 0, (lost - extra * annuity) / (extra * annuity), np.nan
            )
        if self.customer_effort is not None:
            effort = self.customer_effort.to_frame().set_index("channel")
            effort = effort.reindex(list(self.channels))
            columns["customer_contacts_per_year"] = effort["contacts_per_customer_year"].to_numpy()
            columns["customer_repeat_share"] = effort["repeat_share"].to_numpy()
            columns["customer_minutes_per_year"] = effort["customer_minutes_per_year"].to_numpy()
            columns["customer_time_cost"] = (
                effort["customer_time_cost_per_year"].to_numpy() * self.customers
            )
        frame = pd.DataFrame(columns)
        return _with_total(frame, total_interval, self.annuity)

    def _notes(self) -> list[str]:
        notes = [
            f"money in {self.currency}; equity = present value over {self.horizon_months} months; "
            f"mix shift rule: {self.mix_shift.rule}"
        ]
        if not self.cost_models:
            notes.append("no cost curves given: cost, net value, payback and ROI are not available")
        far = self._extrapolated_costs()
        if far:
            notes.append("costs extrapolated beyond the cost curve's range: " + ", ".join(far))
        odd = self.implausible_costs()
        if odd:
            notes.append("channel costs off the scale of the margin: " + "; ".join(odd))
        return notes


_SUMMED = [
    "customer_time_cost",
    "customers",
    "value_per_point",
    "money_lost",
    "money_lost_per_year",
    "cost_today",
    "cost_excellent",
    "cost_of_excellence",
    "net_value",
]


def _with_total(
    frame: pd.DataFrame, lost_interval: tuple[float, float] | None, annuity: float
) -> pd.DataFrame:
    """Append a ``total`` row: sums of additive columns.

    The interval of the total money lost comes from the per-replicate sums across
    channels (adding the channels' bounds would be too wide).
    """
    total: dict[str, object] = {c: np.nan for c in frame.columns}
    total["channel"] = "total"
    total["excellent_source"] = ""
    for c in _SUMMED:
        if c in frame:
            total[c] = float(frame[c].sum(min_count=1))
    if lost_interval is not None:
        total["money_lost_lower"], total["money_lost_upper"] = lost_interval
        total["money_lost_per_year_lower"] = lost_interval[0] / annuity
        total["money_lost_per_year_upper"] = lost_interval[1] / annuity
    extra = float(frame["cost_of_excellence"].sum(min_count=1))
    if extra > 0:
        total["roi"] = float(frame["net_value"].sum()) / (extra * annuity)
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def _require_cost_for_every_channel(
    have: Iterable[str], channels: tuple[str, ...], source: str
) -> None:
    """Refuse cost curves that leave out channels of the base.

    A channel without a cost would get a NaN cost and net value while its money lost
    still counts, so the total row would set four channels' value against three
    channels' cost. ``source`` names where the curves came from in the message.
    """
    missing = sorted(set(channels) - set(have))
    if missing:
        raise CxDataError(
            f"{source} has no cost for channel(s) {missing} of the customer base "
            f"(channels {sorted(channels)}); their cost, net value and ROI would be "
            "missing while their money lost still counts in the total. Give cost points "
            "for every channel, or leave costs out altogether"
        )


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
    customer_effort: CustomerEffort | None = None,
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
        One yearly cost curve (currency per year) per channel; when given, a channel
        without one is an error (:class:`CxDataError`), never a NaN cost.
    customer_effort : CustomerEffort, optional
        Customers' own cost per channel, see :func:`cx_economics.effort.customer_effort`.
    seed : int or numpy.random.Generator

    Returns
    -------
    ChannelEconomics
    """
    rng = rng_from_seed(seed)
    if cost_models:
        _require_cost_for_every_channel(cost_models, tuple(channels), "`cost_models`")
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
    _warn_excellence_within_noise(channels, excellent_nps, excellent_source, lo, hi, level)
    if reps is None:
        reps = np.broadcast_to(flows, (b, *flows.shape))
    economics = ChannelEconomics(
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
        customer_effort=customer_effort,
    )
    odd = economics.implausible_costs()
    if odd:
        warnings.warn(
            f"{len(odd)} channel cost(s) are off the scale of the customers' margin, "
            f"check their unit: {'; '.join(odd)}",
            CxAssumptionWarning,
            stacklevel=2,
        )
    return economics


# --------------------------------------------------------------------------- from data


def _warn_excellence_within_noise(
    channels: Sequence[str],
    excellent: npt.ArrayLike,
    sources: Sequence[str] | None,
    lower: FloatArray,
    upper: FloatArray,
    level: float,
) -> None:
    """Warn where a team-derived excellent level lies inside today's NPS interval.

    There the best quartile of teams is no farther from today than the sampling noise
    of today's NPS: the "money lost" measures the spread between similar teams, not
    the money at stake.
    """
    levels = np.asarray(excellent, dtype=np.float64)
    derived = [str(s).startswith("best quartile") for s in (sources or [""] * len(channels))]
    inside = [i for i, _ in enumerate(channels) if derived[i] and lower[i] <= levels[i] <= upper[i]]
    if inside:
        names = ", ".join(channels[i] for i in inside)
        detail = "; ".join(
            f"{channels[i]} excellent {levels[i]:+.1f}, today {lower[i]:+.1f} … {upper[i]:+.1f}"
            for i in inside
        )
        warnings.warn(
            f"{names}: excellent NPS within today's {level:.0%} interval, so money lost "
            "measures the spread between teams; set Assumptions.excellent_nps to a level "
            f"you aim for ({detail})",
            CxAssumptionWarning,
            stacklevel=3,
        )


def _excellent_levels(
    team_counts: NpsCounts | None,
    channels: tuple[str, ...],
    given: Mapping[str, float],
    reliability_margin: float,
) -> tuple[FloatArray, tuple[str, ...]]:
    """Excellent NPS per channel: as given, else the best quartile of reliable teams."""
    levels, sources = [], []
    teams = None
    if team_counts is not None and set(channels) - set(given):
        from cx_economics.nps import nps  # only needed (and imported) for team levels

        teams = nps(team_counts, by=("channel", "team"), reliability_margin=reliability_margin)
    missing: list[str] = []
    for ch in channels:
        if ch in given:
            levels.append(float(given[ch]))
            sources.append("assumption")
            continue
        if teams is None:
            missing.append(f"{ch!r} (no `team` column in the responses)")
            levels.append(np.nan)
            sources.append("")
            continue
        mask = np.array([g[0] == ch for g in teams.groups]) & teams.reliable
        if mask.sum() < 2:
            missing.append(f"{ch!r} ({int(mask.sum())} of {sum(g[0] == ch for g in teams.groups)} "
                           "teams with a reliable NPS, 2 needed)")  # fmt: skip
            levels.append(np.nan)
            sources.append("")
            continue
        levels.append(float(np.quantile(teams.nps[mask], 0.75)))
        sources.append(f"best quartile of {int(mask.sum())} teams")
    if missing:
        raise CxDataError(
            f"no excellent NPS for {len(missing)} channel(s): {', '.join(missing)}; the "
            "default is the best quartile of a channel's reliable teams: set "
            "Assumptions.excellent_nps for these channels (e.g. an external benchmark level)"
        )
    return np.asarray(levels, dtype=np.float64), tuple(sources)


def band_flows(
    table: LifeTable,
    assumptions: Assumptions,
    *,
    model: ChurnModel = "auto",
    n_bootstrap: int | None = None,
    seed: int | np.random.Generator = 0,
) -> tuple[tuple[str, ...], FloatArray, FloatArray]:
    """Discounted margin per customer per month by channel and band, with replicates.

    Parameters
    ----------
    table : LifeTable
        Grouped by ``("band", "channel")``.
    assumptions : Assumptions
        Horizon, discount rate, margins.
    model : str
        Churn model for :func:`cx_economics.survival.fit_churn`.
    n_bootstrap : int, optional
        Replicates (default ``assumptions.n_bootstrap``).
    seed : int or numpy.random.Generator

    Returns
    -------
    channels : tuple of str
    flows : ndarray (C, 3, H)
        ``margin_b × S_b(t) / (1+i)^t`` per customer (currency) for months 1..H.
    replicates : ndarray (B, C, 3, H)
        The same from life-table bootstrap replicates: curves and margins are
        resampled jointly (the same customers); margins set by assumption stay fixed.
    """
    from cx_economics.margins import margin_by_band
    from cx_economics.survival.bootstrap import (
        replicate_mean_revenue,
        replicate_survival,
        resample_life_table,
    )
    from cx_economics.survival.fit import fit_churn

    if tuple(table.group_columns) != ("band", "channel"):
        raise CxDataError(
            f"`table` must be grouped by ('band', 'channel'), got {table.group_columns}"
        )
    horizon = assumptions.horizon_months
    b = assumptions.n_bootstrap if n_bootstrap is None else check_n_bootstrap(n_bootstrap)
    curves = fit_churn(table, model=model, by=("band", "channel"), horizon_months=horizon)
    margins = margin_by_band(table, assumptions=assumptions)
    channels = tuple(sorted({g[1] for g in curves.groups}))
    keys = [(band.value, ch) for ch in channels for band in BAND_ORDER]
    missing = [k for k in keys if k not in curves.groups or k not in margins.groups]
    if missing:
        raise CxDataError(
            f"no rated customers for band × channel {missing[:3]}: every channel needs "
            "customers in every band to price its mix"
        )
    rows = [curves.groups.index(k) for k in keys]
    margin_rows = [margins.groups.index(k) for k in keys]
    margin = margins.monthly_margin[margin_rows]
    disc = annuity_months(assumptions.monthly_discount_rate, horizon)
    point = curves.survival[rows, 1 : horizon + 1] * (margin[:, None] * disc)
    # only the priced groups are resampled (not e.g. the unrated band)
    counts = resample_life_table(table, n_replicates=b, seed=seed, groups=keys)
    reps = replicate_survival(table, counts, horizon_months=horizon, tail=curves, groups=keys)
    margin_reps = np.broadcast_to(margin, (b, margin.size)).copy()
    from_data = np.array([margins.source[i] == "data" for i in margin_rows])
    if table.has_revenue and from_data.any():
        revenue = replicate_mean_revenue(table, counts, seed=seed, groups=keys)
        margin_reps[:, from_data] = revenue[:, from_data] * margins.margin_rate
    flows = reps[:, :, 1 : horizon + 1]  # in place: a view, no new (B, G, H) array
    flows *= margin_reps[:, :, None]
    flows *= disc[None, None, :]
    shape = (len(channels), len(BAND_ORDER), horizon)
    return channels, point.reshape(shape), flows.reshape((b, *shape))


def _cost_models(
    channel_costs: pd.DataFrame | ChannelCosts | None,
    cost_models: Mapping[str, CostModel] | None,
    channels: tuple[str, ...],
) -> Mapping[str, CostModel] | None:
    if cost_models is not None:
        return cost_models
    if channel_costs is None:
        return None
    from cx_economics.cost import cost_curves_from_table

    valid = validate_channel_costs(channel_costs, known_channels=channels)
    _require_cost_for_every_channel(valid.channels, channels, "`channel_costs` (column `channel`)")
    return cost_curves_from_table(valid.frame)


def economics_from_tables(
    table: LifeTable,
    counts: NpsCounts,
    active_customers: Mapping[str, float],
    *,
    assumptions: Assumptions | None = None,
    team_counts: NpsCounts | None = None,
    channel_costs: pd.DataFrame | ChannelCosts | None = None,
    cost_models: Mapping[str, CostModel] | None = None,
    mix_shift: MixShift | MixRule = "detractors_first",
    model: ChurnModel = "auto",
    reliability_margin: float = 10.0,
    customer_effort: CustomerEffort | None = None,
    seed: int | np.random.Generator = 0,
) -> ChannelEconomics:
    """Build the channel economics table from sufficient statistics only.

    This is the scale path: the life table and NPS counts may come from any engine
    (see :mod:`cx_economics.engines`); nothing here touches raw rows. Parameters not
    listed below are as in :func:`channel_economics`.

    Parameters
    ----------
    table : LifeTable
        Grouped by ``("band", "channel")``.
    counts : NpsCounts
        Today's band counts by ``channel``.
    active_customers : mapping channel → number
        Customers each channel serves today.
    team_counts : NpsCounts, optional
        Band counts by ``("channel", "team")``, for the best-quartile excellence level.

    Returns
    -------
    ChannelEconomics

    Examples
    --------
    >>> from cx_economics.datasets import simulate
    >>> from cx_economics.tables import life_table, nps_counts
    >>> sim = simulate(3000, seed=1)
    >>> table = life_table(sim.customers, sim.responses, by=("band", "channel"))
    >>> counts = nps_counts(sim.responses, by="channel")
    >>> active = sim.customers.loc[~sim.customers["churned"]].groupby("channel").size()
    >>> excellent = Assumptions(excellent_nps=dict.fromkeys(active.index, 40.0), n_bootstrap=100)
    >>> econ = economics_from_tables(table, counts, active.to_dict(), assumptions=excellent)
    >>> econ.channels
    ('branch', 'chat', 'phone', 'web')
    >>> bool((econ.to_frame()["value_per_point"] > 0).all())  # currency per NPS point
    True
    """
    a = assumptions or Assumptions()
    rng = rng_from_seed(seed)
    channels, flows, reps = band_flows(table, a, model=model, seed=rng)
    by_channel = {g[0]: i for i, g in enumerate(counts.groups)}
    absent = [ch for ch in channels if ch not in by_channel]
    if absent:
        raise CxDataError(f"`counts`: no survey answers for channel(s) {absent}")
    idx = [by_channel[ch] for ch in channels]
    band_counts = np.column_stack(
        [counts.detractors[idx], counts.passives[idx], counts.promoters[idx]]
    )
    excellent, sources = _excellent_levels(
        team_counts, channels, a.excellent_nps, reliability_margin
    )
    shift = mix_shift if isinstance(mix_shift, MixShift) else MixShift(mix_shift)
    return economics_from_arrays(
        channels,
        np.array([float(active_customers.get(ch, 0.0)) for ch in channels]),
        band_counts,
        flows,
        excellent_nps=excellent,
        excellent_source=sources,
        monthly_discount_rate=a.monthly_discount_rate,
        band_flow_replicates=reps,
        mix_shift=shift,
        cost_models=_cost_models(channel_costs, cost_models, channels),
        level=a.confidence_level,
        currency=a.currency,
        customer_effort=customer_effort,
        seed=rng,
    )


def channel_economics(
    customers: pd.DataFrame | Customers,
    responses: pd.DataFrame | Responses,
    *,
    assumptions: Assumptions | None = None,
    channel_costs: pd.DataFrame | ChannelCosts | None = None,
    cost_models: Mapping[str, CostModel] | None = None,
    mix_shift: MixShift | MixRule = "detractors_first",
    model: ChurnModel = "auto",
    window_months: int = 12,
    reliability_margin: float = 10.0,
    customer_effort: CustomerEffort | None = None,
    seed: int | np.random.Generator = 0,
) -> ChannelEconomics:
    """Build the channel economics table from customers, responses and costs.

    Parameters
    ----------
    customers, responses : pandas.DataFrame or validated tables
        The base (a customer's ``channel`` is the channel that shapes their
        experience) and survey answers.
    assumptions : Assumptions, optional
        Discount rate, horizon, margins, excellent levels, bootstrap replicates.
    channel_costs : pandas.DataFrame or ChannelCosts, optional
        Finance's cost points (channel, nps, annual_cost in currency per year);
        turned into cost curves. Every channel of the base needs at least one point:
        a channel left out is a :class:`CxDataError` naming it. Costs off the scale
        of the margin warn (see :mod:`cx_economics.plausibility`).
    cost_models : mapping channel → CostModel, optional
        Ready cost curves (e.g. from :func:`cx_economics.cost.fit_cost_curves`), one
        per channel; they take precedence over ``channel_costs``.
    mix_shift : MixShift or str
        How a channel's mix moves with its NPS (``"detractors_first"``,
        ``"proportional"``, or a fitted :class:`~cx_economics.impact.MixShift`).
    model : str
        Churn model passed to :func:`cx_economics.survival.fit_churn`.
    window_months : int, default 12
        Today's mix uses the answers of the last ``window_months`` months.
    reliability_margin : float, default 10
        Teams whose NPS interval is wider than ± this (points) do not set the
        best-quartile excellence level.
    customer_effort : CustomerEffort, optional
        Customers' own cost per channel (:func:`cx_economics.effort.customer_effort`),
        added as columns beside the company's cost.
    seed : int or numpy.random.Generator

    Returns
    -------
    ChannelEconomics
        Intervals carry the uncertainty of today's mix (multinomial bootstrap of the
        answers), of the churn curves and of margins estimated from revenue (joint
        life-table bootstrap).

    Examples
    --------
    >>> from cx_economics.datasets import load_demo
    >>> demo = load_demo()
    >>> econ = channel_economics(demo.customers, demo.responses,
    ...                          channel_costs=demo.channel_costs,
    ...                          assumptions=Assumptions(n_bootstrap=100))
    >>> econ.channels
    ('branch', 'chat', 'phone', 'web')
    """
    from cx_economics.tables.life import life_table
    from cx_economics.tables.nps_counts import nps_counts

    cust = validate_customers(customers)
    resp = validate_responses(responses)
    (assumptions or Assumptions()).check_channels(cust.channels, where="`customers`")
    cutoff = cust.as_of or resp.frame["response_date"].max()
    recent = answers_in_window(resp.frame, cutoff, window_months)
    if len(recent) == 0:
        raise CxDataError(f"`responses`: no answers in the last {window_months} months")
    strangers = ~recent["channel"].isin(list(cust.channels))
    if strangers.any():
        names = sorted(set(recent.loc[strangers, "channel"]))
        warnings.warn(
            f"`responses`: {int(strangers.sum())} answers of the last {window_months} months "
            f"are for channel(s) {names} that no customer belongs to (renamed channel?); "
            "they are left out of today's mix. Map them onto the customers' channel names.",
            CxAssumptionWarning,
            stacklevel=2,
        )
    recent_resp = Responses(recent, scheme=resp.scheme)
    team_counts = (
        nps_counts(recent_resp, by=("channel", "team")) if "team" in recent.columns else None
    )
    active = cust.frame.loc[~cust.frame["churned"], "channel"].value_counts()
    return economics_from_tables(
        life_table(cust, resp, by=("band", "channel")),
        nps_counts(recent_resp, by="channel"),
        {str(k): float(v) for k, v in active.items()},
        assumptions=assumptions,
        team_counts=team_counts,
        channel_costs=channel_costs,
        cost_models=cost_models,
        mix_shift=mix_shift,
        model=model,
        reliability_margin=reliability_margin,
        customer_effort=customer_effort,
        seed=seed,
    )
