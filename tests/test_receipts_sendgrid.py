"""Receipts through SendGrid's v3 Mail Send, against a local server that validates every
request body against SendGrid's own OpenAPI spec (../shared/specs/sendgrid-mail-v3.json).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.job_fixtures import (  # noqa: F401
    SENDGRID_KEY,
    FixedDelay,
    StationFactory,
    event_settings,
    make_station,
    sendgrid,
)
from support.jobwait import wait_for, wait_settled, wait_state
from support.memory_keyring import MemoryKeyring, memory_keyring
from support.sendgrid_server import SendGridServer

from pos_app.api import Card, Donor, Station
from pos_app.receipts.senders import UnavailableSender
from pos_app.secrets import SENDGRID_API_KEY, SERVICE
from pos_app.settings import Jobs, Receipts

CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def keyring_with_key() -> Iterator[MemoryKeyring]:
    with memory_keyring() as ring:
        ring.set_password(SERVICE, SENDGRID_API_KEY, SENDGRID_KEY)
        yield ring


def sendgrid_station(make: StationFactory, server: SendGridServer, **kw: Any) -> Station:
    receipts = Receipts(provider="sendgrid", sender="receipts@riverside.example",
                        api_base=server.url, timeout=5.0)
    return make(settings=event_settings(receipts=receipts), **kw)


def test_every_request_is_valid_against_the_spec_and_carries_the_receipt(
    make_station: StationFactory, sendgrid: SendGridServer,  # noqa: F811
    keyring_with_key: MemoryKeyring, data_dir: Path,
) -> None:
    receipts = Receipts(provider="sendgrid", sender="receipts@riverside.example",
                        api_base=sendgrid.url, timeout=5.0)
    # One worker: whatever holds a database while this request is open is that job.
    st = make_station(settings=event_settings(receipts=receipts, jobs=Jobs(workers=1)))
    locked: list[str] = []

    def no_transaction_open(body: dict[str, Any]) -> None:
        # The job is mid-request right now. If it held a write transaction, BEGIN IMMEDIATE
        # would time out; if it held a read one, a TRUNCATE checkpoint would report busy.
        for name in ("tableside.db", "queue.db"):
            conn = sqlite3.connect(data_dir / name, timeout=1.0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if busy:
                    locked.append(f"{name}: a reader is open")
            except sqlite3.OperationalError as exc:
                locked.append(f"{name}: {exc}")
            finally:
                conn.close()

    sendgrid.on_request = no_transaction_open
    card = st.take_card_donation(5000, Donor("Zoë O'Brien-Łukasz", "zoe@example.org"), CARD)
    cash = st.record_donation(2000, Donor("", "anon@example.org"), "cash")
    check = st.record_donation(9000, Donor("Di <Director>", "di@example.org"), "check", "1042")
    st.start_jobs()
    jobs = wait_settled(st)
    assert {j.state for j in jobs} == {"done"}
    assert sendgrid.violations == [] and locked == []
    receipts = {j.donation_id: j for j in jobs if j.kind == "receipt"}
    assert sorted(sendgrid.receipt_numbers()) == sorted(j.receipt_number for j in receipts.values())
    bodies = {b["personalizations"][0]["custom_args"]["donation_id"]: b for b in sendgrid.accepted}
    body = bodies[card.donation_id]
    assert body["personalizations"][0]["to"] == [{"email": "zoe@example.org",
                                                   "name": "Zoë O'Brien-Łukasz"}]
    assert body["from"] == {"email": "receipts@riverside.example", "name": "Riverside Food Bank"}
    assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]
    assert "Visa •••• 4242" in body["content"][0]["value"]
    assert "to" in bodies[cash.donation_id]["personalizations"][0]
    assert "name" not in bodies[cash.donation_id]["personalizations"][0]["to"][0]
    assert "Check #1042" in bodies[check.donation_id]["content"][0]["value"]
    assert receipts[card.donation_id].result_ref  # SendGrid's X-Message-Id
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_a_bad_address_waits_for_a_person_then_goes_out_after_the_fix(
    make_station: StationFactory, sendgrid: SendGridServer,  # noqa: F811
    keyring_with_key: MemoryKeyring,
) -> None:
    def refuse_typo(body: dict[str, Any]):  # type: ignore[no-untyped-def]
        if body["personalizations"][0]["to"][0]["email"].endswith("@gmial.con"):
            return 400, {}, {"errors": [{"message": "Does not contain a valid address.",
                                         "field": "personalizations.0.to.0.email"}]}
        return None

    sendgrid.script = refuse_typo
    st = sendgrid_station(make_station, sendgrid)
    o = st.record_donation(2000, Donor("Cy", "cy@gmial.con"), "cash")
    st.start_jobs()
    (job,) = st.jobs(o.donation_id)
    job = wait_state(st, job.id, "needs_attention")
    assert job.attempts == 1 and job.error_kind == "permanent" and job.fix == "fix_email"
    assert "cy@gmial.con" in (job.last_error or "") and "HTTP 400" in (job.last_error_detail or "")
    assert st.job_summary().needs_attention == 1
    (fixed,) = st.update_donor_email(o.donation_id, "cy@gmail.com")
    done = wait_state(st, job.id, "done")
    assert done.receipt_number == job.receipt_number and done.attempts == 2
    assert sendgrid.receipt_numbers() == [job.receipt_number]


def test_rejected_key_is_permanent_and_says_to_ask_it(
    make_station: StationFactory, sendgrid: SendGridServer,  # noqa: F811
) -> None:
    with memory_keyring() as ring:
        ring.set_password(SERVICE, SENDGRID_API_KEY, "SG.revoked")
        st = sendgrid_station(make_station, sendgrid)
    o = st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    st.start_jobs()
    job = wait_state(st, st.jobs(o.donation_id)[0].id, "needs_attention")
    assert job.fix == "check_settings" and "API key" in (job.last_error or "")
    assert "SG.revoked" not in (job.last_error_detail or "")


def test_no_key_in_the_keyring_still_opens_the_station(
    make_station: StationFactory, sendgrid: SendGridServer,  # noqa: F811
) -> None:
    with memory_keyring():
        st = sendgrid_station(make_station, sendgrid)
    assert isinstance(st.sender, UnavailableSender)
    o = st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    st.start_jobs()
    job = wait_state(st, st.jobs(o.donation_id)[0].id, "needs_attention")
    assert "pos-app configure" in (job.last_error or "") and sendgrid.requests == 0


def test_429_honours_retry_after_and_5xx_retries(
    make_station: StationFactory, sendgrid: SendGridServer,  # noqa: F811
    keyring_with_key: MemoryKeyring,
) -> None:
    replies = [
        (429, {"Retry-After": "1"}, {"errors": [{"message": "too many requests", "field": None}]}),
        (503, {}, None),
    ]
    sendgrid.script = lambda body: replies.pop(0) if replies else None
    st = sendgrid_station(make_station, sendgrid)
    o = st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    st.start_jobs()
    job_id = st.jobs(o.donation_id)[0].id
    waiting = wait_for(
        lambda: next((j for j in st.jobs() if j.attempts == 1 and j.next_attempt_at), None)
    )
    assert waiting.state == "retry_scheduled" and waiting.error_kind == "transient"
    assert waiting.updated_at is not None and waiting.next_attempt_at is not None
    assert waiting.next_attempt_at - waiting.updated_at >= dt.timedelta(seconds=0.99)
    assert "slow down" in (waiting.last_error or "")
    done = wait_state(st, job_id, "done")
    assert done.attempts == 3 and sendgrid.receipt_numbers() == [done.receipt_number]
    assert st.job_summary().online


def test_network_back_wakes_every_scheduled_retry_at_once(
    make_station: StationFactory, sendgrid: SendGridServer,  # noqa: F811
    keyring_with_key: MemoryKeyring,
) -> None:
    """Retries wait an hour unless woken: only the wake-up can finish this test."""
    sendgrid.down()
    st = sendgrid_station(make_station, sendgrid, policy=FixedDelay(3600))
    ids = [
        st.record_donation(1000 + i, Donor(f"D{i}", f"d{i}@example.org"), "cash").donation_id
        for i in range(5)
    ]
    st.start_jobs()
    wait_for(lambda: len([j for j in st.jobs() if j.state == "retry_scheduled"]) == 5)
    summary = st.job_summary()
    assert not summary.online and summary.offline_since is not None
    assert summary.pending == 5 and summary.retrying == 5
    sendgrid.up()  # the probe notices, and the hour-long waits are cut short
    jobs = wait_settled(st)
    assert all(j.state == "done" and j.attempts == 2 for j in jobs)
    assert sorted(sendgrid.receipt_numbers()) == sorted(j.receipt_number for j in jobs)
    assert len(jobs) == len(ids)
    summary = st.job_summary()
    assert summary.online and summary.online_since is not None and summary.offline_since is None


def test_server_down_for_a_while_then_back_every_receipt_goes_out_once(
    make_station: StationFactory, sendgrid: SendGridServer,  # noqa: F811
    keyring_with_key: MemoryKeyring,
) -> None:
    """Real backoff (capped at 60 s) plus the probe; some 503s on the way back up."""
    sendgrid.down()
    receipts = Receipts(provider="sendgrid", sender="receipts@riverside.example",
                        api_base=sendgrid.url, timeout=5.0)
    st = make_station(settings=event_settings(receipts=receipts, jobs=Jobs()))  # defaults
    st.start_jobs()
    for i in range(12):
        st.record_donation(1000 + i, Donor(f"D{i}", f"d{i}@example.org"), "cash")
    wait_for(lambda: st.job_summary().retrying == 12)
    flaky = [(503, {}, None)] * 4
    sendgrid.script = lambda body: flaky.pop() if flaky else None
    sendgrid.up()
    jobs = wait_settled(st)
    assert all(j.state == "done" for j in jobs) and len(jobs) == 12
    numbers = sendgrid.receipt_numbers()
    assert sorted(numbers) == sorted(j.receipt_number for j in jobs)
    assert len(numbers) == len(set(numbers)) == 12


def test_rate_limit_waits_come_from_the_response_headers() -> None:
    import email.utils
    import time

    import httpx

    from pos_app.receipts.message import OutgoingEmail
    from pos_app.receipts.sendgrid import SEND_PATH, error_from_response

    mail = OutgoingEmail("a@example.org", "", "r@example.org", "", "s", "t", "<p>t</p>", "N-1", "d")

    def wait_for_429(headers: dict[str, str]) -> float | None:
        request = httpx.Request("POST", f"http://sg{SEND_PATH}")
        err = error_from_response(httpx.Response(429, headers=headers, request=request), mail)
        assert err.kind == "transient"
        return err.retry_after  # type: ignore[attr-defined, no-any-return]

    assert wait_for_429({"Retry-After": "7"}) == 7.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (wait_for_429({"Retry-After": later}) or 0) <= 31
    assert 25 <= (wait_for_429({"X-RateLimit-Reset": str(int(time.time()) + 30)}) or 0) <= 31
    assert wait_for_429({}) is None
