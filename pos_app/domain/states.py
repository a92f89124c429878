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
