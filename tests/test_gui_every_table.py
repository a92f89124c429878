"""The lead's "Every table" tab: what needs a person at every station, read from the central
PostgreSQL, and a bounced receipt's email fixed from the lead's desk for another table's
gift — the owning table applies it through its sync and the receipt reaches a real SMTP
server (aiosmtpd). A station's own login reads totals only and says how to become a lead's;
without a central store the tab is not there."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parseaddr
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from PySide6.QtCore import Qt
from support.central_event import fresh_event
from support.job_fixtures import FROM, smtp_server  # noqa: F401
from support.jobwait import wait_for
from support.memory_keyring import MemoryKeyring
from support.pg_server import PgServer
from support.smtp_server import SmtpServer
from support.sync_station import all_shared, central, sharing_station
from test_gui_lead_desk import set_pin

from pos_app.api import Donor, Station
from pos_app.central.connect import parse_url
from pos_app.changes import Change, Topic
from pos_app.secrets import CENTRAL_PASSWORD, SERVICE, SMTP_PASSWORD
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.tables_screen import TablesScreen
from pos_app.ui.tasks import TaskRunner

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

@pytest.fixture
def ev(pg: PgServer) -> PgServer:
    """An event of this test's own (other tests' stations are in the shared one)."""
    return fresh_event(pg)



def same_password(ev: PgServer, *roles: str, password: str) -> None:
    """Both stations live in this one test process, which has one keyring: give their
    roles one password (each real laptop has its own keyring and its own)."""
    with psycopg.connect(ev.admin_url, autocommit=True) as c:
        for role in roles:
            c.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)))


@pytest.fixture
def tables(
    tmp_path: Path, ev: PgServer, ring: MemoryKeyring, smtp_server: SmtpServer  # noqa: F811
) -> Iterator[tuple[Station, Station]]:
    """A far table whose receipts go to the SMTP server, and the lead's desk."""
    ring.set_password(SERVICE, SMTP_PASSWORD, smtp_server.password)
    (tmp_path / "far").mkdir()
    (tmp_path / "lead").mkdir()
    receipts = (
        f'[receipts]\nprovider = "smtp"\nsender = "{FROM}"\nhost = "127.0.0.1"\n'
        f'port = {smtp_server.port}\nusername = "{smtp_server.username}"\ntimeout = 5.0\n'
        f'ca_file = "{smtp_server.cert_file}"\n'
    )
    with sharing_station(tmp_path / "far", ev, ring, "Far Table", extra=receipts) as far:
        with sharing_station(tmp_path / "lead", ev, ring, "Lead Desk", lead=True) as lead:
            password = ring.get_password(SERVICE, CENTRAL_PASSWORD) or ""
            same_password(ev, parse_url(far.settings.central.url).user, password=password)
            yield far, lead


