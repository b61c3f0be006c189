"""Budget allocation: brute-force grid search, bounds, and the link to value-based targets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cx_economics.core.exceptions import CxDataError, CxModelError
from cx_economics.economics.channels import ChannelEconomics, economics_from_arrays
from cx_economics.targets.budget import allocate_budget
from cx_economics.targets.value_based import value_based_targets


class ExpCost:
    """Yearly cost ``c0 · exp((x − x0)/b)``; its inverse is ``x0 + b ln(cost / c0)``."""

    def __init__(self, c0: float, x0: float, b: float) -> None:
        self.c0, self.x0, self.b = c0, x0, b

    def cost_at(self, nps: object) -> np.ndarray:
        return self.c0 * np.exp((np.asarray(nps, dtype=float) - self.x0) / self.b)

    def nps_for(self, cost: np.ndarray) -> np.ndarray:
        return self.x0 + self.b * np.log(cost / self.c0)


class FallingCost:
    def cost_at(self, nps: object) -> np.ndarray:
        return 1e5 - 100.0 * np.asarray(nps, dtype=float)


def make(
    values: list[list[float]], counts: list[list[int]], costs: list[ExpCost], customers: list[float]
) -> ChannelEconomics:
    names = tuple(f"c{i}" for i in range(len(values)))
    flows = np.repeat((np.asarray(values) / 60.0)[:, :, None], 60, axis=2)
    return economics_from_arrays(
        names,
        customers,
        counts,
        flows,
        excellent_nps=[50.0] * len(names),
        monthly_discount_rate=0.0,
        cost_models=dict(zip(names, costs, strict=True)),
        n_bootstrap=100,
    )


def value_of_spends(econ: ChannelEconomics, costs: list[ExpCost], spends: np.ndarray) -> np.ndarray:
    """Total equity gained for rows of spends (K, C), via the analytic inverse cost curves."""
    today = econ.nps_today
    levels = np.column_stack(
        [
            np.minimum(k.nps_for(float(k.cost_at(t)) + spends[:, c]), 100.0)
            for c, (k, t) in enumerate(zip(costs, today, strict=True))
        ]
    )
    gained: np.ndarray = econ.gain_at(levels).sum(axis=1)
    return gained


def test_two_channels_match_a_brute_force_grid() -> None:
    costs = [ExpCost(50e3, 0.0, 25.0), ExpCost(20e3, 10.0, 20.0)]
    econ = make(
        [[240.0, 480.0, 540.0], [300.0, 450.0, 600.0]],
        [[400, 300, 300], [200, 400, 400]],
        costs,
        [10_000, 14_000],
    )
    budget = 80_000.0
    plan = allocate_budget(econ, budget)
    s1 = np.linspace(0.0, budget, 8_001)
    grid = np.column_stack([s1, budget - s1])
    values = value_of_spends(econ, costs, grid)
    best = grid[np.argmax(values)]
    assert plan.spend.sum() == pytest.approx(budget)
    assert plan.spend == pytest.approx(best, abs=budget / 8_000)
    assert plan.value_gain.sum() >= values.max() - 1e-6 * values.max()
    # the Lagrange condition: equal marginal return where no bound binds
    assert plan.binding == ("interior", "interior")
    assert plan.marginal_return[0] == pytest.approx(plan.marginal_return[1], rel=1e-4)
    assert plan.shadow_price == pytest.approx(plan.marginal_return[0], rel=1e-4)
    frame = plan.to_frame()
    assert frame["spend_per_year"].iloc[-1] == pytest.approx(budget)


@pytest.mark.parametrize("budget", [120_000.0, 200_000.0])
def test_three_channels_with_a_rising_kink_match_brute_force(budget: float) -> None:
    # c2's detractors run out 10 points above today, where a point becomes worth 6x more:
    # its value per euro is not concave, so a plain Lagrange bisection jumps over the
    # optimum at 200,000 (c2 past its kink, all three marginal returns equal).
    costs = [ExpCost(50e3, 0.0, 25.0), ExpCost(10e3, 0.0, 15.0), ExpCost(30e3, 10.0, 12.0)]
    econ = make(
        [[240.0, 480.0, 540.0], [300.0, 420.0, 520.0], [200.0, 230.0, 410.0]],
        [[400, 300, 300], [300, 300, 400], [100, 700, 200]],
        costs,
        [10_000, 8_000, 20_000],
    )
    plan = allocate_budget(econ, budget)
    step = budget / 400
    s = np.arange(0.0, budget + step / 2, step)
    a, b = np.meshgrid(s, s, indexing="ij")
    keep = a + b <= budget + 1e-9
    grid = np.column_stack([a[keep], b[keep], budget - a[keep] - b[keep]])
    values = value_of_spends(econ, costs, grid)
    assert plan.spend.sum() == pytest.approx(budget)
    assert plan.value_gain.sum() >= values.max() * (1 - 1e-7)
    assert plan.spend == pytest.approx(grid[np.argmax(values)], abs=2 * step)


def test_bounds_are_honoured() -> None:
    costs = [ExpCost(50e3, 0.0, 25.0), ExpCost(20e3, 10.0, 20.0)]
    econ = make(
        [[240.0, 480.0, 540.0], [300.0, 450.0, 600.0]],
        [[400, 300, 300], [200, 400, 400]],
        costs,
        [10_000, 14_000],
    )
    free = allocate_budget(econ, 80_000.0)
    capped = allocate_budget(
        econ, 80_000.0, max_spend={"c0": free.spend[0] / 2}, min_spend={"c1": 5_000.0}
    )
    assert capped.spend[0] == pytest.approx(free.spend[0] / 2, rel=1e-9)
    assert capped.binding[0] == "max"
    assert capped.spend[1] == pytest.approx(80_000.0 - free.spend[0] / 2, rel=1e-9)
    # the NPS bought is the analytic inverse of the cost curve
    for c, k in enumerate(costs):
        expected = k.nps_for(float(k.cost_at(econ.nps_today[c])) + capped.spend[c])
        assert capped.nps_target[c] == pytest.approx(expected, abs=1e-6)
    floor = allocate_budget(econ, 80_000.0, min_spend=40_000.0)
    assert floor.spend == pytest.approx([40_000.0, 40_000.0])


def test_unspent_when_spending_would_not_pay_equals_value_targets() -> None:
    costs = [ExpCost(50e3, 0.0, 25.0), ExpCost(20e3, 10.0, 20.0)]
    econ = make(
        [[240.0, 480.0, 540.0], [300.0, 450.0, 600.0]],
        [[400, 300, 300], [200, 400, 400]],
        costs,
        [10_000, 14_000],
    )
    plan = allocate_budget(econ, 5e6, spend_all=False)
    targets = value_based_targets(econ)
    assert plan.nps_target == pytest.approx(targets.target, abs=1e-4)
    assert plan.unspent == pytest.approx(5e6 - targets.extra_cost.sum(), rel=1e-6)
    assert plan.shadow_price == pytest.approx(1.0)
    assert any("left unspent" in n for n in plan._notes())


def test_channels_that_cannot_absorb_the_budget() -> None:
    costs = [ExpCost(50e3, 0.0, 25.0)]
    econ = make([[240.0, 480.0, 540.0]], [[400, 300, 300]], costs, [10_000])
    plan = allocate_budget(econ, 1e6, upper_nps=20.0)
    ceiling_spend = float(costs[0].cost_at(20.0) - costs[0].cost_at(-10.0))
    assert plan.nps_target[0] == pytest.approx(20.0)
    assert plan.binding == ("ceiling",)
    assert plan.unspent == pytest.approx(1e6 - ceiling_spend, rel=1e-6)
    assert math.isfinite(plan.net_value[0])


def test_bad_inputs() -> None:
    costs = [ExpCost(50e3, 0.0, 25.0), ExpCost(20e3, 10.0, 20.0)]
    econ = make(
        [[240.0, 480.0, 540.0], [300.0, 450.0, 600.0]],
        [[400, 300, 300], [200, 400, 400]],
        costs,
        [10_000, 14_000],
    )
    with pytest.raises(CxDataError, match="`budget`"):
        allocate_budget(econ, -1.0)
    with pytest.raises(CxDataError, match="minimum spends"):
        allocate_budget(econ, 10_000.0, min_spend=6_000.0)
    with pytest.raises(CxDataError, match="`min_spend`"):
        allocate_budget(econ, 10_000.0, min_spend={"c0": 5_000.0}, max_spend={"c0": 1_000.0})
    with pytest.raises(CxModelError, match="falls as NPS rises"):
        allocate_budget(econ, 10_000.0, cost_models={"c0": costs[0], "c1": FallingCost()})
