"""StripeProcessor over real HTTP on loopback.

- against the bridged localstripe (a real, independent stateful fake): approve, decline at
  charge time, idempotent replay, key reuse with other parameters;
- against a scripted http.server on 127.0.0.1: every way an answer can go wrong maps to
  Declined, Transient or Permanent, and nothing else escapes;
- every request the adapter sends is recorded at the transport and checked against
  Stripe's own OpenAPI spec (tests/support/stripe_spec.py);
- the facade end to end, then no card number anywhere in the data dir.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.processes import localstripe_stats
from support.stripe_spec import SPEC_FILE, SpecViolation, StripeSpec, decode_form, stripe_spec

from pos_app.api import Card, Donor, open_station
from pos_app.payments.base import (
    ChargeRequest,
    Declined,
    Permanent,
    ProcessorError,
    Transient,
)
from pos_app.payments.stripe import StripeProcessor

API_KEY = "sk_test_tableside_adapter"
EXP_YEAR = dt.date.today().year + 3
CVC = "987"


def card(number: str = "4242424242424242", cvc: str = CVC) -> Card:
    return Card(number, 12, EXP_YEAR, cvc, postal_code="62701", cardholder="Ada Lovelace")


class RecordingTransport(httpx.BaseTransport):
    """The real HTTP transport, keeping every request it sends (bodies read in memory)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def spec() -> StripeSpec:
    return stripe_spec()  # skips when shared/specs is absent


@pytest.fixture
def spec_if_present() -> StripeSpec | None:
    """For tests whose main point is not the spec: check requests only when it is there."""
    return stripe_spec() if SPEC_FILE.is_file() else None


@pytest.fixture
def recorder() -> RecordingTransport:
    return RecordingTransport()


def conforming(spec: StripeSpec | None, recorder: RecordingTransport) -> list[dict[str, Any]]:
    """Validate every recorded request against the spec; return their decoded bodies."""
    assert recorder.requests, "the adapter sent nothing"
    if spec is None:
        return []
    return [spec.validate(r) for r in recorder.requests]


def assert_no_card_data(exc: ProcessorError, c: Card) -> None:
    for text in (exc.message, exc.detail, str(exc), repr(exc), repr(exc.args)):
        assert c.digits not in text
        assert c.cvc not in text


# ---- the spec helper itself ----------------------------------------------------------------


def test_spec_helper_decodes_deep_objects() -> None:
    body = (
        "card[number]=4242424242424242&card[exp_month]=12&metadata[donation_id]=d1"
        "&payment_method_types[0]=card&payment_method_types[1]=link&expand[]=a&expand[]=b"
    )
    assert decode_form(body) == {
        "card": {"number": "4242424242424242", "exp_month": "12"},
        "metadata": {"donation_id": "d1"},
        "payment_method_types": {"0": "card", "1": "link"},
        "expand": ["a", "b"],
    }


