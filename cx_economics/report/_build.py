"""The leadership report: a multi-page PDF and one PNG per chart.

:func:`build_report` validates the input tables, runs each analysis at most once (on
demand, cached) and lets a list of *sections* (:data:`SECTIONS`) draw the pages:

1. executive summary: key numbers and plain sentences, written only from analyses
   that ran (a sentence whose analysis is missing is left out, never guessed);
2. NPS by channel; 3. churn by NPS band; 4. lifetime value by band; 5. channel
   economics; 6. targets and budget; 7. contact drivers;
8. data quality: rows read and ignored, unrated customers, small samples, and the
   sections that are not available, with the reason;
9. methods and assumptions (:meth:`Assumptions.to_frame`).

A section whose inputs are missing (no contacts table, an analysis module not in this
installation, a model that cannot be fitted, an assumption the data cannot supply) is
skipped and listed as "not available", with the reason, on the data-quality page.
Unusable input tables are never skipped: they raise
:class:`~cx_economics.exceptions.CxDataError` before anything is written.

To add a section, write ``def _section_x(ctx, book)`` drawing its pages with
``book.page(...)`` and ``book.chart(...)``, register the analyses it needs in
:data:`ANALYSES`, and add ``Section("x", _section_x)`` to :data:`SECTIONS`.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import textwrap
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cx_economics._results import Result
from cx_economics.assumptions import Assumptions
from cx_economics.data import (
    ChannelCosts,
    Contacts,
    Customers,
    Responses,
    validate_channel_costs,
    validate_contacts,
    validate_customers,
    validate_responses,
)
from cx_economics.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.formatting import (
    Language,
    check_language,
    format_count,
    format_money,
    format_money_compact,
    format_money_range,
    format_months,
    format_nps,
    format_number,
    format_percent,
    label,
)
from cx_economics.style import (
    A4_LANDSCAPE_INCHES,
    INK,
    MUTED,
    draw_key_number,
    draw_paragraphs,
    draw_table,
    use_house_style,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ANALYSES", "SECTIONS", "ReportResult", "Section", "SectionOutcome", "build_report"]

#: Called with a short message before each long step (e.g. to print progress).
ProgressCallback = Callable[[str], None]

PDF_NAME = "cx_report.pdf"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SectionOutcome:
    """What happened to one section of the report.

    Parameters
    ----------
    key : str
        Section key (also its label key, e.g. ``"churn_by_band"``).
    title : str
        Section title in the report's language.
    included : bool
        Whether the section's pages are in the PDF.
    reason : str
        Why it is not available (empty when included).
    pages : int
        Pages it contributed.
    charts : tuple of str
        File names of the PNG charts it wrote.
    """

    key: str
    title: str
    included: bool
    reason: str
    pages: int
    charts: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ReportResult(Result):
    """Where the report was written and what it contains.

    Attributes
    ----------
    pdf_path : pathlib.Path
        The multi-page PDF (A4 landscape).
    chart_paths : tuple of pathlib.Path
        One PNG per chart, in page order.
    sections : tuple of SectionOutcome
        Every section, included or not, in report order.
    n_pages : int
        Pages in the PDF.
    language : str
        ``"en"`` or ``"fi"``.
    key_sentences : tuple of str
        The executive summary's sentences, as printed on page 1.
    caveats : tuple of str
        Fragile-but-allowed situations met on the way (small groups, extrapolated
        cost curves…), as listed on the data-quality page.
    analyses : mapping
        Every analysis that ran, by name (``"nps_channel"``, ``"km"``,
        ``"hazard_ratios"``, ``"lifetime_values"``, ``"economics"``, ``"targets"``,
        ``"drivers"``…): the result objects behind the pages, for ``to_frame()``.
    """

    pdf_path: Path
    chart_paths: tuple[Path, ...]
    sections: tuple[SectionOutcome, ...]
    n_pages: int
    language: str
    key_sentences: tuple[str, ...]
    caveats: tuple[str, ...] = ()
    analyses: Mapping[str, Any] = field(default_factory=dict, repr=False)

    _title = "Leadership report"

    def to_frame(self) -> pd.DataFrame:
        """One row per section: key, title, included, pages, charts, reason."""
        return pd.DataFrame(
            [
                {
                    "section": s.key,
                    "title": s.title,
                    "included": s.included,
                    "pages": s.pages,
                    "charts": ", ".join(s.charts),
                    "reason": s.reason,
                }
                for s in self.sections
            ]
        )

    def _notes(self) -> list[str]:
        return [f"{self.n_pages} pages in {self.pdf_path}; {len(self.chart_paths)} PNG charts"]


# --------------------------------------------------------------------------- context


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


# --------------------------------------------------------------------------- analyses


def _life_table(ctx: _Context) -> Any:
    return _function("cx_economics.tables.life", "life_table")(ctx.customers, ctx.responses)


def _nps_by(by: str) -> Callable[[_Context], Any]:
    def compute(ctx: _Context) -> Any:
        if by not in ctx.responses.frame.columns:
            raise _Unavailable(f"responses carry no `{by}` column")
        return _function("cx_economics.nps", "nps")(
            ctx.responses,
            by=by,
            level=ctx.assumptions.confidence_level,
            seed=ctx.seed_for(f"nps_{by}"),
        )

    return compute


def _nps_overall(ctx: _Context) -> Any:
    return _function("cx_economics.nps", "nps")(
        ctx.responses, level=ctx.assumptions.confidence_level, seed=ctx.seed_for("nps")
    )


def _kaplan_meier(ctx: _Context) -> Any:
    return _function("cx_economics.survival.km", "kaplan_meier")(ctx.get("life_table"))


def _hazard_ratios(ctx: _Context) -> Any:
    return _function("cx_economics.survival.hazards", "hazard_ratios")(ctx.get("life_table"))


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
        seed=ctx.seed_for("economics"),
    )


def _targets(ctx: _Context) -> Any:
    if ctx.channel_costs is None:
        raise _Unavailable(label("reason_no_costs", ctx.language))
    compare = _function("cx_economics.targets.naive", "compare_targets")
    return compare(ctx.get("economics"), seed=ctx.seed_for("targets"))


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
    "life_table": ("counting customers by NPS band and tenure…", _life_table),
    "nps": ("computing NPS…", _nps_overall),
    "nps_channel": ("computing NPS by channel…", _nps_by("channel")),
    "nps_team": ("computing NPS by team…", _nps_by("team")),
    "km": ("estimating churn curves (Kaplan–Meier)…", _kaplan_meier),
    "hazard_ratios": ("estimating hazard ratios…", _hazard_ratios),
    "lifetime_values": ("valuing customers by band (bootstrap)…", _lifetime_values),
    "economics": ("pricing the channels (money lost below excellence)…", _economics),
    "targets": ("setting value-based targets…", _targets),
    "drivers": ("analysing contact drivers…", _drivers),
}


# --------------------------------------------------------------------------- pages


class _Book:
    """The pages (figures) and charts (PNG files) of the report being built."""

    def __init__(self, out_dir: Path, language: Language, as_of: str) -> None:
        self.out_dir = out_dir
        self.language = language
        self.as_of = as_of
        self.pages: dict[str, list[Figure]] = {}
        self.charts: dict[str, list[Path]] = {}
        self.section = ""

    def page(self, title: str | None = None) -> Figure:
        """A new A4-landscape page of the current section, with its title drawn."""
        from matplotlib.figure import Figure
        from matplotlib.layout_engine import ConstrainedLayoutEngine

        engine = ConstrainedLayoutEngine(rect=(0.03, 0.06, 0.94, 0.84), w_pad=0.08, h_pad=0.08)
        figure = Figure(figsize=A4_LANDSCAPE_INCHES, layout=engine)
        figure.text(
            0.04,
            0.945,
            title or label(self.section, self.language),
            fontsize=20,
            fontweight="bold",
            color=INK,
            va="top",
        )
        self.pages.setdefault(self.section, []).append(figure)
        return figure

    def chart(self, name: str, plot: Callable[..., Figure], result: Any, **kwargs: Any) -> None:
        """Save ``plot(result, language=…, **kwargs)`` as ``name.png`` in the output folder."""
        figure = plot(result, language=self.language, **kwargs)
        path = self.out_dir / f"{name}.png"
        figure.savefig(path, dpi=150)
        self.charts.setdefault(self.section, []).append(path)

    def discard(self, section: str) -> None:
        """Drop a failed section's pages and delete its charts."""
        self.pages.pop(section, None)
        for path in self.charts.pop(section, []):
            path.unlink(missing_ok=True)

    def write_pdf(self, order: Sequence[str], path: Path) -> int:
        """Write the pages in section ``order`` with footers; return the page count."""
        from matplotlib.backends.backend_pdf import PdfPages

        pages = [f for key in order for f in self.pages.get(key, [])]
        footer = f"{label('report_title', self.language)} · {self.as_of}"
        with PdfPages(path, metadata={"Title": label("report_title", self.language)}) as pdf:
            for number, figure in enumerate(pages, start=1):
                figure.text(0.04, 0.025, footer, fontsize=8, color=MUTED)
                page_text = f"{label('page', self.language)} {number} / {len(pages)}"
                figure.text(0.96, 0.025, page_text, fontsize=8, color=MUTED, ha="right")
                pdf.savefig(figure)
        return len(pages)


