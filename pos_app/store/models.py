"""The app database's tables. Card numbers and CVCs have no column here, by design."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .types import UTCDateTime


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class Donation(Base):
    __tablename__ = "donations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    method: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16), index=True)
    donor_name: Mapped[str] = mapped_column(String(200), default="")
    donor_email: Mapped[str] = mapped_column(String(254), default="")
    check_number: Mapped[str | None] = mapped_column(String(32))
    station: Mapped[str] = mapped_column(String(100), default="")
    # The event's name when the gift was taken: its receipt says it, whatever the event is
    # renamed to later (None: taken before 0008, the receipt uses the current name).
    event_name: Mapped[str | None] = mapped_column(String(200))
    processor: Mapped[str | None] = mapped_column(String(16))  # simulator | stripe
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    payment_method_id: Mapped[str | None] = mapped_column(String(64))
    payment_intent_id: Mapped[str | None] = mapped_column(String(64))
    brand: Mapped[str | None] = mapped_column(String(16))
    last4: Mapped[str | None] = mapped_column(String(4))
    decline_code: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)  # plain words shown to people
    charge_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
    # Card-present gifts (migration 0007_reader): the reader that took it, what the PaymentIntent
    # was created with (a replay sends the same), and what the card network wants printed.
    reader_id: Mapped[str | None] = mapped_column(String(64))
    setup_future_usage: Mapped[str | None] = mapped_column(String(16))
    entry_mode: Mapped[str | None] = mapped_column(String(32))  # read_method: tap/chip/swipe
    generated_card: Mapped[str | None] = mapped_column(String(64))  # reusable pm for saving
    emv_application: Mapped[str | None] = mapped_column(String(64))
    emv_aid: Mapped[str | None] = mapped_column(String(32))
    emv_cvm: Mapped[str | None] = mapped_column(String(32))
    emv_auth_code: Mapped[str | None] = mapped_column(String(16))
    # ---- the gala (migration 0005_gala) ----
    # the donor's language for the receipt (receipts/i18n.py); None: English
    receipt_language: Mapped[str | None] = mapped_column(String(8))
    # the part of amount_cents the donor added to cover the processing fee
    fee_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    dedication_kind: Mapped[str | None] = mapped_column(String(8))  # honour | memory
    dedication_name: Mapped[str | None] = mapped_column(String(200))
    dedication_email: Mapped[str | None] = mapped_column(String(254))  # told, no amount
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # goods or services received for this gift (a ticket bought); None: none (0013)
    goods_description: Mapped[str | None] = mapped_column(String(200))
    goods_value_cents: Mapped[int | None] = mapped_column(Integer)
    # off-session charges of a saved card (give again, pledges): the saved Customer
    customer_id: Mapped[str | None] = mapped_column(String(64))
    off_session: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The donor agreed to keep this card for later gifts (the form's checkbox; migration
    # 0010): without it no save-card job is made and the charge isn't set up for future
    # use. NULL: taken before consent was asked (its charge was set up; a replay must match).
    save_card: Mapped[bool | None] = mapped_column(Boolean)
    paddle: Mapped[str | None] = mapped_column(String(8))


class Job(Base):
    """One row per background job: the ledger people see, whatever Huey holds.

    Huey task arguments carry only `id`. `state` is queued | running | retry_scheduled |
    needs_attention | done | discarded (jobs.ledger.JobState).
    """

    __tablename__ = "jobs"
    # At most one job of each kind per donation: a replayed approval can't double them.
    __table_args__ = (Index("ux_jobs_donation_kind", "donation_id", "kind", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # save_card | receipt
    donation_id: Mapped[str] = mapped_column(ForeignKey("donations.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)  # plain words, with the fix
    last_error_detail: Mapped[str | None] = mapped_column(Text)  # technical, redacted
    error_kind: Mapped[str | None] = mapped_column(String(16))  # transient | permanent
    fix: Mapped[str | None] = mapped_column(String(32))  # see jobs.records.JobRecord.fix
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    result_ref: Mapped[str | None] = mapped_column(String(255))  # customer id, message id...
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    discard_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class DonorToken(Base):
    """A saved card: the processor's customer and payment method, never card data."""

    __tablename__ = "donor_tokens"

    donation_id: Mapped[str] = mapped_column(ForeignKey("donations.id"), primary_key=True)
    processor: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str] = mapped_column(String(64))
    payment_method_id: Mapped[str] = mapped_column(String(64))
    brand: Mapped[str | None] = mapped_column(String(16))
    last4: Mapped[str | None] = mapped_column(String(4))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Counter(Base):
    """Named monotonic counters (receipt numbers): a value, once handed out, is never reused."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Refund(Base):
    """A refund (card, through the processor) or a void (cash, check) of one gift.

    Written with its idempotency key before the processor is called, like a charge, so a
    crash can only leave it `refunding` or `in_doubt`, and a replay settles it. At most one
    that is not `failed` per gift (a partial unique index).
    """

    __tablename__ = "refunds"
    __table_args__ = (
        Index(
            "ux_refunds_live",
            "donation_id",
            unique=True,
            sqlite_where=text("state != 'failed'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    donation_id: Mapped[str] = mapped_column(ForeignKey("donations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # refund | void
    state: Mapped[str] = mapped_column(String(16), index=True)  # domain.states.RefundState
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    reason: Mapped[str] = mapped_column(Text)  # the lead's words
    category: Mapped[str | None] = mapped_column(String(32))  # Stripe's reason enum
    processor: Mapped[str | None] = mapped_column(String(16))
    payment_intent_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    reference: Mapped[str | None] = mapped_column(String(64))  # the processor's refund id
    message: Mapped[str | None] = mapped_column(Text)  # plain words shown to people
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )


class LeadPin(Base):
    """The event lead's PIN as a salted scrypt hash (never the PIN), and its lockout."""

    __tablename__ = "lead_pin"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    salt: Mapped[str] = mapped_column(String(64))  # hex
    pin_hash: Mapped[str] = mapped_column(String(128))  # hex
    n: Mapped[int] = mapped_column(Integer)
    r: Mapped[int] = mapped_column(Integer)
    p: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong tries in a row
    locked_until: Mapped[float | None] = mapped_column()  # epoch seconds
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EventOverride(Base):
    """The event lead's changes to the event settings (name, goal, station), made at the desk.

    The config file stays IT's; these values win over it on this laptop."""

    __tablename__ = "event_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    name: Mapped[str] = mapped_column(String(200))
    goal: Mapped[int] = mapped_column(Integer)  # dollars
    station: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )


