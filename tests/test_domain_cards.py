"""Card checks made before any network call, and the donor checks made beside them.

Luhn, brand as typed, display grouping, per-field errors, masking in repr, expiry parsing.
(The donor's email check lives here too: it is the other half of the form's local validation.)
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.domain.cards import (
    AMEX,
    DINERS,
    DISCOVER,
    JCB,
    MASTERCARD,
    VISA,
    Card,
    card_errors,
    detect_brand,
    digits_only,
    group_number,
    luhn_ok,
    normalize_year,
    parse_expiry,
)
from pos_app.domain.donor import Donor, donor_errors, email_error

TODAY = dt.date(2025, 6, 15)

KNOWN_GOOD = {
    "4242424242424242": VISA,
    "4000000000000002": VISA,
    "4111111111111111": VISA,
    "4000056655665556": VISA,
    "5555555555554444": MASTERCARD,
    "2223003122003222": MASTERCARD,
    "5200828282828210": MASTERCARD,
    "378282246310005": AMEX,
    "371449635398431": AMEX,
    "6011111111111117": DISCOVER,
    "6011000990139424": DISCOVER,
    "3056930009020004": DINERS,
    "36227206271667": DINERS,
    "3566002020360505": JCB,
}


def luhn_check_digit(payload: str) -> str:
    """The digit that makes payload + digit pass Luhn (independent of the code under test)."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # these are the doubled positions once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card(
    number: str = "4242424242424242",
    month: int = 12,
    year: int = 2030,
    cvc: str = "123",
    postal_code: str | None = None,
) -> Card:
    return Card(number, month, year, cvc, postal_code)


# --- Luhn -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", sorted(KNOWN_GOOD))
def test_luhn_accepts_known_test_numbers(number: str) -> None:
    assert luhn_ok(number)


def test_luhn_ignores_spaces_and_dashes() -> None:
    assert luhn_ok("4242 4242 4242 4242")
    assert luhn_ok("3782-822463-10005")


@pytest.mark.parametrize(
    "number",
    [
        "4242424242424241",
        "4000000000000001",
        "5555555555554445",
        "378282246310006",
        "6011111111111118",
        "",
        "   ",
        "abc",
    ],
)
def test_luhn_rejects(number: str) -> None:
    assert not luhn_ok(number)


def test_luhn_check_digit_helper_agrees_on_known_numbers() -> None:
    for number in KNOWN_GOOD:
        assert luhn_check_digit(number[:-1]) == number[-1]


@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_computed_check_digit_passes_luhn(payload: str) -> None:
    assert luhn_ok(payload + luhn_check_digit(payload))


@given(st.text(alphabet="0123456789", min_size=11, max_size=18), st.data())
def test_luhn_catches_every_single_digit_typo(payload: str, data: st.DataObject) -> None:
    number = payload + luhn_check_digit(payload)
    i = data.draw(st.integers(0, len(number) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[i]]))
    assert not luhn_ok(number[:i] + wrong + number[i + 1 :])


# --- brand as typed -------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "brand"), sorted(KNOWN_GOOD.items()))
def test_brand_of_known_numbers(number: str, brand: object) -> None:
    assert detect_brand(number) is brand


@pytest.mark.parametrize(
    ("typed", "brand"),
    [
        ("", None),
        ("4", VISA),
        ("42", VISA),
        ("4242 42", VISA),
        ("3", None),
        ("34", AMEX),
        ("37", AMEX),
        ("3782 82", AMEX),
        ("35", None),
        ("3527", None),
        ("3528", JCB),
        ("3589", JCB),
        ("3590", None),
        ("36", DINERS),
        ("38", DINERS),
        ("30", None),
        ("300", DINERS),
        ("305", DINERS),
        ("306", None),
        ("5", None),
        ("50", None),
        ("51", MASTERCARD),
        ("55", MASTERCARD),
        ("56", None),
        ("2", None),
        ("222", None),
        ("2220", None),
        ("2221", MASTERCARD),
        ("2720", MASTERCARD),
        ("2721", None),
        ("6", None),
        ("601", None),
        ("6011", DISCOVER),
        ("65", DISCOVER),
        ("643", None),
        ("644", DISCOVER),
        ("649", DISCOVER),
        ("1", None),
        ("9", None),
    ],
)
def test_brand_from_prefix_as_typed(typed: str, brand: object) -> None:
    assert detect_brand(typed) is brand


