"""No entry point changes the user's frames; the same seed gives bit-identical numbers.

Frames are fingerprinted with :func:`pandas.util.hash_pandas_object` (values and index)
plus their column names and dtypes before and after each call. Determinism is checked by
comparing whole ``to_frame()`` outputs with ``check_exact=True``; "different seeds give
different draws" by comparing the interval bounds, which come from bootstrap replicates.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import cx_economics as cx
from cx_economics.core.exceptions import CxAssumptionWarning
from cx_economics.core.results import Result
from cx_economics.data.datasets import SimulatedData, simulate

EXCELLENT = {"branch": 40.0, "chat": 40.0, "phone": 40.0, "web": 40.0}
FAST = cx.Assumptions(
    n_bootstrap=60,
    excellent_nps=EXCELLENT,
    cost_per_contact={"branch": 5.0, "chat": 2.0, "phone": 6.0, "web": 1.0},
)


@pytest.fixture(scope="module")
def data() -> SimulatedData:
    """2,000 simulated customers (seed 21)."""
    return simulate(2_000, seed=21)


def fingerprint(frame: pd.DataFrame) -> tuple[object, ...]:
    """Values, index, column names and dtypes of a frame, as one comparable tuple."""
    hashes = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    return (hashes.tobytes(), tuple(frame.columns), tuple(map(str, frame.dtypes)))


Call = Callable[[SimulatedData], object]

CALLS: dict[str, Call] = {
    "validate_customers": lambda d: cx.validate_customers(d.customers),
    "validate_responses": lambda d: cx.validate_responses(d.responses),
    "validate_contacts": lambda d: cx.validate_contacts(d.contacts),
    "validate_channel_costs": lambda d: cx.validate_channel_costs(d.channel_costs),
    "life_table": lambda d: cx.life_table(d.customers, d.responses, by=("band", "channel")),
    "nps_counts": lambda d: cx.nps_counts(d.responses, by=("channel", "team")),
    "nps": lambda d: cx.nps(d.responses, by="channel", method="bootstrap", seed=1),
    "fit_churn": lambda d: cx.fit_churn(d.customers, d.responses),
    "value_by_band": lambda d: cx.value_by_band(d.customers, d.responses, FAST, seed=1),
    "contact_counts": lambda d: cx.contact_counts(d.contacts, d.customers),
    "channel_economics": lambda d: cx.channel_economics(
        d.customers, d.responses, channel_costs=d.channel_costs, assumptions=FAST, seed=1
    ),
    "contact_driver_analysis": lambda d: cx.contact_driver_analysis(
        d.customers, d.contacts, d.responses, assumptions=FAST, seed=1
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_entry_point_leaves_every_input_frame_unchanged(data: SimulatedData, name: str) -> None:
    frames = {
        "customers": data.customers,
        "responses": data.responses,
        "contacts": data.contacts,
        "channel_costs": data.channel_costs,
    }
    before = {k: fingerprint(v) for k, v in frames.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        CALLS[name](data)
    after = {k: fingerprint(v) for k, v in frames.items()}
    changed = [k for k in frames if before[k] != after[k]]
    assert not changed, f"{name} changed {changed}"


def test_text_columns_are_not_stripped_in_place() -> None:
    raw = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "response_date": ["2025-01-31", "2025-02-01"],
            "channel": [" web ", "chat"],
            "score": ["9 ", " 3"],
        }
    )
    before = fingerprint(raw)
    frame = cx.validate_responses(raw).frame
    assert fingerprint(raw) == before
    assert raw["score"].tolist() == ["9 ", " 3"]
    assert frame["channel"].tolist() == ["web", "chat"]


Seed = int | np.random.Generator
SEEDED: dict[str, Callable[[SimulatedData, Seed], Result]] = {
    "nps bootstrap": lambda d, s: cx.nps(d.responses, by="channel", method="bootstrap", seed=s),
    "value_by_band": lambda d, s: cx.value_by_band(d.customers, d.responses, FAST, seed=s),
    "channel_economics": lambda d, s: cx.channel_economics(
        d.customers, d.responses, channel_costs=d.channel_costs, assumptions=FAST, seed=s
    ),
}


def _frame(result: Result) -> pd.DataFrame:
    return result.to_frame()


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_same_seed_is_bit_identical_and_another_seed_draws_differently(
    data: SimulatedData, name: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        first = _frame(SEEDED[name](data, 7))
        again = _frame(SEEDED[name](data, 7))
        other = _frame(SEEDED[name](data, 8))
        from_generator = _frame(SEEDED[name](data, np.random.default_rng(7)))
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    bounds = [c for c in first.columns if c.endswith(("lower", "upper"))]
    assert bounds, f"{name} has no interval columns"
    numeric_first = first[bounds].to_numpy(dtype=np.float64)
    numeric_other = other[bounds].to_numpy(dtype=np.float64)
    assert not np.array_equal(numeric_first, numeric_other, equal_nan=True)
    # the point estimates do not depend on the seed, only the intervals do
    points = [c for c in ("nps", "value", "money_lost") if c in first.columns]
    pd.testing.assert_frame_equal(first[points], other[points], check_exact=True)
    assert from_generator.shape == first.shape


def test_simulation_is_reproducible_per_seed() -> None:
    a, b, c = simulate(300, seed=3), simulate(300, seed=3), simulate(300, seed=4)
    for table in ("customers", "responses", "contacts", "channel_costs"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True)
    assert not a.customers["tenure_months"].equals(c.customers["tenure_months"])


def test_contact_driver_analysis_is_reproducible(data: SimulatedData) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        one = cx.contact_driver_analysis(
            data.customers, data.contacts, data.responses, assumptions=FAST, seed=5
        )
        two = cx.contact_driver_analysis(
            data.customers, data.contacts, data.responses, assumptions=FAST, seed=5
        )
    pd.testing.assert_frame_equal(one.to_frame(), two.to_frame(), check_exact=True)
