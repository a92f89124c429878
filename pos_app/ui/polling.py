"""Keeping a view fresh: read from the station on a worker every few seconds, never two
reads at once, and show the result on the GUI thread (through TaskRunner)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from .tasks import TaskRunner


class Poller(QObject):
    """`prepare()` runs on the GUI thread and returns the read to run on a worker; its
    result goes to `show`, an exception to `failed`. `loads` counts completed reads."""

    def __init__(
        self,
        parent: QObject,
        tasks: TaskRunner,
        interval_ms: int,
        prepare: Callable[[], Callable[[], Any]],
        show: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        super().__init__(parent)
        self.tasks, self.prepare, self.show, self.failed = tasks, prepare, show, failed
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self.loading = False
        self.loads = 0

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def refresh(self) -> None:
        if self.loading:
            return
        self.loading = True
        self.tasks.run(self.prepare(), self._shown, self._failed)

    def _shown(self, result: Any) -> None:
        self.loading = False
        self.show(result)
        self.loads += 1

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.failed(exc)
