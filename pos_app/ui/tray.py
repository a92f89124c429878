"""A desktop notification when one of the lead's alerts starts (the tray's balloon).

`AlertNotifier` is the decision, with no Qt: given the alerts the window just read, which
ones *started* (their key wasn't showing last time). An alert that keeps showing is not
announced again; one that ends and comes back is. `AlertTray` shows those through a
`QSystemTrayIcon` where the desktop has a tray, and does nothing where it has none (the
offscreen tests, some Linux desktops): the window's own banner and the lead desk still
show every alert, and the alert emails (jobs/kinds/alert_email.py) still go out.
Created and used on the GUI thread only, from the status the window already reads.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon, QWidget

from pos_app.services.records import Alert

SHOWN_MS = 10_000  # how long the balloon stays (the desktop may cap it)


class AlertNotifier:
    """Remembers which lead alerts are showing; `started()` says which are new."""

    def __init__(self) -> None:
        self.showing: set[str] = set()

    def started(self, alerts: Iterable[Alert]) -> list[Alert]:
        lead = [a for a in alerts if a.audience == "lead" and a.key]
        new = [a for a in lead if a.key not in self.showing]
        self.showing = {a.key for a in lead}
        return new


class AlertTray(QObject):
    def __init__(self, window: QWidget, station_name: str) -> None:
        super().__init__(window)
        self.notifier = AlertNotifier()
        self.station_name = station_name
        self.icon: QSystemTrayIcon | None = None
        self.announced: list[Alert] = []  # the alerts of the latest announcement
        self.announcements = 0  # how many times alerts started (a balloon where a tray is)
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.windowIcon()
            if icon.isNull():
                icon = QApplication.style().standardIcon(
                    QStyle.StandardPixmap.SP_MessageBoxWarning
                )
            self.icon = QSystemTrayIcon(icon, self)
            self.icon.setToolTip(self.tr("Tableside — {station}").format(station=station_name))
            self.icon.show()

    def show_alerts(self, alerts: Iterable[Alert]) -> None:
        """Called with every status read; a balloon only for alerts that just started."""
        started = self.notifier.started(alerts)
        if not started:
            return
        self.announced = started
        self.announcements += 1
        if self.icon is None:
            return
        self.icon.showMessage(
            self.tr("Tableside — {station} needs a look").format(station=self.station_name),
            "\n".join(a.message for a in self.announced),
            QSystemTrayIcon.MessageIcon.Warning,
            SHOWN_MS,
        )

    def close(self) -> None:
        if self.icon is not None:
            self.icon.hide()
