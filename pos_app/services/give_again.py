"""Give again: a returning donor's saved card charged for a new gift, with one key.

The card was saved in the background after an earlier gift (the save_card job: a Customer
with the PaymentMethod attached). A new gift is an off-session PaymentIntent with that
Customer and PaymentMethod, `off_session=true`, and the gift's own idempotency key, written
in the donation row before it is sent and then settled exactly like any charge (replays,
in doubt, start-up). If the processor refuses the card or wants the donor to authenticate,
the outcome says "Ask for the card" and the volunteer falls back to the normal flow.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from pos_app.domain.cards import BRANDS_BY_KEY
from pos_app.domain.donor import Donor
from pos_app.domain.gift import NO_OPTIONS, GiftOptions, gift_columns
from pos_app.domain.states import DonationState, Method
from pos_app.faults import crashpoint
from pos_app.store.models import Donation, DonorToken, new_id

from .donations import DonationService
from .records import Outcome

ASK_FOR_CARD = "Ask for the card"
MAX_MATCHES = 10


@dataclass(frozen=True)
class SavedDonor:
    """A donor with a card on file. `ref` names the saved card for give_again()."""

    ref: str  # the donation whose card was saved (its DonorToken)
    name: str
    email: str
    brand: str | None
    last4: str | None
    last_gift_cents: int
    paddle: str | None = None

    @property
    def card_label(self) -> str:
        brand = BRANDS_BY_KEY.get(self.brand or "")
        return f"{brand.label if brand else 'Card'} •••• {self.last4 or '????'}"


class GiveAgainService:
    def __init__(self, donations: DonationService) -> None:
        self.donations = donations
        self.db = donations.db

    def find(self, query: str) -> list[SavedDonor]:
        """Donors with a card saved on this station's processor whose name or email contains
        `query`, or whose paddle number is `query`; one per saved card, newest first."""
        q = query.strip()
        if len(q) < 2 and not q.isdigit():
            return []
        like = f"%{q.lower()}%"
        with self.db.session() as s:
            rows = s.execute(
                select(DonorToken, Donation)
                .join(Donation, Donation.id == DonorToken.donation_id)
                .where(
                    DonorToken.processor == self.donations.processor.name,
                    or_(
                        func.lower(Donation.donor_name).like(like),
                        func.lower(Donation.donor_email).like(like),
                        Donation.paddle == q,
                    ),
                )
                .order_by(DonorToken.created_at.desc())
            ).all()
        seen: set[str] = set()
        out: list[SavedDonor] = []
        for token, d in rows:
            if token.payment_method_id in seen:
                continue
            seen.add(token.payment_method_id)
            out.append(
                SavedDonor(
                    ref=token.donation_id,
                    name=d.donor_name,
                    email=d.donor_email,
                    brand=token.brand,
                    last4=token.last4,
                    last_gift_cents=d.amount_cents - (d.fee_cents or 0),
                    paddle=d.paddle,
                )
            )
            if len(out) >= MAX_MATCHES:
                break
        return out

    def give(self, ref: str, amount_cents: int, options: GiftOptions = NO_OPTIONS) -> Outcome:
        """Charge the saved card `ref` (a SavedDonor.ref) for a new gift of `amount_cents`."""
        svc = self.donations
        with self.db.session() as s:
            token = s.get(DonorToken, ref)
            first = s.get(Donation, ref)
            if token is None or first is None:
                raise KeyError(ref)
            donor = Donor(first.donor_name, first.donor_email)
            saved = (token.processor, token.customer_id, token.payment_method_id)
            brand, last4, paddle = token.brand, token.last4, first.paddle
        if saved[0] != svc.processor.name:
            raise KeyError(ref)  # a card saved with another processor (training) can't be used
        svc.validate(amount_cents, donor, None, options)
        fee = svc.fee_for(amount_cents, options)
        donation_id = new_id()
        with svc._claim(donation_id):
            with self.db.session() as s:
                s.add(
                    Donation(
                        id=donation_id,
                        amount_cents=amount_cents + fee,
                        currency=svc.currency,
                        method=Method.CARD.value,
                        state=DonationState.CHARGING.value,
                        donor_name=donor.name,
                        donor_email=donor.email,
                        **svc.taken_here(),
                        processor=svc.processor.name,
                        # the gift's own key, stored with everything the request needs
                        idempotency_key=f"tableside-{uuid.uuid4().hex}",
                        payment_method_id=saved[2],
                        customer_id=saved[1],
                        off_session=True,
                        brand=brand,
                        last4=last4,
                        paddle=paddle,
                        charge_attempts=1,
                        **gift_columns(options, fee),
                    )
                )
            crashpoint("after_row")
            outcome = svc._charge(donation_id)
        return ask_for_card(outcome)


def ask_for_card(outcome: Outcome) -> Outcome:
    """A refused or authentication-needing saved card: say what to do next."""
    if outcome.status in ("declined", "failed") and not outcome.can_retry:
        return dataclasses.replace(
            outcome, message=f"{ASK_FOR_CARD}: {outcome.message}", ask_for_card=True
        )
    return outcome