# --------------------------------------------------------------------------- sentences


def _level_text(ctx: _Context) -> str:
    return label("interval", ctx.language).format(round(100 * ctx.assumptions.confidence_level))


def _say_nps(ctx: _Context) -> str:
    overall = ctx.get("nps")
    frame = ctx.get("nps_channel").to_frame().sort_values("nps")
    lang = ctx.language
    return label("say_nps", lang).format(
        nps=format_nps(overall.nps, lang),
        interval=_level_text(ctx),
        lower=format_nps(overall.lower, lang),
        upper=format_nps(overall.upper, lang),
        n=format_count(overall.n, lang),
        low=format_nps(frame["nps"].iloc[0], lang),
        low_channel=frame["channel"].iloc[0],
        high=format_nps(frame["nps"].iloc[-1], lang),
        high_channel=frame["channel"].iloc[-1],
    )


def _band_row(frame: pd.DataFrame, band: str) -> pd.Series:
    rows = frame[frame["band"].astype(str) == band]
    if rows.empty:
        raise _Unavailable(f"no `{band}` group in the results")
    return rows.iloc[0]


def _say_hazard(ctx: _Context) -> str:
    ratio = ctx.get("hazard_ratios").ratio("detractor")
    lang = ctx.language
    return label("say_hazard", lang).format(
        ratio=format_number(ratio.value, lang, decimals=1),
        interval=_level_text(ctx),
        lower=format_number(ratio.lower, lang, decimals=1),
        upper=format_number(ratio.upper, lang, decimals=1),
    )


