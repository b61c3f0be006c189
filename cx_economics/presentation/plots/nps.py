"""Chart of NPS per group with its interval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cx_economics.presentation.formatting import (
    Language,
    check_language,
    format_count,
    format_nps,
    label,
)
from cx_economics.presentation.plots._common import _figure_and_axes, _group_label, _require_result
from cx_economics.presentation.style import ACCENT, CHART_INCHES, MUTED, use_house_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cx_economics.scores import NpsTable


__all__ = ["plot_nps"]


def plot_nps(table: NpsTable, *, ax: Axes | None = None, language: Language = "en") -> Figure:
    """NPS per group with its interval; groups too small to rank are drawn hollow, last.

    Parameters
    ----------
    table : NpsTable
        NPS per group (channel, team, …) with interval and reliability flag.
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.

    Returns
    -------
    matplotlib.figure.Figure
        One row per group, best reliable group on top: the NPS (points, −100..100)
        as a dot, its interval as a line, and the NPS and number of responses as text.

    Examples
    --------
    >>> from cx_economics.scores import nps
    >>> from cx_economics.tables.nps_counts import NpsCounts
    >>> counts = NpsCounts.from_counts(detractors=[100, 2], passives=[200, 1],
    ...     promoters=[700, 3], groups=["phone", "chat"], group_columns=["channel"])
    >>> fig = plot_nps(nps(counts, by="channel"))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['phone', 'chat']
    """
    _require_result(table, "NpsTable", "plot_nps", "nps(..., by=...)")
    language = check_language(language)
    ranked = table.ranked()
    keys = [tuple(str(v) for v in row) for row in ranked[list(table.group_columns)].to_numpy()]
    with use_house_style():
        height = max(CHART_INCHES[1], 1.2 + 0.32 * len(keys))
        figure, ax = _figure_and_axes(ax, (CHART_INCHES[0], height))
        y = np.arange(len(keys), dtype=np.float64)[::-1]  # best on top
        for i, row in enumerate(ranked.itertuples(index=False)):
            _draw_nps_row(ax, y[i], row, language, table.reliability_margin)
        ax.axvline(0.0, color=MUTED, linewidth=0.8)
        low = float(np.min(ranked["lower"]))
        high = float(np.max(ranked["upper"]))
        span = max(high - low, 10.0)
        ax.set_xlim(max(-100.0, low - 0.05 * span), min(100.0, high + 0.45 * span))
        ax.set_ylim(-0.7, len(keys) - 0.3)
        ax.set_yticks(y, [_group_label(k, language) for k in keys])
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: format_nps(x, language)))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(label("nps_points", language))
        titles: dict[tuple[str, ...], str] = {
            ("channel",): "nps_by_channel",
            ("team",): "nps_by_team",
        }
        key = titles.get(table.group_columns)
        title = "NPS" if key is None else label(key, language)
        ax.set_title(f"{title} ({label('interval', language).format(round(100 * table.level))})")
    return figure


def _draw_nps_row(ax: Axes, y: float, row: Any, language: Language, margin: float) -> None:
    """Dot, interval and text of one group; hollow and grey when unreliable."""
    color = ACCENT if row.reliable else MUTED
    ax.plot(
        [row.lower, row.upper], [y, y], color=color, linewidth=2.0, marker="", solid_capstyle="butt"
    )
    ax.plot(
        [row.nps],
        [y],
        marker="o",
        markersize=7,
        color=color,
        markerfacecolor=color if row.reliable else "white",
        linestyle="",
    )
    text = f"{format_nps(row.nps, language)}  (n = {format_count(int(row.n), language)})"
    if not row.reliable:
        text += f"  {label('small_sample', language)}"
    ax.annotate(
        text,
        xy=(row.upper, y),
        xytext=(6, 0),
        textcoords="offset points",
        va="center",
        fontsize=9,
        color="black" if row.reliable else MUTED,
    )
