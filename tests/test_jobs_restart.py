"""Restarts: scheduled retries resume, a lost queue is rebuilt from the ledger, and the
periodic ledger sync puts back a task Huey lost while running."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
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

from pos_app.api import Donor, Station
from pos_app.secrets import SENDGRID_API_KEY, SERVICE
from pos_app.settings import Receipts

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


def test_scheduled_retries_resume_after_a_restart(
    make_station: StationFactory, sendgrid: SendGridServer,  # noqa: F811
    keyring_with_key: MemoryKeyring,
) -> None:
    busy = [(429, {"Retry-After": "2"}, None)]
    sendgrid.script = lambda body: busy.pop() if busy else None
    first = sendgrid_station(make_station, sendgrid)
    o = first.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    first.start_jobs()
    (job,) = first.jobs(o.donation_id)
    waiting = wait_state(first, job.id, "retry_scheduled")
    assert waiting.attempts == 1
    # Huey files the retry in its schedule (on disk) just after the ledger says so.
    wait_for(lambda: job.id in first.jobs_system.queue.queued_ids())
    first.close()

    second = sendgrid_station(make_station, sendgrid)
    assert second.job(job.id).state == "retry_scheduled"
    assert job.id in second.jobs_system.queue.queued_ids()  # the schedule survived
    second.start_jobs()
    done = wait_state(second, job.id, "done")
    assert done.attempts == 2 and sendgrid.receipt_numbers() == [done.receipt_number]


def test_a_lost_queue_file_is_rebuilt_from_the_ledger(
    make_station: StationFactory, data_dir: Path  # noqa: F811
) -> None:
    first = make_station()
    for i in range(3):
        first.record_donation(1000 + i, Donor("Cy", f"cy{i}@example.org"), "cash")
    first.close()
    for name in ("queue.db", "queue.db-wal", "queue.db-shm"):
        (data_dir / name).unlink(missing_ok=True)

    second = make_station()
    assert second.jobs_system.queue.queued_ids() == set()
    second.start_jobs()
    jobs = wait_settled(second)
    assert [j.state for j in jobs] == ["done"] * 3


def test_the_periodic_sync_puts_back_a_task_huey_lost(
    make_station: StationFactory, sendgrid: SendGridServer,  # noqa: F811
    keyring_with_key: MemoryKeyring,
) -> None:
    busy = [(503, {}, None)]
    sendgrid.script = lambda body: busy.pop() if busy else None
    st = sendgrid_station(make_station, sendgrid, policy=FixedDelay(1.0))
    o = st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    st.start_jobs()
    (job,) = st.jobs(o.donation_id)
    wait_state(st, job.id, "retry_scheduled")
    st.jobs_system.queue.huey.storage.flush_schedule()  # Huey lost it (as after a kill)
    assert job.id not in st.jobs_system.queue.queued_ids()
    done = wait_state(st, job.id, "done")  # only the ledger sync can bring it back
    assert done.attempts == 2
    wait_for(lambda: sendgrid.receipt_numbers() == [done.receipt_number])
