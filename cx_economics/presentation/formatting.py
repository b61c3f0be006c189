"""Numbers for finance readers: money, compact money, percentages, NPS points, labels.

Two languages are supported, following the Unicode CLDR conventions of each:

========  =====================  ====================  ===========  ========
language  money                  compact money         percent      NPS
========  =====================  ====================  ===========  ========
``en``    ``€1,234,000``         ``€1.2 M``            ``12.5%``    ``+12``
``fi``    ``1 234 000 €``        ``1,2 M€``            ``12,5 %``   ``+12``
========  =====================  ====================  ===========  ========

Finnish groups thousands with a NO-BREAK SPACE (U+00A0) and puts one before the
currency sign and the percent sign, so a number never wraps across lines; negative
numbers use the MINUS SIGN (U+2212) in Finnish and the ASCII hyphen-minus in English,
as CLDR does. The compact forms use a normal-width NO-BREAK SPACE before the
magnitude (``€1.2 M``). Currencies without a symbol here are written with their ISO
code (``SEK 1,234`` / ``1 234 SEK``).

:func:`label` looks up report wording (titles, axis labels, band names) in both
languages, so the report and the plots share one vocabulary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, TypeAlias

from cx_economics.core.exceptions import CxDataError
from cx_economics.presentation.labels import LABELS as _LABELS

__all__ = [
    "LANGUAGES",
    "Language",
    "check_language",
    "format_count",
    "format_money",
    "format_money_compact",
    "format_money_range",
    "format_months",
    "format_nps",
    "format_number",
    "format_percent",
    "format_range",
    "format_with_interval",
    "label",
    "label_keys",
    "translate_value",
]

Language: TypeAlias = Literal["en", "fi"]

#: Supported report languages.
LANGUAGES: tuple[Language, ...] = ("en", "fi")

NBSP = "\u00a0"
MINUS = "\u2212"
EN_DASH = "\u2013"

_SYMBOLS: Mapping[str, str] = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}

#: (power of ten, English suffix, Finnish suffix) of the compact forms, largest first.
_MAGNITUDES: tuple[tuple[int, str, str], ...] = (
    (9, "bn", "mrd"),
    (6, "M", "M"),
    (3, "k", "t"),
)


def check_language(language: str) -> Language:
    """Return ``language`` if it is supported, else raise :class:`CxDataError`.

    Parameters
    ----------
    language : str
        ``"en"`` (English) or ``"fi"`` (Finnish).

    Returns
    -------
    {"en", "fi"}
        The same code, typed as a :data:`Language`.

    Examples
    --------
    >>> check_language("fi")
    'fi'
    """
    if language not in LANGUAGES:
        raise CxDataError(f"`language` must be one of {list(LANGUAGES)}, got {language!r}")
    return language


def _grouped(value: float, decimals: int, language: Language) -> str:
    """Absolute value with thousands grouping and the language's decimal mark."""
    text = f"{abs(value):,.{decimals}f}"
    if language == "fi":
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def _sign(value: float, decimals: int, language: Language) -> str:
    """The minus sign if ``value`` is still negative once rounded, else nothing."""
    if round(value, decimals) < 0:
        return MINUS  # the typographic minus, in every language
    return ""


def _with_currency(number: str, sign: str, currency: str, language: Language) -> str:
    symbol = _SYMBOLS.get(currency.upper())
    if language == "fi":
        return f"{sign}{number}{NBSP}{symbol or currency}"
    if symbol is None:
        return f"{sign}{currency}{NBSP}{number}"
    return f"{sign}{symbol}{number}"


def _check_finite(value: float, name: str) -> None:
    if not math.isfinite(value):
        raise CxDataError(f"`{name}` must be a finite number to be formatted, got {value!r}")


