"""Saving the card after an approved gift: a customer with the PaymentMethod attached.

Through the simulator (with its failure switches) and through the Stripe adapter against
a bridged localstripe, every request checked against Stripe's OpenAPI spec. A gift taken on
the card reader saves the reusable card the processor generated from the read card (the
card_present one is refused, as Stripe refuses it), with the simulator's reader and with
the Terminal test peer; one with no generated card waits in needs attention.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from conftest import TERMINAL_TEST_KEY, TEST_CARD_NUMBERS, files_containing
from support.job_fixtures import StationFactory, make_station, reader_gift  # noqa: F401
from support.jobwait import wait_for, wait_settled, wait_state
from support.processes import localstripe_stats
from support.stripe_spec import SpecViolation, StripeSpec, stripe_spec

from jobs.kinds.save_card import save_card_key
from pos_app.api import Card, Donor, GiftOptions, Station
from pos_app.payments.base import Declined, SaveCardRequest
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.payments.stripe import StripeProcessor
from pos_app.payments.stripe_terminal import StripeTerminalProcessor
from pos_app.store.models import Donation, DonorToken

YEAR = dt.date.today().year + 2
CARD = Card("4242424242424242", 12, YEAR, "123", postal_code="62701")
REFUSED_AT_ATTACH = Card("4000000000000002", 12, YEAR, "123")  # localstripe: 402 on attach
API_KEY = "sk_test_tableside_jobs"
YES = GiftOptions(save_card=True)  # the donor agreed to keep the card (opt-in)
pytestmark = pytest.mark.timeout(90)


class SpecCheckingTransport(httpx.HTTPTransport):
    """Real HTTP, but every request is first checked against Stripe's spec."""

    def __init__(self, spec: StripeSpec) -> None:
        super().__init__()
        self.spec = spec
        self.problems: list[str] = []
        self.paths: list[str] = []
        self.keys: dict[str, str] = {}  # POST path -> its Idempotency-Key

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(f"{request.method} {request.url.path}")
        if request.method == "POST":
            self.keys[request.url.path] = request.headers.get("Idempotency-Key", "")
        try:
            self.spec.validate(request)
        except SpecViolation as exc:
            self.problems.append(str(exc))
        return super().handle_request(request)


def token_of(station: Station, donation_id: str) -> DonorToken | None:
    with station.db.session() as s:
        return s.get(DonorToken, donation_id)


def save_card_job(station: Station, donation_id: str):  # type: ignore[no-untyped-def]
    return next(j for j in station.jobs(donation_id) if j.kind == "save_card")


# ---- simulator ---------------------------------------------------------------------------


def test_simulator_saves_the_card_once(make_station: StationFactory) -> None:  # noqa: F811
    sim = SimulatorProcessor(latency_ms=0)
    st = make_station(processor=sim)
    o = st.take_card_donation(5000, Donor("Ada Lovelace", "ada@example.org"), CARD, YES)
    st.start_jobs()
    wait_settled(st)
    job = save_card_job(st, o.donation_id)
    token = token_of(st, o.donation_id)
    assert job.state == "done" and job.attempts == 1 and token is not None
    assert token.customer_id == job.result_ref and token.last4 == "4242"
    assert token.payment_method_id == st.donation(o.donation_id).payment_method_id
    assert sim.customers == {
        token.customer_id: {"name": "Ada Lovelace", "email": "ada@example.org",
                            "donation_id": o.donation_id}
    }
    assert sim.attached == {token.payment_method_id: token.customer_id}


def test_refused_card_waits_for_a_person_and_the_gift_stays_approved(
    make_station: StationFactory,  # noqa: F811
) -> None:
    sim = SimulatorProcessor(latency_ms=0)
    sim.refuse_save = True
    st = make_station(processor=sim)
    o = st.take_card_donation(5000, Donor("Ada", "ada@example.org"), CARD, YES)
    st.start_jobs()
    job = wait_state(st, save_card_job(st, o.donation_id).id, "needs_attention")
    assert job.attempts == 1 and job.fix == "discard" and job.error_kind == "permanent"
    assert "wouldn't save this card" in (job.last_error or "")
    assert st.donation(o.donation_id).status == "approved"
    assert token_of(st, o.donation_id) is None
    assert st.job_summary().needs_attention == 1


def test_processor_trouble_is_retried_and_offline_is_noticed(
    make_station: StationFactory,  # noqa: F811
) -> None:
    sim = SimulatorProcessor(latency_ms=0)
    st = make_station(processor=sim)
    o = st.take_card_donation(5000, Donor("Ada", ""), CARD, YES)  # no email: save card only
    sim.network_down = True
    st.start_jobs()
    job_id = save_card_job(st, o.donation_id).id
    wait_for(lambda: st.job(job_id).attempts >= 2)
    assert not st.job_summary().online
    sim.network_down, sim.save_processor_error = False, True  # reachable but failing (5xx)
    wait_for(lambda: st.job_summary().online)
    assert st.job(job_id).state in ("retry_scheduled", "running")
    sim.save_processor_error = False
    done = wait_state(st, job_id, "done")
    assert done.attempts >= 3 and len(sim.customers) == 1


