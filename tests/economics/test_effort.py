"""Customer effort: contacts per customer-year and repeat share against a plain loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.datasets import simulate
from cx_economics.economics.effort import customer_effort


def test_hand_made_case() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "channel": ["phone", "phone", "web"],
            "tenure_months": [12.0, 6.0, 24.0],
            "churned": [False, True, False],
        }
    )
    contacts = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 3],
            "contact_date": ["2025-01-01", "2025-01-03", "2025-02-01", "2025-01-02", "2025-01-01"],
            "channel": ["phone", "phone", "phone", "phone", "web"],
            "reason": ["billing", "billing; delivery", "billing", None, "login"],
        }
    )
    effort = customer_effort(
        contacts, customers, minutes_per_contact={"phone": 10.0}, value_per_customer_hour=30.0
    )
    frame = effort.to_frame().set_index("channel")
    # phone: 4 contacts over 1.5 customer-years; web: 1 over 2
    assert frame.loc["phone", "contacts_per_customer_year"] == pytest.approx(4 / 1.5)
    assert frame.loc["web", "contacts_per_customer_year"] == pytest.approx(0.5)
    # one phone repeat: customer 1 about billing two days later (the 2025-02-01 one is 29 days on)
    assert frame.loc["phone", "repeat_share"] == pytest.approx(1 / 4)
    assert frame.loc["phone", "customer_minutes_per_year"] == pytest.approx(4 / 1.5 * 10)
    assert frame.loc["phone", "customer_time_cost_per_year"] == pytest.approx(
        4 / 1.5 * 10 / 60 * 30
    )
    assert np.isnan(frame.loc["web", "customer_minutes_per_year"])


def test_repeat_share_equals_a_plain_loop() -> None:
    sim = simulate(3000, seed=4)
    effort = customer_effort(sim.contacts, sim.customers, repeat_window_days=30)
    con = sim.contacts.reset_index(drop=True)
    reasons = [
        tuple(x.strip() for x in r.split(";")) if isinstance(r, str) else ("uncoded",)
        for r in con["reason"]
    ]
    dates = pd.to_datetime(con["contact_date"]).to_numpy()
    last: dict[tuple[object, str], np.datetime64] = {}
    repeat = np.zeros(len(con), dtype=bool)
    for i in np.argsort(dates, kind="stable"):
        for r in reasons[i]:
            key = (con["customer_id"].iat[i], r)
            if r != "uncoded" and key in last and dates[i] - last[key] <= np.timedelta64(30, "D"):
                repeat[i] = True
            last[key] = dates[i]
    expected = pd.Series(repeat).groupby(con["channel"]).mean()
    got = effort.to_frame().set_index("channel")["repeat_share"]
    assert got.to_dict() == pytest.approx(expected.to_dict())


def test_bad_arguments() -> None:
    sim = simulate(500, seed=1)
    with pytest.raises(CxDataError, match="unknown channel"):
        customer_effort(sim.contacts, sim.customers, minutes_per_contact={"fax": 3.0})
    with pytest.raises(CxDataError, match="value_per_customer_hour"):
        customer_effort(sim.contacts, sim.customers, value_per_customer_hour=-1.0)
