"""The whole event on the lead's desk, when stations share through a central store: the
event-wide total and each table's share, and whether that is live or as of the last time
the centre answered ("as of 21:48 (offline)"). Hidden without a central store.

It reads `Station.event_totals()` off the GUI thread on this station's own change notices
and on a short poll (other tables' gifts reach the centre, not this laptop's feed)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from pos_app.api import CentralError, Station
from pos_app.changes import Topic

from .charts import whole_money
from .core_text import shown
from .live import LiveChanges, Refresher
from .tasks import TaskRunner

POLL_MS = 5_000


class EventLine(QLabel):
    def __init__(self) -> None:
        super().__init__("")
        self.setObjectName("eventLine")
        self.setWordWrap(True)
        self.hide()
        self.refresher: Refresher | None = None
        self.station: Station | None = None

    def follow(self, station: Station, tasks: TaskRunner, live: LiveChanges | None,
               parent: QObject) -> None:  # fmt: skip
        """Start following the event (only with a central store)."""
        if not station.settings.central.url:
            return
        self.station = station
        self.refresher = Refresher(
            parent, tasks, live, (Topic.GIFT, Topic.NETWORK), self._read, self._show,
            self._failed, fallback_ms=POLL_MS,
        )  # fmt: skip

    def start(self) -> None:
        if self.refresher is not None:
            self.refresher.start()

    def stop(self) -> None:
        if self.refresher is not None:
            self.refresher.stop()

    def _read(self) -> Any:
        station = self.station
        assert station is not None
        return station.event_totals

    def _show(self, totals: Any) -> None:
        if totals is None:  # not reached yet
            self.setText(self.tr("Whole event: waiting for the central store…"))
            self.show()
            return
        c = self.station.settings.payments.currency if self.station else "usd"
        by_table: dict[str, int] = defaultdict(int)
        for t in totals.by_station:
            by_table[t.station_name] += t.raised_cents
        tables = "  ·  ".join(f"{name} {whole_money(cents, c)}" for name, cents in
                              sorted(by_table.items()))  # fmt: skip
        when = totals.as_of.astimezone().strftime("%H:%M")
        state = self.tr("live") if totals.live else self.tr("as of {time} (offline)").format(
            time=when
        )
        gifts = self.tr("1 gift") if totals.gifts == 1 else self.tr("{n} gifts").format(
            n=totals.gifts
        )
        self.setText(
            self.tr("Whole event: {raised} raised, {gifts} — {state}").format(
                raised=whole_money(totals.raised_cents, c), gifts=gifts, state=state
            )
            + (f"\n{tables}" if tables else "")
        )
        self.show()

    def _failed(self, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, CentralError) else type(exc).__name__
        self.setText(self.tr("Whole event: {problem}").format(problem=shown(message)))
        self.show()
