"""The paddle raise (fund-a-need): hands go up and each pledge is recorded at once.

A pledge is written in ONE transaction with its gift (a `donations` row in state
`pledged`: no money, never counted, paddle set, the guest's receipt language from
check-in) and, when the guest's card is on file, its `pledge_charge` job
(jobs/kinds/pledge_charge.py, whose body is services/pledge_charges.py); Huey gets the job
after the commit. Undo is one conditional UPDATE on the gift (`pledged` -> `voided`), the
opposite of the one that starts the charge: whichever commits first wins, so a pledge is
either undone or charged, never both. A declined pledge can be undone too (nothing was
charged).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jobs.kinds import pledge_charge
from jobs.ledger import Ledger
from jobs.records import JobState
from pos_app.domain.money import AmountError, check_amount, format_cents
from pos_app.domain.states import DonationState, Method, PledgeState
from pos_app.store.database import Database
from pos_app.store.models import Attendee, Donation, Job, PaddleRaise, Pledge, new_id

from .check_in import paddle_of
from .donations import DonationService
from .gala_records import PaddleRaiseRecord, PledgeRecord, PledgeStarted
from .pledge_charges import card_on_file
from .records import InvalidDonation

log = logging.getLogger(__name__)

OPEN, CLOSED = "open", "closed"
MAX_LEVELS = 12
# Pledges left out of a raise's totals.
COUNTED_OUT = (PledgeState.UNDONE.value,)
UNDONE_MESSAGE = "Pledge undone before its charge started."
UNDONE_DECLINED = "Pledge undone after its card was declined; nothing was charged."


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
                # the guest's language from check-in: the receipt after the charge and a
                # checkout pay link are written in it (None: the event's default)
                receipt_language=guest.language,
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
        return card_on_file(guest, self.donations.processor.name)

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


