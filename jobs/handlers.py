"""The two job bodies. Each reads what it needs in a short session, calls out with no
transaction open, then records the result in one short transaction.

Failures are raised as the integration's own error kinds (payments' Declined/Transient/
Permanent, receipts' SendTransient/SendPermanent) or as JobPermanent; the runner maps them.
"""

from __future__ import annotations

import dataclasses
import logging

from pos_app.domain.donor import email_error
from pos_app.domain.states import DonationState
from pos_app.faults import crashpoint
from pos_app.payments.base import Processor, SaveCardRequest
from pos_app.receipts.message import OutgoingEmail
from pos_app.receipts.render import ReceiptData, render
from pos_app.receipts.senders import Sender
from pos_app.settings import Settings
from pos_app.store.database import Database
from pos_app.store.models import Donation, DonorToken

from .ledger import Ledger, Work, aware

log = logging.getLogger(__name__)


class JobPermanent(Exception):
    """The job can't succeed as things stand; a person has to act."""

    kind = "permanent"

    def __init__(self, message: str, detail: str = "", fix: str = "") -> None:
        super().__init__(message)
        self.message, self.detail, self.fix = message, detail, fix


def save_card_key(donation_id: str) -> str:
    """Idempotency keys for saving a card come from the donation: a retry is a replay."""
    return f"tableside-save-{donation_id}"


class SaveCardJob:
    def __init__(self, db: Database, ledger: Ledger, processor: Processor) -> None:
        self.db, self.ledger, self.processor = db, ledger, processor

    def __call__(self, work: Work) -> str:
        with self.db.session() as s:
            d = s.get(Donation, work.donation_id)
            if d is None:
                raise JobPermanent("The gift for this job is missing.", work.donation_id)
            token = s.get(DonorToken, d.id)
            if token is not None:
                return token.customer_id
            state, pm, brand, last4 = d.state, d.payment_method_id, d.brand, d.last4
            taken_with = d.processor
            request = SaveCardRequest(
                donation_id=d.id,
                payment_method_id=pm or "",
                idempotency_key=save_card_key(d.id),
                name=d.donor_name,
                email=d.donor_email,
                customer_id=work.result_ref,
            )
        if state != DonationState.APPROVED.value or not pm:
            raise JobPermanent(
                "Only an approved card gift can be saved; this one is not approved.",
                f"donation state {state}, payment method {pm}",
                fix="discard",
            )
        if taken_with and taken_with != self.processor.name:
            # e.g. a training (simulator) gift still queued when the station went live
            raise JobPermanent(
                f"This gift was taken with the {taken_with} processor, so its card can only "
                f"be saved there, not with {self.processor.name}. Discard this job.",
                f"donation processor {taken_with}, station processor {self.processor.name}",
                fix="discard",
            )
        if request.customer_id is None:
            customer_id = self.processor.create_customer(request)
            crashpoint("save_card_after_customer")
            # Kept before attaching: a retry after the key expired can't make a second one.
            self.ledger.record_ref(work.id, customer_id)
            request = dataclasses.replace(request, customer_id=customer_id)
        saved = self.processor.save_card(request)
        crashpoint("save_card_after_attach")
        self.ledger.mark_card_saved(
            work.id,
            work.donation_id,
            DonorToken(
                donation_id=work.donation_id,
                processor=self.processor.name,
                customer_id=saved.customer_id,
                payment_method_id=saved.payment_method_id,
                brand=brand,
                last4=last4,
            ),
            saved.customer_id,
        )
        log.info("job %s: card saved for donation %s", work.id, work.donation_id)
        return saved.customer_id


class ReceiptJob:
    def __init__(self, db: Database, ledger: Ledger, sender: Sender, settings: Settings) -> None:
        self.db, self.ledger, self.sender, self.settings = db, ledger, sender, settings

    def __call__(self, work: Work) -> str:
        if work.sent_at is not None:  # the sent-marker: already handed over
            self.ledger.mark_done(work.id)
            return work.result_ref or ""
        org, event = self.settings.organization, self.settings.event
        with self.db.session() as s:
            d = s.get(Donation, work.donation_id)
            if d is None:
                raise JobPermanent("The gift for this receipt is missing.", work.donation_id)
            if d.state not in (DonationState.APPROVED.value, DonationState.RECORDED.value):
                raise JobPermanent(
                    "This gift is not approved, so it gets no receipt.",
                    f"donation state {d.state}",
                    fix="discard",
                )
            to_email, to_name = d.donor_email.strip(), d.donor_name.strip()
            data = ReceiptData(
                receipt_number=work.receipt_number or "",
                donation_id=d.id,
                amount_cents=d.amount_cents,
                currency=d.currency,
                donated_at=aware(d.created_at) or d.created_at,
                method=d.method,
                donor_name=to_name,
                donor_email=to_email,
                brand=d.brand,
                last4=d.last4,
                check_number=d.check_number,
                payment_reference=d.payment_intent_id,
                org_name=org.name,
                org_address=org.address,
                tax_id=org.tax_id,
                event_name=event.name,
                thanks_text=org.receipt_text,
                # a gift's own goods (a ticket) win over the event's default
                goods_description=d.goods_description
                if d.goods_value_cents is not None
                else event.goods_description,
                goods_value_cents=d.goods_value_cents
                if d.goods_value_cents is not None
                else round(event.goods_value * 100),
                language=d.receipt_language or "en",
                fee_cents=d.fee_cents or 0,
                dedication_kind=d.dedication_kind or "",
                dedication_name=d.dedication_name or "",
                anonymous=bool(d.anonymous),
            )
        problem = email_error(to_email) if to_email else "There is no email address."
        if problem:
            raise JobPermanent(
                f"The receipt can't be sent to {to_email!r}: {problem} Correct the address "
                "and send again.",
                "invalid recipient address",
                fix="fix_email",
            )
        if not work.receipt_number:
            raise JobPermanent("This receipt has no number.", "receipt_number is NULL")
        rendered = render(data)
        email = OutgoingEmail.of(
            rendered,
            to_email=to_email,
            to_name=to_name,
            from_email=self.settings.receipts.sender,
            from_name=org.name,
            receipt_number=work.receipt_number,
            donation_id=d.id,
        )
        crashpoint("receipt_before_send")
        ref = self.sender.send(email)
        crashpoint("receipt_after_send")
        self.ledger.mark_done(work.id, ref, sent=True)
        log.info("job %s: receipt %s sent via %s", work.id, work.receipt_number, self.sender.name)
        return ref
