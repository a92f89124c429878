"""The volunteer's window, driven through pytest-qt against the real station (simulator)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from PySide6.QtCore import Qt, QTimer

from pos_app.api import Station
from pos_app.domain.states import Method
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.ui.main_window import MainWindow

SWIPE = "%B4111111111111111^DOE/JANE^2812101000000000?;4111111111111111=28121010000000000?"


@pytest.fixture
def window(qtbot, station: Station) -> Iterator[MainWindow]:
    w = MainWindow(station)
    w.confirm_close = lambda _summary: True  # no modal "close with pending work?" in tests
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def type_card(qtbot, w: MainWindow, number: str = "4242424242424242") -> None:
    qtbot.keyClicks(w.form.number, number)
    qtbot.keyClicks(w.form.expiry, "12/30")
    qtbot.keyClicks(w.form.cvc, "123")
    qtbot.keyClicks(w.form.postal, "62701")


def wait_state(qtbot, w: MainWindow, state: str, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: w.result.state == state, timeout=timeout)


def test_type_a_donation_and_charge_it(qtbot, window: MainWindow, station: Station, data_dir):
    w = window
    qtbot.keyClicks(w.form.amount, "50")
    assert w.action.text() == "Charge $50.00"
    type_card(qtbot, w)
    assert w.form.number.text() == "4242 4242 4242 4242"  # grouped as typed
    assert w.form.brand.text() == "Visa"
    qtbot.keyClicks(w.form.name, "Jane Donor")
    qtbot.keyClicks(w.form.email, "jane@example.org")
    qtbot.mouseClick(w.action, Qt.MouseButton.LeftButton)
    wait_state(qtbot, w, "approved")
    assert w.result.heading.text() == "Approved"
    assert w.result.amount.text() == "$50.00 — Visa •••• 4242"
    assert w.result.reference.text().startswith("Reference pi_")
    # card fields are cleared after the attempt; the rest stays until Next donor
    assert (w.form.number.text(), w.form.expiry.text(), w.form.cvc.text()) == ("", "", "")
    assert w.form.name.text() == "Jane Donor"
    [d] = station.donations()
    assert (d.status, d.amount_cents, d.last4, d.donor_email) == (
        "approved",
        5000,
        "4242",
        "jane@example.org",
    )
    qtbot.waitUntil(lambda: "Raised $50.00" in w.totals_label.text())
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_decline_shows_the_reason_and_keeps_the_donor(qtbot, window: MainWindow):
    w = window
    qtbot.keyClicks(w.form.amount, "100")
    type_card(qtbot, w, "4000000000009995")
    qtbot.keyClicks(w.form.name, "Sam")
    qtbot.keyClick(w.form.cvc, Qt.Key.Key_Return)
    wait_state(qtbot, w, "declined")
    assert w.result.heading.text() == "Declined"
    assert "Insufficient funds" in w.result.detail.text()
    assert "Ask for another card" in w.result.detail.text()
    assert w.form.number.text() == "" and w.form.amount.text() == "100"
    assert w.form.name.text() == "Sam"
    # another card, same donor: Enter charges again
    type_card(qtbot, w)
    qtbot.keyClick(w.form.cvc, Qt.Key.Key_Return)
    wait_state(qtbot, w, "approved")


def test_network_down_then_retry_charges_once(
    qtbot, window: MainWindow, station: Station, simulator: SimulatorProcessor
):
    w = window
    simulator.network_down = True
    qtbot.keyClick(w.form.amount, Qt.Key.Key_F1)  # $25 preset
    type_card(qtbot, w)
    qtbot.keyClick(w.form.cvc, Qt.Key.Key_Return)
    wait_state(qtbot, w, "failed")
    assert w.result.heading.text() == "Couldn't reach the processor"
    assert "Nothing was charged" in w.result.detail.text()
    assert w.result.retry.isVisible()
    assert w.form.number.text() == ""
    simulator.network_down = False
    qtbot.mouseClick(w.result.retry, Qt.MouseButton.LeftButton)
    wait_state(qtbot, w, "approved")
    assert len(simulator.charges) == 1
    [d] = station.donations()
    assert d.status == "approved" and d.amount_cents == 2500


def test_lost_answer_is_in_doubt_and_settles_in_the_background(
    qtbot, window: MainWindow, station: Station, simulator: SimulatorProcessor
):
    w = window
    station.settle_interval = 0.1
    simulator.lose_next_response = True
    qtbot.keyClicks(w.form.amount, "75")
    type_card(qtbot, w)
    qtbot.keyClick(w.form.cvc, Qt.Key.Key_Return)
    wait_state(qtbot, w, "in_doubt")
    assert "not confirmed" in w.result.detail.text()
    assert "Don't charge again" in w.result.detail.text()
    station.start_jobs()
    wait_state(qtbot, w, "approved", timeout=10000)
    assert len(simulator.charges) == 1  # the replay found the original charge
    assert [d.status for d in station.donations()] == ["approved"]


def test_double_click_and_double_enter_send_one_charge(
    qtbot, window: MainWindow, station: Station, simulator: SimulatorProcessor
):
    w = window
    simulator.latency_ms = 200
    qtbot.keyClicks(w.form.amount, "40")
    type_card(qtbot, w)
    qtbot.mouseDClick(w.action, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.action, Qt.MouseButton.LeftButton)
    qtbot.keyClick(w.form.cvc, Qt.Key.Key_Return)
    qtbot.keyClick(w.form.cvc, Qt.Key.Key_Return)
    wait_state(qtbot, w, "approved")
    qtbot.keyClick(w.form.amount, Qt.Key.Key_Return)  # Enter after approval: next donor
    assert len(simulator.charges) == 1
    assert len(station.donations()) == 1
    assert w.result.state == "ready" and w.form.amount.text() == ""


def test_window_stays_responsive_while_the_processor_thinks(
    qtbot, window: MainWindow, station: Station
):
    gate = threading.Event()
    real_charge = station.processor.charge

    def slow_charge(request):  # type: ignore[no-untyped-def]
        assert gate.wait(10)
        return real_charge(request)

    station.processor.charge = slow_charge  # type: ignore[method-assign]
    ticks = []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(1))
    heartbeat.start(10)
    w = window
    qtbot.keyClicks(w.form.amount, "30")
    type_card(qtbot, w)
    qtbot.keyClick(w.form.cvc, Qt.Key.Key_Return)
    wait_state(qtbot, w, "busy")
    assert w.result.busy.isVisible()
    # the charge is parked in its worker; the GUI thread keeps running its timers
    qtbot.waitUntil(lambda: len(ticks) >= 5)
    assert w.result.state == "busy"
    gate.set()
    wait_state(qtbot, w, "approved")
    heartbeat.stop()


def test_swipe_fills_number_expiry_and_name(qtbot, window: MainWindow):
    w = window
    qtbot.keyClicks(w.form.amount, "60")
    w.form.amount.setFocus()
    qtbot.keyClicks(w.form.amount, SWIPE)
    qtbot.keyClick(w.form.amount, Qt.Key.Key_Return)
    assert w.form.amount.text() == "60"  # the swipe never lands in the focused field
    assert w.form.number.text() == "4111 1111 1111 1111"
    assert w.form.expiry.text() == "12/28"
    assert w.form.name.text() == "Jane Doe"
    assert w.form.cvc.hasFocus()
    assert w.result.state == "ready"  # the reader's Enter did not charge


def test_bad_swipe_asks_to_swipe_again(qtbot, window: MainWindow):
    w = window
    w.form.number.setFocus()
    qtbot.keyClicks(w.form.number, "%B41111^DOE/JA")
    qtbot.keyClick(w.form.number, Qt.Key.Key_Return)
    assert w.form.errors["number"].text() == "⚠ Swipe again or type the card."
    assert w.form.number.text() == ""


def test_bad_input_gets_plain_messages_and_nothing_is_lost(
    qtbot, window: MainWindow, station: Station
):
    w = window
    qtbot.keyClicks(w.form.amount, "abc")
    qtbot.keyClicks(w.form.number, "4242424242424241")
    qtbot.keyClicks(w.form.expiry, "13/29")
    qtbot.keyClicks(w.form.cvc, "12")
    qtbot.keyClicks(w.form.email, "jane@")
    qtbot.keyClick(w.form.email, Qt.Key.Key_Return)
    errors = {k: e.text() for k, e in w.form.errors.items() if e.text()}
    assert errors["amount"] == "⚠ Enter the amount as a number, like 50 or 50.00."
    assert "isn't valid" in errors["number"]
    assert errors["expiry"] == "⚠ The month must be 01 to 12."
    assert "3 digits" in errors["cvc"]
    assert "doesn't look right" in errors["email"]
    assert w.form.number.text() == "4242 4242 4242 4241"  # nothing typed was lost
    assert w.form.email.text() == "jane@"
    assert station.donations() == []


def test_amex_needs_four_digit_cvc(qtbot, window: MainWindow):
    w = window
    qtbot.keyClicks(w.form.amount, "20")
    qtbot.keyClicks(w.form.number, "378282246310005")
    assert w.form.number.text() == "3782 822463 10005"
    assert w.form.brand.text() == "American Express"
    qtbot.keyClicks(w.form.expiry, "1230")
    qtbot.keyClicks(w.form.cvc, "123")
    qtbot.keyClick(w.form.cvc, Qt.Key.Key_Return)
    assert "4 digits" in w.form.errors["cvc"].text()


def test_over_the_limit_is_refused(qtbot, window: MainWindow, station: Station):
    qtbot.keyClicks(window.form.amount, "1000000")
    qtbot.keyClick(window.form.amount, Qt.Key.Key_Return)
    assert "limit for one gift" in window.form.errors["amount"].text()
    assert station.donations() == []


@pytest.mark.parametrize("method", ["cash", "check"])
def test_cash_and_check_are_recorded_without_the_processor(
    qtbot, window: MainWindow, station: Station, simulator: SimulatorProcessor, method: str
):
    w = window
    simulator.network_down = True  # proves no processor call is made
    qtbot.keyClick(w.form.amount, Qt.Key.Key_F3)
    w.form.method_buttons[Method(method)].click()
    assert w.action.text() == f"Record $100.00 {method}"
    assert not w.form.card_box.isVisible()
    if method == "check":
        qtbot.keyClick(w.form.name, Qt.Key.Key_Return)
        assert "check number" in w.form.errors["check_number"].text()
        qtbot.keyClicks(w.form.check_number, "1042")
    qtbot.keyClick(w.form.name, Qt.Key.Key_Return)
    wait_state(qtbot, w, "recorded")
    [d] = station.donations()
    assert (d.method, d.status, d.amount_cents) == (method, "recorded", 10000)
    assert d.check_number == ("1042" if method == "check" else None)


def test_escape_clears_card_then_everything(qtbot, window: MainWindow):
    w = window
    qtbot.keyClicks(w.form.amount, "10")
    type_card(qtbot, w)
    qtbot.keyClick(w.form.cvc, Qt.Key.Key_Escape)
    assert w.form.number.text() == "" and w.form.amount.text() == "10"
    qtbot.keyClick(w.form.amount, Qt.Key.Key_Escape)
    assert w.form.amount.text() == ""


def test_training_banner_is_shown(window: MainWindow):
    assert window.banner.isVisible()
    assert "TRAINING MODE" in window.banner.text()


def test_no_card_number_reaches_disk(qtbot, window: MainWindow, data_dir: Path):
    w = window
    for number in ("4242424242424242", "4000000000000002"):
        qtbot.keyClicks(w.form.amount, "5")
        type_card(qtbot, w, number)
        qtbot.keyClick(w.form.cvc, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: w.result.state in ("approved", "declined"))
        w.next_donor()
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


@pytest.mark.parametrize("how", ["ctrl_n", "enter", "click"])
def test_main_button_works_by_mouse_after_next_donor(qtbot, window: MainWindow, station, how):
    """After a finished gift, Next donor (Ctrl+N, Enter or its button) gives back a live
    main button: a mouse click on it records the next gift (it stayed greyed out)."""
    w = window
    w.form.method_buttons[Method.CASH].click()
    qtbot.keyClicks(w.form.amount, "20")
    qtbot.mouseClick(w.action, Qt.MouseButton.LeftButton)
    wait_state(qtbot, w, "recorded")
    assert not w.action.isEnabled()  # this gift is done
    if how == "ctrl_n":
        qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    elif how == "enter":
        qtbot.keyClick(w.result.next, Qt.Key.Key_Return)
    else:
        qtbot.mouseClick(w.result.next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.result.state == "ready")
    assert w.action.isEnabled()
    w.form.method_buttons[Method.CASH].click()
    qtbot.keyClicks(w.form.amount, "30")
    assert w.action.text() == "Record $30.00 cash"
    qtbot.mouseClick(w.action, Qt.MouseButton.LeftButton)
    wait_state(qtbot, w, "recorded")
    assert sorted(d.amount_cents for d in station.donations()) == [2000, 3000]