def test_spec_helper_accepts_a_good_request_and_coerces_types(spec: StripeSpec) -> None:
    headers = {
        "Authorization": "Basic c2tfdGVzdF94Og==",
        "Idempotency-Key": "k1",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = (
        "amount=5000&currency=usd&confirm=true&payment_method_types[0]=card"
        "&metadata[donation_id]=d1"
    )
    assert spec.problems("POST", "http://x/v1/payment_intents", headers, body) == []
    assert spec.decoded("POST", "/v1/payment_intents", body) == {
        "amount": 5000,
        "currency": "usd",
        "confirm": True,
        "payment_method_types": ["card"],
        "metadata": {"donation_id": "d1"},
    }


@pytest.mark.parametrize(
    ("headers", "body", "expect"),
    [
        ({}, "amount=5000&currency=usd", "Idempotency-Key header is missing"),
        (
            {"Idempotency-Key": "k"},
            "amount=5000&currency=usd&colour=red",
            "'colour' was unexpected",
        ),
        ({"Idempotency-Key": "k"}, "amount=50.5&currency=usd", "body[amount]: fails 'type'"),
        ({"Idempotency-Key": "k"}, "amount=5000&currency=usd&confirm=yes", "body[confirm]"),
        ({"Idempotency-Key": "k"}, "currency=usd", "'amount' is a required property"),
        ({"Idempotency-Key": "k"}, "amount=1&amount=2&currency=usd", "more than once"),
        (
            {"Idempotency-Key": "k"},
            "amount=5000&currency=usd&payment_method_types[1]=card",
            "body[payment_method_types]",
        ),
        (
            {"Idempotency-Key": "k"},
            "amount=5000&currency=usd&setup_future_usage=later",
            "body[setup_future_usage]: fails 'enum'",
        ),
    ],
)
def test_spec_helper_rejects_what_stripe_rejects(
    spec: StripeSpec, headers: dict[str, str], body: str, expect: str
) -> None:
    headers = {"Authorization": "Bearer sk_test_x", **headers}
    found = spec.problems("POST", "http://x/v1/payment_intents", headers, body)
    assert any(expect in p for p in found), found


def test_spec_helper_rejects_unknown_nested_parameters_and_paths(spec: StripeSpec) -> None:
    headers = {
        "Authorization": "Bearer sk_test_x",
        "Idempotency-Key": "k",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = "type=card&card[number]=4242424242424242&card[exp_month]=1&card[exp_year]=2030"
    assert spec.problems("POST", "http://x/v1/payment_methods", headers, body) == []
    found = spec.problems("POST", "http://x/v1/payment_methods", headers, body + "&card[cvv]=1")
    assert found and "unknown parameter 'cvv'" in found[0]
    found = spec.problems("POST", "http://x/v1/charges", headers, "amount=1")
    assert found and "no such path" in found[0]
    found = spec.problems("POST", "http://x/v1/payment_methods", {"Idempotency-Key": "k"}, body)
    assert any("Authorization" in p for p in found)
    assert any("Content-Type" in p for p in found)
    bad = httpx.Request(
        "POST",
        "http://x/v1/payment_intents",
        data={"amount": "5000", "currency": "usd"},
        headers={"Authorization": "Bearer sk_test_x"},
    )
    with pytest.raises(SpecViolation, match="Idempotency-Key"):
        spec.validate(bad)


# ---- against localstripe ---------------------------------------------------------------------


@pytest.fixture
def stripe(localstripe: str, recorder: RecordingTransport) -> Iterator[StripeProcessor]:
    p = StripeProcessor(API_KEY, api_base=localstripe, timeout=10, transport=recorder)
    yield p
    p.close()


def charge_request(pm_id: str, key: str, amount: int = 5000) -> ChargeRequest:
    return ChargeRequest(
        amount_cents=amount,
        currency="usd",
        payment_method_id=pm_id,
        donation_id=f"don-{key}",
        idempotency_key=key,
    )


def test_approves_and_every_request_conforms_to_the_spec(
    stripe: StripeProcessor, recorder: RecordingTransport, spec: StripeSpec, localstripe: str
) -> None:
    before = localstripe_stats(localstripe)["payment_intents_created"]
    pm = stripe.create_payment_method(card(), "approve-1-pm")
    assert pm.id.startswith("pm_") and (pm.brand, pm.last4) == ("visa", "4242")
    result = stripe.charge(charge_request(pm.id, "approve-1"))
    assert result.status == "succeeded" and result.payment_intent_id.startswith("pi_")
    assert localstripe_stats(localstripe)["payment_intents_created"] == before + 1

    pm_body, pi_body = conforming(spec, recorder)
    pm_req, pi_req = recorder.requests
    assert (pm_req.method, pm_req.url.path) == ("POST", "/v1/payment_methods")
    assert pm_req.headers["Idempotency-Key"] == "approve-1-pm"
    assert pm_body["type"] == "card"
    assert pm_body["card"] == {
        "number": "4242424242424242",
        "exp_month": 12,
        "exp_year": EXP_YEAR,
        "cvc": CVC,
    }
    assert pm_body["billing_details"] == {
        "address": {"postal_code": "62701"},
        "name": "Ada Lovelace",
    }

    assert (pi_req.method, pi_req.url.path) == ("POST", "/v1/payment_intents")
    assert pi_req.headers["Idempotency-Key"] == "approve-1"
    assert pi_req.headers["Stripe-Version"] == spec.version
    assert pi_body == {
        "amount": 5000,
        "currency": "usd",
        "payment_method": pm.id,
        "payment_method_types": ["card"],
        "confirm": True,
        "error_on_requires_action": True,
        "setup_future_usage": "off_session",
        "metadata": {"donation_id": "don-approve-1"},
    }
    # The charge itself never carries card data.
    assert b"4242424242424242" not in pi_req.content and CVC.encode() not in pi_req.content


def test_decline_at_charge_time_is_declined_in_plain_words(
    stripe: StripeProcessor, recorder: RecordingTransport, spec_if_present: StripeSpec | None
) -> None:
    c = card("4000000000000341")
    pm = stripe.create_payment_method(c, "decline-1-pm")  # this card tokenizes fine
    with pytest.raises(Declined) as info:
        stripe.charge(charge_request(pm.id, "decline-1"))
    exc = info.value
    assert exc.message.startswith("The card was declined.")
    for jargon in ("card_declined", "HTTP", "402", "_error", "/v1/"):
        assert jargon not in exc.message
    assert exc.code == "card_declined"
    assert_no_card_data(exc, c)
    conforming(spec_if_present, recorder)


def test_replaying_the_same_charge_creates_one_payment_intent(
    stripe: StripeProcessor,
    recorder: RecordingTransport,
    spec_if_present: StripeSpec | None,
    localstripe: str,
) -> None:
    pm = stripe.create_payment_method(card(), "replay-1-pm")
    # Tokenizing again with the same key is answered from Stripe's idempotency store.
    assert stripe.create_payment_method(card(), "replay-1-pm").id == pm.id
    before = localstripe_stats(localstripe)["payment_intents_created"]
    request = charge_request(pm.id, "replay-1")
    first = stripe.charge(request)
    second = stripe.charge(request)
    # A new processor, as after a restart, with the request rebuilt from persisted fields.
    restarted = StripeProcessor(API_KEY, api_base=stripe.api_base, transport=RecordingTransport())
    try:
        third = restarted.charge(charge_request(pm.id, "replay-1"))
    finally:
        restarted.close()
    assert first == second == third
    assert localstripe_stats(localstripe)["payment_intents_created"] == before + 1
    conforming(spec_if_present, recorder)
    assert recorder.requests[-1].content == recorder.requests[-2].content  # same bytes


def test_same_key_with_other_parameters_is_permanent(
    stripe: StripeProcessor,
    recorder: RecordingTransport,
    spec_if_present: StripeSpec | None,
    localstripe: str,
) -> None:
    pm = stripe.create_payment_method(card(), "reuse-1-pm")
    before = localstripe_stats(localstripe)["payment_intents_created"]
    request = charge_request(pm.id, "reuse-1")
    stripe.charge(request)
    with pytest.raises(Permanent) as info:
        stripe.charge(replace(request, amount_cents=7500))
    assert "idempotency_error" in info.value.detail
    assert "changed details" in info.value.message
    assert localstripe_stats(localstripe)["payment_intents_created"] == before + 1
    conforming(spec_if_present, recorder)


# ---- against a scripted server: every way an answer can go wrong ----------------------------


Reply = Callable[[BaseHTTPRequestHandler], None]


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.reply: Reply = lambda h: send(h, 500, b"no script")
        self.release = threading.Event()  # ends any hanging reply
        self.bodies: list[bytes] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ScriptedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ScriptedServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.bodies.append(self.rfile.read(length))
        self.server.reply(self)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


def send(
    h: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    content_length: int | None = None,
) -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(body) if content_length is None else content_length))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(body)
    h.wfile.flush()
    if content_length is not None:
        h.close_connection = True


