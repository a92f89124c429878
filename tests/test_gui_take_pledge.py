"""The volunteer takes a gift the table can't charge as a pledge the donor pays by link,
through pytest-qt on the real window and station (training's simulator and its links):
after a decline (the button or Alt+P), or before any card; the donor's email is asked for
in words; a gift that may have been charged is never offered a second way to pay."""

from __future__ import annotations

from PySide6.QtCore import Qt
from support.gui_fixtures import window  # noqa: F401 - fixture
from support.jobwait import wait_for

from pos_app.api import Station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.ui.main_window import MainWindow


def fill(w: MainWindow, number: str, email: str = "ada@example.org") -> None:
    f = w.form
    f.set_amount(12500)
    for field, text in ((f.number, number), (f.expiry, "12/30"), (f.cvc, "123"),
                        (f.name, "Ada Lovelace"), (f.email, email)):  # fmt: skip
        field.setText(text)


def test_a_declined_card_becomes_a_pledge_paid_by_link(
    qtbot, window: MainWindow, station: Station, simulator: SimulatorProcessor
) -> None:
    w = window
    station.start_jobs()
    fill(w, "4000000000000002")  # declined
    qtbot.keyClick(w.form.email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.result.state == "declined" and not w._busy, timeout=10000)
    assert w.result.pledge.isVisible()
    qtbot.keyClick(w.form.number, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: w.result.state == "pledged", timeout=10000)
    assert w.result.heading.text() == "Pledge taken" and w.result.amount.text() == "$125.00"
    assert "ada@example.org" in w.result.detail.text()
    assert w.form.number.text() == ""  # no card data kept for a pledge
    [pledge] = station.pledges()
    assert (pledge.amount_cents, pledge.name) == (12500, "Ada Lovelace")
    wait_for(lambda: station.pledges()[0].state == "link_sent", why="the link sent")
    assert len(simulator.links.sessions) == 1
    qtbot.keyClick(w.result.next, Qt.Key.Key_Return)  # Enter moves on
    qtbot.waitUntil(lambda: w.result.state == "ready")
    qtbot.keyClick(w.form.amount, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert len(station.pledges()) == 1  # an empty form takes nothing


def test_a_pledge_before_any_card_needs_the_email(
    qtbot, window: MainWindow, station: Station
) -> None:
    w = window
    fill(w, "", email="")
    qtbot.keyClick(w.form.amount, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert "enter the donor's email" in w.form.errors["email"].text()
    assert w.form.email.hasFocus()
    assert station.pledges() == []
    w.form.email.setText("ada@example.org")
    qtbot.keyClick(w.form.amount, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: w.result.state == "pledged", timeout=10000)
    assert [p.amount_cents for p in station.pledges()] == [12500]


def test_an_approved_or_doubtful_gift_is_never_offered_a_pledge(
    qtbot, window: MainWindow, station: Station, simulator: SimulatorProcessor
) -> None:
    w = window
    fill(w, "4242424242424242")
    qtbot.keyClick(w.form.email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.result.state == "approved" and not w._busy, timeout=10000)
    assert not w.result.pledge.isVisible()
    qtbot.keyClick(w.result.next, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert station.pledges() == []
    qtbot.keyClick(w.result.next, Qt.Key.Key_Return)
    simulator.lose_next_response = True  # charged, but the answer never came: in doubt
    fill(w, "4242424242424242")
    qtbot.keyClick(w.form.email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.result.state == "in_doubt" and not w._busy, timeout=20000)
    assert not w.result.pledge.isVisible()
    qtbot.keyClick(w.form.number, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert station.pledges() == []
