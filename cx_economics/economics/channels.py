"""The channel economics table: value lost below excellence beside what excellence costs.

One row per channel: its active customers, NPS today (with interval), the excellent
level, the value of one more NPS point, money lost below excellence (present value
and its level yearly equivalent, with intervals), the extra yearly cost of
excellence, the net value of moving there, its payback and return.

Priced on today's active customers
----------------------------------
* **Today's mix** is the active base's: each active customer at the cut-off in the
  band the delayed-entry life table puts them in today (their latest answer's).
  Unrated active customers are shared out by the band mix of the rated active
  customers of their channel and tenure class (:data:`TENURE_CLASS_MONTHS`, thin
  classes merged); they are never dropped nor priced as a band of their own.
* **A band move is valued by residual value**: what the channel's active customers
  bring from today on, given the months they have already stayed,
  ``m_b Σ_t S_b(a + t) / S_b(a) (1+i)^-t``, averaged over the channel's tenures.
  A move of the channel's NPS shifts the same shares in every tenure class.

Units and conventions
---------------------
* Money lost and the value of a point are present values (currency) over
  ``horizon_months`` of the channel's active customers' margins, discounted monthly.
* ``money_lost_yearly_equivalent`` is its level yearly equivalent, the yearly amount with the
  same present value over the horizon: ``money lost / annuity``,
  ``annuity = Σ_{t=1..H} (1+i)^{-t} / 12``. It is not a recurring yearly loss.
* Costs are currency per year; their present value over the horizon is
  ``annual cost × annuity``.
* Payback: value arrives as the better mix keeps customers longer, month by month
  (``customers × Σ_b Δshare_b × flow_b(t)``), while the extra cost arrives evenly;
  payback is the first month the cumulative value reaches the cumulative cost
  (``inf`` when not within the horizon).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.core.finance import annuity_factor, discount_factors, first_month_repaid
from cx_economics.core.intervals import percentile_interval
from cx_economics.core.parameters import rng_from_seed
from cx_economics.core.results import Result
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.plausibility import cost_scale_hint
from cx_economics.data.schemas import (
    ChannelCosts,
    Customers,
    Responses,
    validate_channel_costs,
    validate_customers,
    validate_responses,
)
from cx_economics.data.window import answers_in_window
from cx_economics.economics.effort import CustomerEffort
from cx_economics.economics.impact import MixRule, MixShift, mix_gain
from cx_economics.scores.excellence import excellent_levels, warn_excellence_within_noise
from cx_economics.survival.fit import ChurnModel
from cx_economics.tables.life import LifeTable
from cx_economics.tables.nps_counts import NpsCounts
from cx_economics.value.active import active_base, active_mix, point_mix
from cx_economics.value.flows import band_flows

__all__ = [
    "ChannelEconomics",
    "CostModel",
    "channel_economics",
    "confounding_sensitivity",
    "economics_from_arrays",
    "economics_from_tables",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class CostModel(Protocol):
    """Anything that gives a channel's yearly cost (currency per year) at an NPS level.

    Examples
    --------
    >>> from cx_economics.economics.cost import cost_curve_from_points
    >>> curve: CostModel = cost_curve_from_points("web", [20, 50], [70e3, 210e3])
    >>> round(float(curve.cost_at(50.0)))
    210000
    """

    def cost_at(self, nps: npt.ArrayLike) -> npt.ArrayLike:
        """Yearly cost (currency per year) of running the channel at ``nps``."""


@dataclass(frozen=True, eq=False)
class ChannelEconomics(Result):
    """Per-channel economics of CX; see the module docstring for units.

    Attributes
    ----------
    channels : tuple of str
    customers : ndarray (C,)
        Active customers whose experience the channel shapes (rated and unrated).
    shares_today : ndarray (C, 3)
        Detractor, passive, promoter shares of the active base today (the unrated
        shared out by the rated mix of their tenure class).
    nps_today, nps_lower, nps_upper : ndarray (C,)
        NPS of the active base today and its interval (points); not the survey's NPS
        of the window's answers.
    excellent_nps : ndarray (C,)
        The level counted as excellent (points), and ``excellent_source`` saying where
        it came from.
    band_flows : ndarray (C, 3, H)
        Discounted margin per customer per month by band (currency): with
        :func:`band_flows`, what the channel's active customers bring from today on in
        that band, averaged over their tenures; its sum over the last axis is that
        band's residual value (a lifetime value, for flows of new customers).
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
    survey_responses : ndarray (C,), optional
        Survey answers per channel in the NPS window: what a change of NPS (a target)
        will be measured on, for its detectability.
    mix_coefficient_replicates : ndarray (B, 3), optional
        Draws of an estimated mix-shift rule's coefficients, one per replicate (drawn
        once when the result is built, so reading it never draws); None for fixed rules.
    adjusted_for : tuple of str
        Customer columns the band flows are adjusted for (each customer priced with
        the band curves of their own stratum, see :func:`band_flows`); empty when crude.

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
    survey_responses: FloatArray | None = None
    mix_coefficient_replicates: FloatArray | None = None
    adjusted_for: tuple[str, ...] = ()

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
        return annuity_factor(self.monthly_discount_rate, self.horizon_months) / 12.0

    def gain_at(self, nps: npt.ArrayLike) -> FloatArray:
        """Customer equity (currency) each channel gains if its NPS moved to ``nps`` (points).

        ``nps`` broadcasts against the channels: shape (C,) or (K, C) for a grid. The
        move shifts the same shares in every tenure class of the channel, each band
        valued at its residual value over the channel's tenure mix
        (:func:`cx_economics.economics.impact.mix_gain`).
        """
        return mix_gain(self.shares_today, nps, self.band_values, self.customers, self.mix_shift)

    def _gain_reps_at(
        self, nps: FloatArray, band_values: FloatArray, *, relative: bool = True
    ) -> FloatArray:
        """Replicates (B, C) of the equity gained moving to ``nps`` per channel.

        ``band_values`` (B, C, 3) are the replicates' values per customer by band
        (currency). ``relative``: each replicate moves by ``nps − nps_today`` points
        from its own NPS (value of a point); otherwise it moves to ``max(nps, its own
        NPS)`` (money lost below an absolute bar, so the gap carries the uncertainty of
        today's mix).
        """
        assert self.share_replicates is not None
        coef = self.mix_coefficient_replicates
        coef = None if coef is None else coef[:, None, :]
        rep_nps = 100.0 * (self.share_replicates[..., 2] - self.share_replicates[..., 0])
        target = rep_nps + (nps - self.nps_today) if relative else np.maximum(nps, rep_nps)
        return mix_gain(
            self.share_replicates,
            target,
            band_values,
            self.customers,
            self.mix_shift,
            coefficients=coef,
        )

    def money_lost(self) -> FloatArray:
        """Money lost below excellence per channel (currency), shape (C,).

        The present value over the horizon of what the channel's active customers
        would bring more at the excellent mix; :meth:`to_frame` also gives its level
        yearly equivalent (``money_lost_yearly_equivalent``).
        """
        return self.gain_at(np.maximum(self.excellent_nps, self.nps_today))

    def value_per_point(self) -> FloatArray:
        """Present value (currency per NPS point) of one more point per channel."""
        return self.gain_at(self.nps_today + 1.0)

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

        A channel costing less than :data:`~cx_economics.data.plausibility.COST_SCALE_BOUNDS`
        ``[0]`` (0.1 %) of the yearly margin of its customers, or less than
        :data:`~cx_economics.data.plausibility.MIN_ANNUAL_CHANNEL_COST` (1,000 a year, which
        catches costs in thousands on a small base), most likely has its costs in
        thousands; one costing more than ``[1]`` (10×) that margin, in cents — every
        target and net value built on it would be off by the same factor. The margin
        per customer per year is read off the first month of the value flows (12 ×
        today's mix of band flows), a rough figure that is enough to catch factors of
        a thousand. See :func:`cx_economics.data.plausibility.cost_scale_hint`.

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
        here = self.mix_shift.shares_at(self.shares_today, self.nps_today)
        delta = self.mix_shift.shares_at(self.shares_today, target) - here
        gain = self.customers[:, None] * np.einsum("cb,cbt->ct", delta, self.band_flows)
        extra = self.cost_at(target) - self.cost_at(self.nps_today)
        disc = discount_factors(self.monthly_discount_rate, self.horizon_months)
        cost = (np.maximum(extra, 0.0)[:, None] / 12.0) * disc[None, :]
        return first_month_repaid(gain, cost)

    # ------------------------------------------------------------------ table
    def to_frame(self) -> pd.DataFrame:
        """One row per channel plus a ``total`` row; money in ``currency``.

        Columns: channel, customers, nps, nps_lower, nps_upper, excellent_nps,
        excellent_source, value_per_point (+ _lower/_upper), money_lost (present value
        of the equity over the horizon, + _lower/_upper), money_lost_yearly_equivalent (its level
        yearly equivalent: the yearly amount whose present value over the horizon is
        ``money_lost``, not a recurring yearly loss; + _lower/_upper), cost_today,
        cost_excellent, cost_of_excellence (per year), net_value (equity minus the
        present value of the extra cost), payback_months, roi (net value / present
        value of the extra cost).
        """
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
            band_values = self.band_flow_replicates.sum(axis=-1)  # (B, C, 3), used twice
            lost_reps = self._gain_reps_at(target, band_values, relative=False)
            vpp_reps = self._gain_reps_at(self.nps_today + 1.0, band_values)
            columns["value_per_point_lower"], columns["value_per_point_upper"] = (
                percentile_interval(vpp_reps, self.level)
            )
            lost_interval = percentile_interval(lost_reps, self.level)
            columns["money_lost_lower"], columns["money_lost_upper"] = lost_interval
            lo, hi = percentile_interval(lost_reps.sum(axis=1), self.level)
            total_interval = (float(lo), float(hi))
        annuity = self.annuity
        columns["money_lost_yearly_equivalent"] = lost / annuity
        if lost_interval is not None:
            columns["money_lost_yearly_equivalent_lower"] = lost_interval[0] / annuity
            columns["money_lost_yearly_equivalent_upper"] = lost_interval[1] / annuity
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
        if self.adjusted_for:
            notes.append(
                "band values adjusted for "
                + ", ".join(self.adjusted_for)
                + ": each customer priced with the band curves of their own "
                + " × ".join(self.adjusted_for)
            )
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
    "money_lost_yearly_equivalent",
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
        total["money_lost_yearly_equivalent_lower"] = lost_interval[0] / annuity
        total["money_lost_yearly_equivalent_upper"] = lost_interval[1] / annuity
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
    unrated_counts: npt.ArrayLike | None = None,
    excellent_source: tuple[str, ...] | None = None,
    band_flow_replicates: npt.ArrayLike | None = None,
    mix_shift: MixShift | None = None,
    cost_models: Mapping[str, CostModel] | None = None,
    customer_effort: CustomerEffort | None = None,
    survey_responses: npt.ArrayLike | None = None,
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
        Active customers per channel, rated and unrated.
    band_counts : array_like (C, 3) or (C, K, 3)
        Rated active customers per channel (and tenure class) in each band (detractor,
        passive, promoter), by their current band.
    band_flows : array_like (C, 3, H)
        Discounted margin per active customer per month by band (currency), e.g. the
        residual flows of :func:`band_flows`.
    excellent_nps : array_like (C,)
        Excellent level per channel (NPS points).
    monthly_discount_rate : float
        Fraction per month.
    unrated_counts : array_like (C, K), optional
        Unrated active customers per channel and tenure class, with a 3-D
        ``band_counts``; by default ``customers`` minus the rated ones, in one class.
        They are shared out by the band mix of the rated customers of their class; the
        intervals carry that rule's uncertainty (multinomial bootstrap of the rated,
        multinomial draw of the unrated).
    band_flow_replicates : array_like (B, C, 3, H), optional
        Bootstrap replicates of ``band_flows``; with them, intervals are computed and
        ``n_bootstrap`` is ignored (B replicates are used for the mix too).
    mix_shift : MixShift, optional
        Defaults to detractors-first.
    cost_models : mapping channel → CostModel, optional
        One yearly cost curve (currency per year) per channel; when given, a channel
        without one is an error (:class:`CxDataError`), never a NaN cost.
    customer_effort : CustomerEffort, optional
        Customers' own cost per channel, see :func:`cx_economics.economics.effort.customer_effort`.
    survey_responses : array_like (C,), optional
        Survey answers per channel in the NPS window, on which a target's change will
        be measured (detectability); by default the rated customers of ``band_counts``.
    seed : int or numpy.random.Generator

    Returns
    -------
    ChannelEconomics

    Examples
    --------
    One channel of 1,000 active customers at NPS +10, each band bringing a flat 10, 15
    or 20 a month for a year; excellence is NPS +30. Detractors-first moves 20 % of the
    customers from detractor to passive, worth 0.2 × 1,000 × 5 × 12:

    >>> flows = np.array([[[10.0] * 12, [15.0] * 12, [20.0] * 12]])
    >>> econ = economics_from_arrays(("web",), [1000], [[300, 300, 400]], flows,
    ...                              excellent_nps=[30.0], monthly_discount_rate=0.0)
    >>> econ.nps_today.round(9).tolist(), econ.money_lost().round(6).tolist()
    ([10.0], [12000.0])
    """
    rng = rng_from_seed(seed)
    if cost_models:
        _require_cost_for_every_channel(cost_models, tuple(channels), "`cost_models`")
    rated, unrated, n = _mix_counts(customers, band_counts, unrated_counts, tuple(channels))
    flows = np.asarray(band_flows, dtype=np.float64)
    reps = None if band_flow_replicates is None else np.asarray(band_flow_replicates, np.float64)
    excellent = np.asarray(excellent_nps, dtype=np.float64)
    answers = (
        rated.sum(axis=(1, 2)).astype(np.float64)
        if survey_responses is None
        else np.asarray(survey_responses, dtype=np.float64)
    )
    _check_arrays(tuple(channels), flows, reps, excellent, answers)
    b = n_bootstrap if reps is None else reps.shape[0]
    shares, share_reps = active_mix(rated, unrated, b, rng)
    nps = 100.0 * (shares[:, 2] - shares[:, 0])
    nps_reps = 100.0 * (share_reps[..., 2] - share_reps[..., 0])
    lo, hi = percentile_interval(nps_reps, level)
    warn_excellence_within_noise(channels, excellent_nps, excellent_source, lo, hi, level)
    if reps is None:
        reps = np.broadcast_to(flows, (b, *flows.shape))
    shift = mix_shift or MixShift()
    economics = ChannelEconomics(
        channels=tuple(channels),
        customers=n,
        shares_today=shares,
        nps_today=nps,
        nps_lower=lo,
        nps_upper=hi,
        excellent_nps=excellent,
        excellent_source=excellent_source or ("given",) * len(channels),
        band_flows=flows,
        band_flow_replicates=reps,
        share_replicates=share_reps,
        mix_shift=shift,
        cost_models=cost_models,
        monthly_discount_rate=monthly_discount_rate,
        currency=currency,
        level=level,
        customer_effort=customer_effort,
        survey_responses=answers,
        mix_coefficient_replicates=shift.draw_coefficients(b, rng),
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


def _whole_counts(values: npt.ArrayLike, name: str) -> FloatArray:
    """``values`` as floats, refused unless finite whole numbers ≥ 0."""
    out = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(out) | (out < 0) | (out != np.floor(out))
    if bad.any():
        first = np.argwhere(bad)[0].tolist()
        raise CxDataError(
            f"`{name}` must be whole numbers of customers ≥ 0; {int(bad.sum())} entries are "
            f"not (e.g. at index {first}: {out[tuple(first)]!r})"
        )
    return out


def _mix_counts(
    customers: npt.ArrayLike,
    band_counts: npt.ArrayLike,
    unrated_counts: npt.ArrayLike | None,
    channels: tuple[str, ...],
) -> tuple[IntArray, IntArray, FloatArray]:
    """Rated (C, K, 3) and unrated (C, K) active customers, and their total (C,), checked."""
    raw = np.asarray(band_counts, dtype=np.float64)
    total = _whole_counts(np.rint(np.asarray(customers, dtype=np.float64)), "customers")
    n_channels = len(channels)
    shape_ok = raw.ndim in (2, 3) and raw.shape[0] == n_channels and raw.shape[-1] == 3
    if not shape_ok or total.shape != (n_channels,):
        raise CxDataError(
            f"`band_counts` must be (channels, 3) or (channels, classes, 3) and `customers` "
            f"(channels,) for {n_channels} channel(s); got {raw.shape} and {total.shape}"
        )
    rated = _whole_counts(raw, "band_counts").astype(np.int64).reshape(n_channels, -1, 3)
    if unrated_counts is None:
        if raw.ndim == 3:
            raise CxDataError(
                "`unrated_counts` (channels, classes) must come with a 3-D `band_counts`"
            )
        unrated = (total - rated.sum(axis=(1, 2)))[:, None]
    else:
        unrated = _whole_counts(unrated_counts, "unrated_counts")
        if unrated.shape != rated.shape[:2]:
            raise CxDataError(
                f"`unrated_counts` must be (channels, classes) = {rated.shape[:2]} like "
                f"`band_counts`; got {unrated.shape}"
            )
    listed = rated.sum(axis=(1, 2)) + unrated.sum(axis=1)
    wrong = np.flatnonzero((rated.sum(axis=(1, 2)) <= 0) | (unrated.min(axis=1) < 0))
    if wrong.size:
        raise CxDataError(
            "every channel needs at least one rated active customer and no more rated "
            f"customers than `customers`; channel(s) {[channels[i] for i in wrong]} do not"
        )
    off = np.flatnonzero(listed != total)
    if off.size:
        raise CxDataError(
            "`customers` must equal the rated plus the unrated customers of each channel; "
            f"channel(s) {[channels[i] for i in off]} have {total[off].tolist()} against "
            f"{listed[off].tolist()}"
        )
    return rated, unrated.astype(np.int64), total


def _check_arrays(
    channels: tuple[str, ...],
    flows: FloatArray,
    reps: FloatArray | None,
    excellent: FloatArray,
    survey_responses: FloatArray | None,
) -> None:
    """Shapes and finiteness of the value flows, their replicates and per-channel inputs."""
    c = len(channels)
    if flows.ndim != 3 or flows.shape[:2] != (c, 3) or flows.shape[2] < 1:
        raise CxDataError(
            f"`band_flows` must be (channels, 3, months) = ({c}, 3, H); got {flows.shape}"
        )
    if not np.isfinite(flows).all():
        raise CxDataError("`band_flows` must be finite numbers (currency per customer-month)")
    if reps is not None and (reps.ndim != 4 or reps.shape[1:] != flows.shape):
        raise CxDataError(
            f"`band_flow_replicates` must be (replicates, {c}, 3, {flows.shape[2]}) like "
            f"`band_flows`; got {reps.shape}"
        )
    for name, values in (("excellent_nps", excellent), ("survey_responses", survey_responses)):
        if values is not None and values.shape != (c,):
            raise CxDataError(
                f"`{name}` must hold one number per channel ({c}); got shape {values.shape}"
            )


def _cost_models(
    channel_costs: pd.DataFrame | ChannelCosts | None,
    cost_models: Mapping[str, CostModel] | None,
    channels: tuple[str, ...],
) -> Mapping[str, CostModel] | None:
    if cost_models is not None:
        return cost_models
    if channel_costs is None:
        return None
    from cx_economics.economics.cost import cost_curves_from_table

    valid = validate_channel_costs(channel_costs, known_channels=channels)
    _require_cost_for_every_channel(valid.channels, channels, "`channel_costs` (column `channel`)")
    return cost_curves_from_table(valid.frame)


def economics_from_tables(
    table: LifeTable,
    *,
    assumptions: Assumptions | None = None,
    team_counts: NpsCounts | None = None,
    channel_costs: pd.DataFrame | ChannelCosts | None = None,
    cost_models: Mapping[str, CostModel] | None = None,
    mix_shift: MixShift | MixRule = "detractors_first",
    model: ChurnModel = "auto",
    reliability_margin: float = 10.0,
    customer_effort: CustomerEffort | None = None,
    survey_counts: NpsCounts | None = None,
    confounded_share: float = 0.0,
    seed: int | np.random.Generator = 0,
) -> ChannelEconomics:
    """Build the channel economics table from sufficient statistics only.

    This is the scale path: the life table and NPS counts may come from any engine
    (see :mod:`cx_economics.data.engines`); nothing here touches raw rows. Today's mix and
    the customers priced are the life table's active customers (:func:`active_base`),
    their band values residual values over their tenures (:func:`band_flows`).
    Parameters not listed below are as in :func:`channel_economics`.

    Parameters
    ----------
    table : LifeTable
        Grouped by ``("band", "channel")``, best with the default ``band_rule="state"``
        (a customer's band today is their latest answer's).
    team_counts : NpsCounts, optional
        Band counts of the window's answers by ``("channel", "team")``, for the
        best-quartile excellence level.
    survey_counts : NpsCounts, optional
        Band counts of the window's answers by ``channel``: the answers a target's
        change will be measured on (detectability of targets).

    Returns
    -------
    ChannelEconomics

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables import life_table
    >>> sim = simulate(3000, seed=1)
    >>> table = life_table(sim.customers, sim.responses, by=("band", "channel"))
    >>> channels = ("branch", "chat", "phone", "web")
    >>> excellent = Assumptions(excellent_nps=dict.fromkeys(channels, 40.0), n_bootstrap=100)
    >>> econ = economics_from_tables(table, assumptions=excellent)
    >>> econ.channels
    ('branch', 'chat', 'phone', 'web')
    >>> bool((econ.to_frame()["value_per_point"] > 0).all())  # currency per NPS point
    True
    """
    a = assumptions or Assumptions()
    rng = rng_from_seed(seed)
    adjusted_for = _covariates_of(table)
    base = active_base(table.collapse(("band", "channel")) if adjusted_for else table)
    channels, flows, reps = band_flows(
        table,
        a,
        model=model,
        seed=rng,
        base=None if adjusted_for else base,
        confounded_share=confounded_share,
    )
    point = point_mix(base.rated, base.unrated)
    excellent, sources = excellent_levels(
        team_counts,
        channels,
        a.excellent_nps,
        reliability_margin,
        100.0 * (point[:, 2] - point[:, 0]),
    )
    shift = mix_shift if isinstance(mix_shift, MixShift) else MixShift(mix_shift)
    economics = economics_from_arrays(
        channels,
        base.n_customers,
        base.rated,
        flows,
        unrated_counts=base.unrated,
        excellent_nps=excellent,
        excellent_source=sources,
        monthly_discount_rate=a.monthly_discount_rate,
        band_flow_replicates=reps,
        mix_shift=shift,
        cost_models=_cost_models(channel_costs, cost_models, channels),
        level=a.confidence_level,
        currency=a.currency,
        customer_effort=customer_effort,
        survey_responses=None
        if survey_counts is None
        else _answers_per_channel(survey_counts, channels),
        seed=rng,
    )
    return dataclasses.replace(economics, adjusted_for=adjusted_for)


def _covariates_of(table: LifeTable) -> tuple[str, ...]:
    """The columns the table adjusts for beyond band and channel; refuses other groupings."""
    if tuple(table.group_columns[:2]) != ("band", "channel"):
        raise CxDataError(
            "`table` must be grouped by ('band', 'channel'), or by ('band', 'channel', "
            f"*covariates) to adjust for covariates; it is grouped by {table.group_columns}"
        )
    return tuple(table.group_columns[2:])


def _answers_per_channel(counts: NpsCounts, channels: tuple[str, ...]) -> FloatArray:
    """Answers per channel (C,) from counts by ``channel``; 0 for a channel without any."""
    by = {g[0]: float(n) for g, n in zip(counts.groups, counts.n, strict=True)}
    return np.array([by.get(ch, 0.0) for ch in channels], dtype=np.float64)


def channel_economics(
    customers: pd.DataFrame | Customers | Any,
    responses: pd.DataFrame | Responses | Any,
    *,
    assumptions: Assumptions | None = None,
    channel_costs: pd.DataFrame | ChannelCosts | None = None,
    cost_models: Mapping[str, CostModel] | None = None,
    mix_shift: MixShift | MixRule = "detractors_first",
    model: ChurnModel = "auto",
    window_months: int = 12,
    reliability_margin: float = 10.0,
    customer_effort: CustomerEffort | None = None,
    confounded_share: float = 0.0,
    adjust_for: Sequence[str] = (),
    seed: int | np.random.Generator = 0,
) -> ChannelEconomics:
    """Build the channel economics table from customers, responses and costs.

    Parameters
    ----------
    customers, responses : pandas, polars, pyarrow, DuckDB or PySpark frames, or validated tables
        The base (a customer's ``channel`` is the channel that shapes their
        experience) and survey answers. Frames of other engines stay in their engine:
        the life table and the answer window's counts are computed there (tenure and
        churn from ``start_date``/``end_date`` when the customers carry no
        ``tenure_months``/``churned``), and only counts come back.
    assumptions : Assumptions, optional
        Discount rate, horizon, margins, excellent levels, bootstrap replicates.
    channel_costs : pandas.DataFrame or ChannelCosts, optional
        Finance's cost points (channel, nps, annual_cost in currency per year);
        turned into cost curves. Every channel of the base needs at least one point:
        a channel left out is a :class:`CxDataError` naming it. Costs off the scale
        of the margin warn (see :mod:`cx_economics.data.plausibility`).
    cost_models : mapping channel → CostModel, optional
        Ready cost curves (e.g. from :func:`cx_economics.economics.cost.fit_cost_curves`), one
        per channel; they take precedence over ``channel_costs``.
    mix_shift : MixShift or str
        How a channel's mix moves with its NPS (``"detractors_first"``,
        ``"proportional"``, or a fitted :class:`~cx_economics.economics.impact.MixShift`).
    model : str
        Churn model passed to :func:`cx_economics.survival.fit_churn`.
    window_months : int, default 12
        The teams' NPS (for the best-quartile excellence level) uses the answers of
        the last ``window_months`` months. Today's mix does not: it is the active
        customers' current bands at the cut-off.
    reliability_margin : float, default 10
        Teams whose NPS interval is wider than ± this (points) do not set the
        best-quartile excellence level.
    customer_effort : CustomerEffort, optional
        Customers' own cost per channel (:func:`cx_economics.economics.effort.customer_effort`),
        added as columns beside the company's cost.
    confounded_share : float, default 0.0
        Share (fraction 0–1) of the bands' churn differences that an unmeasured
        confounder would explain, taken out before pricing (see
        :func:`cx_economics.value.flows.band_flows`); :func:`confounding_sensitivity`
        prices several.
    adjust_for : sequence of str, default ()
        Customer columns (categorical, e.g. ``("segment",)`` or a plan) to adjust the
        band values for: each customer is priced with the band curves of their own
        channel × stratum, so a stratum that is both more critical and quicker to leave
        is not charged to the band (see :func:`cx_economics.value.flows.band_flows`).
    seed : int or numpy.random.Generator

    Returns
    -------
    ChannelEconomics
        Priced on today's active customers: their current bands (unrated ones shared
        out by the mix of rated customers of their channel and tenure class) and
        their residual values given their tenure. Intervals carry the uncertainty of
        that mix (bootstrap of the rated, draw of the unrated), of the churn curves and
        of margins estimated from revenue (joint life-table bootstrap).

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> demo = load_demo()
    >>> econ = channel_economics(demo.customers, demo.responses,
    ...                          channel_costs=demo.channel_costs,
    ...                          assumptions=Assumptions(n_bootstrap=100))
    >>> econ.channels
    ('branch', 'chat', 'phone', 'web')
    """
    table, team_counts, survey_counts = _tables_of(
        customers, responses, assumptions, window_months, adjust_for
    )
    return economics_from_tables(
        table,
        assumptions=assumptions,
        team_counts=team_counts,
        channel_costs=channel_costs,
        cost_models=cost_models,
        mix_shift=mix_shift,
        model=model,
        reliability_margin=reliability_margin,
        customer_effort=customer_effort,
        survey_counts=survey_counts,
        confounded_share=confounded_share,
        seed=seed,
    )


def _tables_of(
    customers: pd.DataFrame | Customers | Any,
    responses: pd.DataFrame | Responses | Any,
    assumptions: Assumptions | None,
    window_months: int,
    adjust_for: Sequence[str] = (),
) -> tuple[LifeTable, NpsCounts | None, NpsCounts]:
    """The one pass over raw rows behind the economics: life table, team and survey counts."""
    from cx_economics.tables.life import life_table
    from cx_economics.tables.nps_counts import nps_counts

    bad = (
        isinstance(adjust_for, str)
        or not isinstance(adjust_for, Sequence)
        or not all(isinstance(c, str) for c in adjust_for)
        or len(set(adjust_for)) != len(adjust_for)
        or any(c in ("band", "channel") for c in adjust_for)
    )
    if bad:
        raise CxDataError(
            "`adjust_for` must be a sequence of distinct customer columns other than 'band' "
            f"and 'channel' (both are always in), e.g. ('segment',); got {adjust_for!r}"
        )
    pandas_inputs = isinstance(customers, pd.DataFrame | Customers) and isinstance(
        responses, pd.DataFrame | Responses
    )
    if not pandas_inputs:
        return _engine_tables_of(customers, responses, assumptions, window_months, adjust_for)

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
            "they still set their customers' bands, but their teams are left out of the "
            "excellence level. Map them onto the customers' channel names.",
            CxAssumptionWarning,
            stacklevel=3,
        )
    recent_resp = Responses(recent, scheme=resp.scheme)
    team_counts = (
        nps_counts(recent_resp, by=("channel", "team")) if "team" in recent.columns else None
    )
    # validation keeps only the schema's columns; a column of the user's own (a plan)
    # is read from the frame they gave
    own = [c for c in adjust_for if c not in cust.frame.columns]
    source = customers if own and isinstance(customers, pd.DataFrame) else cust
    table = life_table(source, resp, by=("band", "channel", *adjust_for))
    return table, team_counts, nps_counts(recent_resp, by="channel")


def _engine_tables_of(
    customers: Any,
    responses: Any,
    assumptions: Assumptions | None,
    window_months: int,
    adjust_for: Sequence[str],
) -> tuple[LifeTable, NpsCounts | None, NpsCounts]:
    """The same three tables from polars, DuckDB, PySpark… frames, inside their engine.

    Only counts come back: the life table's cells and the window's band counts by
    channel (and team). The window is filtered in the engine.
    """
    import narwhals as nw

    from cx_economics.data.engines import as_lazy, naive_utc
    from cx_economics.tables.life import life_table
    from cx_economics.tables.nps_counts import nps_counts

    table = life_table(customers, responses, by=("band", "channel", *adjust_for))
    channels = tuple(sorted({str(k[1]) for k in table.groups}))
    (assumptions or Assumptions()).check_channels(channels, where="`customers`")
    lazy = as_lazy(responses, "responses")
    kind = lazy.collect_schema().get("response_date")
    if kind not in (nw.Date, nw.Datetime):
        raise CxDataError(
            f"`responses`: `response_date` must be a date column in the engine, got {kind}; "
            "cast it (e.g. to a date) before passing the frame"
        )
    lazy = naive_utc(
        lazy.with_columns(nw.col("response_date").cast(nw.Datetime("us"))), "response_date"
    )
    cutoff = table.as_of
    if cutoff is None:
        cutoff = pd.Timestamp(lazy.select(nw.col("response_date").max()).collect().item())
    start = (cutoff - pd.DateOffset(months=window_months)).to_pydatetime()
    date = nw.col("response_date")
    recent = lazy.filter((date > nw.lit(start)) & (date <= nw.lit(cutoff.to_pydatetime())))
    survey = nps_counts(recent.to_native(), by="channel")
    if survey.n.sum() == 0:
        raise CxDataError(f"`responses`: no answers in the last {window_months} months")
    strangers = sorted({str(g[0]) for g in survey.groups} - set(channels))
    if strangers:
        warnings.warn(
            f"`responses`: answers of the last {window_months} months are for channel(s) "
            f"{strangers} that no customer belongs to (renamed channel?); their teams are "
            "left out of the excellence level. Map them onto the customers' channel names.",
            CxAssumptionWarning,
            stacklevel=4,
        )
    has_team = "team" in lazy.collect_schema().names()
    teams = nps_counts(recent.to_native(), by=("channel", "team")) if has_team else None
    return table, teams, survey


def confounding_sensitivity(
    customers: pd.DataFrame | Customers | Any,
    responses: pd.DataFrame | Responses | Any,
    *,
    shares: Sequence[float] = (0.0, 0.25, 0.5),
    assumptions: Assumptions | None = None,
    model: ChurnModel = "auto",
    adjust_for: Sequence[str] = (),
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Money lost below excellence if an unmeasured confounder explained part of the bands.

    The raw rows are read once; for each share ``f`` of the bands' churn differences
    put down to something the data do not hold (plan, contract, life events), the money
    is priced again with that part taken out (``confounded_share=f`` of
    :func:`channel_economics`): how much of the money survives a sceptic's "or is it
    the customers?". The excellence level comes from the last 12 months' teams, as in
    :func:`channel_economics`.

    Parameters
    ----------
    customers, responses : pandas.DataFrame or validated tables
    shares : sequence of float, default (0, 0.25, 0.5)
        Shares explained by the confounder (fractions 0–1).
    assumptions : Assumptions, optional
        As in :func:`channel_economics` (excellent levels, horizon, replicates).
    model : str
        Churn model.
    adjust_for : sequence of str, default ()
        Measured customer columns adjusted for first (as in :func:`channel_economics`);
        the shares are then of what remains beyond them.
    seed : int or numpy.random.Generator
        The same seed for every share, so the rows differ by the share alone.

    Returns
    -------
    pandas.DataFrame
        One row per share: ``confounded_share``, total ``money_lost`` (currency,
        present value over the horizon) with ``money_lost_lower``/``_upper``, and
        ``share_of_estimate`` (money lost over the unconfounded estimate, fraction).

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(4_000, seed=3)
    >>> channels = ("branch", "chat", "phone", "web")
    >>> a = Assumptions(excellent_nps=dict.fromkeys(channels, 50.0), n_bootstrap=60)
    >>> import warnings; warnings.simplefilter("ignore")
    >>> table = confounding_sensitivity(sim.customers, sim.responses, shares=(0, 0.5, 1),
    ...                                 assumptions=a)
    >>> bool(table["money_lost"].is_monotonic_decreasing), table["confounded_share"].tolist()
    (True, [0.0, 0.5, 1.0])
    """
    fixed = (
        int(rng_from_seed(seed).integers(2**31)) if isinstance(seed, np.random.Generator) else seed
    )
    table, team_counts, survey_counts = _tables_of(
        customers, responses, assumptions, 12, adjust_for
    )
    rows = []
    for share in shares:
        econ = economics_from_tables(
            table,
            assumptions=assumptions,
            team_counts=team_counts,
            survey_counts=survey_counts,
            model=model,
            confounded_share=float(share),
            seed=fixed,
        )
        total = econ.to_frame().set_index("channel").loc["total"].to_dict()
        bounds = [float(total.get(c, np.nan)) for c in ("money_lost_lower", "money_lost_upper")]
        rows.append(
            {
                "confounded_share": float(share),
                "money_lost": float(total["money_lost"]),
                "money_lost_lower": bounds[0],
                "money_lost_upper": bounds[1],
            }
        )
    out = pd.DataFrame(rows)
    base = out.loc[out["confounded_share"] == 0.0, "money_lost"]
    reference = float(base.iloc[0]) if len(base) else float("nan")
    out["share_of_estimate"] = out["money_lost"] / reference if reference else np.nan
    return out
