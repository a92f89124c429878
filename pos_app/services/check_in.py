"""Check-in at the door: a paddle number for the guest, and maybe a card on file.

The card is kept with no charge: a SetupIntent for the guest's Customer, confirmed with the
keyed card's PaymentMethod (usage off_session), so pledges can be charged later with nobody
at the table. The crash-safety rules are the charge's (services/replay.py): the attendee
row and its idempotency key exist before any processor call; every step's key is derived
from that key (itself derived from the attendee id), and each id the processor hands back
(PaymentMethod, Customer, SetupIntent) is committed before the next step. Once the card's
token exists, a failure is never final: the row stays `saving` and `settle()` (the
background settle loop) finishes the steps with the same keys. Card data stays in memory
for the tokenizing call only; the row holds tokens, brand and last four.

Or the card is read on the station's card reader (`save_card_from_reader`, where a reader
is set): a card_present SetupIntent for the guest's Customer (usage off_session), handed
to the reader with `process_setup_intent`; the reader's action is followed until the
guest's tap, chip or swipe ends it, the volunteer cancels or `reader_timeout` passes, and
any ending but a kept card cancels the reader action and the SetupIntent, so no reader can
complete it later. The card kept is the reusable `card` PaymentMethod Stripe generates
from the one read (latest_attempt...card_present.generated_card). Its key ends in `-r`
(`checkin_key(..., reader=True)`), which is how settling knows a reader setup: one in
doubt is resolved by reading the SetupIntent back (and cancelling what is left), never by
handing it to the reader again. Card data never reaches the laptop at all.

The guest's language (`language`, "en" or "es"; None is the event's default) is chosen at
check-in and written on the guest: every pledge made for them copies it onto its gift's
`receipt_language` (services/paddle_raise.py), so the receipt after the charge and a
checkout pay link are written in it. Changed at a later check-in, it is changed on the
guest's pledges not charged yet too (nothing has been sent for them).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.domain.cards import Card, card_errors
from pos_app.domain.donor import Donor, donor_errors
from pos_app.domain.states import CardOnFile, DonationState
from pos_app.faults import crashpoint
from pos_app.payments.base import (
    DECLINE_MESSAGES,
    Declined,
    KeepsCardOnFile,
    Permanent,
    Processor,
    ProcessorError,
    SaveCardRequest,
    SetupCardRequest,
    Transient,
)
from pos_app.payments.card_present import (
    OFFLINE_MESSAGE,
    CardPresentSetup,
    ReaderProcessor,
    ReaderSetupRequest,
    ReaderUnavailable,
)
from pos_app.payments.registry import Capability
from pos_app.receipts.i18n import LOCALES
from pos_app.store.database import Database
from pos_app.store.models import Attendee, Donation, Pledge, new_id, utcnow

from . import replay
from .gala_records import AttendeeRecord
from .records import InvalidDonation

if TYPE_CHECKING:
    from .reader import ReaderService

log = logging.getLogger(__name__)

FIRST_PADDLE = 100  # paddles handed out without a typed number start here
PADDLE_DIGITS = 6
ASK_AGAIN = "Ask for another card."
NOT_KEPT = "Couldn't reach the processor, so the card was not kept. Try again."
CHECKING = (
    "Not confirmed yet: Tableside keeps checking with the processor. The guest can go in; "
    "the card shows as on file once confirmed."
)
NEEDS_AUTH = (
    "The card's bank wants the guest to confirm it, which can't be done at the table. "
    + ASK_AGAIN
)
NEVER_SENT = "Tableside stopped before the card reached the processor. " + ASK_AGAIN
# the card on the reader (save_card_from_reader)
NOT_ON_READER = "The card was not kept."
ON_READER = "Waiting for the card on the reader."
NO_READER = "This station has no card reader."
CANT_KEEP = "This station's processor can't keep a card on file."
READER_CANCELLED = f"Cancelled on the reader. {NOT_ON_READER}"
READER_TIMED_OUT = f"The reader timed out waiting for a card. {NOT_ON_READER} Try again."
READER_STOPPED = "The reader stopped before the card was read"
READER_NEVER_SENT = (
    f"Tableside stopped before the reader asked for the card. {NOT_ON_READER} Try again."
)
NO_GENERATED = "This card can't be kept on file (a phone wallet can't be). " + ASK_AGAIN
NOT_THIS_GUEST = "The reader's answer was for another guest. " + ASK_AGAIN
# check-in's own refusals, one fixed sentence each (ui/core_text.py translates them)
NAME_AS_TEXT = "Enter the guest's name and email as text."
NAME_MISSING = "Enter the guest's name."
PADDLE_DIGITS_ONLY = "Type a paddle number (digits only, like 112)."
NO_FREE_PADDLE = "Couldn't find a free paddle number; type one."
STILL_SAVING = "This guest's card is still being saved; wait a moment."
SAVING_NOW = "This guest's card is being saved right now; wait a moment."
READER_BUSY = "The reader is waiting for another guest's card; finish or cancel that first."
# the languages receipts are written in (receipts/i18n.py): "es", "es-MX", "ES" are Spanish
LANGUAGE_PROBLEM = "Receipts are written in English (en) or Spanish (es)."
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{2,8})?")
SETUP_CHECK_EVERY = 4  # polls of the reader per read of the SetupIntent itself
READER_SUFFIX = "-r"


def checkin_key(attendee_id: str, card_number: int = 1, reader: bool = False) -> str:
    """The guest's idempotency key for their n-th card: derived from the attendee id; a
    card read on the reader ends in `-r` (settling reads such a setup back)."""
    base = f"tableside-checkin-{attendee_id}"
    key = base if card_number == 1 else f"{base}-{card_number}"
    return key + READER_SUFFIX if reader else key


def is_reader_key(key: str | None) -> bool:
    return bool(key) and str(key).endswith(READER_SUFFIX)


def paddle_of(value: object) -> str:
    """A paddle number as stored: digits, no leading zeros. Raises InvalidDonation."""
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(
        value, bool) else ""
    if not text.isdigit() or not 0 < len(text) <= PADDLE_DIGITS or int(text) == 0:
        raise InvalidDonation({"paddle": PADDLE_DIGITS_ONLY})
    return str(int(text))


def language_of(value: object) -> str | None:
    """A guest's receipt language as stored: "en" or "es" (a region or the case of the
    letters doesn't matter: "es-MX", "ES"); None or "" is no choice (the event's default,
    or what the guest has). Anything else raises InvalidDonation on field "language"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    tag = _LANGUAGE_TAG.fullmatch(value.strip()) if isinstance(value, str) else None
    if tag is None or tag[1].lower() not in LOCALES:
        raise InvalidDonation({"language": LANGUAGE_PROBLEM})
    return tag[1].lower()


