"""Give again from the volunteer's window, by keyboard, on the real station: F9, a few
letters of the name (or the email, or the paddle), and ONE key gives "$100 again on
Visa •••• 4242". The search runs off the GUI thread; a declined card on file says "Ask for
the card" and leaves the donor's details in the form for the card in hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from support.jobwait import wait_for
from test_gui_keyboard import Keyboard, wait_state

from pos_app.api import Card, Donor, GiftOptions, Station
from pos_app.store.models import Donation, DonorToken
from pos_app.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(120)
VISA = Card("4242424242424242", 12, 2030, "123")


@pytest.fixture
def window(qtbot, station: Station) -> Iterator[MainWindow]:
    w = MainWindow(station)
    w.confirm_close = lambda _summary: True
    qtbot.addWidget(w)
    with qtbot.waitActive(w):
        w.show()
        w.activateWindow()
    yield w
    w.close()
    station.stop_jobs()


def saved(station: Station, name: str = "Ada Lovelace", email: str = "ada@example.org",
          paddle: str | None = None) -> str:  # fmt: skip
    """A first gift whose card the background job saves; returns its ref."""
    out = station.take_card_donation(5000, Donor(name, email), VISA, GiftOptions(save_card=True))
    assert out.status == "approved"
    if paddle:
        with station.db.session() as s:
            row = s.get(Donation, out.donation_id)
            assert row is not None
            row.paddle = paddle  # checked in with a paddle (the gala screen sets it)
    station.start_jobs()
    wait_for(lambda: station.find_saved_donors(email), why="the card to be saved")
    return station.find_saved_donors(email)[0].ref


def test_give_again_takes_one_key_once_the_donor_is_found(
    qtbot, window: MainWindow, station: Station
) -> None:
    saved(station)
    kb = Keyboard(qtbot, window)
    kb.type("100")
    kb.nav(Qt.Key.Key_F9)
    panel = window.give_again
    assert panel.isVisible() and panel.search.hasFocus()
    kb.type("lovelace")
    qtbot.waitUntil(lambda: panel.matches.count() == 1, timeout=10000)
    assert panel.matches.item(0).text() == "Ada Lovelace · Visa •••• 4242"
    assert panel.give_btn.accessibleName() == "Give $100.00 again on Visa •••• 4242"
    assert panel.give_btn.text() == "Give $100.00 again on\nVisa •••• 4242  (Enter)"
    found_at = len(kb.nav_keys)
    kb.nav(Qt.Key.Key_Return)
    wait_state(qtbot, window, "approved")
    after_found = kb.nav_keys[found_at:]
    print(f"\ngive again: {len(kb.nav_keys)} navigation keys {kb.nav_keys}; "
          f"{len(after_found)} once the donor is found: {after_found}")  # fmt: skip
    assert len(after_found) == 1 and len(kb.nav_keys) == 2
    again = window.result.outcome
    assert again is not None and window.result.amount.text() == "$100.00 — Visa •••• 4242"
    d = station.donation(again.donation_id)
    assert (d.amount_cents, d.donor_email, d.last4) == (10000, "ada@example.org", "4242")
    kb.nav(Qt.Key.Key_Return)  # the next donor: a clean form, the panel closed
    assert window.result.state == "ready" and not panel.isVisible()


def test_by_paddle_with_the_forms_options_and_the_last_gift_by_default(
    qtbot, window: MainWindow, station: Station
) -> None:
    saved(station, "Grace Hopper", "grace@example.org", paddle="112")
    saved(station, "Grace Kelly", "kelly@example.org")
    f = window.form
    f.cover_fee.setChecked(True)
    f.more.kind.setCurrentIndex(1)
    f.more.honoree.setText("the volunteers")
    kb = Keyboard(qtbot, window)
    kb.nav(Qt.Key.Key_F9)
    kb.type("grace")
    panel = window.give_again
    qtbot.waitUntil(lambda: panel.matches.count() == 2, timeout=10000)
    assert panel.chosen is not None and panel.chosen.email == "kelly@example.org"  # newest
    kb.nav(Qt.Key.Key_Down)  # the other Grace
    assert panel.chosen is not None and panel.chosen.email == "grace@example.org"
    panel.search.clear()
    kb.type("112")
    qtbot.waitUntil(lambda: panel.matches.count() == 1, timeout=10000)
    assert panel.matches.item(0).text() == "Grace Hopper · Visa •••• 4242 · paddle 112"
    fee = station.fee_for(5000)
    assert panel.give_btn.accessibleName() == (
        f"Give $50.00 (+ ${fee / 100:.2f} fee) again on Visa •••• 4242")
    kb.nav(Qt.Key.Key_Return)
    wait_state(qtbot, window, "approved")
    outcome = window.result.outcome
    assert outcome is not None
    d = station.donation(outcome.donation_id)
    assert (d.gift_cents, d.fee_cents, d.paddle) == (5000, fee, "112")
    assert (d.dedication_kind, d.dedication_name) == ("honour", "the volunteers")


def test_a_refused_card_on_file_says_ask_for_the_card_and_keeps_the_donor(
    qtbot, window: MainWindow, station: Station
) -> None:
    ref = saved(station)
    declining = station.processor.create_payment_method(
        Card("4000000000000341", 12, 2030, "123"), "test-declining"
    )
    with station.db.session() as s:  # the card on file is now one its bank refuses
        token = s.get(DonorToken, ref)
        assert token is not None
        token.payment_method_id = declining.id
    before = station.totals().raised_cents
    kb = Keyboard(qtbot, window)
    kb.type("75")
    kb.nav(Qt.Key.Key_F9)
    kb.type("ada@")
    qtbot.waitUntil(lambda: window.give_again.matches.count() == 1, timeout=10000)
    kb.nav(Qt.Key.Key_Return)
    wait_state(qtbot, window, "declined")
    assert window.result.heading.text() == "Ask for the card: the card on file was refused"
    assert "declined" in window.result.detail.text()
    f = window.form
    assert (f.name.text(), f.email.text(), f.amount.text()) == (
        "Ada Lovelace", "ada@example.org", "75")
    assert f.number.hasFocus()  # the card in hand, the usual way
    assert station.totals().raised_cents == before
    type_in = Keyboard(qtbot, window)
    type_in.type("4242424242424242")
    type_in.type("1230")
    type_in.type("123")
    f.name.setFocus()
    type_in.nav(Qt.Key.Key_Return)
    wait_state(qtbot, window, "approved")
    assert station.totals().raised_cents == before + 7500


def test_esc_closes_it_and_no_match_says_so(qtbot, window: MainWindow) -> None:
    kb = Keyboard(qtbot, window)
    kb.nav(Qt.Key.Key_F9)
    kb.type("nobody")
    panel = window.give_again
    qtbot.waitUntil(lambda: "No card on file matches" in panel.note.text(), timeout=10000)
    assert not panel.give_btn.isEnabled()
    kb.nav(Qt.Key.Key_Escape)
    assert not panel.isVisible() and window.result.isVisible()
    assert window.form.amount.hasFocus()
