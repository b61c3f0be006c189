"""Numbers in the wrong unit or from the wrong table, through the entry points users call.

Each case breaks a valid table the way a finance export breaks it — costs in
thousands, revenue in cents, tenure in days, a channel missing from the cost table,
contacts from ids that are not customers, ids read as text — and checks that the
result is a :class:`CxDataError` or a :class:`CxAssumptionWarning` whose message names
the column (or key) and the likely cause, instead of a confident wrong number. The
thresholds live in :mod:`cx_economics.data.plausibility`; the last test checks that the demo
and simulated data raise none of these alarms.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cx_economics as cx
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.datasets import SimulatedData
from cx_economics.data.plausibility import (
    MIN_ANNUAL_CHANNEL_COST,
    TENURE_MONTHS_MAX,
    cost_scale_hint,
    fraction_hint,
    revenue_scale_hint,
)
from cx_economics.economics.channels import economics_from_arrays
from cx_economics.tables.contact_counts import contact_counts

CHANNELS = ("branch", "chat", "phone", "web")
FAST = cx.Assumptions(
    n_bootstrap=50,
    excellent_nps=dict.fromkeys(CHANNELS, 40.0),
    cost_per_contact={"branch": 5.0, "chat": 2.0, "phone": 6.0, "web": 1.0},
)
DAYS_PER_MONTH = 365.25 / 12

# the messages of the new checks, to find them among other warnings
SCALE_ALARMS = ("check their unit", "per customer per month, outside", "days instead of months")
STRANGER_ALARM = "not in `customers`"


def _economics(
    data: SimulatedData,
    *,
    customers: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
    assumptions: cx.Assumptions = FAST,
) -> tuple[cx.economics.ChannelEconomics, list[str]]:
    """Channel economics on ``data`` with replaced tables, and every warning's message."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        econ = cx.channel_economics(
            data.customers if customers is None else customers,
            data.responses,
            channel_costs=data.channel_costs if costs is None else costs,
            assumptions=assumptions,
        )
    return econ, [str(w.message) for w in caught if issubclass(w.category, CxAssumptionWarning)]


def _six_customers(**override: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "customer_id": [1, 2, 3, 4, 5, 6],
        "channel": ["web", "phone", "chat", "web", "phone", "chat"],
        "tenure_months": [3.0, 12.0, 7.5, 24.0, 1.0, 30.0],
        "churned": [0, 1, 0, 1, 0, 1],
        "monthly_revenue": [20.0, 35.0, 50.0, 10.0, 15.0, 40.0],
    }
    base.update(override)
    return pd.DataFrame(base)


# ------------------------------------------------------------------ item 4: costs, revenue


def test_costs_in_thousands_on_a_small_base_are_flagged_per_channel(small: SimulatedData) -> None:
    # k€ on 1,500 customers: each channel then "costs" 40–190 a year, which is above
    # 0.1 % of its customers' margin, so only the absolute floor can catch it
    in_thousands = small.channel_costs.assign(annual_cost=small.channel_costs["annual_cost"] / 1e3)
    econ, messages = _economics(small, costs=in_thousands)
    alarms = [m for m in messages if "check their unit" in m]
    assert len(alarms) == 1, messages
    assert "4 channel cost(s)" in alarms[0] and "thousands?" in alarms[0]
    flagged = {o.split(":")[0] for o in econ.implausible_costs()}
    assert flagged == set(CHANNELS)
    assert all(float(c) < MIN_ANNUAL_CHANNEL_COST for c in econ.cost_at(econ.nps_today))


def test_revenue_in_cents_is_flagged_naming_the_column(small: SimulatedData) -> None:
    cents = small.customers.assign(monthly_revenue=small.customers["monthly_revenue"] * 100)
    _, messages = _economics(small, customers=cents)
    alarms = [m for m in messages if "`monthly_revenue`" in m]
    assert alarms, messages
    assert "cents" in alarms[0] and "per customer per month" in alarms[0]
    average = f"{cents['monthly_revenue'].mean():,.0f}"
    assert average in alarms[0]  # the average is the one the user can check


def test_revenue_in_thousands_is_flagged_naming_the_column(small: SimulatedData) -> None:
    thousands = small.customers.assign(monthly_revenue=small.customers["monthly_revenue"] / 1e3)
    _, messages = _economics(small, customers=thousands)
    alarms = [m for m in messages if "`monthly_revenue`" in m]
    assert alarms and "thousands" in alarms[0], messages


