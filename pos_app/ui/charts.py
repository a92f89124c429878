"""Two small QPainter drawings for the event desk: the goal thermometer and gifts over time.

Drawn by hand to keep the install lean (no charting module) and readable at a glance.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from pos_app.domain.money import format_cents

GREEN = QColor("#1f7a3a")
TRACK = QColor("#e3e6eb")
INK = QColor("#1d2330")
MUTED = QColor("#5b6475")


class Thermometer(QWidget):
    """A horizontal goal bar: raised vs goal, with the percentage written on it."""

    def __init__(self) -> None:
        super().__init__()
        self.raised_cents = 0
        self.goal_cents = 0
        self.currency = "usd"
        self.setMinimumHeight(56)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, raised_cents: int, goal_cents: int, currency: str) -> None:
        self.raised_cents, self.goal_cents, self.currency = raised_cents, goal_cents, currency
        self.update()

    @property
    def fraction(self) -> float:
        return min(1.0, self.raised_cents / self.goal_cents) if self.goal_cents > 0 else 0.0

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(2, 8, -2, -8)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(TRACK)
        p.drawRoundedRect(r, r.height() / 2, r.height() / 2)
        if self.fraction > 0:
            filled = QRectF(
                r.left(), r.top(), max(r.height(), r.width() * self.fraction), r.height()
            )
            p.setBrush(GREEN)
            p.drawRoundedRect(filled, r.height() / 2, r.height() / 2)
        p.setPen(INK if self.fraction < 0.5 else QColor("white"))
        font = QFont(self.font())
        font.setPointSize(13)
        font.setBold(True)
        p.setFont(font)
        if self.goal_cents > 0:
            text = f"{self.fraction * 100:.0f}% of {format_cents(self.goal_cents, self.currency)}"
        else:
            text = "No goal set"
        p.drawText(r.adjusted(16, 0, -16, 0), Qt.AlignmentFlag.AlignVCenter, text)
        p.end()


class GiftsChart(QWidget):
    """Bars of money raised per time bucket, with the total of the best bucket labelled."""

    def __init__(self) -> None:
        super().__init__()
        self.points: list[tuple[dt.datetime, int]] = []
        self.currency = "usd"
        self.setMinimumHeight(140)

    def set_points(self, points: list[tuple[dt.datetime, int]], currency: str) -> None:
        self.points, self.currency = points, currency
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(8, 24, -8, -22)
        p.setPen(QPen(MUTED))
        if not self.points:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No gifts yet tonight")
            p.end()
            return
        top = max(c for _t, c in self.points) or 1
        n = len(self.points)
        slot = area.width() / n
        bar = min(48.0, max(2.0, slot * 0.7))
        p.drawText(
            QRectF(area.left(), 0, area.width(), 20),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            f"Gifts over time · best {format_cents(top, self.currency)}",
        )
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(GREEN)
        for i, (_when, cents) in enumerate(self.points):
            h = area.height() * cents / top
            p.drawRect(QRectF(area.left() + i * slot + (slot - bar) / 2, area.bottom() - h, bar, h))
        p.setPen(QPen(MUTED))
        first, last = self.points[0][0], self.points[-1][0]
        label_rect = QRectF(area.left(), area.bottom() + 2, area.width(), 20)
        p.drawText(label_rect, Qt.AlignmentFlag.AlignLeft, first.astimezone().strftime("%H:%M"))
        if last != first:
            p.drawText(label_rect, Qt.AlignmentFlag.AlignRight, last.astimezone().strftime("%H:%M"))
        p.end()
