"""Start-up in order: the application with garbage collection moved to its thread
(ui/gc_collector.py), logging, an exception hook that shows a dialog, the station
(database + migrations), then the window."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from pos_app.api import ConfigError, Station, open_station
from resources import RESOURCES

from . import gc_collector
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


def run_gui(config_path: str | None = None) -> int:
    app = make_app()
    try:
        station: Station = open_station(config_path)
    except ConfigError as exc:
        QMessageBox.critical(
            None, "Tableside can't start", f"The settings file has a problem:\n\n{exc}"
        )
        return 2
    install_exception_hook(station.log_file)
    station.start_jobs()
    window = MainWindow(station)
    window.show()
    try:
        return app.exec()
    finally:
        station.close()
