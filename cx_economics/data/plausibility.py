"""Plausibility checks on scale: every threshold in one place, with its unit.

A number in the wrong unit passes every type and range check — costs in thousands,
revenue in cents, tenure in days — and comes out as a confident wrong figure. The
checks here compare amounts with each other and with the size of the base, and
tenures with the time the data cover. Each threshold below is a module constant
(documented in ``docs/how-to/own-data.md``, section "Plausibility checks"); the
callers (:mod:`cx_economics.data.schemas`, :mod:`cx_economics.value.margins`,
:mod:`cx_economics.economics.channels`) raise :class:`~cx_economics.core.exceptions.CxDataError`
or warn with :class:`~cx_economics.core.exceptions.CxAssumptionWarning` naming the column
and the likely mistake.

Amounts are in the currency of :class:`~cx_economics.data.assumptions.Assumptions`. The
absolute thresholds are stated for currencies whose unit is worth roughly a euro or
a dollar; for currencies with a much smaller unit (yen, won, forint…) they are
multiplied by :data:`CURRENCY_UNITS_PER_EURO`, an order of magnitude that is enough
for checks meant to catch factors of 100 or 1,000.

Examples
--------
>>> low, high = monthly_revenue_range("EUR")
>>> low, high
(0.5, 1000.0)
>>> monthly_revenue_range("JPY")  # the yen's unit is worth about 1/150 of a euro
(75.0, 150000.0)
>>> revenue_scale_hint(4_120.0, "EUR")
'cents (divide by 100), or per year rather than per month (divide by 12)'
>>> revenue_scale_hint(41.2, "EUR") is None
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "COST_SCALE_BOUNDS",
    "CURRENCY_UNITS_PER_EURO",
    "MIN_ANNUAL_CHANNEL_COST",
    "MONTHLY_REVENUE_RANGE",
    "TENURE_MONTHS_MAX",
    "TENURE_MONTHS_PLAUSIBLE",
    "TENURE_WINDOW_TOLERANCE_MONTHS",
    "cost_scale_hint",
    "currency_units_per_euro",
    "fraction_hint",
    "monthly_revenue_range",
    "revenue_scale_hint",
    "tenure_too_long",
]

#: A channel's yearly cost (currency per year) as a fraction of the yearly margin of its
#: customers (currency per year): outside ``(0.1 %, 10×)`` the cost is most likely in
#: the wrong unit (thousands below, cents above).
COST_SCALE_BOUNDS: tuple[float, float] = (1e-3, 10.0)

#: Fewest currency units per year a channel can plausibly cost to run (a few days of one
#: person's work); below it, the cost table is most likely in thousands. Scaled by
#: :data:`CURRENCY_UNITS_PER_EURO`.
MIN_ANNUAL_CHANNEL_COST = 1_000.0

#: Range of the average revenue per customer per month (currency per customer per
#: month) of a consumer base: below it, revenue is most likely in thousands; above it,
#: in cents (or per year). Scaled by :data:`CURRENCY_UNITS_PER_EURO`.
MONTHLY_REVENUE_RANGE: tuple[float, float] = (0.5, 1_000.0)

#: Longest plausible tenure (months, 50 years): longer given tenures are warned about
#: as most likely in days (a tenure in days is about 30× too large).
TENURE_MONTHS_PLAUSIBLE = 600.0

#: Longest tenure accepted at all (months, 100 years, the longest ``horizon_months``):
#: longer ones are an error, not a warning — they would also make the month-by-month
#: tables of :class:`~cx_economics.tables.life.LifeTable` impossibly large.
TENURE_MONTHS_MAX = 1_200.0

#: Slack (months) allowed between a given ``tenure_months`` and the observation
#: window (cut-off minus the earliest ``start_date``) before the tenure is suspected
#: to be in days; covers rounding of months and dates.
TENURE_WINDOW_TOLERANCE_MONTHS = 1.0

#: Units of a currency worth roughly one euro (order of magnitude) for currencies whose
#: unit is worth much less than a euro; any other currency counts as 1.
CURRENCY_UNITS_PER_EURO: Mapping[str, float] = MappingProxyType(
    {
        "ARS": 1_000.0,
        "CLP": 1_000.0,
        "COP": 4_000.0,
        "CZK": 25.0,
        "HUF": 400.0,
        "IDR": 17_000.0,
        "INR": 90.0,
        "ISK": 150.0,
        "JPY": 150.0,
        "KRW": 1_500.0,
        "KZT": 500.0,
        "NGN": 1_500.0,
        "PHP": 60.0,
        "PKR": 300.0,
        "RUB": 100.0,
        "THB": 40.0,
        "TRY": 40.0,
        "UAH": 45.0,
        "VND": 27_000.0,
    }
)


def currency_units_per_euro(currency: str) -> float:
    """Units of ``currency`` worth about one euro (1 for currencies not listed).

    Parameters
    ----------
    currency : str
        ISO 4217 code, any case.

    Returns
    -------
    float
        Multiplier of the absolute thresholds (currency units per euro).

    Examples
    --------
    >>> currency_units_per_euro("eur"), currency_units_per_euro("HUF")
    (1.0, 400.0)
    """
    return float(CURRENCY_UNITS_PER_EURO.get(currency.strip().upper(), 1.0))


def monthly_revenue_range(currency: str) -> tuple[float, float]:
    """:data:`MONTHLY_REVENUE_RANGE` in ``currency`` (currency per customer per month).

    Examples
    --------
    >>> monthly_revenue_range("USD")
    (0.5, 1000.0)
    """
    scale = currency_units_per_euro(currency)
    return MONTHLY_REVENUE_RANGE[0] * scale, MONTHLY_REVENUE_RANGE[1] * scale


def revenue_scale_hint(mean_monthly_revenue: float, currency: str) -> str | None:
    """The likely unit mistake behind an average monthly revenue, or ``None`` if plausible.

    Parameters
    ----------
    mean_monthly_revenue : float
        Average revenue per customer per month (currency per customer per month).
    currency : str
        ISO code of the amounts.

    Returns
    -------
    str or None
        ``"thousands …"`` below :func:`monthly_revenue_range`, ``"cents …"`` above it,
        ``None`` inside it (or for a zero or non-finite average, which other checks
        handle).

    Examples
    --------
    >>> revenue_scale_hint(0.04, "EUR")
    'thousands (multiply by 1,000)'
    """
    if not math.isfinite(mean_monthly_revenue) or mean_monthly_revenue <= 0:
        return None
    low, high = monthly_revenue_range(currency)
    if mean_monthly_revenue < low:
        return "thousands (multiply by 1,000)"
    if mean_monthly_revenue > high:
        return "cents (divide by 100), or per year rather than per month (divide by 12)"
    return None


def cost_scale_hint(annual_cost: float, yearly_margin: float, currency: str) -> str | None:
    """The likely unit mistake behind a channel's yearly cost, or ``None`` if plausible.

    The cost is set against the yearly margin of the channel's customers (its ratio
    must lie in :data:`COST_SCALE_BOUNDS`) and against :data:`MIN_ANNUAL_CHANNEL_COST`,
    which catches costs in thousands on a small base, where the ratio alone cannot.

    Parameters
    ----------
    annual_cost : float
        The channel's cost at today's NPS (currency per year).
    yearly_margin : float
        Margin of all the channel's customers over a year (currency per year).
    currency : str
        ISO code of the amounts.

    Returns
    -------
    str or None
        ``"thousands?"`` or ``"cents?"``; ``None`` when plausible or not checkable
        (a non-finite cost, no margin).

    Examples
    --------
    >>> cost_scale_hint(185.0, 40_000.0, "EUR")  # 185 a year: k€ on a small base
    'thousands?'
    >>> cost_scale_hint(185e3, 40_000.0, "EUR") is None  # 4.6× the margin: plausible
    True
    >>> cost_scale_hint(185e5, 40_000.0, "EUR")
    'cents?'
    """
    if not (math.isfinite(annual_cost) and math.isfinite(yearly_margin) and yearly_margin > 0):
        return None
    ratio = annual_cost / yearly_margin
    floor = MIN_ANNUAL_CHANNEL_COST * currency_units_per_euro(currency)
    if ratio < COST_SCALE_BOUNDS[0] or annual_cost < floor:
        return "thousands?"
    if ratio > COST_SCALE_BOUNDS[1]:
        return "cents?"
    return None


def tenure_too_long(largest: float | None = None) -> str:
    """The problem text of a tenure over :data:`TENURE_MONTHS_MAX`, for every engine's check.

    Parameters
    ----------
    largest : float, optional
        The longest tenure found (months as given), when known.

    Returns
    -------
    str
        ``"must be at most 1200 months (100 years; largest …): days instead of months?
        (divide by 30.44)"``.

    Examples
    --------
    >>> tenure_too_long(1e9)[:47]
    'must be at most 1200 months (100 years; largest'
    >>> tenure_too_long()[:40]
    'must be at most 1200 months (100 years):'
    """
    seen = "" if largest is None else f"; largest {largest:.4g}"
    return (
        f"must be at most {TENURE_MONTHS_MAX:g} months ({TENURE_MONTHS_MAX / 12:g} years{seen}): "
        f"days instead of months? (divide by {365.25 / 12:.2f})"
    )


def fraction_hint(value: float, whole: str = "the whole") -> str:
    """What a fraction written above 1 most likely meant, naming both readings.

    ``30`` is almost surely 30 % (0.3). A small value such as ``1.5`` is ambiguous:
    it may be 1.5 % (0.015) written as a percentage, or a fraction of 150 % — more
    than ``whole``, which the quantity cannot be (so a slip such as 1.5 for 0.15 is
    possible too). The hint names both readings instead of guessing.

    Parameters
    ----------
    value : float
        The number given where a fraction in (0, 1] was expected.
    whole : str, default "the whole"
        What a fraction of 1 stands for, e.g. ``"the revenue itself"`` for a margin.

    Returns
    -------
    str
        A parenthesised hint starting with a space, or ``""`` when ``value`` is not
        above 1.

    Examples
    --------
    >>> fraction_hint(30)
    ' (did you mean 0.3?)'
    >>> hint = fraction_hint(1.5, "the revenue itself")
    >>> hint.startswith(" (did you mean 0.015, i.e. 1.5 %?"), "would be 150 %, more than" in hint
    (True, True)
    >>> fraction_hint(0.3)
    ''
    """
    if not math.isfinite(value) or value <= 1:
        return ""
    if value >= 10:
        return f" (did you mean {value / 100:g}?)"
    return (
        f" (did you mean {value / 100:g}, i.e. {value:g} %? As a fraction, {value:g} would be "
        f"{value * 100:g} %, more than {whole})"
    )
