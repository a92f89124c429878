"""Card data never reaches disk through the other fields: a card number or magstripe track
data typed or swiped into the donor's name or email, or into a check number, is refused with
a plain message and nothing is written. (test_domain_*.py cover the card fields themselves;
these cover the free-text ones.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.api import Card, Donor, InvalidDonation, Station, open_station
from pos_app.domain.cards import contains_card_data, luhn_ok
from pos_app.domain.donor import donor_errors, email_error
from pos_app.payments.simulator import SimulatorProcessor


def with_check_digit(payload: str) -> str:
    for d in "0123456789":
        if luhn_ok(payload + d):
            return payload + d
    raise AssertionError(payload)


# Luhn-valid numbers of every length a card can have, with real brand prefixes.
card_numbers = st.builds(
    lambda prefix, length, body: with_check_digit((prefix + body)[: length - 1]),
    st.sampled_from(["4", "51", "55", "2221", "34", "37", "6011", "65", "36", "3530"]),
    st.integers(13, 19),
    st.text(alphabet="0123456789", min_size=18, max_size=18),
)


def shown(number: str, sep: str, size: int) -> str:
    return sep.join(number[i : i + size] for i in range(0, len(number), size))


def track_data(number: str, name: str) -> str:
    return f"%B{number}^{name}^2812101000000000?;{number}=28121010000000000?"


padding = st.text(alphabet=st.characters(blacklist_categories=["Nd", "Cs"]), max_size=15)


# ---- the rule ----------------------------------------------------------------------------


@given(number=card_numbers, sep=st.sampled_from(["", " ", "-"]),
       size=st.sampled_from([4, 5, 6]), before=padding, after=padding)
def test_a_card_number_anywhere_in_a_text_is_found(
    number: str, sep: str, size: int, before: str, after: str
) -> None:
    assert contains_card_data(before + shown(number, sep, size) + after)


@given(number=card_numbers, before=padding, cut=st.integers(0, 30))
def test_track_data_even_cut_short_is_found(number: str, before: str, cut: int) -> None:
    swipe = track_data(number, "HOPPER/GRACE")
    assert contains_card_data(before + swipe[: len(swipe) - cut])
    track2 = f";{number}=2812101?"
    assert contains_card_data(before + track2)


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"]).filter(lambda c: c not in "%;"),
        max_size=60,
    ).filter(lambda t: sum(c in "0123456789" for c in t) < 13)
)
def test_ordinary_text_is_not_card_data(text: str) -> None:
    assert not contains_card_data(text)


@pytest.mark.parametrize(
    "text",
    ["Grace Hopper", "Table 3, seat 12", "O'Brien-Smith Jr.", "ada+gala2025@example.org",
     "555-123-4567", "check 000123", "12 Main St, Springfield, IL 62701"],
)
def test_everyday_donor_details_pass(text: str) -> None:
    assert not contains_card_data(text)


# ---- the fields --------------------------------------------------------------------------


@given(number=card_numbers, sep=st.sampled_from(["", " ", "-"]), before=padding)
def test_a_card_number_in_the_donor_name_or_email_is_refused(
    number: str, sep: str, before: str
) -> None:
    text = before + shown(number, sep, 4)
    assert "name" in donor_errors(Donor(name=text))
    assert "email" in donor_errors(Donor(email=f"{shown(number, sep, 4)}@example.org"))
    assert email_error(f"{number}@example.org") is not None


@given(number=card_numbers)
def test_a_swipe_into_the_name_field_is_refused(number: str) -> None:
    errors = donor_errors(Donor(name=track_data(number, "HOPPER/GRACE")))
    assert "card" in errors["name"].lower()


@pytest.fixture
def sim_station(data_dir: Path) -> Iterator[Station]:
    with open_station(data_dir=data_dir, processor=SimulatorProcessor(latency_ms=0)) as st_:
        yield st_


SWIPE = track_data("4242424242424242", "HOPPER/GRACE")


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(["name", "email", "check"]),
       what=st.sampled_from([SWIPE, "4242 4242 4242 4242", "5555-5555-5555-4444"]))
def test_nothing_is_written_when_card_data_is_in_another_field(
    sim_station: Station, data_dir: Path, where: str, what: str
) -> None:
    good = Card("4111111111111111", 12, dt.date.today().year + 2, "123")
    before = len(sim_station.donations())
    with pytest.raises(InvalidDonation) as info:
        if where == "check":
            sim_station.record_donation(5000, Donor("Grace", "g@example.org"), "check", what)
        elif where == "name":
            sim_station.take_card_donation(5000, Donor(what, "g@example.org"), good)
        else:
            sim_station.take_card_donation(5000, Donor("Grace", what), good)
    field = {"name": "name", "email": "email", "check": "check_number"}[where]
    assert field in info.value.errors
    assert len(sim_station.donations()) == before
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_correcting_an_email_to_card_data_is_refused(sim_station: Station) -> None:
    out = sim_station.record_donation(2500, Donor("Ada", "ada@example.org"), "cash")
    with pytest.raises(InvalidDonation):
        sim_station.update_donor_email(out.donation_id, "4242424242424242@example.org")
    assert sim_station.donation(out.donation_id).donor_email == "ada@example.org"