class StationOptions(Base):
    """The lead's choices for how this station takes cards (Settings tab: typed entry beside
    a reader, whether the save-card box starts ticked), kept apart from
    the event override so choosing one doesn't pin the event's name over the config's."""

    __tablename__ = "station_options"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    keyed_entry: Mapped[str | None] = mapped_column(String(8))  # on | off; None: the config's
    # the save-card checkbox's default on the form; None: [payments] save_cards_default
    save_cards: Mapped[bool | None] = mapped_column(Boolean)
    # the lead saved a goods list (goods_items, even an empty one); None: the config's item
    goods_saved: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )


class GoodsItem(Base):
    """One thing a donor may buy with a gift (a dinner ticket, an auction item) and its fair
    market value, from the lead's short list (Settings). A gift copies the description and
    value it was taken with (donations.goods_*), so editing the list changes no receipt."""

    __tablename__ = "goods_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    value_cents: Mapped[int] = mapped_column(Integer)


class StationIdentity(Base):
    """This laptop's stable id, made at first start: receipt numbers are prefixed from it
    (never from the editable station name), so a rename can't renumber or collide."""

    __tablename__ = "station_identity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    station_id: Mapped[str] = mapped_column(String(36), default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Indexes for the hot reads (migration 0005_perf_indexes; tests/test_query_plans.py).
Index("ix_jobs_updated_at", Job.updated_at)
Index("ix_jobs_created_kind", Job.created_at, Job.kind)
Index("ix_jobs_state_created", Job.state, Job.created_at)
Index("ix_donations_created_at", Donation.created_at, Donation.id)
Index("ix_donations_updated_at", Donation.updated_at)
Index("ix_donations_state_method_amount", Donation.state, Donation.method, Donation.amount_cents)
Index(
    "ix_donations_state_created_amount",
    Donation.state,
    Donation.created_at,
    Donation.amount_cents,
)
Index("ix_refunds_updated_at", Refund.updated_at)


