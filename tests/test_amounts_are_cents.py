"""Amounts are integer cents and nothing else, whichever way a gift is taken through the
facade: `True` is an `int` in Python (and `True + fee` is 1 cent), "50" is text, 50.0 a float.
Nothing is charged, recorded or written for any of them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_app.api import Card, Donor, GiftOptions, InvalidDonation, Station

CARD = Card("4242424242424242", 12, 2031, "123")
NOT_CENTS = [True, False, "5000", 5000.0, Decimal("5000"), None, float("nan")]
DONOR = Donor("Ada", "ada@example.org")


@pytest.mark.parametrize("amount", NOT_CENTS, ids=repr)
@pytest.mark.parametrize("cover_fee", [False, True], ids=["gift", "gift+fee"])
@pytest.mark.parametrize("how", ["card", "cash", "check", "reader"])
def test_only_integer_cents_are_taken(
    station: Station, amount: object, cover_fee: bool, how: str
) -> None:
    options = GiftOptions(cover_fee=cover_fee)
    with pytest.raises(InvalidDonation) as refused:
        if how == "card":
            station.take_card_donation(amount, DONOR, CARD, options)  # type: ignore[arg-type]
        elif how == "reader":
            station.take_reader_donation(amount, DONOR)  # type: ignore[arg-type]
        else:
            station.record_donation(amount, DONOR, how, "1001", options)  # type: ignore[arg-type]
    assert "whole number of cents" in refused.value.errors["amount"]
    assert station.donations() == []
    assert station.jobs() == []
