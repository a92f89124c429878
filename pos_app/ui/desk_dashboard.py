"""The top of the event desk, read in two seconds: the raised figure and the goal
thermometer large, the night in figures (gifts, a rounded average, by method, refunded),
the queue's health as one sentence, and gifts over time on labelled axes.

With a central store the raised figure, the thermometer and the chart are the whole
event's (every table, from the centre: `EventLine` hands its totals over), the figures line
says "This table: …", and the event line lists every table's share and health. Without
one, or before the centre was first reached, they are this table's."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from jobs.records import JobSummary
from pos_app.central.push import EventTotals
from pos_app.domain.money import format_cents
from pos_app.services.records import Totals

from .charts import GiftsChart, Thermometer, whole_money
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
        self.event.on_totals = self.show_event
        self._night: tuple[Totals, list[tuple[dt.datetime, int]], str] | None = None
        self._event: EventTotals | None = None
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
        """This table's night (the desk's own read)."""
        self._night = (totals, points, c)
        self.health.show_summary(summary)
        self._draw()

    def show_event(self, event: EventTotals | None) -> None:
        """The whole event's totals, from the centre (live or last known); None: not yet."""
        self._event = event
        self._draw()

    def _draw(self) -> None:
        if self._night is None:
            return
        totals, points, c = self._night
        event = self._event
        goal = totals.goal_cents
        if event is None:
            raised_cents, word = totals.raised_cents, self.tr("Raised {raised} of {goal}")
            alone = self.tr("Raised {raised}")
            self.stats.setText(self.stats_text(totals, c))
        else:
            raised_cents = event.raised_cents
            word = self.tr("All tables: {raised} of {goal}")
            alone = self.tr("All tables: {raised}")
            points = event_points(event)
            self.stats.setText(self.tr("This table: {figures}").format(
                figures=self.stats_text(totals, c)))  # fmt: skip
        # the whole event in whole dollars, like the projector: it must fit half a laptop
        money = format_cents if event is None else whole_money
        raised = money(raised_cents, c)
        self.raised.setText(word.format(raised=raised, goal=money(goal, c)) if goal
                            else alone.format(raised=raised))  # fmt: skip
        self.thermometer.set_values(raised_cents, goal, c)
        self.chart.set_points(points, c)

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
        # of the money in: what donors added for the fee, and the value of goods they got
        if totals.fees_cents:
            parts.append(self.tr("fees covered {amount}").format(
                amount=format_cents(totals.fees_cents, c)))  # fmt: skip
        if totals.goods_cents:
            parts.append(self.tr("goods {amount}").format(
                amount=format_cents(totals.goods_cents, c)))  # fmt: skip
        if totals.refunded_cents:
            parts.append(self.tr("refunded {amount}").format(
                amount=format_cents(totals.refunded_cents, c)))  # fmt: skip
        if totals.in_doubt:
            parts.append(self.tr("{n} being checked").format(n=totals.in_doubt))
        return " · ".join(parts)


def event_points(event: EventTotals) -> list[tuple[dt.datetime, int]]:
    """The centre's quarter hours as the chart's points, in local time, gaps filled with 0
    so the time axis is even (like this table's own, services/totals.gifts_over_time)."""
    known = {dt.datetime.fromisoformat(t).astimezone(): c for t, c in event.by_quarter}
    if not known:
        return []
    step = dt.timedelta(minutes=15)
    at, last = min(known), max(known)
    out: list[tuple[dt.datetime, int]] = []
    while at <= last:
        out.append((at, known.get(at, 0)))
        at += step
    return out