_BRAND_PREFIXES = [
    "4",
    "34",
    "37",
    "51",
    "55",
    "2221",
    "2720",
    "6011",
    "65",
    "644",
    "649",
    "36",
    "38",
    "39",
    "300",
    "305",
    "3528",
    "3589",
]
_digits = st.text(alphabet="0123456789", max_size=8)
_typed_heads = st.one_of(_digits, st.tuples(st.sampled_from(_BRAND_PREFIXES), _digits).map("".join))


@given(_typed_heads, st.text(alphabet="0123456789", max_size=12))
def test_brand_once_known_never_changes_as_more_digits_are_typed(head: str, tail: str) -> None:
    brand = detect_brand(head)
    if brand is not None:
        assert detect_brand(head + tail) is brand


@pytest.mark.parametrize("number", sorted(KNOWN_GOOD))
def test_brand_is_stable_while_typing_a_real_number(number: str) -> None:
    final = detect_brand(number)
    seen = [detect_brand(number[:i]) for i in range(1, len(number) + 1)]
    assert all(b is None or b is final for b in seen)


def test_brand_rules() -> None:
    assert AMEX.cvc_length == 4 and AMEX.lengths == (15,)
    assert VISA.cvc_length == 3 and 16 in VISA.lengths
    assert MASTERCARD.cvc_length == 3


# --- grouping for display -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("", ""),
        ("4", "4"),
        ("4242", "4242"),
        ("42424", "4242 4"),
        ("4242424242424242", "4242 4242 4242 4242"),
        ("4242-4242-4242-4242", "4242 4242 4242 4242"),
        ("  4242 42424242 4242 ", "4242 4242 4242 4242"),
        ("4242424242424242123", "4242 4242 4242 4242 123"),
        ("4242424242424242123999", "4242 4242 4242 4242 123"),  # capped at 19 digits
        ("378282246310005", "3782 822463 10005"),  # Amex 4-6-5
        ("37828", "3782 8"),
        ("3782822", "3782 822"),
        ("3782822463", "3782 822463"),
        ("37828224631", "3782 822463 1"),
        ("36227206271667", "3622 720627 1667"),  # Diners 4-6-4
        ("5555555555554444", "5555 5555 5555 4444"),
        ("1234567890123", "1234 5678 9012 3"),  # unknown brand: fours
    ],
)
def test_group_number(typed: str, shown: str) -> None:
    assert group_number(typed) == shown


@given(st.text(max_size=40))
def test_group_number_keeps_the_digits_and_is_idempotent(text: str) -> None:
    shown = group_number(text)
    assert digits_only(shown) == digits_only(text)[:19]
    assert group_number(shown) == shown
    assert set(shown) <= set("0123456789 ")


# --- card_errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", sorted(KNOWN_GOOD))
def test_known_numbers_have_no_errors(number: str) -> None:
    cvc = "1234" if KNOWN_GOOD[number] is AMEX else "123"
    assert card_errors(card(number, cvc=cvc), today=TODAY) == {}


def test_spaced_number_is_fine() -> None:
    assert card_errors(card("4242 4242 4242 4242"), today=TODAY) == {}


def test_amex_needs_15_digits() -> None:
    errors = card_errors(card("3782822463100050", cvc="1234"), today=TODAY)
    assert errors["number"] == "American Express numbers have 15 digits; this one has 16."
    assert set(errors) == {"number"}


def test_amex_needs_a_4_digit_cvc() -> None:
    errors = card_errors(card("378282246310005", cvc="123"), today=TODAY)
    assert set(errors) == {"cvc"}
    assert "4 digits" in errors["cvc"] and "front" in errors["cvc"]
    errors = card_errors(card("378282246310005", cvc=""), today=TODAY)
    assert errors["cvc"] == "Enter the 4-digit security code."


