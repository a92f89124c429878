"""The stable facade: what the GUI, integrators and tests use, with no Qt.

    with open_station() as station:
        outcome = station.take_card_donation(5000, Donor("Ada", "ada@example.org"),
                                             Card("4242424242424242", 12, 2030, "123"))

`Outcome.status` is approved | declined | in_doubt | failed | recorded | pending (with the
bank) | mismatch (an answer about another amount or gift; the lead checks it). "failed"
means certainly not charged. Invalid input raises `InvalidDonation` with per-field messages.

The event lead's desk: `refund()` (card refund or cash/check void, crash-safe like a
charge), `totals()` and `gifts_over_time()`, `export_donations_csv()` / `export_jobs_csv()`,
the lead PIN (`set_lead_pin`, `check_lead_pin`, ...), `alerts()` and `closing_summary()`.

IT's card reader set-up, with no station opened (it runs beside an open window):
`list_readers()`, `register_reader()` and `use_reader()`, raising ReaderSetupError.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jobs.records import JobRecord, JobState, JobSummary
from pos_app import composition, station_lock
from pos_app.central.connect import CentralError
from pos_app.central.listen import CentralWatcher
from pos_app.central.push import EventTotals, RemoteJob
from pos_app.central.station import EventAttention, SyncStatus
from pos_app.domain.cards import Card
from pos_app.domain.donor import Donor
from pos_app.domain.gift import NO_OPTIONS, GiftOptions
from pos_app.paths import DataPaths
from pos_app.payments.base import Processor
from pos_app.payments.card_present import ReaderInfo
from pos_app.payments.registry import Capability
from pos_app.receipts.senders import Sender
from pos_app.services import alerts as alert_rules
from pos_app.services import desk_reads, export
from pos_app.services.card_entry import CardEntry, card_entry
from pos_app.services.desk_reads import JobCounts, PageQuery
from pos_app.services.export import ExportError
from pos_app.services.gala_records import (
    AttendeeRecord,
    PaddleRaiseRecord,
    PledgeRecord,
    PledgeStarted,
)
from pos_app.services.give_again import SavedDonor
from pos_app.services.goods import Goods
from pos_app.services.lead_pin import PinError
from pos_app.services.pledge_links import Checkout
from pos_app.services.reader_setup import (
    Address,
    ReaderList,
    ReaderSetupError,
    Registered,
)
from pos_app.services.reader_setup import list_readers as _list_readers
from pos_app.services.reader_setup import register_reader as _register_reader
from pos_app.services.reader_setup import use_reader as _use_reader
from pos_app.services.records import (
    Alert,
    DonationRecord,
    InvalidDonation,
    Outcome,
    RefundOutcome,
    RefundRecord,
    StatusSnapshot,
    Totals,
)
from pos_app.services.totals import event_totals, gifts_over_time
from pos_app.settings import ConfigError, Settings, load_settings
from pos_app.startup import StartupError
from pos_app.station_lock import StationBusy

__all__ = [
    "Address",
    "Alert",
    "AttendeeRecord",
    "Card",
    "CardEntry",
    "CentralError",
    "ConfigError",
    "DonationRecord",
    "Donor",
    "EventAttention",
    "EventTotals",
    "ExportError",
    "GiftOptions",
    "Goods",
    "InvalidDonation",
    "JobRecord",
    "JobCounts",
    "JobSummary",
    "Outcome",
    "PaddleRaiseRecord",
    "PageQuery",
    "PinError",
    "PledgeRecord",
    "PledgeStarted",
    "ReaderList",
    "ReaderSetupError",
    "RefundOutcome",
    "RefundRecord",
    "Registered",
    "RemoteJob",
    "SavedDonor",
    "StartupError",
    "StatusSnapshot",
    "Station",
    "StationBusy",
    "SyncStatus",
    "Totals",
    "list_readers",
    "open_station",
    "register_reader",
    "use_reader",
]

log = logging.getLogger(__name__)


class Station:
    """One laptop's till, as the window, the CLI and integrators use it: a thin facade over
    the parts the composition root builds (pos_app/composition.py). The parts themselves
    (`station.db`, `station.jobs_system`, ...) are reachable for tests and tools."""

    def __init__(
        self,
        settings: Settings,
        paths: DataPaths,
        processor: Processor | None = None,
        sender: Sender | None = None,
        *,
        role: str = station_lock.API,
        read_only: bool = False,
    ) -> None:
        """Open the station, holding the data dir's lock; raises StationBusy or a plain
        StartupError (see `composition.build`, and `read_only` there)."""
        self.parts = composition.build(
            settings, paths, processor, sender, role=role, read_only=read_only
        )
        self._closed = False

    def __getattr__(self, name: str) -> Any:
        # Only called for names the facade doesn't define: the composition root's parts.
        parts = self.__dict__.get("parts")
        if parts is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(parts, name)

    @property
    def settle_interval(self) -> float:
        """Seconds between passes of the background settle loop."""
        return self.parts.settle_interval

    @settle_interval.setter
    def settle_interval(self, seconds: float) -> None:
        self.parts.settle_interval = seconds

    # ---- context manager ----
    def __enter__(self) -> Station:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def settings(self) -> Settings:
        """The settings as they are now (the lead's desk changes included)."""
        return self.live()

    @property
    def training(self) -> bool:
        return Capability.SIMULATED in self.processor.capabilities

    # ---- taking donations ----
    def take_card_donation(
        self, amount_cents: int, donor: Donor, card: Card, options: GiftOptions = NO_OPTIONS
    ) -> Outcome:
        """`options`: cover the fee, a dedication, anonymous, the receipt's language, goods
        received, consent to keep the card (see GiftOptions). With `cover_fee` the charge is
        the gift plus fee_for(); with `save_card=True` (the donor's explicit yes) an approved
        gift's card is kept for later gifts by a background job, else never. `save_card=None`
        takes save_cards_default, which is off unless the lead or the config turned it on:
        no answer, no saved card."""
        return self.donations_service.take_card(amount_cents, donor, card, options)

    def retry_charge(self, donation_id: str) -> Outcome:
        return self.donations_service.retry(donation_id)

    def forget_card(self, donation_id: str | None = None) -> None:
        self.donations_service.forget_card(donation_id)

    def record_donation(
        self,
        amount_cents: int,
        donor: Donor,
        method: str,
        check_number: str = "",
        options: GiftOptions = NO_OPTIONS,
    ) -> Outcome:
        return self.donations_service.record(amount_cents, donor, method, check_number, options)

    def validate(
        self,
        amount_cents: int,
        donor: Donor,
        card: Card | None = None,
        options: GiftOptions = NO_OPTIONS,
    ) -> None:
        self.donations_service.validate(amount_cents, donor, card, options)

    def fee_for(self, gift_cents: int) -> int:
        """What covering the fee adds to a card gift of `gift_cents` ([fees] in the config):
        "Add $1.44 so all of your $50.00 goes to ..."."""
        return self.donations_service.fee_rule.fee_for(gift_cents)

    @property
    def fee_cause(self) -> str:
        """Whom "all of your gift goes to" names: [fees] cause, else the organisation."""
        return self.settings.fees.cause.strip() or self.settings.organization.name

    @property
    def cover_fee_default(self) -> bool:
        """Whether the form's "cover the fee" box starts ticked ([fees] cover_by_default)."""
        return self.settings.fees.cover_by_default

    # ---- goods a gift may buy (a ticket, an item), the lead's short list ----
    def goods_items(self) -> list[Goods]:
        """The lead's list, in order: `Goods(description, value_cents)`. A gift names one
        (or none) through GiftOptions.goods_description / goods_value_cents; until the lead
        saves a list, the config's `[event] goods_description`/`goods_value` is the one item."""
        return self.live.goods()

    def set_goods_items(self, items: list[Goods]) -> list[Goods]:
        """Replace the list (lead action); InvalidDonation names the row at fault."""
        return self.live.set_goods(list(items))

    # ---- give again (a returning donor's saved card) ----
    def find_saved_donors(self, query: str) -> list[SavedDonor]:
        """Returning donors with a card on file, by name, email or paddle number."""
        return self.give_again_service.find(query)

    def give_again(self, ref: str, amount_cents: int, options: GiftOptions = NO_OPTIONS) -> Outcome:
        """Charge a saved card (`SavedDonor.ref`) off-session for a new gift: "Give $100
        again on Visa •••• 4242". Crash-safe like any charge. A refused card or one needing
        the donor's authentication comes back with `ask_for_card=True`: take the card the
        normal way. Raises KeyError for an unknown ref, InvalidDonation for bad input."""
        return self.give_again_service.give(ref, amount_cents, options)

    def settle_in_doubt(self, *, include_charging: bool = False) -> list[Outcome]:
        """Replay unsettled charges; at start-up include rows a crash left in `charging`."""
        return self.donations_service.settle(include_charging=include_charging)

    # ---- the gala: check-in, paddle raises, pledges (services/check_in.py, paddle_raise.py) ----
    def check_in(
        self,
        donor: Donor,
        paddle: str | int | None = None,
        card: Card | None = None,
        language: str | None = None,
    ) -> AttendeeRecord:
        """Check a guest in: found by email if already here (never twice), else added with
        `paddle` or the next free number. With `card` it is saved on file with no charge (a
        SetupIntent; the simulator in training); `card_on_file` says whether it was, and
        `message` why not ("The card was declined. Ask for another card."); a card whose
        answer was lost shows `card_state` "saving" and is settled in the background.
        With no `card` where a reader is set, `save_card_from_reader()` keeps one read there.
        `language` is the guest's, for everything Tableside sends them: "en" or "es" (a
        region is ignored: "es-MX" is "es"). Each pledge made for them (`pledge()`) is a gift
        with that `receipt_language`, so its receipt after the charge and its checkout pay
        link are written in it. None keeps a returning guest's language (a new guest: the
        event's default, English); a new one for a returning guest also applies to their
        pledges not charged yet. It is a parameter, not a `Donor` field: a Donor is anyone
        giving, whose receipt language is the gift's (`GiftOptions.receipt_language`); the
        guest's is kept on the guest (`AttendeeRecord.language`, None for the default).
        Raises InvalidDonation (paddle taken: field "paddle"; name, email, card fields; a
        language receipts aren't written in: field "language")."""
        return self.attendees_service.check_in(donor, paddle, card, language)

    @property
    def can_save_card_from_reader(self) -> bool:
        """Check-in can keep a card read on this station's reader (a reader is set up and
        the processor keeps cards on file): the check-in window offers it only then."""
        return self.attendees_service.has_reader

    def save_card_from_reader(self, guest: AttendeeRecord | str | int) -> AttendeeRecord:
        """Keep a checked-in guest's card on file from the card reader, with no charge:
        `guest` is their record or paddle number. A card_present SetupIntent for the
        guest's Customer (usage off_session) goes to the reader (`process_setup_intent`,
        consent collected by the volunteer); the call returns when the tap, chip or swipe
        settles it, `cancel_card_on_reader()` (another thread) stops it, or the reader
        times out. Kept: `card_on_file`, "Visa •••• 4242", the reusable card Stripe
        generated from the one read. Not kept: `message` says why ("The card was declined.
        Ask for another card.", "Cancelled on the reader. The card was not kept."). An
        answer in doubt leaves `card_state` "saving", read back in the background. Training
        mode uses its simulated reader (`present_on_reader`). Raises InvalidDonation (field
        "card": no reader here, or a save already under way; "paddle": no such guest)."""
        if isinstance(guest, AttendeeRecord):
            attendee_id = guest.id
        else:
            found = self.attendees_service.by_paddle(guest)
            if found is None:
                raise InvalidDonation({"paddle": f"No guest has paddle {guest}."})
            attendee_id = found.id
        return self.attendees_service.save_card_from_reader(attendee_id)

    def cancel_card_on_reader(self) -> bool:
        """Stop the check-in card the reader is waiting for (the window's Cancel). True
        when one was waiting; its save_card_from_reader() call then returns."""
        return self.attendees_service.cancel_reader()

    def attendees(self, query: str = "") -> list[AttendeeRecord]:
        """Checked-in guests by paddle number; `query` finds by name, email or paddle."""
        return self.attendees_service.list(query)

    def attendee(self, paddle: str | int) -> AttendeeRecord | None:
        return self.attendees_service.by_paddle(paddle)

    def next_free_paddle(self) -> str:
        return self.attendees_service.next_free_paddle()

    def open_paddle_raise(self, title: str, levels_cents: list[int] | tuple[int, ...]) -> str:
        """Open a fund-a-need with its levels (cents, any order); returns its id."""
        return self.paddle_raise_service.open(title, levels_cents)

    def close_paddle_raise(self, raise_id: str) -> PaddleRaiseRecord:
        """No more pledges on it; those made are still collected."""
        return self.paddle_raise_service.close(raise_id)

    def paddle_raise(self, raise_id: str) -> PaddleRaiseRecord:
        """The raise with its running totals: `total_cents`, `count`, `by_level`
        (level cents -> pledges), `by_state`, `paid_cents`. Undone pledges don't count."""
        return self.paddle_raise_service.get_raise(raise_id)

    def paddle_raises(self) -> list[PaddleRaiseRecord]:
        return self.paddle_raise_service.raises()

    def pledge(self, raise_id: str, paddle: str | int, amount_cents: int) -> PledgeRecord:
        """Record a pledge at once. With a card on file it is charged by a background job
        (`pledge_charge`): `state` goes pledged -> charging -> paid, or needs_attention
        with "Ask paddle 112 for another card: ..."; without one it stays `pledged` for
        checkout. Raises InvalidDonation (paddle not checked in, amount, raise closed)."""
        return self.paddle_raise_service.pledge(raise_id, paddle, amount_cents)

    def undo_pledge(self, pledge_id: str) -> PledgeRecord:
        """Undo a pledge while its charge hasn't started; raises PledgeStarted (an
        InvalidDonation, field "pledge") once it has: refund it the normal way instead."""
        return self.paddle_raise_service.undo(pledge_id)

    def charge_pledge_on_file(self, pledge_id: str) -> bool:
        """Charge a waiting pledge (made before its guest had a card on file) on the card on
        file now, in the background; safe twice. False when it isn't waiting or there is
        still no card (checkout then sends a pay link)."""
        return self.pledge_charges.charge_on_file(pledge_id)

    def pledges(self, raise_id: str | None = None) -> list[PledgeRecord]:
        """Pledges oldest first, each with `id`, `paddle`, `amount_cents`, `state`,
        `donation_id`, `message`, `name`, `card_on_file`."""
        return self.paddle_raise_service.list(raise_id)

    # ---- pledges paid by a link (services/pledge_links.py) ----
    def take_pledge(
        self, amount_cents: int, donor: Donor, options: GiftOptions = NO_OPTIONS
    ) -> PledgeRecord:
        """A gift that can't be charged at the table, taken as a pledge the donor pays by
        a link emailed to them (a Stripe Checkout Session for exactly that gift, made and
        sent by a background job). The donor's email is required. No card data is kept.
        `options.receipt_language` ("en" or "es"; "" is English) picks the language of the
        link's email, of Stripe's payment page (the session's `locale`) and of the receipt.
        State `pledged`, then `link_sent`, `paid` (the gift approved, its receipt sent) or
        `expired`. Raises InvalidDonation with field messages."""
        return self.parts.pledge_links.take_pledge(amount_cents, donor, options)

    def send_pay_link(self, pledge_id: str) -> str | None:
        """Send a pledge's pay link (again): a new link if the last one expired, the same
        one if it is still open. For a pledge not charged yet (waiting, declined, sent,
        expired); returns the job id, None when one is already on its way. Raises KeyError,
        InvalidDonation."""
        return self.parts.pledge_links.send_link(pledge_id)

    def checkout_pledges(self) -> Checkout:
        """End of the night, "charge all open pledges": every pledge still waiting is
        charged on its guest's card on file (background jobs), else sent a pay link.
        Returns what it started (`charged`, `links`, `no_email`); follow them with
        `pledges()`. Safe to start twice and across a restart."""
        return self.parts.pledge_links.checkout(self.charge_pledge_on_file)

    def check_pay_links(self) -> list[PledgeRecord]:
        """Read every sent link back now (paid, expired); the background watch does it on
        its own cadence (every 30 s at first, less often as a link ages). Returns the
        pledges, like `pledges()`."""
        self.parts.pledge_links.check_now()
        return self.pledges()

    # ---- refunds and voids (lead action) ----
    def refund(
        self, donation_id: str, reason: str, *, category: str | None = None
    ) -> RefundOutcome:
        """Refund a card gift through the processor, or void a cash/check gift.

        `status`: refunded | voided | in_doubt (not confirmed yet; Tableside keeps
        checking, same key) | failed (nothing given back). `reason` is required and kept;
        `category` is the processor's code (requested_by_customer | duplicate |
        fraudulent), by default read from the reason (never "fraudulent" by guess).
        Asking again for a refund in doubt replays it; it never refunds twice.
        Raises KeyError for an unknown gift, InvalidDonation for an empty reason.
        """
        return self.refunds_service.refund(donation_id, reason, category)

    def refunds(self, donation_id: str | None = None) -> list[RefundRecord]:
        return self.refunds_service.list(donation_id)

    def settle_refunds(self, *, include_refunding: bool = False) -> list[RefundOutcome]:
        """Replay refunds in doubt; at start-up include rows a crash left `refunding`."""
        return self.refunds_service.settle(include_refunding=include_refunding)

    # ---- reading ----
    def donations(self) -> list[DonationRecord]:
        return self.refunds_service.annotate(self.donations_service.list())

    def donation(self, donation_id: str) -> DonationRecord:
        return self.refunds_service.annotate([self.donations_service.get(donation_id)])[0]

    def outcome(self, donation_id: str) -> Outcome:
        """The donation's result as the volunteer should hear it now (e.g. once settled)."""
        return self.donations_service.outcome_of(donation_id)

    # ---- background jobs (save card, receipt) ----
    def jobs(
        self, donation_id: str | None = None, changed_since: dt.datetime | None = None,
        finished_limit: int | None = None,
    ) -> list[JobRecord]:  # fmt: skip
        """The job ledger, oldest first: what is waiting, retrying, failed and why.
        `changed_since` returns only jobs updated at or after that time (live views).
        `finished_limit`: every unfinished or needs-attention job, and only that many of
        the newest finished ones (the jobs panel; `export_jobs_csv` has them all)."""
        return self.jobs_service.list(donation_id, changed_since, finished_limit)

    def job(self, job_id: str) -> JobRecord:
        return self.jobs_service.get(job_id)

    def job_summary(self) -> JobSummary:
        """Online/offline and job counts for the status bar; one small query."""
        return self.jobs_service.summary()

    def retry_job(self, job_id: str) -> JobRecord:
        """Run a job again now (needs attention, waiting to retry, or discarded)."""
        return self.jobs_service.retry(job_id)

    def discard_job(self, job_id: str, reason: str) -> JobRecord:
        return self.jobs_service.discard(job_id, reason)

    def update_donor_email(self, donation_id: str, email: str) -> list[JobRecord]:
        """Correct a donor's email and (re)send the receipt, same receipt number."""
        return self.jobs_service.update_donor_email(donation_id, email)

    # ---- settings the lead changes at the desk ----
    def update_event(self, name: str, goal_dollars: int, station: str) -> Settings:
        """Change the event's name, goal and this station's name; kept in the DB, they win
        over the config file from now on. Raises InvalidDonation with per-field messages."""
        settings = self.live.update_event(name, goal_dollars, station)
        event = settings.event
        log.info(
            "event settings changed: %s, goal %d, station %s", event.name, event.goal, event.station
        )
        return settings

    def store_secret(self, name: str, value: str) -> str:
        """Put a secret in the OS keyring (never a file); returns what was stored, in words.
        A new key is used from the next start. Raises SecretsError where no keyring exists."""
        from pos_app.secrets import needed_secrets, set_secret

        secret = next((s for s in needed_secrets(self.settings) if s.name == name), None)
        if secret is None or not value.strip():
            raise ValueError(f"Unknown secret {name!r} or empty value.")
        set_secret(name, value.strip())
        mode = secret.stored_note(value.strip())
        return f"Stored {name} in the OS keyring{mode}. It is used from the next start."

    def totals(self) -> Totals:
        return event_totals(self.db, self.settings.event.goal)

    # ---- the central store (pos_app/central/): many tables, one event ----
    def sync_now(self) -> SyncStatus:
        """Share this station's changes with the central store now (the standing sync job
        runs at once, even one waiting to retry or for a person); returns `sync_status()`
        without waiting for the push. Nothing happens without a `[central] url`."""
        return self.parts.central_sync.sync_now()

    def sync_status(self) -> SyncStatus:
        """How sharing stands: `enabled`, `pending` (changes not yet shared),
        `last_shared_at`, `last_error` (plain words), `online`, the sync job's `state`."""
        return self.parts.central_sync.status()

    def event_totals(self) -> EventTotals | None:
        """The whole event's totals from the central store (every station): gifts,
        raised_cents, refunded/voided cents, in_doubt, by_station, `as_of` and `live`
        (False: the last totals read, shown while the centre can't be reached). None
        without a central store or before it was first reached; raises CentralError when
        the centre refuses this station (its message says the fix)."""
        return self.parts.central_sync.event_totals()

    def watch_event(self, on_change: Callable[[str], None]) -> CentralWatcher | None:
        """Hear the event change at any station: a started watcher (call its `stop()`)
        that calls `on_change(what)` on its own thread — a table's name when a station
        wrote it, "poll" every 30 s, "reconnected" after a lost connection — so a screen
        re-reads `event_totals()`. None without a central store."""
        return self.parts.central_sync.watch(on_change)

    def follow_event(self) -> Callable[[], None]:
        """While followed, the event's changes at any station are announced on this
        station's change feed (`Topic.EVENT`, from one LISTEN connection however many
        follow), so screens subscribed to `changes` re-read `event_totals()` at once.
        Returns the call that stops following. Does nothing without a central store."""
        return self.parts.central_sync.follow()

    def attention_everywhere(self) -> EventAttention | None:
        """What needs a person at every station, live from the centre: `jobs` (each a
        RemoteJob: station_name, kind, problem, fix, donor, amount, `correction_sent`
        when a lead's email fix waits for its station), `lead` (False: this station's
        login reads totals only, `jobs` empty) and `as_of`. None without a central store;
        raises CentralError (`offline` when the centre can't be reached)."""
        return self.parts.central_sync.attention()

    def correct_donor_email(self, donation_id: str, email: str) -> str:
        """Correct a gift's donor email and have its receipt sent again, from any station:
        this station's own gift is fixed here at once ("here"); another station's through
        the centre ("sent"), applied by that station when it next shares (within a
        minute). Raises InvalidDonation (field "email"), CentralError."""
        try:
            self.update_donor_email(donation_id, email)
            return "here"
        except KeyError:  # not a gift of this station's
            self.parts.central_sync.correct_email(donation_id, email)
            return "sent"

    def gifts_over_time(self, bucket_minutes: int = 15) -> list[tuple[dt.datetime, int]]:
        """(bucket start, local time; cents raised in it), oldest first, gaps as 0."""
        return gifts_over_time(self.db, bucket_minutes)

    # ---- export for reconciliation ----
    def export_donations_csv(self, path: str | os.PathLike[str]) -> int:
        """Every donation as a bookkeeper's CSV (see services/export.py); rows written.
        Raises ExportError (plain words, nothing left behind) if the file can't be written."""
        rows = export.donation_rows(self.donations(), export.receipts_by_donation(self.db))
        count = export.write_csv(
            path, export.DONATION_COLUMNS, rows, journal_dir=self.paths.data_dir
        )
        log.info("exported %d donations to %s", count, path)
        return count

    def export_jobs_csv(self, path: str | os.PathLike[str]) -> int:
        count = export.write_csv(
            path, export.JOB_COLUMNS, export.job_rows(self.jobs()), journal_dir=self.paths.data_dir
        )
        log.info("exported %d jobs to %s", count, path)
        return count

    # ---- the lead PIN ----
    def lead_pin_is_set(self) -> bool:
        return self.lead_pin.is_set()

    def set_lead_pin(self, pin: str, *, current: str | None = None) -> None:
        """Set the PIN on first use (4-8 digits). Changing it needs `current`.
        Raises PinError with a message for the lead."""
        self.lead_pin.set(pin, current)

    def check_lead_pin(self, pin: str) -> bool:
        """False for a wrong PIN, no PIN set, or during the 30 s lock after 5 wrong tries."""
        return self.lead_pin.check(pin)

    def lead_pin_locked_for(self) -> float:
        """Seconds until the PIN may be tried again (0.0: now)."""
        return self.lead_pin.locked_for()

    # ---- attention ----
    def alerts(self) -> list[Alert]:
        """Volunteer banners and the lead's alerts, from the ledger and `[alerts]`."""
        return self._alerts(alert_rules.pending_work(self.db), self.job_summary())

    def _alerts(self, work: alert_rules.PendingWork, summary: JobSummary) -> list[Alert]:
        found = alert_rules.alerts(
            work, summary, self.settings.alerts, charges_need_network=not self.training
        )
        silent = self.parts.central_sync.silent_alert(self.settings.alerts.silent_minutes)
        return [*found, silent] if silent is not None else found

    def status(self) -> StatusSnapshot:
        """Totals, job summary, alerts and the closing summary for the status bar, from one
        read of the pending work and one of the job counts."""
        work, summary = alert_rules.pending_work(self.db), self.job_summary()
        return StatusSnapshot(
            totals=self.totals(),
            summary=summary,
            alerts=self._alerts(work, summary),
            closing=alert_rules.closing_summary(work),
        )

    def health(self) -> alert_rules.Health:
        """The station's health for IT (`pos-app health`): backlog, oldest waiting job,
        needs attention, online (as the jobs found the network: readable beside the window)
        and the sync lag, graded ok | warning | critical against `[alerts]`."""
        work, summary = alert_rules.pending_work(self.db), self.job_summary()
        online = summary.online and not work.retrying_offline
        found = alert_rules.alerts(
            work, dataclasses.replace(summary, online=online), self.settings.alerts,
            charges_need_network=not self.training,
        )
        sync = self.sync_status()
        now = dt.datetime.now(dt.UTC)
        lag = None
        if sync.enabled and (sync.pending == 0 or sync.last_shared_at is not None):
            lag = now - sync.last_shared_at if sync.pending and sync.last_shared_at else (
                dt.timedelta(0))
        return alert_rules.health(
            work, found, self.settings.alerts, online=online, sync_enabled=sync.enabled,
            sync_lag=lag, sync_pending=sync.pending,
            sync_problem=sync.state == JobState.NEEDS_ATTENTION.value, now=now,
        )

    def closing_summary(self) -> str | None:
        """What happens to unfinished work if the app closes now; None if nothing is."""
        return alert_rules.closing_summary(alert_rules.pending_work(self.db))

    # ---- background work (pos_app/background.py: one home, one start, one stop) ----
    def start_jobs(self) -> None:
        """Start background work: settle what a crash left and keep settling; run jobs.
        Safe from any thread and in any order with `stop_jobs()`; a second call does
        nothing; after `close()` it raises RuntimeError."""
        if self.parts.beside_window:
            raise RuntimeError("this station only reads beside the open window")
        self.parts.background.start()

    def stop_jobs(self, timeout: float = 10.0) -> None:
        """Stop within about `timeout` s; a job still running is run again at next start.
        Safe before `start_jobs()`, twice, or right after it."""
        self.parts.background.stop(timeout)

    # ---- the card reader (card present) ----
    @property
    def has_reader(self) -> bool:
        """A reader to take cards on: the configured Terminal reader, or training's."""
        return self.reader_service is not None

    def take_reader_donation(
        self, amount_cents: int, donor: Donor, options: GiftOptions = NO_OPTIONS
    ) -> Outcome:
        """Take a card on the reader: returns when the gift is settled (approved, declined,
        failed = certainly not charged) or its deadline passed (in_doubt: settled by the
        background settler from the PaymentIntent, never charged twice). Blocks while the
        donor taps; `cancel_reader()` from another thread stops it. `options` as for
        take_card_donation (cover the fee, dedication, consent to keep the card...). Raises
        InvalidDonation for a bad amount or email, RuntimeError when no reader is set up."""
        if self.reader_service is None:
            raise RuntimeError("No card reader is set up for this station.")
        return self.reader_service.take(amount_cents, donor, options)

    def cancel_reader(self) -> bool:
        """Stop the gift waiting on the reader (Esc). True when one was waiting; its
        take_reader_donation() call then returns saying whether anything was charged."""
        return self.reader_service.cancel() if self.reader_service else False

    def present_on_reader(self, kind: str) -> None:
        """Training mode, or a Stripe test key with a simulated reader: play the donor's
        part ("approve", "decline", "removed", or "too_long": the donor never taps and the
        gift ends as the reader's timeout would). Raises ProcessorError otherwise."""
        if self.reader_service is None:
            raise RuntimeError("No card reader is set up for this station.")
        if kind == "too_long":
            self.reader_service.time_out_now()
            return
        self.reader_service.reader.present(kind)

    @property
    def card_entry(self) -> CardEntry:
        """How Card is taken here now: on the reader, typed, or either (the lead's Settings
        choice and `[payments] keyed_entry`); the window shows it and says which."""
        service = self.reader_service
        label = ""
        if service is not None:
            rid = service.reader.reader_id
            label = "Training reader" if self.training else f"reader {rid}"
        return card_entry(
            self.settings,
            has_reader=service is not None,
            training=self.training,
            reader_label=label,
            simulated=self.reader_is_simulated,
        )

    def allow_keyed_entry(self, allowed: bool) -> Settings:
        """The lead's switch: may volunteers type a card number when a reader is set?"""
        return self.live.set_keyed_entry(allowed)

    # ---- consent to keep a card ----
    @property
    def save_cards_default(self) -> bool:
        """Whether the form's "keep this card for later gifts" box starts ticked: the lead's
        choice (set_save_cards_default), else `[payments] save_cards_default`, else False
        (keeping a card is opt-in: the donor's explicit yes). A gift whose
        GiftOptions.save_card is None takes this default as it is at that moment."""
        return self.settings.payments.save_cards_default

    @property
    def can_take_pledges(self) -> bool:
        """The processor makes pay links (Stripe, training's simulator): the window offers
        "Take as a pledge — pay by link" only then."""
        return Capability.PAY_LINK in self.processor.capabilities

    @property
    def can_save_cards(self) -> bool:
        """The processor can keep a card at all (training's simulator and Stripe can): the
        form shows the box only then."""
        return Capability.SAVE_CARD in self.processor.capabilities

    def set_save_cards_default(self, ticked: bool) -> Settings:
        """The lead's switch (Settings tab): the box's default on this station, kept in the
        DB over the config file's and announced as a `settings` change."""
        return self.live.set_save_cards_default(ticked)

    @property
    def reader_is_simulated(self) -> bool:
        """Training's reader, or a test-mode reader Tableside can tap for (test helper)."""
        if self.reader_service is None:
            return False
        return Capability.TEST_TAPS in self.processor.capabilities

    # ---- live views sized for a big night (services/desk_reads.py) ----
    def donations_page(self, query: PageQuery | None = None) -> list[DonationRecord]:
        """One page of donations (newest first by default; search, sort, keyset paging)."""
        return desk_reads.donations_page(self.db, query or PageQuery())

    def donations_changed(self, since: dt.datetime) -> list[DonationRecord]:
        """Donations (or their refunds) written at or after `since`."""
        return desk_reads.donations_changed(self.db, since)

    def desk_stamp(self) -> tuple[object, ...]:
        """Changes whenever a donation or refund is written; cheap to ask every second."""
        return desk_reads.desk_stamp(self.db)

    def job_counts(self) -> JobCounts:
        """Jobs per state and the oldest waiting one, in one grouped query."""
        return desk_reads.job_counts(self.db)

    def close(self) -> None:
        """Stop, close, and let the next station in (the lock goes last); idempotent."""
        if self._closed:
            return
        self._closed = True
        self.parts.close()
        log.info("station closed")


def open_station(
    config_path: str | Path | None = None,
    *,
    data_dir: str | Path | None = None,
    processor: Processor | None = None,
    sender: Sender | None = None,
) -> Station:
    """Open this laptop's station. Raises ConfigError for an unusable config, StationBusy
    when another Tableside has this data dir, StartupError (plain message, fix, folder)
    for a data dir or database it can't use."""
    settings = load_settings(config_path)
    return Station(settings, DataPaths.resolve(data_dir), processor=processor, sender=sender)


# ---- IT's card reader set-up (services/reader_setup.py): no station needed ----


def list_readers(config_path: str | Path | None = None) -> ReaderList:
    """The readers on the config's Stripe account, sorted by label, with the one this
    station uses (`station_reader`); in training mode the training reader. Raises
    ReaderSetupError (message, fix, exit_code) for no key, a refused key or no network."""
    return _list_readers(load_settings(config_path))


def register_reader(
    code: str,
    label: str,
    *,
    location: str | None = None,
    address: Address | None = None,
    config_path: str | Path | None = None,
) -> Registered:
    """Register the reader showing `code` (`simulated-wpe` on a test key) as `label`, at
    `location` or the account's own; with no location on the account one is made for the
    event at `address` (AddressNeeded, a ReaderSetupError, names missing parts first)."""
    settings = load_settings(config_path)
    return _register_reader(settings, code, label, location=location, address=address)


def use_reader(reader_id: str, config_path: str | Path | None = None) -> ReaderInfo:
    """Make `reader_id` this station's reader: checked on the account, then written to
    the config file as `[payments] reader` with `provider = "stripe_terminal"`. Takes
    effect at the next start."""
    return _use_reader(load_settings(config_path), reader_id)
