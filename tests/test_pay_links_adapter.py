"""Pay links at the processor: a Stripe Checkout Session for exactly one gift, created with
an idempotency key (a replay gives the same session), read back until paid or expired,
expired on request — against the bridged localstripe (tests/support/checkout_peer.py),
every request checked against Stripe's OpenAPI spec and every answer against its
`checkout.session` schema; and the simulator's pay links for training mode."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from support.processes import localstripe_stats
from support.stripe_spec import StripeSpec
from support.terminal_fixtures import (  # noqa: F401 - fixtures
    RecordingTransport,
    all_conform,
    raw,
    recorder,
    response_problems,
    spec,
)

from pos_app.payments.base import Permanent, Transient
from pos_app.payments.pay_links import (
    COMPLETE,
    EXPIRED,
    OPEN,
    PayLinkRequest,
    checkout_locale,
    checkout_session_params,
)
from pos_app.payments.registry import Capability
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.payments.stripe import StripeProcessor

KEY = "sk_test_tableside_paylinks"
# A job derives the link's end from its pledge, never from the clock at each try: a retry
# must send the very same parameters, or Stripe refuses the reused key.
EXPIRES = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=23)


def request(n: int, cents: int = 12500) -> PayLinkRequest:
    return PayLinkRequest(
        pledge_id=f"pledge-{n}", donation_id=f"gift-{n}", amount_cents=cents, currency="usd",
        description="Gift to Riverside Food Bank — Spring Gala",
        customer_email="ada@example.org", idempotency_key=f"tableside-paylink-test-{n}",
        success_url="https://riverside.example/thank-you",
        expires_at=EXPIRES,
    )  # fmt: skip


def control(url: str, session_id: str, what: str, **data: str) -> dict:  # type: ignore[type-arg]
    r = httpx.post(f"{url}/_test/checkout/sessions/{session_id}/{what}", data=data, timeout=5)
    r.raise_for_status()
    return r.json()


def test_the_session_is_one_gift_and_a_pure_function_of_the_request() -> None:
    req = request(1)
    params = checkout_session_params(req)
    assert params == checkout_session_params(req)
    [item] = params["line_items"]
    assert item == {"quantity": 1, "price_data": {"currency": "usd", "unit_amount": 12500,
                    "product_data": {"name": req.description}}}  # fmt: skip
    assert params["metadata"] == params["payment_intent_data"]["metadata"] == {
        "pledge_id": "pledge-1", "donation_id": "gift-1"}
    assert params["submit_type"] == "donate" and params["mode"] == "payment"
    assert params["locale"] == "auto"  # no language given: the donor's browser's


def test_the_page_speaks_the_receipts_language() -> None:
    assert [checkout_locale(x) for x in ("es", "en", "", None, " ES ")] == [
        "es", "en", "en", "en", "es"]
    assert checkout_locale("fr") == "auto"  # a language Tableside doesn't write: the browser's
    spanish = PayLinkRequest(**{**request(1).__dict__, "locale": checkout_locale("es")})
    assert checkout_session_params(spanish)["locale"] == "es"


def test_a_spanish_link_opens_stripes_page_in_spanish(
    localstripe: str, spec: StripeSpec, recorder: RecordingTransport  # noqa: F811
) -> None:
    stripe = StripeProcessor(KEY, api_base=localstripe, transport=recorder)
    try:
        links = stripe.pay_links()
        es = links.create(PayLinkRequest(**{**request(7).__dict__, "locale": "es"}))
        en = links.create(PayLinkRequest(**{**request(8).__dict__, "locale": "en"}))
        for link, locale in ((es, "es"), (en, "en")):
            body = raw(localstripe, f"/v1/checkout/sessions/{link.session_id}")
            assert body["locale"] == locale
            assert response_problems(spec, "checkout.session", body) == []
    finally:
        stripe.close()
    [sent_es, sent_en] = [spec.decoded("POST", "/v1/checkout/sessions", r.content)
                          for r in all_conform(spec, recorder) if r.method == "POST"]
    assert (sent_es["locale"], sent_en["locale"]) == ("es", "en")


def test_a_link_is_made_once_paid_by_the_donor_and_read_back(
    localstripe: str, spec: StripeSpec, recorder: RecordingTransport  # noqa: F811
) -> None:
    stripe = StripeProcessor(KEY, api_base=localstripe, transport=recorder)
    try:
        assert Capability.PAY_LINK in stripe.capabilities
        links = stripe.pay_links()
        before = localstripe_stats(localstripe)["checkout_sessions_created"]
        first = links.create(request(2))
        again = links.create(request(2))  # the job ran twice: the same session
        assert again == first and first.status == OPEN and not first.paid
        assert first.url and first.url.startswith("https://checkout.stripe.com/")
        assert first.amount_cents == 12500
        assert localstripe_stats(localstripe)["checkout_sessions_created"] == before + 1
        assert links.check(first.session_id).status == OPEN

        control(localstripe, first.session_id, "pay")  # the donor pays on Stripe's page
        paid = links.check(first.session_id)
        assert (paid.status, paid.paid, paid.url) == (COMPLETE, True, None)
        assert paid.payment_intent_id and paid.payment_intent_id.startswith("pi_")
        pi = raw(localstripe, f"/v1/payment_intents/{paid.payment_intent_id}")
        assert pi["amount"] == 12500 and pi["status"] == "succeeded"
        assert pi["metadata"] == {"pledge_id": "pledge-2", "donation_id": "gift-2"}
        for body in (raw(localstripe, f"/v1/checkout/sessions/{first.session_id}"),):
            assert response_problems(spec, "checkout.session", body) == []
    finally:
        stripe.close()
    all_conform(spec, recorder)  # every request per the spec, every POST with its key


def test_a_link_expires_on_request_or_with_time(
    localstripe: str, spec: StripeSpec, recorder: RecordingTransport  # noqa: F811
) -> None:
    stripe = StripeProcessor(KEY, api_base=localstripe, transport=recorder)
    try:
        links = stripe.pay_links()
        one = links.create(request(3))
        ended = links.expire(one.session_id, "tableside-paylink-expire-3")
        assert (ended.status, ended.url, ended.paid) == (EXPIRED, None, False)
        with pytest.raises(Permanent):  # Stripe: only an open session can be expired
            links.expire(one.session_id, "tableside-paylink-expire-3b")
        two = links.create(request(4))
        control(localstripe, two.session_id, "age")  # the day went by
        assert links.check(two.session_id).status == EXPIRED
        assert response_problems(
            spec, "checkout.session", raw(localstripe, f"/v1/checkout/sessions/{two.session_id}")
        ) == []
        with pytest.raises(Permanent):  # the same key with another gift: refused
            links.create(PayLinkRequest(**{**request(3).__dict__, "amount_cents": 99}))
    finally:
        stripe.close()
    all_conform(spec, recorder)


def test_the_bridge_refuses_what_stripe_refuses(localstripe: str) -> None:
    base = {"mode": "payment", "success_url": "https://x.example/ok",
            "line_items[0][quantity]": "1", "line_items[0][price_data][currency]": "usd",
            "line_items[0][price_data][unit_amount]": "500",
            "line_items[0][price_data][product_data][name]": "Gift"}  # fmt: skip
    auth = {"Authorization": f"Bearer {KEY}"}

    def post(**change: str) -> httpx.Response:
        data = {k: v for k, v in {**base, **change}.items() if v != "-"}
        return httpx.post(f"{localstripe}/v1/checkout/sessions", data=data, headers=auth)

    assert post().status_code == 200
    assert post(success_url="-").status_code == 400
    assert post(expires_at=str(int(dt.datetime.now(dt.UTC).timestamp()) + 60)).status_code == 400
    assert post(**{"line_items[0][price_data][unit_amount]": "0"}).status_code == 400
    assert post(colour="blue").status_code == 400
    assert post(locale="es").status_code == 200
    assert post(locale="klingon").status_code == 400  # not in Stripe's enum


def test_training_links_are_idempotent_paid_by_a_drill_and_wait_out_the_network() -> None:
    sim = SimulatorProcessor(latency_ms=0)
    assert Capability.PAY_LINK in sim.capabilities
    links = sim.pay_links()
    first = links.create(request(5))
    assert links.create(request(5)) == first
    assert first.url and ".invalid/" in first.url  # nobody can pay it for real
    sim.network_down = True
    with pytest.raises(Transient):
        links.check(first.session_id)
    sim.network_down = False
    sim.links.pay(first.session_id)
    assert links.check(first.session_id).paid
    due = links.create(PayLinkRequest(**{**request(6).__dict__,
                                         "expires_at": dt.datetime.now(dt.UTC)}))  # fmt: skip
    assert links.check(due.session_id).status == EXPIRED
