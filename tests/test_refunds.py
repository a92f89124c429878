"""Refunds and voids: the simulator for the service's rules, localstripe for the real wire.

- a card gift refunded once, however often it is asked for or replayed (same key);
- an answer lost or the network down: in doubt, settled by replay, never a second refund;
- a refusal from the processor: failed, nothing given back, can be asked again later;
- cash and check are voided with no processor call, the reason kept;
- the Stripe adapter's POST /v1/refunds checked against Stripe's own OpenAPI spec and run
  against the bridged localstripe (reason enum, metadata, idempotent replay, second refund
  refused).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.processes import localstripe_stats
from support.stripe_spec import SPEC_FILE, StripeSpec, stripe_spec

from pos_app.api import Card, Donor, GiftOptions, InvalidDonation, Station, open_station
from pos_app.payments.base import (
    ChargeRequest,
    Permanent,
    RefundRequest,
    refund_category,
)
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.payments.stripe import StripeProcessor, refund_params

EXP_YEAR = dt.date.today().year + 3
API_KEY = "sk_test_tableside_refunds"


def card(number: str = "4242424242424242") -> Card:
    return Card(number, 12, EXP_YEAR, "123", postal_code="62701")


def give(station: Station, cents: int = 5000, number: str = "4242424242424242",
         options: GiftOptions | None = None) -> str:
    outcome = station.take_card_donation(cents, Donor("Ada Lovelace", "ada@example.org"),
                                         card(number), options or GiftOptions())
    assert outcome.status == "approved", outcome
    assert outcome.donation_id is not None
    return outcome.donation_id


# ---- the service, with the simulator --------------------------------------------------------


def test_refund_a_card_gift(station: Station, simulator: SimulatorProcessor) -> None:
    donation_id = give(station)
    out = station.refund(donation_id, "Donor meant $5, not $50")
    assert out.status == "refunded", out.message
    assert out.message == "Refunded $50.00 to Visa •••• 4242. It no longer counts in the totals."
    assert out.reference and out.reference.startswith("re_sim_")
    assert out.amount_cents == 5000 and not out.can_retry

    d = station.donation(donation_id)
    assert (d.status, d.refunded_cents, d.refund_status) == ("refunded", 5000, "refunded")
    assert d.refund_reason == "Donor meant $5, not $50"
    assert d.refund_reference == out.reference
    (request,) = simulator.refunds.values()
    assert request.payment_intent_id == d.payment_intent_id
    assert (request.amount_cents, request.donation_id) == (5000, donation_id)
    assert request.category == "requested_by_customer"
    (row,) = station.refunds()
    assert (row.kind, row.state, row.reason, row.attempts) == (
        "refund", "refunded", "Donor meant $5, not $50", 1,
    )


def test_a_refunded_gift_sends_no_receipt_and_saves_no_card(station: Station) -> None:
    donation_id = give(station, options=GiftOptions(save_card=True))  # the donor said yes
    assert {j.state for j in station.jobs(donation_id)} == {"queued"}  # jobs not started
    station.refund(donation_id, "Mistaken charge")
    jobs = station.jobs(donation_id)
    assert {j.kind for j in jobs} == {"receipt", "save_card"}
    assert all(j.state == "discarded" for j in jobs)
    assert all(j.discard_reason == "Gift refunded: Mistaken charge" for j in jobs)


def test_asking_again_answers_with_the_same_refund(
    station: Station, simulator: SimulatorProcessor
) -> None:
    donation_id = give(station)
    first = station.refund(donation_id, "Duplicate gift")
    again = station.refund(donation_id, "Clicked twice")
    assert again.status == "refunded"
    assert again.refund_id == first.refund_id and again.reference == first.reference
    assert again.message.startswith("This gift was already refunded.")
    assert len(simulator.refunds) == 1 and len(station.refunds()) == 1


def test_lost_answer_is_in_doubt_and_a_replay_settles_it_once(
    station: Station, simulator: SimulatorProcessor
) -> None:
    donation_id = give(station)
    simulator.lose_next_response = True  # the processor refunds; the answer never arrives
    out = station.refund(donation_id, "Donor changed their mind")
    assert out.status == "in_doubt" and out.can_retry
    assert "Don't refund again" in out.message
    assert station.donation(donation_id).status == "approved"  # until confirmed
    assert station.totals().refunds_in_doubt == 1

    (settled,) = station.settle_refunds()
    assert settled.status == "refunded"
    assert len(simulator.refunds) == 1  # the replay was answered from the same key
    assert station.settle_refunds() == []
    (row,) = station.refunds()
    assert row.state == "refunded" and row.attempts == 1


def test_asking_again_while_in_doubt_replays_the_first_request(
    station: Station, simulator: SimulatorProcessor
) -> None:
    donation_id = give(station)
    simulator.lose_next_response = True
    station.refund(donation_id, "Charged twice")
    out = station.refund(donation_id, "Other words this time")  # never a new key or reason
    assert out.status == "refunded"
    (request,) = simulator.refunds.values()
    assert request.reason == "Charged twice" and request.category == "duplicate"
    (row,) = station.refunds()
    assert row.attempts == 2 and row.reason == "Charged twice"


def test_network_down_waits_and_sends_when_back(
    station: Station, simulator: SimulatorProcessor
) -> None:
    donation_id = give(station)
    simulator.network_down = True
    out = station.refund(donation_id, "Donor asked")
    assert out.status == "in_doubt"
    assert "hasn't gone through yet" in out.message
    assert [o.status for o in station.settle_refunds()] == ["in_doubt"]
    simulator.network_down = False
    (settled,) = station.settle_refunds()
    assert settled.status == "refunded"
    assert len(simulator.refunds) == 1


def test_settle_loop_replays_refunds_in_the_background(
    station: Station, simulator: SimulatorProcessor
) -> None:
    donation_id = give(station)
    simulator.lose_next_response = True
    assert station.refund(donation_id, "Donor asked").status == "in_doubt"
    station.settle_interval = 0.05
    station.start_jobs()
    deadline = time.monotonic() + 10
    while station.donation(donation_id).status != "refunded":
        assert time.monotonic() < deadline, "the settle loop never replayed the refund"
        time.sleep(0.05)
    assert len(simulator.refunds) == 1


def test_refused_refund_is_failed_and_can_be_asked_again(
    station: Station, simulator: SimulatorProcessor
) -> None:
    donation_id = give(station)
    pi = station.donation(donation_id).payment_intent_id
    assert pi is not None
    # Someone refunded it elsewhere (the processor's dashboard) first.
    simulator.refund(RefundRequest(pi, 5000, "dashboard-refund", donation_id, "dashboard"))
    out = station.refund(donation_id, "Donor asked")
    assert out.status == "failed"
    assert out.message == "Nothing was refunded: This payment has already been refunded."
    d = station.donation(donation_id)
    assert (d.status, d.refunded_cents, d.refund_status) == ("approved", 0, "failed")
    assert station.totals().raised_cents == 5000  # nothing confirmed by this station

    # A failed refund doesn't block another try (a fresh key: the first certainly failed).
    again = station.refund(donation_id, "Donor asked")
    assert again.status == "failed"
    keys = {r.id for r in station.refunds(donation_id)}
    assert len(keys) == 2


def test_void_cash_and_check_without_the_processor(
    station: Station, simulator: SimulatorProcessor
) -> None:
    cash = station.record_donation(2000, Donor("Bo", "bo@example.org"), "cash").donation_id
    check = station.record_donation(3000, Donor("Cy", ""), "check", "1042").donation_id
    assert cash and check
    out = station.refund(cash, "Entered twice")
    assert out.status == "voided"
    assert out.message == "Voided the $20.00 cash gift. It no longer counts in the totals."
    assert station.refund(check, "Check bounced").status == "voided"
    assert simulator.refunds == {}
    d = station.donation(cash)
    assert (d.status, d.refund_status, d.refund_reason) == ("voided", "voided", "Entered twice")
    (receipt,) = station.jobs(cash)
    assert receipt.state == "discarded"
    again = station.refund(cash, "again")
    assert again.status == "voided" and again.message.startswith("This gift was already voided.")


@pytest.mark.parametrize(
    "setup, words",
    [
        ("declined", "Nothing was charged"),
        ("in_doubt", "still being checked"),
    ],
)
def test_gifts_that_cannot_be_refunded(
    station: Station, simulator: SimulatorProcessor, setup: str, words: str
) -> None:
    donor = Donor("Dee", "")
    if setup == "declined":
        o = station.take_card_donation(5000, donor, card("4000000000000002"))
        assert o.status == "declined"
    else:
        simulator.lose_next_response = True
        o = station.take_card_donation(5000, donor, card())
        assert o.status == "in_doubt"
    assert o.donation_id is not None
    out = station.refund(o.donation_id, "Donor asked")
    assert out.status == "failed" and words in out.message
    assert station.refunds() == []


def test_reason_is_required_and_unknown_gifts_are_key_errors(station: Station) -> None:
    donation_id = give(station)
    with pytest.raises(InvalidDonation) as bad:
        station.refund(donation_id, "   ")
    assert "reason" in bad.value.errors
    with pytest.raises(InvalidDonation):
        station.refund(donation_id, "Donor asked", category="changed_mind")
    with pytest.raises(KeyError):
        station.refund("no-such-gift", "Donor asked")


def test_reason_codes() -> None:
    assert refund_category("Donor was charged twice") == "duplicate"
    assert refund_category("duplicate entry") == "duplicate"
    assert refund_category("Donor changed their mind") == "requested_by_customer"
    # Never guessed: Stripe feeds "fraudulent" to its fraud systems.
    assert refund_category("Card was stolen, fraud") == "requested_by_customer"


def test_explicit_fraudulent_category(station: Station, simulator: SimulatorProcessor) -> None:
    donation_id = give(station)
    station.refund(donation_id, "Card reported stolen", category="fraudulent")
    (request,) = simulator.refunds.values()
    assert request.category == "fraudulent"


def test_a_card_number_typed_into_the_reason_is_not_kept(
    station: Station, data_dir: Path
) -> None:
    donation_id = give(station)
    station.refund(donation_id, "wrong card 4242 4242 4242 4242 used")
    (row,) = station.refunds()
    assert "4242 4242 4242 4242" not in row.reason and "•••• 4242" in row.reason
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_simulator_refunds_a_payment_once() -> None:
    sim = SimulatorProcessor()
    pm = sim.create_payment_method(card(), "k-pm")
    pi = sim.charge(ChargeRequest(5000, "usd", pm.id, "d1", "k-charge")).payment_intent_id
    req = RefundRequest(pi, 5000, "k-refund", "d1", "asked")
    first = sim.refund(req)
    assert sim.refund(req) == first  # replay: the same refund
    assert first.refund_id.startswith("re_sim_")
    with pytest.raises(Permanent, match="changed details"):
        sim.refund(RefundRequest(pi, 4000, "k-refund", "d1", "asked"))
    with pytest.raises(Permanent, match="already been refunded"):
        sim.refund(RefundRequest(pi, 5000, "k-other", "d1", "asked"))
    with pytest.raises(Permanent):
        sim.refund(RefundRequest("pi_elsewhere", 5000, "k-3", "d1", "asked"))


# ---- Stripe: the request on the wire, and localstripe -----------------------------------


class RecordingTransport(httpx.BaseTransport):
    """The real HTTP transport, keeping every request it sends."""

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


def stripe_charge(processor: StripeProcessor, key: str, cents: int = 5000) -> str:
    pm = processor.create_payment_method(card(), f"{key}-pm")
    return processor.charge(ChargeRequest(cents, "usd", pm.id, f"don-{key}", key)).payment_intent_id


def refunds_at(url: str, payment_intent: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{url}/v1/refunds", params={"payment_intent": payment_intent},
                  auth=(API_KEY, ""))
    r.raise_for_status()
    return r.json()["data"]


def test_refund_params_are_a_pure_function_of_the_request() -> None:
    req = RefundRequest("pi_1", 5000, "k", "d1", "x" * 900, "")
    params = refund_params(req)
    assert params == refund_params(req)
    assert params["reason"] == "requested_by_customer" and params["amount"] == 5000
    assert len(params["metadata"]["reason"]) == 500  # Stripe's metadata value limit
    assert params["metadata"]["donation_id"] == "d1"


def test_stripe_refund_request_follows_the_spec_and_replays(
    localstripe: str, spec: StripeSpec
) -> None:
    recorder = RecordingTransport()
    processor = StripeProcessor(API_KEY, api_base=localstripe, transport=recorder)
    try:
        pi = stripe_charge(processor, "tableside-spec-refund")
        before = localstripe_stats(localstripe)["refunds_created"]
        req = RefundRequest(pi, 5000, "tableside-refund-spec-1", "don-1",
                            "Donor was charged twice at the door")
        first = processor.refund(req)
        replay = processor.refund(req)
    finally:
        processor.close()
    assert first == replay and first.status == "succeeded"
    assert localstripe_stats(localstripe)["refunds_created"] == before + 1
    posts = [r for r in recorder.requests if r.url.path == "/v1/refunds"]
    assert len(posts) == 2 and posts[0].read() == posts[1].read()
    bodies = [spec.validate(r) for r in recorder.requests]  # every request, charge included
    assert bodies[-1] == {
        "payment_intent": pi,
        "amount": 5000,
        "reason": "duplicate",
        "metadata": {"donation_id": "don-1", "reason": "Donor was charged twice at the door"},
    }
    assert posts[0].headers["Idempotency-Key"] == "tableside-refund-spec-1"
    (refund,) = refunds_at(localstripe, pi)
    assert refund["id"] == first.refund_id and refund["reason"] == "duplicate"
    assert refund["metadata"]["donation_id"] == "don-1"


def test_stripe_second_refund_is_refused_like_stripe(localstripe: str) -> None:
    processor = StripeProcessor(API_KEY, api_base=localstripe)
    try:
        pi = stripe_charge(processor, "tableside-twice")
        processor.refund(RefundRequest(pi, 5000, "tableside-twice-r1", "d", "asked"))
        with pytest.raises(Permanent) as refused:
            processor.refund(RefundRequest(pi, 5000, "tableside-twice-r2", "d", "asked"))
    finally:
        processor.close()
    assert refused.value.message == "This payment has already been refunded at the processor."
    assert "charge_already_refunded" in refused.value.detail
    assert len(refunds_at(localstripe, pi)) == 1


def test_station_refund_through_localstripe(
    localstripe: str, data_dir: Path
) -> None:
    spec_or_none = stripe_spec() if SPEC_FILE.is_file() else None
    recorder = RecordingTransport()
    processor = StripeProcessor(API_KEY, api_base=localstripe, transport=recorder)
    with open_station(data_dir=data_dir, processor=processor) as station:
        donation_id = give(station, 7500)
        out = station.refund(donation_id, "Donor asked for it back")
        assert out.status == "refunded", out.message
        d = station.donation(donation_id)
        assert d.status == "refunded" and d.refunded_cents == 7500
        assert station.refund(donation_id, "again").reference == out.reference
        assert station.totals().refunded_cents == 7500
    (refund,) = refunds_at(localstripe, d.payment_intent_id or "")
    assert refund["id"] == out.reference and refund["amount"] == 7500
    assert refund["metadata"] == {"donation_id": donation_id, "reason": "Donor asked for it back"}
    if spec_or_none is not None:
        for r in recorder.requests:
            spec_or_none.validate(r)
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_migration_0003_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from pos_app.store.database import Database, _alembic_config

    db = Database(tmp_path / "m.db")
    try:
        assert {"refunds", "lead_pin"} <= set(inspect(db.engine).get_table_names())
        indexes = {i["name"]: i for i in inspect(db.engine).get_indexes("refunds")}
        assert indexes["ux_refunds_live"]["unique"]
        command.downgrade(_alembic_config(db.engine), "0002")
        assert not {"refunds", "lead_pin"} & set(inspect(db.engine).get_table_names())
        db.upgrade()
        assert db.current_revision() == db.head_revision()
        assert {"refunds", "lead_pin"} <= set(inspect(db.engine).get_table_names())
    finally:
        db.close()
