"""The customer's own cost of a channel: effort in time and repeat contacts (outside-in).

A channel can look cheap to the company because it moves work onto customers: more
contacts per customer, more repeats before an issue is solved, more minutes spent. This
module measures that from the contacts table so it can stand beside the company's
cost in the channel economics table.

Definitions
-----------
contacts per customer per year
    Contacts in the channel over the customers' exposure in it (customer-years of
    tenure of the channel's customers), so short tenures are not penalised.
repeat share
    Share of contacts that follow a contact by the same customer about a shared reason
    within ``repeat_window_days`` days (the first contact did not solve it).
customer minutes per year
    ``contacts per customer per year × minutes_per_contact[channel]`` (minutes
    per customer per year), and its value at ``value_per_customer_hour``
    (currency per customer per year).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.data.schemas import Contacts, Customers, validate_contacts, validate_customers

__all__ = ["CustomerEffort", "customer_effort"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class CustomerEffort(Result):
    """Customer effort per channel; see the module docstring for definitions and units.

    Attributes
    ----------
    channels : tuple of str
    contacts : ndarray (C,)
        Contacts counted in each channel.
    customer_years : ndarray (C,)
        Exposure of the channel's customers (years).
    contacts_per_customer_year : ndarray (C,)
    repeat_share : ndarray (C,)
        Fraction 0–1 of contacts that are repeats.
    minutes_per_customer_year : ndarray (C,)
        NaN where no ``minutes_per_contact`` was given.
    value_per_customer_year : ndarray (C,)
        Customers' time at ``value_per_customer_hour`` (currency per customer per year).
    currency : str

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"customer_id": [1, 2], "channel": ["web", "web"],
    ...                           "tenure_months": [12.0, 12.0], "churned": [0, 0]})
    >>> contacts = pd.DataFrame({"customer_id": [1, 1, 2], "channel": ["web"] * 3,
    ...                          "contact_date": ["2025-01-02", "2025-01-05", "2025-03-01"],
    ...                          "reason": ["billing error"] * 3})
    >>> row = customer_effort(contacts, customers).to_frame().iloc[0]
    >>> float(row["contacts_per_customer_year"]), round(float(row["repeat_share"]), 3)
    (1.5, 0.333)
    """

    channels: tuple[str, ...]
    contacts: FloatArray
    customer_years: FloatArray
    contacts_per_customer_year: FloatArray
    repeat_share: FloatArray
    minutes_per_customer_year: FloatArray
    value_per_customer_year: FloatArray
    currency: str = "EUR"

    _title = "Customer effort per channel"

    def to_frame(self) -> pd.DataFrame:
        """One row per channel with the measures above."""
        return pd.DataFrame(
            {
                "channel": list(self.channels),
                "contacts": self.contacts,
                "customer_years": self.customer_years,
                "contacts_per_customer_year": self.contacts_per_customer_year,
                "repeat_share": self.repeat_share,
                "customer_minutes_per_year": self.minutes_per_customer_year,
                "customer_time_cost_per_year": self.value_per_customer_year,
            }
        )

    def _notes(self) -> list[str]:
        return [
            "per customer of the channel per year; repeats: same customer and reason "
            f"again within the window; time valued in {self.currency}"
        ]


def _repeat_flags(frame: pd.DataFrame, window_days: int) -> npt.NDArray[np.bool_]:
    """Whether each contact repeats an earlier one (same customer, shared reason, in window)."""
    long = frame[["customer_id", "contact_date", "reason"]].explode("reason")
    long = long.reset_index(names="row").sort_values(["customer_id", "reason", "contact_date"])
    gap = long.groupby(["customer_id", "reason"], sort=False)["contact_date"].diff()
    is_repeat = (gap <= pd.Timedelta(days=window_days)) & (long["reason"] != "uncoded")
    rows = long.loc[is_repeat.fillna(False).to_numpy(bool), "row"].unique()
    flags = np.zeros(len(frame), dtype=bool)
    flags[rows] = True  # frame has a 0..n-1 index, so labels are positions
    return flags


def customer_effort(
    contacts: pd.DataFrame | Contacts,
    customers: pd.DataFrame | Customers,
    *,
    minutes_per_contact: Mapping[str, float] | None = None,
    value_per_customer_hour: float = 0.0,
    repeat_window_days: int = 7,
    currency: str = "EUR",
) -> CustomerEffort:
    """Measure the customers' own effort per channel from the contacts table.

    Parameters
    ----------
    contacts : pandas.DataFrame or Contacts
        One row per contact (customer_id, contact_date, channel, reason).
    customers : pandas.DataFrame or Customers
        The base; a customer's exposure (``tenure_months``) counts in their channel.
    minutes_per_contact : mapping channel → minutes, optional
        Customer time one contact takes, including waiting (minutes).
    value_per_customer_hour : float, default 0
        What an hour of a customer's time is worth (currency per hour); 0 reports
        minutes only.
    repeat_window_days : int, default 7
        A contact about the same reason by the same customer within this many days
        of the previous one is a repeat.
    currency : str

    Returns
    -------
    CustomerEffort

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> demo = load_demo()
    >>> effort = customer_effort(demo.contacts, demo.customers,
    ...                          minutes_per_contact={"phone": 12, "branch": 45,
    ...                                               "chat": 9, "web": 6})
    >>> effort.channels
    ('branch', 'chat', 'phone', 'web')
    """
    if value_per_customer_hour < 0 or not np.isfinite(value_per_customer_hour):
        raise CxDataError(
            f"`value_per_customer_hour` must be a finite amount ≥ 0, got {value_per_customer_hour}"
        )
    if repeat_window_days < 0:
        raise CxDataError(f"`repeat_window_days` must be ≥ 0, got {repeat_window_days}")
    con = validate_contacts(contacts).frame.reset_index(drop=True)
    cus = validate_customers(customers).frame
    years = cus.groupby("channel")["tenure_months"].sum() / 12.0
    channels = tuple(sorted(set(years.index) | set(con["channel"])))
    minutes = dict(minutes_per_contact or {})
    unknown = sorted(set(minutes) - set(channels))
    if unknown:
        raise CxDataError(f"`minutes_per_contact` names unknown channel(s) {unknown}")
    per_channel = con["channel"].value_counts().reindex(list(channels), fill_value=0)
    counts = np.asarray(per_channel, dtype=np.float64)
    exposure = years.reindex(list(channels), fill_value=0.0).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_year = np.where(exposure > 0, counts / exposure, np.nan)
    repeats = pd.Series(_repeat_flags(con, repeat_window_days)).groupby(con["channel"]).mean()
    mins = np.array([minutes.get(ch, np.nan) for ch in channels], dtype=np.float64)
    return CustomerEffort(
        channels=channels,
        contacts=counts,
        customer_years=exposure,
        contacts_per_customer_year=per_year,
        repeat_share=repeats.reindex(list(channels), fill_value=0.0).to_numpy(float),
        minutes_per_customer_year=per_year * mins,
        value_per_customer_year=per_year * mins / 60.0 * value_per_customer_hour,
        currency=currency,
    )
