"""Extreme but valid data: finite, flagged results or a clear error, never NaN or inf.

Cases: every answer a promoter; one customer per band; ten-year tenures; margins of a
thousandth of a cent and of a billion a month; a base where nobody has been observed
for a single month. Independent checks: NPS of all promoters is exactly 100; lifetime
value is linear in the margin (so the tiny and huge margins must give the same value
per unit of margin); with no churn in ten years the curve stays at 1 and the value is
the closed-form annuity ``m × Σ_t (1+i)^-t``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cx_economics as cx
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.data.datasets import SimulatedData, simulate


@pytest.fixture(scope="module")
def data() -> SimulatedData:
    """1,500 simulated customers (seed 31)."""
    return simulate(1_500, seed=31)


def _finite(frame: pd.DataFrame, columns: list[str]) -> None:
    values = frame[columns].to_numpy(dtype=np.float64)
    assert np.isfinite(values).all(), frame[columns][~np.isfinite(values).all(axis=1)]


def test_all_promoters_give_nps_100_with_a_finite_interval(data: SimulatedData) -> None:
    promoters = data.responses.assign(score=10)
    est = cx.nps(promoters)
    assert est.nps == 100.0
    assert np.isfinite([est.lower, est.upper]).all()
    assert -100.0 <= est.lower <= est.upper <= 100.0
    by_channel = cx.nps(promoters, by="channel").to_frame()
    _finite(by_channel, ["nps", "lower", "upper"])
    assert (by_channel["nps"] == 100.0).all()


def test_all_promoters_fit_one_band_and_the_economics_table_refuses_to_price(
    data: SimulatedData,
) -> None:
    promoters = data.responses.assign(score=9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        curves = cx.fit_churn(data.customers, promoters, horizon_months=60)
        frame = curves.to_frame()
        assert set(frame[curves.group_columns[0]]) <= {"promoter", "unrated"}
        _finite(frame, ["survival"])
        with pytest.raises(CxDataError, match="detractor"):
            cx.channel_economics(
                data.customers,
                promoters,
                assumptions=cx.Assumptions(
                    n_bootstrap=50, excellent_nps=dict.fromkeys(data.customers["channel"], 50.0)
                ),
            )


def test_one_customer_per_band_is_flagged_or_refused_never_nan() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "channel": "web",
            "tenure_months": [4.0, 10.0, 25.0],
            "churned": [True, False, True],
        }
    )
    responses = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "response_date": ["2025-01-01"] * 3,
            "channel": "web",
            "score": [2, 8, 10],
        }
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            curves = cx.fit_churn(customers, responses, horizon_months=36, as_of="2025-12-31")
        except (CxModelError, CxDataError) as exc:
            assert "group" in str(exc) or "`" in str(exc)
            return
    flags = [w for w in caught if issubclass(w.category, CxAssumptionWarning)]
    assert flags, "three customers in three bands must be flagged as fragile"
    _finite(curves.to_frame(), ["survival"])
    table = cx.kaplan_meier(cx.life_table(customers, responses, as_of="2025-12-31"))
    _finite(table.to_frame(), ["survival"])


def test_ten_year_tenures_without_churn_give_the_closed_form_annuity() -> None:
    n = 300
    rng = np.random.default_rng(4)
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "channel": "web",
            "tenure_months": rng.uniform(100.0, 120.0, n),
            "churned": False,
        }
    )
    responses = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "response_date": "2025-06-30",
            "channel": "web",
            "score": rng.integers(0, 11, n),
        }
    )
    curves = cx.fit_churn(customers, responses, model="km", horizon_months=96, as_of="2025-12-31")
    assert np.allclose(curves.survival, 1.0)
    margin, annual = 25.0, 0.08
    lv = cx.lifetime_value(
        curves, monthly_margin=margin, annual_discount_rate=annual, horizon_months=96
    )
    monthly = (1 + annual) ** (1 / 12) - 1
    expected = margin * np.sum((1 + monthly) ** -np.arange(1, 97))
    assert np.allclose(lv.value, expected, rtol=1e-9)
    _finite(lv.to_frame(), ["value"])


def test_ten_year_tenures_with_churn_are_finite(data: SimulatedData) -> None:
    long = data.customers.drop(columns=["start_date", "end_date"]).assign(
        tenure_months=data.customers["tenure_months"] * 2.5
    )
    assert long["tenure_months"].max() > 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        values = cx.value_by_band(
            long, data.responses, cx.Assumptions(n_bootstrap=50, horizon_months=120), seed=0
        ).to_frame()
    _finite(values, ["value", "lower", "upper"])
    assert (values["lower"] <= values["value"]).all()
    assert (values["value"] <= values["upper"]).all()


@pytest.mark.parametrize("margin", [1e-5, 1e9])
def test_tiny_and_huge_margins_scale_linearly(data: SimulatedData, margin: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        curves = cx.fit_churn(data.customers, data.responses, horizon_months=60)
    unit = np.asarray(cx.lifetime_value(curves, monthly_margin=1.0, horizon_months=60).value)
    scaled = cx.lifetime_value(curves, monthly_margin=margin, horizon_months=60)
    frame = scaled.to_frame()
    _finite(frame, ["value"])
    assert np.allclose(np.asarray(scaled.value) / margin, unit, rtol=1e-9)


def test_economics_table_is_finite_where_it_states_money(data: SimulatedData) -> None:
    assumptions = cx.Assumptions(
        n_bootstrap=50, excellent_nps=dict.fromkeys(data.customers["channel"], 60.0)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        econ = cx.channel_economics(
            data.customers,
            data.responses,
            channel_costs=data.channel_costs,
            assumptions=assumptions,
        )
    frame = econ.to_frame()
    money = [
        "customers",
        "money_lost",
        "money_lost_lower",
        "money_lost_upper",
        "money_lost_yearly_equivalent",
        "cost_today",
        "cost_excellent",
        "cost_of_excellence",
        "net_value",
    ]
    _finite(frame, money)
    # the payback is inf only where the value never repays the cost within the horizon
    never = np.isinf(frame["payback_months"])
    assert (frame.loc[never, "net_value"] <= 0).all()


def test_a_base_observed_for_under_a_month_is_flagged_and_finite(data: SimulatedData) -> None:
    """Tenure 0 everywhere: the only customers at risk in month 1 are those who left in it.

    Kaplan–Meier then honestly says S(1) = 0; the curve beyond is pure extrapolation and
    must say so with a warning, and still hold finite probabilities.
    """
    fresh = data.customers.drop(columns=["start_date", "end_date"]).assign(tenure_months=0.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        curves = cx.fit_churn(fresh, data.responses, as_of="2025-12-31")
    flags = [str(w.message) for w in caught if issubclass(w.category, CxAssumptionWarning)]
    assert any("extrapolation" in f for f in flags), flags
    # the limits (S = 0, exp(-exp(inf)) = 0) are taken on purpose: no numpy noise
    noise = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert noise == []
    s = np.asarray(curves.survival, dtype=np.float64)
    assert np.isfinite(s).all() and ((s >= 0) & (s <= 1)).all()
    assert np.allclose(s[:, 1:], 0.0)
