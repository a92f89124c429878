"""Check-in keeps a card on file from the card reader, with no charge (issue 23).

Through the facade (`Station.save_card_from_reader`) with the Stripe Terminal adapter
against the bridged localstripe and its Terminal peer (a simulated WisePOS E): a Customer,
a card_present SetupIntent (usage off_session) handed to the reader with
`process_setup_intent` (customer consent collected), the guest's card presented with
Stripe's test helper, the reusable generated card kept. Every request is checked against
Stripe's OpenAPI spec, every POST carries a key derived from the attendee's, and what the
peer answers is checked against the spec's response schemas. Declined, cancelled by the
volunteer, timed out, and an answer in doubt settled later by the settle loop reading the
SetupIntent back. Training mode does the same on the simulator's reader.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from support.crash import env, kill_at_crashpoint  # noqa: F401 - fixture
from support.jobwait import wait_for
from support.processes import localstripe_stats
from support.stripe_spec import StripeSpec
from support.terminal_fixtures import (  # noqa: F401 - fixtures
    RecordingTransport,
    all_conform,
    processor,
    raw,
    recorder,
    response_problems,
    spec,
    st,
    terminal,
    watcher,
)

from pos_app.api import AttendeeRecord, Donor, InvalidDonation, Station, open_station
from pos_app.payments.card_present import PRESENT_APPROVE, PRESENT_DECLINE, PRESENT_REMOVED
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.payments.stripe_terminal import StripeTerminalProcessor
from pos_app.services.check_in import (
    READER_CANCELLED,
    READER_TIMED_OUT,
    checkin_key,
)
from pos_app.store.models import Attendee, Donation

pytestmark = pytest.mark.timeout(120)
ADA = Donor("Ada Lovelace", "ada@example.org")
DECLINED = "The card was declined. Ask for another card."


def on_reader(reader: object) -> bool:
    action = reader.reader_action(5)  # type: ignore[attr-defined]
    return action.type == "process_setup_intent" and action.status == "in_progress"


def keep(
    st: Station, paddle: int, guest_part: Callable[[], None], reader: object
) -> AttendeeRecord:
    """Save from the reader on a thread, wait until the reader waits, play the guest."""
    result: list[AttendeeRecord] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            result.append(st.save_card_from_reader(paddle))
        except BaseException as exc:  # handed to the test thread
            failed.append(exc)

    t = threading.Thread(target=run)
    t.start()
    wait_for(lambda: on_reader(reader) or not t.is_alive(), why="the reader to get the setup")
    guest_part()
    t.join(60)
    assert not failed, failed
    assert result, "save_card_from_reader did not return"
    return result[0]


def pledge_pi(st: Station, donation_id: str) -> str:
    with st.db.session() as s:
        row = s.get(Donation, donation_id)
        assert row is not None and row.payment_intent_id
        return row.payment_intent_id


def ids(st: Station, attendee_id: str) -> tuple[str | None, str | None, str | None, str | None]:
    with st.db.session() as s:
        row = s.get(Attendee, attendee_id)
        assert row is not None
        return row.idempotency_key, row.customer_id, row.setup_intent_id, row.payment_method_id


def test_a_card_tapped_on_the_reader_is_kept_with_no_charge(
    st: Station,
    watcher: StripeTerminalProcessor,
    recorder: RecordingTransport,
    spec: StripeSpec,
    localstripe: str,
    terminal_reader: str,
) -> None:
    assert st.can_save_card_from_reader
    before = localstripe_stats(localstripe)
    guest = st.check_in(ADA, paddle=112)
    kept = keep(st, 112, lambda: watcher.present(PRESENT_APPROVE), watcher)
    assert kept.card_on_file and kept.card_state == "saved" and kept.message is None
    assert kept.card_label == "Visa •••• 4242" and kept.id == guest.id
    key, customer, seti, pm = ids(st, guest.id)
    assert key == checkin_key(guest.id, reader=True)
    posts = [r for r in all_conform(spec, recorder) if r.method == "POST"]
    assert [(r.url.path, r.headers["Idempotency-Key"]) for r in posts] == [
        ("/v1/customers", f"{key}-customer"),
        ("/v1/setup_intents", f"{key}-setup"),
        (f"/v1/terminal/readers/{terminal_reader}/process_setup_intent", f"{key}-process"),
    ]
    created = spec.decoded("POST", "/v1/setup_intents", posts[1].content)
    assert created == {"customer": customer, "usage": "off_session",
                       "payment_method_types": ["card_present"],
                       "metadata": {"attendee_id": guest.id}}  # fmt: skip
    handed = spec.decoded("POST", posts[2].url.path, posts[2].content)
    assert handed == {"setup_intent": seti, "customer_consent_collected": True}

    # what the peer keeps, in Stripe's shapes
    body = raw(localstripe, f"/v1/setup_intents/{seti}", **{"expand[]": "latest_attempt"})
    assert (body["status"], body["usage"], body["customer"]) == ("succeeded", "off_session",
                                                                 customer)  # fmt: skip
    attempt = body["latest_attempt"]
    assert attempt["payment_method_details"]["card_present"]["generated_card"] == pm
    assert attempt["status"] == "succeeded" and attempt["setup_intent"] == seti
    assert response_problems(spec, "setup_intent", body) == []
    assert response_problems(spec, "setup_attempt", attempt) == []
    card = raw(localstripe, f"/v1/payment_methods/{pm}")
    assert (card["type"], card["customer"], card["card"]["last4"]) == ("card", customer, "4242")
    read = raw(localstripe, f"/v1/payment_methods/{body['payment_method']}")
    assert read["type"] == "card_present"  # the one read, which can't be kept
    reader = raw(localstripe, f"/v1/terminal/readers/{terminal_reader}")
    assert reader["action"]["type"] == "process_setup_intent"
    assert reader["action"]["status"] == "succeeded"
    assert reader["action"]["process_setup_intent"] == {"setup_intent": seti,
                                                        "generated_card": pm}  # fmt: skip
    assert response_problems(spec, "terminal.reader", reader) == []
    after = localstripe_stats(localstripe)
    assert after["payment_intents_created"] == before["payment_intents_created"]  # no charge
    assert after["charges"] == before["charges"]
    assert after["card_present_setups_succeeded"] == before["card_present_setups_succeeded"] + 1

    # the card kept is one a pledge is charged on later, with nobody at the table
    raise_id = st.open_paddle_raise("Fund a kitchen", [100000, 50000])
    st.start_jobs()
    pledge = st.pledge(raise_id, "112", 50000)
    paid = wait_for(lambda: [p for p in st.pledges(raise_id) if p.state == "paid"], why="paid")
    assert [p.id for p in paid] == [pledge.id]
    charged = raw(localstripe, f"/v1/payment_intents/{pledge_pi(st, pledge.donation_id)}")
    assert (charged["payment_method"], charged["customer"], charged["amount"]) == (
        pm,
        customer,
        50000,
    )


def test_a_declined_card_then_another_on_the_same_customer(
    st: Station,
    watcher: StripeTerminalProcessor,
    recorder: RecordingTransport,
    spec: StripeSpec,
    localstripe: str,
) -> None:
    guest = st.check_in(Donor("Cy Twombly", "cy@example.org"), paddle=7)
    before = localstripe_stats(localstripe)
    refused = keep(st, 7, lambda: watcher.present(PRESENT_DECLINE), watcher)
    assert not refused.card_on_file and refused.card_state == "failed"
    assert refused.message == DECLINED
    _key, customer, seti, pm = ids(st, guest.id)
    assert pm is None
    body = raw(localstripe, f"/v1/setup_intents/{seti}", **{"expand[]": "latest_attempt"})
    assert body["status"] == "canceled"  # no reader can keep it later
    assert body["last_setup_error"]["decline_code"] == "generic_decline"
    assert body["latest_attempt"]["status"] == "failed"
    assert response_problems(spec, "setup_intent", body) == []
    assert response_problems(spec, "setup_attempt", body["latest_attempt"]) == []

    # the volunteer asks for another card: a fresh key, the same Customer
    again = keep(st, 7, lambda: watcher.present(PRESENT_APPROVE), watcher)
    assert again.card_on_file and again.card_label == "Visa •••• 4242"
    key2, customer2, seti2, _pm = ids(st, guest.id)
    assert key2 == checkin_key(guest.id, 2, reader=True) and customer2 == customer
    assert seti2 != seti
    after = localstripe_stats(localstripe)
    assert after["customers_created"] == before["customers_created"] + 1
    assert after["payment_intents_created"] == before["payment_intents_created"]
    all_conform(spec, recorder)


def test_cancelled_by_the_volunteer_and_timed_out_keep_nothing(
    st: Station,
    watcher: StripeTerminalProcessor,
    recorder: RecordingTransport,
    spec: StripeSpec,
    localstripe: str,
    terminal_reader: str,
) -> None:
    guest = st.check_in(Donor("Grace Hopper", "grace@example.org"))
    paddle = int(guest.paddle)
    assert not st.cancel_card_on_reader()  # nothing waiting
    cancelled = keep(st, paddle, lambda: st.cancel_card_on_reader() or None, watcher)
    assert not cancelled.card_on_file and cancelled.message == READER_CANCELLED
    _key, _c, seti, _pm = ids(st, guest.id)
    assert raw(localstripe, f"/v1/setup_intents/{seti}")["status"] == "canceled"
    assert raw(localstripe, f"/v1/terminal/readers/{terminal_reader}")["action"] is None

    assert st.reader_service is not None
    st.reader_service.reader_timeout = 0.5  # nobody taps
    timed_out = st.save_card_from_reader(paddle)
    assert not timed_out.card_on_file and timed_out.message == READER_TIMED_OUT
    key, _c, seti, _pm = ids(st, guest.id)
    assert key == checkin_key(guest.id, 2, reader=True)
    assert raw(localstripe, f"/v1/setup_intents/{seti}")["status"] == "canceled"
    assert raw(localstripe, f"/v1/terminal/readers/{terminal_reader}")["action"] is None
    posts = [r for r in all_conform(spec, recorder) if r.method == "POST"]
    cancels = [r.headers["Idempotency-Key"] for r in posts if r.url.path.endswith("/cancel")]
    assert cancels == [f"{checkin_key(guest.id, reader=True)}-cancel", f"{key}-cancel"]


class Switch(RecordingTransport):
    """Real HTTP until `down`: then the laptop's network is gone (nothing is sent)."""

    down = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("network down", request=request)
        return super().handle_request(request)