# ---- Stripe adapter against localstripe ----------------------------------------------------


@pytest.fixture
def checked(localstripe: str) -> SpecCheckingTransport:
    return SpecCheckingTransport(stripe_spec())


@pytest.fixture
def stripe(localstripe: str, checked: SpecCheckingTransport) -> StripeProcessor:
    return StripeProcessor(API_KEY, api_base=localstripe, timeout=10, transport=checked)


def stripe_get(base: str, path: str) -> dict:  # type: ignore[type-arg]
    return httpx.get(f"{base}{path}", auth=(API_KEY, ""), timeout=5).json()


def test_customer_with_the_card_attached_every_request_per_spec(
    make_station: StationFactory, stripe: StripeProcessor,  # noqa: F811
    checked: SpecCheckingTransport, localstripe: str, data_dir: Path,
) -> None:
    st = make_station(processor=stripe)
    o = st.take_card_donation(5000, Donor("Ada Lovelace", "ada@example.org"), CARD, YES)
    assert o.status == "approved"
    before = localstripe_stats(localstripe)["customers_created"]
    st.start_jobs()
    wait_settled(st)
    job = save_card_job(st, o.donation_id)
    token = token_of(st, o.donation_id)
    assert job.state == "done" and token is not None and token.customer_id.startswith("cus_")
    customer = stripe_get(localstripe, f"/v1/customers/{token.customer_id}")
    assert customer["name"] == "Ada Lovelace" and customer["email"] == "ada@example.org"
    assert customer["metadata"] == {"donation_id": o.donation_id}
    pm = stripe_get(localstripe, f"/v1/payment_methods/{token.payment_method_id}")
    assert pm["customer"] == token.customer_id
    assert localstripe_stats(localstripe)["customers_created"] == before + 1
    assert checked.problems == []
    assert "POST /v1/customers" in checked.paths
    assert f"POST /v1/payment_methods/{token.payment_method_id}/attach" in checked.paths
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_replays_never_make_a_second_customer(
    stripe: StripeProcessor, checked: SpecCheckingTransport, localstripe: str,
) -> None:
    pm = stripe.create_payment_method(CARD, "tableside-test-pm-replay")
    request = SaveCardRequest(
        donation_id="d-replay",
        payment_method_id=pm.id,
        idempotency_key=save_card_key("d-replay"),
        name="Ada",
        email="ada@example.org",
    )
    before = localstripe_stats(localstripe)["customers_created"]
    first = stripe.create_customer(request)
    again = StripeProcessor(API_KEY, api_base=localstripe, transport=checked)  # a restart
    assert again.create_customer(request) == first
    saved = again.save_card(request)  # no customer id known: the replayed create finds it
    assert saved.customer_id == first
    assert again.save_card(request).customer_id == first  # attach replayed too
    assert localstripe_stats(localstripe)["customers_created"] == before + 1
    assert checked.problems == []


def test_402_on_attach_needs_attention_and_the_gift_stays_approved(
    make_station: StationFactory, stripe: StripeProcessor, localstripe: str,  # noqa: F811
    checked: SpecCheckingTransport,
) -> None:
    st = make_station(processor=stripe)
    o = st.take_card_donation(5000, Donor("Bo", "bo@example.org"), REFUSED_AT_ATTACH, YES)
    assert o.status == "approved"
    st.start_jobs()
    jobs = wait_settled(st)
    job = save_card_job(st, o.donation_id)
    assert job.state == "needs_attention" and job.attempts == 1 and job.fix == "discard"
    assert "HTTP 402" in (job.last_error_detail or "")
    assert job.result_ref and job.result_ref.startswith("cus_")  # the customer was kept
    assert st.donation(o.donation_id).status == "approved"
    receipt = next(j for j in jobs if j.kind == "receipt")
    assert receipt.state == "done"  # the receipt doesn't depend on the card being saved
    assert checked.problems == []


def test_a_training_gift_is_never_saved_with_the_live_processor(
    make_station: StationFactory, stripe: StripeProcessor, localstripe: str,  # noqa: F811
) -> None:
    training = make_station()  # simulator
    o = training.take_card_donation(5000, Donor("Ada", ""), CARD, YES)
    training.close()
    before = localstripe_stats(localstripe)["customers_created"]
    live = make_station(processor=stripe)
    live.start_jobs()
    job = wait_state(live, save_card_job(live, o.donation_id).id, "needs_attention")
    assert job.fix == "discard" and "simulator" in (job.last_error or "")
    assert localstripe_stats(localstripe)["customers_created"] == before


