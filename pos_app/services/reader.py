"""Taking a card on the reader: the keyed charge's crash-safe protocol, card-present.

1. Check the amount and donor. 2. Write the row (`charging`, fresh idempotency key, the
   reader, what the PaymentIntent will be created with) and commit.
3. Create the PaymentIntent with that key and store its id, before any reader action.
4. Show the amount on the reader and hand it the PaymentIntent; poll the reader's action
   (every `poll_s`, the PaymentIntent too every few polls) until it settles, the volunteer
   cancels (Esc) or `reader_timeout` passes. Every call has its own short timeout, so the
   whole gift is bounded by reader_timeout + a few call timeouts.
5. Any ending other than an approval cancels the reader action and then the PaymentIntent,
   so no reader can charge it later; a PaymentIntent that got there first is an approval.
6. Record the result in one transaction with its follow-up jobs (save card, receipt):
   services/reader_results.py (an approval only when it is for this very gift).

Anything that fails after the reader may have acted is *in doubt*. `settle_one()` (start-up
and the background settler) claims the row (services/replay.py), reads the PaymentIntent,
cancels a reader action left hanging by a crash, and never creates a second PaymentIntent:
unlike a keyed charge or a refund, settling here is a read, not a replay. The row, its key,
the claims and the recording of the result are the keyed charge's (services/donations.py).
"""

from __future__ import annotations

import logging
import threading
import time

from pos_app.domain.donor import Donor
from pos_app.domain.gift import NO_OPTIONS, GiftOptions, gift_columns
from pos_app.domain.states import DonationState, Method
from pos_app.faults import crashpoint
from pos_app.payments.base import (
    ProcessorError,
    Transient,
)
from pos_app.payments.card_present import (
    OFFLINE_MESSAGE,
    ReaderChargeRequest,
    ReaderProcessor,
    ReaderUnavailable,
)
from pos_app.store.disk import STORAGE_ERRORS, disk_full
from pos_app.store.models import Donation, new_id

from . import replay
from .donations import IN_DOUBT, NOT_CHARGED, DonationService
from .reader_results import NEVER_SENT, NOTHING, ReaderResults
from .records import Outcome

log = logging.getLogger(__name__)

CANCELLED = f"Cancelled on the reader. {NOTHING}"
TIMED_OUT = (
    f"The reader timed out waiting for a card. {NOTHING} Press Enter to send the amount to "
    "the reader again."
)
STOPPED = "The reader stopped before the card was read"
PI_CHECK_EVERY = 4  # polls of the reader per read of the PaymentIntent itself
UNSETTLED = [s.value for s in DonationState if s.unsettled]
CHARGING = DonationState.CHARGING.value
BUSY = "terminal_reader_busy"


