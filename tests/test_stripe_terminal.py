"""StripeTerminalProcessor over real HTTP against the Terminal test peer (inside the bridged
localstripe, tests/support/terminal_peer.py).

- set-up calls: locations, create_location, register_reader, readers, reader;
- whole gifts through open_station / ReaderService: approve, decline, Esc, an offline
  reader, a busy reader, and the answer lost after the tap (in doubt, then settled from
  the PaymentIntent: exactly one PaymentIntent and one charge), through the fault proxy;
- every write carries an Idempotency-Key (the PaymentIntent's is the gift's own key, the
  reader calls' are derived from it); every request is valid against Stripe's OpenAPI spec
  and the peer's answers against the spec's response schemas.
No timing asserts: the tests wait on states.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from conftest import TERMINAL_TEST_KEY, TEST_CARD_NUMBERS, files_containing
from support.fault_proxy import FaultProxy
from support.jobwait import wait_for
from support.processes import localstripe_stats, set_reader_status
from support.stripe_spec import SPEC_URI, StripeSpec, stripe_spec

from pos_app.api import Donor, Outcome, Station, open_station
from pos_app.payments.base import Permanent
from pos_app.payments.card_present import ReaderChargeRequest, ReaderUnavailable
from pos_app.payments.stripe_terminal import StripeTerminalProcessor
from pos_app.store.models import Donation

DONOR = Donor("Ada Lovelace", "ada@example.org")
pytestmark = pytest.mark.timeout(90)


class RecordingTransport(httpx.BaseTransport):
    """The real HTTP transport, keeping every request it sends (bodies read in memory)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        with self.lock:
            self.requests.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _nullable(check: Callable[..., Any]) -> Callable[..., Any]:
    """OpenAPI 3.0's `nullable: true`, which Draft 4 doesn't know: null passes there."""

    def checked(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Any:
        if instance is None and schema.get("nullable"):
            return
        yield from check(validator, value, instance, schema)

    return checked


_V = jsonschema.Draft4Validator
ResponseValidator = jsonschema.validators.extend(
    _V, {k: _nullable(_V.VALIDATORS[k]) for k in ("type", "anyOf", "enum", "maxLength")}
)


def response_problems(spec: StripeSpec, schema: str, body: Any) -> list[str]:
    """Where `body` breaks the spec's schema `schema` (e.g. 'terminal.reader')."""
    v = ResponseValidator({"$ref": f"{SPEC_URI}#/components/schemas/{schema}"},
                          registry=spec.registry)  # fmt: skip
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in v.iter_errors(body)]


@pytest.fixture
def spec() -> StripeSpec:
    return stripe_spec()


@pytest.fixture
def recorder() -> RecordingTransport:
    return RecordingTransport()


def terminal(url: str, reader_id: str, transport: httpx.BaseTransport | None = None,
             timeout: float = 5.0) -> StripeTerminalProcessor:  # fmt: skip
    return StripeTerminalProcessor(TERMINAL_TEST_KEY, reader_id, api_base=url, timeout=timeout,
                                   transport=transport)  # fmt: skip


@pytest.fixture
def processor(
    localstripe: str, terminal_reader: str, recorder: RecordingTransport
) -> Iterator[StripeTerminalProcessor]:
    p = terminal(localstripe, terminal_reader, recorder)
    yield p
    p.close()


def all_conform(spec: StripeSpec, recorder: RecordingTransport) -> list[httpx.Request]:
    """Every request valid per the spec, every POST with an Idempotency-Key."""
    assert recorder.requests, "the adapter sent nothing"
    for r in recorder.requests:
        spec.validate(r)  # raises SpecViolation (it checks Idempotency-Key on POSTs too)
    return recorder.requests


def raw(url: str, path: str, **params: str) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {TERMINAL_TEST_KEY}"}
    r = httpx.get(f"{url}{path}", params=params, headers=auth, timeout=5)
    r.raise_for_status()
    return r.json()


# ---- set-up calls --------------------------------------------------------------------------


def test_locations_and_readers(
    localstripe: str, recorder: RecordingTransport, spec: StripeSpec
) -> None:
    setup = terminal(localstripe, "tmr_unset", recorder)
    loc = setup.create_location(
        "Riverside hall",
        {"line1": "12 Main St", "city": "Springfield", "state": "IL", "postal_code": "62701",
         "country": "US"},
    )  # fmt: skip
    assert loc.startswith("tml_") and loc in {x["id"] for x in setup.locations()}
    info = setup.register_reader("simulated-wpe", "Table 3", loc)
    assert info.id.startswith("tmr_") and info.device_type == "simulated_wisepos_e"
    assert (info.label, info.status, info.location, info.action) == ("Table 3", "online", loc, None)
    assert info.id in {r.id for r in setup.readers()}
    assert setup.reader(info.id) == info
    with pytest.raises(Permanent):
        setup.register_reader("not-a-code", "Table 4", loc)
    with pytest.raises(Permanent):
        setup.reader("tmr_nosuchreader")
    all_conform(spec, recorder)
    for path, schema in [(f"/v1/terminal/readers/{info.id}", "terminal.reader"),
                         (f"/v1/terminal/locations/{loc}", "terminal.location")]:  # fmt: skip
        assert response_problems(spec, schema, raw(localstripe, path)) == []
    listed = raw(localstripe, "/v1/terminal/readers", limit="100")
    assert listed["object"] == "list" and not listed["has_more"]
    assert all(response_problems(spec, "terminal.reader", r) == [] for r in listed["data"])


