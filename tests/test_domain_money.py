"""Money as integer cents: what a volunteer types, the limits, and how it prints back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.money import AmountError, check_amount, format_cents, parse_amount

# --- parse_amount: what volunteers type ------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("50", 5000),
        ("$50", 5000),
        ("50.5", 5050),
        ("50.50", 5050),
        ("50.05", 5005),
        ("1,250.00", 125000),
        ("$1,250.5", 125050),
        ("1,000,000", 100000000),
        (" 25 ", 2500),
        ("\t25\n", 2500),
        ("$ 25", 2500),
        (".5", 50),
        ("0.99", 99),
        ("5.", 500),
        ("0", 0),  # parses; check_amount is what refuses zero
        ("1250", 125000),
    ],
)
def test_parse_amount_accepts(typed: str, cents: int) -> None:
    assert parse_amount(typed) == cents


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "abc",
        "1.234",
        "-5",
        "1,25",
        "1,2345",
        "12,50.00",
        ",250",
        "$",
        ".",
        "$.",
        "5$",
        "50 dollars",
        "5 0",
        "1.2.3",
        "+5",
        "1e3",
        "0x10",
        "50.5.",
        "€50",
        "1_000",
    ],
)
def test_parse_amount_rejects(typed: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_amount(typed)
    message = str(info.value)
    assert message  # the message is shown to the volunteer as is
    assert "Traceback" not in message and "invalid literal" not in message


def test_parse_amount_messages_are_plain() -> None:
    with pytest.raises(AmountError, match="Enter an amount"):
        parse_amount("  ")
    with pytest.raises(AmountError, match="like 50 or 50.00"):
        parse_amount("abc")


def test_amount_error_is_a_value_error() -> None:
    # Callers that catch ValueError (e.g. generic form validation) still catch it.
    assert issubclass(AmountError, ValueError)


def test_absurdly_long_amount_is_an_amount_error_not_a_crash() -> None:
    # int() refuses strings longer than 4300 digits with a bare ValueError; a stuck key or a
    # paste into the amount field must still produce the volunteer's message.
    with pytest.raises(AmountError):
        parse_amount("9" * 5000)
    with pytest.raises(AmountError):
        parse_amount("1" * 4301 + ".00")


# --- check_amount: bounds -------------------------------------------------------------------


def test_check_amount_bounds() -> None:
    limit = 2_500_000  # $25,000.00
    check_amount(1, limit)
    check_amount(limit, limit)
    with pytest.raises(AmountError, match=r"more than \$0\.00"):
        check_amount(0, limit)
    with pytest.raises(AmountError, match=r"more than \$0\.00"):
        check_amount(-1, limit)
    with pytest.raises(AmountError, match=r"\$25,000\.00 limit") as info:
        check_amount(limit + 1, limit)
    assert "event lead" in str(info.value)


@given(st.integers(), st.integers(min_value=1, max_value=10**12))
def test_check_amount_property(cents: int, limit: int) -> None:
    ok = 0 < cents <= limit
    try:
        check_amount(cents, limit)
    except AmountError:
        assert not ok
    else:
        assert ok


# --- format_cents ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0.00"),
        (1, "$0.01"),
        (99, "$0.99"),
        (5000, "$50.00"),
        (125050, "$1,250.50"),
        (100000000, "$1,000,000.00"),
        (-5050, "-$50.50"),
        (-1, "-$0.01"),
    ],
)
def test_format_cents_usd(cents: int, text: str) -> None:
    assert format_cents(cents) == text
    assert format_cents(cents, "USD") == text


def test_format_cents_other_currency_uses_iso_suffix() -> None:
    assert format_cents(125050, "eur") == "1,250.50 EUR"
    assert format_cents(-99, "cad") == "-0.99 CAD"


# --- properties -----------------------------------------------------------------------------


@given(st.integers(min_value=0))
def test_round_trip_format_then_parse(cents: int) -> None:
    assert parse_amount(format_cents(cents).lstrip("$")) == cents


@given(st.integers(min_value=0))
def test_round_trip_with_dollar_sign(cents: int) -> None:
    assert parse_amount(format_cents(cents)) == cents


@given(st.integers(min_value=0, max_value=10**9))
def test_plain_whole_dollars(dollars: int) -> None:
    assert parse_amount(str(dollars)) == dollars * 100
    assert parse_amount(f"${dollars}.00") == dollars * 100


@given(st.text())
def test_parse_amount_raises_only_amount_error(text: str) -> None:
    try:
        cents = parse_amount(text)
    except AmountError as exc:
        assert type(exc) is AmountError
        assert str(exc)
    else:
        assert isinstance(cents, int)
        assert cents >= 0


@given(st.text(alphabet="0123456789$,. -\t", max_size=30))
def test_parse_amount_on_amount_like_text(text: str) -> None:
    # Mostly digits and punctuation: the region where a sloppy parser would slip.
    try:
        cents = parse_amount(text)
    except AmountError:
        return
    assert cents >= 0
    assert "-" not in text
