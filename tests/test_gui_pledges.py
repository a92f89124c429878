"""The lead's Pledges tab through pytest-qt, on the real station: every pledge with how it
is being collected, the progress line, and the lead's actions — send the pay link (again)
and read the links back — with the simulator's training links (a drill pays one)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from support.gui_fixtures import desk  # noqa: F401 - fixture
from support.jobwait import wait_for

from pos_app.api import Donor, Station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.pledges_screen import PledgesScreen


def state_of(station: Station, pledge_id: str) -> str:
    return next(p.state for p in station.pledges() if p.id == pledge_id)


def test_the_lead_follows_pledges_and_sends_a_link_again(
    qtbot, desk: LeadWindow, station: Station, simulator: SimulatorProcessor
) -> None:
    screen = desk.screens["pledges"]
    assert isinstance(screen, PledgesScreen)
    desk.tabs.setCurrentWidget(screen)
    qtbot.waitUntil(lambda: "No pledges yet" in screen.progress.text())
    station.start_jobs()
    ada = station.take_pledge(12500, Donor("Ada Lovelace", "ada@example.org"))
    grace = station.take_pledge(4000, Donor("Grace Hopper", "grace@example.org"))
    wait_for(lambda: {state_of(station, ada.id), state_of(station, grace.id)} == {"link_sent"},
             why="both links sent")  # fmt: skip
    qtbot.waitUntil(lambda: "2 links out" in screen.progress.text(), timeout=20000)
    assert screen.progress.text().startswith("0 of 2 paid ($0.00 of $165.00)")
    names = {screen.table.item(r, 1).text() for r in range(screen.table.rowCount())}
    assert names == {"Ada Lovelace", "Grace Hopper"}

    ada_link = next(sid for sid, link in simulator.links.sessions.items()
                    if link.amount_cents == 12500)  # fmt: skip
    simulator.links.pay(ada_link)  # the donor paid on the page
    qtbot.mouseClick(screen.check_btn, Qt.MouseButton.LeftButton)
    # the check's own answer, not only the progress line (the background watch or a
    # refresh may show the payment first; a check still running would then overwrite
    # the next action's status)
    qtbot.waitUntil(lambda: screen.status.text() == "Pay links checked.", timeout=20000)
    qtbot.waitUntil(lambda: screen.progress.text().startswith("1 of 2 paid ($125.00"),
                    timeout=20000)  # fmt: skip
    assert station.donation(ada.donation_id).status == "approved"

    screen.select_pledge(grace.id)
    assert screen.send_btn.isEnabled() and screen.send_btn.text() == "&Send the pay link again"
    qtbot.mouseClick(screen.send_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "on its way" in screen.status.text(), timeout=20000)
    wait_for(lambda: state_of(station, grace.id) == "link_sent", why="sent again")
    screen.select_pledge(ada.id)
    assert not screen.send_btn.isEnabled()  # paid: nothing to send



def test_checkout_charges_cards_on_file_and_links_the_rest_once(
    qtbot, desk: LeadWindow, station: Station, simulator: SimulatorProcessor
) -> None:
    """The end of the night: waiting pledges charged on the card a guest left since, the
    others sent a pay link; pressing it again starts nothing twice."""
    import datetime as dt

    from pos_app.api import Card

    station.start_jobs()
    station.check_in(Donor("Ada Lovelace", "ada@example.org"), paddle=110)
    station.check_in(Donor("Grace Hopper", "grace@example.org"), paddle=111)
    raise_id = station.open_paddle_raise("Fund a kitchen", [100000, 50000])
    for paddle in ("110", "111"):
        station.pledge(raise_id, paddle, 50000)  # no card on file yet: both wait
    visa = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
    station.check_in(Donor("Ada Lovelace", "ada@example.org"), card=visa)  # left a card
    screen = desk.screens["pledges"]
    desk.tabs.setCurrentWidget(screen)
    qtbot.waitUntil(lambda: "2 waiting" in screen.progress.text(), timeout=20000)
    qtbot.mouseClick(screen.checkout_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "1 charging on a card on file · 1 pay link going out"
                    in screen.status.text(), timeout=20000)  # fmt: skip
    wait_for(lambda: {p.paddle: p.state for p in station.pledges()}
             == {"110": "paid", "111": "link_sent"}, why="charged and linked")  # fmt: skip
    assert station.checkout_pledges().charged == 0  # again: nothing started twice
    assert len(simulator.links.sessions) == 1
    assert len(simulator.charges) == 1
    qtbot.waitUntil(lambda: screen.progress.text().startswith("1 of 2 paid"), timeout=20000)