def test_the_peer_answers_like_stripe(
    processor: StripeTerminalProcessor, localstripe: str, spec: StripeSpec
) -> None:
    """One approval made by hand: the reader, the PaymentIntent's card_present charge and
    the generated card as Stripe's schemas describe them; card_present can't be attached,
    the generated card can."""
    req = ReaderChargeRequest(2500, "usd", "don-peer", "peer-key", processor.reader_id)
    pi = processor.create_reader_payment(req, 5)
    processor.process(req, pi, 5)
    reader = raw(localstripe, f"/v1/terminal/readers/{processor.reader_id}")
    assert reader["action"]["process_payment_intent"]["payment_intent"] == pi
    assert response_problems(spec, "terminal.reader", reader) == []
    processor.present("approve")
    body = raw(localstripe, f"/v1/payment_intents/{pi}", **{"expand[]": "latest_charge"})
    assert body["status"] == "succeeded" and body["payment_method_types"] == ["card_present"]
    details = body["latest_charge"]["payment_method_details"]
    assert details["type"] == "card_present"
    cp = details["card_present"]
    assert response_problems(spec, "payment_method_details_card_present", cp) == []
    assert (cp["brand"], cp["last4"], cp["read_method"]) == ("visa", "4242", "contactless_emv")
    assert cp["receipt"]["dedicated_file_name"] == "A0000000031010"
    assert raw(localstripe, f"/v1/payment_intents/{pi}")["latest_charge"].startswith("ch_")
    generated = raw(localstripe, f"/v1/payment_methods/{cp['generated_card']}")
    assert generated["type"] == "card" and generated["card"]["last4"] == "4242"
    # What save-card does with a reader payment: the card_present method is refused (402),
    # the generated card is kept.
    from pos_app.payments.base import Declined, SaveCardRequest

    save = SaveCardRequest("don-peer", body["payment_method"], "peer-save", "Ada", "a@b.org")
    with pytest.raises(Declined):
        processor.save_card(save)
    saved = processor.save_card(
        SaveCardRequest("don-peer", cp["generated_card"], "peer-save-2", "Ada", "a@b.org")
    )
    assert saved.payment_method_id == cp["generated_card"]


def test_reader_errors_are_stripes(processor: StripeTerminalProcessor, localstripe: str) -> None:
    first = ReaderChargeRequest(100, "usd", "don-a", "busy-a", processor.reader_id)
    second = ReaderChargeRequest(200, "usd", "don-b", "busy-b", processor.reader_id)
    processor.process(first, processor.create_reader_payment(first, 5), 5)
    with pytest.raises(ReaderUnavailable) as busy:
        processor.process(second, processor.create_reader_payment(second, 5), 5)
    assert busy.value.code == "terminal_reader_busy" and "HTTP 400" in busy.value.detail
    set_reader_status(localstripe, processor.reader_id, "offline")
    with pytest.raises(ReaderUnavailable) as offline:
        processor.cancel_reader_action(5)
    assert offline.value.code == "terminal_reader_offline" and "HTTP 400" in offline.value.detail
    assert processor.reader_action(5).reader_status == "offline"


# ---- whole gifts through the station -------------------------------------------------------


@pytest.fixture
def st(data_dir: Path, processor: StripeTerminalProcessor) -> Iterator[Station]:
    with open_station(data_dir=data_dir, processor=processor) as station:
        assert station.reader_service is not None
        station.reader_service.poll_s = 0.02
        yield station


def waiting(p: StripeTerminalProcessor) -> bool:
    a = p.reader_action(5)
    return a.type == "process_payment_intent" and a.status == "in_progress"


def gift(st: Station, donor_part: Callable[[], None], watcher: StripeTerminalProcessor) -> Outcome:
    """Start a reader gift on a thread, wait until the peer's reader waits, play the donor."""
    result: list[Outcome] = []
    t = threading.Thread(target=lambda: result.append(st.take_reader_donation(5000, DONOR)))
    t.start()
    wait_for(lambda: waiting(watcher) or not t.is_alive(), why="the reader to get the payment")
    donor_part()
    t.join(60)
    assert result, "take_reader_donation did not return"
    return result[0]