def _say_churn_12(ctx: _Context) -> str:
    churn = ctx.get("km").churn_at(12)
    lang = ctx.language
    detractor, promoter = _band_row(churn, "detractor"), _band_row(churn, "promoter")
    return label("say_churn_12", lang).format(
        detractors=format_percent(detractor["churn"], lang, decimals=0),
        promoters=format_percent(promoter["churn"], lang, decimals=0),
    )


def _say_value(ctx: _Context) -> str:
    values = ctx.get("lifetime_values")
    frame = values.to_frame()
    promoter, detractor = _band_row(frame, "promoter"), _band_row(frame, "detractor")
    lang, cur = ctx.language, values.currency
    return label("say_value", lang).format(
        months=values.horizon_months or "∞",
        promoter=format_money(promoter["value"], cur, lang),
        detractor=format_money(detractor["value"], cur, lang),
        difference=format_money(promoter["value"] - detractor["value"], cur, lang),
    )


def _money(value: float, ctx: _Context) -> str:
    return format_money_compact(value, ctx.assumptions.currency, ctx.language)


def _range(lower: float, upper: float, ctx: _Context) -> str:
    return format_money_range(lower, upper, ctx.assumptions.currency, ctx.language)


def _nps_range(value: float, lower: float, upper: float, lang: Language) -> str:
    return f"{format_nps(value, lang)} ({format_nps(lower, lang)}…{format_nps(upper, lang)})"


def _say_money_lost(ctx: _Context) -> str:
    economics = ctx.get("economics")
    frame = economics.to_frame()
    total = frame[frame["channel"] == "total"].iloc[0]
    channels = frame[frame["channel"] != "total"].sort_values("money_lost")
    worst = channels.iloc[-1]
    lang = ctx.language
    interval = ""
    if pd.notna(total.get("money_lost_lower", np.nan)):
        interval = f" ({_range(total['money_lost_lower'], total['money_lost_upper'], ctx)})"
    worst_range = ""
    if "money_lost_lower" in channels:
        worst_range = f", {_range(worst['money_lost_lower'], worst['money_lost_upper'], ctx)}"
    return label("say_money_lost", lang).format(
        total=_money(total["money_lost"], ctx),
        interval=interval,
        months=economics.horizon_months,
        per_year=_money(total["money_lost_per_year"], ctx),
        channel=worst["channel"],
        amount=_money(worst["money_lost"], ctx),
        range=worst_range,
    )


def _say_targets(ctx: _Context) -> str:
    comparison = ctx.get("targets")
    lang = ctx.language
    naive_net, value_net = comparison.net_value.sum(axis=1)

    def listing(row: int) -> str:
        return ", ".join(
            f"{ch} {format_nps(x, lang)}"
            for ch, x in zip(comparison.channels, comparison.target[row], strict=True)
        )

    return label("say_targets", lang).format(
        targets=listing(1),
        value_net=_money(value_net, ctx),
        naive=listing(0),
        naive_net=_money(naive_net, ctx),
        gap=_money(value_net - naive_net, ctx),
    )


def _say_levers(ctx: _Context) -> str:
    report = ctx.get("drivers")
    top = report.top_levers(3)
    if top.empty:
        raise _Unavailable("no contact reason is reliable enough to rank")
    lang = ctx.language
    per_year = label("per_year", lang)
    items = [f"{r.reason} ({_money(r.annual_benefit, ctx)} {per_year})" for r in top.itertuples()]
    key = "say_levers_fixes" if report.levers.mode == "fixes" else "say_levers_scenario"
    return label(key, lang).format(
        levers="; ".join(items),
        reduction=format_percent(float(top["reduction"].iloc[0]), lang, decimals=0),
    )


#: The executive summary's sentences, in order; each is left out when it cannot be said.
SENTENCES: tuple[Callable[[_Context], str], ...] = (
    _say_money_lost,
    _say_targets,
    _say_levers,
    _say_nps,
    _say_hazard,
    _say_churn_12,
    _say_value,
)


