"""Hearing the event change: LISTEN on the central store's channel, with a slow poll as the
fallback, on a thread of its own. No Qt.

The centre's trigger notifies `tableside_event` once per statement that wrote a table
(migration c0001), whichever station wrote it. A `CentralWatcher` calls `on_change(what)`
with the table's name for each notice, with "poll" every `poll_s` seconds whatever
happened (a notice can't be missed for longer than that), and with "reconnected" after a
lost connection comes back (notices sent meanwhile are gone). Callers coalesce and re-read
the views they show (`Station.event_totals()`); `on_change` runs on the watcher's thread
and must be quick (the GUI only pokes its queued signal).

Connection trouble never ends the watcher: it waits (capped backoff) and connects again
until `stop()`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .connect import CentralError, connect
from .push import Login
from .roles import CHANNEL

if TYPE_CHECKING:
    import psycopg
else:
    from .connect import psycopg  # imported at first use

log = logging.getLogger(__name__)

POLL_S = 30.0
WAIT_S = 0.5  # how often the thread looks at its stop flag while listening
BACKOFF_CAP_S = 30.0


class CentralWatcher:
    def __init__(
        self,
        login: Callable[[], Login],
        on_change: Callable[[str], None],
        *,
        poll_s: float = POLL_S,
    ) -> None:
        self.login = login
        self.on_change = on_change
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = False  # connected and listening right now

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="central-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def _tell(self, what: str) -> None:
        try:
            self.on_change(what)
        except Exception:  # a listener must not end the watcher
            log.exception("central change listener failed")

    def _run(self) -> None:
        failures = 0
        next_poll = time.monotonic() + self.poll_s
        while not self._stop.is_set():
            try:
                login = self.login()
                with connect(login.url, login.password, autocommit=True) as conn:
                    sql = psycopg.sql
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
                    self.listening = True
                    if failures:
                        self._tell("reconnected")
                    failures = 0
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=WAIT_S):
                            self._tell(notice.payload)
                        if time.monotonic() >= next_poll:
                            next_poll = time.monotonic() + self.poll_s
                            self._tell("poll")
            except (CentralError, psycopg.Error, OSError) as exc:
                failures += 1
                log.info("central watcher: %s; connecting again", exc)
            except Exception:  # no login yet (JobPermanent) or a bug: keep trying
                failures += 1
                log.exception("central watcher failed")
            finally:
                self.listening = False
            if time.monotonic() >= next_poll:
                next_poll = time.monotonic() + self.poll_s
                self._tell("poll")  # offline: the caller falls back to last known
            self._stop.wait(min(BACKOFF_CAP_S, 0.5 * 2 ** min(failures, 6)))
