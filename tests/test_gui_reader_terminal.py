"""The volunteer's window on a Stripe Terminal reader: the real adapter, over real HTTP, to
the Terminal test peer (tests/support/terminal_peer.py) with a simulated WisePOS E on a test
key. Card means "on the reader" (typing is off by default beside a real reader); the donor
is played through Stripe's test helper from the window's own buttons (F5, F6), as IT would
on a test account. Exactly one PaymentIntent and at most one charge per gift, counted by the
peer. No timing asserts: the tests wait on states."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TERMINAL_TEST_KEY
from PySide6.QtCore import Qt
from support.fault_proxy import FaultProxy
from support.processes import localstripe_stats, set_reader_status

from pos_app.api import Station, open_station
from pos_app.payments.stripe_terminal import StripeTerminalProcessor
from pos_app.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(90)


def terminal_station(data_dir: Path, url: str, reader_id: str) -> Iterator[Station]:
    p = StripeTerminalProcessor(TERMINAL_TEST_KEY, reader_id, api_base=url, timeout=2.0)
    with open_station(data_dir=data_dir, processor=p) as st:
        assert st.reader_service is not None
        st.reader_service.poll_s = 0.02
        yield st
    p.close()


@pytest.fixture
def st(data_dir: Path, localstripe: str, terminal_reader: str) -> Iterator[Station]:
    yield from terminal_station(data_dir, localstripe, terminal_reader)


@pytest.fixture
def watcher(localstripe: str, terminal_reader: str) -> Iterator[StripeTerminalProcessor]:
    """The test's own view of the peer (direct, never through a proxy)."""
    p = StripeTerminalProcessor(TERMINAL_TEST_KEY, terminal_reader, api_base=localstripe)
    yield p
    p.close()


def open_window(qtbot, station: Station) -> MainWindow:
    w = MainWindow(station)
    w.confirm_close = lambda _summary: True
    qtbot.addWidget(w)
    with qtbot.waitActive(w):  # F-keys reach an active window only
        w.show()
        w.activateWindow()
    return w


@pytest.fixture
def window(qtbot, st: Station) -> Iterator[MainWindow]:
    w = open_window(qtbot, st)
    yield w
    w.close()


def send_to_reader(qtbot, w: MainWindow, watcher: StripeTerminalProcessor) -> None:
    """F2 ($50), the donor's name, Enter; back when the reader is waiting for the card."""
    qtbot.keyClick(w.form.amount, Qt.Key.Key_F2)
    qtbot.keyClicks(w.form.name, "Ada Lovelace")
    qtbot.keyClick(w.form.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.result.state == "reader", timeout=5000)
    qtbot.waitUntil(lambda: watcher.reader_action(5).status == "in_progress", timeout=10000)


def finished(qtbot, w: MainWindow, state: str) -> None:
    qtbot.waitUntil(lambda: w.result.state == state and not w._busy, timeout=20000)


def test_card_means_the_reader_and_typing_is_off(window: MainWindow) -> None:
    f = window.form
    assert f.card_on_reader and not f.entry.keyed and not f.card_box.isVisible()
    assert not f.entry_box.isVisible()
    assert "Typing a card number is off" in f.reader_note.text()
    assert "(test)" in window.mode_label.text() or "reader" in window.mode_label.text()


def test_approve_on_the_terminal_reader(
    qtbot, window: MainWindow, watcher: StripeTerminalProcessor, localstripe: str
) -> None:
    before = localstripe_stats(localstripe)
    send_to_reader(qtbot, window, watcher)
    assert window.result.donor_box.isVisible()  # a test key: Stripe's test helper taps
    qtbot.keyClick(window, Qt.Key.Key_F5)
    finished(qtbot, window, "approved")
    assert "•••• 4242 (tap)" in window.result.amount.text()
    after = localstripe_stats(localstripe)
    assert after["card_present_payment_intents"] == before["card_present_payment_intents"] + 1
    assert after["charges_succeeded"] == before["charges_succeeded"] + 1


def test_decline_on_the_terminal_reader(
    qtbot, window: MainWindow, watcher: StripeTerminalProcessor, localstripe: str
) -> None:
    before = localstripe_stats(localstripe)
    send_to_reader(qtbot, window, watcher)
    qtbot.keyClick(window, Qt.Key.Key_F6)
    finished(qtbot, window, "declined")
    out = window.result.outcome
    assert out is not None and watcher.payment(out.reference, 5).status == "canceled"
    after = localstripe_stats(localstripe)
    assert after["card_present_payment_intents"] == before["card_present_payment_intents"] + 1
    assert after["charges_succeeded"] == before["charges_succeeded"]


def test_esc_cancels_on_the_terminal_reader(
    qtbot, window: MainWindow, watcher: StripeTerminalProcessor, localstripe: str
) -> None:
    before = localstripe_stats(localstripe)
    send_to_reader(qtbot, window, watcher)
    qtbot.keyClick(window.form.name, Qt.Key.Key_Escape)
    finished(qtbot, window, "failed")
    assert "Nothing was charged" in window.result.detail.text()
    assert watcher.reader_action(5).type is None  # the reader is idle again
    out = window.result.outcome
    assert out is not None and watcher.payment(out.reference, 5).status == "canceled"
    assert localstripe_stats(localstripe)["charges"] == before["charges"]


def test_offline_terminal_reader(
    qtbot, window: MainWindow, localstripe: str, terminal_reader: str
) -> None:
    set_reader_status(localstripe, terminal_reader, "offline")
    qtbot.keyClick(window.form.amount, Qt.Key.Key_F2)
    qtbot.keyClick(window.form.amount, Qt.Key.Key_Return)
    finished(qtbot, window, "failed")
    assert "press its power button" in window.result.detail.text()
    assert "Nothing was charged" in window.result.detail.text()


def test_answer_lost_after_the_tap_then_retry_settles_to_one_charge(
    qtbot, data_dir: Path, localstripe: str, terminal_reader: str,
    watcher: StripeTerminalProcessor,
) -> None:  # fmt: skip
    """The station reaches the peer through a fault proxy that drops everything once the
    donor taps (the venue Wi-Fi goes): the window says in doubt, never an error; with the
    network back, Retry reads the PaymentIntent: approved, one PaymentIntent, one charge."""
    before = localstripe_stats(localstripe)
    with FaultProxy(localstripe, seed=5, weights={"drop_before": 1.0}) as proxy:
        for station in terminal_station(data_dir, proxy.url, terminal_reader):
            station.reader_service.reader_timeout = 1.0
            w = open_window(qtbot, station)
            send_to_reader(qtbot, w, watcher)
            proxy.rate = 1.0
            watcher.present("approve")
            finished(qtbot, w, "in_doubt")
            assert w.result.retry.isVisible() and "Waiting" in w.result.heading.text()
            proxy.rate = 0.0
            qtbot.mouseClick(w.result.retry, Qt.MouseButton.LeftButton)
            finished(qtbot, w, "approved")
            w.close()
    after = localstripe_stats(localstripe)
    assert after["card_present_payment_intents"] == before["card_present_payment_intents"] + 1
    assert after["charges"] == before["charges"] + 1
    assert after["charges_succeeded"] == before["charges_succeeded"] + 1