# ---- gifts taken on the card reader --------------------------------------------------------


def paid_with(st: Station, donation_id: str) -> tuple[str | None, str | None]:
    with st.db.session() as s:
        d = s.get(Donation, donation_id)
        assert d is not None and d.entry_mode == "contactless_emv"
        return d.payment_method_id, d.generated_card


def test_simulator_reader_gift_saves_its_generated_card(
    make_station: StationFactory,  # noqa: F811
) -> None:
    sim = SimulatorProcessor(latency_ms=0)
    st = make_station(processor=sim)
    assert st.reader_service is not None
    st.reader_service.poll_s = 0.01
    reader = st.reader_service.reader
    o = reader_gift(st, lambda: reader._action.status == "in_progress", YES)
    present_pm, generated = paid_with(st, o.donation_id)
    assert present_pm and present_pm.startswith("pm_sim_present_") and generated
    st.start_jobs()
    job = wait_state(st, save_card_job(st, o.donation_id).id, "done")
    token = token_of(st, o.donation_id)
    assert token is not None and token.payment_method_id == generated and job.attempts == 1
    assert sim.attached == {generated: token.customer_id}
    read_card = SaveCardRequest(o.donation_id, present_pm, "k", customer_id=token.customer_id)
    with pytest.raises(Declined, match="read on the reader"):  # as Stripe: never the read card
        sim.save_card(read_card)


def test_a_reader_gift_with_no_generated_card_needs_attention_in_plain_words(
    make_station: StationFactory,  # noqa: F811
) -> None:
    """E.g. a card the processor can't make a reusable card from: the payment was not set
    up for saving (here: the reader service didn't ask), so there is nothing to attach."""
    sim = SimulatorProcessor(latency_ms=0)
    st = make_station(processor=sim)
    assert st.reader_service is not None
    st.reader_service.poll_s, st.reader_service.save_cards = 0.01, False
    reader = st.reader_service.reader
    o = reader_gift(st, lambda: reader._action.status == "in_progress", YES)
    assert paid_with(st, o.donation_id)[1] is None
    st.start_jobs()
    job = wait_state(st, save_card_job(st, o.donation_id).id, "needs_attention")
    assert job.attempts == 1 and job.fix == "discard" and job.error_kind == "permanent"
    assert "card reader" in (job.last_error or "") and "nothing to save" in (job.last_error or "")
    assert sim.customers == {} and token_of(st, o.donation_id) is None
    assert st.donation(o.donation_id).status == "approved"


def test_peer_reader_gift_saves_its_generated_card_and_the_donor_gives_again(
    make_station: StationFactory,  # noqa: F811
    localstripe: str,
    terminal_reader: str,
    checked: SpecCheckingTransport,
) -> None:
    p = StripeTerminalProcessor(TERMINAL_TEST_KEY, terminal_reader, api_base=localstripe,
                                timeout=10, transport=checked)  # fmt: skip
    st = make_station(processor=p)
    assert st.reader_service is not None
    st.reader_service.poll_s = 0.02
    watch = StripeTerminalProcessor(TERMINAL_TEST_KEY, terminal_reader, api_base=localstripe)

    def reader_waits() -> bool:
        a = watch.reader_action(5)
        return a.type == "process_payment_intent" and a.status == "in_progress"

    o = reader_gift(st, reader_waits, YES)
    present_pm, generated = paid_with(st, o.donation_id)
    assert present_pm and generated and present_pm != generated
    st.start_jobs()
    job = wait_state(st, save_card_job(st, o.donation_id).id, "done")
    token = token_of(st, o.donation_id)
    assert token is not None and token.payment_method_id == generated and job.attempts == 1
    auth = (TERMINAL_TEST_KEY, "")
    pm = httpx.get(f"{localstripe}/v1/payment_methods/{generated}", auth=auth, timeout=5).json()
    assert pm["customer"] == token.customer_id and pm["type"] == "card"
    customer = httpx.get(f"{localstripe}/v1/customers/{token.customer_id}", auth=auth,
                         timeout=5).json()  # fmt: skip
    assert customer["metadata"] == {"donation_id": o.donation_id}
    key = save_card_key(o.donation_id)
    assert checked.keys["/v1/customers"] == f"{key}-customer"
    assert checked.keys[f"/v1/payment_methods/{generated}/attach"] == f"{key}-attach"
    assert f"POST /v1/payment_methods/{present_pm}/attach" not in checked.paths
    # The donor gives again on the card kept from the reader (off-session, no reader).
    again = st.give_again(o.donation_id, 2500)
    assert again.status == "approved" and again.last4 == "4242", again.message
    assert checked.problems == []
    watch.close()
