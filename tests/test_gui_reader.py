"""The volunteer's window with a card reader, driven through pytest-qt by keyboard as a
volunteer would: training's simulated reader (the donor played with F5-F8), Esc cancelling
on the reader, an offline reader, a lost answer after the tap settled by Retry, and the
lead's switch for typed cards. Exactly one PaymentIntent per gift. No timing asserts: the
tests wait on states."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from pos_app.api import Station
from pos_app.domain.states import Method
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.ui.main_window import MainWindow


@pytest.fixture
def reader_station(station: Station) -> Station:
    station.reader_service.poll_s = 0.01
    return station


@pytest.fixture
def window(qtbot, reader_station: Station) -> Iterator[MainWindow]:
    w = MainWindow(reader_station)
    w.confirm_close = lambda _summary: True
    qtbot.addWidget(w)
    with qtbot.waitActive(w):  # Alt+D and the F-keys reach an active window only
        w.show()
        w.activateWindow()
    yield w
    w.close()


def reader_waits(qtbot, w: MainWindow) -> None:
    """Until the gift is on the reader (the reader's own action is in progress)."""
    reader = w.station.reader_service.reader
    qtbot.waitUntil(lambda: w.result.state == "reader", timeout=5000)
    qtbot.waitUntil(lambda: reader._action.status == "in_progress", timeout=5000)


def give_on_reader(qtbot, w: MainWindow, preset_key: Qt.Key = Qt.Key.Key_F2) -> None:
    """Alt+D (on the reader), F2 ($50), the donor's name, Enter."""
    qtbot.keyClick(w.form.amount, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert w.form.card_on_reader
    qtbot.keyClick(w.form.amount, preset_key)
    qtbot.keyClicks(w.form.name, "Ada Lovelace")
    qtbot.keyClick(w.form.name, Qt.Key.Key_Return)


def finished(qtbot, w: MainWindow, state: str) -> None:
    qtbot.waitUntil(lambda: w.result.state == state and not w._busy, timeout=10000)


def test_training_offers_reader_and_typed_and_says_which(window: MainWindow) -> None:
    f = window.form
    assert f.entry.reader and f.entry.keyed and f.entry.simulated
    assert f.entry_box.isVisible() and not f.card_on_reader  # training starts typed
    assert f.card_box.isVisible()
    f.entry_buttons["reader"].setChecked(True)
    assert not f.card_box.isVisible() and f.reader_note.isVisible()
    assert "Training reader" in f.reader_note.text()
    f.amount.setText("50")
    assert window.action.text() == "Charge $50.00 on the reader"


def test_tap_approving_card_by_keyboard(qtbot, window: MainWindow, simulator) -> None:
    give_on_reader(qtbot, window)
    reader_waits(qtbot, window)
    r = window.result
    assert r.heading.text() == "Tap, insert or swipe on the reader — $50.00"
    assert r.donor_box.isVisible() and "Esc cancels" in r.detail.text()
    qtbot.keyClick(window, Qt.Key.Key_F5)  # the donor taps an approving card
    finished(qtbot, window, "approved")
    assert "Visa •••• 4242 (tap)" in r.amount.text()
    assert not r.donor_box.isVisible()
    out = r.outcome
    assert out is not None and out.status == "approved" and out.entry_mode == "contactless_emv"
    assert window.station.reader_service.reader.payment_intents_created == 1
    assert len(simulator.charges) == 1
    qtbot.keyClick(r.next, Qt.Key.Key_Return)  # Enter: next donor, the reader stays chosen
    qtbot.waitUntil(lambda: r.state == "ready")
    assert window.form.card_on_reader and window.form.name.text() == ""


@pytest.mark.parametrize(
    ("key", "state", "words"),
    [
        (Qt.Key.Key_F6, "declined", "declined"),
        (Qt.Key.Key_F7, "failed", "Nothing was charged"),
        (Qt.Key.Key_F8, "failed", "timed out waiting for a card"),
    ],
)
def test_decline_card_pulled_out_and_donor_who_never_taps(
    qtbot, window: MainWindow, simulator, key, state, words
) -> None:
    give_on_reader(qtbot, window)
    reader_waits(qtbot, window)
    qtbot.keyClick(window, key)
    finished(qtbot, window, state)
    out = window.result.outcome
    assert out is not None and words in out.message
    assert words in window.result.detail.text()
    assert simulator.charges == {}
    reader = window.station.reader_service.reader
    assert reader.payment(out.reference, 1).status == "canceled"  # no reader can charge it
    assert window.form.name.text() == "Ada Lovelace"  # nothing typed is lost


def test_enter_after_a_timeout_sends_the_amount_to_the_reader_again(
    qtbot, window: MainWindow, simulator
) -> None:
    give_on_reader(qtbot, window)
    reader_waits(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F8)  # the donor never taps
    finished(qtbot, window, "failed")
    assert "Press Enter" in window.result.detail.text()
    focused = window.focusWidget()
    assert focused is window.form.amount
    qtbot.keyClick(focused, Qt.Key.Key_Return)
    reader_waits(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    finished(qtbot, window, "approved")
    assert len(simulator.charges) == 1
    assert window.station.reader_service.reader.payment_intents_created == 2  # one per gift


def test_esc_cancels_on_the_reader_and_says_nothing_was_charged(
    qtbot, window: MainWindow, simulator
) -> None:
    give_on_reader(qtbot, window)
    reader_waits(qtbot, window)
    qtbot.keyClick(window.form.name, Qt.Key.Key_Escape)
    finished(qtbot, window, "failed")
    assert "Cancelled on the reader. Nothing was charged." in window.result.detail.text()
    assert window.result.heading.text() == "Not charged"
    assert simulator.charges == {}
    assert window.station.reader_service.reader._action.status == "failed"
    assert window.form.amount.text() == "50.00"  # the gift can be sent again as it was


def test_reader_offline_gets_a_plain_message(qtbot, window: MainWindow) -> None:
    window.station.reader_service.reader.offline = True
    give_on_reader(qtbot, window)
    finished(qtbot, window, "failed")
    assert "press its power button" in window.result.detail.text()
    assert "Nothing was charged" in window.result.detail.text()


def test_lost_answer_after_the_tap_is_in_doubt_then_retry_settles_it(
    qtbot, window: MainWindow, simulator: SimulatorProcessor
) -> None:
    station = window.station
    station.reader_service.reader_timeout = 0.3
    give_on_reader(qtbot, window)
    reader_waits(qtbot, window)
    station.present_on_reader("approve")  # the donor taps; then the venue Wi-Fi drops
    simulator.network_down = True
    finished(qtbot, window, "in_doubt")
    assert window.result.retry.isVisible()
    simulator.network_down = False
    qtbot.mouseClick(window.result.retry, Qt.MouseButton.LeftButton)
    finished(qtbot, window, "approved")
    assert station.reader_service.reader.payment_intents_created == 1
    assert len(simulator.charges) == 1


def test_a_donor_button_pressed_before_the_reader_waits_says_so(
    qtbot, window: MainWindow
) -> None:
    """The training buttons only act while a card is wanted; a stray F5 does nothing."""
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.result.state == "ready" and window.result.outcome is None


def test_lead_turns_typed_cards_off_and_the_form_follows(
    qtbot, window: MainWindow, reader_station: Station
) -> None:
    from pos_app.ui.settings_tab import SettingsTab

    tab = SettingsTab(reader_station, window.tasks, window.live)
    qtbot.addWidget(tab)
    assert tab.keyed_entry.isChecked()
    tab.keyed_entry.setChecked(False)
    qtbot.waitUntil(lambda: "reader only" in tab.cards_feedback.text(), timeout=5000)
    f = window.form
    qtbot.waitUntil(lambda: not f.entry.keyed, timeout=20000)  # pushed by the settings notice
    assert f.card_on_reader and not f.card_box.isVisible() and not f.entry_box.isVisible()
    assert "Typing a card number is off" in f.reader_note.text()
    assert f.method is Method.CARD
    # the choice survives a restart of the window (kept in the station's database)
    assert reader_station.card_entry.default == "reader"
    tab.keyed_entry.setChecked(True)
    qtbot.waitUntil(lambda: f.entry.keyed, timeout=20000)
    assert f.entry_box.isVisible() and f.card_on_reader  # the volunteer's choice is kept


def test_a_usb_swipe_where_only_the_reader_may_take_cards_is_refused(
    qtbot, window: MainWindow, reader_station: Station
) -> None:
    from pos_app.domain.track import parse_swipe

    reader_station.allow_keyed_entry(False)
    window.form.set_entry(reader_station.card_entry)
    window.form.fill_from_swipe(
        parse_swipe("%B4111111111111111^DOE/JANE^2812101000000000?")
    )
    assert "use the reader" in window.form.errors["entry"].text()
    assert window.form.number.text() == ""
