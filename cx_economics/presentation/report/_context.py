"""The report's context: validated inputs, settings, and typed analyses run once on demand."""

from __future__ import annotations

import contextlib
import re
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.schemas import ChannelCosts, Contacts, Customers, Responses
from cx_economics.presentation.formatting import Language, label

if TYPE_CHECKING:
    from cx_economics.drivers.analysis import DriverReport
    from cx_economics.economics.channels import ChannelEconomics
    from cx_economics.scores.estimate import NpsEstimate, NpsTable
    from cx_economics.survival.curves import ChurnCurves
    from cx_economics.survival.hazards import HazardRatios
    from cx_economics.survival.robustness import EValues
    from cx_economics.tables.life import LifeTable
    from cx_economics.targets.budget import BudgetAllocation
    from cx_economics.targets.naive import TargetComparison
    from cx_economics.targets.value_based import ValueTargets
    from cx_economics.value.lifetime import LifetimeValues

#: Called with a short message before each long step (e.g. to print progress).
ProgressCallback = Callable[[str], None]


class _Unavailable(Exception):
    """An analysis or section cannot be produced; the message says why."""


def _number_free(message: str) -> str:
    """A caveat without its numbers: repeats that differ only in numbers are listed once."""
    return re.sub(r"[-−]?\d+(?:[.,]\d+)?", "#", message)


#: Months of answers that make the survey's "NPS today" on page 1 and the NPS pages (and
#: the teams' NPS behind the economics' excellence level).
NPS_WINDOW_MONTHS = 12

#: Share of the band effect an unmeasured confounder explains in page 1's sensitivity.
CONFOUNDED_SHARE = 0.25

T = TypeVar("T")


