"""Deterministic synthetic customer bases with known truth, and the embedded demo.

:func:`simulate` draws all input tables (customers, responses, contacts, channel
costs, channel spend history) from a stated :class:`SimulationTruth`, so tests can
check that estimates recover it. :func:`load_demo` is the fixed demo base used by the
README, the examples and the docs.

The generating model, in discrete months
----------------------------------------
* Each customer belongs to one channel and one team; their latent NPS band is drawn
  from the channel's band shares, nudged by the team's quality. Every survey answer
  they give scores inside that band. Answers are drawn forward in time from the
  customer's life (see :class:`SurveyDesign`): only customers still there answer, so
  a join-date analysis of the band is biased (immortal time) and delayed entry is not.
* Churn: in each month alive, a customer leaves with probability
  ``1 - exp(-h)``, ``h = monthly_hazard[band] * channel_hazard_ratio[channel]``
  times ``hazard_ratio`` of every contact reason they have contacted about in an
  earlier month. A discrete-time model with a complementary log-log link, and Cox,
  therefore estimate ``log(hazard ratio)`` of the bands directly.
* Revenue per month is gamma-distributed around ``monthly_revenue[band]``.
* Contacts arrive as Poisson counts per reason per month alive.
* Channel cost truth: ``NPS = nps_today + cost_slope * ln(annual_cost / annual_cost_today)``,
  i.e. ``annual_cost(nps) = annual_cost_today * exp((nps - nps_today) / cost_slope)``.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.bands import BAND_ORDER
from cx_economics.core.exceptions import CxDataError
from cx_economics.core.parameters import rng_from_seed
from cx_economics.data.consistency import DAYS_PER_MONTH

__all__ = [
    "SURVEY_KINDS",
    "PlantedConfounder",
    "ReasonTruth",
    "SimulatedData",
    "SimulationTruth",
    "SurveyDesign",
    "load_demo",
    "simulate",
]

FloatArray = npt.NDArray[np.float64]
DEMO_SEED = 20_251_123
DEMO_CUSTOMERS = 50_000


@dataclass(frozen=True)
class ReasonTruth:
    """Truth of one contact reason.

    Parameters
    ----------
    rate_per_1000 : float
        Contacts per 1,000 customers per month.
    hazard_ratio : float
        Multiplier on the monthly churn hazard from the month after a customer's
        first contact about this reason, for the rest of their tenure.

    Examples
    --------
    A base with one contact reason, 40 contacts per 1,000 customers per month; the
    simulated contacts per customer-month recover the rate:

    >>> truth = SimulationTruth(reasons={"billing error": ReasonTruth(40.0, hazard_ratio=2.0)})
    >>> sim = simulate(2_000, truth=truth, seed=3)
    >>> sim.contacts["reason"].dropna().unique().tolist()  # a few are left uncoded
    ['billing error']
    >>> months_alive = float(sim.customers["tenure_months"].sum())
    >>> round(1000 * len(sim.contacts) / months_alive, 1)
    40.2
    """

    rate_per_1000: float
    hazard_ratio: float = 1.0


@dataclass(frozen=True)
class PlantedConfounder:
    """A customer trait that makes customers both more critical and quicker to leave.

    Carriers are marked in the customers' ``segment`` column (``value``; the others
    are ``"standard"``), so an analysis can adjust for it when it is measured, or
    leave it out to play an unmeasured confounder. Within either segment the band
    effect on churn is the truth's (:meth:`SimulationTruth.hazard_ratio`); a crude
    comparison of bands mixes in the trait.

    Parameters
    ----------
    value : str, default "budget"
        The ``segment`` of the customers who carry the trait.
    share : float, default 0.3
        Fraction of customers who carry it.
    band_shift : float, default -1.0
        Shift of the carriers' answers on the logit scale of the band draw (negative:
        more detractors).
    hazard_ratio : float, default 1.8
        Multiplier on the carriers' monthly churn hazard.

    Examples
    --------
    >>> truth = SimulationTruth(confounder=PlantedConfounder(share=0.5, hazard_ratio=2.0))
    >>> truth.hazard("promoter", "web", segment="budget") / truth.hazard("promoter", "web")
    2.0
    """

    value: str = "budget"
    share: float = 0.3
    band_shift: float = -1.0
    hazard_ratio: float = 1.8

    def __post_init__(self) -> None:
        if not 0.0 < self.share < 1.0:
            raise CxDataError(
                f"`share` must be a fraction strictly between 0 and 1, got {self.share}"
            )
        if not (math.isfinite(self.hazard_ratio) and self.hazard_ratio > 0):
            raise CxDataError(f"`hazard_ratio` must be a ratio > 0, got {self.hazard_ratio}")
        if self.value == "standard":
            raise CxDataError("`value` must differ from 'standard', the other customers' segment")


def _ro(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


_DEFAULT_SHARES = {
    # detractor, passive, promoter
    "phone": (0.30, 0.35, 0.35),
    "branch": (0.18, 0.32, 0.50),
    "chat": (0.35, 0.35, 0.30),
    "web": (0.25, 0.40, 0.35),
}
_DEFAULT_REASONS = {
    "billing error": ReasonTruth(12.0, 1.8),
    "delivery delay": ReasonTruth(8.0, 1.4),
    "web service down": ReasonTruth(5.0, 1.2),
    "case status": ReasonTruth(10.0, 1.1),
    "password reset": ReasonTruth(6.0, 1.0),
    "address change": ReasonTruth(0.3, 1.0),
}


@dataclass(frozen=True)
class SimulationTruth:
    """The truth a simulated base is drawn from. Defaults give a plausible bank/telco.

    Parameters
    ----------
    band_shares : mapping
        Channel → (detractor, passive, promoter) shares summing to 1.
    monthly_hazard : mapping
        Band → churn hazard per month (continuous rate; monthly churn probability is
        ``1 - exp(-h)``). Unrated customers follow their latent band.
    channel_hazard_ratio : mapping
        Channel → multiplier on the hazard (1.0 where absent).
    monthly_revenue : mapping
        Band → mean revenue per customer per month (currency).
    margin_rate : float
        Share of revenue that is margin.
    team_nps_sd : float
        Spread of team quality (in logits of the band shares) within a channel.
    reasons : mapping
        Reason → :class:`ReasonTruth`.
    annual_cost_today : mapping
        Channel → yearly cost (currency per year) of running it at its true NPS.
    cost_slope : mapping
        Channel → ``b`` in ``NPS = nps_today + b * ln(annual_cost / annual_cost_today)``
        (NPS points per unit of log-cost: doubling the spend adds ``b * ln 2`` points).
    confounder : PlantedConfounder, optional
        A trait that makes customers both more critical and quicker to leave, marked
        in ``segment``; none by default.

    Examples
    --------
    >>> import math
    >>> truth = SimulationTruth()
    >>> truth.channels
    ('phone', 'branch', 'chat', 'web')
    >>> round(truth.nps("phone"), 1), round(truth.hazard_ratio("detractor"), 2)
    (5.0, 2.73)

    Doubling phone's yearly cost (80,000 today) buys ``25 * ln 2`` NPS points:

    >>> round(truth.annual_cost("phone", truth.nps("phone") + 25 * math.log(2)))
    160000
    >>> SimulationTruth(band_shares={"web": (0.5, 0.4, 0.2)})
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: band_shares['web'] must be 3 shares ≥ 0 summing to 1
    """

    band_shares: Mapping[str, tuple[float, float, float]] = field(
        default_factory=lambda: _DEFAULT_SHARES
    )
    monthly_hazard: Mapping[str, float] = field(
        default_factory=lambda: {"detractor": 0.030, "passive": 0.018, "promoter": 0.011}
    )
    channel_hazard_ratio: Mapping[str, float] = field(
        default_factory=lambda: {"phone": 1.0, "branch": 0.8, "chat": 1.15, "web": 1.05}
    )
    monthly_revenue: Mapping[str, float] = field(
        default_factory=lambda: {"detractor": 38.0, "passive": 41.0, "promoter": 45.0}
    )
    margin_rate: float = 0.35
    team_nps_sd: float = 0.35
    reasons: Mapping[str, ReasonTruth] = field(default_factory=lambda: _DEFAULT_REASONS)
    annual_cost_today: Mapping[str, float] = field(
        default_factory=lambda: {"phone": 80e3, "branch": 150e3, "chat": 40e3, "web": 50e3}
    )
    cost_slope: Mapping[str, float] = field(
        default_factory=lambda: {"phone": 25.0, "branch": 20.0, "chat": 30.0, "web": 28.0}
    )
    confounder: PlantedConfounder | None = None

    def __post_init__(self) -> None:
        for name in (
            "band_shares",
            "monthly_hazard",
            "channel_hazard_ratio",
            "monthly_revenue",
            "reasons",
            "annual_cost_today",
            "cost_slope",
        ):
            object.__setattr__(self, name, _ro(getattr(self, name)))
        for ch, shares in self.band_shares.items():
            if len(shares) != 3 or abs(sum(shares) - 1) > 1e-9 or min(shares) < 0:
                raise CxDataError(f"band_shares[{ch!r}] must be 3 shares ≥ 0 summing to 1")

    @property
    def channels(self) -> tuple[str, ...]:
        """Channels, in the order of ``band_shares``."""
        return tuple(self.band_shares)

    def hazard(self, band: str, channel: str, *, segment: str | None = None) -> float:
        """Monthly churn hazard (rate) of a customer with no contacts.

        ``segment``: the customer's, which matters only with a planted confounder.
        """
        carrier = self.confounder is not None and segment == self.confounder.value
        ratio = self.confounder.hazard_ratio if carrier and self.confounder else 1.0
        return float(
            self.monthly_hazard[band] * self.channel_hazard_ratio.get(channel, 1.0) * ratio
        )

    def hazard_ratio(self, band: str, reference: str = "promoter") -> float:
        """Return the true hazard ratio of ``band`` against ``reference``."""
        return float(self.monthly_hazard[band] / self.monthly_hazard[reference])

    def monthly_margin(self, band: str) -> float:
        """Mean margin per customer per month (currency)."""
        return float(self.monthly_revenue[band] * self.margin_rate)

    def nps(self, channel: str) -> float:
        """Return the true NPS of a channel (−100..100) from its band shares (no team spread)."""
        d, _, p = self.band_shares[channel]
        return 100.0 * (p - d)

    def lifetime_value(
        self,
        band: str,
        channel: str,
        *,
        annual_discount_rate: float = 0.08,
        horizon_months: int | None = 60,
        segment: str | None = None,
    ) -> float:
        """Return the true expected margin of a new customer without contacts (currency).

        ``sum_{t=1..H} m * r**t / (1 + i)**t`` with monthly retention
        ``r = exp(-h)`` and monthly discount ``i``; ``horizon_months=None`` gives
        the closed form ``m * r / (1 + i - r)`` (Gupta & Lehmann, 2003). ``segment``
        matters only with a planted confounder.
        """
        m = self.monthly_margin(band)
        r = math.exp(-self.hazard(band, channel, segment=segment))
        i = _monthly_rate(annual_discount_rate)
        q = r / (1 + i)
        if horizon_months is None:
            return m * r / (1 + i - r)
        return m * q * (1 - q**horizon_months) / (1 - q)

    def residual_value(
        self,
        band: str,
        channel: str,
        tenure_months: int,
        *,
        annual_discount_rate: float = 0.08,
        horizon_months: int = 60,
        segment: str | None = None,
    ) -> float:
        """Return the true expected margin from today of a customer already this tenured.

        ``sum_{t=1..H} m * S(a + t) / S(a) / (1 + i)**t`` for a customer in ``band``
        and ``channel`` who has stayed ``a = tenure_months`` months, with the exact
        survival of :meth:`survival` (contacts included: survivors have contacted more,
        so the residual value falls with tenure) and monthly discount ``i`` (currency).

        Examples
        --------
        Without contact effects churn is memoryless: a tenured customer is worth a new one.

        >>> truth = SimulationTruth(reasons={})
        >>> old = truth.residual_value("detractor", "web", 24)
        >>> round(old, 6) == round(truth.lifetime_value("detractor", "web"), 6)
        True
        """
        if isinstance(tenure_months, bool) or tenure_months < 0:
            raise CxDataError(f"`tenure_months` must be ≥ 0 months, got {tenure_months!r}")
        a = int(tenure_months)
        s = self.survival(band, channel, a + horizon_months, segment=segment)
        i = _monthly_rate(annual_discount_rate)
        t = np.arange(1, horizon_months + 1)
        conditional = s[a + 1 : a + horizon_months + 1] / s[a]
        return float(self.monthly_margin(band) * np.sum(conditional / (1 + i) ** t))

    def survival(
        self, band: str, channel: str, horizon_months: int, *, segment: str | None = None
    ) -> FloatArray:
        """Return the true survival from joining, months ``0…horizon_months``, contacts included.

        Exact, from the generating model: a Markov chain over the set of reasons a
        customer has contacted about (each reason's first contact in a month has
        probability ``1 - exp(-rate)``, and raises the hazard from the next month on),
        so ``S(t)`` averages over every contact history. The survival of a customer in
        ``band`` from tenure ``a`` on is ``S(a + t) / S(a)``: the chain's state mix at
        ``a`` is that of the survivors. ``segment`` matters only with a planted
        confounder.

        Examples
        --------
        >>> truth = SimulationTruth(reasons={})
        >>> s = truth.survival("promoter", "phone", 12)
        >>> round(float(s[12]), 4), round(math.exp(-12 * 0.011), 4)
        (0.8763, 0.8763)
        """
        reasons = list(self.reasons.values())
        first = np.array([-math.expm1(-r.rate_per_1000 / 1000.0) for r in reasons])
        log_hr = np.log(np.array([r.hazard_ratio for r in reasons], dtype=np.float64))
        states = np.array(list(itertools.product((0, 1), repeat=len(reasons))), dtype=np.float64)
        states = states.reshape(2 ** len(reasons), len(reasons))
        hazard = self.hazard(band, channel, segment=segment) * np.exp(states @ log_hr)
        stay = np.exp(-hazard).reshape((2,) * len(reasons))
        mass = np.zeros((2,) * len(reasons))
        mass[(0,) * len(reasons)] = 1.0
        out = np.ones(horizon_months + 1)
        for month in range(1, horizon_months + 1):
            mass = mass * stay
            out[month] = mass.sum()
            for axis, c in enumerate(first):  # first contacts this month, reason by reason
                mass = np.moveaxis(mass, axis, 0)
                mass = np.stack([mass[0] * (1 - c), mass[1] + mass[0] * c])
                mass = np.moveaxis(mass, 0, axis)
        return out

    def annual_cost(self, channel: str, nps: float) -> float:
        """Return the true annual cost (currency per year) of running ``channel`` at ``nps``."""
        b = self.cost_slope[channel]
        return float(self.annual_cost_today[channel] * math.exp((nps - self.nps(channel)) / b))


def _monthly_rate(annual_discount_rate: float) -> float:
    """Monthly rate compounding to ``annual_discount_rate`` (fractions)."""
    return float((1.0 + annual_discount_rate) ** (1.0 / 12.0) - 1.0)


@dataclass(frozen=True)
class SimulatedData:
    """Tables drawn from a :class:`SimulationTruth`, with the truth beside them.

    Attributes
    ----------
    customers, responses, contacts, channel_costs : pandas.DataFrame
        The four input tables in canonical column names (see :mod:`cx_economics.data.schemas`).
    channel_history : pandas.DataFrame
        Channel × month spend (currency per year, annualised) and measured NPS, for
        fitting cost curves.
    truth : SimulationTruth
    latent_band : pandas.Series
        Each customer's true band (index ``customer_id``), for checking recovery.
    as_of : pandas.Timestamp
        The observation cut-off.
    seed : int

    Examples
    --------
    >>> sim = simulate(2_000, seed=1)
    >>> len(sim.customers), str(sim.as_of.date()), sim.seed, sim.truth == SimulationTruth()
    (2000, '2025-12-31', 1, True)
    >>> sim.channel_costs.shape, sim.channel_history.shape  # 3 cost points, 36 months a channel
    ((12, 3), (144, 4))
    >>> sim.latent_band.value_counts().to_dict()
    {'promoter': 765, 'passive': 696, 'detractor': 539}

    Every answer scores inside its customer's true band:

    >>> from cx_economics.core.bands import DEFAULT_SCHEME
    >>> answers = sim.responses.set_index("customer_id")["score"]
    >>> true_band = sim.latent_band.loc[answers.index].to_numpy()
    >>> bool((DEFAULT_SCHEME.bands(answers) == true_band).all())
    True
    """

    customers: pd.DataFrame
    responses: pd.DataFrame
    contacts: pd.DataFrame
    channel_costs: pd.DataFrame
    channel_history: pd.DataFrame
    truth: SimulationTruth
    latent_band: pd.Series
    as_of: pd.Timestamp
    seed: int

    def priced_truth(
        self,
        excellent_nps: float | Mapping[str, float],
        *,
        annual_discount_rate: float = 0.08,
        horizon_months: int = 60,
    ) -> pd.DataFrame:
        """The true money of each channel's active customers, from the generating model.

        For the customers active at the cut-off: their latent bands give today's mix
        and NPS, their own tenures ``a`` (whole months) and the exact curves of
        :meth:`SimulationTruth.residual_value` give each band's value from today on.
        A move of ``g`` NPS points shifts ``g / 100`` of the channel's customers from
        detractor to passive while detractors last, then from passive to promoter (the
        detractors-first rule), the same share in every tenure; the money is the sum
        over the customers of the shifted shares times their residual values.

        Parameters
        ----------
        excellent_nps : float or mapping channel → float
            The excellent level (NPS points).
        annual_discount_rate : float, default 0.08
            Fraction per year, compounded monthly.
        horizon_months : int, default 60
            Months ahead from the cut-off.

        Returns
        -------
        pandas.DataFrame
            One row per channel: ``customers`` (active), ``nps`` (points, latent
            bands), ``value_per_point`` (currency per point) and ``money_lost``
            (currency, present value over the horizon; 0 at or above excellence).

        Examples
        --------
        >>> sim = simulate(2000, seed=3)
        >>> truth = sim.priced_truth(50.0).set_index("channel")
        >>> bool((truth["value_per_point"] > 0).all()), int(truth["customers"].sum()) == int(
        ...     (~sim.customers["churned"]).sum())
        (True, True)
        """
        channels, counts, flows = self.true_band_flows(
            annual_discount_rate=annual_discount_rate, horizon_months=horizon_months
        )
        rows = []
        for c, ch in enumerate(channels):
            n = int(counts[c].sum())
            shares = counts[c] / n
            total = n * flows[c].sum(axis=-1)  # Σ over the customers of each band's value
            nps = 100.0 * (shares[2] - shares[0])
            if isinstance(excellent_nps, Mapping):
                if ch not in excellent_nps:
                    raise CxDataError(
                        f"`excellent_nps` has no level for channel {ch!r}; its channels are "
                        f"{sorted(excellent_nps)} and the base's {list(channels)}"
                    )
                bar = float(excellent_nps[ch])
            else:
                bar = float(excellent_nps)
            gap = max(bar - nps, 0.0) / 100.0
            to_passive = min(gap, shares[0])  # detractor → passive first, then passive → promoter
            to_promoter = gap - to_passive
            lost = to_passive * (total[1] - total[0]) + to_promoter * (total[2] - total[1])
            per_point = 0.01 * (total[1] - total[0]) if shares[0] >= 0.01 else np.nan
            rows.append(
                {"channel": ch, "customers": n, "nps": nps, "value_per_point": per_point,
                 "money_lost": lost}
            )  # fmt: skip
        return pd.DataFrame(rows)

    def true_band_flows(
        self, *, annual_discount_rate: float = 0.08, horizon_months: int = 60
    ) -> tuple[tuple[str, ...], npt.NDArray[np.int64], FloatArray]:
        """The active customers' latent mix and true residual margin flows per channel.

        Parameters
        ----------
        annual_discount_rate : float, default 0.08
            Fraction per year, compounded monthly.
        horizon_months : int, default 60
            Months ahead from the cut-off.

        Returns
        -------
        channels : tuple of str
            Sorted.
        counts : ndarray (C, 3)
            Active customers per channel by latent band (detractor, passive, promoter).
        flows : ndarray (C, 3, H)
            ``m_b (1+i)^-t`` times the mean over the channel's active customers of
            ``S_b(a + t) / S_b(a)`` (exact curves, contacts included; ``a`` their whole
            months of tenure): the discounted margin per customer per month (currency).
        """
        active = self.customers.loc[~self.customers["churned"].to_numpy(bool)]
        tenure = np.floor(active["tenure_months"].to_numpy(np.float64)).astype(np.int64)
        band = self.latent_band.loc[active["customer_id"]].to_numpy()
        channel = active["channel"].to_numpy()
        segment = active["segment"].astype(str).to_numpy()
        # the segment changes the curves only where a confounder was planted
        segments = sorted(set(segment.tolist())) if self.truth.confounder else [None]
        i = _monthly_rate(annual_discount_rate)
        ahead = np.arange(1, horizon_months + 1)
        discount = (1.0 + i) ** -ahead
        longest = int(tenure.max())
        channels = tuple(sorted(set(channel.tolist())))
        counts = np.zeros((len(channels), 3), dtype=np.int64)
        flows = np.zeros((len(channels), 3, horizon_months))
        for c, ch in enumerate(channels):
            mine = channel == ch
            for b, name in enumerate(BAND_ORDER):
                counts[c, b] = int(np.sum(band[mine] == name.value))
                for seg in segments:
                    group = mine if seg is None else mine & (segment == seg)
                    ages = np.bincount(tenure[group], minlength=longest + 1) / mine.sum()
                    s = self.truth.survival(name.value, ch, longest + horizon_months, segment=seg)
                    ahead_of = s[np.arange(longest + 1)[:, None] + ahead[None, :]]
                    conditional = ahead_of / s[: longest + 1, None]
                    flows[c, b] += (
                        self.truth.monthly_margin(name.value) * discount * (ages @ conditional)
                    )
        return channels, counts, flows


# --------------------------------------------------------------------------- survey designs

#: Survey designs :func:`simulate` can draw answers from (see :class:`SurveyDesign`).
SURVEY_KINDS: tuple[str, ...] = ("relationship", "transactional", "tenure", "lifetime_uniform")


@dataclass(frozen=True)
class SurveyDesign:
    """How and when simulated customers answer, drawn forward in time.

    Parameters
    ----------
    kind : {"relationship", "transactional", "tenure", "lifetime_uniform"}
        ``"relationship"``: every ``period_months`` (in the calendar month before the
        cut-off's, and every period before it) each active customer is invited and
        answers with probability ``response_rate``. ``"transactional"``: after each
        contact a customer answers with probability ``response_rate``, within a week,
        if still a customer (contacts raise churn, so the trigger is informative).
        ``"tenure"``: in each month alive a customer answers with probability
        ``response_rate × tenure_months / 12`` (capped at 0.5): the propensity rises
        with tenure. ``"lifetime_uniform"``: the first round's design, kept for
        comparison only: a share ``response_rate`` of customers answer 1 + Poisson(0.6)
        times on dates drawn over their whole lifetime, future churn included.
    response_rate : float
        Probability of answering (per invitation, contact or month; see ``kind``).
    period_months : int
        Months between relationship waves.

    Examples
    --------
    >>> sim = simulate(2_000, survey=SurveyDesign("relationship", 0.4, 12), seed=2)
    >>> months = sim.responses["response_date"].dt.month.value_counts(normalize=True)
    >>> int(months.index[0]), bool(months.iloc[0] > 0.9)  # one wave a year, in November
    (11, True)
    """

    kind: str = "relationship"
    response_rate: float = 0.15
    period_months: int = 3

    def __post_init__(self) -> None:
        if self.kind not in SURVEY_KINDS:
            raise CxDataError(f"`kind` must be one of {list(SURVEY_KINDS)}, got {self.kind!r}")
        if not 0.0 < self.response_rate <= 1.0:
            raise CxDataError(
                f"`response_rate` must be a probability in (0, 1], got {self.response_rate!r}"
            )
        if isinstance(self.period_months, bool) or self.period_months < 1:
            raise CxDataError(f"`period_months` must be ≥ 1 month, got {self.period_months!r}")


#: Response rate of each kind when only its name is given.
_DEFAULT_RATES = {
    "relationship": 0.15,
    "transactional": 0.6,
    "tenure": 0.05,
    "lifetime_uniform": 0.7,
}


def _survey(survey: SurveyDesign | str | None) -> SurveyDesign:
    if survey is None:
        return SurveyDesign()
    if isinstance(survey, str):
        return SurveyDesign(survey, response_rate=_DEFAULT_RATES.get(survey, 0.3))
    if not isinstance(survey, SurveyDesign):
        raise CxDataError(f"`survey` must be a SurveyDesign or a kind name, got {survey!r}")
    return survey


def _answer_times(
    rng: np.random.Generator,
    design: SurveyDesign,
    tenure: npt.NDArray[np.int64],
    since: npt.NDArray[np.int64],
    events: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64] | None]:
    """Who answers when: customer rows, tenure at the answer (months, > 0), contact times.

    For surveys after contacts the third array is each contact's own tenure (months),
    so every answer follows its contact within a week; otherwise None. A customer is
    alive during tenure months ``1 … tenure``; an answer in month ``m`` falls at tenure
    ``m - 1 + u``, ``u`` uniform, so it precedes a churn in that month.
    """
    n = tenure.size
    if design.kind == "transactional":
        row, month = events[:, 0], events[:, 1]
        answers = rng.random(row.size) < design.response_rate
        contact = month - 1 + rng.random(row.size)  # the contact at tenure (month - 1 + u)
        at = contact + rng.random(row.size) * 7 / DAYS_PER_MONTH  # answer up to 7 days later
        alive = at < tenure[row]  # the customer has not left yet
        keep = answers & alive
        return row[keep], at[keep], contact
    rows = np.repeat(np.arange(n), tenure)
    month = np.arange(rows.size) - np.repeat(np.cumsum(tenure) - tenure, tenure) + 1
    if design.kind == "relationship":
        months_observed = int(since.max(initial=1))
        calendar = months_observed - since[rows] + month  # months_observed is the cut-off's
        wave = (months_observed - calendar) % design.period_months == 1 % design.period_months
        invited = wave & (rng.random(rows.size) < design.response_rate)
    else:
        chance = np.minimum(design.response_rate * month / 12.0, 0.5)
        invited = rng.random(rows.size) < chance
    return rows[invited], month[invited] - 1 + rng.random(int(invited.sum())), None


def _draw_bands(
    rng: np.random.Generator,
    truth: SimulationTruth,
    channel_idx: npt.NDArray[np.int64],
    team_effect: npt.NDArray[np.float64],
) -> npt.NDArray[np.int8]:
    """Latent band codes (0 detractor, 1 passive, 2 promoter), shifted by team quality."""
    shares = np.array([truth.band_shares[c] for c in truth.channels], dtype=np.float64)
    cum = np.cumsum(shares, axis=1)[channel_idx]  # (n, 3)
    # Team quality moves the customer's position on the ordinal scale (logit shift).
    u = rng.random(len(channel_idx))
    z = np.log(u / (1 - u)) + team_effect
    u_shift = 1.0 / (1.0 + np.exp(-z))
    codes: npt.NDArray[np.int8] = (u_shift[:, None] > cum[:, :2]).sum(axis=1).astype(np.int8)
    return codes


def _simulate_lives(
    rng: np.random.Generator,
    base_hazard: npt.NDArray[np.float64],
    months_since_join: npt.NDArray[np.int64],
    truth: SimulationTruth,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """Month-by-month churn with contact effects; returns tenure, churned, contacts."""
    n = len(base_hazard)
    reasons = list(truth.reasons.values())
    rates = np.array([r.rate_per_1000 / 1000.0 for r in reasons])
    log_hr = np.log(np.array([r.hazard_ratio for r in reasons]))
    contacted = np.zeros((n, len(reasons)), dtype=bool)
    alive = np.ones(n, dtype=bool)
    tenure = np.zeros(n, dtype=np.int64)
    churned = np.zeros(n, dtype=bool)
    contacts: list[npt.NDArray[np.int64]] = []  # rows of (customer row, month, reason index)
    for month in range(1, int(months_since_join.max()) + 1):
        at_risk = alive & (months_since_join >= month)
        idx = np.flatnonzero(at_risk)
        if idx.size == 0:
            break
        counts = rng.poisson(rates, size=(idx.size, len(reasons)))
        rows, cols = np.nonzero(counts)
        reps = counts[rows, cols]
        contacts.append(
            np.column_stack(
                [np.repeat(idx[rows], reps), np.full(reps.sum(), month), np.repeat(cols, reps)]
            )
        )
        hazard = base_hazard[idx] * np.exp(contacted[idx] @ log_hr)
        leave = rng.random(idx.size) < -np.expm1(-hazard)
        tenure[idx] = month
        churned[idx[leave]] = True
        alive[idx[leave]] = False
        contacted[idx[rows], cols] = True  # affects hazard from the next month on
    events = np.concatenate(contacts) if contacts else np.zeros((0, 3), dtype=np.int64)
    return tenure, churned, events.astype(np.int64)


def _lifetime_uniform_rows(
    rng: np.random.Generator, design: SurveyDesign, n: int
) -> npt.NDArray[np.int64]:
    """The first round's answerers: a share answer 1 + Poisson(0.6) times."""
    responds = rng.random(n) < design.response_rate
    n_resp = np.where(responds, 1 + rng.poisson(0.6, n), 0)
    return np.repeat(np.arange(n), n_resp)


def _responses(
    rng: np.random.Generator,
    customers: pd.DataFrame,
    band: npt.NDArray[np.int8],
    employees_per_team: int,
    row: npt.NDArray[np.int64],
    at: npt.NDArray[np.float64] | None,
) -> pd.DataFrame:
    """Answer rows for customer rows at tenure ``at`` (months), scored in their band.

    Without ``at`` (the first round's design) the tenure is drawn uniformly over each
    whole lifetime, future churn included, after the scores (the first round's order
    of draws, so its tables stay the same).
    """
    lo = np.array([0, 7, 9])[band[row]]
    hi = np.array([6, 8, 10])[band[row]]
    # Detractor scores lean towards the top of their range, as in real surveys.
    det_scores = np.array([0, 1, 2, 3, 4, 5, 6])
    det_p = np.array([0.04, 0.04, 0.06, 0.1, 0.16, 0.25, 0.35])
    score = np.where(
        band[row] == 0, rng.choice(det_scores, size=row.size, p=det_p), rng.integers(lo, hi + 1)
    )
    if at is None:
        tenure = customers["tenure_months"].to_numpy()[row]
        at = rng.random(row.size) * np.maximum(tenure, 0.03)
    start = customers["start_date"].to_numpy()[row]
    date = start + (at * DAYS_PER_MONTH).astype("timedelta64[D]")
    team = customers["team"].to_numpy()[row]
    employee = np.array(
        [
            f"{t}-e{k}"
            for t, k in zip(team, rng.integers(1, employees_per_team + 1, row.size), strict=True)
        ],
        dtype=object,
    )
    touch = rng.choice(["onboarding", "service", "billing", "renewal"], size=row.size)
    return pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy()[row],
            "response_date": pd.to_datetime(date).normalize(),
            "channel": customers["channel"].to_numpy()[row],
            "score": score.astype(np.int64),
            "team": team,
            "employee": employee,
            "touchpoint": touch,
        }
    ).sort_values(["response_date", "customer_id"], kind="stable", ignore_index=True)


