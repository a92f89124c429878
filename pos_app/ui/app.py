"""Start-up in order: the application with garbage collection moved to its thread
(ui/gc_collector.py), the settings, a first form with the amount field (FirstForm: painted
before anything heavy is even imported), then, after its first paint, logging, an exception
hook that shows a dialog, the station (database + migrations) and the full window, which
takes the first form's place with what was typed; the station's background work starts
after the full window's first paint (WindowStart, AfterFirstPaint).

A station that can't open says so in a dialog, never a traceback on a terminal nobody
watches: a bad settings file, a data folder it can't write, a database from a newer
Tableside (pos_app/startup.py), or Tableside already open on this laptop (StationBusy: the
dialog says to use that window; raising another process's window is not done, because
Windows' and Wayland's focus rules refuse it unless that process asks itself).
TABLESIDE_RECORD_DIALOGS=<file> (tests only) appends each start-up dialog to the file as
a JSON line instead of waiting for a click. With no screen at all (no DISPLAY or
WAYLAND_DISPLAY on Linux, no QT_QPA_PLATFORM) there is nowhere for a dialog: one plain line
on stderr, exit 1 (pos_app/startup.no_screen).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import format_cents
from pos_app.settings import ConfigError, Settings, load_settings
from pos_app.startup import no_screen
from resources import RESOURCES

from . import gc_collector, i18n
from .displays import screen_of
from .form_parts import COLUMN_LABELS, PRESET_CENTS, TRAINING_EMAILED, TRAINING_OUTBOX
from .scale import base_stylesheet, factor_for, scaled

if TYPE_CHECKING:
    from pos_app.api import Station

    from .main_window import MainWindow

log = logging.getLogger(__name__)


def load_stylesheet() -> str:
    return (RESOURCES / "style.qss").read_text(encoding="utf-8")


def install_exception_hook(log_file: Path | None) -> None:
    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.critical("unhandled error", exc_info=(etype, value, tb))
        where = f"\n\nDetails were saved to:\n{log_file}" if log_file else ""
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "Tableside hit a problem",
            "Something went wrong, but every finished donation is saved." + where,
        )
        box.setDetailedText("".join(traceback.format_exception_only(etype, value)))
        box.exec()

    sys.excepthook = hook


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("Tableside")
    app.setStyleSheet(load_stylesheet())
    # Before any job or task thread exists: from here on only the GUI thread collects.
    gc_collector.install(app)
    return app  # type: ignore[return-value]


def cant_start(title: str, text: str) -> None:
    """The one start-up dialog: modal, plain words, then the app ends."""
    record = os.environ.get("TABLESIDE_RECORD_DIALOGS")
    if record:
        with open(record, "a", encoding="utf-8") as f:
            f.write(json.dumps({"title": title, "text": text}) + "\n")
        return
    QMessageBox.critical(None, title, text)


FIRST_PAINT_FALLBACK_MS = 1000  # a window that is never painted (minimised) starts them too


class AfterFirstPaint(QObject):
    """Runs `fn` once, on the event loop, right after `window`'s first paint (or after
    FIRST_PAINT_FALLBACK_MS, whichever comes first): the station's background work (the
    ledger sync, the job consumer, the settler and the other loops) starts once the
    volunteer sees a form to type in, not before. A gift taken before then is recorded
    and queued as always; its jobs run when the consumer is up, a moment later."""

    def __init__(self, window: QWidget, fn: Callable[[], None]) -> None:
        super().__init__(window)
        self._fn: Callable[[], None] | None = fn
        window.installEventFilter(self)
        QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, self, self._run)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and self._fn is not None:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self, self._run)
        return False

    def _run(self) -> None:
        fn, self._fn = self._fn, None
        if fn is not None:
            fn()


class FirstForm(QMainWindow):
    """The form on screen while the station opens: the amount, focused, so a volunteer who
    starts typing at once types the gift. Nothing here needs the station (no SQLAlchemy,
    no job queue): it paints in about the time of a bare window. The full window takes its
    place a moment later with what was typed in its amount field (`hand_over`).

    It is laid out as the full window's skeleton (ui/main_window.py, ui/donation_form.py):
    the training banner (training is the simulator, which the settings say), the same
    margins, the preset row, the label column and the 3:2 split, and the full window's type
    scale, so the amount field sits where the full window's will and nothing jumps when it
    takes over (tests/test_gui_first_form.py compares the two)."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        settings = settings or Settings()
        self.setWindowTitle("Tableside")
        screen = screen_of(self).availableGeometry()  # the size the full window takes
        self.resize(min(1366, screen.width()), min(768, screen.height()))
        tr = QCoreApplication.translate
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outbox = settings.receipts.provider == "outbox"
        banner = QLabel(tr("MainWindow", TRAINING_OUTBOX if outbox else TRAINING_EMAILED))
        banner.setObjectName("trainingBanner")
        banner.setWordWrap(True)
        banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        banner.setVisible(settings.payments.provider == "simulator")
        outer.addWidget(banner)
        body = QHBoxLayout()
        body.setContentsMargins(12, 6, 12, 6)
        body.setSpacing(16)
        left = QVBoxLayout()
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        presets = QHBoxLayout()
        for i, cents in enumerate(PRESET_CENTS):
            money = format_cents(cents, settings.payments.currency).replace(".00", "")
            b = QPushButton(f"{money}\nF{i + 1}")
            b.setObjectName("preset")
            b.setEnabled(False)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            presets.addWidget(b)
        grid.addLayout(presets, 0, 1)
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText(tr("DonationForm", "or type one, e.g. 75"))
        label = QLabel(tr("DonationForm", "Amount"))
        label.setObjectName("fieldLabel")
        label.setBuddy(self.amount)
        self.amount.setAccessibleName(label.text())
        grid.addWidget(label, 1, 0)
        grid.addWidget(self.amount, 1, 1)
        # The label column is as wide as the full form's widest label (in any language):
        # its labels, never shown, measure it.
        self.column_labels = []
        for text in COLUMN_LABELS:
            other = QLabel(tr("DonationForm", text), central)
            other.setObjectName("fieldLabel")
            other.hide()
            self.column_labels.append(other)
        left.addLayout(grid)
        left.addStretch(1)
        body.addLayout(left, 3)
        right = QFrame()  # where the full window's result panel will be
        right.setObjectName("result")
        right.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        inside = QVBoxLayout(right)
        inside.setContentsMargins(24, 24, 24, 24)
        self.status = QLabel(self.tr("Opening the station…"))
        self.status.setObjectName("resultDetail")
        self.status.setWordWrap(True)
        inside.addWidget(self.status)
        inside.addStretch(1)
        body.addWidget(right, 2)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)
        self._grid = grid
        self.scale_factor = 0.0  # none yet: the first resize sets it and sizes the column
        self.amount.setFocus()

    def _fit_label_column(self) -> None:
        for other in self.column_labels:
            other.ensurePolished()
        widest = max(other.sizeHint().width() for other in self.column_labels)
        self._grid.setColumnMinimumWidth(0, widest)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        factor = factor_for(event.size().width(), event.size().height())
        if factor != self.scale_factor:  # the full window's type scale (ui/scale.py)
            self.scale_factor = factor
            self.centralWidget().setStyleSheet(
                scaled(base_stylesheet(), factor) if factor > 1 else "")  # fmt: skip
            self._fit_label_column()  # the labels' widths follow the type

    def hand_over(self, window: MainWindow) -> None:
        """The full window takes this one's place, with the amount typed so far (and the
        cursor after it); keys typed while the station opened are still queued and land
        in the full window's amount field, which has the focus."""
        typed = self.amount.text()
        if typed:
            window.form.amount.setText(typed)
        window.move(self.pos())
        window.show()
        window.activateWindow()
        window.form.amount.setFocus()
        window.form.amount.setCursorPosition(len(window.form.amount.text()))
        self.hide()
        self.deleteLater()


