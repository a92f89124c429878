"""StripeTerminalProcessor over real HTTP against the Terminal test peer (inside the bridged
localstripe, tests/support/terminal_peer.py): the set-up calls (locations, create_location,
register_reader, readers, reader), the peer's answers as Stripe's spec describes them (the
reader, the card_present charge, the generated card), and Stripe's reader errors. Whole
gifts are in tests/test_reader_gifts_terminal.py. Every request is checked against Stripe's
OpenAPI spec (Idempotency-Key on every write included).
"""

from __future__ import annotations

import pytest
from support.processes import set_reader_status
from support.stripe_spec import StripeSpec
from support.terminal_fixtures import (  # noqa: F401 - fixtures
    RecordingTransport,
    all_conform,
    processor,
    raw,
    recorder,
    response_problems,
    spec,
    terminal,
)

from pos_app.payments.base import Permanent
from pos_app.payments.card_present import ReaderChargeRequest, ReaderUnavailable
from pos_app.payments.stripe_terminal import StripeTerminalProcessor

pytestmark = pytest.mark.timeout(90)


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
    read = raw(localstripe, f"/v1/payment_methods/{body['payment_method']}")
    assert read["type"] == "card_present" and "number" not in str(read)
    for schema, answer in [("payment_intent", raw(localstripe, f"/v1/payment_intents/{pi}")),
                           ("charge", body["latest_charge"]), ("payment_method", generated),
                           ("payment_method", read)]:  # fmt: skip
        assert response_problems(spec, schema, answer) == [], schema
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
