"""Check-in at the door through pytest-qt, on the real window and station (the simulator):
F10 opens it; a guest is added with the next free paddle and a card kept on file without a
charge ("Paddle 100 · Visa •••• 4242 on file"), the card fields cleared at once; found
again by name and not added twice; a paddle already taken is refused in words with the
cursor on it; a declined card says so and the guest is checked in without one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from support.gui_fixtures import window  # noqa: F401 - fixture

from pos_app.api import Station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.ui.check_in_window import CheckInWindow
from pos_app.ui.main_window import MainWindow


def open_check_in(qtbot, w: MainWindow) -> CheckInWindow:
    qtbot.keyClick(w.form.amount, Qt.Key.Key_F10)
    door = w.check_in_window
    assert isinstance(door, CheckInWindow)
    qtbot.waitUntil(door.isVisible)
    qtbot.waitUntil(lambda: door.paddle.placeholderText().startswith("next free:"))
    return door


def type_guest(qtbot, door: CheckInWindow, name: str, email: str, number: str = "") -> None:
    qtbot.keyClicks(door.name, name)
    qtbot.keyClicks(door.email, email)
    if number:
        qtbot.keyClicks(door.card.number, number)
        qtbot.keyClicks(door.card.expiry, "12/30")
        qtbot.keyClicks(door.card.cvc, "123")


def test_a_guest_gets_a_paddle_and_a_card_on_file_without_a_charge(
    qtbot, window: MainWindow, station: Station, simulator: SimulatorProcessor
) -> None:
    door = open_check_in(qtbot, window)
    free = door.paddle.placeholderText().removeprefix("next free: ")
    type_guest(qtbot, door, "Ada Lovelace", "ada@example.org", "4242424242424242")
    qtbot.keyClick(door.card.cvc, Qt.Key.Key_Return)
    assert door.card.number.text() == ""  # card data left the form with the request
    qtbot.waitUntil(lambda: "on file" in door.answer.text(), timeout=10000)
    assert door.answer.text().startswith(f"Paddle {free} · Visa •••• 4242 on file")
    assert simulator.charges == {}  # kept on file, nothing charged
    [guest] = station.attendees()
    assert (guest.paddle, guest.name, guest.card_on_file) == (free, "Ada Lovelace", True)

    qtbot.keyClick(door.search, Qt.Key.Key_Escape)  # the next guest
    qtbot.keyClicks(door.search, "lovel")
    qtbot.waitUntil(lambda: door.matches.count() == 1, timeout=10000)
    assert "Visa •••• 4242" in door.matches.item(0).text()
    door.matches.setCurrentRow(0)
    qtbot.keyClick(door.matches, Qt.Key.Key_Return)
    assert door.email.text() == "ada@example.org" and door.paddle.text() == free
    qtbot.keyClick(door.email, Qt.Key.Key_Return)  # checked in again: found, not added
    qtbot.waitUntil(lambda: door.answer.text().startswith(f"Paddle {free}"), timeout=10000)
    assert len(station.attendees()) == 1


def test_a_taken_paddle_and_a_declined_card_are_said_in_words(
    qtbot, window: MainWindow, station: Station
) -> None:
    door = open_check_in(qtbot, window)
    type_guest(qtbot, door, "Grace Hopper", "grace@example.org")
    qtbot.keyClicks(door.paddle, "112")
    qtbot.keyClick(door.paddle, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "no card on file" in door.answer.text(), timeout=10000)
    qtbot.keyClick(door.search, Qt.Key.Key_Escape)
    type_guest(qtbot, door, "Alan Turing", "alan@example.org", "4000000000000002")
    qtbot.keyClicks(door.paddle, "112")
    qtbot.keyClick(door.paddle, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "112 is taken" in door.answer.text(), timeout=10000)
    assert door.paddle.hasFocus() and door.name.text() == "Alan Turing"
    assert door.card.number.text().replace(" ", "") == "4000000000000002"  # never tried: kept
    door.paddle.clear()
    door.card.expiry.clear()
    qtbot.keyClick(door.card.number, Qt.Key.Key_Return)  # no expiry: said, nothing sent
    assert "expiry" in door.answer.text().lower()
    assert door.card.number.text().replace(" ", "") == "4000000000000002"
    qtbot.keyClicks(door.card.expiry, "12/30")
    qtbot.keyClick(door.card.cvc, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "declined" in door.answer.text(), timeout=10000)
    alan = next(g for g in station.attendees() if g.name == "Alan Turing")
    assert not alan.card_on_file and alan.paddle != "112"
