"""The lead's desk shows a chip or tap gift's card details as its receipt does (entry mode,
application, AID, verification in words, authorization code); other gifts show none.

The gift is a tap on training's simulated reader (a Visa Credit, no cardholder
verification); what the desk reads is the facade's donations page, as in the app."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from support.jobwait import wait_for
from test_gui_lead_desk import set_pin

from pos_app.api import Card, Donor, Outcome, Station
from pos_app.ui.desk import card_detail
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.tasks import TaskRunner

CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def tasks() -> Iterator[TaskRunner]:
    t = TaskRunner()
    yield t
    t.shutdown()


def tap_gift(st: Station) -> Outcome:
    result: list[Outcome] = []
    donor = Donor("Ada Lovelace", "ada@example.org")
    t = threading.Thread(target=lambda: result.append(st.take_reader_donation(5000, donor)))
    t.start()
    reader = st.reader_service.reader
    wait_for(lambda: reader._action.status == "in_progress" or not t.is_alive(),
             why="the reader never got the payment")  # fmt: skip
    st.present_on_reader("approve")
    t.join(30)
    assert result and result[0].status == "approved", result
    return result[0]


def test_desk_detail_shows_the_chip_fields_of_a_tap_gift(
    qtbot, station: Station, tasks: TaskRunner
) -> None:
    station.reader_service.poll_s = 0.01
    tap = tap_gift(station)
    typed = station.take_card_donation(2500, Donor("Cy", "cy@example.org"), CARD)
    cash = station.record_donation(1000, Donor("Di", ""), "cash")
    lead = LeadWindow(station, tasks)
    qtbot.addWidget(lead)
    lead.show()
    set_pin(qtbot, lead)
    desk = lead.desk
    lead.tabs.setCurrentWidget(desk)
    qtbot.waitUntil(lambda: len(desk.model.records()) == 3)

    desk.select_donation(tap.donation_id or "")
    detail = desk.card_detail.text()
    assert detail.startswith("Visa •••• 4242 — Entry mode: Contactless (tap) · ")
    for part in ("Application: Visa Credit", "AID: A0000000031010",
                 "Verification: No signature required", "Authorization code: "):  # fmt: skip
        assert part in detail, detail
    assert "Ada Lovelace" in desk.selected_label.text()

    for other in (typed, cash):
        desk.select_donation(other.donation_id or "")
        assert desk.card_detail.text() == ""
    desk.select_donation(tap.donation_id or "")
    assert desk.card_detail.text() == detail
    lead.close()


def test_detail_words_for_a_chip_and_pin_gift(station: Station) -> None:
    """The read behind the desk carries the stored fields; a PIN'd chip gift says so."""
    station.reader_service.poll_s = 0.01
    tap = tap_gift(station)
    record = station.donation(tap.donation_id or "")
    assert (record.entry_mode, record.emv_aid, record.emv_cvm) == (
        "contactless_emv", "A0000000031010", "none",
    )  # fmt: skip
    chip = dataclasses.replace(record, entry_mode="contact_emv", emv_cvm="online_pin")
    assert "Entry mode: Chip" in card_detail(chip)
    assert "Verification: PIN verified" in card_detail(chip)
    swiped = dataclasses.replace(record, entry_mode="magnetic_stripe_track2")
    assert card_detail(swiped) == ""