def _contacts(
    rng: np.random.Generator,
    truth: SimulationTruth,
    customers: pd.DataFrame,
    events: npt.NDArray[np.int64],
    contact_at: npt.NDArray[np.float64] | None = None,
) -> pd.DataFrame:
    """Contact rows of the simulated events, at ``contact_at`` (tenure months) if given."""
    names = list(truth.reasons)
    if len(events) == 0:
        return pd.DataFrame(
            {"customer_id": [], "contact_date": pd.to_datetime([]), "channel": [], "reason": []}
        )
    row, month, reason = events[:, 0], events[:, 1], events[:, 2]
    start = customers["start_date"].to_numpy()[row]
    drawn = (month - 1) + rng.random(row.size)  # drawn either way: the same stream
    days = (drawn if contact_at is None else contact_at) * DAYS_PER_MONTH
    reason_text = np.array(names, dtype=object)[reason]
    # A share of contacts carries a second topic, and a few are left uncoded.
    extra = rng.random(row.size) < 0.12
    second = np.array(names, dtype=object)[rng.integers(0, len(names), row.size)]
    reason_text = np.where(
        extra & (second != reason_text), reason_text + "; " + second, reason_text
    )
    reason_out = pd.Series(reason_text, dtype=object).where(rng.random(row.size) >= 0.04, None)
    own = customers["channel"].to_numpy()[row]
    other = rng.choice(truth.channels, size=row.size)
    channel = np.where(rng.random(row.size) < 0.7, own, other)
    return pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy()[row],
            "contact_date": pd.to_datetime(start + days.astype("timedelta64[D]")).normalize(),
            "channel": channel,
            "reason": reason_out,
        }
    ).sort_values(["contact_date", "customer_id"], kind="stable", ignore_index=True)