def test_all_zero_revenue_is_an_error_naming_the_column_and_rows() -> None:
    zero = _six_customers(monthly_revenue=[0.0] * 6)
    for call in (
        lambda: cx.validate_customers(zero),
        lambda: cx.value_by_band(zero, n_bootstrap=50, seed=0),
    ):
        with pytest.raises(CxDataError) as info:
            call()
        message = str(info.value)
        for needle in ("`customers`", "`monthly_revenue`", "0 for every customer", "6 rows"):
            assert needle in message, message


def test_revenue_scale_follows_the_currency_unit() -> None:
    # 6,000 a month is cents in euros but an ordinary bill in yen or forint
    assert revenue_scale_hint(6_000.0, "EUR") is not None
    assert revenue_scale_hint(6_000.0, "JPY") is None
    assert revenue_scale_hint(6_000.0, "huf") is None
    assert cost_scale_hint(5e6, 1e8, "JPY") is None  # ¥5 M a year can run a channel…
    assert cost_scale_hint(5e4, 1e6, "JPY") == "thousands?"  # …¥50,000 a year cannot


# ------------------------------------------------------------------ item 6: missing cost channel


def test_cost_table_missing_a_channel_is_an_error_naming_it(small: SimulatedData) -> None:
    no_web = small.channel_costs[small.channel_costs["channel"] != "web"]
    with pytest.raises(CxDataError) as info:
        _economics(small, costs=no_web)
    message = str(info.value)
    for needle in ("`channel_costs`", "`channel`", "['web']", "no cost", "money lost"):
        assert needle in message, message


def test_cost_models_missing_a_channel_are_an_error_naming_it() -> None:
    class Flat:
        def cost_at(self, nps: object) -> float:
            return 1e5

    flows = np.tile([[4.0], [8.0], [9.0]], (2, 1, 60))
    with pytest.raises(CxDataError) as info:
        economics_from_arrays(
            ("chat", "web"),
            [10_000, 10_000],
            [[400, 300, 300], [300, 300, 400]],
            flows,
            excellent_nps=[40.0, 40.0],
            monthly_discount_rate=0.0,
            n_bootstrap=50,
            cost_models={"chat": Flat()},
        )
    message = str(info.value)
    assert "`cost_models`" in message and "['web']" in message, message


_FLOWS = np.tile([[4.0], [8.0], [9.0]], (2, 1, 12))
_ARRAYS: dict[str, object] = {
    "customers": [1000, 800],
    "band_counts": [[40, 30, 30], [30, 30, 40]],
    "band_flows": _FLOWS,
    "excellent_nps": [40.0, 40.0],
}


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"customers": [np.nan, 800]}, "`customers` must be whole numbers"),
        ({"customers": [np.inf, 800]}, "`customers` must be whole numbers"),
        ({"band_counts": [[40, 30, np.inf], [30, 30, 40]]}, "`band_counts` must be whole"),
        ({"unrated_counts": [[900], [700], [1]]}, "`unrated_counts` must be (channels, classes)"),
        ({"unrated_counts": [[900.5], [700]]}, "`unrated_counts` must be whole"),
        ({"unrated_counts": [[5], [700]]}, "must equal the rated plus the unrated"),
        ({"band_flows": _FLOWS[:1]}, "`band_flows` must be (channels, 3, months)"),
        ({"band_flows": np.where(_FLOWS > 8, np.nan, _FLOWS)}, "`band_flows` must be finite"),
        ({"band_flow_replicates": np.ones((5, 2, 3, 6))}, "`band_flow_replicates` must be"),
        ({"excellent_nps": [40.0]}, "`excellent_nps` must hold one number per channel"),
        ({"survey_responses": [10.0]}, "`survey_responses` must hold one number per channel"),
    ],
)
def test_channel_arrays_that_do_not_fit_are_errors_naming_them(
    change: dict[str, object], needle: str
) -> None:
    arrays = {**_ARRAYS, **change}
    with pytest.raises(CxDataError) as info:
        economics_from_arrays(
            ("chat", "web"),
            arrays.pop("customers"),  # type: ignore[arg-type]
            arrays.pop("band_counts"),  # type: ignore[arg-type]
            arrays.pop("band_flows"),  # type: ignore[arg-type]
            monthly_discount_rate=0.0,
            n_bootstrap=50,
            **arrays,  # type: ignore[arg-type]
        )
    assert needle in str(info.value), str(info.value)