def _key_numbers(ctx: _Context) -> list[tuple[str, str]]:
    """(number, caption) tiles for page 1 from the analyses available."""
    lang = ctx.language
    tiles: list[tuple[str, str]] = []
    economics = ctx.optional("economics")
    if economics is not None:
        frame = economics.to_frame()
        total = frame.loc[frame["channel"] == "total", "money_lost_per_year"].sum()
        tiles.append((_money(total, ctx), label("tile_money_lost", lang)))
    overall = ctx.optional("nps")
    if overall is not None:
        tiles.append(
            (
                format_nps(overall.nps, lang),
                label("tile_nps", lang).format(n=format_count(overall.n, lang)),
            )
        )
    hazards = ctx.optional("hazard_ratios")
    if hazards is not None:
        ratio = hazards.ratio("detractor").value
        tiles.append((f"{format_number(ratio, lang, decimals=1)}×", label("tile_hazard", lang)))
    values = ctx.optional("lifetime_values")
    if values is not None:
        frame = values.to_frame()
        gap = _band_row(frame, "promoter")["value"] - _band_row(frame, "detractor")["value"]
        tiles.append(
            (
                format_money(gap, values.currency, lang),
                label("tile_value", lang).format(months=values.horizon_months or "∞"),
            )
        )
    tiles.append((format_count(len(ctx.customers), lang), label("tile_customers", lang)))
    return tiles[:4]


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class Section:
    """One part of the report.

    Parameters
    ----------
    key : str
        Label key of its title (see :func:`cx_economics.formatting.label`).
    build : callable
        ``build(context, book)`` draws the pages; raising the internal
        "unavailable" signal skips the section.
    last : bool, default False
        Built after every other section (the data-quality page lists their outcome).
    """

    key: str
    build: Callable[[_Context, _Book], None]
    last: bool = False


def _section_summary(ctx: _Context, book: _Book) -> None:
    from cx_economics.plots import plot_nps

    sentences = []
    for say in SENTENCES:
        try:
            sentences.append(say(ctx))
        except _Unavailable:
            continue
    ctx.results["_sentences"] = tuple(sentences)
    figure = book.page(label("executive_summary", ctx.language))
    parts = figure.subfigures(2, 1, height_ratios=[1.0, 3.6], squeeze=False)
    top, bottom = parts[0, 0], parts[1, 0]
    tiles = _key_numbers(ctx)
    for ax, (number, caption) in zip(top.subplots(1, 4), [*tiles, *[("", "")] * 4], strict=False):
        draw_key_number(ax, number, caption)
    by_channel = ctx.optional("nps_channel")
    if by_channel is None:
        draw_paragraphs(bottom.add_subplot(), sentences, fontsize=12, width=105)
        return
    text_ax, chart_ax = bottom.subplots(1, 2, width_ratios=[1.0, 1.0])
    crowded = len(sentences) > 5
    draw_paragraphs(
        text_ax, sentences, fontsize=10.5 if crowded else 12, width=66 if crowded else 58
    )
    plot_nps(by_channel, ax=chart_ax, language=ctx.language)


def _section_nps(ctx: _Context, book: _Book) -> None:
    from cx_economics.plots import plot_nps

    table = ctx.get("nps_channel")
    lang = ctx.language
    figure = book.page()
    grid = figure.add_gridspec(3, 1, height_ratios=[3.0, 0.25 + 0.2 * len(table), 0.5])
    plot_nps(table, ax=figure.add_subplot(grid[0]), language=lang)
    book.chart("nps_by_channel", plot_nps, table)
    rows = [
        [
            str(r.channel),
            format_count(r.n, lang),
            format_nps(r.nps, lang),
            f"{format_nps(r.lower, lang)} … {format_nps(r.upper, lang)}",
            format_percent(r.promoter_share, lang, decimals=0),
            format_percent(r.detractor_share, lang, decimals=0),
            label("yes" if r.reliable else "small_sample", lang),
        ]
        for r in table.to_frame().sort_values("nps", ascending=False).itertuples()
    ]
    header = [
        label(k, lang)
        for k in (
            "channel",
            "responses",
            "nps",
            "interval_short",
            "promoter",
            "detractor",
            "reliable",
        )
    ]
    draw_table(
        figure.add_subplot(grid[1]),
        header,
        rows,
        align="lrrrrrl",
        col_widths=[0.16, 0.12, 0.08, 0.14, 0.12, 0.12, 0.26],
    )
    note = label("nps_note", lang).format(
        interval=_level_text(ctx), margin=table.reliability_margin, method=table.method
    )
    draw_paragraphs(figure.add_subplot(grid[2]), [note], fontsize=9.5, width=135, bullet="")
    teams = ctx.optional("nps_team")
    if teams is not None:
        team_page = book.page(label("nps_by_team", lang))
        plot_nps(teams, ax=team_page.add_subplot(), language=lang)
        book.chart("nps_by_team", plot_nps, teams)


def _section_churn(ctx: _Context, book: _Book) -> None:
    from cx_economics.plots import plot_churn_at, plot_churn_curves

    curves, table = ctx.get("km"), ctx.get("life_table")
    hazards = ctx.optional("hazard_ratios")
    figure = book.page()
    grid = figure.add_gridspec(2, 2, width_ratios=[1.7, 1.0])
    plot_churn_curves(
        curves, ax=figure.add_subplot(grid[:, 0]), language=ctx.language, life_table=table
    )
    book.chart("churn_curves", plot_churn_curves, curves, life_table=table)
    plot_churn_at(curves, 12, ax=figure.add_subplot(grid[0, 1]), language=ctx.language)
    book.chart("churn_12_months", plot_churn_at, curves, month=12)
    if hazards is not None:
        from cx_economics.plots import plot_hazard_ratios

        plot_hazard_ratios(hazards, ax=figure.add_subplot(grid[1, 1]), language=ctx.language)
        book.chart("hazard_ratios", plot_hazard_ratios, hazards)


