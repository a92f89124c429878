"""The lead's window: behind the PIN, the pending-jobs panel and the event desk in tabs.

It locks itself after a few minutes without input (or on "Lock"), and stops polling the
station while locked or hidden.
"""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.api import Station

from .desk import EventDesk
from .jobs_panel import JobsPanel
from .lead_lock import LOCK_AFTER_MS, InactivityLock, PinGate
from .settings_tab import SettingsTab
from .tasks import TaskRunner


class LeadWindow(QWidget):
    def __init__(self, station: Station, tasks: TaskRunner, lock_after_ms: int = LOCK_AFTER_MS):
        super().__init__()
        self.setWindowTitle(f"Tableside — lead desk — {station.settings.event.name}")
        self.resize(1280, 740)
        self.station = station
        self.stack = QStackedWidget()
        self.gate = PinGate(station, tasks)
        self.gate.unlocked.connect(self.unlock)
        self.content = QWidget()
        v = QVBoxLayout(self.content)
        top = QHBoxLayout()
        self.alert = QLabel("")
        self.alert.setObjectName("leadAlert")
        self.alert.setWordWrap(True)
        self.alert.hide()
        top.addWidget(self.alert, 1)
        top.addStretch()
        self.lock_btn = QPushButton("Lock  (Ctrl+Shift+L)")
        self.lock_btn.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.lock_btn.clicked.connect(self.lock)
        top.addWidget(self.lock_btn)
        v.addLayout(top)
        self.tabs = QTabWidget()
        self.jobs = JobsPanel(station, tasks)
        self.desk = EventDesk(station, tasks)
        self.tabs.addTab(self.jobs, "Pending jobs")
        self.tabs.addTab(self.desk, "Event desk")
        self.settings_tab = SettingsTab(station, tasks)
        self.tabs.addTab(self.settings_tab, "Settings")
        v.addWidget(self.tabs, 1)
        self.stack.addWidget(self.gate)
        self.stack.addWidget(self.content)
        outer = QVBoxLayout(self)
        outer.addWidget(self.stack)
        self.inactivity = InactivityLock(self, lock_after_ms)
        self.inactivity.watch_children()
        self.inactivity.expired.connect(self.lock)
        QShortcut(QKeySequence("Ctrl+Shift+L"), self, self.lock)
        self.lock()

    @property
    def locked(self) -> bool:
        return self.stack.currentWidget() is self.gate

    def lock(self) -> None:
        self.jobs.stop()
        self.desk.stop()
        self.inactivity.timer.stop()
        self.stack.setCurrentWidget(self.gate)
        self.gate.prepare()

    def unlock(self) -> None:
        self.settings_tab.load()
        self.stack.setCurrentWidget(self.content)
        self.jobs.start()
        self.desk.start()
        self.inactivity.timer.start()

    def show_alerts(self, alerts: list) -> None:  # type: ignore[type-arg]
        lead = [a for a in alerts if a.audience == "lead"]
        self.alert.setText("  ·  ".join(f"⚠ {a.message}" for a in lead))
        self.alert.setVisible(bool(lead))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.lock()  # closing the desk locks it; the next open asks for the PIN
        event.accept()