def json_reply(status: int, obj: Any, headers: dict[str, str] | None = None) -> Reply:
    return lambda h: send(h, status, json.dumps(obj).encode(), headers=headers)


def raw_reply(status: int, body: bytes, content_type: str, **kw: Any) -> Reply:
    return lambda h: send(h, status, body, content_type, **kw)


def hang(h: BaseHTTPRequestHandler) -> None:
    h.server.release.wait(10)  # type: ignore[attr-defined]
    h.close_connection = True


def hang_up(h: BaseHTTPRequestHandler) -> None:
    """Read the request, then drop the connection without a word."""
    h.close_connection = True


def echo_error(status: int, etype: str) -> Reply:
    """A peer that quotes the request back in its error (proxies and fakes do)."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        body = h.server.bodies[-1].decode()  # type: ignore[attr-defined]
        err = {"error": {"type": etype, "code": "x", "message": f"bad: {body}", "param": body}}
        send(h, status, json.dumps(err).encode(), headers={"X-Echo": body[:200]})

    return reply


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    thread = threading.Thread(target=server.serve_forever, name="scripted-stripe", daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def scripted_stripe(
    scripted: ScriptedServer, recorder: RecordingTransport
) -> Iterator[StripeProcessor]:
    scripted.bodies.clear()
    p = StripeProcessor(API_KEY, api_base=scripted.url, timeout=0.5, transport=recorder)
    yield p
    p.close()


CARD_ERROR = {
    "error": {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
    }
}
HTML = b"<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"

# (id, reply, expected kind, checks on the exception)
CASES: list[tuple[str, Reply, type[ProcessorError], dict[str, Any]]] = [
    ("402-insufficient-funds", json_reply(402, CARD_ERROR), Declined, {}),
    ("500", json_reply(500, {"error": {"type": "api_error"}}), Transient, {"maybe_charged": True}),
    ("503-html", raw_reply(503, HTML, "text/html"), Transient, {"maybe_charged": True}),
    (
        "429-retry-after",
        json_reply(429, {"error": {"type": "rate_limit_error"}}, {"Retry-After": "7"}),
        Transient,
        {"maybe_charged": True, "retry_after": 7},
    ),
    (
        "401",
        json_reply(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}),
        Permanent,
        {},
    ),
    (
        "400",
        json_reply(400, {"error": {"type": "invalid_request_error", "param": "amount"}}),
        Permanent,
        {},
    ),
    ("400-not-json", raw_reply(400, b"Bad Request", "text/plain"), Permanent, {}),
    ("200-not-json", raw_reply(200, b"OK", "text/plain"), Transient, {"maybe_charged": True}),
    ("200-html", raw_reply(200, HTML, "text/html"), Transient, {"maybe_charged": True}),
    (
        "200-truncated-json",
        raw_reply(200, b'{"id": "pi_123", "status": "succ', "application/json"),
        Transient,
        {"maybe_charged": True},
    ),
    (
        "200-cut-short",  # Content-Length promises more than arrives, then the line drops
        raw_reply(200, b'{"id": "pi_123", ', "application/json", content_length=400),
        Transient,
        {"maybe_charged": True},
    ),
    ("200-json-list", json_reply(200, ["pi_123"]), Transient, {"maybe_charged": True}),
    (
        "200-bad-gzip",
        raw_reply(200, b"not gzip", "application/json", headers={"Content-Encoding": "gzip"}),
        Transient,
        {"maybe_charged": True},
    ),
    ("200-invalid-utf8", raw_reply(200, b'{"id": "\xff\xfe"}', "application/json"), Transient, {}),
    ("hangs-past-timeout", hang, Transient, {"maybe_charged": True}),
    ("hangs-up", hang_up, Transient, {"maybe_charged": True}),
]


def call(p: StripeProcessor, op: str, c: Card | None = None) -> object:
    if op == "payment_method":
        return p.create_payment_method(c or card(), "scripted-pm")
    return p.charge(charge_request("pm_scripted", "scripted"))


@pytest.mark.parametrize("op", ["payment_method", "charge"])
@pytest.mark.parametrize(
    ("reply", "kind", "attrs"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_error_mapping(
    scripted: ScriptedServer,
    scripted_stripe: StripeProcessor,
    recorder: RecordingTransport,
    spec_if_present: StripeSpec | None,
    op: str,
    reply: Reply,
    kind: type[ProcessorError],
    attrs: dict[str, Any],
) -> None:
    scripted.reply = reply
    c = card()
    with pytest.raises(ProcessorError) as info:
        call(scripted_stripe, op, c)
    exc = info.value
    assert type(exc) is kind, f"{type(exc).__name__}: {exc.message} ({exc.detail})"
    for name, want in attrs.items():
        assert getattr(exc, name) == want, name
    assert exc.message and "Traceback" not in exc.message
    assert_no_card_data(exc, c)
    conforming(spec_if_present, recorder)  # whatever came back, what we sent was valid


def test_decline_reason_is_in_plain_words(
    scripted: ScriptedServer, scripted_stripe: StripeProcessor
) -> None:
    scripted.reply = json_reply(402, CARD_ERROR)
    with pytest.raises(Declined) as info:
        scripted_stripe.charge(charge_request("pm_scripted", "scripted"))
    assert info.value.message.startswith("Insufficient funds")
    assert info.value.decline_code == "insufficient_funds"


def test_bad_key_is_permanent_and_says_so(
    scripted: ScriptedServer, scripted_stripe: StripeProcessor
) -> None:
    scripted.reply = json_reply(401, {"error": {"type": "invalid_request_error"}})
    with pytest.raises(Permanent) as info:
        scripted_stripe.charge(charge_request("pm_scripted", "scripted"))
    assert "key" in info.value.message.lower()


def test_closed_port_is_transient_and_certainly_not_charged(
    recorder: RecordingTransport, spec_if_present: StripeSpec | None
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # nothing listens on `port` now
    url = f"http://127.0.0.1:{port}"
    p = StripeProcessor(API_KEY, api_base=url, timeout=0.5, transport=recorder)
    try:
        for op in ("payment_method", "charge"):
            with pytest.raises(Transient) as info:
                call(p, op)
            assert info.value.maybe_charged is False
            assert_no_card_data(info.value, card())
    finally:
        p.close()
    conforming(spec_if_present, recorder)


# Odd but well-formed JSON: the adapter must still answer with one of the three kinds.
ODD_BODIES: list[tuple[int, Any]] = [
    (200, {}),
    (200, {"id": None}),
    (200, {"id": 5, "status": "succeeded"}),
    (200, {"id": "x_1", "card": None}),
    (200, {"id": "x_1", "card": []}),
    (200, {"id": "x_1", "card": "visa"}),
    (200, {"id": "x_1", "card": {"exp_month": "twelve"}}),
    (200, {"id": "x_1", "status": None}),
    (200, {"id": "x_1", "status": "requires_action"}),
    (200, {"id": "x_1", "status": "requires_payment_method"}),
    (200, {"id": "x_1", "status": "requires_payment_method", "last_payment_error": "boom"}),
    (200, {"id": "x_1", "status": "requires_payment_method", "last_payment_error": ["x"]}),
    (200, {"id": "x_1", "status": "requires_payment_method", "last_payment_error": {"code": None}}),
    (402, {"error": "card declined"}),
    (402, {"error": {"decline_code": ["a"], "code": {"b": 1}}}),
    (400, {"error": None}),
    (400, {"error": {"type": "idempotency_error", "message": 5}}),
    (500, {"error": {"message": None}}),
    (302, {}),
    (404, []),
]


# Odd JSON in "card" (payment method) or "last_payment_error" (payment intent) used to make
# `.get` raise AttributeError out of the adapter.
@pytest.mark.parametrize(
    ("op", "status", "body"),
    [
        pytest.param(op, status, body, id=f"odd{i}-{op}")
        for op in ("payment_method", "charge")
        for i, (status, body) in enumerate(ODD_BODIES)
    ],
)
def test_nothing_but_the_three_kinds_escapes(
    scripted: ScriptedServer, scripted_stripe: StripeProcessor, op: str, status: int, body: Any
) -> None:
    scripted.reply = json_reply(status, body)
    try:
        result = call(scripted_stripe, op)
    except ProcessorError:
        return
    # Anything else propagates and fails the test.
    assert status == 200, result  # success only for a 200 that really says so


@pytest.mark.parametrize(
    ("status", "etype"),
    [(400, "invalid_request_error"), (402, "card_error"), (500, "api_error"), (401, "x")],
)
def test_error_details_never_carry_card_data(
    scripted: ScriptedServer, scripted_stripe: StripeProcessor, status: int, etype: str
) -> None:
    """Even when the peer quotes our request (card included) back in its error.

    The detail goes to logs and to leads' screens; it used to carry the peer's message as is.
    """
    scripted.reply = echo_error(status, etype)
    c = card("4000000000009995", cvc="734")
    with pytest.raises(ProcessorError) as info:
        scripted_stripe.create_payment_method(c, "echo-pm")
    assert c.digits.encode() in scripted.bodies[-1]  # the peer did see it, and quoted it
    assert_no_card_data(info.value, c)


# ---- the facade, end to end ------------------------------------------------------------------


def test_facade_takes_a_card_donation_through_stripe(
    data_dir: Path,
    localstripe: str,
    recorder: RecordingTransport,
    spec_if_present: StripeSpec | None,
) -> None:
    processor = StripeProcessor(API_KEY, api_base=localstripe, timeout=10, transport=recorder)
    donor = Donor("Ada Lovelace", "ada@example.org")
    with open_station(data_dir=data_dir, processor=processor) as station:
        assert not station.training
        visa = Card("4242 4242 4242 4242", 12, EXP_YEAR, CVC)
        ok = station.take_card_donation(5000, donor, visa)
        no = station.take_card_donation(2500, donor, Card("4000000000000341", 12, EXP_YEAR, CVC))
        assert ok.status == "approved", ok
        assert (ok.brand, ok.last4) == ("visa", "4242")
        row = station.donation(ok.donation_id)
        assert row.status == "approved"
        assert (row.brand, row.last4) == ("visa", "4242")
        assert row.payment_intent_id and row.payment_intent_id == ok.reference
        assert row.payment_intent_id.startswith("pi_")
        assert row.payment_method_id and row.payment_method_id.startswith("pm_")
        assert no.status == "declined" and no.message.startswith("The card was declined.")
        assert station.donation(no.donation_id).payment_intent_id is None
    conforming(spec_if_present, recorder)
    pi_request = recorder.requests[1]
    assert pi_request.url.path == "/v1/payment_intents"
    assert decode_form(pi_request.content)["metadata"] == {"donation_id": ok.donation_id}
    assert pi_request.headers["Idempotency-Key"]
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []
    assert any(data_dir.rglob("*.db")) and any(data_dir.rglob("*.log"))  # the scan saw files
