"""Give again: a returning donor's saved card charged off-session for a new gift.

Against the simulator and against the bridged localstripe with every request checked
against Stripe's spec: the PaymentIntent carries the saved Customer and PaymentMethod,
off_session=true and the gift's own idempotency key (stored before sending), and a replay
never charges twice. A decline or an authentication-needing card says "Ask for the card".
"""

from __future__ import annotations

import datetime as dt

import pytest
from support.job_fixtures import StationFactory, make_station  # noqa: F401
from support.jobwait import wait_for, wait_settled
from support.processes import localstripe_stats
from support.stripe_spec import decode_form, stripe_spec
from test_jobs_save_card import API_KEY, SpecCheckingTransport

from pos_app.api import Card, Donor, GiftOptions, Station
from pos_app.payments.base import SaveCardRequest
from pos_app.payments.stripe import StripeProcessor
from pos_app.store.models import Donation, DonorToken

YEAR = dt.date.today().year + 2
VISA = Card("4242424242424242", 12, YEAR, "123")
NEEDS_AUTH = Card("4000002500003155", 12, YEAR, "123")  # 3-D Secure required
DECLINES_AT_CHARGE = Card("4000000000000341", 12, YEAR, "123")  # attaches, then declines
pytestmark = pytest.mark.timeout(120)


def saved_donor(st: Station, name: str, email: str, card: Card = VISA) -> str:
    """A first gift, its card saved by the background job; returns the SavedDonor ref."""
    first = st.take_card_donation(5000, Donor(name, email), VISA, GiftOptions(save_card=True))
    assert first.status == "approved"
    st.start_jobs()
    wait_for(lambda: st.find_saved_donors(email), why="the card to be saved")
    if card is not VISA:  # the donor's card on file is another one (saved at check-in)
        proc = st.processor
        pm = proc.create_payment_method(card, f"test-{first.donation_id}-pm")
        with st.db.session() as s:
            token = s.get(DonorToken, first.donation_id)
            assert token is not None
            customer = token.customer_id
        proc.save_card(
            SaveCardRequest(first.donation_id, pm.id, f"test-{pm.id}", customer_id=customer)
        )
        with st.db.session() as s:
            token = s.get(DonorToken, first.donation_id)
            assert token is not None
            token.payment_method_id, token.last4 = pm.id, pm.last4
    return st.find_saved_donors(email)[0].ref


def test_find_by_name_email_and_give_again_on_the_simulator(
    make_station: StationFactory,  # noqa: F811
) -> None:
    st = make_station()
    ref = saved_donor(st, "Ada Lovelace", "ada@example.org")
    (found,) = st.find_saved_donors("lovelace")
    assert (found.ref, found.card_label, found.last_gift_cents) == (ref, "Visa •••• 4242", 5000)
    assert st.find_saved_donors("ADA@EXAMPLE") == [found]
    assert st.find_saved_donors("nobody") == [] and st.find_saved_donors("a") == []
    out = st.give_again(ref, 10000, GiftOptions(cover_fee=True))
    assert out.status == "approved" and not out.ask_for_card
    assert out.amount_cents == 10000 + st.fee_for(10000)
    wait_settled(st)
    d = st.donation(out.donation_id)
    assert (d.gift_cents, d.last4, d.donor_email) == (10000, "4242", "ada@example.org")
    # the card is already on file: no second save_card job, but a receipt
    assert sorted(j.kind for j in st.jobs(out.donation_id)) == ["receipt"]
    with pytest.raises(KeyError):
        st.give_again("no-such-ref", 1000)


@pytest.fixture
def checked() -> SpecCheckingTransport:
    return SpecCheckingTransport(stripe_spec())


@pytest.fixture
def stripe(localstripe: str, checked: SpecCheckingTransport) -> StripeProcessor:
    return StripeProcessor(API_KEY, api_base=localstripe, timeout=10, transport=checked)


def test_off_session_payment_intent_on_localstripe_per_spec_and_replayed_once(
    make_station: StationFactory, stripe: StripeProcessor,  # noqa: F811
    checked: SpecCheckingTransport, localstripe: str,
) -> None:
    st = make_station(processor=stripe)
    ref = saved_donor(st, "Grace Hopper", "grace@example.org")
    sent: list[bytes] = []
    keys: list[str] = []
    real = checked.handle_request

    def spy(request):  # type: ignore[no-untyped-def]
        if request.url.path == "/v1/payment_intents":
            sent.append(request.content)
            keys.append(request.headers["Idempotency-Key"])
        return real(request)

    checked.handle_request = spy  # type: ignore[method-assign]
    before = localstripe_stats(localstripe)["payment_intents_created"]
    out = st.give_again(ref, 10000)
    assert out.status == "approved", out.message
    with st.db.session() as s:
        row = s.get(Donation, out.donation_id)
        token = s.get(DonorToken, ref)
        assert row is not None and token is not None
        key, pm, customer = row.idempotency_key, row.payment_method_id, row.customer_id
    body = decode_form(sent[-1])
    assert body["off_session"] == "true" and body["confirm"] == "true"
    on_file = (token.customer_id, token.payment_method_id)
    assert (body["customer"], body["payment_method"]) == on_file == (customer, pm)
    assert "setup_future_usage" not in body and "error_on_requires_action" not in body
    # a replay (the answer lost, settled later) sends the same request with the same key
    with st.db.session() as s:
        row = s.get(Donation, out.donation_id)
        assert row is not None
        row.state = "in_doubt"
    (settled,) = [o for o in st.settle_in_doubt() if o.donation_id == out.donation_id]
    assert settled.status == "approved" and settled.reference == out.reference
    assert localstripe_stats(localstripe)["payment_intents_created"] == before + 1
    assert keys[-1] == keys[-2] == key  # the gift's own key, stored before it was sent
    assert checked.problems == []


@pytest.mark.parametrize(
    ("card", "why"),
    [(NEEDS_AUTH, "confirm this payment"), (DECLINES_AT_CHARGE, "declined")],
)
def test_authentication_or_decline_says_ask_for_the_card(
    make_station: StationFactory, stripe: StripeProcessor,  # noqa: F811
    checked: SpecCheckingTransport, card: Card, why: str,
) -> None:
    st = make_station(processor=stripe)
    ref = saved_donor(st, "Cy Twombly", "cy@example.org", card)
    out = st.give_again(ref, 2500)
    assert out.status == "declined" and out.ask_for_card, out
    assert out.message.startswith("Ask for the card:") and why in out.message
    assert st.totals().raised_cents == 5000  # only the first gift
    # the normal flow then takes the card in hand
    again = st.take_card_donation(2500, Donor("Cy Twombly", "cy@example.org"), VISA)
    assert again.status == "approved"
    assert checked.problems == []
