"""The guest's language at the door, through pytest-qt on the real check-in window and
station (the simulator): by keyboard only, Alt+I reaches "Receipts in" beside the paddle,
Down picks Español and Enter checks the guest in with it; found again, the guest's
language is what the window shows (and the list says it); checked in again untouched, it
is kept. A language the station's receipts aren't written in comes back from the facade
as a field message in words, with the cursor on the choice. In English and in Spanish the
window, with the choice in it, fits a 1024x600 laptop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from support.gui_fixtures import window  # noqa: F401 - fixture
from test_gui_check_in import open_check_in

from pos_app.api import Station
from pos_app.services.check_in import LANGUAGE_PROBLEM
from pos_app.ui import i18n
from pos_app.ui.app import load_stylesheet
from pos_app.ui.check_in_window import CheckInWindow
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.timeout(90)
ALT = Qt.KeyboardModifier.AltModifier


def test_the_door_sets_a_guests_language_by_keyboard(
    qtbot,
    window: MainWindow,
    station: Station,  # noqa: F811
) -> None:
    with qtbot.waitActive(window):
        window.activateWindow()
    door = open_check_in(qtbot, window)
    qtbot.waitUntil(door.isActiveWindow, timeout=5000)
    assert door.language.currentText() == "English"  # the event's default to start with
    qtbot.keyClicks(door.name, "Rosa Parra")
    qtbot.keyClick(door.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(door.email, "rosa@example.org")
    qtbot.keyClick(door.email, Qt.Key.Key_I, ALT)  # Receipts in
    assert door.language.hasFocus()
    qtbot.keyClick(door.language, Qt.Key.Key_Down)
    assert (door.language.currentText(), door.language.currentData()) == ("Español", "es")
    qtbot.keyClick(door.language, Qt.Key.Key_Return)  # checks in, as Enter does in a field
    qtbot.waitUntil(lambda: "receipts in Español" in door.answer.text(), timeout=10000)
    [rosa] = station.attendees()
    assert (rosa.name, rosa.language) == ("Rosa Parra", "es")
    assert door.answer.text().startswith(f"Paddle {rosa.paddle} · no card on file")

    qtbot.keyClick(door.search, Qt.Key.Key_Escape)  # the next guest: the default again
    assert door.language.currentData() == "en" and door.name.text() == ""
    qtbot.keyClicks(door.search, "parra")
    qtbot.waitUntil(lambda: door.matches.count() == 1, timeout=10000)
    assert door.matches.item(0).text().endswith("· Español")
    qtbot.keyClick(door.search, Qt.Key.Key_Tab)
    qtbot.keyClick(door.matches, Qt.Key.Key_Down)
    qtbot.keyClick(door.matches, Qt.Key.Key_Return)  # picked: her language is shown
    assert door.email.text() == "rosa@example.org"
    assert door.language.currentText() == "Español"
    qtbot.keyClick(door.card.number, Qt.Key.Key_Return)  # again, untouched: kept
    qtbot.waitUntil(lambda: door.check_btn.isEnabled() and "Paddle" in door.answer.text(),
                    timeout=10000)  # fmt: skip
    assert [g.language for g in station.attendees()] == ["es"]

    # A new guest left at the default sends no choice: the event's default (None)
    qtbot.keyClick(door.search, Qt.Key.Key_Escape)
    qtbot.keyClicks(door.name, "Alan Turing")
    qtbot.keyClick(door.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(door.email, "alan@example.org")
    qtbot.keyClick(door.email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(station.attendees()) == 2, timeout=10000)
    alan = next(g for g in station.attendees() if g.name == "Alan Turing")
    assert alan.language is None
    qtbot.waitUntil(door.check_btn.isEnabled, timeout=10000)
    assert "receipts in" not in door.answer.text()


def test_a_language_the_receipts_dont_speak_is_a_field_message(
    qtbot,
    window: MainWindow,
    station: Station,  # noqa: F811
) -> None:
    """The window offers what the receipts are written in; one more (as a window newer
    than its station's receipts might) goes to the facade and comes back in words."""
    door = open_check_in(qtbot, window)
    door.language.addItem("Français", "fr")
    qtbot.keyClicks(door.name, "Marie Curie")
    qtbot.keyClicks(door.email, "marie@example.org")
    door.language.setFocus()
    qtbot.keyClick(door.language, Qt.Key.Key_End)
    assert door.language.currentData() == "fr"
    qtbot.keyClick(door.language, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: door.answer.text() == LANGUAGE_PROBLEM, timeout=10000)
    assert door.language.hasFocus() and door.check_btn.isEnabled()
    assert door.name.text() == "Marie Curie"  # nothing typed is lost
    assert station.attendees() == []


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[None]:
    qapp.setStyleSheet(load_stylesheet())
    yield
    qapp.setStyleSheet("")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_door_with_the_language_choice_fits_1024x600(
    qtbot, station: Station, styled: None, language: str
) -> None:
    assert i18n.install(language)
    tasks = TaskRunner()
    try:
        door = CheckInWindow(station, tasks)
        qtbot.addWidget(door)
        door.show()
        qtbot.waitUntil(lambda: door.paddle.placeholderText() != "", timeout=10000)
        need = door.minimumSizeHint()
        assert need.width() <= 1024 and need.height() <= 600 - 40, need  # a title bar
        assert door.width() <= 1024 and door.height() <= 600 - 40
        # the choice and its label whole on the paddle's row, beside a usable paddle field
        for w in (door.language, door.language_label):
            assert w.isVisible() and w.width() >= w.sizeHint().width(), w
        assert door.paddle.width() >= 120
        row = door.paddle.geometry().center().y()
        assert door.language.geometry().top() < row < door.language.geometry().bottom()
        assert door.language_label.text() == ("Receipts &in" if language == "en"
                                              else "Rec&ibos en")  # fmt: skip
        door.close()
    finally:
        tasks.shutdown()
        i18n.uninstall()