@pytest.fixture
def watcher(localstripe: str, terminal_reader: str) -> Iterator[StripeTerminalProcessor]:
    """The test's own view of the peer (direct, not recorded, not through any proxy)."""
    p = terminal(localstripe, terminal_reader)
    yield p
    p.close()


def row(st: Station, donation_id: str) -> Donation:
    with st.db.session() as s:
        d = s.get(Donation, donation_id)
        assert d is not None
        s.expunge(d)
        return d


def test_approve_one_payment_intent_one_charge_keys_and_spec(
    st: Station, watcher: StripeTerminalProcessor, localstripe: str, recorder: RecordingTransport,
    spec: StripeSpec, data_dir: Path,
) -> None:  # fmt: skip
    before = localstripe_stats(localstripe)
    out = gift(st, lambda: watcher.present("approve"), watcher)
    assert out.status == "approved" and out.last4 == "4242" and "(tap)" in out.message
    after = localstripe_stats(localstripe)
    assert after["card_present_payment_intents"] == before["card_present_payment_intents"] + 1
    assert after["charges_succeeded"] == before["charges_succeeded"] + 1
    d = row(st, out.donation_id)
    assert d.entry_mode == "contactless_emv" and d.generated_card and d.emv_auth_code
    assert d.payment_intent_id == out.reference
    posts = [r for r in all_conform(spec, recorder) if r.method == "POST"]
    keys = {r.url.path.rsplit("/", 1)[-1]: r.headers["Idempotency-Key"] for r in posts}
    assert keys["payment_intents"] == d.idempotency_key
    assert keys["process_payment_intent"] == f"{d.idempotency_key}-process"
    assert keys["set_reader_display"] == f"{d.idempotency_key}-display"
    create = spec.decoded("POST", "/v1/payment_intents", next(
        r.content for r in posts if r.url.path == "/v1/payment_intents"))  # fmt: skip
    assert create["payment_method_types"] == ["card_present"]
    assert create["setup_future_usage"] == "off_session"
    assert create["metadata"] == {"donation_id": out.donation_id}
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_decline_charges_nothing_and_cancels_the_payment_intent(
    st: Station, watcher: StripeTerminalProcessor, localstripe: str, recorder: RecordingTransport,
    spec: StripeSpec,
) -> None:  # fmt: skip
    before = localstripe_stats(localstripe)["charges_succeeded"]
    out = gift(st, lambda: watcher.present("decline"), watcher)
    assert out.status == "declined" and "declined" in out.message
    assert watcher.payment(out.reference, 5).status == "canceled"
    assert localstripe_stats(localstripe)["charges_succeeded"] == before
    assert st.jobs(out.donation_id) == []
    all_conform(spec, recorder)


def test_esc_cancels_on_the_reader(
    st: Station, watcher: StripeTerminalProcessor, recorder: RecordingTransport, spec: StripeSpec
) -> None:
    out = gift(st, st.cancel_reader, watcher)
    assert out.status == "failed" and "Nothing was charged" in out.message
    assert watcher.reader_action(5).type is None  # cancel_action: the reader is idle again
    assert watcher.payment(out.reference, 5).status == "canceled"
    cancel = [r for r in recorder.requests if r.url.path.endswith("/cancel_action")]
    assert cancel and all(r.headers.get("Idempotency-Key") for r in cancel)
    all_conform(spec, recorder)


def test_offline_reader_says_so_and_charges_nothing(
    st: Station, localstripe: str, terminal_reader: str, watcher: StripeTerminalProcessor
) -> None:
    set_reader_status(localstripe, terminal_reader, "offline")
    out = st.take_reader_donation(5000, DONOR)
    assert out.status == "failed" and "power button" in out.message
    assert watcher.payment(row(st, out.donation_id).payment_intent_id, 5).status == "canceled"


def test_busy_reader_says_so_and_leaves_the_other_payment_alone(
    st: Station, watcher: StripeTerminalProcessor
) -> None:
    other = ReaderChargeRequest(100, "usd", "other", "other-station-key", watcher.reader_id)
    other_pi = watcher.create_reader_payment(other, 5)
    watcher.process(other, other_pi, 5)
    out = st.take_reader_donation(5000, DONOR)
    assert out.status == "failed" and "busy" in out.message
    assert watcher.reader_action(5).payment_intent_id == other_pi  # still the other one's
    assert watcher.payment(row(st, out.donation_id).payment_intent_id, 5).status == "canceled"


