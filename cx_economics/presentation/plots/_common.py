"""Helpers shared by the chart modules: figure/axes, group names and styles, axis formats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.presentation.formatting import (
    Language,
    format_money_compact,
    format_percent,
    label,
)
from cx_economics.presentation.style import (
    BAND_STYLES,
    CHART_INCHES,
    SeriesStyle,
    band_style,
    series_style,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


FloatArray = npt.NDArray[np.float64]


def _figure_and_axes(
    ax: Axes | None, size: tuple[float, float] = CHART_INCHES
) -> tuple[Figure, Axes]:
    """A new constrained-layout figure with one axes, or the figure ``ax`` belongs to."""
    if ax is not None:
        figure = ax.get_figure(root=True)
        if figure is None:
            raise CxDataError("`ax` must belong to a figure")
        return figure, ax
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def _group_label(key: Sequence[str], language: Language) -> str:
    """Readable name of a group key: band names translated, parts joined by " · "."""
    parts = [label(k, language) if k in BAND_STYLES else str(k) for k in key]
    return " · ".join(parts)


def _group_style(key: Sequence[str], index: int) -> SeriesStyle:
    """Band style when the key starts with a band, otherwise the index-th series style."""
    return band_style(key[0]) if key and key[0] in BAND_STYLES else series_style(index)


def _group_bars(
    ax: Axes,
    groups: Sequence[Sequence[str]],
    value: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    texts: Sequence[str],
    *,
    width: float = 0.8,
) -> FloatArray:
    """One styled bar per group with its interval as an error bar and ``texts`` on top.

    Returns the bars' x positions ``0 … G-1``.
    """
    x = np.arange(len(groups), dtype=np.float64)
    for i, key in enumerate(groups):
        style = _group_style(key, i)
        ax.bar(x[i], value[i], color=style.color, hatch=style.hatch, edgecolor="white", width=width)
    ax.errorbar(
        x,
        value,
        yerr=[value - lower, upper - value],
        fmt="none",
        ecolor="black",
        elinewidth=1.2,
        capsize=4,
    )
    for i in range(len(x)):
        ax.annotate(
            texts[i],
            xy=(x[i], upper[i]),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9,
            fontweight="bold",
        )
    return x


def _money_axis(ax: Axes, axis: str, currency: str, language: Language) -> None:
    from matplotlib.ticker import FuncFormatter

    formatter = FuncFormatter(lambda x, _pos: format_money_compact(x, currency, language))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _percent_axis(ax: Axes, axis: str, language: Language, decimals: int = 0) -> None:
    from matplotlib.ticker import FuncFormatter

    formatter = FuncFormatter(lambda x, _pos: format_percent(x, language, decimals=decimals))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _month_ticks(ax: Axes, last_month: float) -> None:
    from matplotlib.ticker import MultipleLocator

    ax.xaxis.set_major_locator(MultipleLocator(12 if last_month > 36 else 6))


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CxDataError(
            f"`{what}` lacks column(s) {missing} needed for this chart; "
            f"it has {list(frame.columns)}"
        )


def _require_result(value: object, kind: str, function: str, made_by: str) -> None:
    """Refuse an argument that is not the result type ``function`` draws, naming it.

    Checked by class name (the result classes are not imported here); a subclass passes.

    Examples
    --------
    >>> _require_result(3, "ValueTargets", "plot_net_value_by_nps", "value_based_targets(...)")
    Traceback (most recent call last):
    ...
    cx_economics.core.exceptions.CxDataError: `plot_net_value_by_nps` draws a ValueTargets \
(from value_based_targets(...)); got int
    """
    if kind not in {c.__name__ for c in type(value).__mro__}:
        raise CxDataError(
            f"`{function}` draws a {kind} (from {made_by}); got {type(value).__name__}"
        )
