"""Churn charts: survival curves with customers at risk, churn at a month, hazard ratios."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.presentation.formatting import (
    Language,
    check_language,
    format_count,
    format_number,
    format_percent,
    label,
)
from cx_economics.presentation.plots._common import (
    _figure_and_axes,
    _group_bars,
    _group_label,
    _group_style,
    _month_ticks,
    _percent_axis,
    _require_columns,
    _require_result,
)
from cx_economics.presentation.style import (
    BAND_STYLES,
    INTERVAL_ALPHA,
    MUTED,
    SeriesStyle,
    use_house_style,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cx_economics.core.results import Estimate
    from cx_economics.survival.curves import ChurnCurves
    from cx_economics.survival.hazards import HazardRatios
    from cx_economics.tables.life import LifeTable


__all__ = ["at_risk_counts", "plot_churn_at", "plot_churn_curves", "plot_hazard_ratios"]


def at_risk_counts(
    life_table: LifeTable, group_columns: Sequence[str], months: Sequence[int]
) -> pd.DataFrame:
    """Customers still observed (at risk of churning) at the start of each month.

    Parameters
    ----------
    life_table : LifeTable
        Counts of customers by group, ``duration`` (whole months) and ``churned``.
    group_columns : sequence of str
        Columns that make a group (must be among the life table's group columns).
    months : sequence of int
        Months to count at (0 = at joining).

    Returns
    -------
    pandas.DataFrame
        One row per group, one integer column per month: customers at risk in that
        month (number of customers): in the group since before it (since month 0 for
        month 0) and still there.

    Examples
    --------
    >>> import pandas as pd
    >>> from cx_economics.tables.life import LifeTable
    >>> cells = pd.DataFrame({"band": ["promoter", "promoter", "detractor"],
    ...                       "duration": [3, 12, 5], "churned": [True, False, True],
    ...                       "customers": [10, 40, 7], "revenue_sum": 0.0,
    ...                       "revenue_sq_sum": 0.0})
    >>> table = LifeTable(cells, ("band",), "latest", None, False)
    >>> at_risk_counts(table, ["band"], [0, 6, 12]).to_dict("list")
    {'band': ['detractor', 'promoter'], 0: [7, 50], 6: [0, 40], 12: [0, 40]}
    """
    frame = life_table.frame
    _require_columns(frame, [*group_columns, "duration", "customers"], "life_table")
    keys = frame[list(group_columns)].astype(str)
    duration = frame["duration"].to_numpy(np.int64)
    # delayed entry: a state entered in month e is at risk from month e + 1 on
    entry = life_table.entry_months
    counts = frame["customers"].to_numpy(np.int64)
    out = keys.drop_duplicates().sort_values(list(group_columns)).reset_index(drop=True)
    for month in months:
        present = (duration >= month) & (entry < max(month, 1))
        alive = pd.Series(np.where(present, counts, 0), index=frame.index)
        summed = alive.groupby([keys[c] for c in group_columns]).sum()
        index = pd.MultiIndex.from_frame(out[list(group_columns)])
        out[month] = summed.reindex(
            index if len(group_columns) > 1 else index.get_level_values(0)
        ).to_numpy(np.int64)
    return out


def _left_of_axes(ax: Axes, text: str, below_points: float, **style: Any) -> None:
    """Write ``text`` right-aligned just left of the axes, ``below_points`` under its bottom."""
    ax.annotate(
        text,
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(-22, below_points),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=8,
        annotation_clip=False,
        **style,
    )


def _draw_at_risk(
    ax: Axes,
    curves: ChurnCurves,
    life_table: LifeTable,
    months: Sequence[int],
    language: Language,
) -> None:
    """Rows of at-risk counts under the x axis, one per group, aligned to ``months``."""
    table = at_risk_counts(life_table, curves.group_columns, months)
    keys = [tuple(row) for row in table[list(curves.group_columns)].itertuples(index=False)]
    line = 11.0  # points between rows
    top = -44.0  # points below the axis: under the tick labels and the axis label
    _left_of_axes(ax, label("at_risk", language), top, fontweight="bold", color=MUTED)
    shown = [k for k in curves.groups if k in keys]
    for row, key in enumerate(shown, start=1):
        y = top - row * line
        counts = table.iloc[keys.index(key)]
        style = _group_style(key, curves.groups.index(key))
        _left_of_axes(ax, _group_label(key, language), y, color=style.color)
        for month in months:
            ax.annotate(
                format_count(int(counts[month]), language),
                xy=(month, 0),
                xycoords=("data", "axes fraction"),
                xytext=(0, y),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=8,
                annotation_clip=False,
            )


def plot_churn_curves(
    curves: ChurnCurves,
    *,
    ax: Axes | None = None,
    language: Language = "en",
    life_table: LifeTable | None = None,
    max_month: int | None = None,
) -> Figure:
    """Share of customers still with us, month by month, per NPS band, with intervals.

    Parameters
    ----------
    curves : ChurnCurves
        Survival per group on a month grid with its pointwise interval.
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.
    life_table : LifeTable, optional
        When given, the customers still at risk are printed under the axis every
        6 or 12 months (counts of customers).
    max_month : int, optional
        Last month shown; defaults to the end of the grid. Months beyond a group's
        longest observed tenure are drawn thinner and marked as model extrapolation.

    Returns
    -------
    matplotlib.figure.Figure
        Y axis: customers still with us (% of those who joined); x axis: months.

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.survival.curves import ChurnCurves
    >>> m = np.arange(25.0)
    >>> s = np.exp(-np.outer([0.03, 0.011], m))
    >>> curves = ChurnCurves("km", ("band",), (("detractor",), ("promoter",)), m, s,
    ...                      s * 0.97, np.minimum(s * 1.03, 1), np.array([24.0, 24.0]),
    ...                      np.array([900, 1100]), np.array([400, 200]))
    >>> fig = plot_churn_curves(curves)
    >>> fig.axes[0].get_ylabel()
    'Customers still with us (%)'
    """
    _require_result(
        curves, "ChurnCurves", "plot_churn_curves", "kaplan_meier(...) or fit_churn(...)"
    )
    language = check_language(language)
    with use_house_style():
        figure, ax = _figure_and_axes(ax)
        months = np.asarray(curves.months, dtype=np.float64)
        last = float(months[-1] if max_month is None else min(max_month, months[-1]))
        shown = months <= last
        step = "post" if curves.model == "km" else None
        for i in range(len(curves.groups)):
            _draw_curve(ax, curves, i, shown, step, language)
        extrapolated = float(np.min(curves.observed_months))
        if extrapolated < last:
            ax.axvline(extrapolated, color=MUTED, linewidth=0.8, linestyle=":")
            ax.annotate(
                label("extrapolated", language) + " →",
                xy=(extrapolated, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(4, -4),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=8,
                color=MUTED,
            )
        ax.set_xlim(0, last)
        ax.set_ylim(0, 1.02)
        _percent_axis(ax, "y", language)
        _month_ticks(ax, last)
        ax.set_ylabel(label("share_still_customers", language))
        ax.set_xlabel(label("months", language))
        ax.set_title(label("churn_curves_title", language))
        shaded = label("shaded_interval", language).format(round(100 * curves.level))
        ax.legend(loc="lower left", title=f"{label('band', language)} ({shaded})")
        if life_table is not None:
            ticks = [int(t) for t in ax.get_xticks() if 0 <= t <= last]
            _draw_at_risk(ax, curves, life_table, ticks, language)
    return figure


def _draw_curve(
    ax: Axes,
    curves: ChurnCurves,
    index: int,
    shown: npt.NDArray[np.bool_],
    step: str | None,
    language: Language,
) -> None:
    """One group's curve: solid where observed, thin beyond, interval shaded."""
    key = curves.groups[index]
    style = _group_style(key, index)
    months = curves.months[shown]
    observed = months <= curves.observed_months[index]
    n_text = format_count(int(curves.n_customers[index]), language)
    name = f"{_group_label(key, language)} (n = {n_text})"
    drawstyle = "steps-post" if step else "default"
    kwargs: dict[str, Any] = {
        "color": style.color,
        "linestyle": style.linestyle,
        "drawstyle": drawstyle,
        "marker": "",
    }
    ax.plot(months[observed], curves.survival[index, shown][observed], label=name, **kwargs)
    if not observed.all():
        tail = np.flatnonzero(~observed)
        start = max(int(tail[0]) - 1, 0)
        ax.plot(
            months[start:],
            curves.survival[index, shown][start:],
            linewidth=1.0,
            alpha=0.7,
            **kwargs,
        )
    ax.fill_between(
        months,
        curves.lower[index, shown],
        curves.upper[index, shown],
        color=style.color,
        alpha=INTERVAL_ALPHA,
        linewidth=0,
        step=step,  # type: ignore[arg-type]  # "post" or None are both valid
    )


def plot_churn_at(
    curves: ChurnCurves, month: int = 12, *, ax: Axes | None = None, language: Language = "en"
) -> Figure:
    """Share of customers who churned within ``month`` months, per group, with intervals.

    Parameters
    ----------
    curves : ChurnCurves
        Survival per group; ``month`` must be on its grid.
    month : int, default 12
        Horizon in months.
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.

    Returns
    -------
    matplotlib.figure.Figure
        One bar per group: churned within ``month`` months (% of customers), labelled
        with the value and its interval.

    Examples
    --------
    >>> import numpy as np
    >>> from cx_economics.survival.curves import ChurnCurves
    >>> m = np.arange(13.0)
    >>> s = np.exp(-np.outer([0.03, 0.011], m))
    >>> curves = ChurnCurves("km", ("band",), (("detractor",), ("promoter",)), m, s,
    ...                      s * 0.97, np.minimum(s * 1.03, 1), np.array([12.0, 12.0]),
    ...                      np.array([900, 1100]), np.array([300, 130]))
    >>> fig = plot_churn_at(curves, 12)
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['Detractors', 'Promoters']
    """
    _require_result(curves, "ChurnCurves", "plot_churn_at", "kaplan_meier(...) or fit_churn(...)")
    language = check_language(language)
    table = curves.churn_at(month)
    with use_house_style():
        figure, ax = _figure_and_axes(ax, (6.0, 4.2))
        churn = table["churn"].to_numpy(np.float64)
        lower = table["churn_lower"].to_numpy(np.float64)
        upper = table["churn_upper"].to_numpy(np.float64)
        texts = [format_percent(c, language, decimals=0) for c in churn]
        x = _group_bars(ax, curves.groups, churn, lower, upper, texts, width=0.6)
        names = [_group_label(k, language) for k in curves.groups]
        ax.set_xticks(
            x,
            [textwrap.fill(n, 11, break_long_words=False) for n in names],
            fontsize=8.5 if len(x) > 3 else 9,
        )
        ax.set_ylim(0, max(float(np.nanmax(upper)) * 1.2, 0.05))
        _percent_axis(ax, "y", language)
        ax.set_ylabel(label("share_churned", language))
        ax.grid(axis="x", visible=False)
        ax.set_title(label("churn_at_months", language).format(month).replace(" (%)", ""))
    return figure


def plot_hazard_ratios(
    hazards: HazardRatios,
    *,
    ax: Axes | None = None,
    language: Language = "en",
    covariate: str = "band",
) -> Figure:
    """How many times faster each group churns than the reference group, with intervals.

    Parameters
    ----------
    hazards : HazardRatios
        Hazard ratios (unitless: ratios of monthly churn hazards) with intervals.
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.
    covariate : str, default "band"
        Which covariate's levels to show.

    Returns
    -------
    matplotlib.figure.Figure
        A forest plot on a log scale: the reference level at 1, each other level as a
        dot with its interval and the ratio written as ``2.7×``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cx_economics.survival.hazards import hazard_ratios
    >>> from cx_economics.tables.life import LifeTable
    >>> cells = pd.DataFrame({"band": ["detractor", "detractor", "promoter", "promoter"],
    ...                       "duration": [1, 2, 1, 2], "churned": [True, False] * 2,
    ...                       "customers": [20, 80, 10, 90]})
    >>> fig = plot_hazard_ratios(hazard_ratios(LifeTable(cells, ("band",), "latest", None, False)))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Detractors', 'Promoters']
    """
    _require_result(hazards, "HazardRatios", "plot_hazard_ratios", "hazard_ratios(...)")
    language = check_language(language)
    frame = hazards.to_frame()
    frame = frame[frame["covariate"] == covariate]
    reference = str(hazards.references[covariate])
    levels = [str(v) for v in frame["category"]]
    order = [b for b in (*BAND_STYLES, *levels) if b in levels or b == reference]
    order = list(dict.fromkeys(order))
    with use_house_style():
        figure, ax = _figure_and_axes(ax, (6.5, 1.6 + 0.55 * len(order)))
        y = np.arange(len(order), dtype=np.float64)[::-1]
        for i, level in enumerate(order):
            estimate = hazards.ratio(level, covariate)
            _draw_ratio_row(ax, y[i], estimate, _group_style((level,), i), language)
        ax.axvline(1.0, color=MUTED, linewidth=0.8)
        high = max(float(frame["upper"].max()) if len(frame) else 1.0, 1.0)
        low = min(float(frame["lower"].min()) if len(frame) else 1.0, 1.0)
        _ratio_axis(ax, low / 1.25, high * 1.6, language)
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.set_yticks(y, [_group_label((k,), language) for k in order])
        ax.grid(axis="y", visible=False)
        ref_name = _group_label((reference,), language).lower()
        ax.set_xlabel(label("hazard_ratio", language).format(reference=ref_name))
        ax.set_title(label("hazard_title", language))
    return figure


def _ratio_axis(ax: Axes, low: float, high: float, language: Language) -> None:
    """Log-scale x axis for ratios with readable ticks (0.5×, 1×, 1.5×, 2×, 3×, …)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

    ax.set_xscale("log")
    ax.set_xlim(low, high)
    candidates = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0]
    ax.xaxis.set_major_locator(FixedLocator([c for c in candidates if low <= c <= high]))
    ax.xaxis.set_major_formatter(
        FuncFormatter(
            lambda x, _pos: format_number(x, language, decimals=2).rstrip("0").rstrip(".,") + "×"
        )
    )
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())


def _draw_ratio_row(
    ax: Axes, y: float, estimate: Estimate, style: SeriesStyle, language: Language
) -> None:
    """One hazard ratio: dot, interval and ``2.7× (2.5–2.9)``; the reference reads ``1×``."""
    ax.plot([estimate.lower, estimate.upper], [y, y], color=style.color, linewidth=2.0, marker="")
    ax.plot(
        [estimate.value], [y], marker=style.marker, color=style.color, markersize=8, linestyle=""
    )
    text = format_number(estimate.value, language, decimals=1) + "×"
    if estimate.upper > estimate.lower:
        low = format_number(estimate.lower, language, decimals=1)
        high = format_number(estimate.upper, language, decimals=1)
        text += f"  ({low}–{high})"
    else:
        text += f"  ({label('reference', language)})"
    ax.annotate(
        text,
        xy=(estimate.upper, y),
        xytext=(6, 0),
        textcoords="offset points",
        va="center",
        fontsize=9,
    )
