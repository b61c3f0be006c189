"""Target charts: value-based against naive targets, net value by NPS, budget, scorecards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.presentation.formatting import (
    Language,
    check_language,
    format_money_compact,
    format_nps,
    label,
)
from cx_economics.presentation.plots._common import _figure_and_axes, _money_axis, _require_result
from cx_economics.presentation.style import (
    ACCENT,
    CHART_INCHES,
    INTERVAL_ALPHA,
    MUTED,
    series_style,
    use_house_style,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cx_economics.targets.budget import BudgetAllocation
    from cx_economics.targets.cascade import Scorecards
    from cx_economics.targets.naive import TargetComparison
    from cx_economics.targets.value_based import ValueTargets


__all__ = [
    "plot_budget_allocation",
    "plot_net_value_by_nps",
    "plot_scorecard",
    "plot_targets",
]


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
    >>> from cx_economics.economics.channels import economics_from_arrays
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
    _require_result(comparison, "TargetComparison", "plot_targets", "compare_targets(...)")
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


def _channel_index(channels: Sequence[str], name: str) -> int | None:
    return list(channels).index(name) if name in channels else None


def _draw_naive_points(
    ax: Axes, targets: ValueTargets, comparison: TargetComparison, language: Language
) -> None:
    """Open diamonds at each channel's naive target and the net value it earns."""
    for i, channel in enumerate(targets.channels):
        j = _channel_index(comparison.channels, channel)
        if j is None:
            continue
        ax.plot(
            [comparison.pursued[0, j]],
            [comparison.net_value[0, j]],
            "D",
            color=series_style(i).color,
            markerfacecolor="white",
            markeredgewidth=1.6,
            markersize=7,
            linestyle="",
            label=label("target_naive", language) if i == 0 else "_nolegend_",
            gid=f"naive:{channel}",
        )


def _draw_value_points(ax: Axes, targets: ValueTargets, i: int, language: Language) -> None:
    """Today on the curve (grey) and the value-based target with its interval."""
    channel, color = targets.channels[i], series_style(i).color
    today = float(targets.nps_today[i])
    on_curve = np.interp(today, targets.grid_nps[i], targets.grid_net_value[i])
    first = i == 0
    ax.plot(
        [today],
        [on_curve],
        "o",
        color=MUTED,
        markersize=7,
        linestyle="",
        gid=f"today:{channel}",
        label=label("nps_today", language) if first else "_nolegend_",
    )
    value = float(targets.net_value[i])
    ax.plot(
        [targets.target_lower[i], targets.target_upper[i]],
        [value, value],
        color=color,
        linewidth=3.0,
        alpha=0.35,
        gid=f"interval:{channel}",
    )
    ax.plot(
        [targets.target[i]],
        [value],
        "o",
        color=color,
        markersize=8,
        linestyle="",
        gid=f"target:{channel}",
        label=label("target_value_based", language) if first else "_nolegend_",
    )


def _focus(ax: Axes, targets: ValueTargets, comparison: TargetComparison | None) -> None:
    """Zoom on the NPS range where today and the targets lie; the curves run on beyond."""
    marked = [targets.nps_today, targets.target_upper]
    if comparison is not None:
        marked.append(comparison.pursued[0])
    points = np.concatenate(marked)
    low, high = float(np.nanmin(points)), float(np.nanmax(points))
    span = max(high - low, 10.0)
    low, high = low - 0.1 * span, high + 0.3 * span
    inside = (targets.grid_nps >= low) & (targets.grid_nps <= high)
    shown = np.concatenate([targets.grid_net_value[inside], targets.net_value, [0.0]])
    bottom, top = float(np.nanmin(shown)), float(np.nanmax(shown))
    pad = 0.08 * max(top - bottom, 1.0)
    ax.set_xlim(low, high)
    ax.set_ylim(bottom - pad, top + pad)