def test_a_band_curve_that_ends_before_the_channels_tenures_warns() -> None:
    """Kaplan–Meier of web detractors reaches 0 at month 3 while promoters stay 10 months."""
    from cx_economics.data.assumptions import Assumptions
    from cx_economics.tables.life import LifeTable
    from cx_economics.value.flows import band_flows

    cells = pd.DataFrame({
        "band": ["detractor", "detractor", "passive", "passive", "promoter", "promoter",
                 "unrated"],
        "channel": "web", "duration": [2, 3, 4, 10, 5, 10, 6],
        "churned": [True, True, True, False, True, False, False],
        "customers": [5, 5, 3, 20, 2, 30, 10], "revenue_sum": 0.0, "revenue_sq_sum": 0.0,
    })  # fmt: skip
    table = LifeTable(cells, ("band", "channel"), "state", None, False)
    a = Assumptions(n_bootstrap=50, horizon_months=6, monthly_revenue=30.0)
    with pytest.warns(CxAssumptionWarning, match=r"detractor/web reaches 0 .* for 60 of them"):
        band_flows(table, a, model="km", n_bootstrap=50)


# ------------------------------------------------------------------ item 7: tenure in days


def test_tenure_in_days_warns_naming_the_column_and_days() -> None:
    days = _six_customers(tenure_months=[91.0, 365.0, 228.0, 730.0, 30.0, 913.0])
    with pytest.warns(CxAssumptionWarning) as caught:
        cx.life_table(days)
    alarms = [str(w.message) for w in caught if "`tenure_months`" in str(w.message)]
    assert alarms, [str(w.message) for w in caught]
    for needle in ("`customers`", "50 years", "2 rows", "rows 3, 5", "days instead of months"):
        assert needle in alarms[0], alarms[0]


def test_tenure_longer_than_the_observation_window_warns(small: SimulatedData) -> None:
    # tenures in days of customers who joined in the last year: all under 600 "months",
    # but longer than the time since the earliest start
    recent = small.customers[small.customers["start_date"] > small.as_of - pd.DateOffset(years=1)]
    days = recent.assign(tenure_months=recent["tenure_months"] * DAYS_PER_MONTH)
    assert days["tenure_months"].max() < 600
    with pytest.warns(CxAssumptionWarning, match=r"`tenure_months` is longer than the obser"):
        cx.validate_customers(days, as_of=small.as_of)
    long = int((days["tenure_months"] > 13.0).sum())
    assert long > 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cx.validate_customers(recent, as_of=small.as_of)  # months: no alarm
    assert not [w for w in caught if "days instead" in str(w.message)]


def test_absurd_tenure_is_an_error_at_validation_not_a_memory_error() -> None:
    absurd = _six_customers(tenure_months=[3.0, 12.0, 1e9, 24.0, 1.0, 30.0])
    with pytest.raises(CxDataError) as info:
        cx.life_table(absurd)
    message = str(info.value)
    for needle in ("`customers`", "`tenure_months`", f"{TENURE_MONTHS_MAX:g} months", "days"):
        assert needle in message, message
    assert "1 row" in message and "row 2" in message


def test_absurd_tenure_in_another_engine_is_an_error_too() -> None:
    pl = pytest.importorskip("polars")
    absurd = _six_customers(tenure_months=[3.0, 12.0, 1e9, 24.0, 1.0, 30.0])
    with pytest.raises(CxDataError) as info:
        cx.life_table(pl.from_pandas(absurd))
    message = str(info.value)
    assert "`tenure_months`" in message and "days" in message and "customer_id 3" in message
    # contact counts place each customer's months on the calendar: 1e9 months would not fit
    dated = absurd.assign(start_date=pd.Timestamp("2024-01-01"), churned=absurd["churned"] == 1)
    contacts = pl.DataFrame(
        {
            "customer_id": [1],
            "contact_date": [pd.Timestamp("2024-02-01")],
            "channel": ["web"],
            "reason": ["billing"],
        }
    )
    with pytest.raises(CxDataError) as info:
        contact_counts(contacts, pl.from_pandas(dated))
    message = str(info.value)
    assert "`tenure_months`" in message and "days" in message and "1 row" in message