@pytest.fixture
def lossy_station(
    data_dir: Path, localstripe: str, terminal_reader: str
) -> Iterator[tuple[Station, Switch]]:
    switch = Switch()
    p = terminal(localstripe, terminal_reader, switch, timeout=2.0)
    with open_station(data_dir=data_dir, processor=p) as station:
        assert station.reader_service is not None
        station.reader_service.poll_s = 0.02
        station.reader_service.call_timeout = 2.0
        station.reader_service.reader_timeout = 1.0
        yield station, switch
    p.close()


def test_a_tap_whose_answer_is_lost_is_in_doubt_then_settled_by_reading_it_back(
    lossy_station: tuple[Station, Switch],
    watcher: StripeTerminalProcessor,
    spec: StripeSpec,
) -> None:
    st, switch = lossy_station
    guest = st.check_in(Donor("Alan Turing", "alan@example.org"), paddle=40)

    def tap_while_offline() -> None:
        switch.down = True  # the station can't see the tap, nor cancel anything
        watcher.present(PRESENT_APPROVE)

    doubt = keep(st, 40, tap_while_offline, watcher)
    assert doubt.card_state == "saving" and not doubt.card_on_file
    assert "keeps checking" in (doubt.message or "")
    switch.down = False

    def settled() -> AttendeeRecord | None:
        st.attendees_service.settle()  # the settle loop's step (it runs in the background too)
        found = st.attendee(40)
        return found if found is not None and found.card_state != "saving" else None

    done = wait_for(settled, why="the setup to be read back")
    assert done.card_on_file and done.card_label == "Visa •••• 4242" and done.id == guest.id
    _key, customer, seti, pm = ids(st, guest.id)
    body = raw_setup(watcher, seti)
    assert body["latest_attempt"]["payment_method_details"]["card_present"][
        "generated_card"] == pm  # fmt: skip
    assert body["customer"] == customer
    # settling read it back: never a second SetupIntent, never handed to the reader again
    posts = [r for r in all_conform(spec, switch) if r.method == "POST"]
    assert sum(r.url.path.endswith("/process_setup_intent") for r in posts) == 1
    assert sum(r.url.path == "/v1/setup_intents" for r in posts) == 1


