"""The leadership report: a multi-page PDF and one PNG per chart.

See :func:`build_report`; the sections drawing the pages are listed in :data:`SECTIONS`.
"""

from cx_economics.report._build import (
    ANALYSES,
    SECTIONS,
    ReportResult,
    Section,
    SectionOutcome,
    build_report,
)
from cx_economics.report._build import (
    PDF_NAME as PDF_NAME,
)
from cx_economics.report._build import (
    ProgressCallback as ProgressCallback,
)

__all__ = [
    "ANALYSES",
    "SECTIONS",
    "ReportResult",
    "Section",
    "SectionOutcome",
    "build_report",
]
