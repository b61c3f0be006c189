"""Chart of contact drivers: money lost per contact reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cx_economics.presentation.formatting import (
    Language,
    check_language,
    format_money_compact,
    format_with_interval,
    label,
    translate_value,
)
from cx_economics.presentation.plots._common import (
    _figure_and_axes,
    _money_axis,
    _require_columns,
    _require_result,
)
from cx_economics.presentation.style import ACCENT, CHART_INCHES, MUTED, use_house_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cx_economics.drivers.analysis import DriverReport


__all__ = ["plot_drivers"]


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

    Examples
    --------
    >>> from cx_economics.data.assumptions import Assumptions
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.drivers import contact_driver_analysis
    >>> sim = simulate(2_000, seed=5)
    >>> a = Assumptions(cost_per_contact={"phone": 6, "branch": 9, "chat": 3, "web": 1.5},
    ...                 n_bootstrap=100)
    >>> report = contact_driver_analysis(sim.customers, sim.contacts, assumptions=a,
    ...                                  lifetime_value=300.0)
    >>> fig = plot_drivers(report, top=3)
    >>> ax = fig.axes[0]
    >>> ax.get_title(loc="left")
    'Money per contact reason per year'
    >>> ax.get_xlabel()
    'Cost of the contacts and of the churn they cause (EUR per year)'

    The three biggest reasons, largest at the top, one bar each at its money:

    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['case status', 'delivery delay', 'billing error']
    >>> [round(bar.get_width()) for bar in ax.patches]  # EUR per year
    [3790, 5203, 9652]
    >>> report.to_frame()["annual_money"].round().head(3).tolist()
    [9652.0, 5203.0, 3790.0]
    """
    _require_result(report, "DriverReport", "plot_drivers", "contact_driver_analysis(...)")
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
            text = format_with_interval(
                text,
                format_money_compact(lower[i], currency, language),
                format_money_compact(upper[i], currency, language),
                language,
            ).replace(" (", "  (", 1)
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
        ax.set_yticks(y, [translate_value(r, language) for r in frame["reason"].astype(str)])
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
