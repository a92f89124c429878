"""A gift's options beyond amount and donor: cover the fee, a dedication, anonymity,
the receipt's language, goods received, consent to keep the card. Pure rules, no I/O.

The fee is grossed up: the processor takes its percentage of the *total* charged, so
"all of your $50 goes to the cause" needs total = (gift + fixed) / (1 - rate), rounded up
to the cent. A plain `gift * rate + fixed` would leave the cause a few cents short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .cards import contains_card_data
from .donor import email_error

DEDICATION_KINDS = ("honour", "memory")
LANGUAGES = ("en", "es")


@dataclass(frozen=True)
class FeeRule:
    """The processor's fee, e.g. Stripe's nonprofit rate: 2.2 % + 30 cents."""

    percent: float = 2.2
    fixed_cents: int = 30

    def fee_for(self, gift_cents: int) -> int:
        """What to add so that, after the processor's fee on the total, `gift_cents` is left."""
        if gift_cents <= 0:
            return 0
        rate = self.percent / 100.0
        if not 0 <= rate < 0.5:
            raise ValueError("fee percent must be between 0 and 50")
        # integer arithmetic in hundredths of a basis point: no float rounding at the cent
        scale = 10**6
        rate_units = round(rate * scale)
        total = math.ceil((gift_cents + self.fixed_cents) * scale / (scale - rate_units))
        return max(0, total - gift_cents)


@dataclass(frozen=True)
class GiftOptions:
    """What the form (or a script) may say about a gift besides its amount and donor."""

    cover_fee: bool = False
    dedication_kind: str = ""  # "" | honour | memory
    dedication_name: str = ""
    dedication_email: str = ""  # told of the gift, without the amount
    anonymous: bool = False
    receipt_language: str = ""  # "" = English
    goods_description: str = ""
    goods_value_cents: int | None = None  # None: nothing was bought with this gift
    # The donor agreed to keep the card for later gifts (a save-card job; on a reader, a
    # PaymentIntent set up for future use). None: the station's default, off unless the
    # lead turns it on (`Station.save_cards_default`); the form sends what was ticked.
    save_card: bool | None = None


NO_OPTIONS = GiftOptions()


def option_errors(options: GiftOptions) -> dict[str, str]:
    """Per-field messages, like donor_errors()."""
    errors: dict[str, str] = {}
    kind = options.dedication_kind.strip()
    name = options.dedication_name.strip()
    if kind and kind not in DEDICATION_KINDS:
        errors["dedication_kind"] = "Choose “in honour of” or “in memory of”."
    if kind and not name:
        errors["dedication_name"] = "Enter the name the gift is dedicated to."
    elif len(name) > 200:
        errors["dedication_name"] = "The name is too long."
    elif contains_card_data(name):
        errors["dedication_name"] = "That looks like card data, not a name."
    if options.dedication_email.strip():
        if not kind:
            errors["dedication_email"] = "Say whom the gift honours before adding an email."
        else:
            problem = email_error(options.dedication_email)
            if problem:
                errors["dedication_email"] = problem
    lang = options.receipt_language.strip()
    if lang and lang not in LANGUAGES:
        errors["receipt_language"] = f"Receipts are written in {', '.join(LANGUAGES)}."
    if options.goods_value_cents is not None and options.goods_value_cents < 0:
        errors["goods_value"] = "The value of goods received can't be negative."
    if contains_card_data(options.goods_description):
        errors["goods_description"] = "That looks like card data, not a description."
    if options.save_card is not None and not isinstance(options.save_card, bool):
        errors["save_card"] = "Say yes or no to keeping the card."
    return errors


def gift_columns(options: GiftOptions, fee_cents: int) -> dict[str, object]:
    """The donation row's columns for these options (store/models.py, migration 0005_gala)."""
    kind = options.dedication_kind.strip()
    return {
        "fee_cents": fee_cents,
        "dedication_kind": kind or None,
        "dedication_name": options.dedication_name.strip() or None if kind else None,
        "dedication_email": options.dedication_email.strip() or None if kind else None,
        "anonymous": options.anonymous,
        "receipt_language": options.receipt_language.strip() or None,
        "goods_description": options.goods_description.strip() or None,
        "goods_value_cents": options.goods_value_cents,
        "save_card": bool(options.save_card),  # resolved by the service; None is no
    }
