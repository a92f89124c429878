"""What a screen reader meets: the volunteer's window walked through its states (typed card,
cash, check, errors, the reader waiting, approved, declined, in doubt) and the lead desk
(locked, and each tab open); every focusable control has an accessible name, and every
result is announced."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from support.a11y import unnamed_controls

from pos_app.api import Station
from pos_app.domain.states import Method
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, station: Station) -> Iterator[MainWindow]:
    station.reader_service.poll_s = 0.01
    w = MainWindow(station)
    w.confirm_close = lambda _summary: True
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def settle(qtbot, w: MainWindow, state: str) -> None:
    qtbot.waitUntil(lambda: w.result.state == state and not w._busy, timeout=10000)


def typed_gift(qtbot, w: MainWindow, number: str) -> None:
    w.next_donor()
    w.form.choose_entry("keyed")
    w.form.set_amount(5000)
    for field, text in ((w.form.number, number), (w.form.expiry, "12/30"),
                        (w.form.cvc, "123"), (w.form.name, "Ada")):  # fmt: skip
        field.setText(text)
    w.submit()


def test_every_control_of_the_volunteers_window_is_named_in_every_state(
    qtbot, window: MainWindow, simulator: SimulatorProcessor
) -> None:
    w, f = window, window.form
    said: list[str] = []
    w.result.announced.connect(said.append)
    walked: dict[str, list[str]] = {}
    walked["typed card"] = unnamed_controls(w)
    f.method_buttons[Method.CASH].setChecked(True)
    walked["cash"] = unnamed_controls(w)
    f.method_buttons[Method.CHECK].setChecked(True)
    walked["check"] = unnamed_controls(w)
    f.method_buttons[Method.CARD].setChecked(True)
    w.submit()
    walked["errors"] = unnamed_controls(w)
    f.choose_entry("reader")
    f.set_amount(5000)
    w.submit()
    qtbot.waitUntil(lambda: w.station.reader_service.reader._action.status == "in_progress")
    walked["reader waiting"] = unnamed_controls(w)
    assert said[-1].startswith("Tap, insert or swipe on the reader — $50.00")
    w.station.present_on_reader("approve")
    settle(qtbot, w, "approved")
    walked["approved"] = unnamed_controls(w)
    assert said[-1].startswith("Approved. $50.00 — Visa •••• 4242 (tap)")
    typed_gift(qtbot, w, "4000000000000002")
    settle(qtbot, w, "declined")
    walked["declined"] = unnamed_controls(w)
    assert said[-1].startswith("Declined.") and "declined" in said[-1]
    simulator.lose_next_response = True
    typed_gift(qtbot, w, "4242424242424242")
    settle(qtbot, w, "in_doubt")
    walked["in doubt"] = unnamed_controls(w)
    assert said[-1].startswith("Waiting for the processor.")
    assert w.result.accessibleName() == "Waiting for the processor"
    assert {state: names for state, names in walked.items() if names} == {}
    assert len(walked) == 8


def test_the_result_is_announced_by_keyboard_too(qtbot, window: MainWindow) -> None:
    said: list[str] = []
    window.result.announced.connect(said.append)
    window.form.amount.setText("20")
    window.form.method_buttons[Method.CASH].setChecked(True)
    qtbot.keyClick(window.form.amount, Qt.Key.Key_Return)
    settle(qtbot, window, "recorded")
    assert said[-1].startswith("Recorded. $20.00")


def test_every_control_of_the_lead_desk_is_named(qtbot, station: Station) -> None:
    """Locked (choosing a PIN, then asking for it), and each tab open, empty and busy, with
    a donation and a job selected."""
    from test_gui_lead_desk import set_pin

    from pos_app.api import Donor
    from pos_app.ui.lead_window import LeadWindow
    from pos_app.ui.tasks import TaskRunner

    tasks = TaskRunner()
    w = LeadWindow(station, tasks)
    qtbot.addWidget(w)
    w.show()
    walked: dict[str, list[str]] = {}
    qtbot.waitUntil(lambda: w.gate.confirm.isVisible() and w.gate.button.isEnabled())
    walked["choosing a PIN"] = unnamed_controls(w)
    set_pin(qtbot, w)

    def each_tab(state: str) -> None:
        for key, screen in w.screens.items():
            w.tabs.setCurrentWidget(screen)
            walked[f"{key} {state}"] = unnamed_controls(w)

    qtbot.waitUntil(lambda: w.desk.loads >= 1 and w.jobs.loads >= 1)
    each_tab("empty")
    station.start_jobs()
    gift = station.record_donation(2000, Donor("Ada Lovelace", "ada@example.org"), "cash")
    qtbot.waitUntil(lambda: [r.state for r in w.jobs.model.records()] == ["done"], timeout=20000)
    qtbot.waitUntil(lambda: w.desk.model.row_of(gift.donation_id) is not None)
    w.desk.select_donation(gift.donation_id)
    w.jobs.state_filter.setCurrentIndex(0)  # all jobs
    w.jobs.select_job(station.jobs(gift.donation_id)[0].id)
    each_tab("busy")
    w.lock()
    qtbot.waitUntil(lambda: w.gate.button.isEnabled())
    walked["asking for the PIN"] = unnamed_controls(w)
    assert {state: names for state, names in walked.items() if names} == {}
    assert len(walked) == 2 + 2 * len(w.screens)  # every screen, empty and busy
    w.close()
    tasks.shutdown()
