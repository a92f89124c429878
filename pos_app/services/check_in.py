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
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.domain.cards import Card, card_errors
from pos_app.domain.donor import Donor, donor_errors
from pos_app.domain.states import CardOnFile
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
from pos_app.payments.registry import Capability
from pos_app.store.database import Database
from pos_app.store.models import Attendee, new_id

from . import replay
from .gala_records import AttendeeRecord
from .records import InvalidDonation

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


def checkin_key(attendee_id: str, card_number: int = 1) -> str:
    """The guest's idempotency key for their n-th card: derived from the attendee id."""
    base = f"tableside-checkin-{attendee_id}"
    return base if card_number == 1 else f"{base}-{card_number}"


def paddle_of(value: object) -> str:
    """A paddle number as stored: digits, no leading zeros. Raises InvalidDonation."""
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(
        value, bool) else ""
    if not text.isdigit() or not 0 < len(text) <= PADDLE_DIGITS or int(text) == 0:
        raise InvalidDonation({"paddle": "Type a paddle number (digits only, like 112)."})
    return str(int(text))


class AttendeeService:
    def __init__(self, db: Database, processor: Processor) -> None:
        self.db = db
        self.processor = processor
        self.claims = replay.Claims()  # guests whose card is being saved here right now
        # Told a guest's paddle once a card is on file (their declined pledges go again).
        self.on_card_saved: Callable[[str], object] | None = None

    @property
    def keeps_cards(self) -> bool:
        return Capability.CARD_ON_FILE in self.processor.capabilities

    # ---- check-in ---------------------------------------------------------------------
    def check_in(
        self, donor: Donor, paddle: str | int | None = None, card: Card | None = None
    ) -> AttendeeRecord:
        """Find the guest by email (or add them) with their paddle; save `card` on file."""
        errors: dict[str, str] = {}
        if not isinstance(donor, Donor) or not all(
            isinstance(v, str) for v in (donor.name, donor.email)
        ):
            raise InvalidDonation({"name": "Enter the guest's name and email as text."})
        errors.update(donor_errors(donor))
        if not donor.name.strip() and "name" not in errors:
            errors["name"] = "Enter the guest's name."
        wanted: str | None = None
        if paddle is not None and paddle != "":
            try:
                wanted = paddle_of(paddle)
            except InvalidDonation as exc:
                errors.update(exc.errors)
        if card is not None:
            if not self.keeps_cards:
                errors["card"] = "This station's processor can't keep a card on file."
            else:
                errors.update(card_errors(card))
        if errors:
            raise InvalidDonation(errors)
        attendee_id = self._find_or_add(donor, wanted)
        if card is not None:
            self._take_card(attendee_id, card)
        return self.get(attendee_id)

    def _find_or_add(self, donor: Donor, wanted: str | None) -> str:
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
        raise InvalidDonation({"paddle": "Couldn't find a free paddle number; type one."})

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
                        raise InvalidDonation(
                            {"card": "This guest's card is still being saved; wait a moment."}
                        )
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
            raise InvalidDonation(
                {"card": "This guest's card is being saved right now; wait a moment."}
            ) from None

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

    def settle(self) -> list[AttendeeRecord]:
        """Finish every card left `saving` (a crash, a lost answer) not being saved here
        now: replayed with the same keys; a card that never reached the processor is
        marked failed (nothing was kept)."""
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
                    if other:
                        self._set(attendee_id, CardOnFile.FAILED,
                                  f"Saved with the {row.processor} processor. {ASK_AGAIN}")
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


def _card_number(key: str | None, attendee_id: str) -> int:
    """How many cards this guest has offered so far (from the stored key)."""
    if not key:
        return 0
    base = checkin_key(attendee_id)
    if key == base:
        return 1
    tail = key.removeprefix(base + "-")
    return int(tail) if tail.isdigit() else 1


def _refused(exc: Declined) -> str:
    """The bank's reason, then what to do: "The card was declined. Ask for another card." """
    reason = DECLINE_MESSAGES.get(exc.decline_code) or exc.message.split(". ")[0] + "."
    return f"{reason} {ASK_AGAIN}"
