"""What a card-reader payment came to, recorded on its gift (for services/reader.py).

A succeeded PaymentIntent is this gift's approval only when it says it is for this very
gift (amount, currency, the gift's id: the keyed charge's `answer_problem`); anything else
is MISMATCH, never approved, and the lead is told. A canceled one is declined (the card was
refused) or failed (nothing charged); anything else (e.g. `processing`) stays in doubt. A
full disk after the processor answered leaves the gift in doubt, settled by reading the
PaymentIntent again, never an error. The recording itself (the state, its jobs) is the
keyed charge's (services/donations.py).
"""

from __future__ import annotations

import logging

from pos_app.domain.money import format_cents
from pos_app.domain.states import DonationState
from pos_app.faults import crashpoint
from pos_app.payments.base import (
    ChargeRequest,
    ChargeResult,
    Declined,
    ProcessorError,
    Transient,
    answer_problem,
    decline_message,
)
from pos_app.payments.card_present import CardPresentPayment, entry_mode_label
from pos_app.store.disk import STORAGE_ERRORS
from pos_app.store.models import Donation

from .donations import IN_DOUBT, MISMATCH, DonationService
from .records import Outcome

log = logging.getLogger("pos_app.services.reader")

NOTHING = "Nothing was charged."
NEVER_SENT = f"Tableside stopped before the reader was asked for the card. {NOTHING}"


class ReaderResults:
    def __init__(self, donations: DonationService) -> None:
        self.donations = donations
        self.db = donations.db

    def from_payment(
        self,
        donation_id: str,
        pay: CardPresentPayment,
        message: str,
        error: ProcessorError | None = None,
        *,
        declined: bool = False,
    ) -> Outcome:
        if pay.status == "succeeded":
            return self.approve(donation_id, pay)
        if pay.status != "canceled":  # e.g. processing: only Stripe can say what comes next
            return self.donations._finish(
                donation_id,
                DonationState.IN_DOUBT,
                IN_DOUBT,
                Transient("payment not final", f"{pay.payment_intent_id}: {pay.status}"),
            )
        if declined or pay.decline_code or pay.error_code == "card_declined":
            code = pay.decline_code or "generic_decline"
            exc = Declined(decline_message(code), pay.error_code or "card_declined", code)
            try:
                with self.db.session() as s:
                    row = s.get(Donation, donation_id)
                    assert row is not None
                    row.brand, row.last4 = pay.brand or row.brand, pay.last4 or row.last4
            except STORAGE_ERRORS as err:  # the answer is the processor's: settled later
                return self.donations._unrecorded(donation_id, DonationState.DECLINED, True, err)
            return self.donations._finish(donation_id, DonationState.DECLINED, exc.message, exc)
        return self.donations._finish(
            donation_id, DonationState.FAILED, message or NEVER_SENT, error
        )

    def approve(self, donation_id: str, pay: CardPresentPayment) -> Outcome:
        """A succeeded PaymentIntent is this gift's approval only when it says it is for
        this very gift (amount, currency, the gift's id), as for a keyed charge: anything
        else is MISMATCH, never approved, and the lead is told."""
        try:
            problem, amount = self._record_card(donation_id, pay)
        except STORAGE_ERRORS as exc:  # charged, not recorded: in doubt, settled by reading
            return self.donations._unrecorded(donation_id, DonationState.APPROVED, True, exc)
        if problem is not None:
            log.error("donation %s: reader answer does not match: %s", donation_id, problem)
            return self.donations._finish(
                donation_id,
                DonationState.MISMATCH,
                MISMATCH.format(problem=problem),
                reference=pay.payment_intent_id,
            )
        crashpoint("reader_before_commit")
        mode = entry_mode_label(pay.read_method)
        message = f"Approved {amount}" + (f" ({mode})." if mode else ".")
        return self.donations._finish(
            donation_id, DonationState.APPROVED, message, reference=pay.payment_intent_id
        )

    def _record_card(self, donation_id: str, pay: CardPresentPayment) -> tuple[str | None, str]:
        """What the card and the reader said, on the row; (what doesn't match, the amount)."""
        with self.db.session() as s:
            row = s.get(Donation, donation_id)
            assert row is not None
            problem = _answer_problem(row, pay)
            row.brand, row.last4 = pay.brand, pay.last4  # which card, for the lead either way
            row.entry_mode = pay.read_method
            if problem is None:
                row.payment_method_id = pay.payment_method_id or pay.payment_intent_id
                row.generated_card = pay.generated_card
                row.emv_application = pay.receipt.application_name or None
                row.emv_aid = pay.receipt.aid or None
                row.emv_cvm = pay.receipt.verification or None
                row.emv_auth_code = pay.receipt.authorization_code or None
            return problem, format_cents(row.amount_cents, row.currency)


def _answer_problem(row: Donation, pay: CardPresentPayment) -> str | None:
    """The keyed charge's check (payments.base.answer_problem) on a reader payment."""
    asked = ChargeRequest(
        amount_cents=row.amount_cents,
        currency=row.currency,
        payment_method_id=pay.payment_method_id or "",
        donation_id=row.id,
        idempotency_key=row.idempotency_key or "",
    )
    said = ChargeResult(
        pay.payment_intent_id, pay.status, pay.amount_cents, pay.currency, pay.donation_ref
    )
    return answer_problem(asked, said)