def format_number(value: float, language: Language = "en", *, decimals: int = 0) -> str:
    r"""Format a plain number with thousands grouping.

    Parameters
    ----------
    value : float
        Any finite number, in whatever unit the caller states next to it.
    language : {"en", "fi"}
        ``"en"``: ``1,234.5``; ``"fi"``: ``1 234,5`` (no-break space, decimal comma).
    decimals : int, default 0
        Digits after the decimal mark.

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(1234.5, decimals=1)
    '1,234.5'
    >>> format_number(-1234.5, "fi", decimals=1)
    '−1\xa0234,5'
    """
    language = check_language(language)
    _check_finite(value, "value")
    return _sign(value, decimals, language) + _grouped(value, decimals, language)


def format_count(count: int | float, language: Language = "en") -> str:
    r"""Format a count of things (customers, rows) as a whole number: ``50,000``.

    Examples
    --------
    >>> format_count(50000, "fi")
    '50\xa0000'
    """
    return format_number(float(count), language, decimals=0)


def format_money(
    amount: float, currency: str = "EUR", language: Language = "en", *, decimals: int = 0
) -> str:
    r"""Format an amount of money in full, the way a finance reader writes it.

    Parameters
    ----------
    amount : float
        Money, in ``currency``.
    currency : str, default "EUR"
        ISO 4217 code; EUR, USD, GBP and JPY print as a symbol, others as the code.
    language : {"en", "fi"}
        ``"en"``: ``€1,234,000``; ``"fi"``: ``1 234 000 €`` (no-break spaces).
    decimals : int, default 0
        Digits after the decimal mark (0 for report totals, 2 for unit prices).

    Returns
    -------
    str

    Examples
    --------
    >>> format_money(1_234_000)
    '€1,234,000'
    >>> format_money(1_234_000, language="fi").replace("\xa0", " ")
    '1 234 000 €'
    >>> format_money(-6.5, "GBP", decimals=2)
    '−£6.50'
    >>> format_money(2500, "SEK")
    'SEK\xa02,500'
    """
    language = check_language(language)
    _check_finite(amount, "amount")
    number = _grouped(amount, decimals, language)
    return _with_currency(number, _sign(amount, decimals, language), currency, language)


def _compact_parts(amount: float) -> tuple[float, int]:
    """Split ``|amount|`` into (mantissa rounded for display, power of ten 0/3/6/9)."""
    size = abs(amount)
    power = next((p for p, _, _ in _MAGNITUDES if size >= 10**p), 0)
    if power == 0:
        return size, 0
    scaled = size / 10**power
    rounded = round(scaled, 1 if scaled < 9.95 else 0)
    if rounded >= 1000 and power < 9:  # 999,960 rounds to "1,000 k": write "1.0 M" instead
        return 1.0, power + 3
    return rounded, power


def format_money_compact(amount: float, currency: str = "EUR", language: Language = "en") -> str:
    r"""Format money in short form for charts and headlines: ``€1.2 M``, ``1,2 M€``.

    Two significant digits below ten of a unit (``€1.2 M``), whole units above
    (``€12 M``, ``€120 M``); amounts under a thousand are written in full.

    Parameters
    ----------
    amount : float
        Money, in ``currency``.
    currency : str, default "EUR"
        ISO 4217 code.
    language : {"en", "fi"}
        English suffixes ``k``, ``M``, ``bn`` before the amount's symbol
        (``€850 k``); Finnish ``t€``, ``M€``, ``mrd €`` after it (``850 t€``).

    Returns
    -------
    str

    Examples
    --------
    >>> format_money_compact(1_234_000).replace("\xa0", " ")
    '€1.2 M'
    >>> format_money_compact(1_234_000, language="fi").replace("\xa0", " ")
    '1,2 M€'
    >>> format_money_compact(-45_600).replace("\xa0", " ")
    '−€46 k'
    >>> format_money_compact(850.0)
    '€850'
    """
    language = check_language(language)
    _check_finite(amount, "amount")
    mantissa, power = _compact_parts(amount)
    if power == 0:
        return format_money(amount, currency, language)
    decimals = 1 if mantissa < 9.95 else 0
    number = _grouped(mantissa, decimals, language)
    sign = _sign(math.copysign(mantissa, amount), decimals, language)
    en_suffix, fi_suffix = next((e, f) for p, e, f in _MAGNITUDES if p == power)
    symbol = _SYMBOLS.get(currency.upper())
    if language == "fi":
        joined = symbol is not None and power < 9  # "M€", "t€" but "mrd €", "M SEK"
        unit = f"{fi_suffix}{symbol}" if joined else f"{fi_suffix}{NBSP}{symbol or currency}"
        return f"{sign}{number}{NBSP}{unit}"
    prefix = symbol if symbol else f"{currency}{NBSP}"
    return f"{sign}{prefix}{number}{NBSP}{en_suffix}"


