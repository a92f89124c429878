"""Plain data handed to the facade, the CLI and the GUI: never ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from jobs.records import JobSummary
from pos_app.store.models import Donation


@dataclass(frozen=True)
class Outcome:
    """The result of taking a donation, as the volunteer should hear it."""

    status: str  # approved | declined | in_doubt | failed | recorded
    donation_id: str | None
    message: str
    amount_cents: int = 0
    currency: str = "usd"
    brand: str | None = None
    last4: str | None = None
    reference: str | None = None  # processor payment id
    can_retry: bool = False  # Retry reuses the same idempotency key
    entry_mode: str | None = None  # card on a reader: contactless_emv | contact_emv | ...
    # A saved card charged without the donor was refused or needs them (authentication):
    # the volunteer asks for the card and takes the gift the normal way.
    ask_for_card: bool = False


@dataclass(frozen=True)
class DonationRecord:
    id: str
    amount_cents: int
    currency: str
    method: str
    status: str
    donor_name: str
    donor_email: str
    check_number: str | None
    station: str
    brand: str | None
    last4: str | None
    payment_method_id: str | None
    payment_intent_id: str | None
    message: str | None
    charge_attempts: int
    created_at: dt.datetime
    updated_at: dt.datetime
    # Filled in by the facade from the refunds table (services/refunds.py).
    refunded_cents: int = 0  # given back (card) or taken out (void); 0 while in doubt
    refund_status: str | None = None  # refunding | in_doubt | refunded | failed | voided
    refund_reason: str | None = None
    refund_reference: str | None = None  # the processor's refund id
    # The gala (issue 15). An anonymous gift's donor_name is "" here: every list, export and
    # screen reads these records; only the receipt (read from the row) uses the name.
    fee_cents: int = 0  # part of amount_cents added by the donor to cover the fee
    anonymous: bool = False
    dedication_kind: str | None = None  # honour | memory
    dedication_name: str | None = None
    receipt_language: str | None = None
    paddle: str | None = None
    # What the gift bought (a ticket, an item: services/goods.py) and its fair market value
    goods_description: str | None = None
    goods_value_cents: int = 0
    # A card on a reader (issue 20): how it was read and the chip's receipt fields, for
    # the lead's donation detail (receipts/emv.py words them).
    entry_mode: str | None = None  # Stripe's read_method: contactless_emv | contact_emv | ...
    emv_application: str | None = None
    emv_aid: str | None = None
    emv_cvm: str | None = None
    emv_auth_code: str | None = None

    @property
    def gift_cents(self) -> int:
        """The gift itself, without the fee the donor covered."""
        return self.amount_cents - self.fee_cents

    @property
    def deductible_cents(self) -> int:
        """What the receipt calls deductible: the payment less the goods received."""
        return max(0, self.amount_cents - self.goods_value_cents)

    @classmethod
    def of(cls, row: Donation) -> DonationRecord:
        return cls(
            id=row.id,
            amount_cents=row.amount_cents,
            currency=row.currency,
            method=row.method,
            status=row.state,
            donor_name="" if row.anonymous else row.donor_name,
            donor_email=row.donor_email,
            check_number=row.check_number,
            station=row.station,
            brand=row.brand,
            last4=row.last4,
            payment_method_id=row.payment_method_id,
            payment_intent_id=row.payment_intent_id,
            message=row.message,
            charge_attempts=row.charge_attempts,
            created_at=row.created_at,
            updated_at=row.updated_at,
            fee_cents=row.fee_cents or 0,
            anonymous=bool(row.anonymous),
            dedication_kind=row.dedication_kind,
            dedication_name=row.dedication_name,
            receipt_language=row.receipt_language,
            paddle=row.paddle,
            goods_description=row.goods_description,
            goods_value_cents=row.goods_value_cents or 0,
            entry_mode=row.entry_mode,
            emv_application=row.emv_application,
            emv_aid=row.emv_aid,
            emv_cvm=row.emv_cvm,
            emv_auth_code=row.emv_auth_code,
        )


@dataclass(frozen=True)
class Totals:
    """Raised so far: approved card gifts minus refunds, plus cash and checks not voided.

    `by_method` and `gifts` are net in the same way (a refunded or voided gift is not a
    gift). A refund still in doubt is not subtracted until the processor confirms it.
    """

    raised_cents: int = 0
    gifts: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    goal_cents: int = 0
    in_doubt: int = 0  # charges not confirmed yet
    refunded_cents: int = 0  # card refunds the processor confirmed
    refunds: int = 0
    refunds_in_doubt: int = 0
    voided_cents: int = 0  # cash and checks taken back out
    voided: int = 0
    fees_cents: int = 0  # of raised_cents: what donors added to cover the processing fee
    goods_cents: int = 0  # of raised_cents: the fair market value of goods donors received

    @property
    def gifts_cents(self) -> int:
        """Raised without the fees donors covered: the gifts themselves."""
        return self.raised_cents - self.fees_cents

    @property
    def average_cents(self) -> int:
        """Rounded half up to the cent ($170.00 over 3 gifts is $56.67), never truncated."""
        if not self.gifts:
            return 0
        return (2 * self.raised_cents + self.gifts) // (2 * self.gifts)


class InvalidDonation(ValueError):
    """Input that failed the local checks. `errors` maps field name -> plain message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class RefundOutcome:
    """The result of a refund or void, as the event lead should hear it.

    `status`: refunded | voided (cash/check) | in_doubt (not confirmed yet: Tableside keeps
    checking with the same key; don't refund again) | failed (nothing was given back).
    """

    status: str
    donation_id: str
    message: str
    refund_id: str | None = None  # our row in the refunds table
    amount_cents: int = 0
    currency: str = "usd"
    reference: str | None = None  # the processor's refund id
    can_retry: bool = False  # in doubt: Retry replays it with the same key


@dataclass(frozen=True)
class RefundRecord:
    id: str
    donation_id: str
    kind: str  # refund | void
    state: str  # refunding | in_doubt | refunded | failed | voided
    amount_cents: int
    currency: str
    reason: str
    category: str | None
    reference: str | None
    message: str | None
    attempts: int
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class Alert:
    """Something a person should know about the background work, in plain words.

    `audience` volunteer: a calm banner for the table; lead: the event lead's alert.
    `key` names the condition (offline, needs_attention, backlog, oldest, ...) so a GUI
    can tell a new alert from one it already showed.
    """

    level: str  # info | warning
    audience: str  # volunteer | lead
    message: str
    since: dt.datetime | None = None
    key: str = ""


@dataclass(frozen=True)
class StatusSnapshot:
    """Everything the volunteer's status bar and banners show, read in one go."""

    totals: Totals
    summary: JobSummary
    alerts: list[Alert]
    closing: str | None  # what closing now would leave for next time; None if nothing