def _section_value(ctx: _Context, book: _Book) -> None:
    from cx_economics.plots import plot_lifetime_values

    values = ctx.get("lifetime_values")
    lang, cur = ctx.language, values.currency
    figure = book.page()
    grid = figure.add_gridspec(3, 1, height_ratios=[2.6, 0.35 + 0.22 * len(values.groups), 0.45])
    plot_lifetime_values(values, ax=figure.add_subplot(grid[0]), language=lang)
    book.chart("lifetime_value", plot_lifetime_values, values)
    frame = values.to_frame()
    rows = [
        [
            label(str(r.band), lang) if str(r.band) in _BANDS else str(r.band),
            format_count(r.n_customers, lang),
            format_money(r.monthly_margin, cur, lang, decimals=2),
            format_money(r.value, cur, lang),
            f"{format_money(r.lower, cur, lang)} … {format_money(r.upper, cur, lang)}",
            format_percent(r.extrapolated_share, lang, decimals=0),
        ]
        for r in frame.itertuples()
    ]
    header = [
        label(k, lang)
        for k in (
            "band",
            "customers",
            "monthly_margin",
            "lifetime_value_short",
            "interval_short",
            "extrapolated_share",
        )
    ]
    draw_table(
        figure.add_subplot(grid[1]),
        header,
        rows,
        align="lrrrrr",
        col_widths=[0.16, 0.14, 0.14, 0.16, 0.24, 0.14],
    )
    note = label("value_note", lang).format(
        months=values.horizon_months or "∞",
        rate=format_percent(values.annual_discount_rate, lang, decimals=1),
        model=values.model,
        interval=_level_text(ctx),
        method=values.interval_method,
    )
    draw_paragraphs(figure.add_subplot(grid[2]), [note], fontsize=9.5, width=135, bullet="")


_BANDS = ("detractor", "passive", "promoter", "unrated")


def _payback(months: float, lang: Language) -> str:
    if not np.isfinite(months):
        return label("never", lang)
    return format_months(round(float(months)), lang)


def _ratio(value: float, lang: Language) -> str:
    return "—" if not np.isfinite(value) else format_percent(value, lang, decimals=0)


def _economics_rows(frame: pd.DataFrame, ctx: _Context) -> list[list[str]]:
    lang = ctx.language
    rows = []
    for r in frame.to_dict("records"):
        is_total = r["channel"] == "total"
        interval = (
            ""
            if is_total or "money_lost_lower" not in r
            else _range(r["money_lost_lower"], r["money_lost_upper"], ctx)
        )
        nps_text = "" if is_total else _nps_range(r["nps"], r["nps_lower"], r["nps_upper"], lang)
        rows.append(
            [
                label("total", lang) if is_total else str(r["channel"]),
                format_count(r["customers"], lang),
                nps_text,
                "" if is_total else format_nps(r["excellent_nps"], lang),
                _money(r["value_per_point"], ctx),
                _money(r["money_lost"], ctx),
                interval,
                _money(r["money_lost_per_year"], ctx),
                "—" if pd.isna(r["cost_of_excellence"]) else _money(r["cost_of_excellence"], ctx),
                "—" if pd.isna(r["net_value"]) else _money(r["net_value"], ctx),
                ""
                if is_total or not r["cost_of_excellence"] > 0
                else _payback(r["payback_months"], lang),
                _ratio(r["roi"], lang),
            ]
        )
    return rows


def _section_economics(ctx: _Context, book: _Book) -> None:
    from cx_economics.plots import plot_money_lost

    economics = ctx.get("economics")
    lang = ctx.language
    frame = economics.to_frame()
    figure = book.page()
    grid = figure.add_gridspec(3, 1, height_ratios=[2.6, 0.35 + 0.22 * len(frame), 0.45])
    plot_money_lost(economics, ax=figure.add_subplot(grid[0]), language=lang)
    book.chart("money_lost", plot_money_lost, economics)
    keys = (
        "channel",
        "customers",
        "nps_today",
        "excellent_short",
        "value_of_point_short",
        "money_lost_short",
        "interval_short",
        "per_year_short",
        "cost_of_excellence_short",
        "net_value_short",
        "payback",
        "roi",
    )
    draw_table(
        figure.add_subplot(grid[1]),
        [label(k, lang) for k in keys],
        _economics_rows(frame, ctx),
        align="lrrrrrrrrrrr",
        fontsize=8.0,
        col_widths=[0.07, 0.08, 0.12, 0.07, 0.07, 0.08, 0.12, 0.07, 0.09, 0.08, 0.08, 0.05],
    )
    note = label("economics_note", lang).format(
        months=economics.horizon_months,
        rule=economics.mix_shift.rule,
        interval=_level_text(ctx),
    )
    draw_paragraphs(figure.add_subplot(grid[2]), [note], fontsize=9.0, width=140, bullet="")