def _channel_costs(
    rng: np.random.Generator, truth: SimulationTruth, months: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    points = pd.DataFrame(
        [
            {"channel": ch, "nps": level, "annual_cost": truth.annual_cost(ch, level)}
            for ch in truth.channels
            for level in (20.0, 35.0, 50.0)
        ]
    )
    rows = []
    for ch in truth.channels:
        base = truth.annual_cost(ch, truth.nps(ch))
        spend = base * np.exp(rng.normal(0.0, 0.25, months))
        nps = (
            truth.nps(ch)
            + truth.cost_slope[ch] * np.log(spend / base)
            + rng.normal(0.0, 2.0, months)
        )
        rows.append(
            pd.DataFrame(
                {
                    "channel": ch,
                    "month": np.arange(1, months + 1),
                    "annual_spend": spend,
                    "nps": nps,
                }
            )
        )
    return points, pd.concat(rows, ignore_index=True)


def simulate(
    n_customers: int = 10_000,
    *,
    truth: SimulationTruth | None = None,
    months_observed: int = 48,
    teams_per_channel: int = 6,
    employees_per_team: int = 8,
    as_of: str = "2025-12-31",
    survey: SurveyDesign | str | None = None,
    seed: int | np.random.Generator = 0,
) -> SimulatedData:
    """Draw a customer base from a known truth.

    Parameters
    ----------
    n_customers : int
        Number of customers (rows of ``customers``).
    truth : SimulationTruth, optional
        What to draw from; the default truth when omitted.
    months_observed : int
        Customers joined uniformly over this many months before ``as_of``; it is also
        the longest observable tenure (months).
    teams_per_channel, employees_per_team : int
        Organisation behind the responses.
    as_of : date-like
        Observation cut-off.
    survey : SurveyDesign or str, optional
        How customers answer, drawn forward in time from the simulated lives (answers
        only from customers still there). The default, ``SurveyDesign()``, is a
        quarterly relationship survey of every active customer, 15 % answering;
        ``"transactional"`` and ``"tenure"`` are the other forward designs. A kind name
        alone takes that kind's default rate. ``"lifetime_uniform"`` (answer dates
        over the whole lifetime, future churn included) is the first round's design,
        kept only to show how it made the join-date analysis look right.
    seed : int or numpy.random.Generator
        Randomness; the same seed gives identical tables.

    Returns
    -------
    SimulatedData

    Examples
    --------
    >>> sim = simulate(2_000, seed=1)
    >>> sorted(sim.customers["channel"].unique())
    ['branch', 'chat', 'phone', 'web']
    >>> round(sim.truth.hazard_ratio("detractor"), 2)
    2.73
    """
    if n_customers < 1:
        raise CxDataError(f"`n_customers` must be at least 1, got {n_customers}")
    if months_observed < 1:
        raise CxDataError(f"`months_observed` must be at least 1, got {months_observed}")
    truth = truth or SimulationTruth()
    rng = rng_from_seed(seed)
    cutoff = pd.Timestamp(as_of)
    channels = truth.channels
    ch_idx = rng.integers(0, len(channels), n_customers)
    team_no = rng.integers(1, teams_per_channel + 1, n_customers)
    team_effect_table = rng.normal(0.0, truth.team_nps_sd, (len(channels), teams_per_channel))
    shift = team_effect_table[ch_idx, team_no - 1]
    planted = truth.confounder
    carrier = None if planted is None else rng.random(n_customers) < planted.share
    if planted is not None and carrier is not None:
        shift = shift + planted.band_shift * carrier
    band = _draw_bands(rng, truth, ch_idx, shift)
    band_names = np.array([b.value for b in BAND_ORDER])[band]
    channel = np.array(channels, dtype=object)[ch_idx]
    base_hazard = _vector_hazard(truth, band_names, channel)
    if planted is not None and carrier is not None:
        base_hazard = base_hazard * np.where(carrier, planted.hazard_ratio, 1.0)
    since = rng.integers(1, months_observed + 1, n_customers)
    tenure, churned, events = _simulate_lives(rng, base_hazard, since, truth)
    revenue_mean = np.array([truth.monthly_revenue[b.value] for b in BAND_ORDER])[band]
    revenue = rng.gamma(8.0, revenue_mean / 8.0)
    start = cutoff - pd.to_timedelta(since * DAYS_PER_MONTH, unit="D")
    ids = np.arange(1, n_customers + 1)
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "channel": channel,
            "team": [f"{c}-t{t}" for c, t in zip(channel, team_no, strict=True)],
            "segment": (
                np.where(rng.random(n_customers) < 0.8, "consumer", "business")
                if planted is None or carrier is None
                else np.where(carrier, planted.value, "standard")
            ),
            "start_date": start.normalize(),
            "tenure_months": tenure.astype(np.float64),
            "churned": churned,
            "monthly_revenue": np.round(revenue, 2),
        }
    )
    end = customers["start_date"] + pd.to_timedelta(tenure * DAYS_PER_MONTH, unit="D")
    customers["end_date"] = end.dt.normalize().where(churned)
    design = _survey(survey)
    if design.kind == "lifetime_uniform":
        row, at, contact_at = _lifetime_uniform_rows(rng, design, n_customers), None, None
    else:
        row, at, contact_at = _answer_times(rng, design, tenure, since, events)
    responses = _responses(rng, customers, band, employees_per_team, row, at)
    contacts = _contacts(rng, truth, customers, events, contact_at)
    costs, history = _channel_costs(rng, truth, months=36)
    return SimulatedData(
        customers=customers,
        responses=responses,
        contacts=contacts,
        channel_costs=costs,
        channel_history=history,
        truth=truth,
        latent_band=pd.Series(band_names, index=pd.Index(ids, name="customer_id"), name="band"),
        as_of=cutoff,
        seed=seed if isinstance(seed, int) else -1,
    )