class AttendeeService:
    def __init__(self, db: Database, processor: Processor) -> None:
        self.db = db
        self.processor = processor
        self.claims = replay.Claims()  # guests whose card is being saved here right now
        # Told a guest's paddle once a card is on file (their declined pledges go again).
        self.on_card_saved: Callable[[str], object] | None = None
        # The station's reader (composition.py sets it when one is set up): its reader,
        # poll interval, call timeout and reader_timeout are the reader gifts' own.
        self.reader_service: ReaderService | None = None
        self._reader_lock = threading.Lock()
        self._reader_cancel = threading.Event()
        self._on_reader: str | None = None  # the guest whose card the reader waits for

    @property
    def has_reader(self) -> bool:
        """A card can be kept from the reader here: a reader, and a processor that keeps
        cards on file."""
        return self.reader_service is not None and self.keeps_cards

    @property
    def keeps_cards(self) -> bool:
        return Capability.CARD_ON_FILE in self.processor.capabilities

    # ---- check-in ---------------------------------------------------------------------
    def check_in(
        self,
        donor: Donor,
        paddle: str | int | None = None,
        card: Card | None = None,
        language: str | None = None,
    ) -> AttendeeRecord:
        """Find the guest by email (or add them) with their paddle; save `card` on file.
        `language` ("en" | "es") is their receipts' language; None leaves a found guest's
        as it is (a new guest: the event's default)."""
        errors: dict[str, str] = {}
        if not isinstance(donor, Donor) or not all(
            isinstance(v, str) for v in (donor.name, donor.email)
        ):
            raise InvalidDonation({"name": NAME_AS_TEXT})
        errors.update(donor_errors(donor))
        if not donor.name.strip() and "name" not in errors:
            errors["name"] = NAME_MISSING
        wanted: str | None = None
        if paddle is not None and paddle != "":
            try:
                wanted = paddle_of(paddle)
            except InvalidDonation as exc:
                errors.update(exc.errors)
        try:
            lang = language_of(language)
        except InvalidDonation as exc:
            errors.update(exc.errors)
        if card is not None:
            if not self.keeps_cards:
                errors["card"] = CANT_KEEP
            else:
                errors.update(card_errors(card))
        if errors:
            raise InvalidDonation(errors)
        attendee_id = self._find_or_add(donor, wanted, lang)
        if card is not None:
            self._take_card(attendee_id, card)
        return self.get(attendee_id)

    def _find_or_add(self, donor: Donor, wanted: str | None, language: str | None) -> str:
        email = donor.email.strip()
        for _ in range(5):  # another station-thread may take the same free paddle: again
            with self.db.session() as s:
                found = None
                if email:
                    found = s.scalar(
                        select(Attendee).where(func.lower(Attendee.email) == email.lower())
                    )
                if found is not None:
                    if wanted is not None and wanted != found.paddle:
                        raise InvalidDonation({
                            "paddle": f"{found.name} is already checked in with paddle "
                                      f"{found.paddle}."
                        })
                    if language is not None and language != found.language:
                        found.language = language
                        _relanguage_pledges(s, found.paddle, language)
                    return found.id
                if wanted is not None:
                    holder = s.scalar(select(Attendee).where(Attendee.paddle == wanted))
                    if holder is not None:
                        raise InvalidDonation(
                            {"paddle": f"Paddle {wanted} is taken ({holder.name})."}
                        )
                row = Attendee(
                    id=new_id(),
                    paddle=wanted or self._next_free(s),
                    name=donor.name.strip(),
                    email=email,
                    card_state=CardOnFile.NONE.value,
                    language=language,
                )
                s.add(row)
                try:
                    s.flush()
                except IntegrityError:
                    s.rollback()
                    if wanted is not None:
                        raise InvalidDonation(
                            {"paddle": f"Paddle {wanted} is taken."}
                        ) from None
                    continue
                log.info("guest %s checked in with paddle %s", row.id, row.paddle)
                return row.id
        raise InvalidDonation({"paddle": NO_FREE_PADDLE})

    @staticmethod
    def _next_free(s: Session) -> str:
        taken = {int(p) for p in s.scalars(select(Attendee.paddle)) if p.isdigit()}
        n = FIRST_PADDLE
        while n in taken:
            n += 1
        return str(n)

    def next_free_paddle(self) -> str:
        """The number check-in would hand out now (the screen shows it as a hint)."""
        with self.db.session() as s:
            return self._next_free(s)

    # ---- the card on file -------------------------------------------------------------
    def _take_card(self, attendee_id: str, card: Card) -> None:
        try:
            with self.claims.held(attendee_id):
                with self.db.session() as s:
                    row = s.get(Attendee, attendee_id)
                    assert row is not None
                    if row.card_state == CardOnFile.SAVING.value:
                        raise InvalidDonation({"card": STILL_SAVING})
                    # a fresh key per card: the same key with another card would be refused
                    number = _card_number(row.idempotency_key, attendee_id) + 1
                    row.idempotency_key = checkin_key(attendee_id, number)
                    row.card_state = CardOnFile.SAVING.value
                    if row.processor != self.processor.name:
                        row.customer_id = None  # another card keeps the guest's Customer
                    row.processor = self.processor.name
                    row.brand, row.last4 = card.brand.key, card.last4
                    row.payment_method_id = row.setup_intent_id = None
                    row.message = None
                    key = row.idempotency_key
                crashpoint("checkin_after_row")
                try:
                    pm = self.processor.create_payment_method(card, f"{key}-pm")
                except ProcessorError as exc:
                    message = (
                        _refused(exc) if isinstance(exc, Declined) else
                        NOT_KEPT if isinstance(exc, Transient) else exc.message
                    )
                    self._set(attendee_id, CardOnFile.FAILED, message)
                    log.info("guest %s: card not kept (%s)", attendee_id, exc.detail)
                    return
                with self.db.session() as s:
                    row = s.get(Attendee, attendee_id)
                    assert row is not None
                    row.payment_method_id = pm.id
                    row.brand, row.last4 = pm.brand, pm.last4
                crashpoint("checkin_after_payment_method")
                self._set_up(attendee_id)
        except replay.Busy:
            raise InvalidDonation({"card": SAVING_NOW}) from None

    def _set_up(self, attendee_id: str) -> None:
        """Customer, SetupIntent, confirm: each id committed before the next call; any
        failure after the token exists leaves the row `saving` for the settle loop, except
        an answer that says the card can't be kept."""
        keeper = cast(KeepsCardOnFile, self.processor)
        with self.db.session() as s:
            row = s.get(Attendee, attendee_id)
            assert row is not None and row.payment_method_id and row.idempotency_key
            key, name, email = row.idempotency_key, row.name, row.email
            customer, seti, pm = row.customer_id, row.setup_intent_id, row.payment_method_id
        try:
            if customer is None:
                customer = keeper.create_customer(
                    SaveCardRequest(attendee_id, pm, key, name=name, email=email,
                                    metadata_key="attendee_id")
                )
                self._keep(attendee_id, customer_id=customer)
                crashpoint("checkin_after_customer")
            request = SetupCardRequest(attendee_id, customer, pm, key, seti)
            if seti is None:
                seti = keeper.create_setup_intent(request)
                self._keep(attendee_id, setup_intent_id=seti)
                request = SetupCardRequest(attendee_id, customer, pm, key, seti)
                crashpoint("checkin_after_setup_intent")
            result = keeper.confirm_setup_intent(request)
            crashpoint("checkin_after_confirm")
        except Transient as exc:
            self._set(attendee_id, CardOnFile.SAVING, CHECKING)
            log.info("guest %s: card not confirmed yet (%s)", attendee_id, exc.detail)
            return
        except Declined as exc:
            self._set(attendee_id, CardOnFile.FAILED, _refused(exc))
            log.info("guest %s: card refused (%s)", attendee_id, exc.detail)
            return
        except Permanent as exc:
            self._set(attendee_id, CardOnFile.FAILED, exc.message)
            log.info("guest %s: card not kept (%s)", attendee_id, exc.detail)
            return
        if result.saved:
            self._set(attendee_id, CardOnFile.SAVED, None)
            log.info("guest %s: card on file (%s)", attendee_id, seti)
            if self.on_card_saved is not None:
                self.on_card_saved(self.get(attendee_id).paddle)
        elif result.status == "requires_action":
            try:
                cancel = getattr(keeper, "cancel_setup_intent", None)
                if cancel is not None:
                    cancel(request)
            except ProcessorError as exc:  # it expires unused anyway
                log.info("guest %s: SetupIntent not cancelled (%s)", attendee_id, exc.detail)
            self._set(attendee_id, CardOnFile.FAILED, NEEDS_AUTH)
        else:  # processing: the bank hasn't said yet
            self._set(attendee_id, CardOnFile.SAVING, CHECKING)

    def _keep(self, attendee_id: str, **ids: str) -> None:
        with self.db.session() as s:
            row = s.get(Attendee, attendee_id)
            assert row is not None
            for name, value in ids.items():
                setattr(row, name, value)

    def _set(self, attendee_id: str, state: CardOnFile, message: str | None) -> None:
        with self.db.session() as s:
            row = s.get(Attendee, attendee_id)
            assert row is not None
            row.card_state, row.message = state.value, message

    # ---- the card on the reader ---------------------------------------------------------
    def save_card_from_reader(self, attendee_id: str) -> AttendeeRecord:
        """Keep the guest's card read on the station's reader, with no charge. Returns when
        it is settled: kept, refused (in words), cancelled, timed out, or `saving` when the
        answer is in doubt (the settle loop reads it back). Raises InvalidDonation when no
        reader is set up, the processor can't keep cards, or the guest's card is being
        saved already; KeyError for an unknown guest."""
        service = self.reader_service
        if service is None:
            raise InvalidDonation({"card": NO_READER})
        if not self.keeps_cards:
            raise InvalidDonation({"card": CANT_KEEP})
        self.get(attendee_id)
        with self._reader_lock:
            if self._on_reader is not None:
                raise InvalidDonation({"card": READER_BUSY})
            self._on_reader = attendee_id
            self._reader_cancel.clear()
        try:
            with self.claims.held(attendee_id):
                key = self._reader_row(attendee_id)
                crashpoint("checkin_reader_after_row")
                self._reader_setup(attendee_id, key, service)
        except replay.Busy:
            raise InvalidDonation({"card": SAVING_NOW}) from None
        finally:
            with self._reader_lock:
                self._on_reader = None
        return self.get(attendee_id)

    def cancel_reader(self) -> bool:
        """The volunteer's Cancel while the reader waits: True when one was waiting; its
        save_card_from_reader() call then returns saying the card was not kept (or kept,
        when the guest's tap got there first)."""
        with self._reader_lock:
            if self._on_reader is None:
                return False
            self._reader_cancel.set()
            return True

    @property
    def on_reader(self) -> str | None:
        """The guest whose card the reader is waiting for now (None when idle)."""
        return self._on_reader

    def _reader_row(self, attendee_id: str) -> str:
        """The row before any processor call: a fresh key for this card, `saving`."""
        with self.db.session() as s:
            row = s.get(Attendee, attendee_id)
            assert row is not None
            if row.card_state == CardOnFile.SAVING.value:
                raise InvalidDonation({"card": STILL_SAVING})
            number = _card_number(row.idempotency_key, attendee_id) + 1
            row.idempotency_key = checkin_key(attendee_id, number, reader=True)
            row.card_state = CardOnFile.SAVING.value
            if row.processor != self.processor.name:
                row.customer_id = None
            row.processor = self.processor.name
            row.brand = row.last4 = row.payment_method_id = row.setup_intent_id = None
            row.message = ON_READER
            return row.idempotency_key

    def _reader_setup(self, attendee_id: str, key: str, service: ReaderService) -> None:
        reader, t = service.reader, service.call_timeout
        keeper = cast(KeepsCardOnFile, self.processor)
        with self.db.session() as s:
            row = s.get(Attendee, attendee_id)
            assert row is not None
            name, email, customer = row.name, row.email, row.customer_id
        try:
            if customer is None:
                customer = keeper.create_customer(
                    SaveCardRequest(attendee_id, "", key, name=name, email=email,
                                    metadata_key="attendee_id")  # fmt: skip
                )
                self._keep(attendee_id, customer_id=customer)
                crashpoint("checkin_reader_after_customer")
            request = ReaderSetupRequest(attendee_id, customer, key)
            seti = reader.create_reader_setup(request, t)
        except ProcessorError as exc:  # nothing was handed to the reader: nothing kept
            message = NOT_KEPT if isinstance(exc, Transient) else f"{exc.message} {NOT_ON_READER}"
            self._set(attendee_id, CardOnFile.FAILED, message)
            log.info("guest %s: reader setup not started (%s)", attendee_id, exc.detail)
            return
        self._keep(attendee_id, setup_intent_id=seti)
        crashpoint("checkin_reader_after_setup_intent")
        try:
            reader.process_setup(request, seti, t)
        except ReaderUnavailable as exc:
            self._set(attendee_id, CardOnFile.FAILED, f"{exc.message} {NOT_ON_READER}")
            log.info("guest %s: reader refused the setup (%s)", attendee_id, exc.detail)
            return
        except Transient as exc:
            if not exc.maybe_charged:
                self._set(attendee_id, CardOnFile.FAILED, NOT_KEPT)
                return
            log.info("guest %s: process_setup answer lost (%s); watching", attendee_id,
                     exc.detail)  # fmt: skip
        except ProcessorError as exc:
            self._set(attendee_id, CardOnFile.FAILED, f"{exc.message} {NOT_ON_READER}")
            log.info("guest %s: setup not handed to the reader (%s)", attendee_id, exc.detail)
            return
        crashpoint("checkin_reader_waiting")
        self._follow(attendee_id, request, seti, service)

    def _follow(
        self, attendee_id: str, request: ReaderSetupRequest, seti: str, service: ReaderService
    ) -> None:
        """Watch the reader's action (the SetupIntent too, every few polls) until it ends."""
        reader, t = service.reader, service.call_timeout
        deadline = time.monotonic() + service.reader_timeout
        offline = False
        n = 0
        while True:
            if self._reader_cancel.is_set():
                return self._end_setup(attendee_id, request, seti, service, READER_CANCELLED)
            if time.monotonic() >= deadline:
                why = f"{OFFLINE_MESSAGE} {NOT_ON_READER}" if offline else READER_TIMED_OUT
                return self._end_setup(attendee_id, request, seti, service, why)
            n += 1
            try:
                action = reader.reader_action(t)
                offline = action.reader_status == "offline"
                ours = action.type == "process_setup_intent" and action.setup_intent_id == seti
                if (ours and action.status == "succeeded") or not ours or (
                        n % SETUP_CHECK_EVERY == 0):  # fmt: skip
                    setup = reader.setup(seti, t)
                    if setup.status == "succeeded":
                        crashpoint("checkin_reader_after_tap")
                        return self._kept(attendee_id, request, setup)
                    if not ours and not offline:  # the reader dropped it (another station)
                        why = f"{READER_STOPPED}. {NOT_ON_READER}"
                        return self._end_setup(attendee_id, request, seti, service, why)
                if ours and action.status == "failed":
                    if action.failure_code == "card_declined":
                        return self._end_setup(attendee_id, request, seti, service, "",
                                               declined=True)  # fmt: skip
                    reason = action.failure_message.rstrip(".") or action.failure_code
                    why = f"{READER_STOPPED}: {reason}. {NOT_ON_READER}"
                    return self._end_setup(attendee_id, request, seti, service, why)
            except ProcessorError as exc:  # keep watching until the deadline
                log.info("guest %s: reader poll failed: %s", attendee_id, exc.detail)
            self._reader_cancel.wait(service.poll_s)

    def _end_setup(
        self,
        attendee_id: str,
        request: ReaderSetupRequest,
        seti: str,
        service: ReaderService,
        message: str,
        *,
        declined: bool = False,
    ) -> None:
        """Stop the reader (when it is on this SetupIntent) and cancel the SetupIntent, so
        no reader can keep the card later. One that succeeded first is kept; no answer is
        in doubt (settled later), never an error."""
        reader, t = service.reader, service.call_timeout
        _stop_reader(reader, seti, t, attendee_id)
        try:
            setup = reader.cancel_setup(request, seti, t)
        except ProcessorError as exc:
            self._set(attendee_id, CardOnFile.SAVING, CHECKING)
            log.info("guest %s: cancel of %s unanswered: %s", attendee_id, seti, exc.detail)
            return
        self._settled(attendee_id, request, setup, message, declined=declined)

    def _settled(
        self,
        attendee_id: str,
        request: ReaderSetupRequest,
        setup: CardPresentSetup,
        message: str,
        *,
        declined: bool = False,
    ) -> None:
        if setup.status == "succeeded":
            self._kept(attendee_id, request, setup)
        elif setup.status == "processing":
            self._set(attendee_id, CardOnFile.SAVING, CHECKING)
        else:
            if declined or setup.decline_code:
                message = _refused_code(setup.decline_code)
            self._set(attendee_id, CardOnFile.FAILED, message)
            log.info("guest %s: card not kept from the reader (%s %s)", attendee_id,
                     setup.status, setup.decline_code)  # fmt: skip

    def _kept(self, attendee_id: str, request: ReaderSetupRequest, setup: CardPresentSetup) -> None:
        """A succeeded SetupIntent: its generated card is the guest's card on file."""
        if setup.customer_ref not in (None, request.customer_id) or setup.attendee_ref not in (
                None, attendee_id):  # fmt: skip
            self._set(attendee_id, CardOnFile.FAILED, NOT_THIS_GUEST)
            log.warning("guest %s: %s is for %s/%s", attendee_id, setup.setup_intent_id,
                        setup.customer_ref, setup.attendee_ref)  # fmt: skip
            return
        if setup.generated_card is None:
            self._set(attendee_id, CardOnFile.FAILED, NO_GENERATED)
            log.info("guest %s: %s made no reusable card", attendee_id, setup.setup_intent_id)
            return
        with self.db.session() as s:
            row = s.get(Attendee, attendee_id)
            assert row is not None
            row.payment_method_id = setup.generated_card
            row.brand, row.last4 = setup.brand, setup.last4
            row.card_state, row.message = CardOnFile.SAVED.value, None
            paddle = row.paddle
        log.info("guest %s: card on file from the reader (%s)", attendee_id,
                 setup.setup_intent_id)  # fmt: skip
        if self.on_card_saved is not None:
            self.on_card_saved(paddle)

    def _settle_reader(self, attendee_id: str, service: ReaderService) -> None:
        """A reader setup in doubt (a crash, a lost answer): read the SetupIntent back;
        stop a reader action left hanging and cancel what didn't finish. Never handed to
        the reader again."""
        reader, t = service.reader, service.call_timeout
        with self.db.session() as s:
            row = s.get(Attendee, attendee_id)
            assert row is not None and row.idempotency_key
            seti, customer, key = row.setup_intent_id, row.customer_id, row.idempotency_key
        if seti is None or customer is None:
            self._set(attendee_id, CardOnFile.FAILED, READER_NEVER_SENT)
            return
        request = ReaderSetupRequest(attendee_id, customer, key)
        try:
            action = reader.reader_action(t)
            if action.setup_intent_id == seti and action.status == "in_progress":
                log.info("guest %s: cancelling the reader action left hanging", attendee_id)
                reader.cancel_reader_action(t)
            setup = reader.setup(seti, t)
            if setup.status not in ("succeeded", "canceled", "processing"):
                setup = reader.cancel_setup(request, seti, t)
        except ProcessorError as exc:
            self._set(attendee_id, CardOnFile.SAVING, CHECKING)
            log.info("guest %s: reader setup still in doubt (%s)", attendee_id, exc.detail)
            return
        self._settled(attendee_id, request, setup, f"{READER_STOPPED}. {NOT_ON_READER}")

    def _maybe_live(self, row: Attendee) -> bool:
        """A reader setup that another process may still be following (it waits at most
        reader_timeout plus a few calls): left alone until that time has passed."""
        service = self.reader_service
        if row.message != ON_READER or service is None:
            return False
        grace = service.reader_timeout + 4 * service.call_timeout
        updated = row.updated_at
        if updated.tzinfo is None:
            updated = updated.replace(tzinfo=dt.UTC)
        return utcnow() - updated < dt.timedelta(seconds=grace)

    def settle(self) -> list[AttendeeRecord]:
        """Finish every card left `saving` (a crash, a lost answer) not being saved here
        now: replayed with the same keys; a card that never reached the processor is
        marked failed (nothing was kept). A card on the reader is read back instead."""
        with self.db.session() as s:
            # Only a guest who offered a card has a key: its unique index keeps this read
            # (every few seconds) off the rest of the guest list.
            ids = list(s.scalars(
                select(Attendee.id).where(Attendee.idempotency_key > "",
                                          Attendee.card_state == CardOnFile.SAVING.value)
            ))
        done = []
        for attendee_id in ids:
            try:
                with self.claims.held(attendee_id):
                    with self.db.session() as s:
                        row = s.get(Attendee, attendee_id)
                        if row is None or row.card_state != CardOnFile.SAVING.value:
                            continue
                        tokenized = row.payment_method_id is not None
                        other = row.processor not in (None, self.processor.name)
                        on_reader = is_reader_key(row.idempotency_key)
                        if on_reader and (self.reader_service is None or self._maybe_live(row)):
                            continue  # read back where a reader is (and nobody follows it)
                    if other:
                        self._set(attendee_id, CardOnFile.FAILED,
                                  f"Saved with the {row.processor} processor. {ASK_AGAIN}")
                    elif on_reader:
                        assert self.reader_service is not None
                        self._settle_reader(attendee_id, self.reader_service)
                    elif not tokenized:
                        self._set(attendee_id, CardOnFile.FAILED, NEVER_SENT)
                    else:
                        self._set_up(attendee_id)
                    done.append(self.get(attendee_id))
            except replay.Busy:
                continue
        return done

    # ---- reading ----------------------------------------------------------------------
    def get(self, attendee_id: str) -> AttendeeRecord:
        with self.db.session() as s:
            row = s.get(Attendee, attendee_id)
            if row is None:
                raise KeyError(attendee_id)
            return AttendeeRecord.of(row)

    def by_paddle(self, paddle: str | int) -> AttendeeRecord | None:
        number = paddle_of(paddle)
        with self.db.session() as s:
            row = s.scalar(select(Attendee).where(Attendee.paddle == number))
            return AttendeeRecord.of(row) if row is not None else None

    def list(self, query: str = "") -> list[AttendeeRecord]:
        """Every guest by paddle number; `query` finds by name, email or paddle."""
        q = query.strip().lower()
        with self.db.session() as s:
            stmt = select(Attendee)
            if q:
                like = f"%{q}%"
                stmt = stmt.where(
                    func.lower(Attendee.name).like(like)
                    | func.lower(Attendee.email).like(like)
                    | (Attendee.paddle == q)
                )
            rows = [AttendeeRecord.of(r) for r in s.scalars(stmt)]
        return sorted(rows, key=lambda r: (len(r.paddle), r.paddle))


