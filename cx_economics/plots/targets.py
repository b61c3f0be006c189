"""Target charts: value-based against naive targets per group."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cx_economics.formatting import Language, check_language, format_nps, label
from cx_economics.plots._common import _figure_and_axes
from cx_economics.style import ACCENT, CHART_INCHES, MUTED, series_style, use_house_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cx_economics.targets.naive import TargetComparison


__all__ = ["plot_targets"]


def plot_targets(
    comparison: TargetComparison, *, ax: Axes | None = None, language: Language = "en"
) -> Figure:
    """NPS today, the "+25 %" target and the value-based target per channel.

    Parameters
    ----------
    comparison : TargetComparison
        Both rules priced on the same value and cost curves (NPS points, currency).
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.

    Returns
    -------
    matplotlib.figure.Figure
        One row per channel on an NPS axis (points): today as a grey dot, the naive
        target as an open diamond, the value-based target as a filled dot with its
        interval and an arrow from today; each target is written next to its mark.

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.economics import economics_from_arrays
    >>> from cx_economics.targets.naive import compare_targets
    >>> class ExpCost:
    ...     def cost_at(self, nps):
    ...         return 80e3 * np.exp((np.asarray(nps, dtype=float) - 25.0) / 25.0)
    >>> flows = np.array([[[4.0] * 60, [8.0] * 60, [9.0] * 60]])
    >>> econ = economics_from_arrays(("phone",), [12_000], [[250, 250, 500]], flows,
    ...     excellent_nps=[40.0], monthly_discount_rate=0.0, n_bootstrap=100,
    ...     cost_models={"phone": ExpCost()})
    >>> fig = plot_targets(compare_targets(econ, last_year=25.0))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['phone']
    """
    language = check_language(language)
    channels = comparison.channels
    today = comparison.nps_today
    naive, value = comparison.target[0], comparison.target[1]
    low, high = comparison.target_lower[1], comparison.target_upper[1]
    with use_house_style():
        figure, ax = _figure_and_axes(ax, (CHART_INCHES[0], 1.6 + 0.6 * len(channels)))
        y = np.arange(len(channels), dtype=np.float64)[::-1]
        naive_style = series_style(1)
        for i in range(len(channels)):
            ax.annotate(
                "",
                xy=(value[i], y[i]),
                xytext=(today[i], y[i]),
                arrowprops={"arrowstyle": "->", "color": ACCENT, "linewidth": 1.2},
            )
            ax.plot([low[i], high[i]], [y[i], y[i]], color=ACCENT, linewidth=3.0, alpha=0.35)
        ax.plot(
            today,
            y,
            "o",
            color=MUTED,
            markersize=7,
            linestyle="",
            label=label("nps_today", language),
        )
        ax.plot(
            naive,
            y + 0.22,
            "D",
            color=naive_style.color,
            markerfacecolor="white",
            markeredgewidth=1.6,
            markersize=7,
            linestyle="",
            label=label("target_naive", language),
        )
        ax.plot(
            value,
            y,
            "o",
            color=ACCENT,
            markersize=8,
            linestyle="",
            label=label("target_value_based", language),
        )
        for i in range(len(channels)):
            ax.annotate(
                format_nps(value[i], language),
                xy=(value[i], y[i]),
                xytext=(0, -13),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=9,
                color=ACCENT,
                fontweight="bold",
            )
            ax.annotate(
                format_nps(naive[i], language),
                xy=(naive[i], y[i] + 0.22),
                xytext=(7, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=naive_style.color,
            )
        points = np.concatenate([today, naive, low, high])
        span = max(float(np.nanmax(points) - np.nanmin(points)), 10.0)
        ax.set_xlim(float(np.nanmin(points)) - 0.08 * span, float(np.nanmax(points)) + 0.12 * span)
        ax.set_ylim(-0.8, len(channels) - 0.3)
        ax.set_yticks(y, list(channels))
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: format_nps(x, language)))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(label("nps_points", language))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=3)
        ax.set_title(label("targets_title", language))
    return figure
