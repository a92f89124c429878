"""The event screen for the projector: the whole event's total and thermometer, large.

A second window the lead opens from the desk and puts full-screen on a chosen display
(`show_on`). With a central store it shows every table's gifts (`Station.event_totals()`:
live, or the last totals read with "as of 21:48 (offline)"); without one, this station's.
An optional ticker names the latest gifts the way a room may see them: a first name and an
initial, "Anonymous" for an anonymous gift, never an email. It refreshes on this station's
own change notices and, for other tables' gifts, at once when the centre announces them
(`Station.follow_event()`, LISTEN/NOTIFY), with a slow poll behind both. Esc closes; the
lead turns the ticker on or off from the desk's "Event screen" menu.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QScreen, QShortcut, QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from pos_app.api import CentralError, Station
from pos_app.changes import Topic
from pos_app.services.desk_reads import PageQuery
from pos_app.services.records import DonationRecord

from .charts import Thermometer, whole_money
from .live import LiveChanges, Refresher
from .tasks import TaskRunner

POLL_MS = 15_000  # the fallback: notices (this station's, the centre's) come at once
TICKER_SIZE = 5
SHOWN = ("approved", "recorded")


def public_name(record: DonationRecord, anonymous_word: str) -> str:
    """How a donor may be named in the room: "Ada L.", or the anonymous word."""
    if record.anonymous or not record.donor_name.strip():
        return anonymous_word
    parts = record.donor_name.split()
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


class EventScreen(QWidget):
    def __init__(
        self,
        station: Station,
        tasks: TaskRunner,
        live: LiveChanges | None = None,
        *,
        ticker: bool = True,
    ) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("eventScreen")
        self.station, self.tasks, self.ticker_on = station, tasks, ticker
        self.setWindowTitle(self.tr("Tableside — event screen"))
        self.setStyleSheet(
            "#eventScreen { background: #10233f; } "
            "#eventScreen QLabel { color: white; } "
            "QLabel#eventRaised { font-size: 120px; font-weight: bold; } "
            "QLabel#eventName { font-size: 40px; } "
            "QLabel#eventGoal, QLabel#eventGifts { font-size: 32px; } "
            "QLabel#eventTicker { font-size: 28px; color: #cfe0ff; } "
            "QLabel#eventAsOf { font-size: 20px; color: #9fb4d6; }"
        )
        v = QVBoxLayout(self)
        v.setContentsMargins(64, 48, 64, 48)
        v.setSpacing(18)
        self.name = QLabel(station.settings.event.name)
        self.name.setObjectName("eventName")
        self.raised = QLabel("…")
        self.raised.setObjectName("eventRaised")
        self.goal = QLabel("")
        self.goal.setObjectName("eventGoal")
        self.thermometer = Thermometer()
        self.thermometer.setMinimumHeight(96)
        self.gifts = QLabel("")
        self.gifts.setObjectName("eventGifts")
        self.ticker = QLabel("")
        self.ticker.setObjectName("eventTicker")
        self.ticker.setWordWrap(True)
        self.as_of = QLabel("")
        self.as_of.setObjectName("eventAsOf")
        for w in (self.name, self.raised, self.goal, self.thermometer, self.gifts, self.ticker):
            if isinstance(w, QLabel):
                w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            v.addWidget(w)
        v.addStretch()
        self.as_of.setAlignment(Qt.AlignmentFlag.AlignRight)
        v.addWidget(self.as_of)
        self.raised.setAccessibleName(self.tr("Raised so far"))
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self._unfollow: Callable[[], None] | None = None
        self.refresher = Refresher(
            self, tasks, live, (Topic.GIFT, Topic.SETTINGS, Topic.NETWORK, Topic.EVENT),
            self._read, self._show, self._failed, fallback_ms=POLL_MS,
        )  # fmt: skip

    def set_ticker(self, on: bool) -> None:
        """The lead's switch: name the latest gifts, or show the total alone."""
        self.ticker_on = on
        self.ticker.setVisible(on and bool(self.ticker.text()))
        if self.refresher.running:
            self.refresher.refresh()

    # ---- on the display the lead chose ----
    def show_on(self, screen: QScreen | None) -> None:
        """Full screen on `screen` (the lead's choice), or where the window is."""
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        self.showFullScreen()

    # ---- reading (off the GUI thread) and showing ----
    def _read(self) -> Any:
        station, ticker = self.station, self.ticker_on

        def work() -> dict[str, Any]:
            try:
                event = station.event_totals()
                problem = ""
            except CentralError as exc:
                event, problem = None, str(exc)
            latest = (
                station.donations_page(PageQuery(limit=TICKER_SIZE * 3)) if ticker else []
            )
            return {"event": event, "local": station.totals(), "latest": latest,
                    "problem": problem}  # fmt: skip

        return work

    def _show(self, data: dict[str, Any]) -> None:
        settings = self.station.settings
        currency = settings.payments.currency
        local, event = data["local"], data["event"]
        goal_cents = local.goal_cents
        if event is not None:
            raised, gifts = event.raised_cents, event.gifts
            when = event.as_of.astimezone().strftime("%H:%M")
            self.as_of.setText(
                self.tr("Every table, live") if event.live
                else self.tr("Event totals as of {time} (offline)").format(time=when)
            )  # fmt: skip
        else:
            raised, gifts = local.raised_cents, local.gifts
            self.as_of.setText(self.tr("This table's gifts"))
        self.name.setText(settings.event.name)
        self.raised.setText(whole_money(raised, currency))  # read across a ballroom
        self.goal.setText(
            self.tr("raised toward {goal}").format(goal=whole_money(goal_cents, currency))
            if goal_cents
            else self.tr("raised tonight")
        )
        self.thermometer.set_values(raised, goal_cents, currency)
        self.thermometer.setVisible(goal_cents > 0)
        self.gifts.setText(
            self.tr("1 gift") if gifts == 1 else self.tr("{n} gifts").format(n=gifts)
        )
        if event is not None and event.recent:  # every table's latest, from the centre
            self._show_central_ticker(event.recent, currency)
        else:
            self._show_ticker(data["latest"], currency)

    def _show_ticker(self, latest: list[DonationRecord], currency: str) -> None:
        anonymous = self.tr("Anonymous")
        shown = [r for r in latest if r.status in SHOWN and not r.refund_status][:TICKER_SIZE]
        words = [  # each donor's words kept on one line
            f"{public_name(r, anonymous)} {whole_money(r.amount_cents, currency)}".replace(
                " ", "\u00a0"
            )
            for r in shown
        ]
        self.ticker.setText(
            self.tr("Thank you: {names}").format(names="  ·  ".join(words)) if words else ""
        )
        self.ticker.setVisible(self.ticker_on and bool(words))

    def _show_central_ticker(self, recent: list[Any], currency: str) -> None:
        """The centre's recent gifts carry a first name at most (none when anonymous)."""
        anonymous = self.tr("Anonymous")
        words = [
            f"{g.display_name or anonymous} {whole_money(g.amount_cents, currency)}".replace(
                " ", "\u00a0"
            )
            for g in recent[:TICKER_SIZE]
        ]
        self.ticker.setText(self.tr("Thank you: {names}").format(names="  ·  ".join(words)))
        self.ticker.setVisible(self.ticker_on and bool(words))

    def _failed(self, exc: BaseException) -> None:
        stamp = dt.datetime.now().strftime("%H:%M")
        self.as_of.setText(self.tr("Couldn't refresh at {time}").format(time=stamp))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        if self._unfollow is None:
            self._unfollow = self.station.follow_event()
            self.refresher.start()
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.refresher.stop()
        unfollow, self._unfollow = self._unfollow, None
        if unfollow is not None:
            unfollow()
        event.accept()
