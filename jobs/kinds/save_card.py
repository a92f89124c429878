"""The save-card job: keep an approved card gift's card with the processor (a Customer and
its PaymentMethod) so the donor can give again without handing it over.

Exactly once: every processor write carries an idempotency key derived from the gift, and
the new customer id is kept before the attach, so a retry or a crash replays, never
doubles. Only processors that declare they keep cards get this job, and only for a gift
whose donor agreed to keep the card (`Donation.save_card`, the form's checkbox).

A gift taken on the card reader (its row has an `entry_mode`) was paid with a card_present
PaymentMethod, which Stripe never lets a Customer keep; what is saved is the reusable card
the processor generated from it (`generated_card`). A reader gift without one has nothing
to save and waits in needs attention, saying so.
"""

from __future__ import annotations

import dataclasses
import logging

from pos_app.domain.states import DonationState, Method
from pos_app.faults import crashpoint
from pos_app.payments.base import SaveCardRequest
from pos_app.store.models import Donation, DonorToken

from ..context import JobContext
from ..errors import JobPermanent
from ..ledger import Work
from ..records import JobState
from ..registry import JobKindSpec, register

log = logging.getLogger(__name__)

NAME = "save_card"


def save_card_key(donation_id: str) -> str:
    """Idempotency keys for saving a card come from the donation: a retry is a replay."""
    return f"tableside-save-{donation_id}"


class SaveCardJob:
    def __init__(self, ctx: JobContext) -> None:
        self.db, self.ledger, self.processor = ctx.db, ctx.ledger, ctx.processor

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
            on_reader, generated = bool(d.entry_mode), d.generated_card
            request = SaveCardRequest(
                donation_id=d.id,
                payment_method_id=(generated if on_reader else pm) or "",
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
        if on_reader and not generated:
            raise JobPermanent(
                "This gift was taken on the card reader and the processor made no reusable "
                "card from it (the card or the payment didn't allow saving), so there is "
                "nothing to save. Discard this job; the donor can save a card next time.",
                f"card-present gift paid with {pm}: no generated_card to attach",
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


def follows_gift(donation: Donation, ctx: JobContext) -> bool:
    """An approved card gift whose donor agreed to keep the card, charged with a card the
    processor can keep; a gift charged off-session was charged on a card already saved,
    so there is nothing to save."""
    return (
        ctx.save_cards
        and bool(donation.save_card)
        and donation.method == Method.CARD.value
        and donation.state == DonationState.APPROVED.value
        and bool(donation.payment_method_id)
        and not donation.off_session
    )


SPEC = register(
    JobKindSpec(
        name=NAME,
        label="Save card",
        plural="Card saves",
        noun=("card save", "card saves"),
        doing="saving the card",
        delivery="exactly once",
        follows_gift=follows_gift,
        make_body=lambda ctx: SaveCardJob(ctx),
        state_words={JobState.DONE: "Saved"},
    )
)
