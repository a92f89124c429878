"""The lead's window: behind the PIN, every registered lead screen (ui/screens.py) in tabs.

It locks itself after a few minutes without input (or on "Lock"), and stops every screen
reading the station while locked or hidden. Its title follows the event's name. It opens
sized to the screen it is on and can be resized down to a 1024x600 laptop's screen with
every control still on it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRect, QSize
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QScreen, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.api import Station
from pos_app.changes import Change, Topic
from resources import RESOURCES

from .core_text import shown
from .displays import screen_of
from .event_screen import EventScreen
from .lead_lock import LOCK_AFTER_MS, InactivityLock, PinGate
from .live import LiveChanges
from .screens import LiveScreen, screens
from .tasks import TaskRunner

FRAME_GUESS = QSize(16, 48)  # a window manager's borders and title bar, before it says


class LeadWindow(QWidget):
    def __init__(
        self,
        station: Station,
        tasks: TaskRunner,
        live: LiveChanges | None = None,
        lock_after_ms: int = LOCK_AFTER_MS,
    ):
        super().__init__()
        self.station, self.tasks = station, tasks
        self.live = live or LiveChanges(station.changes, self)
        self.event_screen: EventScreen | None = None
        self.ticker_on = True  # the event screen names the latest gifts (the lead's switch)
        self.live.changed.connect(self._changed)
        self.setObjectName("leadWindow")
        # the filters' arrow: a file beside the stylesheet, by its absolute path
        arrow = (RESOURCES / "icons" / "combo-arrow.png").as_posix()
        self.setStyleSheet(
            f"QComboBox::down-arrow {{ image: url({arrow}); width: 12px; height: 8px; }}"
        )
        self._retitle()
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
        v.addLayout(top)
        self.lock_btn = QPushButton(self.tr("Lock  (Ctrl+Shift+L)"))
        self.lock_btn.setObjectName("lock")
        self.lock_btn.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.lock_btn.clicked.connect(self.lock)
        # The projector's screen: a menu of the displays, opened on the one the lead picks.
        self.event_btn = QPushButton(self.tr("Event screen"))
        self.event_btn.setObjectName("eventScreenButton")
        self.event_btn.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.event_menu = QMenu(self.event_btn)
        self.event_menu.aboutToShow.connect(self._list_displays)
        self.event_btn.setMenu(self.event_menu)
        corner = QWidget()
        corner_row = QHBoxLayout(corner)
        corner_row.setContentsMargins(0, 0, 0, 0)
        corner_row.addWidget(self.event_btn)
        corner_row.addWidget(self.lock_btn)
        self.tabs = QTabWidget()
        self.tabs.setCornerWidget(corner)  # beside the tabs: no row of its own
        self.tabs.setAccessibleName(self.tr("Lead desk screens"))
        self.tabs.tabBar().setAccessibleName(self.tr("Lead desk screens"))
        self.screens: dict[str, QWidget] = {}
        for screen in screens("lead"):
            if screen.shown_for is not None and not screen.shown_for(station):
                continue
            widget = screen.factory(station, tasks, self.live)
            self.screens[screen.key] = widget
            self.tabs.addTab(widget, QCoreApplication.translate("Screens", screen.title))
        v.addWidget(self.tabs, 1)
        self.stack.addWidget(self.gate)
        self.stack.addWidget(self.content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(self.stack)
        self.fit_screen()
        self.inactivity = InactivityLock(self, lock_after_ms)
        self.inactivity.watch_children()
        self.inactivity.expired.connect(self.lock)
        QShortcut(QKeySequence("Ctrl+Shift+L"), self, self.lock)
        self.lock()

    @property
    def locked(self) -> bool:
        return self.stack.currentWidget() is self.gate

    # The built-in screens by name, for the window's own callers and tests.
    @property
    def jobs(self) -> QWidget:
        return self.screens["jobs"]

    @property
    def desk(self) -> QWidget:
        return self.screens["desk"]

    @property
    def settings_tab(self) -> QWidget:
        return self.screens["settings"]

    def _live_screens(self) -> list[LiveScreen]:
        return list(self.screens.values())  # type: ignore[arg-type]

    def _changed(self, change: Change) -> None:
        if Topic.SETTINGS in change:
            self._retitle()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        # Opened from the volunteer's window (Ctrl+L): fit the screen that window is on,
        # which on a laptop with a projector or second monitor may not be the primary one.
        if not self._placed:
            self._placed = True
            opener = QApplication.activeWindow()
            if opener is not None and opener is not self:
                self.fit_screen(screen_of(opener).availableGeometry())
        super().showEvent(event)

    def fit_screen(self, available: QRect | None = None) -> None:
        """Open at a comfortable size that fits the screen the window is on (its available
        area, without the task bar), centred there; the lead may resize it from there.
        Given an area, that is where the window stays (no refit when it is first shown)."""
        self._placed = available is not None
        area = available or screen_of(self).availableGeometry()
        # The title bar and borders count too: known once shown, guessed before.
        frame = self.frameGeometry().size() - self.geometry().size()
        if not self.isVisible() or frame.isEmpty():
            frame = FRAME_GUESS
        width = min(1440, area.width() - frame.width())
        height = min(900, area.height() - frame.height())
        self.resize(width, height)
        self.move(area.left() + (area.width() - width - frame.width()) // 2,
                  area.top() + (area.height() - height - frame.height()) // 2)  # fmt: skip

    def _retitle(self) -> None:
        self.setWindowTitle(
            self.tr("Tableside — lead desk — {event}").format(
                event=self.station.settings.event.name
            )
        )

    def lock(self) -> None:
        for screen in self._live_screens():
            screen.stop()
        self.inactivity.timer.stop()
        self.stack.setCurrentWidget(self.gate)
        self.gate.prepare()

    def unlock(self) -> None:
        self.stack.setCurrentWidget(self.content)
        for screen in self._live_screens():
            screen.start()
        self.inactivity.timer.start()

    def show_alerts(self, alerts: list) -> None:  # type: ignore[type-arg]
        lead = [a for a in alerts if a.audience == "lead"]
        self.alert.setText("  ·  ".join(f"⚠ {shown(a.message)}" for a in lead))
        self.alert.setVisible(bool(lead))

    # ---- the event screen (ui/event_screen.py) ----
    def _list_displays(self) -> None:
        self.event_menu.clear()
        for n, display in enumerate(QGuiApplication.screens(), start=1):
            size = display.geometry()
            action = self.event_menu.addAction(
                self.tr("Show on display {n}: {name} ({width}×{height})").format(
                    n=n, name=display.name(), width=size.width(), height=size.height()
                )
            )
            action.triggered.connect(lambda _=False, d=display: self.open_event_screen(d))
        self.event_menu.addSeparator()
        ticker = self.event_menu.addAction(self.tr("Name the latest gifts (ticker)"))
        ticker.setCheckable(True)
        ticker.setChecked(self.ticker_on)
        ticker.toggled.connect(self.set_ticker)
        if self.event_screen is not None:
            self.event_menu.addAction(self.tr("Close the event screen"), self.close_event_screen)

    def set_ticker(self, on: bool) -> None:
        """Whether the event screen names the latest gifts (anonymous ones as such)."""
        self.ticker_on = on
        if self.event_screen is not None:
            self.event_screen.set_ticker(on)

    def open_event_screen(self, display: QScreen | None = None) -> EventScreen:
        """Full screen on `display` (a projector); one event screen at a time."""
        if self.event_screen is None:
            self.event_screen = EventScreen(self.station, self.tasks, self.live,
                                            ticker=self.ticker_on)
        self.event_screen.show_on(display)
        return self.event_screen

    def close_event_screen(self) -> None:
        if self.event_screen is not None:
            self.event_screen.close()
            self.event_screen.deleteLater()
            self.event_screen = None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.lock()  # closing the desk locks it; the next open asks for the PIN
        event.accept()