def test_the_lead_fixes_a_far_tables_bounced_receipt_from_the_desk(
    qtbot, tables: tuple[Station, Station], ev: PgServer, smtp_server: SmtpServer  # noqa: F811
) -> None:
    far, lead = tables
    far.start_jobs()
    lead.start_jobs()
    gift = far.record_donation(2000, Donor("Bo Bounce", "bounce@example.org"), "cash")
    wait_for(lambda: central(ev, "SELECT count(*) FROM tableside.jobs WHERE donation_id = %s "
                                 "AND state = 'needs_attention'", gift.donation_id) == [(1,)],
             why="the bounced receipt shared as needing attention")  # fmt: skip

    # The facade: a lead's login reads every table; a station's reads totals only.
    seen = lead.attention_everywhere()
    assert seen is not None and seen.lead
    [job] = [j for j in seen.jobs if j.donation_id == gift.donation_id]
    assert (job.station_name, job.kind, job.donor_name, job.amount_cents) == (
        "Far Table", "receipt", "Bo Bounce", 2000)
    assert "bounce@example.org" in job.problem or job.problem
    own = far.attention_everywhere()
    assert own is not None and not own.lead and own.jobs == []

    tasks = TaskRunner()
    w = LeadWindow(lead, tasks)
    qtbot.addWidget(w)
    w.show()
    try:
        set_pin(qtbot, w)
        screen = w.screens["tables"]
        assert isinstance(screen, TablesScreen)
        titles = [w.tabs.tabText(i) for i in range(w.tabs.count())]
        assert "Every table" in titles
        w.tabs.setCurrentWidget(screen)
        qtbot.waitUntil(lambda: screen.table.rowCount() == 1, timeout=20000)
        assert "1 job needs attention at 1 table" in screen.heading.text()
        cells = [screen.table.item(0, c).text() for c in range(screen.table.columnCount())]
        assert cells[0] == "Far Table" and "Bo Bounce" in cells and "$20.00" in cells

        screen.table.selectRow(0)
        assert screen.email_edit.isEnabled()
        assert screen.email_edit.text() == "bounce@example.org"
        assert "Type the right address" in screen.detail.text()
        screen.email_edit.clear()
        qtbot.keyClicks(screen.email_edit, "bo@example")
        qtbot.keyClick(screen.email_edit, Qt.Key.Key_Return)
        assert "email" in screen.status.text().lower()  # said plainly, nothing sent
        assert central(ev, "SELECT count(*) FROM tableside.corrections") == [(0,)]
        qtbot.keyClicks(screen.email_edit, ".org")
        qtbot.keyClick(screen.email_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: screen.status.text().startswith("Sent to Far Table"),
                        timeout=20000)  # fmt: skip
        qtbot.waitUntil(lambda: "Email fix sent" in screen.table.item(0, 4).text(),
                        timeout=20000)  # fmt: skip

        far.sync_now()  # else its heartbeat picks the fix up within the minute
        wait_for(lambda: any(parseaddr(str(m["To"]))[1] == "bo@example.org"
                             for m in smtp_server.received()),
                 why="the receipt sent again to the corrected address")  # fmt: skip
        wait_for(lambda: all_shared(far), why="the far table shared the fixed job")
        qtbot.waitUntil(lambda: screen.table.rowCount() == 0, timeout=40000)
        assert "Nothing needs attention at any table" in screen.heading.text()
        assert far.donation(gift.donation_id or "").donor_email == "bo@example.org"
    finally:
        w.close()
        tasks.shutdown()


def test_the_centre_announces_another_tables_gift_at_once(
    tables: tuple[Station, Station],
) -> None:
    """Following the event turns the centre's notices into this station's change notices
    (Topic.EVENT) well before the 30 s poll."""
    far, lead = tables
    heard: list[Change] = []
    unsubscribe = lead.changes.subscribe(heard.append)
    unfollow = lead.follow_event()
    try:
        wait_for(lambda: lead.parts.central_sync._watcher is not None
                 and lead.parts.central_sync._watcher.listening, why="listening")  # fmt: skip
        heard.clear()
        far.start_jobs()
        far.record_donation(1500, Donor("Ada", ""), "cash")
        wait_for(lambda: any(Topic.EVENT in c for c in heard), timeout=20,
                 why="the centre's notice of the far table's gift")  # fmt: skip
    finally:
        unfollow()
        unfollow()  # safe twice
        unsubscribe()
    assert lead.parts.central_sync._watcher is None  # the last follower stopped it


def test_without_a_central_store_there_is_no_every_table_tab(
    qtbot, station: Station
) -> None:
    tasks = TaskRunner()
    w = LeadWindow(station, tasks)
    qtbot.addWidget(w)
    try:
        assert "tables" not in w.screens
        assert station.attention_everywhere() is None
    finally:
        w.close()
        tasks.shutdown()


def test_a_stations_own_login_says_how_to_become_a_leads(
    qtbot, tables: tuple[Station, Station]
) -> None:
    far, _lead = tables
    tasks = TaskRunner()
    w = LeadWindow(far, tasks)
    qtbot.addWidget(w)
    w.show()
    try:
        set_pin(qtbot, w)
        screen = w.screens["tables"]
        w.tabs.setCurrentWidget(screen)
        qtbot.waitUntil(lambda: "--lead" in screen.heading.text(), timeout=20000)
        assert not screen.email_btn.isEnabled()
    finally:
        w.close()
        tasks.shutdown()
