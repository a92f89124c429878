"""Taking donations: the crash-safe charge protocol from DESIGN.md.

1. Check input locally. 2. Write the row (`charging`, fresh idempotency key) and commit.
3. Tokenize the card, persist the PaymentMethod id, then charge with the key, off any
   transaction. 4. Record the result in one transaction (follow-up jobs join it).

A charge whose answer was lost is `in_doubt`: `settle()` replays it with the same key and
the same parameters (rebuilt from the row) until the processor says what happened.
Card data stays in memory: only while a charge runs, and for a failed attempt that never
reached the processor until the volunteer retries or moves on.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from types import SimpleNamespace
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from pos_app.domain.cards import Card, card_errors, contains_card_data
from pos_app.domain.donor import Donor, donor_errors, text_error
from pos_app.domain.gift import NO_OPTIONS, FeeRule, GiftOptions, gift_columns, option_errors
from pos_app.domain.money import AmountError, check_amount, format_cents
from pos_app.domain.states import DonationState, Method
from pos_app.faults import crashpoint
from pos_app.payments.base import (
    ChargeRequest,
    ChargeResult,
    Declined,
    Processor,
    ProcessorError,
    Transient,
    answer_problem,
)
from pos_app.settings import Event, Payments
from pos_app.store.database import Database
from pos_app.store.disk import DISK_FULL, STORAGE_ERRORS, disk_full
from pos_app.store.models import Donation, new_id, utcnow

from . import replay
from .records import DonationRecord, InvalidDonation, Outcome
from .replay import Verdict

log = logging.getLogger(__name__)

# Called inside the transaction that records an approval or a cash gift, so follow-up
# jobs commit atomically with it (the transactional outbox). Returns ids to enqueue.
class ApprovalHook(Protocol):
    """Adds a gift's follow-up jobs to the caller's transaction; returns their ids. `new`:
    the gift was created in this very call (it has no jobs yet)."""

    def __call__(
        self, s: Session | Connection, donation: Donation, *, new: bool = False
    ) -> list[str]: ...

NOT_CHARGED = "Couldn't reach the processor. Nothing was charged."
IN_DOUBT = (
    "No answer from the processor, so this charge is not confirmed yet. "
    "Don't charge again: Tableside will check it as soon as the processor is reachable."
)
# The processor answered (or may have acted) but the answer could not be written down.
PROCESSING = (
    "Waiting for the bank to confirm. You can take the next donor: this gift finishes by "
    "itself, and the lead sees it."
)
MISMATCH = (
    "Not approved: {problem}. Don't charge this card again; the event lead will check "
    "this payment with the processor."
)
NOT_RECORDED = (
    "The processor answered, but Tableside could not save the answer{why}. This charge is "
    "not confirmed yet. Don't charge again: Tableside will check it and update this gift."
)
DISK_FULL_WHY = " (the laptop's disk is full: free space)"
NOT_SAVED_CASH = "The laptop's disk is full: free space, then record this gift again."


class DonationService:
    def __init__(
        self,
        db: Database,
        processor: Processor,
        *,
        currency: str,
        event: Callable[[], Event],
        max_amount_cents: int,
    ) -> None:
        """`event`: the event as it is now (the lead may rename it): each gift keeps the
        station's and the event's names as they were when it was taken."""
        self.db = db
        self.processor = processor
        self.currency = currency
        self.event = event
        self.max_amount_cents = max_amount_cents
        self.on_recorded: ApprovalHook | None = None
        # Called inside the transaction that records any answer, for what follows a gift's
        # state (a pledge: services/paddle_raise.py).
        self.on_settled: Callable[[Session, Donation], None] | None = None
        self.after_commit: Callable[[list[str]], None] | None = None
        self._lock = threading.Lock()
        self.claims = replay.Claims()  # donations being charged by this process right now
        self._active = self.claims.active
        self._held_cards: dict[str, Card] = {}  # memory only, for Retry of a failed attempt
        # Settles a card-present gift (services/reader.py), which is never replayed here.
        self.settle_reader: Callable[[str], Outcome] | None = None
        self._acted: set[str] = set()  # charges sent in this call: a failure now is in doubt
        self._new_gifts: set[str] = set()  # take_card running for a gift it just created
        self.fee_rule = FeeRule()  # cover the fee: set from [fees] by the station
        # The lead's default for consent to keep a card, read at each gift (live settings).
        self.save_card_default: Callable[[], bool] = lambda: Payments().save_cards_default

    def taken_here(self) -> dict[str, str]:
        """The columns that say where and at what a gift was taken, as they are now."""
        event = self.event()
        return {"station": event.station, "event_name": event.name}

    # ---- checks -----------------------------------------------------------------------
    def validate(
        self,
        amount_cents: int,
        donor: Donor,
        card: Card | None = None,
        options: GiftOptions = NO_OPTIONS,
    ) -> None:
        errors: dict[str, str] = {}
        try:
            # The gift itself first: `True + 0` is 1 and "50" + fee is a TypeError, so the
            # type is checked before any arithmetic on it.
            check_amount(amount_cents, self.max_amount_cents)
            check_amount(amount_cents + self.fee_for(amount_cents, options), self.max_amount_cents)
        except AmountError as exc:
            errors["amount"] = str(exc)
        if not isinstance(donor, Donor) or not all(
            isinstance(v, str) for v in (donor.name, donor.email)
        ):
            raise InvalidDonation({"name": "Enter the donor's name and email as text."})
        errors.update(donor_errors(donor))
        errors.update(option_errors(options))
        if card is not None:
            errors.update(card_errors(card))
        if errors:
            raise InvalidDonation(errors)

    def with_consent(self, options: GiftOptions) -> GiftOptions:
        """The options with the save-card answer settled: the form's, else the lead's
        default as it is now. What is stored with the gift is this answer."""
        if options.save_card is not None:
            return options
        return dataclasses.replace(options, save_card=bool(self.save_card_default()))

    def fee_for(self, gift_cents: int, options: GiftOptions = NO_OPTIONS) -> int:
        """The fee the donor adds when they cover it (0 when they don't)."""
        return self.fee_rule.fee_for(gift_cents) if options.cover_fee else 0

    # ---- cash and check ---------------------------------------------------------------
    def record(
        self,
        amount_cents: int,
        donor: Donor,
        method: str,
        check_number: str = "",
        options: GiftOptions = NO_OPTIONS,
    ) -> Outcome:
        """Cash and check have no processing fee: `cover_fee` is ignored."""
        m = Method(method)
        if m is Method.CARD:
            raise ValueError("Card donations go through take_card_donation().")
        options = dataclasses.replace(options, cover_fee=False)  # no processor, no fee
        self.validate(amount_cents, donor, options=options)
        fee = self.fee_for(amount_cents, options)
        amount_cents += fee
        if m is Method.CHECK and not check_number.strip():
            raise InvalidDonation({"check_number": "Enter the check number."})
        if not isinstance(check_number, str) or text_error(check_number):
            raise InvalidDonation({"check_number": "Retype the check number."})
        if contains_card_data(check_number):  # never stored: a card swiped into the field
            raise InvalidDonation(
                {"check_number": "That looks like card data, not a check number."}
            )
        try:
            return self._record(amount_cents, donor, m, check_number, options, fee)
        except STORAGE_ERRORS as exc:
            if not disk_full(exc):
                raise
            log.error("recording a %s gift failed: the disk is full", m.value)
            return Outcome(
                status="failed",
                donation_id=None,
                message=NOT_SAVED_CASH,
                amount_cents=amount_cents,
                currency=self.currency,
            )

    def _record(
        self,
        amount_cents: int,
        donor: Donor,
        m: Method,
        check_number: str,
        options: GiftOptions,
        fee: int,
    ) -> Outcome:
        now = utcnow()
        values: dict[str, Any] = {
            "id": new_id(),
            "amount_cents": amount_cents,
            "currency": self.currency,
            "method": m.value,
            "state": DonationState.RECORDED.value,
            "donor_name": donor.name.strip(),
            "donor_email": donor.email.strip(),
            "check_number": check_number.strip() or None,
            **self.taken_here(),
            "charge_attempts": 0,
            **gift_columns(options, fee),
            "message": f"Recorded {format_cents(amount_cents, self.currency)} {m.value}.",
            "created_at": now,
            "updated_at": now,
        }
        # One transaction, plain Core: the row and its jobs (no ORM unit of work).
        with self.db.writing("donations", "jobs") as c:
            c.execute(INSERT_ROW, values)
            jobs = self.on_recorded(c, _as_row(values), new=True) if self.on_recorded else []
        outcome = Outcome(
            status="recorded",
            donation_id=values["id"],
            message=values["message"],
            amount_cents=amount_cents,
            currency=self.currency,
        )
        self._jobs_committed(jobs)
        log.info("donation %s recorded (%s, %d cents)", outcome.donation_id, m.value, amount_cents)
        return outcome

    # ---- card -------------------------------------------------------------------------
    def take_card(
        self, amount_cents: int, donor: Donor, card: Card, options: GiftOptions = NO_OPTIONS
    ) -> Outcome:
        """Charge `amount_cents` (the gift) plus the fee when the donor covers it. The card
        is kept for later gifts only with `options.save_card` (None: the lead's default)."""
        self.validate(amount_cents, donor, card, options)
        options = self.with_consent(options)
        fee = self.fee_for(amount_cents, options)
        amount_cents += fee
        donation_id = new_id()
        # Claimed before the row exists, so a background settle can never pick it up mid-way.
        with self._claim(donation_id), self._new_gift(donation_id):
            try:
                row = self._write_charging_row(donation_id, amount_cents, donor, card, options,
                                               fee)  # fmt: skip
            except STORAGE_ERRORS as exc:
                if not disk_full(exc):
                    raise
                log.error("donation %s not started: the disk is full", donation_id)
                return self._disk_full_not_charged(None, amount_cents)
            log.debug("donation %s charging %d cents", donation_id, amount_cents)
            crashpoint("after_row")
            return self._tokenize_and_charge(donation_id, card, row)

    def _disk_full_not_charged(self, donation_id: str | None, amount_cents: int) -> Outcome:
        return Outcome(
            status="failed",
            donation_id=donation_id,
            message=DISK_FULL,
            amount_cents=amount_cents,
            currency=self.currency,
        )

    def _write_charging_row(
        self,
        donation_id: str,
        amount_cents: int,
        donor: Donor,
        card: Card,
        options: GiftOptions,
        fee: int,
    ) -> dict[str, Any]:
        """The `charging` row, committed before any processor call; returns its values, so
        the charge is built from what was written without reading it back. One INSERT, no
        unit of work: this is the path the donor waits on."""
        now = utcnow()
        row: dict[str, Any] = {
            "id": donation_id,
            "amount_cents": amount_cents,
            "currency": self.currency,
            "method": Method.CARD.value,
            "state": DonationState.CHARGING.value,
            "donor_name": donor.name.strip(),
            "donor_email": donor.email.strip(),
            **self.taken_here(),
            "processor": self.processor.name,
            "idempotency_key": replay.new_key(),
            "brand": card.brand.key,
            "last4": card.last4,
            "charge_attempts": 1,
            "created_at": now,
            "updated_at": now,
            **gift_columns(options, fee),
        }
        with self.db.writing("donations") as c:
            c.execute(INSERT_ROW, row)
        return row

    def retry(self, donation_id: str) -> Outcome:
        """Retry a failed or in-doubt charge with the same idempotency key."""
        try:
            with self._claim(donation_id):
                return self._retry(donation_id)
        except replay.Busy:
            return self.outcome_of(donation_id)

    def _retry(self, donation_id: str) -> Outcome:
        with self.db.session() as s:
            row = s.get(Donation, donation_id)
            if row is None:
                raise KeyError(donation_id)
            state = DonationState(row.state)
            if state not in (DonationState.FAILED, DonationState.IN_DOUBT):
                return self._outcome(row)
            on_reader = row.reader_id is not None
            if on_reader and (state is DonationState.FAILED or self.settle_reader is None):
                return self._outcome(row)  # the card is on the reader: never replayed here
            amount = row.amount_cents
        if on_reader and self.settle_reader is not None:
            return self.settle_reader(donation_id)
        try:
            with self.db.session() as s:
                row = s.get(Donation, donation_id)
                assert row is not None
                if row.payment_method_id is None and donation_id not in self._held_cards:
                    return Outcome(
                        status="failed",
                        donation_id=donation_id,
                        message="Nothing was charged. Take the card again to retry.",
                        amount_cents=row.amount_cents,
                        currency=row.currency,
                    )
                row.state = DonationState.CHARGING.value
                row.charge_attempts += 1
        except STORAGE_ERRORS as exc:
            # Nothing sent by this retry; the gift is as it was (found by the chaos run).
            if not disk_full(exc):
                raise
            log.error("donation %s: retry not started, the disk is full", donation_id)
            if state is DonationState.FAILED:
                return self._disk_full_not_charged(donation_id, amount)
            return Outcome(status="in_doubt", donation_id=donation_id, message=IN_DOUBT,
                           amount_cents=amount, currency=self.currency)  # fmt: skip
        if state is DonationState.IN_DOUBT:  # may already be charged: never "failed" now
            return self._charge(donation_id, maybe_sent=True)
        card = self._held_cards.get(donation_id)
        return self._tokenize_and_charge(donation_id, card)

    def forget_card(self, donation_id: str | None = None) -> None:
        """Drop held card data (Next donor, Esc). None drops all."""
        with self._lock:
            if donation_id is None:
                self._held_cards.clear()
            else:
                self._held_cards.pop(donation_id, None)

    def settle(self, *, include_charging: bool = False) -> list[Outcome]:
        """Replay every unsettled charge not being worked on by this process, and read
        every payment still with the bank. `include_charging` also takes rows left in
        `charging` (by a crash, or a write that failed after the answer)."""
        states = [DonationState.IN_DOUBT.value]
        if include_charging:
            states.append(DonationState.CHARGING.value)
        with self.db.session() as s:
            ids = list(s.scalars(select(Donation.id).where(Donation.state.in_(states))))
            pending = list(s.scalars(
                select(Donation.id).where(Donation.state == DonationState.PROCESSING.value)
            ))
        outcomes = []
        for donation_id in ids:
            try:
                with self._claim(donation_id):
                    outcomes.append(self._settle_one(donation_id, states))
            except replay.Busy:
                continue
        for donation_id in pending:  # with the bank: read, never replayed
            try:
                with self._claim(donation_id):
                    outcomes.append(self._check_pending(donation_id))
            except replay.Busy:
                continue
        return outcomes

    def _settle_one(self, donation_id: str, states: list[str]) -> Outcome:
        with self.db.session() as s:
            row = s.get(Donation, donation_id)
            on_reader = row is not None and row.reader_id is not None
        if on_reader and self.settle_reader is not None:
            return self.settle_reader(donation_id)
        with self.db.session() as s:
            # Only from the states this pass looked for: a row another settler has just
            # moved to `charging` is theirs.
            claimed = replay.claim_row(
                s, Donation, donation_id, states, DonationState.CHARGING.value
            )
            row = s.get(Donation, donation_id)
            assert row is not None
            if not claimed:
                return self._outcome(row)
            if row.payment_method_id is None:
                # The charge request is only ever sent after the token is stored.
                row.state = DonationState.FAILED.value
                row.message = "Tableside stopped before the card reached the processor. " + (
                    "Nothing was charged."
                )
                log.info("donation %s: never sent, marked failed", donation_id)
                return self._outcome(row)
        log.info("donation %s: replaying charge to settle it", donation_id)
        return self._charge(donation_id, maybe_sent=True)

    # ---- the protocol -----------------------------------------------------------------
    def _tokenize_and_charge(
        self, donation_id: str, card: Card | None, written: dict[str, Any] | None = None
    ) -> Outcome:
        """`written`: the row's values as just inserted (a new gift: no token yet, nothing
        to read back); without it, the row is read (a retry)."""
        if written is not None:
            has_token, key = False, written["idempotency_key"]
        else:
            with self.db.session() as s:
                row = s.get(Donation, donation_id)
                assert row is not None
                has_token = row.payment_method_id is not None
                key = row.idempotency_key
        if not has_token:
            assert card is not None and key is not None
            try:
                pm = self.processor.create_payment_method(card, f"{key}-pm")
            except ProcessorError as exc:
                if isinstance(exc, Transient):
                    with self._lock:
                        self._held_cards[donation_id] = card
                    return self._finish(donation_id, DonationState.FAILED, NOT_CHARGED, exc,
                                        written=written)  # fmt: skip
                state = (
                    DonationState.DECLINED if isinstance(exc, Declined) else DonationState.FAILED
                )
                return self._finish(donation_id, state, exc.message, exc, written=written)
            try:
                with self.db.writing("donations") as c:
                    c.execute(SET_TOKEN, {"row_id": donation_id, "pm": pm.id, "pm_brand": pm.brand,
                                          "pm_last4": pm.last4, "at": utcnow()})  # fmt: skip
            except STORAGE_ERRORS as exc:
                # Only a token exists; no charge was sent. The row stays `charging` without
                # a token, which the settler marks failed once it can write again.
                self.forget_card(donation_id)
                if not disk_full(exc):
                    raise
                log.error("donation %s: token not saved, the disk is full", donation_id)
                return self._disk_full_not_charged(donation_id, self._amount_of(donation_id))
            crashpoint("after_payment_method")
            if written is not None:  # what SET_TOKEN wrote
                written = {**written, "payment_method_id": pm.id, "brand": pm.brand,
                           "last4": pm.last4}  # fmt: skip
        self.forget_card(donation_id)
        return self._charge(donation_id, written=written)

    def _charge(
        self, donation_id: str, *, maybe_sent: bool = False,
        written: dict[str, Any] | None = None,
    ) -> Outcome:  # fmt: skip
        """`maybe_sent`: an earlier attempt may have reached the processor (a replay).
        `written`: a new gift's row as just written: the charge is built from it and the
        answer recorded without reading the row back (else the row is read)."""
        if written is not None:
            request = _request_from(written)
        else:
            with self.db.session() as s:
                row = s.get(Donation, donation_id)
                assert row is not None
                request = self._request_of(row)
        crashpoint("before_charge")
        self._acted.add(donation_id)
        answer = replay.send(
            lambda: self.processor.charge(request),
            maybe_sent=maybe_sent,
            crash_after="after_charge_response",
        )
        exc = answer.error
        if answer.verdict is Verdict.DONE:
            assert answer.result is not None
            return self._answered(donation_id, request, answer.result, written)
        if answer.verdict is Verdict.DECLINED:
            assert exc is not None
            return self._finish(donation_id, DonationState.DECLINED, exc.message, exc,
                                written=written)  # fmt: skip
        if answer.verdict is Verdict.NOT_SENT:
            return self._finish(donation_id, DonationState.FAILED, NOT_CHARGED, exc,
                                written=written)  # fmt: skip
        if answer.verdict is Verdict.REFUSED:
            assert exc is not None
            return self._finish(donation_id, DonationState.FAILED, exc.message, exc,
                                written=written)  # fmt: skip
        message = IN_DOUBT
        if answer.refused_replay:
            # A refused replay (e.g. a rotated key) says nothing about the first attempt,
            # which may have charged: stay in doubt, keep settling, tell the lead why.
            assert exc is not None
            message = f"{IN_DOUBT} The processor refused the check: {exc.message}"
        return self._finish(donation_id, DonationState.IN_DOUBT, message, exc, written=written)

    def _answered(
        self, donation_id: str, request: ChargeRequest, result: ChargeResult,
        written: dict[str, Any] | None = None,
    ) -> Outcome:  # fmt: skip
        """An answer that says the processor took the payment: approved only when it is
        about this very charge (amount, currency, the gift's own id) and final."""
        problem = answer_problem(request, result)
        if problem is not None:
            log.error("donation %s: answer does not match: %s", donation_id, problem)
            return self._finish(
                donation_id,
                DonationState.MISMATCH,
                MISMATCH.format(problem=problem),
                reference=result.payment_intent_id,
                written=written,
            )
        if result.pending:
            return self._finish(
                donation_id, DonationState.PROCESSING, PROCESSING,
                reference=result.payment_intent_id, written=written,
            )
        return self._finish(
            donation_id, DonationState.APPROVED, "Approved.",
            reference=result.payment_intent_id, written=written,
        )

    def _check_pending(self, donation_id: str) -> Outcome:
        """A gift with the bank: read its payment (never charge again) and settle it when
        the bank has; no answer yet, or none at all, is simply asked again next pass."""
        with self.db.session() as s:
            row = s.get(Donation, donation_id)
            assert row is not None
            if row.state != DonationState.PROCESSING.value or not row.payment_intent_id:
                return self._outcome(row)
            request = self._request_of(row)
            pi = row.payment_intent_id
        try:
            result = self.processor.check_charge(pi)
        except Declined as exc:
            return self._finish(donation_id, DonationState.DECLINED, exc.message, exc)
        except ProcessorError as exc:
            log.info("donation %s: still with the bank (%s)", donation_id, exc.detail)
            return self.outcome_of(donation_id)
        if result.pending:
            return self.outcome_of(donation_id)
        return self._answered(donation_id, request, result)

    @staticmethod
    def _request_of(row: Donation) -> ChargeRequest:
        """The charge exactly as first sent, rebuilt from its row (replays must match)."""
        return _request_from({c: getattr(row, c) for c in REQUEST_COLUMNS})

    def _finish(
        self,
        donation_id: str,
        state: DonationState,
        message: str,
        error: ProcessorError | None = None,
        reference: str | None = None,
        written: dict[str, Any] | None = None,
    ) -> Outcome:
        """Record an answer (and, for an approval, the gift's jobs) in one transaction.
        `written`: a new gift's row as written in this call (no pledge's, no jobs yet): the
        answer is one prebuilt UPDATE and the outcome is built from the values."""
        jobs: list[str] = []
        acted = donation_id in self._acted
        self._acted.discard(donation_id)
        try:
            if written is not None:
                outcome, jobs = self._record_new_answer(written, state, message, error,
                                                        reference)  # fmt: skip
            else:
                outcome, jobs = self._record_answer(donation_id, state, message, error,
                                                    reference)  # fmt: skip
        except STORAGE_ERRORS as exc:
            return self._unrecorded(donation_id, state, acted, exc)
        self._jobs_committed(jobs)
        if error is not None:
            log.info("donation %s %s: %s (%s)", donation_id, state.value, error.kind, error.detail)
        else:
            log.info("donation %s %s (%s)", donation_id, state.value, reference)
        return outcome

    def _record_new_answer(
        self,
        written: dict[str, Any],
        state: DonationState,
        message: str,
        error: ProcessorError | None,
        reference: str | None,
    ) -> tuple[Outcome, list[str]]:
        answer = {
            "row_id": written["id"],
            "state": state.value,
            "message": message,
            "pi": reference or None,  # a new row has none yet: None leaves it as it was
            "decline": (error.decline_code or error.code or None)
            if isinstance(error, Declined) else None,
            "at": utcnow(),
        }  # fmt: skip
        # The row as it now is (the UPDATE below is what writes it).
        row = _as_row({**written, "state": answer["state"], "message": message,
                       "payment_intent_id": answer["pi"], "decline_code": answer["decline"],
                       "updated_at": answer["at"]})  # fmt: skip
        jobs: list[str] = []
        with self.db.writing("donations", "jobs") as c:
            c.execute(SET_ANSWER, answer)
            if state is DonationState.APPROVED and self.on_recorded:
                jobs = self.on_recorded(c, row, new=True)
        return self._outcome(row), jobs

    def _record_answer(
        self,
        donation_id: str,
        state: DonationState,
        message: str,
        error: ProcessorError | None,
        reference: str | None,
    ) -> tuple[Outcome, list[str]]:
        jobs: list[str] = []
        with self.db.session() as s:
            row = s.get(Donation, donation_id)
            assert row is not None
            row.state = state.value
            row.message = message
            if reference:
                row.payment_intent_id = reference
            if isinstance(error, Declined):
                row.decline_code = error.decline_code or error.code or None
            if state is DonationState.APPROVED and self.on_recorded:
                jobs = self.on_recorded(s, row)
            if self.on_settled and donation_id not in self._new_gifts:
                self.on_settled(s, row)  # (a gift taken just now is no pledge's)
            return self._outcome(row), jobs

    def _unrecorded(
        self, donation_id: str, state: DonationState, acted: bool, exc: BaseException
    ) -> Outcome:
        """The answer could not be written. After the processor may have acted the gift is
        in doubt, never an error: the row still says `charging`, and the settler replays
        it (same key) on its next pass once the disk has room. Before, nothing was charged."""
        full = disk_full(exc)
        log.error(
            "donation %s: recording %s failed%s: %s",
            donation_id, state.value, " (disk full)" if full else "", type(exc).__name__,
        )
        if not acted:
            if not full:
                raise exc
            return self._disk_full_not_charged(donation_id, self._amount_of(donation_id))
        return Outcome(
            status="in_doubt",
            donation_id=donation_id,
            message=NOT_RECORDED.format(why=DISK_FULL_WHY if full else ""),
            amount_cents=self._amount_of(donation_id),
            currency=self.currency,
            can_retry=False,
        )

    def _amount_of(self, donation_id: str) -> int:
        try:  # reading still works on a full disk
            with self.db.session() as s:
                row = s.get(Donation, donation_id)
                return row.amount_cents if row is not None else 0
        except STORAGE_ERRORS:
            return 0

    def _jobs_committed(self, job_ids: list[str]) -> None:
        if job_ids and self.after_commit:
            self.after_commit(job_ids)

    def _outcome(self, row: Donation) -> Outcome:
        state = DonationState(row.state)
        status = {
            DonationState.CHARGING: "in_doubt",
            DonationState.IN_DOUBT: "in_doubt",
            DonationState.PROCESSING: "pending",
        }.get(state, state.value)
        can_retry = state is DonationState.IN_DOUBT or (
            state is DonationState.FAILED
            and row.reader_id is None
            and (row.payment_method_id is not None or row.id in self._held_cards)
            and row.payment_intent_id is None
        )
        return Outcome(
            status=status,
            donation_id=row.id,
            message=row.message or "",
            amount_cents=row.amount_cents,
            currency=row.currency,
            brand=row.brand,
            last4=row.last4,
            reference=row.payment_intent_id,
            can_retry=can_retry,
            entry_mode=row.entry_mode,
        )

    def outcome_of(self, donation_id: str) -> Outcome:
        with self.db.session() as s:
            row = s.get(Donation, donation_id)
            if row is None:
                raise KeyError(donation_id)
            return self._outcome(row)

    # ---- reading ----------------------------------------------------------------------
    def get(self, donation_id: str) -> DonationRecord:
        with self.db.session() as s:
            row = s.get(Donation, donation_id)
            if row is None:
                raise KeyError(donation_id)
            return DonationRecord.of(row)

    def list(self) -> list[DonationRecord]:
        with self.db.session() as s:
            rows = s.scalars(select(Donation).order_by(Donation.created_at))
            return [DonationRecord.of(r) for r in rows]

    # ---- one charge per donation at a time ---------------------------------------------
    @contextmanager
    def _new_gift(self, donation_id: str) -> Iterator[None]:
        """While take_card runs for a gift it has just created (no pledge can have it)."""
        self._new_gifts.add(donation_id)
        try:
            yield
        finally:
            self._new_gifts.discard(donation_id)

    def _claim(self, donation_id: str) -> AbstractContextManager[None]:
        """Marks a donation as being charged here, so a background settle never races it;
        raises replay.Busy when it already is."""
        return self.claims.held(donation_id)


# The two writes a new card gift makes before its answer, built once: plain Core statements
# on the table (no ORM bulk path, no per-call statement building or cache-key work).
_ROWS: Table = Donation.__table__  # type: ignore[assignment]
# What the INSERT gives a column it wasn't given: its scalar default, else NULL.
_NO_VALUES = {c.key: c.default.arg if c.default is not None and c.default.is_scalar else None
              for c in _ROWS.c}  # fmt: skip
INSERT_ROW = insert(_ROWS)
SET_TOKEN = (
    update(_ROWS)
    .where(_ROWS.c.id == bindparam("row_id"))
    .values(payment_method_id=bindparam("pm"), brand=bindparam("pm_brand"),
            last4=bindparam("pm_last4"), updated_at=bindparam("at"))
)  # fmt: skip

SET_ANSWER = (  # a new gift's answer (DonationService._record_new_answer)
    update(_ROWS)
    .where(_ROWS.c.id == bindparam("row_id"))
    .values(state=bindparam("state"), message=bindparam("message"),
            payment_intent_id=bindparam("pi"), decline_code=bindparam("decline"),
            updated_at=bindparam("at"))
)  # fmt: skip

def _as_row(values: Mapping[str, Any]) -> Donation:
    """A row as just written, for what reads its attributes (the job kinds' rules, the
    outcome): plain values, no ORM instance built on the path the donor waits on."""
    return cast(Donation, SimpleNamespace(**{**_NO_VALUES, **values}))


REQUEST_COLUMNS = ("amount_cents", "currency", "payment_method_id", "id", "idempotency_key",
                   "customer_id", "off_session", "save_card")  # fmt: skip


def _request_from(row: Mapping[str, Any]) -> ChargeRequest:
    """A charge built from a donation row's values (the row object's, or the ones just
    inserted): the one definition, so a replay sends exactly what was first sent."""
    assert row["payment_method_id"] and row["idempotency_key"]
    return ChargeRequest(
        amount_cents=row["amount_cents"],
        currency=row["currency"],
        payment_method_id=row["payment_method_id"],
        donation_id=row["id"],
        idempotency_key=row["idempotency_key"],
        customer_id=row.get("customer_id"),
        off_session=bool(row.get("off_session")),
        save_card=row.get("save_card") is not False,  # NULL: sent before consent was asked
    )
