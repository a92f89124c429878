"""A label that takes no room while it has nothing to say: feedback and detail lines on the
lead desk stay hidden until they hold text, so a small laptop screen keeps its rows for the
lists."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


class QuietLabel(QLabel):
    def __init__(self, text: str = "", object_name: str = "") -> None:
        super().__init__("")
        self.setWordWrap(True)
        if object_name:
            self.setObjectName(object_name)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt API)
        super().setText(text)
        self.setVisible(bool(text))
