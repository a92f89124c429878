"""The paddle raise (fund-a-need): hands go up, each pledge is recorded at once, and a
pledge whose paddle has a card on file is charged in the background.

A pledge is written in ONE transaction with its gift (a `donations` row in state
`pledged`: no money, never counted, paddle set) and, when the guest's card is on file,
its `pledge_charge` job (jobs/kinds/pledge_charge.py); Huey gets the job after the commit.
The job is the charge protocol of services/donations.py run off the volunteer's thread:
it moves the gift from `pledged` to `charging` with everything the request needs (the
Customer and PaymentMethod on file, off_session, an idempotency key derived from the
pledge id) in one conditional UPDATE, commits, then charges through the donation service,
so in-doubt answers, replays and the settle loop are the ones every card gift has. The
pledge's state follows its gift in the transaction that records each answer
(`follow_gift`). Undo is that same conditional UPDATE the other way: it wins only while
the gift is still `pledged`, so a pledge is either undone or charged, never both.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jobs.errors import JobPermanent
from jobs.kinds import pledge_charge
from jobs.ledger import Ledger
from jobs.records import UNFINISHED, JobState
from pos_app.domain.money import AmountError, check_amount, format_cents
from pos_app.domain.states import CardOnFile, DonationState, Method, PledgeState
from pos_app.faults import crashpoint
from pos_app.payments.base import DECLINE_MESSAGES, Transient
from pos_app.store.database import Database
from pos_app.store.models import Attendee, Donation, Job, PaddleRaise, Pledge, new_id

from . import replay
from .check_in import paddle_of
from .donations import NOT_CHARGED, DonationService
from .gala_records import PaddleRaiseRecord, PledgeRecord, PledgeStarted
from .records import InvalidDonation, Outcome

log = logging.getLogger(__name__)

OPEN, CLOSED = "open", "closed"
MAX_LEVELS = 12
# Pledges left out of a raise's totals.
COUNTED_OUT = (PledgeState.UNDONE.value,)
UNDONE_MESSAGE = "Pledge undone before its charge started."
UNDONE_DECLINED = "Pledge undone after its card was declined; nothing was charged."


def pledge_key(pledge_id: str, attempt: int = 1) -> str:
    """The idempotency key of a pledge's charge: derived from the pledge, so every replay
    (a retry, a restart, the settle loop) is the same request. A later attempt on another
    card (the first was declined: final, nothing charged) has its own."""
    base = f"tableside-pledge-{pledge_id}"
    return base if attempt == 1 else f"{base}-{attempt}"


def ask_for_card(paddle: str | None, reason: str) -> str:
    return f"Ask paddle {paddle} for another card: {reason}"


class PaddleRaiseService:
    def __init__(
        self,
        db: Database,
        donations: DonationService,
        ledger: Ledger,
        enqueue: Callable[[list[str]], None],
    ) -> None:
        self.db = db
        self.donations = donations
        self.ledger = ledger
        self.enqueue = enqueue  # ledger ids to Huey, after the commit

    # ---- the lead opens and closes a raise --------------------------------------------
    def open(self, title: str, levels_cents: list[int] | tuple[int, ...]) -> str:
        errors: dict[str, str] = {}
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            errors["title"] = "Give the paddle raise a name (like \"Fund a kitchen\")."
        levels: list[int] = []
        try:
            for cents in levels_cents:
                check_amount(cents, self.donations.max_amount_cents)
                levels.append(cents)
        except (AmountError, TypeError) as exc:
            errors["levels"] = f"Each level must be an amount: {exc}"
        if not levels and "levels" not in errors:
            errors["levels"] = "Give at least one level (like $5,000 ... $100)."
        if len(levels) > MAX_LEVELS:
            errors["levels"] = f"At most {MAX_LEVELS} levels."
        if errors:
            raise InvalidDonation(errors)
        raise_id = new_id()
        with self.db.session() as s:
            s.add(PaddleRaise(
                id=raise_id,
                title=title.strip(),
                levels=json.dumps(sorted(set(levels), reverse=True)),
                state=OPEN,
            ))
        log.info("paddle raise %s opened with %d levels", raise_id, len(set(levels)))
        return raise_id

    def close(self, raise_id: str) -> PaddleRaiseRecord:
        """No more pledges; those made are collected as before (charges, checkout)."""
        with self.db.session() as s:
            row = s.get(PaddleRaise, raise_id)
            if row is None:
                raise KeyError(raise_id)
            if row.state == OPEN:
                row.state, row.closed_at = CLOSED, dt.datetime.now(dt.UTC)
        log.info("paddle raise %s closed", raise_id)
        return self.get_raise(raise_id)

    # ---- a hand goes up ---------------------------------------------------------------
    def pledge(self, raise_id: str, paddle: str | int, amount_cents: int) -> PledgeRecord:
        """Record the pledge at once; with a card on file its charge starts in the
        background. Raises InvalidDonation (paddle, amount, raise) or KeyError."""
        errors: dict[str, str] = {}
        try:
            number = paddle_of(paddle)
        except InvalidDonation as exc:
            errors.update(exc.errors)
            number = ""
        try:
            check_amount(amount_cents, self.donations.max_amount_cents)
        except AmountError as exc:
            errors["amount"] = str(exc)
        if errors:
            raise InvalidDonation(errors)
        svc = self.donations
        job_ids: list[str] = []
        with self.db.session() as s:
            raised = s.get(PaddleRaise, raise_id)
            if raised is None:
                raise KeyError(raise_id)
            if raised.state != OPEN:
                raise InvalidDonation({"raise": f"“{raised.title}” is closed."})
            guest = s.scalar(select(Attendee).where(Attendee.paddle == number))
            if guest is None:
                raise InvalidDonation(
                    {"paddle": f"No guest has paddle {number}. Check the number, or check "
                               "them in first."}
                )
            on_file = self._on_file(guest)
            donation = Donation(
                id=new_id(),
                amount_cents=amount_cents,
                currency=svc.currency,
                method=Method.CARD.value,
                state=DonationState.PLEDGED.value,
                donor_name=guest.name,
                donor_email=guest.email,
                **svc.taken_here(),
                paddle=number,
                charge_attempts=0,
                message=f"Pledged {format_cents(amount_cents, svc.currency)} in {raised.title}.",
            )
            s.add(donation)
            s.flush()
            pledge = Pledge(
                id=new_id(),
                raise_id=raise_id,
                donation_id=donation.id,
                paddle=number,
                level_cents=amount_cents,
                state=PledgeState.PLEDGED.value,
                message=None if on_file else "Waiting for checkout: no card on file.",
            )
            s.add(pledge)
            s.flush()
            if on_file:
                job_ids.append(pledge_charge.add(self.ledger, s, donation.id))
            record = PledgeRecord.of(pledge, guest.name, on_file)
        if job_ids:
            self.enqueue(job_ids)
        log.info("pledge %s: paddle %s, %d cents%s", record.id, number, amount_cents,
                 ", charging in the background" if job_ids else "")
        return record

    def _on_file(self, guest: Attendee) -> bool:
        return (
            guest.card_state == CardOnFile.SAVED.value
            and guest.processor == self.donations.processor.name
            and bool(guest.customer_id and guest.payment_method_id)
        )

    def undo(self, pledge_id: str) -> PledgeRecord:
        """Take a pledge back while its charge hasn't started (or after its card was
        declined: nothing was charged). Raises PledgeStarted (its charge started: refund it
        through the normal refund path) or KeyError."""
        with self.db.session() as s:
            pledge = s.get(Pledge, pledge_id)
            if pledge is None:
                raise KeyError(pledge_id)
            if pledge.state == PledgeState.UNDONE.value:
                return self._record(s, pledge)
            declined = pledge.state == PledgeState.NEEDS_ATTENTION.value
            words = UNDONE_DECLINED if declined else UNDONE_MESSAGE
            won = s.execute(
                update(Donation)
                .where(Donation.id == pledge.donation_id,
                       Donation.state == (DonationState.DECLINED if declined
                                          else DonationState.PLEDGED).value)
                .values(state=DonationState.VOIDED.value, message=words)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not won or pledge.state not in (PledgeState.PLEDGED.value,
                                               PledgeState.NEEDS_ATTENTION.value,
                                               PledgeState.LINK_SENT.value,
                                               PledgeState.EXPIRED.value):
                # raising rolls the transaction back: the gift is left as it was
                raise PledgeStarted({"pledge": (
                    f"Paddle {pledge.paddle}'s pledge can't be undone: its charge has "
                    "started. Refund it through the normal refund path (the lead's desk, "
                    "Refund) once it is paid."
                )})
            pledge.state, pledge.message = PledgeState.UNDONE.value, words
            s.execute(
                update(Job)
                .where(Job.donation_id == pledge.donation_id,
                       Job.state.in_([JobState.QUEUED.value, JobState.RETRY_SCHEDULED.value,
                                      JobState.NEEDS_ATTENTION.value]))
                .values(state=JobState.DISCARDED.value, discard_reason=words,
                        finished_at=dt.datetime.now(dt.UTC))
            )
            record = self._record(s, pledge)
        log.info("pledge %s undone", pledge_id)
        return record

    # ---- the charge (the pledge_charge job's body) --------------------------------------
    def charge(self, donation_id: str) -> str:
        """Charge the pledge's gift on the card on file; returns the payment's id. Raises
        Transient (no answer yet, the network: retried, same key) or JobPermanent (declined
        or needs the donor: "Ask paddle 112 for another card")."""
        svc = self.donations
        try:
            with svc._claim(donation_id):
                outcome = self._charge_claimed(donation_id)
        except replay.Busy:
            raise Transient(
                "This pledge's charge is being checked right now; looking again shortly.",
                f"donation {donation_id} claimed by the settle loop",
            ) from None
        return self._verdict(donation_id, outcome)

    def _charge_claimed(self, donation_id: str) -> Outcome | None:
        svc = self.donations
        with self.db.session() as s:
            d = s.get(Donation, donation_id)
            pledge = s.scalar(select(Pledge).where(Pledge.donation_id == donation_id))
            if d is None or pledge is None:
                raise JobPermanent("The pledge for this job is missing.", donation_id,
                                   fix="discard")
            state, has_pi = DonationState(d.state), d.payment_intent_id is not None
        if state is DonationState.PLEDGED:
            if not self._start(pledge.id, donation_id):
                return None  # undone meanwhile, or the card is no longer on file
            crashpoint("pledge_after_row")
            return svc._charge(donation_id)
        if state.unsettled:  # a crash or a lost answer: replay, same key, same request
            return svc._charge(donation_id, maybe_sent=True)
        if state is DonationState.FAILED and not has_pi:  # certainly not charged: send again
            with self.db.session() as s:
                moved = replay.claim_row(s, Donation, donation_id, [state.value],
                                         DonationState.CHARGING.value)
                if moved:
                    d = s.get(Donation, donation_id)
                    assert d is not None
                    d.charge_attempts += 1
            return svc._charge(donation_id) if moved else svc.outcome_of(donation_id)
        if state is DonationState.PROCESSING:
            return svc._check_pending(donation_id)
        if state is DonationState.DECLINED and self._restart_on_new_card(pledge.id, donation_id):
            crashpoint("pledge_after_row")
            return svc._charge(donation_id)
        return svc.outcome_of(donation_id)

    def _restart_on_new_card(self, pledge_id: str, donation_id: str) -> bool:
        """A declined pledge whose guest has since left another card: a new attempt with
        its own key, the whole request written first (declined is final: nothing was
        charged, so the earlier key is never replayed). False when the card is the same."""
        with self.db.session() as s:
            d = s.get(Donation, donation_id)
            guest = s.scalar(
                select(Attendee).join(Pledge, Pledge.paddle == Attendee.paddle)
                .where(Pledge.id == pledge_id)
            )
            if d is None or guest is None or not self._on_file(guest):
                return False
            if guest.payment_method_id == d.payment_method_id:
                return False
            attempt = d.charge_attempts + 1
            won = s.execute(
                update(Donation)
                .where(Donation.id == donation_id,
                       Donation.state == DonationState.DECLINED.value)
                .values(
                    state=DonationState.CHARGING.value,
                    idempotency_key=pledge_key(pledge_id, attempt),
                    customer_id=guest.customer_id,
                    payment_method_id=guest.payment_method_id,
                    brand=guest.brand,
                    last4=guest.last4,
                    decline_code=None,
                    charge_attempts=attempt,
                    message=None,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if won:
                s.execute(update(Pledge).where(Pledge.id == pledge_id).values(
                    state=PledgeState.CHARGING.value, message=None))
            return bool(won)

    def charge_on_file(self, pledge_id: str) -> bool:
        """Charge a pledge that waits (no card when it was made) on the card its guest has
        on file now, by its background job (checkout's "charge all open pledges on file").
        Safe to call twice, or while it runs: one job per pledge, one key. False when the
        pledge isn't waiting or its guest has no card on file."""
        job_ids: list[str] = []
        with self.db.session() as s:
            pledge = s.get(Pledge, pledge_id)
            if pledge is None:
                raise KeyError(pledge_id)
            guest = s.scalar(select(Attendee).where(Attendee.paddle == pledge.paddle))
            d = s.get(Donation, pledge.donation_id)
            if (pledge.state != PledgeState.PLEDGED.value or guest is None
                    or not self._on_file(guest) or d is None
                    or d.state != DonationState.PLEDGED.value):
                return False
            job = s.scalar(select(Job).where(Job.donation_id == d.id,
                                             Job.kind == pledge_charge.NAME))
            if job is None:
                job_ids.append(pledge_charge.add(self.ledger, s, d.id))
            elif JobState(job.state) not in UNFINISHED:
                job_ids.append(job.id)  # queued again below, after this commit
            pledge.message = None
        again = [j for j in job_ids if self.ledger.retry(j)]
        if again:
            self.enqueue(again)
        return True

    def card_on_file_changed(self, paddle: str) -> list[str]:
        """The guest left another card: their declined pledges are charged again on it
        (their jobs queued now). Returns the job ids."""
        return self.recharge_declined(paddle)

    def recharge_declined(self, paddle: str | None = None) -> list[str]:
        """Queue again every declined pledge's job whose guest has another card on file
        now (one paddle's, or all: the settle loop's sweep, which also catches a card saved
        while the job was still finishing). Returns the job ids."""
        with self.db.session() as s:
            stmt = (
                select(Job.id)
                .join(Pledge, Pledge.donation_id == Job.donation_id)
                .join(Donation, Donation.id == Pledge.donation_id)
                .join(Attendee, Attendee.paddle == Pledge.paddle)
                .where(Pledge.state == PledgeState.NEEDS_ATTENTION.value,
                       Job.kind == pledge_charge.NAME,
                       Job.state == JobState.NEEDS_ATTENTION.value,
                       Donation.state == DonationState.DECLINED.value,
                       Attendee.card_state == CardOnFile.SAVED.value,
                       Attendee.processor == self.donations.processor.name,
                       Attendee.payment_method_id != Donation.payment_method_id)
            )
            if paddle is not None:
                stmt = stmt.where(Pledge.paddle == paddle)
            jobs = list(s.scalars(stmt))
        again = [job_id for job_id in jobs if self.ledger.retry(job_id)]
        if again:
            self.enqueue(again)
            log.info("%d declined pledge(s) charged again on another card", len(again))
        return again

    def _start(self, pledge_id: str, donation_id: str) -> bool:
        """`pledged` -> `charging` with every parameter of the request, in one transaction
        (one conditional UPDATE decides against an undo)."""
        with self.db.session() as s:
            guest = s.scalar(
                select(Attendee).join(Pledge, Pledge.paddle == Attendee.paddle)
                .where(Pledge.id == pledge_id)
            )
            if guest is None or not self._on_file(guest):
                return False
            won = s.execute(
                update(Donation)
                .where(Donation.id == donation_id,
                       Donation.state == DonationState.PLEDGED.value)
                .values(
                    state=DonationState.CHARGING.value,
                    processor=self.donations.processor.name,
                    idempotency_key=pledge_key(pledge_id),
                    customer_id=guest.customer_id,
                    payment_method_id=guest.payment_method_id,
                    off_session=True,
                    save_card=False,  # already on file: nothing to set up
                    brand=guest.brand,
                    last4=guest.last4,
                    charge_attempts=1,
                    message=None,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if won:
                s.execute(update(Pledge).where(Pledge.id == pledge_id).values(
                    state=PledgeState.CHARGING.value, message=None))
            return bool(won)

    def _verdict(self, donation_id: str, outcome: Outcome | None) -> str:
        if outcome is None or outcome.status == DonationState.VOIDED.value:
            return "not charged: undone"
        if outcome.status == "approved":
            return outcome.reference or ""
        paddle = self._paddle_of(donation_id)
        if outcome.status in ("in_doubt", "pending"):
            raise Transient(
                "No final answer from the processor yet; this pledge is checked again "
                "automatically and never charged twice.",
                f"donation {donation_id}: {outcome.status}",
            )
        if outcome.status == "failed" and outcome.message == NOT_CHARGED:
            raise Transient(NOT_CHARGED, f"donation {donation_id}: not sent", offline=True)
        if outcome.status == "declined":
            raise JobPermanent(self._declined_words(donation_id, paddle),
                               f"donation {donation_id}: declined", fix="discard")
        raise JobPermanent(
            f"Paddle {paddle}'s pledge was not charged: {outcome.message}",
            f"donation {donation_id}: {outcome.status}", fix="retry",
        )

    def _declined_words(self, donation_id: str, paddle: str | None) -> str:
        with self.db.session() as s:
            d = s.get(Donation, donation_id)
            assert d is not None
            return ask_for_card(paddle, _reason(d))

    def _paddle_of(self, donation_id: str) -> str | None:
        with self.db.session() as s:
            d = s.get(Donation, donation_id)
            return d.paddle if d is not None else None

    # ---- the pledge follows its gift (inside the transaction that records an answer) ----
    def follow_gift(self, s: Session, d: Donation) -> None:
        pledge = s.scalar(select(Pledge).where(Pledge.donation_id == d.id))
        if pledge is None:
            return
        state = DonationState(d.state)
        message: str | None = None
        if state is DonationState.APPROVED:
            new = PledgeState.PAID
        elif state is DonationState.DECLINED:
            new, message = PledgeState.NEEDS_ATTENTION, ask_for_card(pledge.paddle, _reason(d))
        elif state is DonationState.FAILED and d.message == NOT_CHARGED:
            new, message = PledgeState.CHARGING, "Couldn't reach the processor; trying again."
        elif state in (DonationState.FAILED, DonationState.MISMATCH):
            new, message = PledgeState.NEEDS_ATTENTION, d.message
        elif state in (DonationState.CHARGING, DonationState.IN_DOUBT,
                       DonationState.PROCESSING):
            new = PledgeState.CHARGING
        else:
            return
        pledge.state, pledge.message = new.value, message

    # ---- reading ----------------------------------------------------------------------
    def _record(self, s: Session, pledge: Pledge) -> PledgeRecord:
        guest = s.scalar(select(Attendee).where(Attendee.paddle == pledge.paddle))
        return PledgeRecord.of(
            pledge, guest.name if guest else "", bool(guest and self._on_file(guest))
        )

    def get(self, pledge_id: str) -> PledgeRecord:
        with self.db.session() as s:
            pledge = s.get(Pledge, pledge_id)
            if pledge is None:
                raise KeyError(pledge_id)
            return self._record(s, pledge)

    def list(self, raise_id: str | None = None) -> list[PledgeRecord]:
        """Pledges, oldest first (one raise's, or all)."""
        with self.db.session() as s:
            stmt = select(Pledge).order_by(Pledge.created_at, Pledge.id)
            if raise_id is not None:
                stmt = stmt.where(Pledge.raise_id == raise_id)
            pledges = list(s.scalars(stmt))
            guests = {a.paddle: a for a in s.scalars(select(Attendee))}
            # a pledge taken at the table for a pay link has no paddle: its gift's donor
            donors = dict(s.execute(select(Donation.id, Donation.donor_name).where(
                Donation.id.in_([p.donation_id for p in pledges if p.paddle not in guests])
            )).all())  # fmt: skip
            return [
                PledgeRecord.of(
                    p,
                    guests[p.paddle].name if p.paddle in guests else donors.get(p.donation_id, ""),
                    p.paddle in guests and self._on_file(guests[p.paddle]),
                )
                for p in pledges
            ]

    def get_raise(self, raise_id: str) -> PaddleRaiseRecord:
        with self.db.session() as s:
            row = s.get(PaddleRaise, raise_id)
            if row is None:
                raise KeyError(raise_id)
            pledges = list(s.scalars(select(Pledge).where(Pledge.raise_id == raise_id)))
            return PaddleRaiseRecord.of(row, pledges)

    def raises(self) -> list[PaddleRaiseRecord]:
        with self.db.session() as s:
            rows = list(s.scalars(select(PaddleRaise).order_by(PaddleRaise.opened_at)))
            pledges = list(s.scalars(select(Pledge).where(Pledge.raise_id.is_not(None))))
            return [PaddleRaiseRecord.of(r, [p for p in pledges if p.raise_id == r.id])
                    for r in rows]


def _reason(d: Donation) -> str:
    """Why the bank refused, in the volunteer's words ("the card was declined.")."""
    reason = DECLINE_MESSAGES.get(d.decline_code or "") or (d.message or "").split(". ")[0]
    return reason[:1].lower() + reason[1:] if reason else "the card was declined."
