"""Magstripe swipes as a USB reader types them: tracks 1 and 2 into number, expiry, name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.cards import luhn_ok
from pos_app.domain.track import Swipe, SwipeError, looks_like_swipe, parse_swipe

EXAMPLE = "%B4111111111111111^DOE/JANE^2812101000000000?;4111111111111111=28121010000000000?"
TRACK1 = "%B4111111111111111^DOE/JANE^2812101000000000?"
TRACK2 = ";4111111111111111=28121010000000000?"
SWIPE_AGAIN = "Swipe again or type the card."


def luhn_check_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def test_issue_example_swipe() -> None:
    s = parse_swipe(EXAMPLE)
    assert s.number == "4111111111111111"
    assert (s.exp_month, s.exp_year) == (12, 2028)
    assert s.name == "Jane Doe"


def test_track1_only() -> None:
    s = parse_swipe(TRACK1)
    assert (s.number, s.exp_month, s.exp_year, s.name) == ("4111111111111111", 12, 2028, "Jane Doe")


def test_track2_only() -> None:
    s = parse_swipe(TRACK2)
    assert s.number == "4111111111111111"
    assert (s.exp_month, s.exp_year) == (12, 2028)
    assert s.name is None


def test_reader_noise_around_the_swipe_is_ignored() -> None:
    assert parse_swipe("  " + EXAMPLE + "\r\n").number == "4111111111111111"
    assert parse_swipe("abc" + TRACK2).number == "4111111111111111"


def test_amex_swipe() -> None:
    s = parse_swipe("%B378282246310005^SMITH/JOHN Q^3001101000000000?")
    assert s.number == "378282246310005"
    assert (s.exp_month, s.exp_year) == (1, 2030)
    assert s.name == "John Q Smith"


@pytest.mark.parametrize(
    ("raw_name", "name"),
    [
        ("DOE/JANE", "Jane Doe"),
        ("DOE/JANE M", "Jane M Doe"),
        (" DOE / JANE ", "Jane Doe"),
        ("DOE", "Doe"),
        ("DOE/", "Doe"),
        ("", None),
        ("   ", None),
        ("/", None),
    ],
)
def test_cardholder_name(raw_name: str, name: str | None) -> None:
    s = parse_swipe(f"%B4242424242424242^{raw_name}^2812101?")
    assert s.name == name


def test_swipe_repr_is_masked() -> None:
    s = parse_swipe(EXAMPLE)
    assert "4111111111111111" not in repr(s)
    assert "4111111111111111" not in str(s)
    assert repr(s) == "Swipe(•••• 1111)"
    assert "4111111111111111" not in repr([s])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "%",
        "%B",
        ";",
        "?",
        "%E?",  # the reader's own "read error" sentinel
        ";E?",
        "%B4111111111111111^DOE/JANE^28",  # truncated track 1, no track 2
        "%B4111111111111111^DOE/JANE^2812101000000000",  # no end sentinel
        ";4111111111111111=2812",  # truncated track 2
        ";4111111111111111=28121010000000000",  # no end sentinel
        "%B4111111111111112^DOE/JANE^2812101000000000?",  # bad Luhn, track 1
        ";4111111111111112=28121010000000000?",  # bad Luhn, track 2
        "%B4111111111111112^DOE/JANE^2812101000000000?;4111111111111112=28121010000000000?",
        "%B4111111111111111^DOE/JANE^2813101000000000?",  # month 13
        ";4111111111111111=28001010000000000?",  # month 00
        "%B41111111111^DOE/JANE^2812101?",  # 11 digits: too short
        "%B41111111111111111111^DOE/JANE^2812101?",  # 20 digits: too long
        "%B4111111111111111^" + "X" * 30 + "^2812101?",  # name longer than track 1 allows
        "4111111111111111",  # typed, not swiped
    ],
)
def test_unusable_swipes_say_swipe_again(text: str) -> None:
    with pytest.raises(SwipeError) as info:
        parse_swipe(text)
    assert str(info.value) == SWIPE_AGAIN


def test_swipe_error_message_never_contains_card_data() -> None:
    with pytest.raises(SwipeError) as info:
        parse_swipe("%B4111111111111112^DOE/JANE^2812101000000000?")
    assert "4111" not in str(info.value)
    assert "4111" not in repr(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EXAMPLE, True),
        (TRACK2, True),
        ("  %B4111", True),
        ("%B", True),
        (";4", True),
        (";", False),
        (";a", False),
        ("", False),
        ("   ", False),
        ("4111111111111111", False),
        ("%", False),
        ("%b4111", False),
        ("Jane%B", False),
    ],
)
def test_looks_like_swipe(text: str, expected: bool) -> None:
    assert looks_like_swipe(text) is expected


@given(st.text())
def test_parse_swipe_raises_only_swipe_error(text: str) -> None:
    try:
        s = parse_swipe(text)
    except SwipeError as exc:
        assert str(exc) == SWIPE_AGAIN
    else:
        assert isinstance(s, Swipe)


_swipe_chars = st.text(alphabet="%B;=^?/0123456789 ABCDEFGHIJ٠١٢٣٤٥٦٧٨٩", max_size=80)


@given(_swipe_chars)
def test_parse_swipe_on_track_like_text(text: str) -> None:
    try:
        s = parse_swipe(text)
    except SwipeError:
        return
    # Whatever parses is a usable card: ASCII digits, Luhn-valid, a real month.
    assert s.number.isascii() and s.number.isdigit()
    assert 12 <= len(s.number) <= 19
    assert luhn_ok(s.number)
    assert 1 <= s.exp_month <= 12
    assert 2000 <= s.exp_year <= 2099


@given(
    payload=st.text(alphabet="0123456789", min_size=11, max_size=18),
    month=st.integers(1, 12),
    yy=st.integers(0, 99),
    last=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10),
    first=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10),
    tracks=st.sampled_from(["both", "1", "2"]),
)
def test_generated_swipes_round_trip(
    payload: str, month: int, yy: int, last: str, first: str, tracks: str
) -> None:
    number = payload + luhn_check_digit(payload)
    t1 = f"%B{number}^{last}/{first}^{yy:02d}{month:02d}101000000?"
    t2 = f";{number}={yy:02d}{month:02d}1010000000?"
    text = {"both": t1 + t2, "1": t1, "2": t2}[tracks]
    assert looks_like_swipe(text)
    s = parse_swipe(text)
    assert s.number == number
    assert (s.exp_month, s.exp_year) == (month, 2000 + yy)
    if tracks == "2":
        assert s.name is None
    else:
        assert s.name == f"{first.capitalize()} {last.capitalize()}"


@given(
    payload=st.text(alphabet="0123456789", min_size=15, max_size=15),
    month=st.integers(1, 12),
    bad=st.integers(1, 9),
)
def test_generated_swipe_with_bad_luhn_is_refused(payload: str, month: int, bad: int) -> None:
    check = luhn_check_digit(payload)
    wrong = str((int(check) + bad) % 10)
    with pytest.raises(SwipeError):
        parse_swipe(f";{payload}{wrong}=28{month:02d}1010000000?")