class WindowStart:
    """The window's start in two steps: `first()` shows the FirstForm; after its first
    paint, `rest()` opens the station (the lock, logs, database, job queue: everything
    imported only now), builds the MainWindow and hands over to it; the station's
    background work starts after the full window's own first paint. A station that
    can't open shows the same plain dialog as ever and the app ends with 1."""

    def __init__(self, app: QApplication, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.language = i18n.ui_language(settings.display.language)
        self.station: Station | None = None
        self.window: MainWindow | None = None
        self.form: FirstForm | None = None
        self.failure: BaseException | None = None

    def first(self) -> None:
        i18n.install(self.language)
        self.form = FirstForm(self.settings)
        AfterFirstPaint(self.form, self.rest)
        self.form.show()

    def rest(self) -> None:
        try:
            self._open()
        except BaseException as exc:  # a bug: raised again from run_gui, as before
            self.failure = exc
            self._end(1)

    def _end(self, code: int) -> None:
        if self.form is not None:
            self.form.hide()
        self.app.exit(code)

    def _open(self) -> None:
        from pos_app import station_lock
        from pos_app.api import StartupError, Station
        from pos_app.paths import DataPaths

        from .main_window import MainWindow

        assert self.form is not None
        try:
            station = Station(self.settings, DataPaths.resolve(), role=station_lock.WINDOW)
        except ConfigError as exc:
            self.form.hide()
            cant_start("Tableside can't start", f"The settings file has a problem:\n\n{exc}")
            self._end(2)
            return
        except StartupError as exc:  # busy, unwritable, too new, unreadable: said plainly
            log.error("can't start: %s (folder %s)", exc, exc.folder)
            title = (
                "Tableside is already open"
                if isinstance(exc, station_lock.StationBusy)
                else "Tableside can't start"
            )
            self.form.hide()
            cant_start(title, exc.plain())
            self._end(1)
            return
        self.station = station
        install_exception_hook(station.log_file)
        language = i18n.ui_language(station.settings.display.language)
        if language != self.language:  # the event's own setting, from the database
            i18n.uninstall()
            i18n.install(language)
        self.window = MainWindow(station)
        AfterFirstPaint(self.window, station.start_jobs)  # the form first, background next
        self.form.hand_over(self.window)
        self.form = None

    def close(self) -> None:
        if self.station is not None:
            self.station.close()


def run_gui(config_path: str | None = None) -> int:
    headless = no_screen()
    if headless:  # before Qt, which would abort blaming a missing xcb library
        print(f"✗ {headless}", file=sys.stderr)
        return 1
    app = make_app()
    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        cant_start("Tableside can't start", f"The settings file has a problem:\n\n{exc}")
        return 2
    start = WindowStart(app, settings)
    start.first()
    try:
        code = app.exec()
    finally:
        start.close()
    if start.failure is not None:
        raise start.failure
    return code
