"""Charts for people: each a pure function of a result object, returning a Figure.

Every function has the shape ``plot_x(result, *, ax=None, language="en") -> Figure``:

* with ``ax=None`` it builds a stand-alone :class:`matplotlib.figure.Figure` (no
  pyplot, no GUI backend, nothing global) in the house style of
  :mod:`cx_economics.style`;
* with an ``ax`` it draws into that axes (a report page, a notebook grid) and
  returns the figure the axes belongs to.

Numbers on charts carry their units (money in the result's currency, NPS in points,
churn in per cent of customers) and are written with :mod:`cx_economics.formatting`
in the chosen language. Intervals are drawn wherever the result has them; groups
flagged as too small are drawn hollow and labelled, never ranked with the others.

Matplotlib is imported inside the functions, so ``import cx_economics`` stays light.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.exceptions import CxDataError
from cx_economics.formatting import (
    Language,
    check_language,
    format_count,
    format_money,
    format_money_compact,
    format_money_range,
    format_nps,
    format_number,
    format_percent,
    label,
)
from cx_economics.style import (
    ACCENT,
    BAND_STYLES,
    CHART_INCHES,
    INTERVAL_ALPHA,
    MUTED,
    SeriesStyle,
    band_style,
    series_style,
    use_house_style,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cx_economics._results import Estimate
    from cx_economics.drivers.analysis import DriverReport
    from cx_economics.economics import ChannelEconomics
    from cx_economics.nps import NpsTable
    from cx_economics.survival.curves import ChurnCurves
    from cx_economics.survival.hazards import HazardRatios
    from cx_economics.tables.life import LifeTable
    from cx_economics.targets.naive import TargetComparison
    from cx_economics.value import LifetimeValues

__all__ = [
    "at_risk_counts",
    "plot_churn_at",
    "plot_churn_curves",
    "plot_drivers",
    "plot_hazard_ratios",
    "plot_lifetime_values",
    "plot_money_lost",
    "plot_nps",
    "plot_targets",
]

FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- NPS


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
    >>> from cx_economics.nps import nps
    >>> from cx_economics.tables.nps_counts import NpsCounts
    >>> counts = NpsCounts.from_counts(detractors=[100, 2], passives=[200, 1],
    ...     promoters=[700, 3], groups=["phone", "chat"], group_columns=["channel"])
    >>> fig = plot_nps(nps(counts, by="channel"))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['phone', 'chat']
    """
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


# --------------------------------------------------------------------------- churn


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
        One row per group, one integer column per month: customers with a duration of
        at least that month (number of customers).

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
    counts = frame["customers"].to_numpy(np.int64)
    out = keys.drop_duplicates().sort_values(list(group_columns)).reset_index(drop=True)
    for month in months:
        alive = pd.Series(np.where(duration >= month, counts, 0), index=frame.index)
        summed = alive.groupby([keys[c] for c in group_columns]).sum()
        index = pd.MultiIndex.from_frame(out[list(group_columns)])
        out[month] = summed.reindex(
            index if len(group_columns) > 1 else index.get_level_values(0)
        ).to_numpy(np.int64)
    return out


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
    ax.annotate(
        label("at_risk", language),
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(-22, top),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=8,
        fontweight="bold",
        color=MUTED,
        annotation_clip=False,
    )
    shown = [k for k in curves.groups if k in keys]
    for row, key in enumerate(shown, start=1):
        y = top - row * line
        counts = table.iloc[keys.index(key)]
        style = _group_style(key, curves.groups.index(key))
        ax.annotate(
            _group_label(key, language),
            xy=(0, 0),
            xycoords="axes fraction",
            xytext=(-22, y),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=8,
            color=style.color,
            annotation_clip=False,
        )
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
    language = check_language(language)
    table = curves.churn_at(month)
    with use_house_style():
        figure, ax = _figure_and_axes(ax, (6.0, 4.2))
        x = np.arange(len(curves.groups), dtype=np.float64)
        churn = table["churn"].to_numpy(np.float64)
        lower = table["churn_lower"].to_numpy(np.float64)
        upper = table["churn_upper"].to_numpy(np.float64)
        for i, key in enumerate(curves.groups):
            style = _group_style(key, i)
            ax.bar(
                x[i], churn[i], color=style.color, hatch=style.hatch, edgecolor="white", width=0.6
            )
        ax.errorbar(
            x,
            churn,
            yerr=[churn - lower, upper - churn],
            fmt="none",
            ecolor="black",
            elinewidth=1.2,
            capsize=4,
        )
        for i in range(len(x)):
            text = format_percent(churn[i], language, decimals=0)
            ax.annotate(
                text,
                xy=(x[i], upper[i]),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=9,
                fontweight="bold",
            )
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
    language = check_language(language)
    frame = hazards.to_frame()
    frame = frame[frame["covariate"] == covariate]
    reference = str(hazards.references[covariate])
    levels = [str(v) for v in frame["level"]]
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


