"""Chart of lifetime value per NPS band."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cx_economics.presentation.formatting import Language, check_language, format_money, label
from cx_economics.presentation.plots._common import (
    _figure_and_axes,
    _group_bars,
    _group_label,
    _money_axis,
    _require_result,
)
from cx_economics.presentation.style import use_house_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cx_economics.value.lifetime import LifetimeValues


__all__ = ["plot_lifetime_values"]


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

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.value.lifetime import value_by_band
    >>> sim = simulate(3_000, seed=1)
    >>> values = value_by_band(sim.customers, sim.responses, n_bootstrap=50, seed=1)
    >>> fig = plot_lifetime_values(values)
    >>> ax = fig.axes[0]
    >>> ax.get_title(loc="left"), ax.get_ylabel()
    ('Lifetime value by NPS band', 'Lifetime margin per customer (EUR, 60 months, discounted)')
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['Detractors', 'Passives', 'Promoters', 'Unrated']
    >>> [round(bar.get_height()) for bar in ax.patches] == [round(v) for v in values.value]
    True
    >>> plot_lifetime_values(values, language="fi").axes[0].get_title(loc="left")
    'Asiakkuuden arvo NPS-ryhmittäin'
    """
    _require_result(values, "LifetimeValues", "plot_lifetime_values", "value_by_band(...)")
    language = check_language(language)
    currency = values.currency
    with use_house_style():
        figure, ax = _figure_and_axes(ax, (6.5, 4.2))
        texts = [format_money(float(v), currency, language) for v in values.value]
        x = _group_bars(ax, values.groups, values.value, values.lower, values.upper, texts)
        ax.set_xticks(x, [_group_label(k, language) for k in values.groups])
        ax.set_ylim(0, float(np.nanmax(values.upper)) * 1.18)
        _money_axis(ax, "y", currency, language)
        ax.grid(axis="x", visible=False)
        horizon = "∞" if values.horizon_months is None else str(values.horizon_months)
        ax.set_ylabel(label("lifetime_value_axis", language).format(currency, horizon))
        ax.set_title(label("lifetime_value", language))
    return figure