# ------------------------------------------------------------------ item 8: contacts


def _with_strangers(data: SimulatedData) -> tuple[pd.DataFrame, int, int]:
    """The contacts once more under ids that are not customers: rows and ids added."""
    strangers = data.contacts.assign(customer_id=data.contacts["customer_id"] + 10**7)
    doubled = pd.concat([data.contacts, strangers], ignore_index=True)
    return doubled, len(strangers), int(strangers["customer_id"].nunique())


def test_contacts_from_non_customers_do_not_inflate_rates(small: SimulatedData) -> None:
    doubled, rows, ids = _with_strangers(small)
    with pytest.warns(CxAssumptionWarning, match=STRANGER_ALARM) as caught:
        counts = contact_counts(doubled, small.customers)
    alarms = [str(w.message) for w in caught if STRANGER_ALARM in str(w.message)]
    assert len(alarms) == 1
    assert f"{rows:,} contacts from {ids:,} `customer_id`s" in alarms[0], alarms[0]
    assert "`contacts`" in alarms[0]
    clean = cx.drivers.contact_rates(contact_counts(small.contacts, small.customers)).table
    dirty = cx.drivers.contact_rates(counts).table
    pd.testing.assert_frame_equal(clean, dirty)
    assert counts.n_unknown_contacts == rows


def test_driver_analysis_drops_non_customers_everywhere_with_one_warning(
    small: SimulatedData,
) -> None:
    doubled, rows, ids = _with_strangers(small)

    def analyse(contacts: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            report = cx.contact_driver_analysis(
                small.customers, contacts, small.responses, assumptions=FAST,
                lifetime_value=300.0, seed=3,
            )  # fmt: skip
        return report.to_frame(), [str(w.message) for w in caught]

    clean, _ = analyse(small.contacts)
    dirty, messages = analyse(doubled)
    alarms = [m for m in messages if STRANGER_ALARM in m or "left out of the churn" in m]
    assert len(alarms) == 1, alarms
    assert f"{rows:,} contacts from {ids:,} `customer_id`s" in alarms[0], alarms[0]
    # money per reason (and every other column) no longer counts the strangers
    pd.testing.assert_frame_equal(clean, dirty)


@pytest.mark.parametrize("table", ["contacts", "responses"])
def test_text_ids_against_numeric_customer_ids_name_both_types(
    small: SimulatedData, table: str
) -> None:
    contacts, responses = small.contacts, small.responses
    if table == "contacts":
        contacts = contacts.assign(customer_id=contacts["customer_id"].astype(str))
    else:
        responses = responses.assign(customer_id=responses["customer_id"].astype(str))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        with pytest.raises(CxDataError) as info:
            cx.contact_driver_analysis(
                small.customers, contacts, responses, assumptions=FAST, lifetime_value=300.0
            )
    message = str(info.value)
    for needle in ("`customer_id`", "`customers`", f"`{table}`", "Int64", "String"):
        assert needle in message, message


# ------------------------------------------------------------------ margin rate hint


def test_a_small_margin_rate_above_one_names_both_readings() -> None:
    hint = fraction_hint(1.5, "the revenue itself")
    assert "0.015" in hint and "1.5 %" in hint  # a percentage written as a number
    assert "150 %" in hint and "more than the revenue itself" in hint  # read as a fraction
    assert fraction_hint(30.0) == " (did you mean 0.3?)"  # unambiguous: a percentage


# ------------------------------------------------------------------ no false alarms


def test_demo_and_simulated_data_raise_none_of_these_alarms(small: SimulatedData) -> None:
    demo = cx.load_demo()
    for data in (demo, small):
        _, messages = _economics(data)  # type: ignore[arg-type]
        assert not [m for m in messages if any(a in m for a in SCALE_ALARMS)], messages
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            contact_counts(data.contacts, data.customers)
            cx.validate_customers(data.customers, as_of=data.as_of)
        alarms = [str(w.message) for w in caught]
        assert not [m for m in alarms if STRANGER_ALARM in m or "days instead" in m], alarms
