"""Chart of money lost per channel below excellent NPS."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cx_economics.formatting import (
    Language,
    check_language,
    format_money_compact,
    format_money_range,
    label,
)
from cx_economics.plots._common import _figure_and_axes, _money_axis, _require_columns
from cx_economics.style import ACCENT, use_house_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cx_economics.economics import ChannelEconomics


__all__ = ["plot_money_lost"]


def plot_money_lost(
    economics: ChannelEconomics,
    *,
    ax: Axes | None = None,
    language: Language = "en",
    per_year: bool = False,
) -> Figure:
    """Money lost below excellent NPS per channel, with intervals, largest first.

    Parameters
    ----------
    economics : ChannelEconomics
        The channel economics table (money in ``economics.currency``).
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.
    per_year : bool, default False
        Show the equivalent amount per year instead of customer equity over the
        horizon.

    Returns
    -------
    matplotlib.figure.Figure
        Horizontal bars (currency); each labelled with its amount and interval; the
        total is given in the title.
    """
    language = check_language(language)
    frame = economics.to_frame()
    column = "money_lost_per_year" if per_year else "money_lost"
    _require_columns(frame, ["channel", column], "economics")
    currency = economics.currency
    channels = frame[frame["channel"] != "total"].sort_values(column)
    total = float(frame.loc[frame["channel"] == "total", column].sum())
    with use_house_style():
        figure, ax = _figure_and_axes(ax)
        y = np.arange(len(channels), dtype=np.float64)
        value = channels[column].to_numpy(np.float64)
        ax.barh(y, value, color=ACCENT, height=0.6)
        has_interval = f"{column}_lower" in channels
        right = value
        if has_interval:
            lower = channels[f"{column}_lower"].to_numpy(np.float64)
            upper = channels[f"{column}_upper"].to_numpy(np.float64)
            ax.errorbar(
                value,
                y,
                xerr=[value - lower, upper - value],
                fmt="none",
                ecolor="black",
                elinewidth=1.2,
                capsize=4,
            )
            right = np.maximum(upper, value)
        for i in range(len(y)):
            text = format_money_compact(value[i], currency, language)
            if has_interval:
                text += f"  ({format_money_range(lower[i], upper[i], currency, language)})"
            ax.annotate(
                text,
                xy=(right[i], y[i]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        ax.set_yticks(y, channels["channel"].astype(str).tolist())
        ax.set_xlim(0, float(np.nanmax(right)) * 1.45 if len(right) else 1.0)
        _money_axis(ax, "x", currency, language)
        ax.grid(axis="y", visible=False)
        if per_year:
            ax.set_xlabel(label("money_lost_axis_year", language).format(currency))
        else:
            axis_label = label("money_lost_axis", language)
            ax.set_xlabel(axis_label.format(currency, economics.horizon_months))
        ax.set_title(
            f"{label('money_lost', language)}: {format_money_compact(total, currency, language)}"
        )
    return figure
