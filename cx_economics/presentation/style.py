"""House style of every chart: colours, fonts, and marks that survive greyscale printing.

Leadership reports are printed, photocopied and read by colour-blind managers, so
no chart relies on hue alone. The three NPS bands differ in lightness (detractors
dark, promoters mid, passives light: they stay apart in greyscale), and each also
has its own line style, marker and hatch. Other series (channels, reasons) use the
Okabe–Ito colour-blind-safe palette, again paired with markers and hatches.

Page elements (:func:`draw_paragraphs`, :func:`draw_table`, :func:`draw_key_number`)
draw text, tables and key numbers into an axes in the same style, for report pages.

Matplotlib is imported only inside :func:`use_house_style`, so importing this module
is free. The context manager changes matplotlib's settings only for the ``with``
block (:func:`matplotlib.rc_context`) and restores them afterwards: no global state
leaks into the user's own plots.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.typing import RcKeyType

__all__ = [
    "A4_LANDSCAPE_INCHES",
    "BAND_STYLES",
    "CHART_INCHES",
    "INK",
    "MUTED",
    "SERIES_STYLES",
    "SeriesStyle",
    "band_style",
    "draw_key_number",
    "draw_paragraphs",
    "draw_table",
    "grey_level",
    "house_rc_params",
    "series_style",
    "use_house_style",
]

#: A4 in landscape, in inches: the size of every report page.
A4_LANDSCAPE_INCHES: tuple[float, float] = (11.69, 8.27)
#: Size of a stand-alone chart (PNG), in inches.
CHART_INCHES: tuple[float, float] = (8.0, 4.8)

#: Text and axis colour (near black).
INK = "#222222"
#: Secondary text, reference lines and uncertainty annotations.
MUTED = "#6b6b6b"
#: Grid lines.
GRID = "#dddddd"
#: Single-series accent (money bars).
ACCENT = "#1f4e79"
#: Shading of intervals is the series colour at this opacity.
INTERVAL_ALPHA = 0.22


@dataclass(frozen=True)
class SeriesStyle:
    """How one series is drawn: colour plus marks that do not need colour.

    Parameters
    ----------
    color : str
        Hex colour.
    linestyle : str
        Matplotlib line style (``"-"``, ``"--"``, ``":"``, ``"-."``).
    marker : str
        Matplotlib marker code.
    hatch : str
        Matplotlib hatch pattern for bars (``""`` for none).

    Examples
    --------
    >>> BAND_STYLES["detractor"].linestyle, BAND_STYLES["promoter"].marker
    ('--', '^')
    """

    color: str
    linestyle: str
    marker: str
    hatch: str


#: Band name → style. Greyscale: detractor dark, promoter mid, passive light.
BAND_STYLES: Mapping[str, SeriesStyle] = MappingProxyType(
    {
        "detractor": SeriesStyle("#a50f15", "--", "v", "//"),
        "passive": SeriesStyle("#f0a030", ":", "s", ".."),
        "promoter": SeriesStyle("#2c7fb8", "-", "^", ""),
        "unrated": SeriesStyle("#8c8c8c", "-.", "o", "xx"),
    }
)

#: Okabe–Ito palette with distinct markers and hatches, for channels and other series.
SERIES_STYLES: tuple[SeriesStyle, ...] = (
    SeriesStyle("#0072b2", "-", "o", ""),
    SeriesStyle("#e69f00", "--", "s", "//"),
    SeriesStyle("#009e73", "-.", "D", ".."),
    SeriesStyle("#cc79a7", ":", "^", "\\\\"),
    SeriesStyle("#56b4e9", "-", "v", "xx"),
    SeriesStyle("#d55e00", "--", "P", "--"),
    SeriesStyle("#000000", "-.", "X", "++"),
)


def band_style(band: str) -> SeriesStyle:
    """Return the style of an NPS band (``"detractor"``, ``"passive"``, ``"promoter"``).

    Parameters
    ----------
    band : str
        Band name, case-insensitive; ``"unrated"`` is allowed.

    Returns
    -------
    SeriesStyle

    Examples
    --------
    >>> band_style("Promoter").linestyle
    '-'
    """
    try:
        return BAND_STYLES[str(band).lower()]
    except KeyError:
        raise KeyError(f"no style for band {band!r}; bands: {sorted(BAND_STYLES)}") from None


def series_style(index: int) -> SeriesStyle:
    """Return the style of the ``index``-th series (cycles after seven).

    Examples
    --------
    >>> series_style(0).color
    '#0072b2'
    >>> series_style(7) == series_style(0)
    True
    """
    return SERIES_STYLES[index % len(SERIES_STYLES)]


def grey_level(color: str) -> float:
    """Return the lightness (0 black – 1 white) a hex colour prints at in greyscale.

    Uses the ITU-R BT.601 luma weights that photocopiers and ``convert -colorspace
    gray`` apply.

    Parameters
    ----------
    color : str
        ``"#rrggbb"``.

    Returns
    -------
    float
        Luma as a fraction 0–1.

    Examples
    --------
    >>> grey_level("#ffffff"), grey_level("#000000")
    (1.0, 0.0)
    """
    text = color.lstrip("#")
    red, green, blue = (int(text[i : i + 2], 16) / 255.0 for i in (0, 2, 4))
    return round(0.299 * red + 0.587 * green + 0.114 * blue, 6)


def house_rc_params() -> dict[RcKeyType, Any]:
    """Return the matplotlib settings of the house style (a plain dict, no side effects).

    Returns
    -------
    dict
        rcParams keys and values: DejaVu Sans (shipped with matplotlib, so every
        machine renders the same), light grid, no top/right spines, TrueType fonts
        embedded in PDFs (text stays searchable), the colour cycle of
        :data:`SERIES_STYLES` (their markers and hatches are applied per series).

    Examples
    --------
    >>> house_rc_params()["pdf.fonttype"]
    42
    """
    from cycler import cycler

    return {
        "font.family": "DejaVu Sans",
        "font.size": 10.0,
        "axes.titlesize": 12.0,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 10.0,
        "axes.labelcolor": INK,
        "axes.edgecolor": MUTED,
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.axisbelow": True,
        "axes.prop_cycle": cycler(color=[s.color for s in SERIES_STYLES]),
        "axes.unicode_minus": True,
        "grid.color": GRID,
        "grid.linewidth": 0.6,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "xtick.labelcolor": INK,
        "ytick.labelcolor": INK,
        "xtick.labelsize": 9.0,
        "ytick.labelsize": 9.0,
        "legend.frameon": False,
        "legend.fontsize": 9.0,
        "lines.linewidth": 2.0,
        "lines.markersize": 6.0,
        "text.color": INK,
        "figure.facecolor": "white",
        "figure.dpi": 100.0,
        "savefig.dpi": 150.0,
        "savefig.facecolor": "white",
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "none",
    }


@contextlib.contextmanager
def use_house_style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block only.

    Figures created (and saved) inside the block use the style; matplotlib's
    settings are restored when the block ends, whatever happens inside it.

    Yields
    ------
    None

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["axes.spines.top"]
    >>> with use_house_style():
    ...     mpl.rcParams["axes.spines.top"]
    False
    >>> mpl.rcParams["axes.spines.top"] == before
    True
    """
    import matplotlib as mpl

    with mpl.rc_context(house_rc_params()):
        yield