def _target_rows(comparison: Any, ctx: _Context) -> list[list[str]]:
    """Two rows per channel (naive rule, value-based), then a total per rule."""
    lang = ctx.language
    names = (label("naive_target", lang), label("value_target", lang))
    rows = []
    for i, channel in enumerate(comparison.channels):
        for r in (0, 1):
            moves = comparison.extra_cost[r, i] > 0
            target = (
                format_nps(comparison.target[0, i], lang)
                if r == 0
                else _nps_range(
                    comparison.target[1, i],
                    comparison.target_lower[1, i],
                    comparison.target_upper[1, i],
                    lang,
                )
            )
            rows.append(
                [
                    channel if r == 0 else "",
                    names[r],
                    target,
                    _money(comparison.extra_cost[r, i], ctx),
                    _money(comparison.net_value[r, i], ctx),
                    _range(comparison.net_value_lower[r, i], comparison.net_value_upper[r, i], ctx)
                    if r == 1
                    else "",
                    _ratio(comparison.roi[r, i], lang) if moves else "—",
                    _payback(comparison.payback_months[r, i], lang) if moves else "—",
                ]
            )
    for r in (0, 1):
        rows.append(
            [
                label("total", lang) if r == 0 else "",
                names[r],
                "",
                _money(comparison.extra_cost[r].sum(), ctx),
                _money(comparison.net_value[r].sum(), ctx),
                "",
                "",
                "",
            ]
        )
    return rows


def _section_targets(ctx: _Context, book: _Book) -> None:
    from cx_economics.plots import plot_targets

    comparison = ctx.get("targets")
    lang = ctx.language
    figure = book.page()
    rows = _target_rows(comparison, ctx)
    grid = figure.add_gridspec(3, 1, height_ratios=[2.2, 0.35 + 0.2 * len(rows), 0.4])
    plot_targets(comparison, ax=figure.add_subplot(grid[0]), language=lang)
    book.chart("targets", plot_targets, comparison)
    keys = (
        "channel",
        "rule",
        "target",
        "extra_cost_short",
        "net_value_short",
        "interval_short",
        "roi",
        "payback",
    )
    draw_table(
        figure.add_subplot(grid[1]),
        [label(k, lang) for k in keys],
        rows,
        align="llrrrrrr",
        fontsize=8.5,
        col_widths=[0.1, 0.14, 0.14, 0.12, 0.11, 0.17, 0.08, 0.12],
    )
    note = label("targets_note", lang).format(
        gap=_money(float(comparison.net_value_given_up.sum()), ctx)
    )
    draw_paragraphs(figure.add_subplot(grid[2]), [note], fontsize=9.0, width=140, bullet="")


def _section_drivers(ctx: _Context, book: _Book) -> None:
    from cx_economics.plots import plot_drivers

    report = ctx.get("drivers")
    lang = ctx.language
    figure = book.page()
    top = report.top_levers(5)
    grid = figure.add_gridspec(3, 1, height_ratios=[2.6, 0.35 + 0.22 * len(top), 0.45])
    plot_drivers(report, ax=figure.add_subplot(grid[0]), language=lang)
    book.chart("contact_drivers", plot_drivers, report)
    fixes = report.levers.mode == "fixes"
    rows = [
        [
            str(int(r.rank)),
            str(r.reason),
            format_percent(r.reduction, lang, decimals=0),
            f"{_money(r.annual_benefit, ctx)} "
            f"({_range(r.annual_benefit_lower, r.annual_benefit_upper, ctx)})",
            _money(r.break_even_cost, ctx),
            *([_money(r.npv, ctx)] if fixes else []),
            str(r.decision),
        ]
        for r in top.itertuples()
    ]
    keys = ["rank", "contact_reason", "reduction", "benefit_per_year", "break_even"]
    keys += ["npv", "decision"] if fixes else ["decision"]
    widths = [0.04, 0.17, 0.07, 0.25, 0.15] + ([0.1, 0.22] if fixes else [0.32])
    draw_table(
        figure.add_subplot(grid[1]),
        [label(k, lang) for k in keys],
        rows,
        align="rlrrrrl" if fixes else "rlrrrl",
        fontsize=8.5,
        col_widths=widths,
    )
    note = label("drivers_note", lang).format(months=report.levers.horizon_months)
    draw_paragraphs(figure.add_subplot(grid[2]), [note], fontsize=9.0, width=140, bullet="")


def _input_rows(ctx: _Context) -> list[list[str]]:
    """Rows read, used and ignored per input table, with what was ignored and why."""
    lang = ctx.language
    customers, responses = ctx.customers.frame, ctx.responses.frame
    known = responses["customer_id"].isin(customers["customer_id"])
    as_of = ctx.customers.as_of
    late = responses["response_date"] > as_of if as_of is not None else known & False
    used = known & ~late
    rated = customers["customer_id"].isin(responses.loc[used, "customer_id"])
    rows = [
        [
            label("customers", lang),
            format_count(len(customers), lang),
            format_count(len(customers), lang),
            "0",
            label("dq_unrated", lang).format(n=format_count(int((~rated).sum()), lang)),
        ],
        [
            label("responses", lang),
            format_count(len(responses), lang),
            format_count(int(used.sum()), lang),
            format_count(int((~used).sum()), lang),
            label("dq_responses", lang).format(
                orphans=format_count(int((~known).sum()), lang),
                late=format_count(int((known & late).sum()), lang),
            ),
        ],
    ]
    if ctx.contacts is None:
        rows.append([label("contacts", lang), "—", "—", "—", label("dq_not_given", lang)])
    else:
        linked = ctx.contacts.frame["customer_id"].isin(customers["customer_id"])
        orphans = format_count(int((~linked).sum()), lang)
        rows.append(
            [
                label("contacts", lang),
                format_count(len(linked), lang),
                format_count(int(linked.sum()), lang),
                orphans,
                label("dq_contacts", lang).format(orphans=orphans),
            ]
        )
    costs = ctx.channel_costs
    n = "—" if costs is None else format_count(len(costs), lang)
    note = label("dq_not_given", lang) if costs is None else ""
    rows.append([label("channel_costs", lang), n, n, "—" if costs is None else "0", note])
    return rows


