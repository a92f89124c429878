"""The processor protocol and the three kinds of failure every adapter maps to.

- Declined: the card was refused; final, shown to the volunteer with the reason.
- Transient: network down, timeout, 5xx, 429; safe to retry with the same idempotency key.
  `maybe_charged` says whether the request may have reached the processor.
- Permanent: bad request, bad credentials; no automatic retry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from pos_app.domain.cards import Card

from .registry import Capability


class ProcessorError(Exception):
    """Base of adapter failures. `message` is plain words; `detail` is for logs and leads."""

    kind = "error"

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class Declined(ProcessorError):
    kind = "declined"

    def __init__(self, message: str, code: str = "", decline_code: str = "", detail: str = ""):
        super().__init__(message, detail)
        self.code = code
        self.decline_code = decline_code


class Transient(ProcessorError):
    kind = "transient"

    def __init__(
        self,
        message: str,
        detail: str = "",
        *,
        maybe_charged: bool = True,
        retry_after: float | None = None,
        offline: bool = False,
    ) -> None:
        super().__init__(message, detail)
        self.maybe_charged = maybe_charged
        self.retry_after = retry_after
        # True when the processor was not reached at all (no route, refused, timed out):
        # evidence the network is down, as opposed to a busy or failing processor.
        self.offline = offline


class Permanent(ProcessorError):
    kind = "permanent"


@dataclass(frozen=True)
class PaymentMethod:
    """A tokenized card: what survives the card data. Safe to persist."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class ChargeRequest:
    """Everything a charge needs except the card, so a replay sends exactly the same request."""

    amount_cents: int
    currency: str
    payment_method_id: str
    donation_id: str
    idempotency_key: str
    description: str = ""
    # A saved card charged with no card in hand (give again, a pledge): the donor's
    # Customer, and `off_session` so the processor never waits for the donor to authenticate.
    customer_id: str | None = None
    off_session: bool = False
    # The donor agreed to keep the card: the charge is set up for future use (Stripe's
    # setup_future_usage), which a card can't be saved without. Stored with the gift.
    save_card: bool = True


@dataclass(frozen=True)
class ChargeResult:
    """What the processor says it did: approved (`succeeded`) or still with the bank
    (`processing`), and for what — checked against the request before anything is approved
    (`answer_problem`)."""

    payment_intent_id: str
    status: str  # succeeded | processing
    amount_cents: int | None = None
    currency: str | None = None
    donation_ref: str | None = None  # the gift's own id, as the processor keeps it (metadata)

    @property
    def pending(self) -> bool:
        return self.status == "processing"


def answer_problem(request: ChargeRequest, result: ChargeResult) -> str | None:
    """None when the answer is about this very charge; else what doesn't match, in words
    for the lead. A processor that approves 1 EUR when $50.00 was asked, or another gift's
    payment, must never make a gift "approved"."""
    wanted = (request.amount_cents, request.currency.lower(), request.donation_id)
    got = (result.amount_cents, (result.currency or "").lower() or None, result.donation_ref)
    if got == wanted:
        return None
    from pos_app.domain.money import format_cents  # payments stay import-light

    said = (
        format_cents(result.amount_cents, result.currency or "usd")
        if isinstance(result.amount_cents, int) and not isinstance(result.amount_cents, bool)
        else "an unknown amount"
    )
    asked = format_cents(request.amount_cents, request.currency)
    if got[:2] != wanted[:2]:
        return f"the processor answered for {said} when {asked} was asked"
    return f"the processor answered about another gift ({result.donation_ref or 'none named'})"


@dataclass(frozen=True)
class SaveCardRequest:
    """Save an approved gift's card for later gifts: a customer with the card attached.

    `idempotency_key` is derived from the donation, so any retry (after a timeout, a crash,
    a restart) reaches the same customer instead of making a second one. `customer_id` is
    set when an earlier attempt already created the customer.
    """

    donation_id: str
    payment_method_id: str
    idempotency_key: str
    name: str = ""
    email: str = ""
    customer_id: str | None = None
    # what `donation_id` names in the Customer's metadata: a gift, or a checked-in guest
    metadata_key: str = "donation_id"


@dataclass(frozen=True)
class SavedCard:
    customer_id: str
    payment_method_id: str


@dataclass(frozen=True)
class SetupCardRequest:
    """Keep a card on file with no charge (check-in): a SetupIntent for the guest's
    Customer, confirmed with the keyed card's PaymentMethod, usage off_session.

    `idempotency_key` is derived from the attendee; each step adds its own suffix, so a
    retry after a timeout, a crash or a restart reaches the same objects."""

    attendee_id: str
    customer_id: str
    payment_method_id: str
    idempotency_key: str
    setup_intent_id: str | None = None  # set once created: a retry confirms that one