# --------------------------------------------------------------------------- page elements


def draw_paragraphs(
    ax: Axes,
    paragraphs: Sequence[str],
    *,
    fontsize: float = 11.0,
    width: int = 90,
    bullet: str = "•",
    smallest: float | None = None,
) -> None:
    """Write wrapped paragraphs from the top-left corner of ``ax`` (its frame hidden).

    With ``smallest``, text that would run past the bottom of ``ax`` is set smaller,
    half a point at a time down to ``smallest``, with proportionally more characters
    per line, so a long page never runs into its footer.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to write; spacing is in points, so it does not depend on the axes' size.
    paragraphs : sequence of str
        One entry per paragraph (or bullet point).
    fontsize : float, default 11
        Font size in points.
    width : int, default 90
        Characters per line before wrapping.
    bullet : str, default "•"
        Mark before each paragraph; ``""`` for plain paragraphs.
    smallest : float, optional
        Smallest font size (points) to shrink to so that the text fits ``ax``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> draw_paragraphs(ax, ["First point.", "Second point."])
    >>> len(ax.texts)
    4
    """
    ax.axis("off")
    if smallest is not None:
        fontsize, width = _fitting_size(ax, paragraphs, fontsize, width, smallest)
    offset = 0.0
    indent = 14.0 if bullet else 0.0
    for text in paragraphs:
        lines = textwrap.wrap(text, width=width) or [""]
        common: dict[str, Any] = {
            "xy": (0, 1),
            "xycoords": "axes fraction",
            "textcoords": "offset points",
            "va": "top",
            "fontsize": fontsize,
        }
        if bullet:
            ax.annotate(bullet, xytext=(0, -offset), color=ACCENT, **common)
        ax.annotate("\n".join(lines), xytext=(indent, -offset), linespacing=1.35, **common)
        offset += fontsize * 1.35 * len(lines) + fontsize * 0.9


