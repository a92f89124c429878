"""The whole event on the lead's desk, when stations share through a central store: the
event-wide total and each table's share, and whether that is live or as of the last time
the centre answered ("as of 21:48 (offline)"). Hidden without a central store.

It reads `Station.event_totals()` off the GUI thread on this station's own change notices
and when the centre announces another table's change (`Station.follow_event()`:
LISTEN/NOTIFY, heard as `Topic.EVENT`), with a slow poll behind both."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from pos_app.api import CentralError, Station
from pos_app.changes import Topic

from .charts import whole_money
from .core_text import shown
from .live import LiveChanges, Refresher
from .tasks import TaskRunner

POLL_MS = 30_000  # the fallback only: the centre's notices come at once
SILENT = dt.timedelta(minutes=3)  # stations say they're alive every minute


class EventLine(QLabel):
    def __init__(self) -> None:
        super().__init__("")
        self.setObjectName("eventLine")
        self.setWordWrap(True)
        self.hide()
        self.refresher: Refresher | None = None
        self.station: Station | None = None
        self._unfollow: Callable[[], None] | None = None
        self.on_totals: Callable[[Any], None] | None = None  # the dashboard draws them too

    def follow(self, station: Station, tasks: TaskRunner, live: LiveChanges | None,
               parent: QObject) -> None:  # fmt: skip
        """Start following the event (only with a central store)."""
        if not station.settings.central.url:
            return
        self.station = station
        self.refresher = Refresher(
            parent, tasks, live, (Topic.GIFT, Topic.NETWORK, Topic.EVENT), self._read, self._show,
            self._failed, fallback_ms=POLL_MS,
        )  # fmt: skip

    def start(self) -> None:
        if self.refresher is not None and self.station is not None:
            if self._unfollow is None:
                self._unfollow = self.station.follow_event()
            self.refresher.start()

    def stop(self) -> None:
        if self.refresher is not None:
            self.refresher.stop()
        unfollow, self._unfollow = self._unfollow, None
        if unfollow is not None:
            unfollow()

    def _read(self) -> Any:
        station = self.station
        assert station is not None
        return station.event_totals

    def _show(self, totals: Any) -> None:
        if self.on_totals is not None:
            self.on_totals(totals)
        if totals is None:  # not reached yet
            self.setText(self.tr("Whole event: waiting for the central store…"))
            self.show()
            return
        c = self.station.settings.payments.currency if self.station else "usd"
        by_table: dict[str, int] = defaultdict(int)
        for t in totals.by_station:
            by_table[t.station_name] += t.raised_cents
        lines = [self._table(h, by_table.get(h.name, 0), c) for h in totals.stations]
        named = {h.name for h in totals.stations}
        lines += [f"{name} {whole_money(cents, c)}" for name, cents in sorted(by_table.items())
                  if name not in named]  # fmt: skip
        tables = "\n".join(lines)
        when = totals.as_of.astimezone().strftime("%H:%M")
        state = self.tr("live") if totals.live else self.tr("as of {time} (offline)").format(
            time=when
        )
        gifts = self.tr("1 gift") if totals.gifts == 1 else self.tr("{n} gifts").format(
            n=totals.gifts
        )
        words = {"card": self.tr("card"), "cash": self.tr("cash"), "check": self.tr("check")}
        methods = "".join(f" · {words.get(m, m)} {whole_money(cents, c)}"
                          for m, cents in sorted(totals.by_method().items()))  # fmt: skip
        self.setText(  # the raised figure is the dashboard's headline (on_totals)
            self.tr("Every table: {gifts} — {state}").format(gifts=gifts + methods, state=state)
            + (f"\n{tables}" if tables else "")
        )
        self.show()

    def _table(self, h: Any, raised_cents: int, c: str) -> str:
        """One table's share and health: "Table 4 · $1,200 · last heard 21:48 · 3 not yet
        shared"; a table silent for a few minutes says so first."""
        parts = [h.name, whole_money(raised_cents, c)]
        if h.last_heard is None:
            parts.append(self.tr("not heard from yet"))
        else:
            heard = dt.datetime.fromisoformat(h.last_heard)
            silent = dt.datetime.now(dt.UTC) - heard > SILENT
            word = self.tr("○ silent since {time}") if silent else self.tr("last heard {time}")
            parts.append(word.format(time=heard.astimezone().strftime("%H:%M")))
        if h.unshared:
            parts.append(self.tr("{n} not yet shared").format(n=h.unshared))
        if h.needs_attention:
            n = h.needs_attention
            parts.append(self.tr("▲ 1 needs attention") if n == 1
                         else self.tr("▲ {n} need attention").format(n=n))  # fmt: skip
        return "  ·  ".join(parts)

    def _failed(self, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, CentralError) else type(exc).__name__
        self.setText(self.tr("Whole event: {problem}").format(problem=shown(message)))
        self.show()
