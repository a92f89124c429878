"""Refunds (card, through the processor) and voids (cash, check): crash-safe like charges.

1. Check the gift can be given back. 2. Write the refunds row (`refunding`, a fresh
idempotency key, the amount, the lead's reason and the processor's reason code: every
parameter of the request) and commit. 3. Call the processor with that key, off any
transaction. 4. In ONE transaction record the result on the refund and the gift.

A refund whose answer was lost (or that a crash left `refunding`) is `in_doubt`: `settle()`
replays it with the same key and the same parameters, rebuilt from the row, until the
processor says what happened; it never refunds twice. The claims, the call and what its
answer means are the protocol shared with charges (services/replay.py). Unlike a charge,
a refund that could not be sent stays in doubt (it is sent again), never failed. A void
never leaves the laptop: the gift is marked `voided`, and the reason is kept in the same
kind of row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.domain.cards import BRANDS_BY_KEY
from pos_app.domain.money import format_cents
from pos_app.domain.states import REFUND_CATEGORIES, DonationState, Method, RefundState
from pos_app.faults import crashpoint
from pos_app.logs import redact
from pos_app.payments.base import Processor, ProcessorError, RefundRequest, refund_category
from pos_app.payments.registry import Capability
from pos_app.store.database import Database
from pos_app.store.models import Donation, Refund

from . import replay
from .records import DonationRecord, InvalidDonation, RefundOutcome, RefundRecord
from .replay import Verdict

log = logging.getLogger(__name__)

REASON_MAX = 500  # characters kept; Stripe's metadata limit

# Called after a refund or void is committed: (donation_id, why) -> drop its unstarted jobs.
ReversedHook = Callable[[str, str], None]

IN_DOUBT = (
    "The processor hasn't confirmed this refund yet. Don't refund again: Tableside keeps "
    "checking with the same request and updates this gift when it answers."
)
NOT_SENT = (
    "Couldn't reach the processor, so the refund hasn't gone through yet. Don't refund "
    "again: Tableside sends it as soon as the processor is reachable."
)


class RefundService:
    def __init__(self, db: Database, processor: Processor) -> None:
        self.db = db
        self.processor = processor
        self.on_reversed: ReversedHook | None = None
        self.claims = replay.Claims()  # donations being refunded by this process now

    # ---- the lead's action -------------------------------------------------------------
    def refund(
        self, donation_id: str, reason: str, category: str | None = None
    ) -> RefundOutcome:
        """Refund a card gift or void a cash/check one. Raises KeyError, InvalidDonation.

        Asking again for a gift whose refund is in doubt replays that same refund (same
        key, same reason); asking for one already refunded answers with that refund.
        """
        reason = redact(" ".join(reason.split()))[:REASON_MAX]
        if not reason:
            raise InvalidDonation({"reason": "Say why this gift is being given back."})
        category = category or refund_category(reason)
        if category not in REFUND_CATEGORIES:
            raise InvalidDonation(
                {"category": f"The reason code must be one of {', '.join(REFUND_CATEGORIES)}."}
            )
        if not self.claims.take(donation_id):
            return RefundOutcome(
                status="in_doubt",
                donation_id=donation_id,
                message="This refund is being sent right now; its answer will show here.",
            )
        try:
            return self._refund(donation_id, reason, category)
        finally:
            self.claims.release(donation_id)

    def _refund(self, donation_id: str, reason: str, category: str) -> RefundOutcome:
        voided: RefundOutcome | None = None
        with self.db.session() as s:
            d = s.get(Donation, donation_id)
            if d is None:
                raise KeyError(donation_id)
            live = self._live(s, donation_id)
            if live is not None:
                if not RefundState(live.state).unsettled:
                    return self._outcome(live, d, again=True)
                # In doubt (or being settled): replay it, same key and reason; never a second.
                live.state = RefundState.REFUNDING.value
                live.attempts += 1
                refund_id, replay = live.id, True
            else:
                refused = self._refusal(d)
                if refused is not None:
                    return refused
                if d.method != Method.CARD.value:
                    voided = self._void(s, d, reason)
                else:
                    refund_id, replay = self._write(s, d, reason, category), False
        if voided is not None:
            log.info("donation %s voided", donation_id)
            self._reversed(donation_id, f"Gift voided: {reason}")
            return voided
        log.info(
            "donation %s: refund %s %s", donation_id, refund_id, "replayed" if replay else "written"
        )
        crashpoint("refund_after_row")
        return self._send(refund_id, maybe_sent=replay)

    def _void(self, s: Session, d: Donation, reason: str) -> RefundOutcome:
        row = Refund(
            donation_id=d.id,
            kind="void",
            state=RefundState.VOIDED.value,
            amount_cents=d.amount_cents,
            currency=d.currency,
            reason=reason,
            attempts=0,
            message=f"Voided the {format_cents(d.amount_cents, d.currency)} {d.method} gift. "
            "It no longer counts in the totals.",
        )
        s.add(row)
        d.state = DonationState.VOIDED.value
        s.flush()
        return self._outcome(row, d)

    def _write(self, s: Session, d: Donation, reason: str, category: str) -> str:
        """Step 2: the row with every parameter of the request, committed before sending."""
        row = Refund(
            donation_id=d.id,
            kind="refund",
            state=RefundState.REFUNDING.value,
            amount_cents=d.amount_cents,
            currency=d.currency,
            reason=reason,
            category=category,
            processor=self.processor.name,
            payment_intent_id=d.payment_intent_id,
            idempotency_key=replay.new_key("refund"),
            attempts=1,
        )
        s.add(row)
        s.flush()
        return row.id

    def _refusal(self, d: Donation) -> RefundOutcome | None:
        """Why this gift can't be given back now, or None when it can."""
        state = DonationState(d.state)
        if d.method != Method.CARD.value:
            return None if state is DonationState.RECORDED else _failed(
                d, f"This gift is {state.value}; there is nothing to void."
            )
        if state.unsettled:
            return _failed(
                d,
                "This charge is still being checked with the processor. Refund it once "
                "it shows as approved.",
            )
        if state is not DonationState.APPROVED or not d.payment_intent_id:
            return _failed(d, "Nothing was charged on this gift, so there is nothing to refund.")
        if d.processor and d.processor != self.processor.name:
            return _failed(
                d,
                f"This gift was taken with the {d.processor} processor and this station now "
                f"uses {self.processor.name}; refund it where it was taken.",
            )
        if Capability.REFUND not in self.processor.capabilities:
            return _failed(d, f"The {self.processor.name} processor can't refund here.")
        return None

    # ---- settling what a crash or a lost answer left --------------------------------------
    def settle(self, *, include_refunding: bool = False) -> list[RefundOutcome]:
        """Replay every refund in doubt not being worked on here; at start-up (with
        `include_refunding`) also those a crash left `refunding`."""
        states = [RefundState.IN_DOUBT.value]
        if include_refunding:
            states.append(RefundState.REFUNDING.value)
        with self.db.session() as s:
            rows = s.execute(
                select(Refund.id, Refund.donation_id).where(Refund.state.in_(states))
            ).all()
        outcomes = []
        for refund_id, donation_id in rows:
            if not self.claims.take(donation_id):
                continue
            try:
                with self.db.session() as s:
                    # Only from the states this pass looked for: a row another settler
                    # has just moved to `refunding` is theirs.
                    if not replay.claim_row(
                        s, Refund, refund_id, states, RefundState.REFUNDING.value
                    ):
                        continue
                log.info("refund %s: replaying to settle it", refund_id)
                outcomes.append(self._send(refund_id, maybe_sent=True))
            finally:
                self.claims.release(donation_id)
        return outcomes

    # ---- the protocol -----------------------------------------------------------------
    def _send(self, refund_id: str, *, maybe_sent: bool) -> RefundOutcome:
        """`maybe_sent`: an earlier attempt may have reached the processor (a replay)."""
        with self.db.session() as s:
            row = s.get(Refund, refund_id)
            assert row is not None and row.idempotency_key and row.payment_intent_id
            request = RefundRequest(
                payment_intent_id=row.payment_intent_id,
                amount_cents=row.amount_cents,
                idempotency_key=row.idempotency_key,
                donation_id=row.donation_id,
                reason=row.reason,
                category=row.category or "",
            )
        answer = replay.send(
            lambda: self.processor.refund(request),
            maybe_sent=maybe_sent,
            crash_after="refund_after_response",
            refusals=ProcessorError,  # refused (Permanent, or a Declined nobody expects)
            declines=False,
        )
        exc = answer.error
        if answer.verdict is Verdict.DONE:
            assert answer.result is not None
            refunded = answer.result.refund_id
            return self._finish(refund_id, RefundState.REFUNDED, "", reference=refunded)
        if answer.verdict is Verdict.NOT_SENT:
            return self._finish(refund_id, RefundState.IN_DOUBT, NOT_SENT, error=exc)
        assert exc is not None
        if answer.verdict is Verdict.REFUSED:
            message = f"Nothing was refunded: {exc.message}"
            return self._finish(refund_id, RefundState.FAILED, message, error=exc)
        message = IN_DOUBT
        if answer.refused_replay:
            # A refused replay says nothing about the first attempt, which may have
            # gone through: stay in doubt, keep checking, tell the lead why.
            message = f"{IN_DOUBT} The processor refused the check: {exc.message}"
        return self._finish(refund_id, RefundState.IN_DOUBT, message, error=exc)

    def _finish(
        self,
        refund_id: str,
        state: RefundState,
        message: str,
        *,
        error: ProcessorError | None = None,
        reference: str | None = None,
    ) -> RefundOutcome:
        with self.db.session() as s:
            row = s.get(Refund, refund_id)
            assert row is not None
            d = s.get(Donation, row.donation_id)
            assert d is not None
            row.state = state.value
            if reference:
                row.reference = reference
            if state is RefundState.REFUNDED:
                d.state = DonationState.REFUNDED.value
                message = (
                    f"Refunded {format_cents(row.amount_cents, row.currency)} to "
                    f"{_card(d)}. It no longer counts in the totals."
                )
            row.message = message
            outcome = self._outcome(row, d)
            reason = row.reason
        if error is not None:
            log.info("refund %s %s: %s (%s)", refund_id, state.value, error.kind, error.detail)
        else:
            log.info("refund %s %s (%s)", refund_id, state.value, reference)
        if state is RefundState.REFUNDED:
            self._reversed(outcome.donation_id, f"Gift refunded: {reason}")
        return outcome

    def _reversed(self, donation_id: str, why: str) -> None:
        if self.on_reversed is None:
            return
        try:
            self.on_reversed(donation_id, why)
        except Exception:  # the refund stands; a receipt left queued says "not approved"
            log.exception("dropping the jobs of donation %s failed", donation_id)

    # ---- reading ----------------------------------------------------------------------
    def list(self, donation_id: str | None = None) -> list[RefundRecord]:
        with self.db.session() as s:
            q = select(Refund).order_by(Refund.created_at)
            if donation_id is not None:
                q = q.where(Refund.donation_id == donation_id)
            return [_record(r) for r in s.scalars(q)]

    def annotate(self, donations: Iterable[DonationRecord]) -> list[DonationRecord]:
        """The gifts with their refund (the live one, else the last that failed)."""
        latest: dict[str, Refund] = {}
        with self.db.session() as s:
            for r in s.scalars(select(Refund).order_by(Refund.created_at)):
                if latest.get(r.donation_id) is None or latest[r.donation_id].state == "failed":
                    latest[r.donation_id] = r
        out = []
        for d in donations:
            r = latest.get(d.id)
            if r is None:
                out.append(d)
                continue
            done = r.state in (RefundState.REFUNDED.value, RefundState.VOIDED.value)
            out.append(
                dataclasses.replace(
                    d,
                    refunded_cents=r.amount_cents if done else 0,
                    refund_status=r.state,
                    refund_reason=r.reason,
                    refund_reference=r.reference,
                )
            )
        return out

    def _live(self, s: Session, donation_id: str) -> Refund | None:
        return s.scalar(
            select(Refund).where(
                Refund.donation_id == donation_id, Refund.state != RefundState.FAILED.value
            )
        )

    def _outcome(self, row: Refund, d: Donation, *, again: bool = False) -> RefundOutcome:
        state = RefundState(row.state)
        status = {RefundState.REFUNDING: "in_doubt"}.get(state, state.value)
        message = row.message or ""
        if again:
            message = f"This gift was already {state.value}. {message}".strip()
        return RefundOutcome(
            status=status,
            donation_id=d.id,
            message=message,
            refund_id=row.id,
            amount_cents=row.amount_cents,
            currency=row.currency,
            reference=row.reference,
            can_retry=state.unsettled,
        )



def _failed(d: Donation, message: str) -> RefundOutcome:
    return RefundOutcome(
        status="failed",
        donation_id=d.id,
        message=message,
        amount_cents=d.amount_cents,
        currency=d.currency,
    )


def _card(d: Donation) -> str:
    brand = BRANDS_BY_KEY.get(d.brand or "")
    name = brand.label if brand else (d.brand or "the card").title()
    return f"{name} •••• {d.last4}" if d.last4 else name


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back naive; they are always stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _record(r: Refund) -> RefundRecord:
    return RefundRecord(
        id=r.id,
        donation_id=r.donation_id,
        kind=r.kind,
        state=r.state,
        amount_cents=r.amount_cents,
        currency=r.currency,
        reason=r.reason,
        category=r.category,
        reference=r.reference,
        message=r.message,
        attempts=r.attempts,
        created_at=_aware(r.created_at),
        updated_at=_aware(r.updated_at),
    )