def raw_setup(p: StripeTerminalProcessor, seti: str | None) -> dict:  # type: ignore[type-arg]
    return p._call("GET", f"/v1/setup_intents/{seti}", {"expand": ["latest_attempt"]}, None, 5)


# ---- training mode: the simulator's reader ------------------------------------------------


def test_training_keeps_a_card_from_its_simulated_reader(
    station: Station, simulator: SimulatorProcessor
) -> None:
    assert station.reader_service is not None
    station.reader_service.poll_s = 0.02
    assert station.can_save_card_from_reader
    guest = station.check_in(ADA)
    paddle = int(guest.paddle)
    kept = keep(station, paddle, lambda: station.present_on_reader(PRESENT_APPROVE),
                simulator.reader)  # fmt: skip
    assert kept.card_on_file and kept.card_label == "Visa •••• 4242"
    _key, customer, _seti, pm = ids(station, guest.id)
    assert pm is not None and simulator.attached[pm] == customer
    assert simulator.charges == {}  # kept with no charge

    cy = station.check_in(Donor("Cy Twombly", "cy@example.org"))
    refused = keep(station, int(cy.paddle), lambda: station.present_on_reader(PRESENT_DECLINE),
                   simulator.reader)  # fmt: skip
    assert refused.message == DECLINED and not refused.card_on_file
    pulled = keep(station, int(cy.paddle), lambda: station.present_on_reader(PRESENT_REMOVED),
                  simulator.reader)  # fmt: skip
    assert pulled.message == ("The reader stopped before the card was read: The card was "
                              "removed too soon. The card was not kept.")  # fmt: skip
    gone = keep(station, int(cy.paddle), lambda: station.cancel_card_on_reader() or None,
                simulator.reader)  # fmt: skip
    assert gone.message == READER_CANCELLED
    assert simulator.reader.setup_intents_created == 4
    # a reader gift can follow at once: the reader is idle again
    with pytest.raises(InvalidDonation) as nobody:
        station.save_card_from_reader(999)
    assert "999" in nobody.value.errors["paddle"]