def test_visa_needs_a_3_digit_cvc() -> None:
    errors = card_errors(card("4242424242424242", cvc="1234"), today=TODAY)
    assert set(errors) == {"cvc"}
    assert "3 digits" in errors["cvc"] and "back" in errors["cvc"]
    assert card_errors(card(cvc="12"), today=TODAY)["cvc"] == errors["cvc"]
    assert card_errors(card(cvc=""), today=TODAY)["cvc"] == "Enter the 3-digit security code."
    assert "cvc" in card_errors(card(cvc="12a"), today=TODAY)
    assert "cvc" in card_errors(card(cvc=" 123"), today=TODAY)


def test_expiry_in_the_past_is_an_error() -> None:
    errors = card_errors(card(month=5, year=2025), today=TODAY)
    assert errors == {"expiry": "This card has expired. Ask for another card."}
    assert "expiry" in card_errors(card(month=12, year=2024), today=TODAY)
    assert "expiry" in card_errors(card(month=5, year=25), today=TODAY)  # two-digit year


def test_expiry_this_month_is_fine() -> None:
    assert card_errors(card(month=6, year=2025), today=TODAY) == {}
    assert card_errors(card(month=6, year=25), today=TODAY) == {}
    assert card_errors(card(month=6, year=2025), today=dt.date(2025, 6, 30)) == {}
    assert "expiry" in card_errors(card(month=6, year=2025), today=dt.date(2025, 7, 1))


def test_expiry_month_out_of_range_and_far_future() -> None:
    assert card_errors(card(month=0), today=TODAY)["expiry"] == "Enter the expiry as MM/YY."
    assert card_errors(card(month=13), today=TODAY)["expiry"] == "Enter the expiry as MM/YY."
    assert card_errors(card(year=2045), today=TODAY) == {}
    assert card_errors(card(year=2046), today=TODAY)["expiry"] == "Check the expiry year."


@pytest.mark.parametrize(
    "number",
    [
        "424242424242424",
        "42424242424242424",
        "555555555555444",
        "55555555555544444",
        "601111111111111",
    ],
)
def test_wrong_length(number: str) -> None:
    errors = card_errors(card(number), today=TODAY)
    assert set(errors) == {"number"}
    assert f"this one has {len(number)}" in errors["number"]


def test_bad_luhn() -> None:
    errors = card_errors(card("4242424242424241"), today=TODAY)
    assert errors == {"number": "That card number isn't valid. Check it or swipe again."}


def test_empty_and_unaccepted_numbers() -> None:
    assert card_errors(card(""), today=TODAY)["number"] == "Enter the card number."
    assert card_errors(card("   "), today=TODAY)["number"] == "Enter the card number."
    unknown = "1234567812345670"
    assert luhn_ok(unknown)
    assert "isn't accepted" in card_errors(card(unknown), today=TODAY)["number"]
    assert "numbers have" in card_errors(card("12345"), today=TODAY)["number"]


def test_postal_code() -> None:
    assert card_errors(card(postal_code="62701"), today=TODAY) == {}
    assert card_errors(card(postal_code="SW1A 1AA"), today=TODAY) == {}
    assert "postal_code" in card_errors(card(postal_code="12345678901"), today=TODAY)


def test_every_problem_is_reported_at_once() -> None:
    errors = card_errors(Card("4242424242424241", 13, 2030, "1", "x" * 20), today=TODAY)
    assert set(errors) == {"number", "expiry", "cvc", "postal_code"}


def test_today_defaults_to_the_real_date() -> None:
    now = dt.date.today()
    assert card_errors(card(month=now.month, year=now.year)) == {}
    last_month = now.replace(day=1) - dt.timedelta(days=1)
    assert "expiry" in card_errors(card(month=last_month.month, year=last_month.year))


