"""What a card reader gift is made of, shared by the reader adapters and the service.

A reader processor (Stripe Terminal's server-driven readers, or the simulator's reader in
training mode) offers small steps, each one HTTP call or less; services/reader.py strings
them together crash-safely and owns the waiting. Nothing here carries card data: the card
stays inside the reader, only brand, last four, entry mode and the EMV receipt fields
come back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .base import Permanent


class ReaderUnavailable(Permanent):
    """The reader refused to start (offline, busy with another action): nothing charged.

    `code` is Stripe's (terminal_reader_offline | terminal_reader_busy | ...)."""

    def __init__(self, message: str, code: str, detail: str = "") -> None:
        super().__init__(message, detail)
        self.code = code


OFFLINE_MESSAGE = (
    "The reader is off or asleep: press its power button and wait for its home screen, "
    "then try again."
)
BUSY_MESSAGE = (
    "The reader is busy with another payment. Wait for it to finish (or cancel it on the "
    "other station), then try again."
)


@dataclass(frozen=True)
class ReaderChargeRequest:
    """Everything the PaymentIntent is created with, persisted first: replays match."""

    amount_cents: int
    currency: str
    donation_id: str
    idempotency_key: str
    reader_id: str
    setup_future_usage: str | None = "off_session"  # None when the card won't be saved
    description: str = ""


@dataclass(frozen=True)
class ReaderAction:
    """The reader's current action, as GET /v1/terminal/readers/{id} says."""

    reader_status: str  # online | offline
    type: str | None = None  # process_payment_intent | process_setup_intent | ... | None
    status: str | None = None  # in_progress | succeeded | failed
    payment_intent_id: str | None = None
    setup_intent_id: str | None = None  # for process_setup_intent (a card kept, no charge)
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class ReaderSetupRequest:
    """Keep a card read on the reader with no charge (check-in): a SetupIntent for the
    guest's Customer, `usage=off_session`, `payment_method_types[]=card_present`, handed to
    the reader with `process_setup_intent`. Every step's Idempotency-Key is derived from
    `idempotency_key` (the attendee's key for this card), so replays reach the same objects."""

    attendee_id: str
    customer_id: str
    idempotency_key: str


@dataclass(frozen=True)
class CardPresentSetup:
    """The SetupIntent as it stands. `generated_card` is the reusable `card` PaymentMethod
    Stripe made from the card the reader read (the card_present one can't be kept): the one
    to charge later. None while it isn't set up, or when the card can't be kept (a wallet)."""

    setup_intent_id: str
    status: str  # requires_payment_method | processing | succeeded | canceled | ...
    generated_card: str | None = None
    brand: str | None = None
    last4: str | None = None
    read_method: str | None = None
    decline_code: str = ""  # from last_setup_error when the card was refused
    error_code: str = ""
    # who the SetupIntent says it is for: a setup is only this guest's when both match
    customer_ref: str | None = None
    attendee_ref: str | None = None


@dataclass(frozen=True)
class EmvReceipt:
    """The fields card-network rules want on a chip/tap receipt."""

    application_name: str = ""  # application_preferred_name, e.g. "Visa Credit"
    aid: str = ""  # dedicated_file_name, e.g. A0000000031010
    verification: str = ""  # cardholder_verification_method: none, signature, online_pin...
    authorization_code: str = ""


@dataclass(frozen=True)
class CardPresentPayment:
    """The PaymentIntent as it stands, with its charge's card_present details."""

    payment_intent_id: str
    status: str  # requires_payment_method | processing | succeeded | canceled | ...
    payment_method_id: str | None = None
    brand: str | None = None
    last4: str | None = None
    read_method: str | None = None  # contactless_emv | contact_emv | magnetic_stripe_track2
    generated_card: str | None = None
    receipt: EmvReceipt = field(default_factory=EmvReceipt)
    decline_code: str = ""  # from last_payment_error when a card was refused
    error_code: str = ""
    # What the PaymentIntent says it is for (amount, currency, metadata donation_id): an
    # approval is only this gift's when all three match the row (services/reader.py).
    amount_cents: int | None = None
    currency: str | None = None
    donation_ref: str | None = None