@dataclass(frozen=True)
class SetupResult:
    """What the processor says of a SetupIntent: `succeeded` (the card is on file for the
    customer), or a step the table can't do (`requires_action`: the bank wants the donor to
    authenticate)."""

    setup_intent_id: str
    status: str  # succeeded | requires_action | processing
    payment_method_id: str | None = None
    brand: str | None = None
    last4: str | None = None

    @property
    def saved(self) -> bool:
        return self.status == "succeeded"


class KeepsCardOnFile(Protocol):
    """A processor declaring Capability.CARD_ON_FILE: saves a card with no charge."""

    def create_customer(self, request: SaveCardRequest) -> str: ...

    def create_setup_intent(self, request: SetupCardRequest) -> str:
        """Create (or, replayed, find again) the SetupIntent; return its id."""
        ...

    def confirm_setup_intent(self, request: SetupCardRequest) -> SetupResult:
        """Confirm `request.setup_intent_id` with the PaymentMethod. Raises Declined when
        the bank refuses the card, Transient (maybe sent) or Permanent."""
        ...


@dataclass(frozen=True)
class RefundRequest:
    """Everything a refund needs, persisted before it is sent: a replay sends the same bytes.

    `reason` is the lead's own words (kept in the processor's metadata); `category` is the
    processor's reason code (requested_by_customer | duplicate | fraudulent), worked out
    from `reason` by `refund_category` when empty.
    """

    payment_intent_id: str
    amount_cents: int
    idempotency_key: str
    donation_id: str
    reason: str
    category: str = ""


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    status: str  # succeeded | pending (card refunds are usually succeeded at once)


_DUPLICATE_WORDS = re.compile(r"(?i)\b(duplicate[ds]?|twice|double[ds]?|charged again)\b")


def refund_category(reason: str) -> str:
    """The processor's reason code for a lead's words.

    Only "duplicate" is read from the words. "fraudulent" is never guessed: Stripe feeds it
    to its fraud systems (it can block the card), so a lead must choose it explicitly.
    """
    return "duplicate" if _DUPLICATE_WORDS.search(reason) else "requested_by_customer"


class Processor(Protocol):
    name: str  # its registered spec's name (pos_app/payments/registry.py)
    # What this instance can do, declared (a class attribute, or set in __init__ where the
    # key decides, e.g. Stripe's simulated reader only under a test key).
    capabilities: frozenset[Capability]

    def create_payment_method(self, card: Card, idempotency_key: str) -> PaymentMethod:
        """Tokenize the card. Raises Declined, Transient or Permanent."""
        ...

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Create and confirm the payment. Replaying the same request returns the same result."""
        ...

    def check_charge(self, payment_intent_id: str) -> ChargeResult:
        """Read a payment as it stands now (a `processing` one is re-checked until the bank
        settles it). Raises Declined when it failed, Transient when there is no answer."""
        ...

    def create_customer(self, request: SaveCardRequest) -> str:
        """Create (or, replayed, find again) the donor's customer; return its id."""
        ...

    def save_card(self, request: SaveCardRequest) -> SavedCard:
        """Attach the gift's PaymentMethod to the customer (created if `customer_id` is None).

        Raises Declined when the processor refuses to keep the card, Transient or Permanent.
        """
        ...

    def refund(self, request: RefundRequest) -> RefundResult:
        """Give the payment back. Replaying the same request returns the same refund.

        Raises Transient (maybe sent), Permanent (refused: e.g. already refunded).
        """
        ...

    def close(self) -> None: ...


# Stripe decline codes in the words a volunteer can say to a donor.
DECLINE_MESSAGES = {
    "insufficient_funds": "Insufficient funds.",
    "expired_card": "The card has expired.",
    "incorrect_cvc": "The security code is incorrect.",
    "incorrect_number": "The card number is incorrect.",
    "lost_card": "The card was declined.",
    "stolen_card": "The card was declined.",
    "card_velocity_exceeded": "The card has reached its limit.",
    "processing_error": "The bank had a processing error.",
    "generic_decline": "The card was declined.",
    "do_not_honor": "The card was declined.",
    "authentication_required": "The bank wants the donor to confirm this payment.",
}
DECLINE_ADVICE = {
    "incorrect_cvc": "Check the security code and try again, or ask for another card.",
    "incorrect_number": "Check the number and try again, or ask for another card.",
    "processing_error": "Try again, or ask for another card.",
    "authentication_required": "Take the card again with the donor present.",
}


def decline_message(decline_code: str) -> str:
    reason = DECLINE_MESSAGES.get(decline_code, "The card was declined.")
    advice = DECLINE_ADVICE.get(decline_code, "Ask for another card.")
    return f"{reason} {advice}"
