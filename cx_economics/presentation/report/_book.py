"""The pages (figures) and charts (PNG files) of the report being built."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cx_economics.presentation.formatting import Language, label
from cx_economics.presentation.style import A4_LANDSCAPE_INCHES, INK, MUTED

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
