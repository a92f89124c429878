"""Charging pledges on a card on file: the `pledge_charge` job's body, and the pledge
following its gift's answers.

The job is the charge protocol of services/donations.py run off the volunteer's thread.
It moves the pledge's gift from `pledged` to `charging` with everything the request needs
(the guest's Customer and PaymentMethod on file, off_session, an idempotency key derived
from the pledge id) in one conditional UPDATE, commits, then charges through the donation
service, so in-doubt answers, replays and the settle loop are the ones every card gift
has. A decline (or `authentication_required`) is final for that card: the pledge and its
job need attention ("Ask paddle 112 for another card"); once the guest leaves another
card, a new attempt with its own key charges it (`recharge_declined`, also swept by the
settle loop). The pledge follows its gift inside the transaction that records each answer
(`follow_gift`, DonationService.on_settled).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jobs.errors import JobPermanent
from jobs.kinds import pledge_charge
from jobs.ledger import Ledger
from jobs.records import UNFINISHED, JobState
from pos_app.domain.states import CardOnFile, DonationState, PledgeState
from pos_app.faults import crashpoint
from pos_app.payments.base import DECLINE_MESSAGES, Transient
from pos_app.store.database import Database
from pos_app.store.models import Attendee, Donation, Job, Pledge

from . import replay
from .donations import NOT_CHARGED, DonationService
from .records import Outcome

log = logging.getLogger(__name__)


def card_on_file(guest: Attendee, processor_name: str) -> bool:
    """The guest's card is kept with this station's processor and can be charged."""
    return (
        guest.card_state == CardOnFile.SAVED.value
        and guest.processor == processor_name
        and bool(guest.customer_id and guest.payment_method_id)
    )


def pledge_key(pledge_id: str, attempt: int = 1) -> str:
    """The idempotency key of a pledge's charge: derived from the pledge, so every replay
    (a retry, a restart, the settle loop) is the same request. A later attempt on another
    card (the first was declined: final, nothing charged) has its own."""
    base = f"tableside-pledge-{pledge_id}"
    return base if attempt == 1 else f"{base}-{attempt}"


def ask_for_card(paddle: str | None, reason: str) -> str:
    return f"Ask paddle {paddle} for another card: {reason}"


class PledgeCharges:
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

    def _on_file(self, guest: Attendee) -> bool:
        return card_on_file(guest, self.donations.processor.name)

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
                return svc.outcome_of(donation_id)  # undone meanwhile, or no card now
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
        (their jobs queued now), and so are pledges whose job found no card on file while
        the card was being changed. Pledges made with no card at all still wait for
        checkout. Returns the job ids of declined pledges queued again."""
        with self.db.session() as s:
            skipped = list(s.scalars(
                select(Pledge.id)
                .join(Job, Job.donation_id == Pledge.donation_id)
                .where(Pledge.paddle == paddle,
                       Pledge.state == PledgeState.PLEDGED.value,
                       Job.kind == pledge_charge.NAME,
                       Job.state == JobState.DONE.value)
            ))
        for pledge_id in skipped:
            self.charge_on_file(pledge_id)
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
        if outcome.status == DonationState.PLEDGED.value:  # the card left the file meanwhile
            with self.db.session() as s:
                s.execute(update(Pledge).where(Pledge.donation_id == donation_id).values(
                    message="Waiting for checkout: no card on file."))
            return "not charged: no card on file"
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

def _reason(d: Donation) -> str:
    """Why the bank refused, in the volunteer's words ("the card was declined.")."""
    reason = DECLINE_MESSAGES.get(d.decline_code or "") or (d.message or "").split(". ")[0]
    return reason[:1].lower() + reason[1:] if reason else "the card was declined."
