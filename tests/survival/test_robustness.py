"""E-values (cx_economics.survival.robustness).

Independent checks: VanderWeele & Ding's (2017) published example; the defining
property that the E-value's bounding factor ``E² / (2E − 1)`` (Ding & VanderWeele 2016)
equals the risk ratio; symmetry under inversion; the interval rule on hazard ratios
whose interval does or does not contain 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cx_economics.core.exceptions import CxDataError
from cx_economics.survival.hazards import hazard_ratios
from cx_economics.survival.robustness import e_value, e_values, risk_ratio_from_hazard_ratio
from cx_economics.tables.life import LifeTable


def test_published_example_of_vanderweele_and_ding() -> None:
    # Annals of Internal Medicine 2017: RR 3.9 (1.8 to 8.7) -> E-values 7.2 and 3.0
    point, limit = e_value([3.9, 1.8])
    assert point == pytest.approx(7.26, abs=0.005)
    assert limit == pytest.approx(3.0, abs=1e-12)


def test_the_bounding_factor_of_the_e_value_is_the_risk_ratio() -> None:
    rr = np.array([1.0, 1.05, 1.5, 2.0, 3.9, 10.0])
    e = e_value(rr)
    np.testing.assert_allclose(e**2 / (2.0 * e - 1.0), rr, rtol=1e-12)
    np.testing.assert_allclose(e_value(1.0 / rr), e, rtol=1e-12)  # protective ratios
    assert (e >= 1.0).all() and np.all(np.diff(e) > 0)


def test_hazard_ratio_conversion_keeps_the_side_of_one_and_inverts_symmetrically() -> None:
    hr = np.array([0.3, 0.8, 1.0, 1.25, 2.6, 5.0])
    rr = risk_ratio_from_hazard_ratio(hr)
    np.testing.assert_allclose(risk_ratio_from_hazard_ratio(1.0 / hr), 1.0 / rr, rtol=1e-12)
    assert np.all(np.sign(np.log(rr)) == np.sign(np.log(hr)))
    assert np.all(np.abs(np.log(rr)) <= np.abs(np.log(hr)))  # a common outcome dilutes
    np.testing.assert_array_equal(risk_ratio_from_hazard_ratio(hr, rare=True), hr)
    with pytest.raises(CxDataError, match="`hazard_ratio` must be ratios > 0"):
        risk_ratio_from_hazard_ratio([1.2, 0.0])


def _table(detractors_churned: int, promoters_churned: int) -> LifeTable:
    cells = pd.DataFrame(
        {
            "band": ["detractor", "detractor", "promoter", "promoter"],
            "duration": [1, 2, 1, 2],
            "churned": [True, False, True, False],
            "customers": [detractors_churned, 500, promoters_churned, 500],
        }
    )
    return LifeTable(cells, ("band",), "latest", None, False)


def test_an_interval_containing_one_needs_no_confounding_and_a_clear_one_does() -> None:
    clear = e_values(hazard_ratios(_table(120, 40))).table.iloc[0]
    assert clear["lower"] > 1.0
    rr_lower = risk_ratio_from_hazard_ratio(clear["lower"])
    assert clear["e_value_limit"] == pytest.approx(float(e_value(rr_lower)))
    assert clear["e_value"] > clear["e_value_limit"] > 1.0
    vague = e_values(hazard_ratios(_table(42, 40))).table.iloc[0]
    assert vague["lower"] < 1.0 < vague["upper"]
    assert vague["e_value_limit"] == 1.0
    rare = e_values(hazard_ratios(_table(120, 40)), rare=True).table.iloc[0]
    assert rare["risk_ratio"] == pytest.approx(rare["hazard_ratio"])
    assert rare["e_value"] > clear["e_value"]  # the rare reading is the bolder one
