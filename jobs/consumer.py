"""Huey's consumer, embedded in the app: thread workers, no signal handlers.

`Consumer.start()` installs SIGINT/SIGTERM/SIGHUP handlers, which raises off the main
thread and would take Ctrl-C away from the app on it; the app owns its signals, so this
subclass skips them and runs the consumer's own loop (with its worker health checks) on a
background thread. Workers poll an idle queue at most every `max_delay` seconds, so new
work is picked up in well under a second. `shutdown()` waits a bounded time for running
jobs; a job still running then is abandoned (its thread is a daemon) and, because its
ledger row still says `running`, it is run again at the next start.
"""

from __future__ import annotations

import logging
import threading
import time

from huey import SqliteHuey
from huey.consumer import Consumer

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
        self._thread = threading.Thread(target=self.run, name="jobs-consumer", daemon=True)
        self._thread.start()

    def shutdown(self, timeout: float) -> bool:
        """Stop taking work; wait up to `timeout` s for running jobs. True if all stopped."""
        # Huey's stop(graceful=True) joins every worker with no timeout (2.6), so a job
        # stuck in a network call would hold the app's exit: set the flag, join to a deadline.
        self.stop(graceful=False)
        deadline = time.monotonic() + max(0.0, timeout)
        procs = [t for _, t in self.worker_threads] + [self.scheduler]
        for proc in procs:
            if proc.is_alive() or proc.ident is not None:
                proc.join(max(0.0, deadline - time.monotonic()))
        if self._thread is not None:
            self._thread.join(1.0)
        clean = not any(p.is_alive() for p in procs)
        if not clean:
            log.warning("jobs still running after %.1fs; they run again at next start", timeout)
        return clean