def test_answer_lost_after_the_tap_is_in_doubt_then_settled_to_one_charge(
    data_dir: Path, localstripe: str, terminal_reader: str, watcher: StripeTerminalProcessor,
    spec: StripeSpec,
) -> None:  # fmt: skip
    """The station reaches the peer through the fault proxy; once the reader waits, every
    request is dropped (Wi-Fi gone) and the donor taps: the station can't hear the tap nor
    cancel, so the gift is in doubt. With the network back, settling reads the
    PaymentIntent: approved, one PaymentIntent, one charge."""
    before = localstripe_stats(localstripe)
    recorder = RecordingTransport()
    with FaultProxy(localstripe, seed=3, weights={"drop_before": 1.0}) as proxy:
        p = terminal(proxy.url, terminal_reader, recorder, timeout=2.0)
        with open_station(data_dir=data_dir, processor=p) as st:
            svc = st.reader_service
            assert svc is not None
            svc.poll_s, svc.reader_timeout = 0.02, 1.0

            def tap_while_the_network_is_down() -> None:
                proxy.rate = 1.0
                watcher.present("approve")

            out = gift(st, tap_while_the_network_is_down, watcher)
            assert out.status == "in_doubt"
            assert proxy.faults_injected()["drop_before"] > 0
            proxy.rate = 0.0
            (settled,) = st.settle_in_doubt()
            assert settled.status == "approved" and settled.donation_id == out.donation_id
            assert row(st, out.donation_id).generated_card
        p.close()
    after = localstripe_stats(localstripe)
    assert after["card_present_payment_intents"] == before["card_present_payment_intents"] + 1
    assert after["charges"] == before["charges"] + 1
    assert after["charges_succeeded"] == before["charges_succeeded"] + 1
    all_conform(spec, recorder)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda b: {**b, "amount": 100, "currency": "eur"}, "answered for 1.00 EUR"),
        (lambda b: {**b, "amount": 500}, "answered for $5.00"),
        (lambda b: {**b, "metadata": {"donation_id": "someone-else"}}, "another gift"),
    ],
    ids=["1-eur", "5-dollars", "another-gift"],
)
def test_an_approval_for_something_else_is_a_mismatch(
    data_dir: Path, localstripe: str, terminal_reader: str, watcher: StripeTerminalProcessor,
    change: Callable[[dict[str, Any]], dict[str, Any]], words: str,
) -> None:  # fmt: skip
    """The reader's PaymentIntent, read back succeeded but for another amount, currency or
    gift (rewritten on its way back from the real peer), is never approved: MISMATCH, as
    for a keyed charge, no jobs, nothing raised, and settling leaves it for the lead."""

    def rewrite(method: str, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            return change(dict(body)) if body.get("status") == "succeeded" else None
        return None

    with FaultProxy(localstripe) as proxy:
        proxy.rewrite = rewrite
        p = terminal(proxy.url, terminal_reader)
        with open_station(data_dir=data_dir, processor=p) as st:
            assert st.reader_service is not None
            st.reader_service.poll_s = 0.02
            out = gift(st, lambda: watcher.present("approve"), watcher)
            assert out.status == "mismatch", out
            assert words in out.message and "Don't charge this card again" in out.message
            assert st.jobs() == [] and st.totals().raised_cents == 0
            st.settle_in_doubt(include_charging=True)
            assert st.donation(out.donation_id).status == "mismatch"
        p.close()


def test_refund_of_a_reader_gift_through_the_crash_safe_path(
    st: Station, watcher: StripeTerminalProcessor, localstripe: str, recorder: RecordingTransport,
    spec: StripeSpec,
) -> None:  # fmt: skip
    """services/refunds.py on a card-present payment: one refund of the whole charge on
    the peer, keyed, spec-valid; asking again answers with the same refund."""
    out = gift(st, lambda: watcher.present("approve"), watcher)
    assert out.status == "approved"
    before = localstripe_stats(localstripe)["refunds_created"]
    refunded = st.refund(out.donation_id, "Donor tapped the wrong card")
    assert refunded.status == "refunded", refunded.message
    assert st.refund(out.donation_id, "again").reference == refunded.reference
    d = st.donation(out.donation_id)
    assert d.status == "refunded" and d.refunded_cents == 5000
    assert localstripe_stats(localstripe)["refunds_created"] == before + 1
    (refund,) = raw(localstripe, "/v1/refunds", payment_intent=out.reference or "")["data"]
    assert refund["id"] == refunded.reference and refund["amount"] == 5000
    charge = raw(localstripe, f"/v1/payment_intents/{out.reference}", **{"expand[]":
                 "latest_charge"})["latest_charge"]  # fmt: skip
    assert charge["refunded"] and charge["payment_method_details"]["type"] == "card_present"
    posts = [r for r in all_conform(spec, recorder) if r.url.path == "/v1/refunds"]
    assert len(posts) == 1 and posts[0].headers["Idempotency-Key"]
