"""The one way work leaves and re-enters the GUI thread.

`TaskRunner.run(fn, on_success, on_failure)` runs `fn` on a worker thread and calls the
callback on the GUI thread through a queued signal, so no widget is ever touched from a
worker. Callbacks for a runner that was shut down (window closing) or destroyed are dropped.

Workers signal through one application-lifetime `_Hub`, never through an object of the
runner: a runner dies with its window, and a worker still emitting on a bridge its window
had just deleted is what crashed a CI run (a segfault in the done-callback while the GUI
thread collected the closed window). The hub also holds the task's function and callbacks
until the GUI thread takes them, so the last reference to whatever they captured is
dropped there, not on the worker.
"""

from __future__ import annotations

import itertools
import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)


@dataclass
class _Task:
    runner: weakref.ref[TaskRunner]
    fn: Callable[[], Any]
    on_success: Callable[[Any], None]
    on_failure: Callable[[BaseException], None] | None
    future: Future[Any] | None = None


class _Hub(QObject):
    # Only an int crosses threads: Python objects in queued signals have tripped
    # PySide refcounting bugs; the task itself waits in a locked dict.
    deliver = Signal(int)

    def __init__(self) -> None:
        super().__init__()  # no parent: nothing but the interpreter's exit deletes it
        self._lock = threading.Lock()
        self._tasks: dict[int, _Task] = {}
        self._tokens = itertools.count()
        self.deliver.connect(self._on_main, Qt.ConnectionType.QueuedConnection)

    def add(self, task: _Task) -> int:
        with self._lock:
            token = next(self._tokens)
            self._tasks[token] = task
        return token

    def call(self, token: int) -> Any:
        """On the worker: the function is looked up, not captured, so the hub keeps it."""
        with self._lock:
            fn = self._tasks[token].fn
        return fn()

    def finished(self, token: int, future: Future[Any]) -> None:
        """On the worker (or the GUI thread, for a task cancelled before it ran)."""
        with self._lock:
            self._tasks[token].future = future
        self.deliver.emit(token)

    def _on_main(self, token: int) -> None:
        with self._lock:
            task = self._tasks.pop(token)
        runner = task.runner()
        if runner is None or not shiboken6.isValid(runner):
            return
        runner._deliver(task)


_hub: _Hub | None = None


def _the_hub() -> _Hub:
    """Made by the first runner, on the GUI thread, so that is where it delivers."""
    global _hub
    if _hub is None:
        _hub = _Hub()
    return _hub


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None, workers: int = 3) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ui-task")
        self._hub = _the_hub()
        self._closed = False
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
        token = self._hub.add(_Task(weakref.ref(self), fn, on_success, on_failure))
        future = self._pool.submit(self._hub.call, token)
        future.add_done_callback(lambda f, hub=self._hub, t=token: hub.finished(t, f))

    def _deliver(self, task: _Task) -> None:
        self.in_flight -= 1
        future = task.future
        if self._closed or future is None or future.cancelled():
            return
        exc = future.exception()
        if exc is None:
            task.on_success(future.result())
        elif task.on_failure is not None:
            task.on_failure(exc)
        else:
            log.error("background task failed", exc_info=exc)

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
