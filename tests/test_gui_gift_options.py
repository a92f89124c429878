"""Gift options on the volunteer's form: the donor's consent to keep the card (no consent,
no save-card job), its default set by the lead, and the receipt's language."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from support.gui_fixtures import window  # noqa: F401 - fixture

from pos_app.api import Card, Donor, GiftOptions, Station
from pos_app.domain.states import Method
from pos_app.ui.main_window import MainWindow


def card_gift(qtbot, w: MainWindow) -> str:
    f = w.form
    f.set_amount(5000)
    for field, text in ((f.number, "4242424242424242"), (f.expiry, "12/30"), (f.cvc, "123"),
                        (f.name, "Ada Lovelace"), (f.email, "ada@example.org")):  # fmt: skip
        field.setText(text)
    qtbot.keyClick(f.email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.result.state == "approved" and not w._busy, timeout=10000)
    assert w.result.outcome is not None
    return w.result.outcome.donation_id


def kinds(station: Station, donation_id: str) -> set[str]:
    return {j.kind for j in station.jobs(donation_id)}


def test_consent_ticked_saves_the_card_unticked_does_not(
    qtbot, window: MainWindow, station: Station
) -> None:
    box = window.form.save_card
    assert box.isVisible() and box.isChecked() == station.save_cards_default
    box.setChecked(True)
    assert kinds(station, card_gift(qtbot, window)) == {"save_card", "receipt"}
    qtbot.keyClick(window.result.next, Qt.Key.Key_Return)  # next donor: the default again
    box.setChecked(False)
    donation_id = card_gift(qtbot, window)
    assert kinds(station, donation_id) == {"receipt"}  # no consent, no save-card job
    assert station.donation(donation_id).status == "approved"


def test_a_fresh_station_asks_keeping_a_card_is_opt_in(
    qtbot, window: MainWindow, station: Station
) -> None:
    """Card-network credential-on-file rules: the donor's explicit yes, never a pre-tick."""
    box = window.form.save_card
    assert station.save_cards_default is False
    assert box.isVisible() and box.isEnabled() and not box.isChecked()
    assert window.form.gift_options().save_card is False
    form_gift = card_gift(qtbot, window)  # the box left as it came
    assert kinds(station, form_gift) == {"receipt"}
    card = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
    facade = station.take_card_donation(  # save_card=None: the station's default
        5000, Donor("Bea Facade", "bea@example.org"), card, GiftOptions()
    )
    assert facade.status == "approved" and facade.donation_id is not None
    assert kinds(station, facade.donation_id) == {"receipt"}  # no save-card job
    assert station.find_saved_donors("bea@example.org") == []


def test_the_leads_default_reaches_the_form(qtbot, window: MainWindow, station: Station) -> None:
    assert not window.form.save_card.isChecked()  # opt-in until the lead says otherwise
    station.set_save_cards_default(True)
    window.poll()
    qtbot.waitUntil(lambda: window.form.save_card.isChecked(), timeout=10000)
    station.set_save_cards_default(False)
    window.poll()
    qtbot.waitUntil(lambda: not window.form.save_card.isChecked(), timeout=10000)
    window.form.set_save_default(True, True)  # the lead ticks it again...
    window.form.save_card.setChecked(False)  # ...the volunteer's answer for this donor stays
    window.form.set_save_default(True, True)  # what the next settings notice delivers
    assert not window.form.save_card.isChecked()


def test_no_card_no_consent_box(window: MainWindow) -> None:
    window.form.method_buttons[Method.CASH].setChecked(True)
    assert not window.form.save_card.isVisible()
    assert window.form.gift_options().save_card is False


def test_the_receipt_language_is_kept_with_the_gift(
    qtbot, window: MainWindow, station: Station
) -> None:
    window.form.language.setCurrentIndex(window.form.language.findData("es"))
    donation_id = card_gift(qtbot, window)
    assert station.donation(donation_id).receipt_language == "es"
    qtbot.keyClick(window.result.next, Qt.Key.Key_Return)
    assert window.form.language.currentData() == "en"  # each donor chooses again
