"""Give again: a returning donor's saved card charged for a new gift, with one key.

A card is on file either from an earlier gift (below) or from check-in at the door
(services/check_in.py: the guest's Customer and PaymentMethod); both are found by name,
email or paddle number, the guest's first.

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
from sqlalchemy.orm import Session

from pos_app.domain.cards import BRANDS_BY_KEY
from pos_app.domain.donor import Donor
from pos_app.domain.gift import NO_OPTIONS, GiftOptions, gift_columns
from pos_app.domain.states import CardOnFile, DonationState, Method
from pos_app.faults import crashpoint
from pos_app.store.models import Attendee, Donation, DonorToken, new_id

from .donations import DonationService
from .records import Outcome

ASK_FOR_CARD = "Ask for the card"
GUEST_REF = "guest:"  # a SavedDonor.ref naming a guest's card kept at check-in
MAX_MATCHES = 10


@dataclass(frozen=True)
class SavedDonor:
    """A donor with a card on file. `ref` names the saved card for give_again()."""

    ref: str  # the donation whose card was saved (its DonorToken), or "guest:<attendee id>"
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
            guests = list(s.scalars(
                select(Attendee).where(
                    Attendee.card_state == CardOnFile.SAVED.value,
                    Attendee.processor == self.donations.processor.name,
                    or_(
                        func.lower(Attendee.name).like(like),
                        func.lower(Attendee.email).like(like),
                        Attendee.paddle == q,
                    ),
                ).order_by(Attendee.updated_at.desc())
            ))
            last_gifts = self._last_gifts(s, [g.paddle for g in guests])
        seen: set[str] = set()
        out: list[SavedDonor] = []
        for guest in guests:  # the card a guest left at check-in comes first: it is current
            if not guest.payment_method_id or guest.payment_method_id in seen:
                continue
            seen.add(guest.payment_method_id)
            out.append(
                SavedDonor(
                    ref=f"{GUEST_REF}{guest.id}",
                    name=guest.name,
                    email=guest.email,
                    brand=guest.brand,
                    last4=guest.last4,
                    last_gift_cents=last_gifts.get(guest.paddle, 0),
                    paddle=guest.paddle,
                )
            )
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

    @staticmethod
    def _last_gifts(s: Session, paddles: list[str]) -> dict[str, int]:
        """paddle -> the newest taken gift on it (without a covered fee), for the guests."""
        if not paddles:
            return {}
        rows = s.execute(
            select(Donation.paddle, Donation.amount_cents, Donation.fee_cents)
            .where(Donation.paddle.in_(paddles),
                   Donation.state == DonationState.APPROVED.value)
            .order_by(Donation.created_at)
        ).all()
        return {paddle: amount - (fee or 0) for paddle, amount, fee in rows}

    def give(self, ref: str, amount_cents: int, options: GiftOptions = NO_OPTIONS) -> Outcome:
        """Charge the saved card `ref` (a SavedDonor.ref) for a new gift of `amount_cents`."""
        svc = self.donations
        with self.db.session() as s:
            if ref.startswith(GUEST_REF):  # a card kept on file at check-in
                guest = s.get(Attendee, ref.removeprefix(GUEST_REF))
                if (guest is None or guest.card_state != CardOnFile.SAVED.value
                        or not guest.customer_id or not guest.payment_method_id):
                    raise KeyError(ref)
                donor = Donor(guest.name, guest.email)
                saved = (guest.processor or "", guest.customer_id, guest.payment_method_id)
                brand, last4, paddle = guest.brand, guest.last4, guest.paddle
            else:
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
