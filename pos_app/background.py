"""The one home of the station's background work, with one start and one stop.

Two sorts of work live here: *services* that run their own threads (the job system: Huey's
consumer and its housekeeper) and *loops*, a function called every few seconds on a thread
of its own (settling charges and refunds in doubt). A loop's thread is its own so that a
slow processor answer in one never delays another (a wake-up of retries when the network
comes back must not wait behind a settle call).

`start()` and `stop()` are safe from any thread, in any order, any number of times; after
`close()` a start raises. A loop that raises is logged and called again next interval.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


class Service(Protocol):
    def start(self) -> None: ...
    def stop(self, timeout: float = 5.0) -> object: ...


@dataclass
class Loop:
    name: str
    interval: Callable[[], float]  # read before each wait, so a test or setting can change it
    step: Callable[[int], None]  # called with the pass number (0: the first after a start)


class Background:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._services: list[Service] = []
        self._loops: list[Loop] = []
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._running = False
        self._closed = False

    # ---- what runs ------------------------------------------------------------------------
    def add_service(self, service: Service) -> None:
        self._services.append(service)

    def every(self, name: str, interval: Callable[[], float], step: Callable[[int], None]) -> None:
        self._loops.append(Loop(name, interval, step))

    # ---- one start, one stop --------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("this station is closed")
            if self._running:
                return
            for service in self._services:
                service.start()
            self._stop = threading.Event()
            self._threads = [
                threading.Thread(
                    target=self._run, args=(loop, self._stop), name=loop.name, daemon=True
                )
                for loop in self._loops
            ]
            for thread in self._threads:
                thread.start()
            self._running = True

    def stop(self, timeout: float = 10.0) -> None:
        """Loops end after their current step (joined up to `timeout`); services stop in
        reverse order within about 5 s each. Work still running is taken up at next start."""
        with self._lock:
            self._stop.set()
            threads, self._threads = self._threads, []
            for thread in threads:
                thread.join(timeout)
            for service in reversed(self._services):
                service.stop(timeout=min(timeout, 5.0))
            self._running = False

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._closed = True

    @staticmethod
    def _run(loop: Loop, stop: threading.Event) -> None:
        n = 0
        while not stop.is_set():
            try:
                loop.step(n)
            except Exception:  # keep the loop alive; the next pass tries again
                log.exception("background loop %s failed", loop.name)
            n += 1
            stop.wait(loop.interval())
