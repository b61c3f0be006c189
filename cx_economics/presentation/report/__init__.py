"""The leadership report: a multi-page PDF and one PNG per chart.

:func:`build_report` validates the input tables, runs each analysis at most once (on
demand, cached) and lets a list of *sections* (:data:`SECTIONS`) draw the pages:

1. executive summary: key numbers and plain sentences, written only from analyses
   that ran (a sentence whose analysis is missing is left out, never guessed);
2. NPS by channel; 3. churn by NPS band; 4. lifetime value by band; 5. channel
   economics; 6. targets, and the yearly budget split by value
   (``Assumptions.cx_budget_per_year``, else what the "+25 %" targets would cost);
   7. contact drivers;
8. data quality: rows read and ignored, unrated customers, small samples, and the
   sections that are not available, with the reason;
9. methods and assumptions (:meth:`Assumptions.to_frame`).

Two NPS figures, each under its own name: the survey's NPS (page 1 and the NPS
pages) counts the answers of the last 12 months up to the data cut-off (the customers'
``as_of``, else the latest answer), and the NPS pages say so in their title; the
channel economics price the NPS of today's *active customers* (each in the band of
their latest answer, the unrated shared out by tenure class), the mix the money is
multiplied by.

A section whose inputs are missing (no contacts table, a model that cannot be fitted,
an assumption the data cannot supply) is
skipped and listed as "not available", with the reason, on the data-quality page.
Unusable input tables are never skipped: they raise
:class:`~cx_economics.core.exceptions.CxDataError` before anything is written.

The package is split by concept: ``_context`` (inputs, and the analyses as typed
methods of the context, each run once), ``_book`` (pages and charts), ``_sentences``
(the summary's words), ``_pages`` and ``_appendix`` (the sections) and ``_build``
(:data:`SECTIONS` and :func:`build_report`). To add a section, write
``def _section_x(ctx, book)`` drawing its pages with ``book.page(...)`` and
``book.chart(...)`` from results such as ``ctx.economics()`` (an analysis it needs that
is not there yet becomes a method of the context, with its result type), and add
``Section("x", _section_x)`` to :data:`SECTIONS`.
"""

from cx_economics.presentation.report._build import PDF_NAME as PDF_NAME
from cx_economics.presentation.report._build import (
    SECTIONS,
    ReportResult,
    SectionOutcome,
    build_report,
)
from cx_economics.presentation.report._context import ProgressCallback as ProgressCallback
from cx_economics.presentation.report._folder import check_out_dir
from cx_economics.presentation.report._pages import Section

__all__ = [
    "SECTIONS",
    "ReportResult",
    "Section",
    "SectionOutcome",
    "build_report",
    "check_out_dir",
]
