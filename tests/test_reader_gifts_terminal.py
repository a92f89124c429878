"""Whole card-reader gifts through open_station / ReaderService with StripeTerminalProcessor,
over real HTTP against the Terminal test peer (tests/support/terminal_peer.py): approve,
decline, Esc (also while the card is being read), an offline reader, a busy reader, the
answer lost after the tap (in doubt, then settled from the PaymentIntent: exactly one
PaymentIntent and one charge, through the fault proxy), an approval for another amount,
currency or gift (MISMATCH), and a refund through the crash-safe refund path. Every write
carries an Idempotency-Key (the PaymentIntent's is the gift's own key, the reader calls'
are derived from it); every request is valid against Stripe's OpenAPI spec.
No timing asserts: the tests wait on states.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.fault_proxy import FaultProxy
from support.jobwait import wait_for
from support.processes import localstripe_stats, set_reader_status, slow_next_present
from support.stripe_spec import StripeSpec
from support.terminal_fixtures import (  # noqa: F401 - fixtures
    DONOR,
    RecordingTransport,
    all_conform,
    gift,
    processor,
    raw,
    recorder,
    row,
    spec,
    st,
    terminal,
    watcher,
)

from pos_app.api import GiftOptions, Outcome, Station, open_station
from pos_app.payments.card_present import ReaderChargeRequest
from pos_app.payments.stripe_terminal import StripeTerminalProcessor

pytestmark = pytest.mark.timeout(90)


def test_approve_one_payment_intent_one_charge_keys_and_spec(
    st: Station, watcher: StripeTerminalProcessor, localstripe: str, recorder: RecordingTransport,
    spec: StripeSpec, data_dir: Path,
) -> None:  # fmt: skip
    before = localstripe_stats(localstripe)
    out = gift(st, lambda: watcher.present("approve"), watcher, GiftOptions(save_card=True))
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

            out = gift(st, tap_while_the_network_is_down, watcher, GiftOptions(save_card=True))
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


def test_esc_while_the_card_is_being_read_charges_nothing(
    st: Station, watcher: StripeTerminalProcessor, localstripe: str, terminal_reader: str
) -> None:
    """The donor's card is on the reader (a slow read) when the volunteer presses Esc: the
    reader stops reading (cancel_action), the PaymentIntent is cancelled, nothing charged."""
    before = localstripe_stats(localstripe)
    slow_next_present(localstripe, terminal_reader, 60.0)  # cancel_action cuts it short

    def tap_then_esc() -> None:
        watcher.present("approve")  # answered at once, the read still going on
        st.cancel_reader()

    out = gift(st, tap_then_esc, watcher)
    assert out.status == "failed" and "Nothing was charged" in out.message
    wait_for(
        lambda: localstripe_stats(localstripe)["slow_reads_moot"] == before["slow_reads_moot"] + 1,
        why="the slow read to end",
    )
    assert watcher.payment(out.reference or "", 5).status == "canceled"
    assert localstripe_stats(localstripe)["charges"] == before["charges"]


def test_a_slow_read_is_still_an_approval(
    st: Station, watcher: StripeTerminalProcessor, localstripe: str, terminal_reader: str
) -> None:
    before = localstripe_stats(localstripe)
    slow_next_present(localstripe, terminal_reader, 0.3)
    out = gift(st, lambda: watcher.present("approve"), watcher)
    assert out.status == "approved"
    after = localstripe_stats(localstripe)
    assert after["slow_reads_done"] == before["slow_reads_done"] + 1
    assert after["charges_succeeded"] == before["charges_succeeded"] + 1


def test_reader_offline_mid_action_then_back_the_next_gift_goes_through(
    st: Station, watcher: StripeTerminalProcessor, localstripe: str, terminal_reader: str,
    recorder: RecordingTransport, spec: StripeSpec,
) -> None:  # fmt: skip
    """The reader drops off its Wi-Fi while it waits for the card: the gift ends (nothing
    charged, the plain offline words) and its PaymentIntent is cancelled, but the reader
    comes back still showing it. The next gift clears that dead payment off the reader
    (never a live one: see the busy test) and goes through."""
    assert st.reader_service is not None
    st.reader_service.reader_timeout = 1.0

    def reader_goes_offline() -> None:
        set_reader_status(localstripe, terminal_reader, "offline")

    first = gift(st, reader_goes_offline, watcher)
    assert first.status == "failed" and "power button" in first.message
    set_reader_status(localstripe, terminal_reader, "online")
    stale = watcher.reader_action(5)
    assert stale.status == "in_progress" and stale.payment_intent_id == first.reference
    assert watcher.payment(first.reference or "", 5).status == "canceled"
    st.reader_service.reader_timeout = 60.0
    result: list[Outcome] = []
    t = threading.Thread(target=lambda: result.append(st.take_reader_donation(2500, DONOR)))
    t.start()

    def waits_for_the_new_payment() -> bool:
        a = watcher.reader_action(5)
        return a.status == "in_progress" and a.payment_intent_id not in (None, first.reference)

    wait_for(lambda: waits_for_the_new_payment() or not t.is_alive(), why="the new payment")
    watcher.present("approve")
    t.join(60)
    assert result and result[0].status == "approved", result
    posts = [r for r in all_conform(spec, recorder) if r.method == "POST"]
    keys = [r.headers["Idempotency-Key"] for r in posts]
    assert len(keys) == len(set(keys))  # the second try at the reader has keys of its own
