"""The top of the event desk, read in two seconds: the raised figure and the goal
thermometer large, the night in figures (gifts, a rounded average, by method, refunded),
the queue's health as one sentence, and gifts over time on labelled axes."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from jobs.records import JobSummary
from pos_app.domain.money import format_cents
from pos_app.services.records import Totals

from .charts import GiftsChart, Thermometer
from .event_line import EventLine
from .queue_health import HealthLabel
from .quiet_label import QuietLabel


class DeskDashboard(QWidget):
    """Left: raised, thermometer, figures, the queue. Right: the chart."""

    def __init__(self) -> None:
        super().__init__()
        head = QHBoxLayout(self)
        head.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        self.raised = QLabel(self.tr("Raised …"))
        self.raised.setObjectName("raised")
        self.thermometer = Thermometer()
        self.stats = QuietLabel("", "deskStats")
        self.health = HealthLabel()
        self.event = EventLine()  # the whole event, with a central store
        for w in (self.raised, self.thermometer, self.stats, self.event, self.health):
            left.addWidget(w)
        left.addStretch()
        self.chart = GiftsChart()
        head.addLayout(left, 1)
        head.addWidget(self.chart, 1)

    def fit_height(self, desk_height: int) -> None:
        """A tall screen gives the chart more height; a 600-pixel one keeps the list's rows."""
        self.chart.setMinimumHeight(max(150, desk_height // 4))

    def show_night(
        self, totals: Totals, points: list[tuple[dt.datetime, int]], summary: JobSummary, c: str
    ) -> None:
        raised = format_cents(totals.raised_cents, c)
        if totals.goal_cents:
            self.raised.setText(self.tr("Raised {raised} of {goal}").format(
                raised=raised, goal=format_cents(totals.goal_cents, c)))  # fmt: skip
        else:
            self.raised.setText(self.tr("Raised {raised}").format(raised=raised))
        self.stats.setText(self.stats_text(totals, c))
        self.thermometer.set_values(totals.raised_cents, totals.goal_cents, c)
        self.chart.set_points(points, c)
        self.health.show_summary(summary)

    def stats_text(self, totals: Totals, c: str) -> str:
        gifts = (
            self.tr("1 gift") if totals.gifts == 1
            else self.tr("{n} gifts").format(n=totals.gifts)
        )  # fmt: skip
        parts = [gifts, self.tr("average {amount}").format(
            amount=format_cents(totals.average_cents, c))]  # fmt: skip
        words = {"card": self.tr("card"), "cash": self.tr("cash"), "check": self.tr("check")}
        for m, cents in sorted(totals.by_method.items()):
            parts.append(f"{words.get(m, m)} {format_cents(cents, c)}")
        if totals.refunded_cents:
            parts.append(self.tr("refunded {amount}").format(
                amount=format_cents(totals.refunded_cents, c)))  # fmt: skip
        if totals.in_doubt:
            parts.append(self.tr("{n} being checked").format(n=totals.in_doubt))
        return " · ".join(parts)
