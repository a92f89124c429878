"""Garbage collection on the GUI thread only (house style, point 14).

CPython runs its cyclic collector on whichever thread happens to allocate past the
generation-0 threshold. In Tableside that is often a job thread or a `TaskRunner` worker,
and a collection there runs the C++ destructors of any Qt objects caught in garbage cycles
on that thread: a crash that shows up only sometimes (one CI run died in `TaskRunner`'s
done-callback). So the app turns automatic collection off and collects from a QTimer on the
GUI thread instead, checking `gc.get_count()` against `gc.get_threshold()` the way the
interpreter would (the pattern of spyder's and gitfourchette's garbage-collector helpers).

`install(app)` once at start-up; it is idempotent and returns the collector. Tests call
`collect_now()` after each test. What this does not change: an object whose last plain
reference is dropped on a worker thread still dies there; only cycles wait for the GUI.
"""

from __future__ import annotations

import gc
import logging
import threading

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

log = logging.getLogger(__name__)

# How often the GUI thread looks at the allocation counts. A check costs nothing; cycles
# made between two checks simply wait up to this long.
CHECK_INTERVAL_MS = 500


class GuiGarbageCollector(QObject):
    """Collects the generations that are due, on the thread that owns it (the GUI's)."""

    def __init__(self, parent: QObject, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._gui_thread = threading.get_ident()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Stop the timer after one last full collection here.

        Automatic collection stays off on purpose: turning it back on while jobs or tasks
        are still winding down would let their threads collect Qt objects again, which is
        the crash this module exists to prevent. Whoever needs it back calls gc.enable()."""
        self._timer.stop()
        self.collect_now()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def check(self) -> None:
        """Collect the oldest generation that is past its threshold (younger ones with it).

        Unlike the interpreter, no extra rule holds back full collections: at one
        collection per tick they stay rare, and the app's heap is small."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        due = -1
        for generation, (count, threshold) in enumerate(zip(counts, thresholds, strict=True)):
            if threshold and count > threshold:
                due = generation
        if due >= 0:
            gc.collect(due)

    def collect_now(self) -> int:
        """A full collection, now; returns how many unreachable objects were found.

        Only on the GUI thread: anywhere else it would be the very thing we avoid."""
        if threading.get_ident() != self._gui_thread:
            raise RuntimeError("collect_now() must run on the GUI thread")
        return gc.collect()


_collector: GuiGarbageCollector | None = None


def install(app: QCoreApplication) -> GuiGarbageCollector:
    """Turn automatic collection off and collect on `app`'s thread from now on.

    Call it on the GUI thread. A second call for the same application returns the same,
    running collector."""
    global _collector
    if (
        _collector is not None
        and shiboken6.isValid(_collector)
        and _collector.parent() is app
    ):
        if not _collector.running:
            _collector.start()
        return _collector
    _collector = GuiGarbageCollector(app)
    _collector.start()
    log.debug("automatic garbage collection off; collecting on the GUI thread")
    return _collector


def installed() -> GuiGarbageCollector | None:
    """The running collector, if `install()` was called for the live application."""
    if _collector is not None and shiboken6.isValid(_collector):
        return _collector
    return None