class Attendee(Base):
    """A donor checked in at the door: a paddle number, and maybe a saved card (tokens only).

    `card_state`: none | saving | saved | failed. The card is saved with a SetupIntent whose
    idempotency key is written here before the request is sent. `language` (migration
    0014): the receipts' language chosen at check-in, copied onto each pledge's gift."""

    __tablename__ = "attendees"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    paddle: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    processor: Mapped[str | None] = mapped_column(String(16))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    payment_method_id: Mapped[str | None] = mapped_column(String(64))
    setup_intent_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    brand: Mapped[str | None] = mapped_column(String(16))
    last4: Mapped[str | None] = mapped_column(String(4))
    card_state: Mapped[str] = mapped_column(String(16), default="none")
    message: Mapped[str | None] = mapped_column(Text)
    # receipts and pay links for this guest: "en" | "es"; None is the event's default
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )


class PaddleRaise(Base):
    """A fund-a-need: levels (JSON list of cents, highest first), open until the lead closes it."""

    __tablename__ = "paddle_raises"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    levels: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8))  # open | closed
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Pledge(Base):
    """A promise of a gift: from a paddle raise or taken at the table for a pay link.

    Its gift is a Donation row written with the pledge (state `pledged`), so the charge job,
    the receipt and the totals all work on one row; `state` says how it is being collected."""

    __tablename__ = "pledges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    raise_id: Mapped[str | None] = mapped_column(ForeignKey("paddle_raises.id"), index=True)
    donation_id: Mapped[str] = mapped_column(ForeignKey("donations.id"), unique=True)
    paddle: Mapped[str | None] = mapped_column(String(8))
    level_cents: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)
    checkout_session_id: Mapped[str | None] = mapped_column(String(255))
    checkout_url: Mapped[str | None] = mapped_column(Text)
    link_sends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )


class SyncOutbox(Base):
    """A row this station changed and hasn't shared with the central store yet (migration
    0011): written by SQLite triggers in the same transaction as the change; `seq` is the
    version the centre keeps (never reused, higher for every later change)."""

    __tablename__ = "sync_outbox"
    __table_args__ = (
        UniqueConstraint("tbl", "row_id", name="ux_sync_outbox_row"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    tbl: Mapped[str] = mapped_column(String(16))  # donations | refunds | jobs
    row_id: Mapped[str] = mapped_column(String(36))


class SyncState(Base):
    """This station's sharing, one row: when it last shared, its last problem, and the
    event's totals as last read from the centre (for "as of 21:48 (offline)")."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    last_shared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    totals_json: Mapped[str | None] = mapped_column(Text)
    totals_as_of: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


# ---- maintained aggregates (migration 0015): kept by triggers in the writing transaction ----
class DonationTotal(Base):
    """Sums of the donations per (state, method); a row with 0 gifts is left, not removed."""

    __tablename__ = "donation_totals"
    __table_args__ = {"sqlite_with_rowid": False}

    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    method: Mapped[str] = mapped_column(String(8), primary_key=True)
    gifts: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    fee_cents: Mapped[int] = mapped_column(Integer)
    goods_cents: Mapped[int] = mapped_column(Integer)


class GiftMinute(Base):
    """Gifts and cents per (state, UTC minute of created_at): the chart's raw buckets."""

    __tablename__ = "gift_minutes"
    __table_args__ = {"sqlite_with_rowid": False}

    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True)  # epoch seconds // 60
    gifts: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)


class RefundTotal(Base):
    """Refunds and cents per refund state."""

    __tablename__ = "refund_totals"
    __table_args__ = {"sqlite_with_rowid": False}

    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    refunds: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)


class JobStateCount(Base):
    """Jobs per state."""

    __tablename__ = "job_state_counts"
    __table_args__ = {"sqlite_with_rowid": False}

    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    jobs: Mapped[int] = mapped_column(Integer)