def format_range(lower: str, upper: str, language: Language = "en") -> str:
    """Join two formatted bounds the one way the report writes ranges.

    English ``+34 to +38``, Finnish ``+34…+38``; a range whose bounds read the same is
    that one value (a zero-width range says nothing more).

    Examples
    --------
    >>> format_range("+34", "+38"), format_range("+34", "+38", "fi"), format_range("€0", "€0")
    ('+34 to +38', '+34…+38', '€0')
    """
    if lower == upper:
        return lower
    return f"{lower}…{upper}" if check_language(language) == "fi" else f"{lower} to {upper}"


def format_with_interval(value: str, lower: str, upper: str, language: Language = "en") -> str:
    """A formatted value with its interval in brackets, or alone when the interval is a point.

    Examples
    --------
    >>> format_with_interval("+36", "+34", "+38"), format_with_interval("+36", "+36", "+36")
    ('+36 (+34 to +38)', '+36')
    """
    if lower == upper == value:
        return value
    return f"{value} ({format_range(lower, upper, language)})"


def format_money_range(
    lower: float, upper: float, currency: str = "EUR", language: Language = "en"
) -> str:
    r"""Format an interval of money compactly: ``€0.9 M to €1.5 M``.

    Parameters
    ----------
    lower, upper : float
        Bounds of the interval, in ``currency``.
    currency : str, default "EUR"
        ISO 4217 code.
    language : {"en", "fi"}
        Language of the numbers.

    Returns
    -------
    str
        Both bounds in :func:`format_money_compact` form, joined by :func:`format_range`.

    Examples
    --------
    >>> format_money_range(900_000, 1_500_000).replace("\xa0", " ")
    '€900 k to €1.5 M'
    """
    low = format_money_compact(lower, currency, language)
    high = format_money_compact(upper, currency, language)
    return format_range(low, high, language)


def format_percent(
    fraction: float, language: Language = "en", *, decimals: int = 1, signed: bool = False
) -> str:
    r"""Format a fraction (0.125) as a percentage (``12.5%`` / ``12,5 %``).

    Parameters
    ----------
    fraction : float
        A share as a fraction: 1.0 is 100 %.
    language : {"en", "fi"}
        Finnish puts a no-break space before ``%``.
    decimals : int, default 1
        Digits after the decimal mark.
    signed : bool, default False
        Write ``+`` before positive values (for changes).

    Returns
    -------
    str

    Examples
    --------
    >>> format_percent(0.125)
    '12.5%'
    >>> format_percent(0.125, "fi").replace("\xa0", " ")
    '12,5 %'
    >>> format_percent(0.25, decimals=0, signed=True)
    '+25%'
    """
    language = check_language(language)
    _check_finite(fraction, "fraction")
    text = format_number(100.0 * fraction, language, decimals=decimals)
    if signed and round(100.0 * fraction, decimals) > 0:
        text = "+" + text
    return text + (f"{NBSP}%" if language == "fi" else "%")