def test_unicode_digits_are_not_card_digits() -> None:
    # str.isdigit() is true for "²" and friends, which int() refuses; typed junk must give a
    # field error, not crash the form.
    for number in ["4" + "²" * 15, "5²", "²" * 16, "４２４２４２４２４２４２４２４２"]:
        errors = card_errors(card(number), today=TODAY)
        assert "number" in errors
    assert "cvc" in card_errors(card(cvc="¹²³"), today=TODAY)
    assert "cvc" in card_errors(card(cvc="١٢٣"), today=TODAY)
    assert detect_brand("5²") is None
    assert not luhn_ok("4" + "²" * 15)


_field_text = st.one_of(st.text(), st.text(alphabet="0123456789 -", max_size=25))


@given(
    number=_field_text,
    month=st.integers(),
    year=st.integers(),
    cvc=_field_text,
    postal=st.none() | st.text(),
    today=st.none() | st.dates(),
)
def test_card_errors_never_raises(
    number: str, month: int, year: int, cvc: str, postal: str | None, today: dt.date | None
) -> None:
    errors = card_errors(Card(number, month, year, cvc, postal), today=today)
    assert isinstance(errors, dict)
    assert set(errors) <= {"number", "expiry", "cvc", "postal_code"}
    assert all(isinstance(v, str) and v for v in errors.values())


@given(
    st.sampled_from(["4", "51", "55", "2221", "6011", "65", "3528"]),
    st.text(alphabet="0123456789", min_size=14, max_size=14),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
)
def test_number_completed_with_its_luhn_digit_passes(prefix: str, body: str, cvc: str) -> None:
    payload = (prefix + body)[:15]
    number = payload + luhn_check_digit(payload)
    assert luhn_ok(number)
    assert card_errors(Card(number, 12, 2030, cvc), today=TODAY) == {}


@given(
    st.text(alphabet="0123456789", min_size=12, max_size=13),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
def test_amex_completed_with_its_luhn_digit_passes(body: str, cvc: str) -> None:
    payload = ("37" + body)[:14]
    number = payload + luhn_check_digit(payload)
    assert card_errors(Card(number, 1, 2031, cvc), today=TODAY) == {}


# --- masking --------------------------------------------------------------------------------


def test_repr_and_str_never_show_number_or_cvc() -> None:
    c = Card("4242424242424242", 12, 2028, "987", "62701", "Jane Doe")
    for shown in (repr(c), str(c), f"{c}", f"{c!r}", repr([c]), repr({"card": c}), repr((c,))):
        assert "4242424242424242" not in shown
        assert "987" not in shown
        assert "•••• 4242" in shown
    assert repr(c) == "Card(•••• 4242, 12/28)"


def test_repr_of_spaced_number_does_not_leak_it() -> None:
    c = Card("3782 822463 10005", 1, 2030, "4321")
    assert "3782 822463 10005" not in repr(c)
    assert "378282246310005" not in repr(c)
    assert "4321" not in repr(c)
    assert c.last4 == "0005" and c.brand is AMEX and c.digits == "378282246310005"


@given(
    st.text(alphabet="0123456789", min_size=13, max_size=19),
    st.integers(1, 12),
    st.integers(2000, 2099),
    st.text(alphabet="0123456789", min_size=3, max_size=4),
)
def test_repr_property(number: str, month: int, year: int, cvc: str) -> None:
    c = Card(number, month, year, cvc)
    shown = repr(c)
    assert number not in shown
    assert number[:-4] not in shown
    assert "cvc" not in shown.lower()
    assert str(c) == shown


# --- parse_expiry ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("12/28", (12, 2028)),
        ("1228", (12, 2028)),
        ("12/2028", (12, 2028)),
        ("122028", (12, 2028)),
        (" 12 / 28 ", (12, 2028)),
        ("01/30", (1, 2030)),
        ("1/30", (1, 2030)),
        ("0130", (1, 2030)),
    ],
)
def test_parse_expiry(typed: str, parsed: tuple[int, int]) -> None:
    assert parse_expiry(typed) == parsed