@dataclass
class _Context:
    """Validated inputs, settings, and the analyses the pages ask for, each run once.

    Every analysis is a method with its result type: the pages read typed results,
    and a failing analysis raises :class:`_Unavailable` (its section is skipped with
    the reason) every time it is asked for again.
    """

    customers: Customers
    responses: Responses
    contacts: Contacts | None
    channel_costs: ChannelCosts | None
    channel_history: pd.DataFrame | None
    assumptions: Assumptions
    language: Language
    seed: int
    progress: ProgressCallback | None
    #: Customer columns the money and band ratios are adjusted for.
    adjust_for: tuple[str, ...] = ()
    results: dict[str, object] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    caveats: list[str] = field(default_factory=list)
    #: The summary's key sentences, kept for :class:`ReportResult`.
    sentences: tuple[str, ...] = ()
    #: (section title, reason or None when included) of every section so far.
    outcomes: list[tuple[str, str | None]] = field(default_factory=list)

    @contextlib.contextmanager
    def collecting_caveats(self) -> Iterator[None]:
        """Keep :class:`CxAssumptionWarning` messages for the data-quality page.

        Other warnings are passed on unchanged.
        """
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CxAssumptionWarning)
            yield
        seen = {_number_free(c) for c in self.caveats}
        for item in caught:
            if issubclass(item.category, CxAssumptionWarning):
                if _number_free(str(item.message)) not in seen:
                    seen.add(_number_free(str(item.message)))
                    self.caveats.append(str(item.message))
            else:
                warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)

    def seed_for(self, name: str) -> int:
        """A seed of its own per analysis: adding one never changes another's numbers."""
        sequence = np.random.SeedSequence([self.seed, zlib.crc32(name.encode())])
        return int(sequence.generate_state(1)[0])

    def say(self, message: str) -> None:
        """Report progress, if anyone listens."""
        if self.progress is not None:
            self.progress(message)

    def _run(self, name: str, message: str, compute: Callable[[], T]) -> T:
        """``compute()`` once, cached under ``name``; :class:`_Unavailable` if it cannot run."""
        if name in self.results:
            return cast(T, self.results[name])
        if name in self.failures:
            raise _Unavailable(self.failures[name])
        self.say(message)
        try:
            with self.collecting_caveats():
                value = compute()
        except _Unavailable as exc:
            self.failures[name] = str(exc)
            raise
        except (CxModelError, CxDataError) as exc:
            # inputs were validated up front; what is left is "this analysis cannot be
            # done with these data or assumptions": skip its section and say why
            self.failures[name] = f"{message.rstrip('…')}: {exc}"
            raise _Unavailable(self.failures[name]) from exc
        self.results[name] = value
        return value

    @staticmethod
    def optional(analysis: Callable[[], T]) -> T | None:
        """``analysis()`` (e.g. ``ctx.economics``), or None when it is not available."""
        try:
            return analysis()
        except _Unavailable:
            return None

    # ------------------------------------------------------------------ the analyses
    def life_table_by_channel(self) -> LifeTable:
        """Band × channel × the columns adjusted for: what the ratios adjust for."""
        from cx_economics.tables.life import life_table

        by = ("band", "channel", *self.adjust_for)
        return self._run(
            "life_table_by_channel",
            "counting customers by NPS band, channel and tenure…",
            lambda: life_table(self.customers, self.responses, by=by),
        )

    def life_table(self) -> LifeTable:
        """By band only: the finer table summed over its other groups, not a second pass."""
        return self._run(
            "life_table",
            "summing the counts by NPS band…",
            lambda: self.life_table_by_channel().collapse(["band"]),
        )

    def recent_responses(self) -> Responses:
        """The answers of the last :data:`NPS_WINDOW_MONTHS` months to the cut-off.

        The same window :func:`~cx_economics.economics.channels.channel_economics` takes
        for the teams' NPS; the economics' own mix is the active customers'.
        """
        from cx_economics.data.window import answers_in_window

        def compute() -> Responses:
            recent = answers_in_window(self.responses.frame, nps_cutoff(self), NPS_WINDOW_MONTHS)
            if recent.empty:
                raise _Unavailable(f"no survey answers in the last {NPS_WINDOW_MONTHS} months")
            return Responses(recent, scheme=self.responses.scheme)

        return self._run("recent_responses", "selecting the last year's survey answers…", compute)

    def nps(self) -> NpsEstimate:
        """NPS over the window, all channels."""
        from cx_economics.scores import nps

        return self._run(
            "nps",
            "computing NPS…",
            lambda: nps(
                self.recent_responses(),
                level=self.assumptions.confidence_level,
                seed=self.seed_for("nps"),
            ),
        )

    def nps_channel(self) -> NpsTable:
        """NPS over the window by channel."""
        return self._nps_by("channel")

    def nps_team(self) -> NpsTable:
        """NPS over the window by team."""
        return self._nps_by("team")

    def _nps_by(self, by: str) -> NpsTable:
        from cx_economics.scores import nps

        def compute() -> NpsTable:
            if by not in self.responses.frame.columns:
                raise _Unavailable(f"responses carry no `{by}` column")
            return nps(
                self.recent_responses(),
                by=by,
                level=self.assumptions.confidence_level,
                seed=self.seed_for(f"nps_{by}"),
            )

        return self._run(f"nps_{by}", f"computing NPS by {by}…", compute)

    def km(self) -> ChurnCurves:
        """Kaplan–Meier churn curves by band."""
        from cx_economics.survival.km import kaplan_meier

        return self._run(
            "km",
            "estimating churn curves (Kaplan–Meier)…",
            lambda: kaplan_meier(self.life_table()),
        )

    def hazard_ratios(self) -> HazardRatios:
        """Band hazard ratios adjusted for channel: the pooled ones mix channels' churn."""
        from cx_economics.survival.hazards import hazard_ratios

        return self._run(
            "hazard_ratios",
            "estimating hazard ratios…",
            # adjusted on the rated months only: the unrated mix every band, so a
            # covariate term shared with them is pulled off (see `include_unrated`)
            lambda: hazard_ratios(
                self.life_table_by_channel(), include_unrated=not self.adjust_for
            ),
        )

    def e_values(self) -> EValues:
        """E-values of the band hazard ratios the money rests on."""
        from cx_economics.survival.robustness import e_values

        return self._run(
            "e_values",
            "measuring robustness to unmeasured confounding…",
            lambda: e_values(self.hazard_ratios()),
        )

    def lifetime_values(self) -> LifetimeValues:
        """Lifetime value per band, with intervals."""
        from cx_economics.value.lifetime import value_by_band

        return self._run(
            "lifetime_values",
            "valuing customers by band (bootstrap)…",
            lambda: value_by_band(
                self.customers,
                self.responses,
                self.assumptions,
                seed=self.seed_for("lifetime_values"),
            ),
        )

    def economics(self) -> ChannelEconomics:
        """The channel economics (money lost below excellence, value of a point).

        Adjusted for :attr:`adjust_for` when it can be; when a stratum is too thin to
        price on its own, crude, with a caveat saying so.
        """

        def compute() -> ChannelEconomics:
            if self.adjust_for:
                try:
                    return self._price_channels(self.adjust_for)
                except CxDataError as exc:
                    warnings.warn(
                        f"the money could not be adjusted for {list(self.adjust_for)} "
                        f"({exc}); it is priced crude",
                        CxAssumptionWarning,
                        stacklevel=2,
                    )
            return self._price_channels(())

        return self._run(
            "economics", "pricing the channels (money lost below excellence)…", compute
        )

    def crude_economics(self) -> ChannelEconomics:
        """The same economics without adjustment, for page 1's comparison."""
        economics = self.economics()
        if not economics.adjusted_for:
            return economics
        return self._run(
            "crude_economics",
            "pricing the channels again, crude…",
            lambda: self._price_channels(()),
        )

    def _price_channels(self, adjust_for: tuple[str, ...]) -> ChannelEconomics:
        from cx_economics.economics.channels import channel_economics

        return channel_economics(
            self.customers,
            self.responses,
            assumptions=self.assumptions,
            channel_costs=self.channel_costs,
            window_months=NPS_WINDOW_MONTHS,
            adjust_for=adjust_for,
            seed=self.seed_for("economics"),
        )

    def money_if_confounded(self) -> pd.DataFrame:
        """Money lost if an unmeasured confounder explained 25 % of the band effect."""
        from cx_economics.economics.channels import confounding_sensitivity

        return self._run(
            "money_if_confounded",
            "pricing the money if a hidden factor explained part of it…",
            lambda: confounding_sensitivity(
                self.customers,
                self.responses,
                shares=(0.0, CONFOUNDED_SHARE),
                assumptions=self.assumptions,
                adjust_for=self.economics().adjusted_for,
                seed=self.seed_for("economics"),
            ),
        )

    def _needs_costs(self) -> None:
        if self.channel_costs is None:
            raise _Unavailable(label("reason_no_costs", self.language))

    def value_targets(self) -> ValueTargets:
        """Value-based targets per channel."""
        from cx_economics.targets.value_based import value_based_targets

        def compute() -> ValueTargets:
            self._needs_costs()
            return value_based_targets(self.economics())

        return self._run("value_targets", "setting value-based targets…", compute)

    def targets(self) -> TargetComparison:
        """Value-based against naive targets."""
        from cx_economics.targets.naive import compare_targets

        def compute() -> TargetComparison:
            self._needs_costs()
            return compare_targets(
                self.economics(),
                value_targets=self.value_targets(),
            )

        return self._run("targets", "comparing value-based and naive targets…", compute)

    def budget(self) -> BudgetAllocation:
        """The yearly budget split across channels by value."""
        from cx_economics.targets.budget import allocate_budget

        def compute() -> BudgetAllocation:
            self._needs_costs()
            budget, source = budget_to_split(self)
            if not budget > 0:
                raise _Unavailable(label(f"reason_no_budget_{source}", self.language))
            return allocate_budget(self.economics(), budget)

        return self._run("budget", "splitting the budget across channels by value…", compute)

    def drivers(self) -> DriverReport:
        """Contact drivers: rates, churn link, money and the return of fixes."""
        from cx_economics.drivers import contact_driver_analysis

        def compute() -> DriverReport:
            if self.contacts is None:
                raise _Unavailable(label("reason_no_contacts", self.language))
            channels = sorted(set(self.contacts.frame["channel"]))
            unpriced = [c for c in channels if c not in self.assumptions.cost_per_contact]
            if unpriced:
                raise _Unavailable(label("reason_no_contact_cost", self.language).format(unpriced))
            values = self.optional(self.lifetime_values)
            per_band = (
                None
                if values is None
                else dict(zip(values.to_frame()["band"], values.value, strict=True))
            )
            return contact_driver_analysis(
                self.customers,
                self.contacts,
                self.responses,
                assumptions=self.assumptions,
                lifetime_value=per_band,
                seed=self.seed_for("drivers"),
            )

        return self._run("drivers", "analysing contact drivers…", compute)


def rows_of(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of a result's ``to_frame()`` as named tuples, for a page's table."""
    yield from frame.itertuples()


def nps_cutoff(ctx: _Context) -> pd.Timestamp:
    """The data cut-off: the customers' ``as_of``, else the latest answer's date."""
    as_of = ctx.customers.as_of
    return pd.Timestamp(as_of if as_of is not None else ctx.responses.frame["response_date"].max())


def budget_to_split(ctx: _Context) -> tuple[float, str]:
    """The yearly budget the report splits (currency per year) and where it comes from.

    ``Assumptions.cx_budget_per_year`` when set (``"assumptions"``), else the extra
    yearly cost of the naive "+25 %" targets (``"naive"``): the same money, spent by
    value.
    """
    given = ctx.assumptions.cx_budget_per_year
    if given is not None:
        return float(given), "assumptions"
    naive_cost = ctx.targets().extra_cost[0]
    return float(np.sum(np.clip(naive_cost, 0.0, None))), "naive"


def book_date(ctx: _Context) -> str:
    """The data cut-off as ``YYYY-MM-DD`` (or "—" when the data carry no dates)."""
    as_of = ctx.customers.as_of
    return "—" if as_of is None else str(pd.Timestamp(as_of).date())
