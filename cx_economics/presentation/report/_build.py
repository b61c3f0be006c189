"""The report's entry point :func:`build_report`, its sections in page order and its result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.parameters import check_seed
from cx_economics.core.results import Result
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.schemas import (
    ChannelCosts,
    Contacts,
    Customers,
    Responses,
    validate_channel_costs,
    validate_contacts,
    validate_customers,
    validate_responses,
)
from cx_economics.presentation.formatting import Language, check_language, label
from cx_economics.presentation.report._appendix import _section_appendix, _section_data_quality
from cx_economics.presentation.report._book import _Book
from cx_economics.presentation.report._context import (
    ProgressCallback,
    _Context,
    _Unavailable,
    book_date,
)
from cx_economics.presentation.report._folder import check_out_dir, make_out_dir
from cx_economics.presentation.report._pages import (
    Section,
    _section_churn,
    _section_drivers,
    _section_economics,
    _section_nps,
    _section_summary,
    _section_targets,
    _section_value,
)
from cx_economics.presentation.style import use_house_style

PDF_NAME = "cx_report.pdf"


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

    Examples
    --------
    >>> outcome = SectionOutcome("drivers", "Contact drivers", False, "no contacts table", 0, ())
    >>> outcome.included, outcome.reason
    (False, 'no contacts table')
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
        ``"hazard_ratios"``, ``"lifetime_values"``, ``"economics"``, ``"value_targets"``,
        ``"targets"``, ``"drivers"``…): the result objects behind the pages, for ``to_frame()``.

    Examples
    --------
    :func:`build_report` returns it (see its example; writing the PDF takes a few
    seconds). Built by hand here, a report whose contact-drivers section was left out:

    >>> folder = Path("cx-report")
    >>> result = ReportResult(
    ...     pdf_path=folder / "cx_report.pdf",
    ...     chart_paths=(folder / "nps_by_channel.png", folder / "nps_by_team.png"),
    ...     sections=(
    ...         SectionOutcome("nps_by_channel", "NPS by channel", True, "", 2,
    ...                        ("nps_by_channel.png", "nps_by_team.png")),
    ...         SectionOutcome("contact_drivers", "Contact drivers", False,
    ...                        "no contacts table was given", 0, ()),
    ...     ),
    ...     n_pages=2, language="en", key_sentences=())
    >>> result.to_frame()[["section", "included", "pages", "reason"]].to_numpy().tolist()
    [['nps_by_channel', True, 2, ''], ['contact_drivers', False, 0, 'no contacts table was given']]
    >>> [s.title for s in result.sections if not s.included]
    ['Contact drivers']
    >>> print(result.summary().splitlines()[-1])
    note: 2 pages in cx-report/cx_report.pdf; 2 PNG charts
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

    def to_excel(self, path: str | Path | None = None) -> Path:
        """Write the report's tables to one Excel workbook, units in the column headers.

        Sheets: ``sections`` (as :meth:`to_frame`), ``summary`` (the key sentences) and
        one per analysis that ran (its ``to_frame()``), named as in :attr:`analyses`.
        Needs openpyxl (``pip install "cx-economics-toolkit[excel]"``).

        Parameters
        ----------
        path : str or pathlib.Path, optional
            Default ``cx_tables.xlsx`` beside the PDF.

        Returns
        -------
        pathlib.Path
            The workbook written.
        """
        from cx_economics.presentation.report._workbook import write_workbook

        economics = self.analyses.get("economics")
        values = self.analyses.get("lifetime_values")
        currency = str(getattr(economics or values, "currency", "EUR"))
        months = int(getattr(economics or values, "horizon_months", 0) or 0)
        return write_workbook(
            path or self.pdf_path.with_name("cx_tables.xlsx"),
            self.to_frame(),
            self.key_sentences,
            self.analyses,
            currency=currency,
            months=months,
        )

    def _notes(self) -> list[str]:
        return [f"{self.n_pages} pages in {self.pdf_path}; {len(self.chart_paths)} PNG charts"]


#: The report, in page order. Data quality is built last so it can list what is missing.
SECTIONS: tuple[Section, ...] = (
    # written after the other sections (placed first) so it can name the ones left out
    Section("executive_summary", _section_summary, last=True),
    Section("nps_by_channel", _section_nps),
    Section("churn_by_band", _section_churn),
    Section("lifetime_value", _section_value),
    Section("channel_economics", _section_economics),
    Section("targets", _section_targets),
    Section("contact_drivers", _section_drivers),
    Section("data_quality", _section_data_quality, last=True),
    Section("appendix", _section_appendix),
)


def _check_assumption_channels(ctx: _Context) -> None:
    """Refuse per-channel assumptions whose keys are not channels of any input table."""
    tables = (ctx.customers, ctx.responses, ctx.contacts, ctx.channel_costs)
    channels = {c for t in tables if t is not None for c in t.channels}
    ctx.assumptions.check_channels(channels, where="the input tables")


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
    adjust_for: Sequence[str] | None = None,
    seed: int | np.random.Generator = 0,
    progress: ProgressCallback | None = None,
) -> ReportResult:
    """Write the leadership report: ``cx_report.pdf`` and one PNG per chart.

    Parameters
    ----------
    customers : pandas.DataFrame or Customers
        One row per customer (see :func:`cx_economics.data.schemas.validate_customers`).
    responses : pandas.DataFrame or Responses
        Survey answers, scores 0–10.
    contacts : pandas.DataFrame or Contacts, optional
        Contacts with their reasons; without it the contact-drivers section is
        listed as not available.
    channel_costs : pandas.DataFrame or ChannelCosts, optional
        Yearly cost (currency per year) of each channel at NPS levels.
    out_dir : str or pathlib.Path
        Folder to write into (created if missing; files of the same name are replaced).
        Checked before any work: an existing file, a path under a file or a place
        that is not writable is a :class:`~cx_economics.core.exceptions.CxDataError`.
    assumptions : Assumptions, optional
        Finance inputs (currency, discount rate, horizon in months, margins, bootstrap
        replicates); the defaults when omitted. Printed in the appendix.
    channel_history : pandas.DataFrame, optional
        Channel × month spend and NPS, for fitting cost curves.
    language : {"en", "fi"}
        Language of every page and chart.
    adjust_for : sequence of str, optional
        Customer columns (categorical) the money and the band hazard ratios are
        adjusted for: each customer is priced with the band curves of their own
        stratum (:func:`~cx_economics.economics.channels.channel_economics`). By
        default ``("segment",)`` when the customers carry a ``segment`` column, else
        none; ``()`` prices crude. Page 1 shows the crude money beside the adjusted one
        and how strong an unmeasured confounder would have to be (E-value).
    seed : int or numpy.random.Generator, default 0
        Randomness of the bootstraps (a whole number ≥ 0, or a Generator); the same
        seed writes the same numbers.
    progress : callable, optional
        Called with a short message before each long step.

    Returns
    -------
    ReportResult
        Paths written, pages, and which sections are in the report (and why not).

    Raises
    ------
    CxDataError
        When an input table is unusable (names the column, the problem and rows),
        ``out_dir`` cannot be written, ``seed`` is not a whole number ≥ 0, or a key of
        ``assumptions.cost_per_contact`` / ``excellent_nps`` is not a channel of the
        data (:meth:`~cx_economics.Assumptions.check_channels`).

    Examples
    --------
    >>> import tempfile
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(1_000, seed=1)
    >>> out = build_report(sim.customers, sim.responses, out_dir=tempfile.mkdtemp(),
    ...                    assumptions=Assumptions(n_bootstrap=50))
    >>> out.pdf_path.name, out.sections[0].title
    ('cx_report.pdf', 'Executive summary')
    """
    language = check_language(language)
    checked_seed = check_seed(seed)
    if isinstance(checked_seed, np.random.Generator):
        checked_seed = int(checked_seed.integers(2**32))
    check_out_dir(out_dir)
    if progress is not None:
        progress("checking the input tables…")
    valid_customers = validate_customers(customers)
    covariates = _covariates(valid_customers, adjust_for)
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
        seed=checked_seed,
        progress=progress,
        adjust_for=covariates,
    )
    _check_assumption_channels(ctx)
    folder = make_out_dir(out_dir)
    book = _Book(folder, language, book_date(ctx))
    ordered = [s for s in SECTIONS if not s.last] + [s for s in SECTIONS if s.last]
    outcomes: dict[str, SectionOutcome] = {}
    with use_house_style():
        for section in ordered:
            if section.last:
                ctx.outcomes = [
                    (o.title, None if o.included else o.reason)
                    for o in (outcomes[s.key] for s in SECTIONS if s.key in outcomes)
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
        key_sentences=ctx.sentences,
        caveats=tuple(ctx.caveats),
        analyses=MappingProxyType({k: v for k, v in ctx.results.items() if not k.startswith("_")}),
    )


def _covariates(customers: Customers, adjust_for: Sequence[str] | None) -> tuple[str, ...]:
    """The customer columns to adjust for: ``segment`` by default when there is one."""
    columns = list(customers.frame.columns)
    if adjust_for is None:
        return ("segment",) if "segment" in columns else ()
    if isinstance(adjust_for, str):
        raise CxDataError(
            f"`adjust_for` must be a sequence of column names, e.g. ({adjust_for!r},); "
            f"got the string {adjust_for!r}"
        )
    unknown = [c for c in adjust_for if c not in columns or c in ("channel", "band")]
    if unknown:
        raise CxDataError(
            f"`adjust_for`: {unknown} are not customer columns to adjust for; the "
            f"customers' columns are {columns}"
        )
    return tuple(adjust_for)