# --------------------------------------------------------------------------- money


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


def plot_lifetime_values(
    values: LifetimeValues, *, ax: Axes | None = None, language: Language = "en"
) -> Figure:
    """Lifetime value of a new customer per NPS band, with intervals.

    Parameters
    ----------
    values : LifetimeValues
        Discounted margin per customer over the horizon (currency per customer).
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.

    Returns
    -------
    matplotlib.figure.Figure
        One bar per group, labelled with the value (currency per customer) and its
        interval; the y axis states currency, horizon and discounting.
    """
    language = check_language(language)
    currency = values.currency
    with use_house_style():
        figure, ax = _figure_and_axes(ax, (6.5, 4.2))
        x = np.arange(len(values.groups), dtype=np.float64)
        for i, key in enumerate(values.groups):
            style = _group_style(key, i)
            ax.bar(x[i], values.value[i], color=style.color, hatch=style.hatch, edgecolor="white")
        ax.errorbar(
            x,
            values.value,
            yerr=[values.value - values.lower, values.upper - values.value],
            fmt="none",
            ecolor="black",
            elinewidth=1.2,
            capsize=4,
        )
        for i in range(len(x)):
            ax.annotate(
                format_money(float(values.value[i]), currency, language),
                xy=(x[i], values.upper[i]),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=9,
                fontweight="bold",
            )
        ax.set_xticks(x, [_group_label(k, language) for k in values.groups])
        ax.set_ylim(0, float(np.nanmax(values.upper)) * 1.18)
        _money_axis(ax, "y", currency, language)
        ax.grid(axis="x", visible=False)
        horizon = "∞" if values.horizon_months is None else str(values.horizon_months)
        ax.set_ylabel(label("lifetime_value_axis", language).format(currency, horizon))
        ax.set_title(label("lifetime_value", language))
    return figure


# --------------------------------------------------------------------------- targets


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


# --------------------------------------------------------------------------- drivers


def plot_drivers(
    report: DriverReport, *, ax: Axes | None = None, language: Language = "en", top: int = 8
) -> Figure:
    """Money per contact reason per year, with intervals; unreliable reasons hollow.

    Parameters
    ----------
    report : DriverReport
        Contact-driver analysis (money in currency per year).
    ax : matplotlib.axes.Axes, optional
        Draw here instead of in a new figure.
    language : {"en", "fi"}
        Language of labels and numbers.
    top : int, default 8
        Reasons shown, most money first.

    Returns
    -------
    matplotlib.figure.Figure
        Horizontal bars: failure-demand cost plus value of the churn each reason
        causes (currency per year); ranked levers are labelled ``#1``, ``#2``…;
        reasons too sparse to judge are drawn hollow and not ranked.
    """
    language = check_language(language)
    frame = report.to_frame()
    _require_columns(frame, ["reason", "annual_money", "money_lower", "money_upper"], "report")
    currency = str(frame["currency"].iloc[0]) if len(frame) else "EUR"
    frame = frame.dropna(subset=["annual_money"]).nlargest(top, "annual_money").iloc[::-1]
    with use_house_style():
        figure, ax = _figure_and_axes(ax, (CHART_INCHES[0], 1.4 + 0.42 * len(frame)))
        value = frame["annual_money"].to_numpy(np.float64)
        lower = frame["money_lower"].to_numpy(np.float64)
        upper = frame["money_upper"].to_numpy(np.float64)
        ranks = pd.to_numeric(frame["lever_rank"], errors="coerce").to_numpy(np.float64)
        y = np.arange(len(frame), dtype=np.float64)
        for i in range(len(frame)):
            ranked = bool(np.isfinite(ranks[i]))
            ax.barh(
                y[i],
                value[i],
                height=0.62,
                color=ACCENT if ranked else "white",
                edgecolor=ACCENT if ranked else MUTED,
                hatch="" if ranked else "//",
            )
            text = format_money_compact(value[i], currency, language)
            text += f"  ({format_money_range(lower[i], upper[i], currency, language)})"
            ax.annotate(
                (f"#{int(ranks[i])}  " if ranked else "") + text,
                xy=(max(upper[i], value[i]), y[i]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
                color="black" if ranked else MUTED,
            )
        ax.errorbar(
            value,
            y,
            xerr=[value - lower, upper - value],
            fmt="none",
            ecolor="black",
            elinewidth=1.0,
            capsize=3,
        )
        ax.set_yticks(y, frame["reason"].astype(str).tolist())
        if len(frame):
            span = float(np.nanmax(upper)) - min(float(np.nanmin(lower)), 0.0)
            ax.set_xlim(
                min(float(np.nanmin(lower)), 0.0) - 0.03 * span, np.nanmax(upper) + 0.6 * span
            )
        ax.axvline(0.0, color=MUTED, linewidth=0.8)
        _money_axis(ax, "x", currency, language)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(label("driver_money_axis", language).format(currency))
        ax.set_title(label("drivers_title", language))
    return figure