def plot_net_value_by_nps(
    targets: ValueTargets,
    *,
    comparison: TargetComparison | None = None,
    ax: Axes | None = None,
    language: Language = "en",
) -> Figure:
    """Net value against the NPS a channel is raised to, marking today and the targets.

    Parameters
    ----------
    targets : ValueTargets
        Value-based targets; their profit curves ``grid_nps`` (NPS points) against
        ``grid_net_value`` (currency, present value over the horizon) are drawn.
    comparison : TargetComparison, optional
        The same channels priced under the naive rule: its targets (``pursued``,
        points) and their net value (currency) are marked as open diamonds.
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.

    Returns
    -------
    matplotlib.figure.Figure
        One curve per channel (x: NPS points, y: net value in ``targets.currency``);
        today's NPS as a grey dot on the curve, the value-based target as a filled
        dot at ``(target, net_value)`` with its interval (points) as a horizontal bar.
        The axes zoom on the NPS range around today and the targets.

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.economics.channels import economics_from_arrays
    >>> from cx_economics.targets.value_based import value_based_targets
    >>> class ExpCost:
    ...     def cost_at(self, nps):
    ...         return 80e3 * np.exp((np.asarray(nps, dtype=float) - 25.0) / 25.0)
    >>> flows = np.array([[[4.0] * 60, [8.0] * 60, [9.0] * 60]])
    >>> econ = economics_from_arrays(("phone",), [12_000], [[250, 250, 500]], flows,
    ...     excellent_nps=[40.0], monthly_discount_rate=0.0, n_bootstrap=100,
    ...     cost_models={"phone": ExpCost()})
    >>> fig = plot_net_value_by_nps(value_based_targets(econ))
    >>> fig.axes[0].get_legend().get_texts()[0].get_text()
    'phone'
    """
    _require_result(targets, "ValueTargets", "plot_net_value_by_nps", "value_based_targets(...)")
    language = check_language(language)
    with use_house_style():
        figure, ax = _figure_and_axes(ax)
        _channel_curves(ax, targets.channels, targets.grid_nps, targets.grid_net_value)
        for i in range(len(targets.channels)):
            _draw_value_points(ax, targets, i, language)
        if comparison is not None:
            _draw_naive_points(ax, targets, comparison, language)
        ax.axhline(0.0, color=MUTED, linewidth=0.8)
        _focus(ax, targets, comparison)
        _money_axis(ax, "y", targets.currency, language)
        _nps_axis(ax, language)
        ax.set_ylabel(label("net_value_axis", language).format(targets.currency))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=4)
        ax.set_title(label("net_value_by_nps_title", language))
    return figure


def _channel_curves(
    ax: Axes,
    channels: Sequence[str],
    x_grid: npt.NDArray[np.float64],
    y_grid: npt.NDArray[np.float64],
) -> None:
    """Draw one labelled curve per channel: row ``i`` of ``x_grid`` against ``y_grid``'s."""
    for i, channel in enumerate(channels):
        style = series_style(i)
        ax.plot(
            x_grid[i],
            y_grid[i],
            color=style.color,
            linestyle=style.linestyle,
            label=channel,
            gid=f"curve:{channel}",
        )


def _nps_axis(ax: Axes, language: Language) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: format_nps(x, language)))
    ax.set_xlabel(label("nps_points", language))


def plot_budget_allocation(
    allocation: BudgetAllocation, *, ax: Axes | None = None, language: Language = "en"
) -> Figure:
    """Value gained against extra yearly spend per channel, with the allocated points.

    Parameters
    ----------
    allocation : BudgetAllocation
        A split of a yearly budget; its curves ``grid_spend`` (currency per year)
        against ``grid_value_gain`` (currency, present value) are drawn.
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.

    Returns
    -------
    matplotlib.figure.Figure
        One curve per channel; the allocation as a filled dot at ``(spend,
        value_gain)`` labelled with the NPS it buys (points).

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.economics.channels import economics_from_arrays
    >>> from cx_economics.targets.budget import allocate_budget
    >>> class ExpCost:
    ...     def __init__(self, base):
    ...         self.base = base
    ...     def cost_at(self, nps):
    ...         return self.base * np.exp(np.asarray(nps, dtype=float) / 25.0)
    >>> flows = np.tile([[4.0], [8.0], [9.0]], (2, 1, 60))
    >>> econ = economics_from_arrays(("chat", "web"), [10_000, 10_000],
    ...     [[400, 300, 300], [400, 300, 300]], flows, excellent_nps=[40.0, 40.0],
    ...     monthly_discount_rate=0.0, n_bootstrap=50,
    ...     cost_models={"chat": ExpCost(50e3), "web": ExpCost(100e3)})
    >>> fig = plot_budget_allocation(allocate_budget(econ, 60_000))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2]
    ['chat', 'web']
    """
    _require_result(
        allocation, "BudgetAllocation", "plot_budget_allocation", "allocate_budget(...)"
    )
    language = check_language(language)
    currency = allocation.currency
    with use_house_style():
        figure, ax = _figure_and_axes(ax)
        _channel_curves(ax, allocation.channels, allocation.grid_spend, allocation.grid_value_gain)
        for i, channel in enumerate(allocation.channels):
            style = series_style(i)
            spend, gain = float(allocation.spend[i]), float(allocation.value_gain[i])
            ax.plot(
                [spend],
                [gain],
                style.marker,
                color=style.color,
                markersize=8,
                linestyle="",
                gid=f"allocated:{channel}",
                label=label("allocated", language) if i == 0 else "_nolegend_",
            )
            ax.annotate(
                format_nps(allocation.nps_target[i], language),
                xy=(spend, gain),
                xytext=(6, -12),
                textcoords="offset points",
                fontsize=9,
                color=style.color,
                fontweight="bold",
            )
        _money_axis(ax, "x", currency, language)
        _money_axis(ax, "y", currency, language)
        ax.set_xlabel(label("extra_spend_axis", language).format(currency))
        ax.set_ylabel(label("value_gain_axis", language).format(currency))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=4)
        budget = format_money_compact(allocation.budget, currency, language)
        ax.set_title(f"{label('budget_title', language)}: {budget}")
    return figure


