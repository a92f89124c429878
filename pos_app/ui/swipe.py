"""Catches magstripe swipes typed by a USB reader into any field of the form.

A reader types `%B...?;...?` and Enter in a burst. The first `%` (or `;` followed by a
digit) starts a capture: keys go to a buffer instead of the field, until Enter or a short
pause. The buffer never reaches a widget's text, the undo stack or a log.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent

from pos_app.domain.track import Swipe, SwipeError, parse_swipe

IDLE_END_MS = 400  # a reader types far faster than this; a pause ends the swipe


class SwipeCatcher(QObject):
    swiped = Signal(object)  # Swipe
    failed = Signal(str)  # what the volunteer should do

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._buffer: list[str] = []
        self._capturing = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_END_MS)
        self._idle.timeout.connect(self._finish)

    def watch(self, widget: QObject) -> None:
        widget.installEventFilter(self)

    @property
    def capturing(self) -> bool:
        return self._capturing

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() != QEvent.Type.KeyPress:
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        text = key_event.text()
        if not self._capturing:
            if text in ("%", ";"):
                self._capturing = True
                self._buffer = [text]
                self._idle.start()
                return True
            return False
        if key_event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish()
            return True
        if text:
            self._buffer.append(text)
            self._idle.start()
        return True

    def _finish(self) -> None:
        if not self._capturing:
            return
        self._idle.stop()
        raw = "".join(self._buffer)
        self._buffer.clear()
        self._capturing = False
        if raw in ("%", ";"):
            return  # a lone key, not a swipe; nothing to parse
        try:
            swipe: Swipe = parse_swipe(raw)
        except SwipeError as exc:
            self.failed.emit(str(exc))
            return
        finally:
            raw = ""
        self.swiped.emit(swipe)
