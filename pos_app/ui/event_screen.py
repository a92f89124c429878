"""The event screen for the projector: the whole event's total and thermometer, large.

A second window the lead opens from the desk and puts full-screen on a chosen display
(`show_on`). With a central store it shows every table's gifts (`Station.event_totals()`:
live, or the last totals read with "as of 21:48 (offline)"); without one, this station's.
An optional ticker names the latest gifts the way a room may see them: a first name and an
initial, "Anonymous" for an anonymous gift, never an email. It refreshes on this station's
own change notices and, for other tables' gifts, at once when the centre announces them
(`Station.follow_event()`, LISTEN/NOTIFY), with a slow poll behind both. Esc closes; the
lead turns the ticker on or off from the desk's "Event screen" menu.

While a paddle raise is open at this station, the screen shows it under the total: its
title, what has been pledged and by how many hands, and the count at each level
("$5,000 × 2 · $1,000 × 5"), live as the spotter types paddles (`Topic.GALA`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QCloseEvent,
    QKeySequence,
    QResizeEvent,
    QScreen,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from pos_app.api import CentralError, Station
from pos_app.changes import Topic
from pos_app.services.desk_reads import PageQuery
from pos_app.services.gala_records import PaddleRaiseRecord
from pos_app.services.records import DonationRecord

from .charts import Thermometer, whole_money
from .live import LiveChanges, Refresher
from .tasks import TaskRunner

POLL_MS = 15_000  # the fallback: notices (this station's, the centre's) come at once
TICKER_SIZE = 5
# type sizes (px) at 1920×1080; the screen scales them to its size (_apply_scale)
SIZES = {"raised": 120, "name": 40, "goal": 32, "ticker": 28, "raise": 56, "levels": 32,
         "as_of": 20}
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
        v = self.column = QVBoxLayout(self)
        self.name = QLabel(station.settings.event.name)
        self.name.setObjectName("eventName")
        self.raised = QLabel("…")
        self.raised.setObjectName("eventRaised")
        self.goal = QLabel("")
        self.goal.setObjectName("eventGoal")
        self.thermometer = Thermometer()
        self.gifts = QLabel("")
        self.gifts.setObjectName("eventGifts")
        self.raise_total = QLabel("")
        self.raise_total.setObjectName("eventRaise")
        self.raise_total.setWordWrap(True)
        self.raise_levels = QLabel("")
        self.raise_levels.setObjectName("eventRaiseLevels")
        self.raise_levels.setWordWrap(True)
        self.ticker = QLabel("")
        self.ticker.setObjectName("eventTicker")
        self.ticker.setWordWrap(True)
        self.as_of = QLabel("")
        self.as_of.setObjectName("eventAsOf")
        v.addStretch()  # the figures in the middle of the screen
        for w in (self.name, self.raised, self.goal, self.thermometer, self.gifts,
                  self.raise_total, self.raise_levels, self.ticker):  # fmt: skip
            if isinstance(w, QLabel):
                w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            v.addWidget(w)
        v.addStretch()
        self.as_of.setAlignment(Qt.AlignmentFlag.AlignRight)
        v.addWidget(self.as_of)
        self._scale = 0.0
        self._apply_scale(1.0)
        self.raised.setAccessibleName(self.tr("Raised so far"))
        self.raise_total.setAccessibleName(self.tr("Paddle raise"))
        self.raise_total.hide()
        self.raise_levels.hide()
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self._unfollow: Callable[[], None] | None = None
        self.refresher = Refresher(
            self, tasks, live, (Topic.GIFT, Topic.GALA, Topic.SETTINGS, Topic.NETWORK, Topic.EVENT),
            self._read, self._show, self._failed, fallback_ms=POLL_MS,
        )  # fmt: skip

    def _apply_scale(self, scale: float) -> None:
        """Type sized for the display: the sizes below are for 1920×1080, scaled to the
        window (a 1024×600 projector gets about half), so everything fits on one screen."""
        if abs(scale - self._scale) < 0.03:
            return
        self._scale = scale
        px = {name: max(12, round(size * scale)) for name, size in SIZES.items()}
        self.column.setContentsMargins(*(round(m * scale) for m in (64, 48, 64, 48)))
        self.column.setSpacing(round(18 * scale))
        self.thermometer.setMinimumHeight(round(96 * scale))
        self.setStyleSheet(
            "#eventScreen { background: #10233f; } "
            "#eventScreen QLabel { color: white; } "
            f"QLabel#eventRaised {{ font-size: {px['raised']}px; font-weight: bold; }} "
            f"QLabel#eventName {{ font-size: {px['name']}px; }} "
            f"QLabel#eventGoal, QLabel#eventGifts {{ font-size: {px['goal']}px; }} "
            f"QLabel#eventTicker {{ font-size: {px['ticker']}px; color: #cfe0ff; }} "
            f"QLabel#eventRaise {{ font-size: {px['raise']}px; font-weight: bold; "
            "color: #ffd86b; } "
            f"QLabel#eventRaiseLevels {{ font-size: {px['levels']}px; color: #ffe9a8; }} "
            f"QLabel#eventAsOf {{ font-size: {px['as_of']}px; color: #9fb4d6; }}"
        )  # fmt: skip

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        size = event.size()
        self._apply_scale(min(1.5, max(0.45, min(size.width() / 1920, size.height() / 1080))))
        super().resizeEvent(event)

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
            open_raises = [r for r in station.paddle_raises() if r.open]
            raising = max(open_raises, key=lambda r: r.opened_at) if open_raises else None
            return {"event": event, "local": station.totals(), "latest": latest,
                    "problem": problem, "raise": raising}  # fmt: skip

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
        self._show_raise(data.get("raise"), currency)
        if event is not None and event.recent:  # every table's latest, from the centre
            self._show_central_ticker(event.recent, currency)
        else:
            self._show_ticker(data["latest"], currency)

    def _show_raise(self, raising: PaddleRaiseRecord | None, currency: str) -> None:
        """The open paddle raise: what the hands have pledged, and the count per level."""
        self.raise_total.setVisible(raising is not None)
        self.raise_levels.setVisible(raising is not None and raising.count > 0)
        if raising is None:
            return
        if raising.count == 0:
            self.raise_total.setText(self.tr("{title}: hands up!").format(title=raising.title))
            return
        hands = (self.tr("1 hand") if raising.count == 1
                 else self.tr("{n} hands").format(n=raising.count))  # fmt: skip
        self.raise_total.setText(self.tr("{title}: {total} pledged by {hands}").format(
            title=raising.title, total=whole_money(raising.total_cents, currency),
            hands=hands))  # fmt: skip
        order = list(raising.levels_cents) + sorted(
            (c for c in raising.by_level if c not in raising.levels_cents), reverse=True)
        self.raise_levels.setText("  ·  ".join(
            f"{whole_money(c, currency)} × {raising.by_level[c]}".replace(" ", "\u00a0")
            for c in order if raising.by_level.get(c)))  # fmt: skip

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