def _vector_hazard(
    truth: SimulationTruth, band_names: npt.NDArray[np.str_], channel: npt.NDArray[np.object_]
) -> npt.NDArray[np.float64]:
    h_band = pd.Series(dict(truth.monthly_hazard)).reindex(band_names).to_numpy(np.float64)
    hr = pd.Series(channel).map(lambda c: truth.channel_hazard_ratio.get(c, 1.0))
    out: npt.NDArray[np.float64] = h_band * hr.to_numpy(np.float64)
    return out


@functools.lru_cache(maxsize=1)
def _demo() -> SimulatedData:
    return simulate(DEMO_CUSTOMERS, seed=DEMO_SEED)


def load_demo() -> SimulatedData:
    """Return the fixed demo base: 50,000 customers in phone, branch, chat and web.

    It is generated deterministically (seed ``20251123``) from the default
    :class:`SimulationTruth`, so every run, test and doc sees the same numbers.
    Each call returns fresh copies of the frames, so changing them is safe.

    Returns
    -------
    SimulatedData

    Examples
    --------
    >>> demo = load_demo()
    >>> len(demo.customers)
    50000
    """
    demo = _demo()
    return dataclasses.replace(
        demo,
        customers=demo.customers.copy(),
        responses=demo.responses.copy(),
        contacts=demo.contacts.copy(),
        channel_costs=demo.channel_costs.copy(),
        channel_history=demo.channel_history.copy(),
        latent_band=demo.latent_band.copy(),
    )
