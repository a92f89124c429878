"""The two windows most GUI tests drive, on the test's `station`: the volunteer's window and
the lead desk unlocked with a new PIN. Import the fixture you use into the test module
(`from support.gui_fixtures import desk`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_gui_lead_desk import set_pin

from pos_app.api import Station
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner


@pytest.fixture
def window(qtbot, station: Station) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    """The volunteer's window, shown; closing it asks nothing."""
    w = MainWindow(station)
    w.confirm_close = lambda _summary: True
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


@pytest.fixture
def desk(qtbot, station: Station) -> Iterator[LeadWindow]:  # type: ignore[no-untyped-def]
    """The lead desk, shown and unlocked (a PIN chosen on first use); its event screen, if
    one was opened, closes with it."""
    tasks = TaskRunner()
    w = LeadWindow(station, tasks)
    qtbot.addWidget(w)
    w.show()
    set_pin(qtbot, w)
    yield w
    w.close_event_screen()
    w.close()
    tasks.shutdown()