def format_nps(points: float, language: Language = "en", *, decimals: int = 0) -> str:
    """Format an NPS or an NPS change in points (−100..100) with its sign: ``+12``.

    NPS is a difference of two percentages, so its sign matters to the reader: it
    is always written, and zero is written ``0``.

    Parameters
    ----------
    points : float
        NPS points (−100..100), or a change in points.
    language : {"en", "fi"}
        Decimal mark and minus sign of the language.
    decimals : int, default 0
        Digits after the decimal mark.

    Returns
    -------
    str

    Examples
    --------
    >>> format_nps(12.4)
    '+12'
    >>> format_nps(-3.25, "fi", decimals=1)
    '−3,2'
    >>> format_nps(0.2)
    '0'
    """
    language = check_language(language)
    text = format_number(points, language, decimals=decimals)
    return "+" + text if round(points, decimals) > 0 else text


def format_months(months: float, language: Language = "en") -> str:
    r"""Format a duration in months: ``12 months`` / ``12 kk``.

    Examples
    --------
    >>> format_months(60)
    '60 months'
    >>> format_months(1, "fi").replace("\xa0", " ")
    '1 kk'
    """
    language = check_language(language)
    number = format_number(months, language, decimals=0 if float(months).is_integer() else 1)
    if language == "fi":
        return f"{number}{NBSP}kk"
    return f"{number} month" if months == 1 else f"{number} months"


#: Finnish for the words results carry as values (decisions, units, the uncoded reason).
VALUE_WORDS_FI: dict[str, str] = {
    "fund": "rahoita",
    "do not fund": "älä rahoita",
    "uncertain": "epävarma",
    "not ranked": "ei järjestetty",
    "scenario (no cost given)": "skenaario (ei kustannustietoa)",
    "uncoded": "koodaamaton",
    "fraction per year": "osuus vuodessa",
    "fraction of revenue": "osuus liikevaihdosta",
    "fraction": "osuus",
    "months": "kuukautta",
    "replicates": "toistoa",
    "{currency} per customer per month": "{currency} asiakasta kohden kuukaudessa",
    "{currency} per promoter": "{currency} suosittelijaa kohden",
    "{currency} per contact": "{currency} yhteydenottoa kohden",
    "{currency} per year": "{currency} vuodessa",
}


def translate_value(text: str, language: Language = "en", *, currency: str = "EUR") -> str:
    """A result's value word (a decision, a unit) in ``language``; others as they are.

    Examples
    --------
    >>> translate_value("do not fund", "fi"), translate_value("EUR per year", "fi")
    ('älä rahoita', 'EUR vuodessa')
    >>> translate_value("billing error", "fi"), translate_value("uncoded", "en")
    ('billing error', 'uncoded')
    """
    if check_language(language) == "en":
        return text
    key = text.replace(currency, "{currency}", 1) if currency else text
    found = VALUE_WORDS_FI.get(key)
    return text if found is None else found.format(currency=currency)


def label(key: str, language: Language = "en") -> str:
    """Return report wording for ``key`` in ``language``.

    Parameters
    ----------
    key : str
        A label key such as ``"executive_summary"``, ``"promoter"`` or ``"months"``.
    language : {"en", "fi"}
        Language of the text.

    Returns
    -------
    str
        The text; a few contain ``{}`` fields (units, months) for ``str.format``.

    Raises
    ------
    KeyError
        For an unknown key (the message lists the known keys).

    Examples
    --------
    >>> label("promoter", "fi")
    'Suosittelijat'
    >>> label("churn_at_months").format(12)
    'Churned within 12 months (%)'
    """
    language = check_language(language)
    try:
        english, finnish = _LABELS[key]
    except KeyError:
        raise KeyError(f"no label {key!r}; known labels: {sorted(_LABELS)}") from None
    return finnish if language == "fi" else english


def label_keys() -> tuple[str, ...]:
    """Return every known label key, sorted (for tests and translators).

    Examples
    --------
    >>> "promoter" in label_keys()
    True
    """
    return tuple(sorted(_LABELS))
