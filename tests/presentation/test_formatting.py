"""Money and number formatting, checked against Babel (the Unicode CLDR data) and by hand.

Babel is an independent implementation of the CLDR number patterns we follow. One known
difference is normalised away: for Finnish, CLDR's minus sign is U+2212 (which we
write), while Babel's formatter prints the pattern's ASCII hyphen-minus.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cx_economics.core.exceptions import CxDataError
from cx_economics.presentation.formatting import (
    LANGUAGES,
    format_count,
    format_money,
    format_money_compact,
    format_money_range,
    format_months,
    format_nps,
    format_number,
    format_percent,
    label,
    label_keys,
)

babel_numbers = pytest.importorskip("babel.numbers")

NBSP = "\u00a0"
MINUS = "\u2212"

# Patterns with zero decimals, from CLDR: en "¤#,##0.00" and fi "#,##0.00 ¤" (NBSP).
_BABEL_MONEY = {"en": "¤#,##0", "fi": f"#,##0{NBSP}¤"}


def _babel_money(amount: float, currency: str, language: str, decimals: int = 0) -> str:
    pattern = _BABEL_MONEY[language]
    if decimals:
        last = pattern.rindex("0") + 1
        pattern = pattern[:last] + "." + "0" * decimals + pattern[last:]
    return str(
        babel_numbers.format_currency(
            amount, currency, locale=language, format=pattern, currency_digits=False
        )
    )


def test_examples_from_the_brief() -> None:
    assert format_money(1_234_000) == "€1,234,000"
    assert format_money(1_234_000, language="fi") == f"1{NBSP}234{NBSP}000{NBSP}€"
    assert format_money_compact(1_234_000) == f"€1.2{NBSP}M"
    assert format_money_compact(1_234_000, language="fi") == f"1,2{NBSP}M€"


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(LANGUAGES))
def test_whole_money_matches_babel(amount: int, language: str) -> None:
    ours = format_money(float(amount), "EUR", language)  # type: ignore[arg-type]
    assert ours.replace(MINUS, "-") == _babel_money(amount, "EUR", language)


@given(st.integers(min_value=-(10**9), max_value=10**9), st.sampled_from(LANGUAGES))
def test_money_with_cents_matches_babel(cents: int, language: str) -> None:
    amount = cents / 100.0  # no ties at the third decimal, so rounding rules cannot differ
    ours = format_money(amount, "USD", language, decimals=2)  # type: ignore[arg-type]
    assert ours.replace(MINUS, "-") == _babel_money(amount, "USD", language, decimals=2)


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.sampled_from(LANGUAGES))
def test_numbers_match_babel(value: float, language: str) -> None:
    assume(round(value, 1) != 0.0)  # Babel writes "-0.0"; we never print a negative zero
    ours = format_number(round(value, 1), language, decimals=1)  # type: ignore[arg-type]
    theirs = babel_numbers.format_decimal(round(value, 1), format="#,##0.0", locale=language)
    assert ours.replace(MINUS, "-") == theirs


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("fraction", [0.0, 0.125, 0.5, 1.0, 0.0449, 2.5])
def test_percent_matches_babel(fraction: float, language: str) -> None:
    pattern = {"en": "#,##0.0%", "fi": f"#,##0.0{NBSP}%"}[language]
    theirs = babel_numbers.format_percent(fraction, format=pattern, locale=language)
    assert format_percent(fraction, language) == theirs  # type: ignore[arg-type]


def test_finnish_uses_the_cldr_minus_sign_and_no_negative_zero() -> None:
    from babel import Locale

    assert Locale("fi").number_symbols["latn"]["minusSign"] == MINUS
    assert format_money(-1500, language="fi") == f"{MINUS}1{NBSP}500{NBSP}€"
    assert format_money(-0.4) == "€0"
    assert format_nps(-0.3) == "0"


def test_unknown_currency_is_written_with_its_code() -> None:
    assert format_money(2500, "SEK") == f"SEK{NBSP}2,500"
    assert format_money(2500, "SEK", "fi") == f"2{NBSP}500{NBSP}SEK"
    assert format_money_compact(2.5e6, "SEK", "fi") == f"2,5{NBSP}M{NBSP}SEK"


@pytest.mark.parametrize(
    ("amount", "english", "finnish"),
    [
        (850.0, "€850", "850 €"),
        (45_600.0, "€46 k", "46 t€"),
        (-45_600.0, "−€46 k", "−46 t€"),
        (9_940_000.0, "€9.9 M", "9,9 M€"),
        (9_960_000.0, "€10 M", "10 M€"),
        (999_960.0, "€1.0 M", "1,0 M€"),  # 999,960 would round to "1,000 k"
        (123_456_789.0, "€123 M", "123 M€"),
        (1.5e9, "€1.5 bn", "1,5 mrd €"),
    ],
)
def test_compact_money_by_hand(amount: float, english: str, finnish: str) -> None:
    assert format_money_compact(amount).replace(NBSP, " ") == english
    assert format_money_compact(amount, language="fi").replace(NBSP, " ") == finnish


@given(st.floats(min_value=1e3, max_value=9.99e11, allow_nan=False))
def test_compact_money_is_within_rounding_of_the_amount(amount: float) -> None:
    text = format_money_compact(amount).replace(NBSP, " ").lstrip("€")
    number, suffix = text.split(" ")
    scale = {"k": 1e3, "M": 1e6, "bn": 1e9}[suffix]
    shown = float(number.replace(",", "")) * scale
    step = scale * (0.1 if "." in number else 1.0)
    assert abs(shown - amount) <= step / 2 + 1e-6 * amount


def test_range_and_counts_and_months() -> None:
    assert format_money_range(900_000, 1_500_000).replace(NBSP, " ") == "€900 k to €1.5 M"
    assert format_money_range(0, 0) == "€0"  # a zero-width range is its one value
    assert format_money_range(9e5, 1.5e6, "EUR", "fi").replace(NBSP, " ") == "900 t€…1,5 M€"
    assert format_count(50_000, "fi") == f"50{NBSP}000"
    assert format_months(1) == "1 month"
    assert format_months(60, "fi") == f"60{NBSP}kk"


def test_nps_always_carries_its_sign() -> None:
    assert format_nps(12.4) == "+12"
    assert format_nps(-3.25, "fi", decimals=1) == f"{MINUS}3,2"
    assert format_nps(0.0) == "0"


def test_bad_language_and_non_finite_amounts_are_refused() -> None:
    with pytest.raises(CxDataError, match="`language`"):
        format_money(1.0, language="sv")  # type: ignore[arg-type]
    with pytest.raises(CxDataError, match="`amount`"):
        format_money(float("nan"))


def test_every_label_exists_in_both_languages_with_the_same_fields() -> None:
    import string

    for key in label_keys():
        english, finnish = label(key, "en"), label(key, "fi")
        assert english and finnish
        fields_en = {f for _, f, _, _ in string.Formatter().parse(english) if f is not None}
        fields_fi = {f for _, f, _, _ in string.Formatter().parse(finnish) if f is not None}
        assert fields_en == fields_fi, key
    with pytest.raises(KeyError, match="no label"):
        label("no-such-key")


def test_every_value_word_results_carry_has_its_finnish() -> None:
    """Decisions, the uncoded reason and the assumptions' units: none left in English."""
    from cx_economics.data.assumptions import Assumptions
    from cx_economics.drivers import fixes
    from cx_economics.presentation.formatting import translate_value
    from cx_economics.tables.contact_counts import UNCODED

    words = [fixes.FUND, fixes.DO_NOT_FUND, fixes.UNCERTAIN, fixes.NOT_RANKED, fixes.SCENARIO]
    for word in [*words, UNCODED]:
        assert translate_value(word, "fi") != word, word
        assert translate_value(word, "en") == word
    frame = Assumptions(currency="SEK", cost_per_contact={"web": 1.0}).to_frame()
    for unit in frame["unit"].astype(str):
        if unit:
            assert translate_value(unit, "fi", currency="SEK") != unit, unit
