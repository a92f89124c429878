"""Shared pieces of the gala tests: test cards, a guest list, waiting for pledges to settle.

The cards are Stripe's own test numbers, read the same way by the simulator and by the
bridged localstripe: 4242 sets up and charges; 0002 is refused when it is to be kept (at
check-in); 0341 sets up, then every charge is declined; 3184 wants 3-D Secure on every
payment, so an off-session charge is refused with authentication_required.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pos_app.api import Card, PledgeRecord, Station
from pos_app.payments.base import SaveCardRequest
from pos_app.store.models import Attendee

from .jobwait import wait_for

YEAR = dt.date.today().year + 2
VISA = Card("4242424242424242", 12, YEAR, "123", postal_code="62701")
REFUSED_AT_SETUP = Card("4000000000000002", 12, YEAR, "123")
DECLINES_AT_CHARGE = Card("4000000000000341", 12, YEAR, "123")
NEEDS_AUTH = Card("4000002760003184", 12, YEAR, "123")
GALA_CARD_NUMBERS = (
    VISA.number, REFUSED_AT_SETUP.number, DECLINES_AT_CHARGE.number, NEEDS_AUTH.number,
)
SETTLED = ("paid", "needs_attention", "pledged", "undone")


def authenticated_on_file(st: Station, paddle: str, card: Card) -> None:
    """A guest who confirmed `card` with their bank at check-in (3-D Secure, which a table
    can't run: real Stripe asks for it on 3184's SetupIntent too). Played by attaching the
    card to the guest's Customer with the adapter's own calls, as Stripe permits, then
    recording its tokens on the guest, as check-in would after the authentication."""
    with st.db.session() as s:
        guest = s.query(Attendee).filter_by(paddle=paddle).one()
        customer, attendee_id = guest.customer_id, guest.id
    assert customer, "check the guest in with a card first"
    proc = st.processor
    pm = proc.create_payment_method(card, f"test-auth-{attendee_id}-pm")
    proc.save_card(SaveCardRequest(attendee_id, pm.id, f"test-auth-{attendee_id}",
                                   customer_id=customer))
    with st.db.session() as s:
        guest = s.query(Attendee).filter_by(paddle=paddle).one()
        guest.payment_method_id, guest.brand, guest.last4 = pm.id, pm.brand, pm.last4


def check_in_guests(st: Station, guests: dict[str, str | None]) -> dict[str, str | None]:
    """Check each guest in (name -> what their card does: "visa" charges, "declines" is
    refused at charge time, "auth" wants the donor's authentication off-session; anything
    else, no card). Returns paddle -> that kind, in check-in order."""
    from pos_app.api import Donor

    kinds: dict[str, str | None] = {}
    for name, kind in guests.items():
        card = {"visa": VISA, "declines": DECLINES_AT_CHARGE, "auth": VISA}.get(kind or "")
        guest = st.check_in(Donor(name.title(), f"{name}@example.org"), card=card)
        if kind == "auth":
            authenticated_on_file(st, guest.paddle, NEEDS_AUTH)
        kinds[guest.paddle] = kind
    return kinds


def wait_pledges_settled(
    st: Station, raise_id: str | None = None, timeout: float = 60.0
) -> list[PledgeRecord]:
    """Until no pledge is being charged and none on a card waits to start."""

    def settled() -> list[PledgeRecord] | None:
        pledges = st.pledges(raise_id)
        busy = [p for p in pledges
                if p.state == "charging" or (p.state == "pledged" and p.card_on_file)]
        return pledges if pledges and not busy else None

    return wait_for(settled, timeout=timeout, why="pledges to settle")


def by_state(pledges: Iterable[PledgeRecord]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in pledges:
        counts[p.state] = counts.get(p.state, 0) + 1
    return counts
