"""The event screen for the projector, opened from the lead desk on a chosen display: this
table's total and thermometer large, updated by the next gift, a ticker that names donors
the way a room may see them ("Ada L.", "Anonymous", never an email) and leaves out what
was refunded; with a central store, the whole event's total, updated by another station's
gift, and "as of … (offline)" when the centre can't be reached."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.central_event import fresh_event
from support.gui_fixtures import desk  # noqa: F401 - fixture
from support.memory_keyring import MemoryKeyring
from support.pg_server import PgServer
from support.sync_station import all_shared, sharing_station, station_process
from test_gui_lead_desk import set_pin

from pos_app.api import Donor, Station
from pos_app.domain.gift import GiftOptions
from pos_app.ui.charts import whole_money
from pos_app.ui.event_screen import EventScreen
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.tasks import TaskRunner

TESTS = Path(__file__).resolve().parent



def test_the_lead_opens_it_on_a_display_and_the_next_gift_shows(
    qtbot, desk: LeadWindow, station: Station
) -> None:
    desk._list_displays()  # the button's menu: one entry per display
    actions = [a for a in desk.event_menu.actions() if a.text()]
    assert actions and actions[0].text().startswith("Show on display 1:")
    actions[0].trigger()
    screen = desk.event_screen
    assert isinstance(screen, EventScreen) and screen.isVisible() and screen.isFullScreen()
    qtbot.waitUntil(lambda: screen.raised.text() == "$0")
    assert screen.as_of.text() == "This table's gifts"
    station.record_donation(5000, Donor("Ada Lovelace", "ada@example.org"), "cash")
    qtbot.waitUntil(lambda: screen.raised.text() == "$50", timeout=20000)  # pushed
    assert screen.gifts.text() == "1 gift"
    assert "Ada L. $50" in screen.ticker.text().replace("\xa0", " ")
    assert "ada@example.org" not in screen.ticker.text()


def test_the_ticker_respects_anonymous_donors_and_refunds(
    qtbot, desk: LeadWindow, station: Station
) -> None:
    station.record_donation(
        10000, Donor("Secret Donor", "s@example.org"), "cash",
        options=GiftOptions(anonymous=True),
    )  # fmt: skip
    void = station.record_donation(2500, Donor("Grace Hopper", "g@example.org"), "cash")
    assert station.refund(void.donation_id or "", "Wrong table").status == "voided"
    station.record_donation(700, Donor("Katherine Johnson", "k@example.org"), "check", "12")
    screen = desk.open_event_screen()
    qtbot.waitUntil(lambda: "Katherine\xa0J." in screen.ticker.text(), timeout=20000)
    text = screen.ticker.text().replace("\xa0", " ")
    assert "Anonymous $100" in text and "Secret" not in text
    assert "Grace" not in text  # a voided gift is not thanked in public
    assert screen.raised.text() == "$107"


def test_an_open_paddle_raise_shows_live_under_the_total(
    qtbot, desk: LeadWindow, station: Station
) -> None:
    screen = desk.open_event_screen()
    qtbot.waitUntil(lambda: screen.raised.text() == "$0", timeout=20000)
    assert not screen.raise_total.isVisible()  # no raise open: nothing about one
    for name, paddle in (("Ada Lovelace", 112), ("Grace Hopper", 113), ("Alan Turing", 114)):
        station.check_in(Donor(name, f"{name.split()[0].lower()}@example.org"), paddle=paddle)
    raise_id = station.open_paddle_raise("Fund a kitchen", [500000, 100000, 50000])
    qtbot.waitUntil(lambda: screen.raise_total.text() == "Fund a kitchen: hands up!",
                    timeout=20000)  # fmt: skip
    assert screen.raise_total.isVisible() and not screen.raise_levels.isVisible()
    for paddle, cents in (("112", 500000), ("113", 50000), ("114", 50000), ("112", 12500)):
        station.pledge(raise_id, paddle, cents)  # the last: an amount off the levels
    qtbot.waitUntil(lambda: screen.raise_total.text()
                    == "Fund a kitchen: $6,125 pledged by 4 hands", timeout=20000)  # fmt: skip
    assert screen.raise_levels.text().replace("\xa0", " ") == "$5,000 × 1  ·  $500 × 2  ·  $125 × 1"
    assert screen.raised.text() == "$0"  # pledged is not raised: waiting for checkout
    undone = station.pledges(raise_id)[-1]
    station.undo_pledge(undone.id)
    qtbot.waitUntil(lambda: screen.raise_total.text().endswith("$6,000 pledged by 3 hands"),
                    timeout=20000)  # fmt: skip
    station.close_paddle_raise(raise_id)
    qtbot.waitUntil(lambda: not screen.raise_total.isVisible(), timeout=20000)
    assert not screen.raise_levels.isVisible()


def test_esc_closes_it_and_closing_the_app_closes_it(qtbot, desk: LeadWindow) -> None:
    screen = desk.open_event_screen()
    qtbot.waitUntil(screen.isVisible)
    screen.close()
    assert not screen.isVisible()
    desk.open_event_screen()
    desk.close_event_screen()
    assert desk.event_screen is None


def other_table(tmp_path: Path, pg: PgServer, name: str) -> dict:  # type: ignore[type-arg]
    """Another station, in a process (and keyring) of its own, takes cash gifts for a
    moment, is killed, then shares everything it took: its own totals."""
    config, data, env = station_process(tmp_path, pg, name)
    args = [sys.executable, str(TESTS / "support" / "sync_proc.py"), str(config), str(data)]
    take = subprocess.Popen([*args, "take"], env=env, stdout=subprocess.PIPE, text=True)
    assert take.stdout is not None and take.stdout.readline().startswith("GIFT ")
    take.kill()
    take.wait()
    quiet = subprocess.run([*args, "quiet"], env=env, capture_output=True, text=True,
                           timeout=180, check=True)  # fmt: skip
    shared = json.loads(quiet.stdout.strip().splitlines()[-1])
    assert shared["pending"] == 0 and shared["gifts"] >= 1, shared
    return shared


def test_another_tables_gift_reaches_the_event_screen(
    qtbot, tmp_path: Path, pg: PgServer, ring: MemoryKeyring
) -> None:
    with sharing_station(tmp_path, pg, ring, "Screen Table A") as a:
        a.start_jobs()
        mine = a.record_donation(5000, Donor("Ada Lovelace", "ada@example.org"), "cash")
        assert mine.status == "recorded"
        qtbot.waitUntil(lambda: all_shared(a), timeout=30000)
        tasks = TaskRunner()
        screen = EventScreen(a, tasks)
        qtbot.addWidget(screen)
        screen.show()
        try:
            qtbot.waitUntil(lambda: screen.as_of.text() == "Every table, live", timeout=30000)
            before = a.event_totals()
            assert before is not None
            b = other_table(tmp_path, pg, "Screen Table B")
            want = whole_money(before.raised_cents + b["raised_cents"], "usd")
            screen.refresher.refresh()  # what its 5 s poll of the centre does
            qtbot.waitUntil(lambda: screen.raised.text() == want, timeout=30000)
            assert screen.as_of.text() == "Every table, live"
            # the ticker thanks every table's donors, first names only, from the centre
            qtbot.waitUntil(lambda: "Donor\xa0" in screen.ticker.text(), timeout=30000)
            assert "Lovelace" not in screen.ticker.text()
        finally:
            screen.close()
            tasks.shutdown()


def test_the_leads_desk_shows_the_whole_event(
    qtbot, tmp_path: Path, pg: PgServer, ring: MemoryKeyring
) -> None:
    """The desk's line for the whole event: every table's total, live; the headline and
    the chart are the whole event's. An event of its own: the shared one holds other
    tests' gifts, some with their clocks moved (the chart shows the last day)."""
    pg = fresh_event(pg)
    with sharing_station(tmp_path, pg, ring, "Desk Table A") as a:
        a.start_jobs()
        a.record_donation(3000, Donor("Ada Lovelace", "ada@example.org"), "cash")
        qtbot.waitUntil(lambda: all_shared(a), timeout=30000)
        b = other_table(tmp_path, pg, "Desk Table B")
        tasks = TaskRunner()
        w = LeadWindow(a, tasks)
        qtbot.addWidget(w)
        w.show()
        try:
            set_pin(qtbot, w)
            line = w.desk.dashboard.event
            total = a.event_totals()
            assert total is not None
            assert total.raised_cents >= 3000 + b["raised_cents"]
            qtbot.waitUntil(lambda: "Desk Table B" in line.text() and "live" in line.text(),
                            timeout=30000)  # fmt: skip
            text = line.text()
            assert "Desk Table A" in text and "Desk Table B" in text
            assert "last heard" in text  # each table's health, as the centre last heard it
            assert "cash $" in text  # the whole event by method
            # the big figure, the thermometer and the chart are the whole event's
            board = w.desk.dashboard
            money = whole_money(total.raised_cents, "usd")
            qtbot.waitUntil(lambda: board.raised.text().startswith(
                f"All tables: {money}"), timeout=30000)  # fmt: skip
            assert board.stats.text().startswith("This table: 1 gift")
            assert sum(c for _t, c in board.chart.points) == total.raised_cents
        finally:
            w.close()
            tasks.shutdown()