def _relanguage_pledges(s: Session, paddle: str, language: str) -> None:
    """The guest's pledges not charged yet (waiting, or declined and waiting for another
    card) take their new language: their receipt and pay link haven't gone out."""
    s.execute(
        update(Donation)
        .where(Donation.paddle == paddle,
               Donation.state.in_([DonationState.PLEDGED.value, DonationState.DECLINED.value]),
               Donation.id.in_(select(Pledge.donation_id).where(Pledge.paddle == paddle)))
        .values(receipt_language=language)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


def _card_number(key: str | None, attendee_id: str) -> int:
    """How many cards this guest has offered so far (from the stored key)."""
    if not key:
        return 0
    key = key.removesuffix(READER_SUFFIX)
    base = checkin_key(attendee_id)
    if key == base:
        return 1
    tail = key.removeprefix(base + "-")
    return int(tail) if tail.isdigit() else 1


def _refused_code(decline_code: str) -> str:
    """A refusal the reader reported: "The card was declined. Ask for another card." """
    reason = DECLINE_MESSAGES.get(decline_code) or DECLINE_MESSAGES["generic_decline"]
    return f"{reason} {ASK_AGAIN}"


def _stop_reader(reader: ReaderProcessor, seti: str, timeout: float, attendee_id: str) -> None:
    """Cancel the reader's action if it is this SetupIntent's (or can't be read: then most
    likely ours, as it was handed to the reader); never another station's gift."""
    try:
        action = reader.reader_action(timeout)
    except ProcessorError as exc:
        log.info("guest %s: reader unreadable before cancel: %s", attendee_id, exc.detail)
    else:
        if action.setup_intent_id != seti or action.status != "in_progress":
            return
    try:
        reader.cancel_reader_action(timeout)
    except ProcessorError as exc:  # offline, nothing to cancel: the SetupIntent cancel decides
        log.info("guest %s: cancel_action: %s", attendee_id, exc.detail)


def _refused(exc: Declined) -> str:
    """The bank's reason, then what to do: "The card was declined. Ask for another card." """
    reason = DECLINE_MESSAGES.get(exc.decline_code) or exc.message.split(". ")[0] + "."
    return f"{reason} {ASK_AGAIN}"
