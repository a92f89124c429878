"""The fault proxy itself: each fault does what it says to the real adapters, replays pass
through it to the bridged localstripe's idempotency layer, and its choices are seeded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from support.fault_proxy import DEFAULT_FAULTS, FAULTS, FaultProxy
from support.job_fixtures import SENDGRID_KEY, sendgrid  # noqa: F401
from support.processes import localstripe_stats
from support.sendgrid_server import SendGridServer

from pos_app.domain.cards import Card
from pos_app.payments.base import ChargeRequest, Permanent, Transient
from pos_app.payments.stripe import StripeProcessor
from pos_app.receipts.errors import SendTransient
from pos_app.receipts.message import OutgoingEmail
from pos_app.receipts.sendgrid import SendGridSender

KEY = "sk_test_tableside_proxy"
TIMEOUT = 0.5
HANG = 1.0
CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "737")


@pytest.fixture
def proxy(localstripe: str) -> Iterator[FaultProxy]:
    with FaultProxy(localstripe, seed=1, rate=0.0, flavor="stripe", hang_s=HANG) as p:
        yield p


@pytest.fixture
def stripe(proxy: FaultProxy) -> Iterator[StripeProcessor]:
    p = StripeProcessor(KEY, api_base=proxy.url, timeout=TIMEOUT)
    yield p
    p.close()


def only(proxy: FaultProxy, fault: str | None) -> None:
    """Every request from now on meets `fault` (None: none)."""
    proxy.weights = {fault: 1.0} if fault else proxy.weights
    proxy.rate = 1.0 if fault else 0.0


def fresh_charge(stripe: StripeProcessor, name: str) -> ChargeRequest:
    pm = stripe.create_payment_method(CARD, f"proxy-{name}-{dt.datetime.now().timestamp()}-pm")
    return ChargeRequest(amount_cents=1234, currency="usd", payment_method_id=pm.id,
                         donation_id=f"d-{name}", idempotency_key=f"proxy-{name}-{pm.id}")


def created(localstripe: str) -> int:
    return localstripe_stats(localstripe)["payment_intents_created"]


def test_a_replay_through_the_proxy_meets_stripes_idempotency(
    proxy: FaultProxy, stripe: StripeProcessor, localstripe: str
) -> None:
    request = fresh_charge(stripe, "replay")
    before = created(localstripe)
    first = stripe.charge(request)
    again = stripe.charge(request)
    assert again.payment_intent_id == first.payment_intent_id
    assert created(localstripe) == before + 1
    raw = httpx.post(f"{proxy.url}/v1/payment_intents", auth=(KEY, ""),
                     headers={"Idempotency-Key": request.idempotency_key},
                     data={"amount": "999", "currency": "usd",
                           "payment_method": request.payment_method_id})
    assert raw.status_code == 400 and raw.json()["error"]["type"] == "idempotency_error"
    with pytest.raises(Permanent):  # the same key with other parameters
        stripe.charge(ChargeRequest(**{**vars(request), "amount_cents": 999}))
    assert created(localstripe) == before + 1


@pytest.mark.parametrize("fault", ["drop_after", "hang_after"])
def test_the_processor_acted_the_app_never_heard_and_a_replay_finds_it(
    proxy: FaultProxy, stripe: StripeProcessor, localstripe: str, fault: str
) -> None:
    request = fresh_charge(stripe, fault)
    before = created(localstripe)
    only(proxy, fault)
    with pytest.raises(Transient) as info:
        stripe.charge(request)
    assert info.value.maybe_charged
    assert created(localstripe) == before + 1  # it was charged
    only(proxy, None)
    result = stripe.charge(request)  # the settle: same key, same bytes
    assert result.status == "succeeded"
    assert created(localstripe) == before + 1  # and only once
    assert proxy.snapshot()[fault] == 1


@pytest.mark.parametrize("fault", ["drop_before", "hang_before", "error_500", "rate_429"])
def test_faults_before_the_processor_leave_nothing_charged(
    proxy: FaultProxy, stripe: StripeProcessor, localstripe: str, fault: str
) -> None:
    request = fresh_charge(stripe, fault)
    before = created(localstripe)
    only(proxy, fault)
    with pytest.raises(Transient) as info:
        stripe.charge(request)
    # The app can't tell a request that never arrived from one whose answer was lost.
    assert info.value.maybe_charged
    if fault == "rate_429":
        assert info.value.retry_after == 1.0
    assert created(localstripe) == before
    only(proxy, None)
    assert stripe.charge(request).status == "succeeded"
    assert created(localstripe) == before + 1


def test_email_accepted_but_the_answer_lost_is_sent_again(sendgrid: SendGridServer) -> None:  # noqa: F811
    email = OutgoingEmail(to_email="ada@example.org", to_name="Ada",
                          from_email="receipts@riverside.example", from_name="Riverside",
                          subject="Receipt", text="Thanks", html="<p>Thanks</p>",
                          receipt_number="T3-00042", donation_id="d42")
    with FaultProxy(sendgrid.url, seed=2, flavor="sendgrid", hang_s=HANG) as proxy:
        sender = SendGridSender(SENDGRID_KEY, api_base=proxy.url, timeout=TIMEOUT)
        try:
            only(proxy, "drop_after")
            with pytest.raises(SendTransient):
                sender.send(email)
            only(proxy, "error_500")
            with pytest.raises(SendTransient):
                sender.send(email)
            only(proxy, None)
            assert sender.send(email)
        finally:
            sender.close()
    # At least once: the lost answer's receipt and the retry's, the same receipt twice.
    assert sendgrid.receipt_numbers() == ["T3-00042", "T3-00042"]
    assert sendgrid.violations == []


def test_the_choices_are_seeded_and_counted(localstripe: str) -> None:
    def run(seed: int) -> list[str | None]:
        with FaultProxy(localstripe, seed=seed, rate=0.5, weights={"error_500": 1,
                                                                   "rate_429": 1}) as p:
            seen = []
            with httpx.Client(base_url=p.url, auth=(KEY, "")) as client:
                for _ in range(40):
                    status = client.get("/v1/customers", params={"limit": 1}).status_code
                    seen.append({500: "error_500", 429: "rate_429"}.get(status))
            counts = p.snapshot()
            assert counts["requests"] == 40
            assert counts.get("error_500", 0) + counts.get("rate_429", 0) == sum(
                1 for s in seen if s)
            assert counts.get("forwarded", 0) == seen.count(None)
            return seen

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert set(FAULTS) == {"drop_before", "drop_after", "error_500", "rate_429",
                           "hang_before", "hang_after", "drip_after"}
    assert "drip_after" not in DEFAULT_FAULTS  # holds a connection: only when asked for
