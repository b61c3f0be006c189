from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cx_economics.core.bands import BAND_ORDER, DEFAULT_SCHEME, BandScheme, NpsBand
from cx_economics.core.exceptions import CxDataError


def test_default_cut_offs_follow_reichheld() -> None:
    expected = ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    assert [DEFAULT_SCHEME.band_of(s).value for s in range(11)] == expected
    assert DEFAULT_SCHEME.bands(np.arange(11)).tolist() == expected
    assert [b.value for b in BAND_ORDER] == ["detractor", "passive", "promoter"]


def test_custom_schemes() -> None:
    loose = BandScheme(passive_from=6)
    assert loose.band_of(6) is NpsBand.PASSIVE
    csat = BandScheme(min_score=1, max_score=5, passive_from=4, promoter_from=5)
    assert csat.bands([1, 3, 4, 5]).tolist() == ["detractor", "detractor", "passive", "promoter"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"passive_from": 9, "promoter_from": 9},
        {"passive_from": 0},
        {"promoter_from": 11},
        {"min_score": 5, "max_score": 4},
        {"passive_from": 7.5},
    ],
)
def test_invalid_schemes_are_rejected(kwargs: dict[str, int]) -> None:
    with pytest.raises(CxDataError, match="BandScheme"):
        BandScheme(**kwargs)


def test_score_off_scale() -> None:
    with pytest.raises(CxDataError, match="outside the scale"):
        DEFAULT_SCHEME.band_of(11)


@given(st.integers(0, 10), st.integers(0, 10))
def test_bands_are_monotone_in_score(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    codes = DEFAULT_SCHEME.band_codes([lo, hi])
    assert codes[0] <= codes[1]