def _small_sample_lines(ctx: _Context) -> list[str]:
    lines = []
    for name, what in (("nps_channel", "channel"), ("nps_team", "team")):
        table = ctx.optional(name)
        if table is None:
            continue
        frame = table.ranked()
        flagged = frame[~frame["reliable"].astype(bool)]
        key = "dq_small" if len(flagged) else "dq_all_reliable"
        lines.append(
            label(key, ctx.language).format(
                what=label(what, ctx.language).lower(),
                k=len(flagged),
                n=len(frame),
                margin=format_number(table.reliability_margin, ctx.language),
                examples=", ".join(map(str, flagged[what].head(5))),
            )
        )
    return lines


def _section_data_quality(ctx: _Context, book: _Book) -> None:
    lang = ctx.language
    figure = book.page()
    grid = figure.add_gridspec(3, 1, height_ratios=[1.1, 1.2, 1.7])
    header = [label(k, lang) for k in ("table", "rows_read", "rows_used", "rows_ignored", "note")]
    draw_table(
        figure.add_subplot(grid[0]),
        header,
        _input_rows(ctx),
        align="lrrrl",
        col_widths=[0.13, 0.11, 0.11, 0.12, 0.53],
    )
    caveats = [textwrap.shorten(c, 190, placeholder=" …") for c in ctx.caveats[:5]]
    if len(ctx.caveats) > 5:
        caveats.append(label("more_caveats", lang).format(n=len(ctx.caveats) - 5))
    draw_paragraphs(
        figure.add_subplot(grid[1]), _small_sample_lines(ctx) + caveats, fontsize=9.5, width=130
    )
    rows = [
        [
            title,
            label("included" if reason is None else "not_available", lang),
            textwrap.shorten(reason or "", 110, placeholder=" …"),
        ]
        for title, reason in ctx.results["_outcomes"]
    ]
    header = [label(k, lang) for k in ("section", "status", "reason")]
    draw_table(figure.add_subplot(grid[2]), header, rows, col_widths=[0.25, 0.13, 0.62])


def _assumption_value(value: object, lang: Language) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return format_number(float(value), lang)
    return format_number(float(value), lang, decimals=4).rstrip("0")


def _method_lines(ctx: _Context) -> list[str]:
    lang = ctx.language
    lines = [
        label("method_data", lang).format(
            as_of=book_date(ctx), customers=format_count(len(ctx.customers), lang), seed=ctx.seed
        )
    ]
    table = ctx.optional("nps_channel")
    if table is not None:
        lines.append(
            label("method_nps", lang).format(
                method=table.method,
                margin=format_number(table.reliability_margin, lang),
                interval=_level_text(ctx),
            )
        )
    curves = ctx.optional("km")
    if curves is not None:
        lines.append(
            label("method_churn", lang).format(model=curves.model, interval=_level_text(ctx))
        )
    values = ctx.optional("lifetime_values")
    if values is not None:
        lines.append(
            label("method_value", lang).format(
                months=values.horizon_months or "∞",
                model=values.model,
                rate=format_percent(values.annual_discount_rate, lang, decimals=1),
                method=values.interval_method,
                n=format_count(ctx.assumptions.n_bootstrap, lang),
            )
        )
    return lines + _model_method_lines(ctx)


def _model_method_lines(ctx: _Context) -> list[str]:
    """Methods of the money sections, for those that ran."""
    lang = ctx.language
    lines = []
    economics = ctx.optional("economics")
    if economics is not None:
        levels = ", ".join(
            f"{ch} {format_nps(x, lang)} ({src})"
            for ch, x, src in zip(
                economics.channels,
                economics.excellent_nps,
                economics.excellent_source,
                strict=True,
            )
        )
        lines.append(
            label("method_economics", lang).format(levels=levels, rule=economics.mix_shift.rule)
        )
    if ctx.optional("targets") is not None:
        lines.append(label("method_targets", lang))
    drivers = ctx.optional("drivers")
    if drivers is not None:
        lines.append(label(f"method_drivers_{drivers.levers.mode}", lang))
    return lines


def book_date(ctx: _Context) -> str:
    """The data cut-off as ``YYYY-MM-DD`` (or "—" when the data carry no dates)."""
    as_of = ctx.customers.as_of
    return "—" if as_of is None else str(pd.Timestamp(as_of).date())


def _section_appendix(ctx: _Context, book: _Book) -> None:
    lang = ctx.language
    figure = book.page()
    grid = figure.add_gridspec(1, 2, width_ratios=[1.1, 1.0])
    frame = ctx.assumptions.to_frame()
    rows = [
        [str(r.assumption), _assumption_value(r.value, lang), str(r.unit)]
        for r in frame.itertuples()
    ]
    header = [label(k, lang) for k in ("assumption", "value", "unit")]
    draw_table(
        figure.add_subplot(grid[0]),
        header,
        rows,
        align="lrl",
        fontsize=8.5,
        col_widths=[0.46, 0.14, 0.4],
    )
    draw_paragraphs(figure.add_subplot(grid[1]), _method_lines(ctx), fontsize=9.5, width=72)


