"""The one way work leaves and re-enters the GUI thread.

`TaskRunner.run(fn, on_success, on_failure)` runs `fn` on a worker thread and calls the
callback on the GUI thread through a queued signal, so no widget is ever touched from a
worker. Callbacks for a runner that was shut down (window closing) are dropped.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)

Packet = tuple[Future[Any], Callable[[Any], None], Callable[[BaseException], None] | None]


class _Bridge(QObject):
    # Only an int crosses threads: Python objects in queued signals have tripped
    # PySide refcounting bugs; the packet itself waits in a locked dict.
    deliver = Signal(int)


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None, workers: int = 3) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ui-task")
        self._bridge = _Bridge(self)  # owned by the runner: dies with it, on its thread
        self._bridge.deliver.connect(self._on_main, Qt.ConnectionType.QueuedConnection)
        self._closed = False
        self._lock = threading.Lock()
        self._packets: dict[int, Packet] = {}
        self._tokens = itertools.count()
        self.in_flight = 0

    def run(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        if self._closed:
            return
        self.in_flight += 1
        token = next(self._tokens)

        def done(future: Future[Any]) -> None:
            with self._lock:
                self._packets[token] = (future, on_success, on_failure)
            self._bridge.deliver.emit(token)

        self._pool.submit(fn).add_done_callback(done)

    def _on_main(self, token: int) -> None:
        with self._lock:
            future, on_success, on_failure = self._packets.pop(token)
        self.in_flight -= 1
        if self._closed or future.cancelled():
            return
        exc = future.exception()
        if exc is None:
            on_success(future.result())
        elif on_failure is not None:
            on_failure(exc)
        else:
            log.error("background task failed", exc_info=exc)

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
