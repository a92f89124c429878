"""The job system as the app sees it: ledger + queue + runner + consumer + connectivity.

- `on_recorded` / `after_commit`: the transactional-outbox hooks the donation service calls
  (rows inside the gift's transaction; ledger ids into Huey right after the commit).
- `start()`: ledger sync, then the embedded consumer and a housekeeping thread that syncs
  the ledger periodically, probes the network, and wakes scheduled retries when it is back.
- `sync()`: Huey deletes a task before running it, so a task killed mid-run is gone. Every
  ledger job that is not finished, not queued, not scheduled and not running here is put
  back: at once, or at its next-attempt time if it was waiting to retry.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from pos_app.payments.base import Processor
from pos_app.payments.registry import Capability
from pos_app.receipts.senders import Sender
from pos_app.settings import Settings
from pos_app.store.database import Database
from pos_app.store.models import Donation

from . import registry
from .connectivity import Connectivity
from .consumer import EmbeddedConsumer
from .context import JobContext
from .ledger import Ledger, receipt_prefix, utcnow
from .ledger_view import LedgerView
from .policy import RetryPolicy
from .queue import JobQueue
from .records import JobRecord, JobState, JobSummary
from .runner import Handler, JobRunner

log = logging.getLogger(__name__)

SYNC_GRACE = dt.timedelta(seconds=5)  # a row this fresh may still be on its way to Huey
TICK_S = 0.2
CLOCK_JUMP_S = 5.0  # wall time moving this much more (or less) than monotonic time: a jump
PROBE_OFFLINE_S = 2.0
PROBE_ONLINE_S = 15.0


def _steady() -> float:
    """Time that counts a laptop's sleep but not clock changes: a lid closed for an hour is
    an hour gone, not a jump (CLOCK_BOOTTIME on Linux; elsewhere the monotonic clock)."""
    if hasattr(time, "CLOCK_BOOTTIME"):
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    return time.monotonic()


class ClockWatch:
    """Notices the wall clock jumping: wall time against steady time, tick to tick."""

    def __init__(self) -> None:
        self._wall, self._mono = time.time(), _steady()

    def jumped(self) -> float:
        """Seconds the wall clock jumped since the last look (0.0 when it didn't)."""
        wall, mono = time.time(), _steady()
        jump = (wall - self._wall) - (mono - self._mono)
        self._wall, self._mono = wall, mono
        return jump if abs(jump) >= CLOCK_JUMP_S else 0.0


class JobSystem:
    def __init__(
        self,
        db: Database,
        queue_file: Path,
        settings: Callable[[], Settings],
        processor: Processor,
        sender: Sender,
        *,
        station_id: str = "",
        probe_targets: Iterable[tuple[str, int]] = (),
        policy: RetryPolicy | None = None,
        recover_queue: bool = True,
        on_network: Callable[[bool], None] | None = None,
    ) -> None:
        """`settings` is the live source, read when a job runs; the [jobs] section is
        read once here (workers and intervals are fixed while the consumer runs)."""
        self.settings = settings
        self.processor = processor
        self.sender = sender
        now = settings()
        self.workers = now.jobs.workers
        self.sync_interval = now.jobs.sync_interval
        self.policy = policy or RetryPolicy(cap=now.jobs.max_backoff)
        self.ledger = Ledger(
            db,
            receipt_prefix=receipt_prefix(station_id, now.receipts.number_prefix),
        )
        self.context = JobContext(
            db=db,
            ledger=self.ledger,
            processor=processor,
            sender=sender,
            settings=settings,
            save_cards=Capability.SAVE_CARD in processor.capabilities,
        )
        self._bodies: dict[str, Handler] = {}
        self.view = LedgerView(db)
        self.connectivity = Connectivity(
            probe_targets, on_back=self.request_wake, on_flip=on_network
        )
        self.runner = JobRunner(self.ledger, self.body_for, self.policy, self.connectivity)
        self.queue = JobQueue(queue_file, self.runner.run, recover=recover_queue)
        self._consumer: EmbeddedConsumer | None = None
        self._housekeeper: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._closed = False
        # committed ledger ids on their way into Huey (after_commit), off the caller's thread
        self._handoff: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()
        self._handoff_thread: threading.Thread | None = None
        self._in_handoff = 0
        self._handoff_done = threading.Condition()

    def body_for(self, kind: str) -> Handler:
        """The registered kind's body, built once on first use (a kind registered after
        the system was built still runs)."""
        body = self._bodies.get(kind)
        if body is None:
            body = self._bodies[kind] = registry.get(kind).make_body(self.context)
        return body

    # ---- the transactional outbox ---------------------------------------------------------
    def on_recorded(
        self, session: Session | Connection, donation: Donation, *, new: bool = False
    ) -> list[str]:
        return self.ledger.jobs_for(session, donation, self.context, new=new)

    def after_commit(self, job_ids: list[str]) -> None:
        """Hand committed job ids to Huey on the hand-off thread: the caller (a donor
        waiting for "approved") doesn't wait for the queue file's own commit. Safe to lose:
        the rows are committed, so a crash before the hand-off is put right by the ledger
        sync (at start, and every sync_interval for rows older than SYNC_GRACE)."""
        if not job_ids:
            return
        with self._handoff_done:
            self._in_handoff += 1
            if self._handoff_thread is None:
                self._handoff_thread = threading.Thread(
                    target=self._hand_off, name="jobs-handoff", daemon=True)  # fmt: skip
                self._handoff_thread.start()
        self._handoff.put(list(job_ids))

    def _hand_off(self) -> None:
        while (job_ids := self._handoff.get()) is not None:
            try:
                self.queue.enqueue(job_ids)
            except Exception:  # the rows are committed; the next sync enqueues them
                log.exception("enqueueing jobs %s failed; the ledger sync will pick them up",
                              job_ids)  # fmt: skip
            finally:
                with self._handoff_done:
                    self._in_handoff -= 1
                    self._handoff_done.notify_all()

    def flush_handoff(self, timeout: float = 5.0) -> bool:
        """Wait until every committed id handed to after_commit is in Huey (or failed to
        get there, logged); False on timeout."""
        with self._handoff_done:
            return self._handoff_done.wait_for(lambda: self._in_handoff == 0, timeout)

    # ---- running ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._consumer is not None

    def start(self) -> None:
        # Huey logs every task at INFO; the ledger and jobs.* logs already tell the story.
        logging.getLogger("huey").setLevel(logging.WARNING)
        with self._lock:
            if self._consumer is not None:
                return
            if self._closed:
                raise RuntimeError("the job system is closed; open the station again")
            self.flush_handoff()  # ids on their way into Huey are not lost ones
            self.sync(startup=True)
            self._stop.clear()
            self._consumer = EmbeddedConsumer(self.queue.huey, workers=self.workers)
            self._consumer.start_in_background()
            self._housekeeper = threading.Thread(
                target=self._housekeep, name="jobs-housekeeper", daemon=True
            )
            self._housekeeper.start()
        log.info("jobs started: %d workers, queue %s", self.workers, self.queue.path)

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop within about `timeout` s; jobs still running are left for the next start."""
        with self._lock:
            consumer, self._consumer = self._consumer, None
            self._stop.set()
            self._wake.set()
            if self._housekeeper is not None:
                self._housekeeper.join(timeout)
                self._housekeeper = None
        if consumer is None:
            return True
        clean = consumer.shutdown(timeout)
        log.info("jobs stopped%s", "" if clean else " (some left running)")
        return clean

    def close(self, timeout: float = 5.0) -> None:
        """Stop and let go of the queue and the sender; a second close does nothing."""
        self.stop(timeout)
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.flush_handoff(timeout)
        with self._handoff_done:
            thread, self._handoff_thread = self._handoff_thread, None
        if thread is not None:
            self._handoff.put(None)
            thread.join(timeout)
        self.queue.close()
        self.sender.close()

    def _housekeep(self) -> None:
        next_sync = time.monotonic() + self.sync_interval
        next_probe = time.monotonic() + PROBE_ONLINE_S
        clock = ClockWatch()
        while not self._stop.is_set():
            self._wake.wait(TICK_S)
            if self._stop.is_set():
                break
            try:
                jump = clock.jumped()
                if jump:
                    self.retime(dt.timedelta(seconds=jump))
                if self._wake.is_set():
                    self._wake.clear()
                    self.wake()
                now = time.monotonic()
                if now >= next_sync:
                    next_sync = now + self.sync_interval
                    self.sync()
                if now >= next_probe:
                    self.connectivity.probe()  # may call request_wake
                    interval = PROBE_ONLINE_S if self.connectivity.online else PROBE_OFFLINE_S
                    next_probe = time.monotonic() + interval
                elif not self.connectivity.online:
                    next_probe = min(next_probe, now + PROBE_OFFLINE_S)
            except Exception:  # keep housekeeping alive; the next tick tries again
                log.exception("job housekeeping failed")

    # ---- sync and wake --------------------------------------------------------------------
    def retime(self, shift: dt.timedelta | None = None) -> int:
        """Move retry due times after a wall-clock jump (Ledger.retime) and schedule each
        moved job again at its new time. The copy Huey already holds stays: early, the
        ledger's claim refuses it; late, the job is done by then."""
        moved = self.ledger.retime(self.policy.longest, shift)
        for job_id, due in moved:
            self.queue.schedule(job_id, due)
        if moved:
            log.info("clock %s: %d retr%s rescheduled",
                     f"jumped {shift.total_seconds():+.0f} s" if shift else "went back",
                     len(moved), "y" if len(moved) == 1 else "ies")
        return len(moved)

    def sync(self, *, startup: bool = False) -> list[str]:
        """Put back every unfinished ledger job Huey lost; return their ids. Due times a
        clock change left too far ahead are brought back first."""
        self.retime()
        rows = self.ledger.unfinished()
        if not rows:
            return []
        if startup:
            # Nothing runs yet in this process: anything `running` was interrupted.
            self.ledger.requeue_interrupted(r.id for r in rows if r.state == JobState.RUNNING)
            rows = self.ledger.unfinished()
        in_queue = self.queue.queued_ids()
        active = self.runner.active_ids()
        now = utcnow()
        lost = [
            r
            for r in rows
            if r.id not in in_queue
            and r.id not in active
            # Fresh rows may still be on their way to Huey; a row changed "in the future"
            # was changed before the clock went back, and is as lost as an old one.
            and (startup or not dt.timedelta(0) <= now - r.updated_at <= SYNC_GRACE)
        ]
        if not lost:
            return []
        self.ledger.requeue_interrupted(r.id for r in lost if r.state == JobState.RUNNING)
        for r in lost:
            due = r.next_attempt_at
            if r.state == JobState.RETRY_SCHEDULED and due is not None and due > now:
                self.queue.schedule(r.id, due)
            else:
                self.queue.enqueue([r.id])
        log.info("ledger sync put back %d job(s)", len(lost))
        return [r.id for r in lost]

    def request_wake(self) -> None:
        """Called when the network is back (from any thread); the housekeeper wakes retries."""
        self._wake.set()

    def wake(self) -> int:
        """Every scheduled retry runs now, keeping its attempt count and task id."""
        rows = self.ledger.wake_all()
        moved = self.queue.wake()
        if rows or moved:
            log.info("network back: woke %d scheduled retr%s", moved, "y" if moved == 1 else "ies")
        return moved

    # ---- reading and people's actions -----------------------------------------------------
    def records(
        self, donation_id: str | None = None, changed_since: dt.datetime | None = None,
        finished_limit: int | None = None,
    ) -> list[JobRecord]:  # fmt: skip
        return self.view.records(donation_id, changed_since, finished_limit)

    def summary(self) -> JobSummary:
        counts = self.view.counts()
        online, since, offline_since = self.connectivity.snapshot()
        return JobSummary(
            online=online,
            online_since=since,
            offline_since=offline_since,
            pending=sum(
                n for state, n in counts.items() if not JobState(state).finished
            ),
            needs_attention=counts.get(JobState.NEEDS_ATTENTION.value, 0),
            retrying=counts.get(JobState.RETRY_SCHEDULED.value, 0),
            running=counts.get(JobState.RUNNING.value, 0),
        )

    def record(self, job_id: str) -> JobRecord:
        return self.view.record(job_id)

    def retry(self, job_id: str) -> bool:
        if not self.ledger.retry(job_id):
            return False
        self.queue.enqueue([job_id])
        return True

    def discard(self, job_id: str, reason: str) -> bool:
        return self.ledger.discard(job_id, reason)
