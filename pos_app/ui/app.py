"""Start-up in order: the application with garbage collection moved to its thread
(ui/gc_collector.py), logging, an exception hook that shows a dialog, the station
(database + migrations), then the window.

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

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from pos_app import station_lock
from pos_app.api import ConfigError, StartupError, Station
from pos_app.paths import DataPaths
from pos_app.settings import load_settings
from pos_app.startup import no_screen
from resources import RESOURCES

from . import gc_collector, i18n
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


def run_gui(config_path: str | None = None) -> int:
    headless = no_screen()
    if headless:  # before Qt, which would abort blaming a missing xcb library
        print(f"✗ {headless}", file=sys.stderr)
        return 1
    app = make_app()
    try:
        settings = load_settings(config_path)
        station = Station(settings, DataPaths.resolve(), role=station_lock.WINDOW)
    except ConfigError as exc:
        cant_start("Tableside can't start", f"The settings file has a problem:\n\n{exc}")
        return 2
    except StartupError as exc:  # busy, unwritable, too new, unreadable: said plainly
        log.error("can't start: %s (folder %s)", exc, exc.folder)
        title = (
            "Tableside is already open"
            if isinstance(exc, station_lock.StationBusy)
            else "Tableside can't start"
        )
        cant_start(title, exc.plain())
        return 1
    install_exception_hook(station.log_file)
    i18n.install(i18n.ui_language(station.settings.display.language))
    window = MainWindow(station)
    AfterFirstPaint(window, station.start_jobs)  # the form first, background work next
    window.show()
    try:
        return app.exec()
    finally:
        station.close()
