"""The lead's window through pytest-qt: the PIN gate and its lock, refunds with a reason and
a confirming click, CSV export, the volunteer's calm banner and the closing summary."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from pos_app.api import Card, Donor, Station
from pos_app.ui.displays import screen_of
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner

CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def tasks() -> Iterator[TaskRunner]:
    t = TaskRunner()
    yield t
    t.shutdown()


@pytest.fixture
def lead(qtbot, station: Station, tasks: TaskRunner) -> Iterator[LeadWindow]:
    w = LeadWindow(station, tasks)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def set_pin(qtbot, w: LeadWindow, pin: str = "2468") -> None:
    qtbot.waitUntil(lambda: w.gate.confirm.isVisible() and w.gate.button.isEnabled())
    qtbot.keyClicks(w.gate.pin, pin)
    qtbot.keyClicks(w.gate.confirm, pin)
    with qtbot.waitSignal(w.gate.unlocked, timeout=10000):
        qtbot.keyClick(w.gate.confirm, Qt.Key.Key_Return)


def test_pin_is_set_on_first_use_then_asked_for(qtbot, lead: LeadWindow, station: Station):
    w = lead
    assert w.locked
    qtbot.waitUntil(lambda: "Choose a lead PIN" in w.gate.prompt.text())
    qtbot.keyClicks(w.gate.pin, "12")
    qtbot.keyClick(w.gate.pin, Qt.Key.Key_Return)
    assert w.gate.message.text() == "Use 4 to 8 digits."
    w.gate.pin.clear()
    qtbot.keyClicks(w.gate.pin, "2468")
    qtbot.keyClicks(w.gate.confirm, "2469")
    qtbot.keyClick(w.gate.confirm, Qt.Key.Key_Return)
    assert w.gate.message.text() == "The two PINs don't match."
    assert w.locked
    w.gate.pin.clear()
    set_pin(qtbot, w)
    assert w.tabs.isVisible() and station.lead_pin_is_set()

    qtbot.mouseClick(w.lock_btn, Qt.MouseButton.LeftButton)
    assert w.locked
    qtbot.waitUntil(lambda: "Enter the lead PIN" in w.gate.prompt.text())
    assert not w.gate.confirm.isVisible() and w.gate.button.isEnabled()
    qtbot.keyClicks(w.gate.pin, "1111")
    qtbot.keyClick(w.gate.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.gate.message.text() == "That PIN isn't right.")
    assert w.locked
    qtbot.keyClicks(w.gate.pin, "2468")
    qtbot.keyClick(w.gate.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not w.locked)


def test_the_pin_field_has_a_visible_label_and_a_prompt(qtbot, lead: LeadWindow):
    gate = lead.gate
    qtbot.waitUntil(lambda: gate.confirm.isVisible())
    assert gate.pin_label.isVisible() and gate.pin_label.text() == "Lead PIN"
    assert gate.pin_label.buddy() is gate.pin and gate.confirm_label.buddy() is gate.confirm
    assert gate.pin.placeholderText() == "4 to 8 digits"
    assert gate.confirm_label.isVisible() and gate.confirm.placeholderText()


def test_desk_locks_itself_after_inactivity(qtbot, station: Station, tasks: TaskRunner):
    w = LeadWindow(station, tasks, lock_after_ms=150)
    qtbot.addWidget(w)
    w.show()
    set_pin(qtbot, w)
    qtbot.waitUntil(lambda: w.locked, timeout=5000)
    w.close()


def test_refund_needs_a_reason_and_a_second_click(
    qtbot, lead: LeadWindow, station: Station, simulator
):
    kept = station.take_card_donation(5000, Donor("Keep Me", ""), CARD)
    wrong = station.take_card_donation(2500, Donor("Charged Twice", "twice@example.org"), CARD)
    assert wrong.status == kept.status == "approved"
    set_pin(qtbot, lead)
    desk = lead.desk
    lead.tabs.setCurrentWidget(desk)
    qtbot.waitUntil(lambda: len(desk.model.records()) == 2)
    assert desk.raised.text().startswith("Raised $75.00")
    desk.select_donation(wrong.donation_id)
    assert "Charged Twice" in desk.selected_label.text()
    assert desk.refund_btn.text() == "Refund $25.00…"
    qtbot.mouseClick(desk.refund_btn, Qt.MouseButton.LeftButton)
    assert "Give a reason" in desk.feedback.text()
    qtbot.keyClicks(desk.reason, "charged twice by mistake")
    qtbot.mouseClick(desk.refund_btn, Qt.MouseButton.LeftButton)
    assert desk.refund_btn.text() == "Confirm: give back $25.00 to Visa •••• 4242"
    assert station.donation(wrong.donation_id).status == "approved"  # not yet
    qtbot.mouseClick(desk.refund_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: station.donation(wrong.donation_id).status == "refunded")
    qtbot.waitUntil(lambda: desk.raised.text().startswith("Raised $50.00"))
    assert "refunded $25.00" in desk.stats.text()
    # the row follows by the next read at the latest (totals and rows are separate reads)
    qtbot.waitUntil(lambda: getattr(desk.model.record(wrong.donation_id), "status", "")
                    == "refunded")  # fmt: skip
    assert station.donation(kept.donation_id).status == "approved"
    # still selected: the button says what happened and can't be pressed again
    qtbot.waitUntil(lambda: desk.refund_btn.text() == "Refunded")
    assert not desk.refund_btn.isEnabled()
    assert "↩ Refunded" in desk.selected_label.text()


def test_export_reads_back_to_the_same_donations(
    qtbot, lead: LeadWindow, station: Station, tmp_path: Path
):
    a = station.take_card_donation(5000, Donor("Ada", "ada@example.org"), CARD)
    b = station.record_donation(2000, Donor("Bob", ""), "cash")
    set_pin(qtbot, lead)
    target = tmp_path / "night.csv"
    lead.desk.export(path=target)
    qtbot.waitUntil(lambda: "Exported 2 rows" in lead.desk.feedback.text())
    with target.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_id = {r["Donation ID"]: r for r in rows}
    assert set(by_id) == {a.donation_id, b.donation_id}
    assert (by_id[a.donation_id]["Amount"], by_id[a.donation_id]["Last 4"]) == ("50.00", "4242")
    assert (by_id[b.donation_id]["Method"], by_id[b.donation_id]["Amount"]) == ("cash", "20.00")
    assert "4242424242424242" not in target.read_text()


@pytest.fixture
def main_window(qtbot, station: Station) -> Iterator[MainWindow]:
    w = MainWindow(station)
    w.confirm_close = lambda _summary: True  # no modal "close with pending work?" in tests
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def test_ctrl_l_opens_the_lead_desk_behind_the_pin(qtbot, main_window: MainWindow):
    qtbot.keyClick(main_window.form.amount, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert main_window.lead_window is not None and main_window.lead_window.isVisible()
    assert main_window.lead_window.locked
    # sized to the screen the volunteer's window is on, never past it
    area = screen_of(main_window).availableGeometry()
    assert area.contains(main_window.lead_window.frameGeometry())
    qtbot.waitUntil(lambda: main_window.lead_window.gate.button.isEnabled())


def test_closing_with_pending_work_says_what_will_happen(
    qtbot, main_window: MainWindow, station: Station
):
    station.record_donation(2000, Donor("Ada", "ada@example.org"), "cash")  # a receipt job
    qtbot.waitUntil(lambda: main_window.closing_summary is not None)
    asked: list[str] = []
    main_window.confirm_close = lambda summary: asked.append(summary) or False
    main_window.close()
    assert main_window.isVisible()  # the lead chose to keep it open
    assert "receipt" in asked[0]