class ReaderService:
    def __init__(
        self,
        donations: DonationService,
        reader: ReaderProcessor,
        *,
        reader_timeout: float = 60.0,
        poll_s: float = 0.5,
        call_timeout: float = 10.0,
        save_cards: bool = True,
    ) -> None:
        self.donations = donations
        self.db = donations.db
        self.reader = reader
        self.reader_timeout = reader_timeout
        self.poll_s = poll_s
        self.call_timeout = call_timeout
        self.save_cards = save_cards
        self.results = ReaderResults(donations)
        self._cancel = threading.Event()
        self._too_long = threading.Event()  # training: the donor "takes too long"
        self._active: str | None = None  # the gift on the reader now
        self.polls = 0  # reader/PI reads made while waiting (bench/reader.py reports them)

    # ---- the volunteer's side --------------------------------------------------------
    def take(self, amount_cents: int, donor: Donor, options: GiftOptions = NO_OPTIONS) -> Outcome:
        """The keyed gift's options (cover the fee: the reader asks for gift + fee). The
        PaymentIntent is set up to keep the card only with consent (`options.save_card`,
        None: the lead's default) and where the processor can keep cards."""
        self.donations.validate(amount_cents, donor, options=options)
        options = self.donations.with_consent(options)
        fee = self.donations.fee_for(amount_cents, options)
        amount_cents += fee
        donation_id = new_id()
        with self.donations._claim(donation_id):
            self._cancel.clear()
            self._too_long.clear()
            self._active = donation_id
            try:
                return self._take(donation_id, amount_cents, donor, options, fee)
            finally:
                self._active = None

    def cancel(self) -> bool:
        """Esc: stop the gift on the reader; True when one was waiting. The waiting call
        returns the outcome (it says whether anything was charged)."""
        if self._active is None:
            return False
        self._cancel.set()
        return True

    def time_out_now(self) -> bool:
        """Training: play a donor who never taps; the gift ends as the reader's own timeout
        would (the same words, the same cancelling). True when one was waiting."""
        if self._active is None:
            return False
        self._too_long.set()
        self._cancel.set()  # wakes the wait; _wait reads _too_long first
        return True

    @property
    def active(self) -> str | None:
        return self._active

    def _take(
        self, donation_id: str, amount_cents: int, donor: Donor, options: GiftOptions, fee: int
    ) -> Outcome:
        try:
            self._write_row(donation_id, amount_cents, donor, options, fee)
        except STORAGE_ERRORS as exc:
            if not disk_full(exc):
                raise
            log.error("reader gift %s not started: the disk is full", donation_id)
            return self.donations._disk_full_not_charged(None, amount_cents)
        log.info("donation %s: reader gift of %d cents", donation_id, amount_cents)
        crashpoint("reader_after_row")
        request = self._request(donation_id)
        try:
            pi = self.reader.create_reader_payment(request, self.call_timeout)
        except ProcessorError as exc:
            # No reader action was ever sent, so nothing can have been charged, even if a
            # PaymentIntent was made (it waits, harmless, for a reader that never gets it).
            message = NOT_CHARGED if isinstance(exc, Transient) else f"{exc.message} {NOTHING}"
            return self.donations._finish(donation_id, DonationState.FAILED, message, exc)
        try:
            with self.db.session() as s:
                row = s.get(Donation, donation_id)
                assert row is not None
                row.payment_intent_id = pi
        except STORAGE_ERRORS as exc:
            # The PaymentIntent never reaches the reader: nothing charged. The row stays
            # `charging` without it, which settling marks failed once it can write again.
            if not disk_full(exc):
                raise
            log.error("donation %s: PaymentIntent id not saved, the disk is full", donation_id)
            return self.donations._disk_full_not_charged(donation_id, amount_cents)
        crashpoint("reader_after_pi")
        return self._hand_over(donation_id, request, pi)

    def _write_row(
        self, donation_id: str, amount_cents: int, donor: Donor, options: GiftOptions, fee: int
    ) -> None:
        saving = self.save_cards and bool(options.save_card)
        with self.db.session() as s:
            s.add(
                Donation(
                    id=donation_id,
                    amount_cents=amount_cents,
                    currency=self.donations.currency,
                    method=Method.CARD.value,
                    state=DonationState.CHARGING.value,
                    donor_name=donor.name.strip(),
                    donor_email=donor.email.strip(),
                    **self.donations.taken_here(),
                    processor=self.reader.name,
                    idempotency_key=replay.new_key(),
                    reader_id=self.reader.reader_id,
                    setup_future_usage="off_session" if saving else None,
                    charge_attempts=1,
                    message="Waiting for the card on the reader.",
                    **gift_columns(options, fee),
                )
            )

    def _hand_over(self, donation_id: str, request: ReaderChargeRequest, pi: str) -> Outcome:
        # Until the reader has taken our PaymentIntent, whatever it is doing (another
        # station's gift, when busy) is not ours to cancel: on_reader=False.
        attempt = 1
        while True:
            try:
                self._show_and_process(donation_id, request, pi, attempt)
            except ReaderUnavailable as exc:
                if attempt == 1 and exc.code == BUSY and self._clear_stale(donation_id):
                    attempt = 2
                    continue
                msg = f"{exc.message} {NOTHING}"
                return self._end(donation_id, request, pi, msg, exc, on_reader=False)
            except Transient as exc:  # certainly never reached the reader
                return self._end(donation_id, request, pi, NOT_CHARGED, exc, on_reader=False)
            except ProcessorError as exc:
                msg = f"{exc.message} {NOTHING}"
                return self._end(donation_id, request, pi, msg, exc, on_reader=False)
            crashpoint("reader_waiting")
            return self._wait(donation_id, request, pi)

    def _show_and_process(
        self, donation_id: str, request: ReaderChargeRequest, pi: str, attempt: int
    ) -> None:
        """The amount on the reader, then the PaymentIntent to it. Raises ReaderUnavailable,
        a Transient that certainly didn't reach the reader, or another ProcessorError; a lost
        answer to the hand-over is not an error: the wait watches the reader."""
        try:
            self.reader.show_amount(request, self.call_timeout, attempt)
        except ReaderUnavailable:
            raise
        except ProcessorError as exc:  # the amount also shows when the reader gets the PI
            log.info("donation %s: reader display failed: %s", donation_id, exc.detail)
        try:
            self.reader.process(request, pi, self.call_timeout, attempt)
        except Transient as exc:
            if not exc.maybe_charged:
                raise
            log.info("donation %s: process answer lost (%s); watching", donation_id, exc.detail)

    def _clear_stale(self, donation_id: str) -> bool:
        """The reader is busy with a payment nobody can pay any more (its PaymentIntent is
        canceled: e.g. a gift that ended while the reader was offline, which came back still
        showing it). Clear it so this gift can go on; True when cleared. A live payment (another
        station's gift) is never touched."""
        try:
            action = self.reader.reader_action(self.call_timeout)
            if action.status != "in_progress" or not action.payment_intent_id:
                return False
            if self.reader.payment(action.payment_intent_id, self.call_timeout).status != (
                "canceled"
            ):
                return False
            log.info("donation %s: clearing a canceled payment's action off the reader",
                     donation_id)  # fmt: skip
            self.reader.cancel_reader_action(self.call_timeout)
            return True
        except ProcessorError as exc:
            log.info("donation %s: reader busy, not cleared: %s", donation_id, exc.detail)
            return False

    def _wait(self, donation_id: str, request: ReaderChargeRequest, pi: str) -> Outcome:
        deadline = time.monotonic() + self.reader_timeout
        offline = False
        n = 0
        while True:
            if self._cancel.is_set() and not self._too_long.is_set():
                return self._end(donation_id, request, pi, CANCELLED)
            if time.monotonic() >= deadline or self._too_long.is_set():
                why = f"{OFFLINE_MESSAGE} {NOTHING}" if offline else TIMED_OUT
                return self._end(donation_id, request, pi, why)
            n += 1
            self.polls += 1
            try:
                action = self.reader.reader_action(self.call_timeout)
                offline = action.reader_status == "offline"
                ours = action.payment_intent_id == pi and action.type == "process_payment_intent"
                if ours and action.status == "succeeded" or n % PI_CHECK_EVERY == 0 or not ours:
                    pay = self.reader.payment(pi, self.call_timeout)
                    if pay.status == "succeeded":
                        crashpoint("reader_after_tap")
                        return self.results.approve(donation_id, pay)
                    if not ours and not offline:
                        # The reader dropped our action (rebooted, another station took it).
                        return self._end(donation_id, request, pi, f"{STOPPED}. {NOTHING}")
                if ours and action.status == "failed":
                    if action.failure_code == "card_declined":
                        return self._end(donation_id, request, pi, "", declined=True)
                    reason = action.failure_message.rstrip(".") or action.failure_code
                    return self._end(donation_id, request, pi, f"{STOPPED}: {reason}. {NOTHING}")
            except ProcessorError as exc:  # keep watching until the deadline
                log.info("donation %s: reader poll failed: %s", donation_id, exc.detail)
            self._cancel.wait(self.poll_s)

    def _end(
        self,
        donation_id: str,
        request: ReaderChargeRequest,
        pi: str,
        message: str,
        error: ProcessorError | None = None,
        *,
        declined: bool = False,
        on_reader: bool = True,
    ) -> Outcome:
        """Stop the reader (when it may be on our PaymentIntent) and cancel the
        PaymentIntent, so nothing can be charged later. A PaymentIntent that succeeded
        first is an approval; no answer is in doubt."""
        if on_reader:
            self._stop_reader(donation_id, pi)
        try:
            pay = self.reader.cancel_payment(request, pi, self.call_timeout)
        except ProcessorError as exc:
            log.info("donation %s: cancel of %s unanswered: %s", donation_id, pi, exc.detail)
            return self.donations._finish(donation_id, DonationState.IN_DOUBT, IN_DOUBT, exc)
        return self.results.from_payment(donation_id, pay, message, error, declined=declined)

    def _stop_reader(self, donation_id: str, pi: str) -> None:
        """Cancel the reader's action if it is ours (or can't be read: then most likely
        ours, as it was handed to the reader); never another station's gift."""
        try:
            action = self.reader.reader_action(self.call_timeout)
        except ProcessorError as exc:
            log.info("donation %s: reader unreadable before cancel: %s", donation_id, exc.detail)
        else:
            if action.payment_intent_id != pi or action.status != "in_progress":
                return
        try:
            self.reader.cancel_reader_action(self.call_timeout)
        except ProcessorError as exc:  # offline, nothing to cancel: the PI cancel decides
            log.info("donation %s: cancel_action: %s", donation_id, exc.detail)

    # ---- settling what a crash or a lost answer left -----------------------------------
    def settle_one(self, donation_id: str) -> Outcome:
        """Called with the donation claimed: read the PaymentIntent, never make a new one."""
        with self.db.session() as s:
            claimed = replay.claim_row(s, Donation, donation_id, UNSETTLED, CHARGING)
            row = s.get(Donation, donation_id)
            assert row is not None
            if not claimed:
                return self.donations._outcome(row)
            pi = row.payment_intent_id
            if pi is None:
                row.state = DonationState.FAILED.value
                row.message = NEVER_SENT
                log.info("donation %s: reader never asked, marked failed", donation_id)
                return self.donations._outcome(row)
        request = self._request(donation_id)
        try:
            action = self.reader.reader_action(self.call_timeout)
            if action.payment_intent_id == pi and action.status == "in_progress":
                log.info("donation %s: cancelling the reader action left hanging", donation_id)
                self.reader.cancel_reader_action(self.call_timeout)
            pay = self.reader.payment(pi, self.call_timeout)
            if pay.status not in ("succeeded", "canceled", "processing"):
                pay = self.reader.cancel_payment(request, pi, self.call_timeout)
        except ProcessorError as exc:
            return self.donations._finish(donation_id, DonationState.IN_DOUBT, IN_DOUBT, exc)
        return self.results.from_payment(donation_id, pay, NEVER_SENT)

    def settle(self, donation_id: str) -> Outcome:
        try:
            with self.donations._claim(donation_id):
                return self.settle_one(donation_id)
        except replay.Busy:
            return self.donations.outcome_of(donation_id)

    def _request(self, donation_id: str) -> ReaderChargeRequest:
        with self.db.session() as s:
            row = s.get(Donation, donation_id)
            assert row is not None and row.idempotency_key
            return ReaderChargeRequest(
                amount_cents=row.amount_cents,
                currency=row.currency,
                donation_id=row.id,
                idempotency_key=row.idempotency_key,
                reader_id=row.reader_id or self.reader.reader_id,
                setup_future_usage=row.setup_future_usage,
            )