@dataclass(frozen=True)
class ReaderInfo:
    id: str
    label: str
    status: str  # online | offline
    device_type: str
    location: str | None
    action: str | None = None  # "process_payment_intent in_progress", None when idle


# read_method -> the words a volunteer and a donor know
ENTRY_MODES = {
    "contactless_emv": "tap",
    "contactless_magstripe_mode": "tap",
    "contact_emv": "chip",
    "magnetic_stripe_track2": "swipe",
    "magnetic_stripe_fallback": "swipe",
}


def entry_mode_label(read_method: str | None) -> str:
    return ENTRY_MODES.get(read_method or "", "")


# The donor's part, played by test helpers or by the training buttons.
PRESENT_APPROVE = "approve"
PRESENT_DECLINE = "decline"
PRESENT_REMOVED = "removed"


class ReaderProcessor(Protocol):
    """The steps of a card-present gift. Each raises Transient, Permanent (incl.
    ReaderUnavailable) or Declined like any processor call; `timeout` bounds one call."""

    name: str
    reader_id: str

    def create_reader_payment(self, request: ReaderChargeRequest, timeout: float) -> str:
        """Create (or, replayed with the same key, find again) the PaymentIntent."""
        ...

    def show_amount(self, request: ReaderChargeRequest, timeout: float, attempt: int = 1) -> None:
        """Show the amount on the reader. `attempt` 2 follows clearing a stale action off a
        busy reader: a write of its own (the first try's refusal is replayed for its key)."""
        ...

    def process(
        self, request: ReaderChargeRequest, payment_intent_id: str, timeout: float, attempt: int = 1
    ) -> None:
        """Hand the PaymentIntent to the reader (which then waits for the card)."""
        ...

    def reader_action(self, timeout: float) -> ReaderAction: ...

    def payment(self, payment_intent_id: str, timeout: float) -> CardPresentPayment: ...

    def cancel_reader_action(self, timeout: float) -> None: ...

    def cancel_payment(
        self, request: ReaderChargeRequest, payment_intent_id: str, timeout: float
    ) -> CardPresentPayment:
        """Cancel the PaymentIntent so no reader can charge it any more; returns its state
        (succeeded when the donor's card got there first)."""
        ...

    # ---- a card kept with no charge (check-in: services/check_in.py) ----
    def create_reader_setup(self, request: ReaderSetupRequest, timeout: float) -> str:
        """Create (or, replayed with the same key, find again) the card_present SetupIntent."""
        ...

    def process_setup(
        self, request: ReaderSetupRequest, setup_intent_id: str, timeout: float
    ) -> None:
        """Hand the SetupIntent to the reader (`process_setup_intent`, with the guest's
        consent to keep the card collected by the volunteer): the reader waits for a card."""
        ...

    def setup(self, setup_intent_id: str, timeout: float) -> CardPresentSetup:
        """Read the SetupIntent back (its latest attempt says which card was generated)."""
        ...

    def cancel_setup(
        self, request: ReaderSetupRequest, setup_intent_id: str, timeout: float
    ) -> CardPresentSetup:
        """Cancel the SetupIntent so no reader can complete it any more; returns its state
        (succeeded when the guest's card got there first)."""
        ...

    def present(self, kind: str) -> None:
        """Test mode / training only: play the donor's part (approve, decline, removed),
        for a payment or a setup on the reader."""
        ...

    def readers(self) -> list[ReaderInfo]: ...


class HasCardReader(Protocol):
    """A processor declaring Capability.READER: the reader it takes cards on (the
    Terminal adapter is its own reader; the simulator makes a simulated one)."""

    def card_reader(self) -> ReaderProcessor: ...
