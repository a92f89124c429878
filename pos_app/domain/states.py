"""Donation states and methods: the vocabulary shared by store, services and UI."""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    CARD = "card"
    CASH = "cash"
    CHECK = "check"


class DonationState(StrEnum):
    CHARGING = "charging"  # row written, charge may or may not have reached the processor
    IN_DOUBT = "in_doubt"  # the charge was sent, its answer was lost: a replay will settle it
    APPROVED = "approved"
    DECLINED = "declined"
    FAILED = "failed"  # certainly not charged (e.g. never reached the processor)
    # Accepted by the processor, not yet confirmed by the bank: re-checked in the
    # background (the PaymentIntent is read, never charged again) until it settles.
    PROCESSING = "processing"
    # The processor's answer was about another amount, currency or gift: never approved,
    # shown to the lead to check with the processor.
    MISMATCH = "mismatch"
    RECORDED = "recorded"  # cash or check
    REFUNDED = "refunded"  # a card gift given back through the processor (services/refunds.py)
    VOIDED = "voided"  # a cash or check gift taken back out of the totals, reason kept
    # A promise made in a paddle raise (services/paddle_raise.py): no money yet, never
    # counted; its charge job (or the checkout) moves it on, an undo voids it.
    PLEDGED = "pledged"

    @property
    def unsettled(self) -> bool:
        return self in (DonationState.CHARGING, DonationState.IN_DOUBT)


class RefundState(StrEnum):
    """A refund follows the charge's crash-safe protocol; a void never leaves the laptop."""

    REFUNDING = "refunding"  # row written with its key; the request may or may not be sent
    IN_DOUBT = "in_doubt"  # not confirmed yet: a replay with the same key will settle it
    REFUNDED = "refunded"
    FAILED = "failed"  # the processor refused it: nothing was refunded
    VOIDED = "voided"  # cash or check: marked void, no processor

    @property
    def unsettled(self) -> bool:
        return self in (RefundState.REFUNDING, RefundState.IN_DOUBT)


# What Stripe lets a refund say about itself; the lead's own words go in its metadata.
REFUND_CATEGORIES = ("requested_by_customer", "duplicate", "fraudulent")


class PledgeState(StrEnum):
    """How a pledge is being collected (the facade's contract, README)."""

    PLEDGED = "pledged"  # recorded; its charge has not started (or it waits for checkout)
    CHARGING = "charging"  # its charge on the card on file started (or is being checked)
    PAID = "paid"
    NEEDS_ATTENTION = "needs_attention"  # declined or needs the donor: ask for another card
    LINK_SENT = "link_sent"  # a pay link went to the donor (checkout)
    EXPIRED = "expired"  # the pay link ran out unpaid
    UNDONE = "undone"  # taken back before its charge started


class CardOnFile(StrEnum):
    """An attendee's card on file (`attendees.card_state`)."""

    NONE = "none"  # no card given
    SAVING = "saving"  # the SetupIntent is under way, or in doubt: settled in the background
    SAVED = "saved"
    FAILED = "failed"  # refused or never reached the processor: ask for another card