def _unit_rows(cards: Scorecards, unit: str | Sequence[str] | None) -> tuple[pd.DataFrame, str]:
    """The scorecard rows of one unit, and its readable name."""
    keys = list(cards.key_columns)
    table = cards.table
    names = table[keys].astype(str).agg(" · ".join, axis=1)
    units = list(dict.fromkeys(names))
    if unit is None:
        if len(units) != 1:
            raise CxDataError(
                f"`unit` is needed: the scorecards hold {len(units)} units "
                f"(e.g. {units[:3]}); pass one of them"
            )
        wanted = units[0]
    else:
        wanted = unit if isinstance(unit, str) else " · ".join(map(str, unit))
    matches = (names == wanted) | (table[keys[-1]].astype(str) == wanted)
    rows = table[matches.to_numpy()]
    if rows.empty:
        raise CxDataError(f"`unit` {wanted!r} is not in the scorecards; units are {units[:5]}")
    chosen = list(dict.fromkeys(names[matches.to_numpy()]))
    if len(chosen) > 1:
        raise CxDataError(f"`unit` {wanted!r} matches {chosen}; pass the full key")
    return rows.sort_values("date"), chosen[0]


def plot_scorecard(
    cards: Scorecards,
    unit: str | Sequence[str] | None = None,
    *,
    ax: Axes | None = None,
    language: Language = "en",
) -> Figure:
    """One unit's NPS so far in the period, with its interval, against its target.

    Parameters
    ----------
    cards : Scorecards
        Scorecards from :func:`cx_economics.targets.cascade.scorecards`.
    unit : str or sequence of str, optional
        The unit to draw: its last key (a team or person name, if unique) or its full
        key (e.g. ``("phone", "team_03")``); may be left out when there is one unit.
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.

    Returns
    -------
    matplotlib.figure.Figure
        NPS so far (points) by date with its interval shaded, hollow where the
        interval is too wide to judge; the target (points) as a dashed step line.

    Raises
    ------
    CxDataError
        ``unit`` is missing while there are several units, or names none or several.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.targets.cascade import cascade_targets, scorecards
    >>> sim = simulate(3_000, seed=4)
    >>> cascade = cascade_targets(sim.responses, {"phone": 20.0, "web": 25.0})
    >>> cards = scorecards(sim.responses, cascade, unit="channel", period="Q")
    >>> fig = plot_scorecard(cards, "phone")
    >>> fig.axes[0].get_title(loc="left")
    'NPS so far against target: phone'
    """
    _require_result(cards, "Scorecards", "plot_scorecard", "scorecards(...)")
    language = check_language(language)
    rows, name = _unit_rows(cards, unit)
    dates = rows["date"].to_numpy(dtype="datetime64[ns]")
    nps = rows["nps"].to_numpy(dtype=np.float64)
    reliable = rows["reliable"].to_numpy(dtype=bool)
    with use_house_style():
        figure, ax = _figure_and_axes(ax)
        ax.fill_between(
            dates,
            rows["nps_lower"].to_numpy(dtype=np.float64),
            rows["nps_upper"].to_numpy(dtype=np.float64),
            color=ACCENT,
            alpha=INTERVAL_ALPHA,
            linewidth=0,
            label=label("interval", language),
        )
        ax.plot(dates, nps, color=ACCENT, label=label("nps_so_far", language), gid="nps")
        ax.plot(
            dates[~reliable],
            nps[~reliable],
            "o",
            color=ACCENT,
            markerfacecolor="white",
            linestyle="",
            gid="unreliable",
            label="_nolegend_",
        )
        ax.plot(
            dates,
            rows["target"].to_numpy(dtype=np.float64),
            color=MUTED,
            linestyle="--",
            drawstyle="steps-post",
            label=label("target", language),
            gid="target",
        )
        _nps_axis(ax, language)
        ax.set_xlabel(label("date", language))
        ax.set_ylabel(label("nps_points", language))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=3)
        ax.set_title(f"{label('scorecard_title', language)}: {name}")
    return figure
