"""Charts of channel economics: money lost below excellence; value against cost."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cx_economics.core.exceptions import CxDataError
from cx_economics.presentation.formatting import (
    Language,
    check_language,
    format_money_compact,
    format_with_interval,
    label,
)
from cx_economics.presentation.plots._common import (
    _figure_and_axes,
    _money_axis,
    _require_columns,
    _require_result,
)
from cx_economics.presentation.style import ACCENT, INK, MUTED, use_house_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from cx_economics.economics.channels import ChannelEconomics


__all__ = ["plot_money_lost", "plot_value_vs_cost"]


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

    Examples
    --------
    Two channels with margins of 4, 8 and 9 a month for a detractor, passive and
    promoter over 60 undiscounted months, both excellent at NPS 40. Chat (NPS −10)
    loses 40 points of detractors turned passive (240 each, 100 customers a point)
    and 10 of passives turned promoter (60 each); web (NPS +10) loses 30 points of
    detractors at twice the customers:

    >>> import numpy as np
    >>> from cx_economics.economics.channels import economics_from_arrays
    >>> flows = np.tile([[4.0], [8.0], [9.0]], (2, 1, 60))
    >>> econ = economics_from_arrays(("chat", "web"), [10_000, 20_000],
    ...     [[400, 300, 300], [300, 300, 400]], flows, excellent_nps=[40.0, 40.0],
    ...     monthly_discount_rate=0.0, n_bootstrap=100)
    >>> 40 * 240 * 100 + 10 * 60 * 100, 30 * 240 * 200
    (1020000, 1440000)
    >>> fig = plot_money_lost(econ)
    >>> ax = fig.axes[0]
    >>> [t.get_text() for t in ax.get_yticklabels()], [round(b.get_width()) for b in ax.patches]
    (['chat', 'web'], [1020000, 1440000])
    >>> ax.get_title(loc="left").split(":")[0]  # then the total, €2.5 M
    'Money lost below excellence'
    >>> ax.get_xlabel()
    'Customer equity lost below excellent NPS (EUR, present value over 60 months)'
    >>> per_year = plot_money_lost(econ, per_year=True).axes[0]  # over the 5 years
    >>> [round(b.get_width()) for b in per_year.patches]
    [204000, 288000]
    """
    _require_result(economics, "ChannelEconomics", "plot_money_lost", "channel_economics(...)")
    language = check_language(language)
    frame = economics.to_frame()
    column = "money_lost_yearly_equivalent" if per_year else "money_lost"
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
                text = format_with_interval(
                    text,
                    format_money_compact(lower[i], currency, language),
                    format_money_compact(upper[i], currency, language),
                    language,
                ).replace(" (", "  (", 1)
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


_VALUE_VS_COST_TEXT = {
    "en": ("value gained", "extra cost", "today", "excellent", "NPS", "{} (present value)"),
    "fi": ("arvon lisäys", "lisäkustannus", "nyt", "erinomainen", "NPS", "{} (nykyarvo)"),
}


