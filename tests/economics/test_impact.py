"""Mix shifts, value of a point and money lost: closed forms and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_economics.core.exceptions import CxDataError, CxModelError
from cx_economics.economics.impact import (
    MixShift,
    mix_at_nps,
    mix_value,
    money_lost,
    value_per_point,
)

RULES = ["detractors_first", "proportional"]


@st.composite
def mixes(draw: st.DrawFn) -> np.ndarray:
    w = np.array([draw(st.floats(0.01, 1.0)) for _ in range(3)])
    return w / w.sum()


@settings(max_examples=200, deadline=None)
@given(mixes(), st.floats(-100, 100), st.sampled_from(RULES))
def test_shifted_mix_has_the_target_nps_and_is_a_mix(
    shares: np.ndarray, target: float, rule: str
) -> None:
    out = mix_at_nps(shares, target, rule)  # type: ignore[arg-type]
    assert np.all(out >= -1e-12) and out.sum() == pytest.approx(1.0)
    assert 100 * (out[2] - out[0]) == pytest.approx(target, abs=1e-9)


def test_detractors_first_moves_detractors_before_passives() -> None:
    # NPS 0 -> 20: 20 % of customers leave the detractor band, none become promoters
    out = mix_at_nps([0.3, 0.4, 0.3], 20.0)
    assert out.tolist() == pytest.approx([0.1, 0.6, 0.3])
    # NPS 0 -> 60: all 30 % detractors lifted, then 30 % passives become promoters
    out = mix_at_nps([0.3, 0.4, 0.3], 60.0)
    assert out.tolist() == pytest.approx([0.0, 0.4, 0.6])


def test_value_per_point_closed_form() -> None:
    # one NPS point = 1 % of customers from detractor to passive: 1000 × 0.01 × (v_p − v_d)
    v = np.array([100.0, 250.0, 400.0])
    assert value_per_point([0.3, 0.4, 0.3], v, 1000).item() == pytest.approx(1500.0)
    # with no detractors left, a point moves passives to promoters
    assert value_per_point([0.0, 0.5, 0.5], v, 1000).item() == pytest.approx(1500.0)
    v2 = np.array([100.0, 250.0, 700.0])
    assert value_per_point([0.0, 0.5, 0.5], v2, 1000).item() == pytest.approx(4500.0)


@settings(max_examples=200, deadline=None)
@given(mixes(), st.floats(-100, 100), st.sampled_from(RULES))
def test_money_lost_is_zero_at_or_above_excellence(
    shares: np.ndarray, level: float, rule: str
) -> None:
    nps = 100 * (shares[2] - shares[0])
    v = np.array([100.0, 200.0, 300.0])
    lost = money_lost(shares, min(level, nps), v, 500, rule)  # type: ignore[arg-type]
    assert lost.item() == pytest.approx(0.0, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(mixes(), st.floats(0.5, 30), st.sampled_from(RULES))
def test_money_lost_grows_as_the_mix_worsens(shares: np.ndarray, drop: float, rule: str) -> None:
    nps = 100 * (shares[2] - shares[0])
    worse = mix_at_nps(shares, max(nps - drop, -100.0), rule)  # type: ignore[arg-type]
    v = np.array([100.0, 200.0, 300.0])  # values rise with band
    bar = min(nps + 20, 100.0)
    assert money_lost(worse, bar, v, 1000, rule) >= money_lost(shares, bar, v, 1000, rule) - 1e-6  # type: ignore[arg-type]


def test_vectorised_over_channels_and_replicates() -> None:
    rng = np.random.default_rng(0)
    shares = rng.dirichlet([3, 4, 3], size=(50, 4))
    values = rng.uniform(100, 500, size=(50, 4, 3))
    customers = np.array([1000, 2000, 500, 800])
    lost = money_lost(shares, 40.0, values, customers)
    assert lost.shape == (50, 4)
    for b in (0, 17):
        for c in range(4):
            assert lost[b, c] == pytest.approx(
                money_lost(shares[b, c], 40.0, values[b, c], customers[c]).item()
            )
    total = mix_value(shares, values, customers)
    assert total.shape == (50, 4)


def test_estimated_shift_recovers_a_known_passive_curve() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(-0.4, 0.6, 400)
    true = np.array([-0.2, -0.5, -1.5])
    p = 1 / (1 + np.exp(-(true[0] + true[1] * x + true[2] * x**2)))
    p = np.minimum(p, 1 - np.abs(x))
    shares = np.column_stack([(1 - p - x) / 2, p, (1 - p + x) / 2])
    counts = np.array([rng.multinomial(400, s) for s in shares])
    hist = pd.DataFrame(counts, columns=["detractors", "passives", "promoters"])
    shift = MixShift.estimate(hist)
    assert shift.coefficients is not None and shift.covariance is not None
    se = np.sqrt(np.diag(shift.covariance))
    # the fitted curve is close to truth where the data are (NPS measured with noise
    # attenuates the slope a little; allow 4 standard errors)
    assert np.all(np.abs(shift.coefficients - true) < 4 * se + 0.05)
    out = shift.shares_at([0.3, 0.4, 0.3], 20.0)
    assert 100 * (out[2] - out[0]) == pytest.approx(20.0)


def test_bad_inputs() -> None:
    with pytest.raises(CxDataError, match="sum to 1"):
        mix_at_nps([0.5, 0.5, 0.5], 10)
    with pytest.raises(CxDataError, match="axis of 3"):
        mix_at_nps([0.5, 0.5], 10)
    with pytest.raises(CxDataError, match="rule"):
        MixShift("magic")  # type: ignore[arg-type]
    with pytest.raises(CxModelError, match="at least 5"):
        MixShift.estimate(pd.DataFrame({"detractors": [1], "passives": [1], "promoters": [1]}))
