"""The windows never tie the application's QScreen to themselves (pos_app/ui/displays.py).

`QWidget.screen()` made the QScreen a Python child of the window's wrapper; a window that
then died in a garbage collection took the application's only QScreen with it, and the next
top-level widget crashed in its constructor (the flaky SIGSEGV in `LeadWindow.__init__` after
tests/test_gui_settings_goods.py)."""

from __future__ import annotations

import gc

from PySide6.QtGui import QGuiApplication

from pos_app.api import Station
from pos_app.ui.displays import screen_of
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner


def test_windows_dying_in_a_collection_leave_the_screen_alone(qtbot, station: Station) -> None:
    screen = QGuiApplication.primaryScreen()  # its wrapper is older than the windows'
    died: list[bool] = []

    def gone(*_args: object) -> None:
        died.append(True)

    screen.destroyed.connect(gone)
    try:
        tasks = TaskRunner()
        volunteer = MainWindow(station)
        volunteer.confirm_close = lambda _summary: True
        volunteer.show()
        lead = LeadWindow(station, tasks)
        lead.show()  # placed on the volunteer's screen (its showEvent asks which)
        assert screen_of(lead) is screen and screen_of(volunteer) is screen
        lead.close()
        volunteer.close()
        tasks.shutdown()
        lead.cycle, volunteer.cycle = lead, volunteer  # as a caught exception's frame does
        del lead, volunteer, screen  # nothing but the windows would keep its wrapper
        gc.collect()  # deletes both windows here, as the GUI collector's timer would
        assert not died, "a window's collection deleted the application's QScreen"
    finally:
        if not died:
            QGuiApplication.primaryScreen().destroyed.disconnect(gone)
