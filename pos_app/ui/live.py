"""Change notices on the GUI thread: the one way a screen hears "gift Y was recorded",
"job X changed" or "the settings changed" (pos_app/changes.py).

Any thread may publish. `LiveChanges` only appends the notice to a locked buffer and pokes
one queued, argument-free signal (Python objects in queued signals have tripped PySide
refcounting bugs, see tasks.py); on the GUI thread the buffer is merged into one `Change`
and `changed` is emitted there, so a burst of writes costs one refresh.

`Refresher` is what a screen holds: it starts a read when a notice names one of its topics
(never two reads at once; a notice that arrives during a read starts one more read after
it), and keeps a slow timer as the fallback for writes made by another process.
`RefreshedScreen` gives a screen that holds one the start/stop a lead screen needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from pos_app.changes import Change, ChangeFeed, Topic

from .tasks import TaskRunner

FALLBACK_MS = 15_000  # another process's writes (the CLI beside the window) show by then


class LiveChanges(QObject):
    changed = Signal(object)  # a merged Change, emitted on the GUI thread only
    _poke = Signal()

    def __init__(self, feed: ChangeFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: Change | None = None
        self._poke.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = feed.subscribe(self._heard)
        self.destroyed.connect(self._unsubscribe)
        self.delivered = 0

    def close(self) -> None:
        self._unsubscribe()

    def _heard(self, change: Change) -> None:  # any thread
        with self._lock:
            pending = self._pending
            self._pending = change if pending is None else pending.merged(change)
        if pending is None:  # one poke per burst: the GUI drains the merged notice
            try:
                self._poke.emit()
            except RuntimeError:  # the object is gone: nobody to tell
                pass

    def _deliver(self) -> None:  # GUI thread
        with self._lock:
            change, self._pending = self._pending, None
        if change is not None:
            self.delivered += 1
            self.changed.emit(change)


class Refresher(QObject):
    """Keeps one view fresh: `prepare()` runs on the GUI thread and returns the read to run
    on a worker; its result goes to `show`, an exception to `failed`. `loads` counts
    completed reads; `pushed` counts those a change notice started."""

    def __init__(
        self,
        parent: QObject,
        tasks: TaskRunner,
        live: LiveChanges | None,
        topics: Iterable[Topic],
        prepare: Callable[[], Callable[[], Any]],
        show: Callable[[Any], None],
        failed: Callable[[BaseException], None],
        *,
        fallback_ms: int = FALLBACK_MS,
    ) -> None:
        super().__init__(parent)
        self.tasks, self.prepare, self.show, self.failed = tasks, prepare, show, failed
        self.topics = frozenset(topics)
        self.timer = QTimer(self)
        self.timer.setInterval(fallback_ms)
        self.timer.timeout.connect(self.refresh)
        self.loading = False
        self._again = False
        self._running = False
        self.loads = 0
        self.pushed = 0
        if live is not None:
            live.changed.connect(self._changed)

    def start(self) -> None:
        self._running = True
        self.refresh()
        self.timer.start()

    def stop(self) -> None:
        self._running = False
        self.timer.stop()

    @property
    def running(self) -> bool:
        return self._running

    def _changed(self, change: Change) -> None:
        if self._running and self.topics & change.topics:
            self.pushed += 1
            self.refresh()

    def refresh(self) -> None:
        if self.loading:
            self._again = True  # what changed during this read is read right after it
            return
        self.loading = True
        self._again = False
        self.tasks.run(self.prepare(), self._shown, self._failed)

    def _shown(self, result: Any) -> None:
        self.loading = False
        self.show(result)
        self.loads += 1
        self._follow_up()

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.failed(exc)
        self._follow_up()

    def _follow_up(self) -> None:
        if self._again and self._running:
            self.refresh()


class RefreshedScreen:
    """A screen's start/stop/refresh are its `refresher`'s (mixed in before QWidget)."""

    refresher: Refresher

    def start(self) -> None:
        self.refresher.start()

    def stop(self) -> None:
        self.refresher.stop()

    def refresh(self) -> None:
        self.refresher.refresh()

    @property
    def loads(self) -> int:
        """Completed refreshes, for tests and the bench."""
        return self.refresher.loads
