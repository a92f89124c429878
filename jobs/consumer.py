"""Huey's consumer, embedded in the app: thread workers, no signal handlers.

`Consumer.start()` installs SIGINT/SIGTERM/SIGHUP handlers, which raises off the main
thread and would take Ctrl-C away from the app on it; the app owns its signals, so this
subclass skips them and runs the consumer's own loop (with its worker health checks) on a
background thread. Workers poll an idle queue at most every `max_delay` seconds, so new
work is picked up in well under a second. `shutdown()` waits a bounded time for running
jobs; a job still running then is abandoned (its thread is a daemon) and, because its
ledger row still says `running`, it is run again at the next start.

The workers and the scheduler are started by `start_in_background()` itself, on the
caller's thread, before it returns; only the consumer's health loop runs on its own
thread. Huey's `run()` starts them from inside that thread, so a `shutdown()` right after
start (closing the window at once) joined threads not started yet: "cannot join thread
before it is started", raised out of the app's close. `shutdown()` also bounds every join.
"""

from __future__ import annotations

import logging
import threading
import time

from huey import SqliteHuey
from huey.consumer import Consumer, ConsumerStopped

log = logging.getLogger(__name__)

IDLE_POLL_MAX_S = 0.25


class EmbeddedConsumer(Consumer):
    def __init__(self, huey: SqliteHuey, workers: int = 4) -> None:
        super().__init__(
            huey,
            workers=workers,
            periodic=False,
            initial_delay=0.05,
            backoff=1.5,
            max_delay=IDLE_POLL_MAX_S,
            scheduler_interval=1,
            worker_type="thread",
            check_worker_health=True,
            health_check_interval=5,
        )
        self._thread: threading.Thread | None = None

    def _set_signal_handlers(self) -> None:
        """Deliberately nothing: signal handling belongs to the app's main thread."""

    def start_in_background(self) -> None:
        """Start workers and scheduler now; the health loop on a thread of its own."""
        self.start()
        self._thread = threading.Thread(target=self._loop, name="jobs-consumer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        """Huey's `run()` without its `start()` (done already) and without its re-exec."""
        health_check_ts = time.monotonic()  # as huey 3 run() does
        while True:
            try:
                health_check_ts = self.loop(health_check_ts)
            except ConsumerStopped:
                break
        self.huey.notify_interrupted_tasks()

    def shutdown(self, timeout: float) -> bool:
        """Stop taking work; wait up to `timeout` s for running jobs. True if all stopped."""
        self.stop_flag.set()  # Huey's stop(graceful=True) would join without a bound
        deadline = time.monotonic() + max(0.0, timeout)
        procs = [t for _, t in self.worker_threads] + [self.scheduler]
        for p in procs:
            if p.ident is not None:  # never started (start failed part-way): nothing to join
                p.join(max(0.0, deadline - time.monotonic()))
        if self._thread is not None:
            self._thread.join(max(0.1, deadline - time.monotonic()))
        clean = not any(p.is_alive() for p in procs)
        if not clean:
            log.warning("jobs still running after %.1fs; they run again at next start", timeout)
        return clean