# ---- kill -9 while the reader waits -------------------------------------------------------

PROC = Path(__file__).parent / "support" / "checkin_reader_proc.py"


def proc_cmd(data_dir: Path, url: str, reader_id: str, *args: str) -> list[str]:
    return [sys.executable, str(PROC), str(data_dir), url, reader_id, *args]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_killed_while_the_reader_waits_the_restart_reads_the_setup_back(
    data_dir: Path,
    env: dict[str, str],
    localstripe: str,
    terminal_reader: str,  # noqa: F811
    watcher: StripeTerminalProcessor,
    spec: StripeSpec,
) -> None:
    """Ada taps after the station died: the restart finds her card kept. Bo never taps: the
    restart stops the reader action left hanging and cancels his SetupIntent. Never a second
    SetupIntent, never handed to the reader again."""
    before = localstripe_stats(localstripe)
    cmd = proc_cmd(data_dir, localstripe, terminal_reader, "keep", "Ada Lovelace",
                   "ada@example.org")  # fmt: skip
    kill_at_crashpoint(cmd, env, "checkin_reader_waiting", 60)
    assert on_reader(watcher)  # the reader still waits for the card nobody watches
    watcher.present(PRESENT_APPROVE)  # Ada taps anyway
    settle = proc_cmd(data_dir, localstripe, terminal_reader, "settle")
    done = subprocess.run(settle, env=env, capture_output=True, text=True, timeout=90)
    [ada] = json.loads(done.stdout.strip().splitlines()[-1])["guests"]
    assert ada["card_on_file"] and ada["last4"] == "4242" and ada["card_state"] == "saved"

    cmd = proc_cmd(data_dir, localstripe, terminal_reader, "keep", "Bo Diddley",
                   "bo@example.org")  # fmt: skip
    kill_at_crashpoint(cmd, env, "checkin_reader_waiting", 60)
    assert on_reader(watcher)
    done = subprocess.run(settle, env=env, capture_output=True, text=True, timeout=90)
    guests = json.loads(done.stdout.strip().splitlines()[-1])["guests"]
    bo = next(g for g in guests if g["name"] == "Bo Diddley")
    assert not bo["card_on_file"] and bo["card_state"] == "failed"
    assert bo["message"] == "The reader stopped before the card was read. The card was not kept."
    assert watcher.reader_action(5).type is None  # the hanging action was cancelled
    after = localstripe_stats(localstripe)
    assert after["card_present_setup_intents"] == before["card_present_setup_intents"] + 2
    assert after["card_present_setups_succeeded"] == before["card_present_setups_succeeded"] + 1
    assert after["payment_intents_created"] == before["payment_intents_created"]


def test_the_kept_card_is_the_generated_one_however_stripe_reports_it() -> None:
    """Stripe names the reusable card in the latest attempt's card_present details; where a
    SetupIntent's own payment_method is already a `card`, that one; a read that made no
    reusable card (a phone wallet) keeps nothing."""
    from pos_app.payments.terminal_answers import parse_setup

    attempt = {"id": "setatt_1", "payment_method_details": {
        "type": "card_present", "card_present": {"generated_card": "pm_gen"}}}  # fmt: skip
    read = {"id": "pm_read", "type": "card_present",
            "card_present": {"brand": "visa", "last4": "4242"}}  # fmt: skip
    seti = {"id": "seti_1", "status": "succeeded", "customer": "cus_1",
            "metadata": {"attendee_id": "a1"}, "latest_attempt": attempt,
            "payment_method": read}  # fmt: skip
    got = parse_setup(seti)
    assert (got.generated_card, got.brand, got.last4) == ("pm_gen", "visa", "4242")
    assert (got.customer_ref, got.attendee_ref) == ("cus_1", "a1")
    as_card = {**seti, "latest_attempt": "setatt_1",
               "payment_method": {"id": "pm_card", "type": "card",
                                  "card": {"brand": "mastercard", "last4": "4444"}}}  # fmt: skip
    assert parse_setup(as_card).generated_card == "pm_card"
    wallet = {**seti, "latest_attempt": {**attempt, "payment_method_details": {
        "type": "card_present", "card_present": {"generated_card": None}}}}  # fmt: skip
    assert parse_setup(wallet).generated_card is None
