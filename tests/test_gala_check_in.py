"""Check-in: a paddle number for every guest, and a card on file kept with no charge.

Through the facade with the simulator (training) and with the Stripe adapter against the
bridged localstripe, every request checked against Stripe's OpenAPI spec and the
SetupIntent the peer keeps checked against Stripe's schema: a Customer, a SetupIntent
(usage off_session) confirmed with the keyed card's PaymentMethod, keys derived from the
attendee, and no PaymentIntent at all. A lost answer is settled later with the same keys;
no card number reaches the data dir.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.gala import GALA_CARD_NUMBERS, NEEDS_AUTH, REFUSED_AT_SETUP, VISA
from support.job_fixtures import StationFactory, make_station  # noqa: F401
from support.processes import localstripe_stats
from support.stripe_spec import stripe_spec
from support.terminal_fixtures import response_problems
from test_jobs_save_card import API_KEY, SpecCheckingTransport

from pos_app.api import Donor, InvalidDonation
from pos_app.payments.stripe import StripeProcessor
from pos_app.services.check_in import checkin_key
from pos_app.store.models import Attendee

pytestmark = pytest.mark.timeout(90)
ADA = Donor("Ada Lovelace", "ada@example.org")


def test_paddles_next_free_typed_taken_and_the_same_guest_found_again(
    make_station: StationFactory,  # noqa: F811
) -> None:
    st = make_station()
    assert st.next_free_paddle() == "100"
    ada = st.check_in(ADA)
    assert (ada.paddle, ada.name, ada.email, ada.card_on_file) == (
        "100", "Ada Lovelace", "ada@example.org", False)
    grace = st.check_in(Donor("Grace Hopper", "grace@example.org"), paddle="112")
    assert grace.paddle == "112"
    assert st.check_in(Donor("Alan Turing", "alan@example.org")).paddle == "101"
    with pytest.raises(InvalidDonation) as taken:
        st.check_in(Donor("Cy Twombly", "cy@example.org"), paddle=112)
    assert "112" in taken.value.errors["paddle"] and "Grace Hopper" in taken.value.errors["paddle"]
    with pytest.raises(InvalidDonation) as bad:
        st.check_in(Donor("Cy Twombly", "cy@example.org"), paddle="11a")
    assert "paddle" in bad.value.errors
    with pytest.raises(InvalidDonation) as no_name:
        st.check_in(Donor("", "cy@example.org"))
    assert "name" in no_name.value.errors
    # the same guest again (any case of the email): found, never a second paddle
    again = st.check_in(Donor("Ada L.", "ADA@example.org"))
    assert again.id == ada.id and again.paddle == "100"
    with pytest.raises(InvalidDonation) as other:
        st.check_in(ADA, paddle=150)
    assert "already checked in with paddle 100" in other.value.errors["paddle"]
    assert [a.paddle for a in st.attendees()] == ["100", "101", "112"]
    assert [a.paddle for a in st.attendees("hopper")] == ["112"]
    assert st.attendee("0112") == st.attendees("grace")[0]


def test_a_card_on_file_in_training_then_another_after_a_refusal(
    make_station: StationFactory, data_dir: Path,  # noqa: F811
) -> None:
    st = make_station()
    ada = st.check_in(ADA, card=VISA)
    assert ada.card_on_file and ada.card_state == "saved"
    assert ada.card_label == "Visa •••• 4242" and ada.message is None
    sim = st.processor
    assert sim.charges == {}  # kept with no charge
    cy = st.check_in(Donor("Cy Twombly", "cy@example.org"), card=REFUSED_AT_SETUP)
    assert not cy.card_on_file and cy.card_state == "failed"
    assert cy.message == "The card was declined. Ask for another card."
    with st.db.session() as s:
        row = s.get(Attendee, cy.id)
        assert row is not None and row.customer_id
        customer = row.customer_id
    # the volunteer asks for another card: the same guest (and Customer), a new key for it
    cy2 = st.check_in(Donor("Cy Twombly", "cy@example.org"), card=VISA)
    assert cy2.id == cy.id and cy2.card_on_file
    with st.db.session() as s:
        row = s.get(Attendee, cy.id)
        assert row is not None and row.idempotency_key == checkin_key(cy.id, 2)
        assert row.customer_id == customer and len(sim.customers) == 2
    with pytest.raises(InvalidDonation) as bad:
        st.check_in(Donor("Bo", "bo@example.org"), card=VISA.__class__("4242424242424241", 12,
                                                                      VISA.exp_year, "123"))
    assert "number" in bad.value.errors
    assert files_containing(data_dir, TEST_CARD_NUMBERS + GALA_CARD_NUMBERS) == []


class DropAnswer(SpecCheckingTransport):
    """Real HTTP; the answer to the first SetupIntent confirm is lost after the peer acted."""

    dropped = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path.endswith("/confirm") and not self.dropped:
            self.dropped = True
            response.read()
            raise httpx.ReadTimeout("answer lost", request=request)
        return response


def raw(url: str, path: str) -> dict:  # type: ignore[type-arg]
    r = httpx.get(f"{url}{path}", auth=(API_KEY, ""), timeout=5)
    r.raise_for_status()
    return r.json()  # type: ignore[no-any-return]


def test_check_in_on_localstripe_is_a_setup_intent_with_no_charge(
    make_station: StationFactory, localstripe: str, data_dir: Path,  # noqa: F811
) -> None:
    checked = SpecCheckingTransport(stripe_spec())
    sent: list[tuple[str, str]] = []
    real = checked.handle_request

    def spy(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            sent.append((request.url.path, request.headers.get("Idempotency-Key", "")))
        return real(request)

    checked.handle_request = spy  # type: ignore[method-assign]
    stripe = StripeProcessor(API_KEY, api_base=localstripe, timeout=10, transport=checked)
    st = make_station(processor=stripe)
    before = localstripe_stats(localstripe)
    ada = st.check_in(ADA, paddle=7, card=VISA)
    assert ada.card_on_file and ada.card_label == "Visa •••• 4242", ada.message
    with st.db.session() as s:
        row = s.get(Attendee, ada.id)
        assert row is not None
        seti, customer, pm = row.setup_intent_id, row.customer_id, row.payment_method_id
    key = checkin_key(ada.id)
    assert [(path.split("/")[2], k) for path, k in sent] == [
        ("payment_methods", f"{key}-pm"), ("customers", f"{key}-customer"),
        ("setup_intents", f"{key}-setup"), ("setup_intents", f"{key}-confirm"),
    ]
    after = localstripe_stats(localstripe)
    assert after["payment_intents_created"] == before["payment_intents_created"]  # no charge
    assert after["setup_intents_succeeded"] == before["setup_intents_succeeded"] + 1
    body = raw(localstripe, f"/v1/setup_intents/{seti}")
    assert (body["status"], body["usage"], body["customer"]) == ("succeeded", "off_session",
                                                                 customer)
    assert body["payment_method"] == pm and body["metadata"] == {"attendee_id": ada.id}
    assert raw(localstripe, f"/v1/payment_methods/{pm}")["customer"] == customer
    spec = stripe_spec()
    assert response_problems(spec, "setup_intent", body) == []

    # refused when it is to be kept: Stripe's answer, the SetupIntent ready for another card
    cy = st.check_in(Donor("Cy Twombly", "cy@example.org"), card=REFUSED_AT_SETUP)
    assert not cy.card_on_file and cy.message == "The card was declined. Ask for another card."
    with st.db.session() as s:
        row = s.get(Attendee, cy.id)
        assert row is not None
        refused = raw(localstripe, f"/v1/setup_intents/{row.setup_intent_id}")
    assert refused["status"] == "requires_payment_method"
    assert refused["last_setup_error"]["decline_code"] == "generic_decline"
    assert response_problems(spec, "setup_intent", refused) == []

    # wants 3-D Secure, which a table can't run: not kept, the SetupIntent cancelled
    bo = st.check_in(Donor("Bo Diddley", "bo@example.org"), card=NEEDS_AUTH)
    assert not bo.card_on_file and "confirm it" in (bo.message or "")
    with st.db.session() as s:
        row = s.get(Attendee, bo.id)
        assert row is not None
        assert raw(localstripe, f"/v1/setup_intents/{row.setup_intent_id}")["status"] == (
            "canceled")
    assert checked.problems == []
    assert localstripe_stats(localstripe)["payment_intents_created"] == (
        before["payment_intents_created"])
    assert files_containing(data_dir, TEST_CARD_NUMBERS + GALA_CARD_NUMBERS) == []


def test_a_lost_confirm_answer_is_settled_later_with_the_same_keys(
    make_station: StationFactory, localstripe: str,  # noqa: F811
) -> None:
    lossy = DropAnswer(stripe_spec())
    stripe = StripeProcessor(API_KEY, api_base=localstripe, timeout=10, transport=lossy)
    st = make_station(processor=stripe)
    before = localstripe_stats(localstripe)
    grace = st.check_in(Donor("Grace Hopper", "grace@example.org"), card=VISA)
    assert grace.card_state == "saving" and not grace.card_on_file
    assert "keeps checking" in (grace.message or "")
    (settled,) = st.attendees_service.settle()
    assert settled.card_on_file and settled.id == grace.id
    after = localstripe_stats(localstripe)
    # the replay reached the same SetupIntent: one made, one succeeded
    assert after["setup_intents_created"] == before["setup_intents_created"] + 1
    assert after["setup_intents_succeeded"] == before["setup_intents_succeeded"] + 1
    assert after["customers_created"] == before["customers_created"] + 1
    assert st.attendees_service.settle() == []
    assert lossy.problems == []