#: The report, in page order. Data quality is built last so it can list what is missing.
SECTIONS: tuple[Section, ...] = (
    Section("executive_summary", _section_summary),
    Section("nps_by_channel", _section_nps),
    Section("churn_by_band", _section_churn),
    Section("lifetime_value", _section_value),
    Section("channel_economics", _section_economics),
    Section("targets", _section_targets),
    Section("contact_drivers", _section_drivers),
    Section("data_quality", _section_data_quality, last=True),
    Section("appendix", _section_appendix),
)


# --------------------------------------------------------------------------- entry point


def _run_section(section: Section, ctx: _Context, book: _Book) -> SectionOutcome:
    title = label(section.key, ctx.language)
    book.section = section.key
    try:
        with ctx.collecting_caveats():
            section.build(ctx, book)
    except _Unavailable as exc:
        book.discard(section.key)
        return SectionOutcome(section.key, title, False, str(exc), 0, ())
    charts = tuple(p.name for p in book.charts.get(section.key, []))
    return SectionOutcome(section.key, title, True, "", len(book.pages[section.key]), charts)


def build_report(
    customers: pd.DataFrame | Customers,
    responses: pd.DataFrame | Responses,
    contacts: pd.DataFrame | Contacts | None = None,
    channel_costs: pd.DataFrame | ChannelCosts | None = None,
    *,
    out_dir: str | Path,
    assumptions: Assumptions | None = None,
    channel_history: pd.DataFrame | None = None,
    language: Language = "en",
    seed: int | np.random.Generator = 0,
    progress: ProgressCallback | None = None,
) -> ReportResult:
    """Write the leadership report: ``cx_report.pdf`` and one PNG per chart.

    Parameters
    ----------
    customers : pandas.DataFrame or Customers
        One row per customer (see :func:`cx_economics.data.validate_customers`).
    responses : pandas.DataFrame or Responses
        Survey answers, scores 0–10.
    contacts : pandas.DataFrame or Contacts, optional
        Contacts with their reasons; without it the contact-drivers section is
        listed as not available.
    channel_costs : pandas.DataFrame or ChannelCosts, optional
        Yearly cost (currency per year) of each channel at NPS levels.
    out_dir : str or pathlib.Path
        Folder to write into (created if missing; files of the same name are replaced).
    assumptions : Assumptions, optional
        Finance inputs (currency, discount rate, horizon in months, margins, bootstrap
        replicates); the defaults when omitted. Printed in the appendix.
    channel_history : pandas.DataFrame, optional
        Channel × month spend and NPS, for fitting cost curves.
    language : {"en", "fi"}
        Language of every page and chart.
    seed : int or numpy.random.Generator, default 0
        Randomness of the bootstraps; the same seed writes the same numbers.
    progress : callable, optional
        Called with a short message before each long step.

    Returns
    -------
    ReportResult
        Paths written, pages, and which sections are in the report (and why not).

    Raises
    ------
    CxDataError
        When an input table is unusable (names the column, the problem and rows).

    Examples
    --------
    >>> import tempfile
    >>> from cx_economics.datasets import simulate
    >>> sim = simulate(1_000, seed=1)
    >>> out = build_report(sim.customers, sim.responses, out_dir=tempfile.mkdtemp(),
    ...                    assumptions=Assumptions(n_bootstrap=50))
    >>> out.pdf_path.name, out.sections[0].title
    ('cx_report.pdf', 'Executive summary')
    """
    language = check_language(language)
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**32))
    if progress is not None:
        progress("checking the input tables…")
    valid_customers = validate_customers(customers)
    ctx = _Context(
        customers=valid_customers,
        responses=validate_responses(responses),
        contacts=None if contacts is None else validate_contacts(contacts),
        channel_costs=None
        if channel_costs is None
        else validate_channel_costs(channel_costs, known_channels=valid_customers.channels),
        channel_history=channel_history,
        assumptions=assumptions or Assumptions(),
        language=language,
        seed=int(seed),
        progress=progress,
    )
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    book = _Book(folder, language, book_date(ctx))
    ordered = [s for s in SECTIONS if not s.last] + [s for s in SECTIONS if s.last]
    outcomes: dict[str, SectionOutcome] = {}
    with use_house_style():
        for section in ordered:
            if section.last:
                ctx.results["_outcomes"] = [
                    (o.title, None if o.included else o.reason) for o in outcomes.values()
                ]
            outcomes[section.key] = _run_section(section, ctx, book)
        ctx.say("writing the PDF…")
        n_pages = book.write_pdf([s.key for s in SECTIONS], folder / PDF_NAME)
    charts = tuple(p for s in SECTIONS for p in book.charts.get(s.key, []))
    return ReportResult(
        pdf_path=folder / PDF_NAME,
        chart_paths=charts,
        sections=tuple(outcomes[s.key] for s in SECTIONS),
        n_pages=n_pages,
        language=language,
        key_sentences=tuple(ctx.results.get("_sentences", ())),
        caveats=tuple(ctx.caveats),
        analyses=MappingProxyType({k: v for k, v in ctx.results.items() if not k.startswith("_")}),
    )