@pytest.mark.parametrize("typed", ["13/28", "00/28", "1328", "0028", "99/2028"])
def test_parse_expiry_bad_month(typed: str) -> None:
    with pytest.raises(ValueError, match="The month must be 01 to 12."):
        parse_expiry(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12",
        "12/",
        "/28",
        "12/028",
        "12/20288",
        "122",
        "12345",
        "ab/cd",
        "12-28",
        "12/2a",
        "Dec 28",
        "²/28",
        "12/²⁸",
    ],
)
def test_parse_expiry_bad_format(typed: str) -> None:
    with pytest.raises(ValueError, match="Enter the expiry as MM/YY."):
        parse_expiry(typed)


@given(st.text(max_size=12))
def test_parse_expiry_raises_only_plain_value_errors(text: str) -> None:
    try:
        month, year = parse_expiry(text)
    except ValueError as exc:
        assert str(exc) in ("Enter the expiry as MM/YY.", "The month must be 01 to 12.")
    else:
        assert 1 <= month <= 12
        assert year >= 2000


def test_normalize_year() -> None:
    assert normalize_year(28) == 2028
    assert normalize_year(0) == 2000
    assert normalize_year(2028) == 2028


# --- donor ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "jane@example.org",
        "jane.doe+gala@mail.example.co.uk",
        "J_Doe@Example.ORG",
        "  jane@example.org  ",
        "a@b.io",
    ],
)
def test_email_accepts_normal_addresses(email: str) -> None:
    assert email_error(email) is None


@pytest.mark.parametrize(
    "email",
    [
        "bad",
        "a@b",
        "a b@c.org",
        "a@@b.org",
        "@example.org",
        "jane@",
        "jane@example.",
        "jane@example.c",
        "jane..doe@example.org",
        "jane@example..org",
        "jane@exa mple.org",
        "x" * 250 + "@example.org",
    ],
)
def test_email_rejects(email: str) -> None:
    message = email_error(email)
    assert message and "name@example.org" in message


@pytest.mark.parametrize("email", ["", "   "])
def test_no_email_is_fine(email: str) -> None:
    assert email_error(email) is None


def test_donor_errors() -> None:
    assert donor_errors(Donor("Jane Doe", "jane@example.org")) == {}
    assert donor_errors(Donor()) == {}
    assert set(donor_errors(Donor("x" * 201, "bad"))) == {"name", "email"}


@given(st.text())
def test_email_error_never_raises(text: str) -> None:
    result = email_error(text)
    assert result is None or isinstance(result, str)
    if result is None and text.strip():
        assert text.strip().count("@") == 1


def test_the_dash_list_is_every_unicode_dash() -> None:
    """cards.DASHES spells out category Pd so the import never walks the code points; a
    Python with a newer Unicode must not silently miss a dash."""
    import sys
    import unicodedata

    from pos_app.domain import cards

    every = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Pd"}
    assert set(cards.DASHES) == every


_ALPHABET = "0123456789" + "4242" * 3 + " -./_\\\u2013\u200b\u00a0\uff14\u0664abcx%;=^?"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_the_quick_rejection_never_hides_a_card_number(text: str) -> None:
    """card_number_spans first asks a regex whether the text has 13 digits close enough
    together to hold a card number at all; that check may only skip text the full search
    finds nothing in."""
    from pos_app.domain import cards

    assert cards.card_number_spans(text) == cards._spans(text)


def test_the_quick_rejection_keeps_every_spelling() -> None:
    from pos_app.domain import cards

    for typed in ("4242 4242 4242 4242", "4242-4242-4242-4242", "4242.4242.4242.4242",
                  "4242\u200b4242\u200b4242\u200b4242", "４２４２４２４２４２４２４２４２",
                  "4242 \u2013 4242 \u2013 4242 \u2013 4242", "x4242424242424242y",
                  "4242\u00a04242\u00a04242\u00a04242"):  # fmt: skip
        assert cards.card_number_spans(typed), typed
        assert cards._CANDIDATE.search(typed), typed
