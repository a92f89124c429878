"""The embedded Huey consumer: runs off the main thread, leaves signals alone, stops within
a bound, and leaves an interrupted job for the next start."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from support.job_fixtures import StationFactory, make_station  # noqa: F401
from support.jobwait import wait_for, wait_settled, wait_state

from pos_app.api import Donor
from pos_app.receipts.message import OutgoingEmail
from pos_app.receipts.outbox import OutboxSender

SIGNALS = [s for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s)]


class StuckSender:
    """Hangs inside send() until released, like a request that never comes back."""

    name = "stuck"
    endpoint = None

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def send(self, email: OutgoingEmail) -> str:
        self.entered.set()
        self.release.wait(60)
        return "released"

    def close(self) -> None:
        pass


def test_started_from_a_worker_thread_without_touching_signal_handlers(
    make_station: StationFactory,  # noqa: F811
) -> None:
    st = make_station()
    before = {name: signal.getsignal(getattr(signal, name)) for name in SIGNALS}
    errors: list[BaseException] = []

    def start() -> None:
        try:
            st.start_jobs()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    t = threading.Thread(target=start)
    t.start()
    t.join(30)
    assert errors == []
    st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    (job,) = wait_settled(st)
    assert job.state == "done"
    assert {name: signal.getsignal(getattr(signal, name)) for name in SIGNALS} == before
    st.stop_jobs()
    assert {name: signal.getsignal(getattr(signal, name)) for name in SIGNALS} == before


def test_stop_is_bounded_and_the_interrupted_job_runs_at_next_start(
    make_station: StationFactory, data_dir: Path  # noqa: F811
) -> None:
    stuck = StuckSender()
    first = make_station(sender=stuck)
    o = first.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    first.start_jobs()
    assert stuck.entered.wait(30)
    (job,) = first.jobs(o.donation_id)
    assert job.state == "running" and job.attempts == 1
    first.stop_jobs(timeout=0.2)  # returns although the job is still inside send()
    first.close()
    assert first.jobs_system.running is False

    second = make_station(sender=OutboxSender(data_dir / "outbox"))
    assert second.job(job.id).state == "running"  # what the crash/stop left behind
    second.start_jobs()
    done = wait_state(second, job.id, "done")
    assert done.attempts == 2 and done.result_ref and Path(done.result_ref).exists()
    stuck.release.set()  # the abandoned thread finishes late; the job stays done
    wait_for(lambda: not first.jobs_system.runner.active_ids())
    assert second.job(job.id).state == "done"


def test_start_and_stop_are_repeatable(make_station: StationFactory) -> None:  # noqa: F811
    st = make_station()
    for i in range(3):
        st.start_jobs()
        st.start_jobs()  # a second start is a no-op
        st.record_donation(1000 + i, Donor("Cy", f"cy{i}@example.org"), "cash")
        wait_settled(st)
        st.stop_jobs()
    assert [j.state for j in st.jobs()] == ["done"] * 3