def plot_value_vs_cost(
    economics: ChannelEconomics,
    *,
    ax: Axes | None = None,
    language: Language = "en",
    points_beyond: float = 15.0,
    figure: Figure | SubFigure | None = None,
) -> Figure:
    """Value gained and extra cost against NPS, one panel per channel.

    Both curves are present values over the horizon (currency) relative to today:
    the customer equity gained by a higher NPS (:meth:`ChannelEconomics.gain_at`)
    and the extra yearly cost times the annuity (:meth:`ChannelEconomics.cost_at`).
    Where value stays above cost, moving up pays. Today's NPS and the excellent level
    are marked.

    Parameters
    ----------
    economics : ChannelEconomics
        Must carry cost models for the cost curve (value alone is drawn otherwise).
    ax : None
        Small multiples need their own figure; passing an axes is an error.
    language : {"en", "fi"}
    points_beyond : float, default 15
        How far past the excellent level the NPS axis runs (points).
    figure : Figure or SubFigure, optional
        Draw the panels in this (e.g. a report page); a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the panels.

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.economics.channels import economics_from_arrays
    >>> class ExpCost:
    ...     def __init__(self, base):
    ...         self.base = base
    ...     def cost_at(self, nps):
    ...         return self.base * np.exp(np.asarray(nps, dtype=float) / 25.0)
    >>> flows = np.tile([[4.0], [8.0], [9.0]], (2, 1, 60))
    >>> econ = economics_from_arrays(("chat", "web"), [10_000, 20_000],
    ...     [[400, 300, 300], [300, 300, 400]], flows, excellent_nps=[40.0, 40.0],
    ...     monthly_discount_rate=0.0, n_bootstrap=100,
    ...     cost_models={"chat": ExpCost(50e3), "web": ExpCost(60e3)})
    >>> fig = plot_value_vs_cost(econ)
    >>> type(fig).__name__, [a.get_title(loc="left") for a in fig.axes]
    ('Figure', ['chat', 'web'])
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()], fig.axes[0].get_xlabel()
    (['value gained', 'extra cost'], 'NPS')
    >>> plot_value_vs_cost(econ, ax=fig.axes[0])  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: `plot_value_vs_cost` draws one panel per channel;
    call it without `ax`
    """
    _require_result(economics, "ChannelEconomics", "plot_value_vs_cost", "channel_economics(...)")
    if ax is not None:
        raise CxDataError("`plot_value_vs_cost` draws one panel per channel; call it without `ax`")
    language = check_language(language)
    gained, cost_text, today_text, bar_text, nps_text, unit = _VALUE_VS_COST_TEXT[language]
    n = len(economics.channels)
    low = float(np.min(economics.nps_today)) - 5.0
    high = min(
        float(np.max(np.maximum(economics.excellent_nps, economics.nps_today))) + points_beyond,
        100.0,
    )
    grid = np.linspace(low, high, 121)
    gains = economics.gain_at(np.broadcast_to(grid[:, None], (grid.size, n)))
    cost_today = economics.cost_at(economics.nps_today)
    costs = np.stack([economics.cost_at(np.full(n, x)) for x in grid])
    from matplotlib.figure import Figure

    with use_house_style():
        cols = 2 if n > 1 else 1
        rows = int(np.ceil(n / cols))
        if figure is None:
            figure = Figure(figsize=(8.0, 2.6 * rows + 0.6), layout="constrained")
        axes = figure.subplots(rows, cols, squeeze=False).ravel()
        for c, name in enumerate(economics.channels):
            a = axes[c]
            mine = grid >= economics.nps_today[c] - 1e-9
            a.plot(grid[mine], gains[mine, c], color=ACCENT, label=gained)
            if np.isfinite(cost_today[c]):
                extra = (costs[mine, c] - cost_today[c]) * economics.annuity
                a.plot(grid[mine], extra, color=MUTED, linestyle="--", label=cost_text)
            a.axvline(economics.nps_today[c], color=INK, linewidth=0.8, linestyle=":")
            a.axvline(economics.excellent_nps[c], color=INK, linewidth=0.8)
            a.annotate(
                today_text,
                (economics.nps_today[c], 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -10),
                textcoords="offset points",
                fontsize=8,
            )
            a.annotate(
                bar_text,
                (economics.excellent_nps[c], 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -20),
                textcoords="offset points",
                fontsize=8,
            )
            a.set_title(str(name), fontsize=10)
            a.set_xlim(low, high)
            _money_axis(a, "y", economics.currency, language)
            a.set_xlabel(nps_text)
        for a in axes[n:]:
            a.set_visible(False)
        axes[0].legend(loc="upper left", fontsize=8)
        figure.supylabel(unit.format(economics.currency), fontsize=9)
    root = figure.get_figure(root=True) if not isinstance(figure, Figure) else figure
    assert isinstance(root, Figure)
    return root
