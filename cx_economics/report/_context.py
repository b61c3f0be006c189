"""The report's context: validated inputs, settings, and the analyses it runs once, on demand."""

from __future__ import annotations

import contextlib
import importlib
import re
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cx_economics.assumptions import Assumptions
from cx_economics.data import ChannelCosts, Contacts, Customers, Responses
from cx_economics.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.formatting import Language, label

#: Called with a short message before each long step (e.g. to print progress).
ProgressCallback = Callable[[str], None]


class _Unavailable(Exception):
    """An analysis or section cannot be produced; the message says why."""


def _function(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, or :class:`_Unavailable` when the module is not installed."""
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == module or module.startswith(exc.name + ".")):
            raise _Unavailable(f"`{module}` is not part of this installation") from None
        raise
    function: Callable[..., Any] = getattr(found, name)
    return function


def _number_free(message: str) -> str:
    """A caveat without its numbers: repeats that differ only in numbers are listed once."""
    return re.sub(r"[-−]?\d+(?:[.,]\d+)?", "#", message)


@dataclass
class _Context:
    """Validated inputs, settings, and the cache of analyses run so far."""

    customers: Customers
    responses: Responses
    contacts: Contacts | None
    channel_costs: ChannelCosts | None
    channel_history: pd.DataFrame | None
    assumptions: Assumptions
    language: Language
    seed: int
    progress: ProgressCallback | None
    results: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    caveats: list[str] = field(default_factory=list)

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

    def get(self, name: str) -> Any:
        """Result of analysis ``name`` (run once); :class:`_Unavailable` if it cannot run."""
        if name in self.results:
            return self.results[name]
        if name in self.failures:
            raise _Unavailable(self.failures[name])
        message, compute = ANALYSES[name]
        self.say(message)
        try:
            with self.collecting_caveats():
                value = compute(self)
        except _Unavailable as exc:
            self.failures[name] = str(exc)
            raise
        except (CxModelError, CxDataError) as exc:
            # inputs were validated up front; what is left is "this analysis cannot be
            # done with these data or assumptions": skip its section and say why
            self.failures[name] = f"{message.rstrip('…')}: {exc}"
            raise _Unavailable(self.failures[name]) from exc
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("cx_economics."):
                raise
            self.failures[name] = f"needs `{exc.name}`, which is not part of this installation"
            raise _Unavailable(self.failures[name]) from exc
        self.results[name] = value
        return value

    def optional(self, name: str) -> Any | None:
        """Result of analysis ``name``, or None when it is not available."""
        try:
            return self.get(name)
        except _Unavailable:
            return None


def _life_table(ctx: _Context) -> Any:
    """By band only: the finer table summed over its other groups, not a second pass."""
    return ctx.get("life_table_by_channel").collapse(["band"])


#: Months of answers that make the survey's "NPS today" on page 1 and the NPS pages (and
#: the teams' NPS behind the economics' excellence level).
NPS_WINDOW_MONTHS = 12


def nps_cutoff(ctx: _Context) -> pd.Timestamp:
    """The data cut-off: the customers' ``as_of``, else the latest answer's date."""
    as_of = ctx.customers.as_of
    return pd.Timestamp(as_of if as_of is not None else ctx.responses.frame["response_date"].max())


def _recent_responses(ctx: _Context) -> Any:
    """The answers of the last :data:`NPS_WINDOW_MONTHS` months to the cut-off.

    The same window :func:`~cx_economics.economics.channel_economics` takes for the
    teams' NPS; the economics' own mix is the active customers' (see the package notes).
    """
    window = _function("cx_economics.economics", "answers_in_window")
    recent = window(ctx.responses.frame, nps_cutoff(ctx), NPS_WINDOW_MONTHS)
    if recent.empty:
        raise _Unavailable(f"no survey answers in the last {NPS_WINDOW_MONTHS} months")
    return Responses(recent, scheme=ctx.responses.scheme)


def _nps_by(by: str) -> Callable[[_Context], Any]:
    def compute(ctx: _Context) -> Any:
        if by not in ctx.responses.frame.columns:
            raise _Unavailable(f"responses carry no `{by}` column")
        return _function("cx_economics.nps", "nps")(
            ctx.get("recent_responses"),
            by=by,
            level=ctx.assumptions.confidence_level,
            seed=ctx.seed_for(f"nps_{by}"),
        )

    return compute


def _nps_overall(ctx: _Context) -> Any:
    return _function("cx_economics.nps", "nps")(
        ctx.get("recent_responses"),
        level=ctx.assumptions.confidence_level,
        seed=ctx.seed_for("nps"),
    )


def _kaplan_meier(ctx: _Context) -> Any:
    return _function("cx_economics.survival.km", "kaplan_meier")(ctx.get("life_table"))


def _life_table_by_channel(ctx: _Context) -> Any:
    """Band × channel (× segment when the customers carry one): what the ratios adjust for."""
    has_segment = "segment" in ctx.customers.frame.columns
    by = ("band", "channel", "segment") if has_segment else ("band", "channel")
    return _function("cx_economics.tables.life", "life_table")(ctx.customers, ctx.responses, by=by)


def _hazard_ratios(ctx: _Context) -> Any:
    """Band hazard ratios adjusted for channel: the pooled ones mix channels' churn."""
    return _function("cx_economics.survival.hazards", "hazard_ratios")(
        ctx.get("life_table_by_channel")
    )


def _lifetime_values(ctx: _Context) -> Any:
    return _function("cx_economics.value", "value_by_band")(
        ctx.customers,
        ctx.responses,
        ctx.assumptions,
        seed=ctx.seed_for("lifetime_values"),
    )


def _economics(ctx: _Context) -> Any:
    return _function("cx_economics.economics", "channel_economics")(
        ctx.customers,
        ctx.responses,
        assumptions=ctx.assumptions,
        channel_costs=ctx.channel_costs,
        window_months=NPS_WINDOW_MONTHS,
        seed=ctx.seed_for("economics"),
    )


def _targets(ctx: _Context) -> Any:
    if ctx.channel_costs is None:
        raise _Unavailable(label("reason_no_costs", ctx.language))
    compare = _function("cx_economics.targets.naive", "compare_targets")
    value_targets = ctx.get("value_targets")
    economics = ctx.get("economics")
    return compare(economics, value_targets=value_targets, seed=ctx.seed_for("targets"))


def _value_targets(ctx: _Context) -> Any:
    if ctx.channel_costs is None:
        raise _Unavailable(label("reason_no_costs", ctx.language))
    solve = _function("cx_economics.targets.value_based", "value_based_targets")
    # the seed compare_targets would use, so the comparison's numbers are unchanged
    return solve(ctx.get("economics"), seed=ctx.seed_for("targets"))


def budget_to_split(ctx: _Context) -> tuple[float, str]:
    """The yearly budget the report splits (currency per year) and where it comes from.

    ``Assumptions.cx_budget_per_year`` when set (``"assumptions"``), else the extra
    yearly cost of the naive "+25 %" targets (``"naive"``): the same money, spent by
    value.
    """
    given = ctx.assumptions.cx_budget_per_year
    if given is not None:
        return float(given), "assumptions"
    naive_cost = ctx.get("targets").extra_cost[0]
    return float(np.sum(np.clip(naive_cost, 0.0, None))), "naive"


def _budget(ctx: _Context) -> Any:
    if ctx.channel_costs is None:
        raise _Unavailable(label("reason_no_costs", ctx.language))
    budget, source = budget_to_split(ctx)
    if not budget > 0:
        raise _Unavailable(label(f"reason_no_budget_{source}", ctx.language))
    allocate = _function("cx_economics.targets.budget", "allocate_budget")
    return allocate(ctx.get("economics"), budget, seed=ctx.seed_for("budget"))


def _drivers(ctx: _Context) -> Any:
    if ctx.contacts is None:
        raise _Unavailable(label("reason_no_contacts", ctx.language))
    channels = sorted(set(ctx.contacts.frame["channel"]))
    unpriced = [c for c in channels if c not in ctx.assumptions.cost_per_contact]
    if unpriced:
        raise _Unavailable(label("reason_no_contact_cost", ctx.language).format(unpriced))
    values = ctx.optional("lifetime_values")
    per_band = (
        None if values is None else dict(zip(values.to_frame()["band"], values.value, strict=True))
    )
    return _function("cx_economics.drivers", "contact_driver_analysis")(
        ctx.customers,
        ctx.contacts,
        ctx.responses,
        assumptions=ctx.assumptions,
        lifetime_value=per_band,
        seed=ctx.seed_for("drivers"),
    )


#: Analysis name → (progress message, function of the context). Run on demand, once.
ANALYSES: dict[str, tuple[str, Callable[[_Context], Any]]] = {
    "life_table": ("summing the counts by NPS band…", _life_table),
    "life_table_by_channel": (
        "counting customers by NPS band, channel and tenure…",
        _life_table_by_channel,
    ),
    "recent_responses": ("selecting the last year's survey answers…", _recent_responses),
    "nps": ("computing NPS…", _nps_overall),
    "nps_channel": ("computing NPS by channel…", _nps_by("channel")),
    "nps_team": ("computing NPS by team…", _nps_by("team")),
    "km": ("estimating churn curves (Kaplan–Meier)…", _kaplan_meier),
    "hazard_ratios": ("estimating hazard ratios…", _hazard_ratios),
    "lifetime_values": ("valuing customers by band (bootstrap)…", _lifetime_values),
    "economics": ("pricing the channels (money lost below excellence)…", _economics),
    "value_targets": ("setting value-based targets…", _value_targets),
    "targets": ("comparing value-based and naive targets…", _targets),
    "budget": ("splitting the budget across channels by value…", _budget),
    "drivers": ("analysing contact drivers…", _drivers),
}


def book_date(ctx: _Context) -> str:
    """The data cut-off as ``YYYY-MM-DD`` (or "—" when the data carry no dates)."""
    as_of = ctx.customers.as_of
    return "—" if as_of is None else str(pd.Timestamp(as_of).date())