def _paragraphs_height(paragraphs: Sequence[str], fontsize: float, width: int) -> float:
    """Height (points) :func:`draw_paragraphs` takes for ``paragraphs``."""
    lines = [len(textwrap.wrap(t, width=width) or [""]) for t in paragraphs]
    return sum(fontsize * 1.35 * n + fontsize * 0.9 for n in lines)


def _fitting_size(
    ax: Axes, paragraphs: Sequence[str], fontsize: float, width: int, smallest: float
) -> tuple[float, int]:
    """The largest font size ≥ ``smallest`` (and its line width) at which the text fits ``ax``."""
    figure = ax.get_figure(root=True)
    assert figure is not None
    box = ax.get_window_extent()
    bottom = max(box.y0, 0.06 * figure.bbox.height)  # the footer's strip stays free
    available = (box.y1 - bottom) * 72.0 / figure.dpi  # points
    size = fontsize
    while size > smallest:
        chars = int(width * fontsize / size)
        if _paragraphs_height(paragraphs, size, chars) <= available:
            return size, chars
        size -= 0.5
    return smallest, int(width * fontsize / smallest)


def draw_table(
    ax: Axes,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    align: str = "l",
    fontsize: float = 9.5,
    col_widths: Sequence[float] | None = None,
) -> None:
    """Draw a plain table at the top of ``ax``: bold header over a rule, light row rules.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw (its frame is hidden).
    header : sequence of str
        Column titles (units belong here, e.g. ``"Value (EUR)"``).
    rows : sequence of sequence of str
        Cells, already formatted (see :mod:`cx_economics.presentation.formatting`).
    align : str, default "l"
        One letter per column, ``"l"`` or ``"r"`` (numbers read best right-aligned);
        the last letter repeats for the remaining columns.
    fontsize : float, default 9.5
        Font size in points.
    col_widths : sequence of float, optional
        Column widths as fractions of the axes' width.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> draw_table(ax, ["Channel", "NPS"], [["web", "+12"], ["phone", "−3"]], align="lr")
    >>> ax.tables[0].get_celld()[(1, 1)].get_text().get_text()
    '+12'
    """
    ax.axis("off")
    if not rows:
        return
    table = ax.table(
        cellText=[list(r) for r in rows],
        colLabels=list(header),
        loc="upper left",
        colWidths=list(col_widths) if col_widths else None,
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(fontsize)
    table.scale(1.0, 1.5)
    for (row, col), cell in table.get_celld().items():
        cell.set_edgecolor(GRID if row else INK)
        cell.visible_edges = "B"
        cell.PAD = 0.04
        side = align[min(col, len(align) - 1)]
        cell.get_text().set_horizontalalignment("right" if side == "r" else "left")
        if row == 0:
            cell.get_text().set_fontweight("bold")


def draw_key_number(ax: Axes, number: str, caption: str, *, width: int = 34) -> None:
    """Draw a key number in large type over its caption (a "tile" of a summary page).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw (its frame is hidden).
    number : str
        The number, formatted with its unit (``"€1.2 M"``, ``"2.7×"``).
    caption : str
        What it means, in a few words.
    width : int, default 34
        Characters per caption line.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> draw_key_number(ax, "2.7×", "faster churn of detractors than promoters")
    >>> ax.texts[0].get_text()
    '2.7×'
    """
    ax.axis("off")
    ax.text(
        0.0,
        0.98,
        number,
        fontsize=26,
        fontweight="bold",
        color=ACCENT,
        va="top",
        transform=ax.transAxes,
    )
    ax.text(
        0.0,
        0.45,
        "\n".join(textwrap.wrap(caption, width)),
        fontsize=10,
        color=INK,
        va="top",
        transform=ax.transAxes,
        linespacing=1.3,
    )
