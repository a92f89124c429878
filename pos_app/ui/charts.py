"""Two QPainter drawings for the event desk: the goal thermometer and gifts over time.

Drawn by hand to keep the install lean (no charting module, QtCharts alone is ~157 MB) and
readable at a glance: the thermometer writes its percentage where it reads (inside the
fill when the fill is wide enough, beside it otherwise), the chart has a dollars axis with
round ticks and a time axis with clock labels.
"""

from __future__ import annotations

import datetime as dt
import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from pos_app.domain.money import format_cents

GREEN = QColor("#1f7a3a")
TRACK = QColor("#e3e6eb")
INK = QColor("#1d2330")
MUTED = QColor("#5b6475")
GRID = QColor("#e3e6eb")


def whole_money(cents: int, currency: str) -> str:
    """'$1,500' for an axis label: whole amounts without their '.00'."""
    text = format_cents(cents, currency)
    return text.replace(".00", "", 1) if cents % 100 == 0 else text


def nice_step(top_cents: int, ticks: int = 4) -> int:
    """A round step (1, 2, 2.5 or 5 times a power of ten dollars) giving about `ticks`
    gridlines up to `top_cents`; at least one dollar."""
    raw = max(top_cents, 100) / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = int(10 * power)
    for m in (1, 2, 2.5, 5):
        if m * power >= raw:
            step = int(m * power)
            break
    return max(100, (step + 99) // 100 * 100)


class Thermometer(QWidget):
    """A horizontal goal bar: raised vs goal, with the percentage written where it reads."""

    def __init__(self) -> None:
        super().__init__()
        self.raised_cents = 0
        self.goal_cents = 0
        self.currency = "usd"
        self.setMinimumHeight(52)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(self.tr("Progress to the goal"))

    def set_values(self, raised_cents: int, goal_cents: int, currency: str) -> None:
        self.raised_cents, self.goal_cents, self.currency = raised_cents, goal_cents, currency
        self.setAccessibleDescription(self.label())
        self.update()

    @property
    def fraction(self) -> float:
        return min(1.0, self.raised_cents / self.goal_cents) if self.goal_cents > 0 else 0.0

    def label(self) -> str:
        if self.goal_cents <= 0:
            return self.tr("No goal set")
        percent = math.floor(self.raised_cents * 100 / self.goal_cents)
        return self.tr("{percent}% of {goal}").format(
            percent=percent, goal=whole_money(self.goal_cents, self.currency)
        )

    def text_inside(self, text_width: float, bar_width: float) -> bool:
        """The label goes inside the green when the green is wider than the label."""
        return bar_width * self.fraction >= text_width + 32

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(2, 6, -2, -6)
        radius = r.height() / 2
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(TRACK)
        p.drawRoundedRect(r, radius, radius)
        filled_w = max(r.height(), r.width() * self.fraction) if self.fraction > 0 else 0.0
        if filled_w:
            p.setBrush(GREEN)
            p.drawRoundedRect(QRectF(r.left(), r.top(), filled_w, r.height()), radius, radius)
        font = QFont(self.font())
        font.setPointSize(14)
        font.setBold(True)
        p.setFont(font)
        text = self.label()
        width = QFontMetricsF(font).horizontalAdvance(text)
        middle = Qt.AlignmentFlag.AlignVCenter
        if filled_w and self.text_inside(width, r.width()):
            p.setPen(QColor("white"))
            p.drawText(QRectF(r.left() + 16, r.top(), filled_w - 32, r.height()), middle, text)
        else:  # on the grey track, right of the green
            p.setPen(INK)
            left = r.left() + filled_w + 12
            p.drawText(QRectF(left, r.top(), r.right() - left - 8, r.height()), middle, text)
        p.end()


class GiftsChart(QWidget):
    """Money raised per time bucket as bars, over a dollars axis (y) and a time axis (x)."""

    def __init__(self) -> None:
        super().__init__()
        self.points: list[tuple[dt.datetime, int]] = []
        self.currency = "usd"
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("Gifts over time"))

    def set_points(self, points: list[tuple[dt.datetime, int]], currency: str) -> None:
        self.points, self.currency = points, currency
        if points:
            best = max(c for _t, c in points)
            self.setAccessibleDescription(
                self.tr("{count} periods, best {best}").format(
                    count=len(points), best=format_cents(best, currency)
                )
            )
        self.update()

    def ticks(self) -> list[int]:
        """The dollar gridlines, in cents, from 0 to at least the best bucket."""
        top = max((c for _t, c in self.points), default=0)
        step = nice_step(top)
        return list(range(0, max(top, 1) + step, step))[: 12]

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(self.font())
        small.setPointSize(11)
        p.setFont(small)
        fm = QFontMetricsF(small)
        p.setPen(QPen(MUTED))
        title = QRectF(0, 0, self.width(), fm.height() + 4)
        p.drawText(title, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   self.tr("Dollars raised per 15 minutes"))  # fmt: skip
        if not self.points:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No gifts yet tonight"))
            p.end()
            return
        ticks = self.ticks()
        labels = [whole_money(t, self.currency) for t in ticks]
        left = max(fm.horizontalAdvance(s) for s in labels) + 10
        area = QRectF(left, title.bottom() + 6, self.width() - left - 8,
                      self.height() - title.bottom() - 6 - fm.height() * 2 - 8)  # fmt: skip
        if area.height() < 20 or area.width() < 40:
            p.end()
            return
        top = ticks[-1] or 1

        def y_of(cents: int) -> float:
            return area.bottom() - area.height() * cents / top

        for cents, text in zip(ticks, labels, strict=True):  # y axis: gridlines, labels
            y = y_of(cents)
            p.setPen(QPen(GRID if cents else MUTED, 1))
            p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            p.setPen(QPen(MUTED))
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            p.drawText(QRectF(0, y - fm.height() / 2, left - 6, fm.height()), right, text)
        p.setPen(QPen(MUTED, 1))
        p.drawLine(QPointF(area.left(), area.top()), QPointF(area.left(), area.bottom()))

        n = len(self.points)
        slot = area.width() / n
        bar = min(48.0, max(2.0, slot * 0.7))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(GREEN)
        for i, (_when, cents) in enumerate(self.points):
            h = area.height() * cents / top
            p.drawRect(QRectF(area.left() + i * slot + (slot - bar) / 2, area.bottom() - h, bar, h))

        # x axis: a clock label under as many buckets as fit without touching
        p.setPen(QPen(MUTED))
        label_w = fm.horizontalAdvance("00:00") + 12
        every = max(1, math.ceil(label_w / slot))
        for i in range(0, n, every):
            x = area.left() + i * slot + slot / 2
            text = self.points[i][0].astimezone().strftime("%H:%M")
            p.drawText(QRectF(x - label_w / 2, area.bottom() + 2, label_w, fm.height()),
                       Qt.AlignmentFlag.AlignCenter, text)  # fmt: skip
        p.drawText(QRectF(area.left(), area.bottom() + fm.height() + 4, area.width(), fm.height()),
                   Qt.AlignmentFlag.AlignCenter, self.tr("Time"))  # fmt: skip
        p.end()
