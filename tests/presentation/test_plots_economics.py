"""Value-vs-cost chart: the drawn curves are the table's own value and cost functions."""

from __future__ import annotations

import numpy as np
import pytest

from cx_economics.core.exceptions import CxDataError
from cx_economics.presentation.plots import plot_value_vs_cost
from tests.economics.test_economics import LinearCost, make


def test_curves_drawn_equal_value_gain_and_present_value_of_extra_cost() -> None:
    econ, _, _ = make({"phone": LinearCost(80e3, 3e3), "branch": LinearCost(150e3, 5e3)})
    figure = plot_value_vs_cost(econ)
    axes = [a for a in figure.axes if a.get_visible()]
    titles = [a.get_title("left") or a.get_title() for a in axes]
    assert titles == list(econ.channels)
    for c, a in enumerate(axes):
        value_line, cost_line = a.get_lines()[:2]
        x = np.asarray(value_line.get_xdata(), dtype=float)
        y = np.asarray(value_line.get_ydata(), dtype=float)
        assert x[0] >= econ.nps_today[c] - 1e-9
        target = np.tile(econ.nps_today, (x.size, 1))
        target[:, c] = x
        expected = econ.gain_at(target)[:, c]
        assert y == pytest.approx(expected)
        per_point = 3e3 if econ.channels[c] == "phone" else 5e3
        extra = (x - econ.nps_today[c]) * per_point * econ.annuity
        assert np.asarray(cost_line.get_ydata(), dtype=float) == pytest.approx(extra)


def test_refuses_a_single_axes() -> None:
    from matplotlib.figure import Figure

    econ, _, _ = make()
    with pytest.raises(CxDataError, match="one panel per channel"):
        plot_value_vs_cost(econ, ax=Figure().add_subplot())
