"""Check-in keeps a card from the card reader, driven by keyboard through pytest-qt: the real
windows and station on the Stripe Terminal adapter over real HTTP to the Terminal test peer
(a simulated WisePOS E on a test key), and in training on the simulator's reader.

F10 opens check-in; with a real reader (typing off by default) there are no card fields;
Alt+R checks the guest in and hands a SetupIntent to the reader; the window says "Tap,
insert or swipe on the reader…" with Cancel (Esc, Alt+C) until the card is read; the guest's
part is played from the window's test keys (F5 approving, F6 declining), as IT would on a
test account. The answer reads "Paddle 100 · Visa •••• 4242 on file" or the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TERMINAL_TEST_KEY
from PySide6.QtCore import Qt
from support.gui_fixtures import window  # noqa: F401 - fixture (training)
from support.processes import localstripe_stats
from test_gui_check_in import open_check_in

from pos_app.api import Station, open_station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.payments.stripe_terminal import StripeTerminalProcessor
from pos_app.ui.check_in_window import CheckInWindow
from pos_app.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(90)
WAITING = "Tap, insert or swipe on the reader…"
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def st(data_dir: Path, localstripe: str, terminal_reader: str) -> Iterator[Station]:
    p = StripeTerminalProcessor(TERMINAL_TEST_KEY, terminal_reader, api_base=localstripe,
                                timeout=5.0)  # fmt: skip
    with open_station(data_dir=data_dir, processor=p) as station:
        assert station.reader_service is not None
        station.reader_service.poll_s = 0.02
        yield station
    p.close()


@pytest.fixture
def watcher(localstripe: str, terminal_reader: str) -> Iterator[StripeTerminalProcessor]:
    p = StripeTerminalProcessor(TERMINAL_TEST_KEY, terminal_reader, api_base=localstripe)
    yield p
    p.close()


@pytest.fixture
def terminal_window(qtbot, st: Station) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = MainWindow(st)
    w.confirm_close = lambda _summary: True
    qtbot.addWidget(w)
    with qtbot.waitActive(w):
        w.show()
        w.activateWindow()
    yield w
    w.close()


def setup_waiting(p: StripeTerminalProcessor) -> bool:
    a = p.reader_action(5)
    return a.type == "process_setup_intent" and a.status == "in_progress"


def guest_by_keys(qtbot, door: CheckInWindow, name: str, email: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(door.name, name)
    qtbot.keyClick(door.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(door.email, email)
    assert door.email.hasFocus()
    qtbot.keyClick(door.email, Qt.Key.Key_R, ALT)  # Save card from reader


def test_a_guest_taps_a_card_on_the_reader_then_one_declined_one_cancelled(
    qtbot, terminal_window: MainWindow, st: Station, watcher: StripeTerminalProcessor,
    localstripe: str,
) -> None:  # fmt: skip
    door = open_check_in(qtbot, terminal_window)
    qtbot.waitUntil(lambda: door.isActiveWindow(), timeout=5000)
    assert door.reader_btn.isVisible() and door.card.isHidden()  # the reader only here
    before = localstripe_stats(localstripe)
    free = door.paddle.placeholderText().removeprefix("next free: ")
    guest_by_keys(qtbot, door, "Ada Lovelace", "ada@example.org")
    qtbot.waitUntil(lambda: door.answer.text() == WAITING, timeout=5000)
    assert door.cancel_btn.isVisible() and not door.check_btn.isEnabled()
    qtbot.waitUntil(lambda: setup_waiting(watcher), timeout=10000)
    qtbot.keyClick(door.email, Qt.Key.Key_F5)  # the guest taps an approving card
    qtbot.waitUntil(lambda: "on file" in door.answer.text(), timeout=15000)
    assert door.answer.text() == f"Paddle {free} · Visa •••• 4242 on file\nAda Lovelace"
    assert door.cancel_btn.isHidden() and door.check_btn.isEnabled()
    [ada] = st.attendees()
    assert ada.card_on_file and ada.paddle == free
    after = localstripe_stats(localstripe)
    assert after["payment_intents_created"] == before["payment_intents_created"]  # no charge

    qtbot.keyClick(door.search, Qt.Key.Key_Escape)  # the next guest
    guest_by_keys(qtbot, door, "Cy Twombly", "cy@example.org")
    qtbot.waitUntil(lambda: setup_waiting(watcher), timeout=10000)
    qtbot.keyClick(door.email, Qt.Key.Key_F6)  # a declining card
    qtbot.waitUntil(lambda: "declined" in door.answer.text(), timeout=15000)
    assert "The card was declined. Ask for another card." in door.answer.text()
    cy = st.attendees("cy")[0]
    assert not cy.card_on_file

    qtbot.keyClick(door.search, Qt.Key.Key_Escape)
    guest_by_keys(qtbot, door, "Grace Hopper", "grace@example.org")
    qtbot.waitUntil(lambda: setup_waiting(watcher), timeout=10000)
    qtbot.keyClick(door.email, Qt.Key.Key_Escape)  # Esc cancels while the reader waits
    qtbot.waitUntil(lambda: "Cancelled on the reader" in door.answer.text(), timeout=15000)
    assert door.name.text() == "Grace Hopper"  # Esc cancelled; the guest is still there
    assert watcher.reader_action(5).type is None  # the reader is idle again
    assert not st.attendees("grace")[0].card_on_file


def test_training_check_in_on_the_simulated_reader_and_cancel_by_alt_c(
    qtbot,
    window: MainWindow,
    station: Station,
    simulator: SimulatorProcessor,  # noqa: F811
) -> None:
    assert station.reader_service is not None
    station.reader_service.poll_s = 0.02
    door = open_check_in(qtbot, window)
    qtbot.waitUntil(lambda: door.isActiveWindow(), timeout=5000)
    assert door.reader_btn.isVisible() and door.card.isVisible()  # training: both
    guest_by_keys(qtbot, door, "Alan Turing", "alan@example.org")
    qtbot.waitUntil(lambda: simulator.reader.reader_action(1).status == "in_progress",
                    timeout=10000)  # fmt: skip
    assert door.guest_box.isVisible()  # training plays the guest's part from here
    qtbot.keyClick(door.email, Qt.Key.Key_C, ALT)  # Cancel
    qtbot.waitUntil(lambda: "Cancelled on the reader" in door.answer.text(), timeout=10000)
    qtbot.keyClick(door.email, Qt.Key.Key_R, ALT)  # the same guest again, then a tap
    qtbot.waitUntil(lambda: simulator.reader.reader_action(1).status == "in_progress",
                    timeout=10000)  # fmt: skip
    qtbot.keyClick(door.email, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: "on file" in door.answer.text(), timeout=10000)
    alan = station.attendees("alan")[0]
    assert alan.card_on_file and door.answer.text().startswith(f"Paddle {alan.paddle} · Visa")
    assert simulator.charges == {}
