# ruff: noqa: F811  (pytest fixtures imported from support modules)
"""Every outside call ends by its total deadline, whatever the peer does: a processor, an
email API or an SMTP server that sends its answer a byte at a time never trips a read
timeout (pos_app/deadline.py). Real servers on loopback drip for a minute with the call's
timeout at 1 s; each call must return long before the drip ends, with the right kind.
Nothing here asserts how long anything took: the drip's length is the only yardstick, and
it only stops a hung test."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from support.drip_smtp import DripSmtpServer
from support.fault_proxy import FaultProxy
from support.job_fixtures import SENDGRID_KEY, StationFactory, make_station, sendgrid  # noqa: F401
from support.jobwait import wait_for
from support.processes import localstripe_stats
from support.sendgrid_server import SendGridServer

from pos_app.api import Card, Donor, open_station
from pos_app.payments.stripe import StripeProcessor
from pos_app.receipts.sendgrid import SendGridSender
from pos_app.receipts.smtp import SmtpSender

T = TypeVar("T")
KEY = "sk_test_tableside_deadline"
CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "737")
DRIP_S = 60.0  # how long each peer keeps dripping: far past the 1 s deadline
BEFORE_DRIP_ENDS = DRIP_S * 2 / 3
pytestmark = pytest.mark.timeout(150)


def returns_before_the_drip_ends(call: Callable[[], T]) -> T:
    """Run `call` on a thread; fail if it is still going when two thirds of the drip has
    passed (it would have ended by itself once the peer gave up)."""
    box: dict[str, Any] = {}

    def run() -> None:
        t0 = time.monotonic()
        try:
            box["value"] = call()
        except BaseException as exc:  # handed back to the test below
            box["error"] = exc
        box["took"] = time.monotonic() - t0

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(BEFORE_DRIP_ENDS)
    assert not worker.is_alive(), "the call was still waiting on a dripping peer"
    print(f"returned after {box['took']:.1f} s")  # for the record, not asserted
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.fixture
def stripe_proxy(localstripe: str) -> Iterator[FaultProxy]:
    with FaultProxy(localstripe, seed=3, flavor="stripe", hang_s=DRIP_S) as proxy:
        yield proxy


def test_a_dripped_charge_answer_is_in_doubt_by_the_deadline_and_a_replay_settles_it(
    stripe_proxy: FaultProxy, localstripe: str, data_dir: Path
) -> None:
    processor = StripeProcessor(KEY, api_base=stripe_proxy.url, timeout=1.0)
    with open_station(data_dir=data_dir, processor=processor) as st:
        before = localstripe_stats(localstripe)["payment_intents_created"]
        stripe_proxy.paths = {"/v1/payment_intents"}
        stripe_proxy.weights, stripe_proxy.rate = {"drip_after": 1.0}, 1.0
        outcome = returns_before_the_drip_ends(
            lambda: st.take_card_donation(5000, Donor("Ada", "ada@example.org"), CARD)
        )
        assert outcome.status == "in_doubt", outcome
        assert stripe_proxy.snapshot()["drip_after"] == 1
        assert localstripe_stats(localstripe)["payment_intents_created"] == before + 1
        stripe_proxy.rate = 0.0
        settled = st.settle_in_doubt()
        assert [o.status for o in settled] == ["approved"]
        assert st.outcome(outcome.donation_id).status == "approved"
        assert localstripe_stats(localstripe)["payment_intents_created"] == before + 1


def test_a_dripped_sendgrid_answer_makes_the_receipt_retry(
    make_station: StationFactory, sendgrid: SendGridServer
) -> None:
    with FaultProxy(sendgrid.url, seed=4, flavor="sendgrid", hang_s=DRIP_S) as proxy:
        proxy.weights, proxy.rate = {"drip_after": 1.0}, 1.0
        st = make_station(sender=SendGridSender(SENDGRID_KEY, api_base=proxy.url, timeout=1.0))
        o = st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
        st.start_jobs()
        job = returns_before_the_drip_ends(lambda: wait_for(
            lambda: next((j for j in st.jobs(o.donation_id) if j.attempts >= 1
                          and j.state == "retry_scheduled"), None),
            timeout=DRIP_S * 2))  # fmt: skip
        assert job.error_kind == "transient" and "in time" in (job.last_error or "")
        st.stop_jobs()


def test_a_dripping_smtp_server_makes_the_receipt_retry(make_station: StationFactory) -> None:
    with DripSmtpServer(drip_s=0.5, hang_s=DRIP_S) as server:
        sender = SmtpSender("127.0.0.1", server.port, timeout=1.0)
        st = make_station(sender=sender)
        o = st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
        st.start_jobs()
        job = returns_before_the_drip_ends(lambda: wait_for(
            lambda: next((j for j in st.jobs(o.donation_id) if j.attempts >= 1
                          and j.state == "retry_scheduled"), None),
            timeout=DRIP_S * 2))  # fmt: skip
        assert job.error_kind == "transient" and "in time" in (job.last_error or "")
        assert server.connections >= 1
        st.stop_jobs()
