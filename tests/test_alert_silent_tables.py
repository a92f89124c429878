"""A table the centre stops hearing from pages the lead and IT: one station judges it (the
live one with the smallest id), from the event totals its sync job reads every minute,
and emails once through its receipt sender (a real SMTP server, aiosmtpd) and once more
when the table is back. The rule itself: off at 0, never judged from a stale view, never
by two tables at once, a table never heard from is not silent."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from support.central_event import fresh_event
from support.job_fixtures import FROM, smtp_server  # noqa: F401
from support.jobwait import wait_for
from support.memory_keyring import MemoryKeyring
from support.pg_server import PgServer
from support.smtp_server import SmtpServer
from support.sync_station import sharing_station

from jobs.kinds import sync as sync_kind
from pos_app.api import Station
from pos_app.central import admin
from pos_app.central.push import EventTotals, StationHealth
from pos_app.secrets import SERVICE, SMTP_PASSWORD
from pos_app.services.alerts import silent_tables

NOW = dt.datetime(2026, 12, 7, 21, 50, tzinfo=dt.UTC)
ME = "00000000-0000-4000-8000-000000000005"

@pytest.fixture
def ev(pg: PgServer) -> PgServer:
    """An event of this test's own (other tests' stations are in the shared one)."""
    return fresh_event(pg)



def health(station_id: str, name: str, minutes_ago: float | None) -> StationHealth:
    heard = None if minutes_ago is None else (NOW - dt.timedelta(minutes=minutes_ago))
    return StationHealth(station_id, name, heard.isoformat() if heard else None, 0, 0)


def event(*stations: StationHealth, as_of: dt.datetime = NOW) -> EventTotals:
    return EventTotals(0, 0, 0, 0, 0, as_of, True, stations=list(stations))


def test_the_rule() -> None:
    quiet = health("00000000-0000-4000-8000-000000000009", "Table 9", 12)
    me = health(ME, "Table 5", 0.5)
    alert = silent_tables(event(me, quiet), ME, 5, NOW)
    assert alert is not None and alert.key == "silent" and alert.audience == "lead"
    local = (NOW - dt.timedelta(minutes=12)).astimezone().strftime("%H:%M")
    assert alert.message == f"Table 9 (since {local}) hasn't been heard from"
    assert silent_tables(event(me, quiet), ME, 0, NOW) is None  # off
    stale = event(me, quiet, as_of=NOW - dt.timedelta(minutes=4))
    assert silent_tables(stale, ME, 5, NOW) is None  # this station is the one cut off
    judge = health("00000000-0000-4000-8000-000000000001", "Table 1", 1)
    assert silent_tables(event(me, quiet, judge), ME, 5, NOW) is None  # Table 1 judges
    never = health("00000000-0000-4000-8000-000000000007", "Spare laptop", None)
    assert silent_tables(event(me, never), ME, 5, NOW) is None  # set up, never opened
    two = health("00000000-0000-4000-8000-000000000008", "Table 8", 30)
    both = silent_tables(event(me, quiet, two), ME, 5, NOW)
    assert both is not None and both.message.startswith("Table 8 (since")
    assert "and Table 9" in both.message and "haven't been heard from" in both.message


@pytest.fixture
def judge(
    tmp_path: Path, ev: PgServer, ring: MemoryKeyring, smtp_server: SmtpServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Station]:
    monkeypatch.setattr(sync_kind, "EVENT_READ_S", 0.0)  # read the totals on every run
    ring.set_password(SERVICE, SMTP_PASSWORD, smtp_server.password)
    config = (
        f'[receipts]\nprovider = "smtp"\nsender = "{FROM}"\nhost = "127.0.0.1"\n'
        f'port = {smtp_server.port}\nusername = "{smtp_server.username}"\ntimeout = 5.0\n'
        f'ca_file = "{smtp_server.cert_file}"\n'
        '[alerts]\nemail_to = ["it@example.org"]\nsilent_minutes = 5\n'
    )
    with sharing_station(tmp_path, ev, ring, "Judge Table", extra=config) as st:
        yield st


def subjects(smtp_server: SmtpServer) -> list[str]:  # noqa: F811
    return [str(m["Subject"]) for m in smtp_server.received()]


def test_a_silent_table_is_mailed_about_once_and_once_more_when_it_is_back(
    judge: Station, ev: PgServer, smtp_server: SmtpServer  # noqa: F811
) -> None:
    quiet = admin.add_station(ev.admin_url, "Quiet Table")
    # Its id sorts after the judge's whatever the judge's is: the judge is the live one
    # with the smallest id only if the quiet table's is larger, or silent (it is).
    quiet_id = str(uuid.uuid4())
    with psycopg.connect(ev.url(quiet.role, quiet.password), autocommit=True) as c:
        c.execute("SELECT tableside.hello(%s, 'Quiet Table', 0, 0)", (quiet_id,))
    with psycopg.connect(ev.admin_url, autocommit=True) as c:
        c.execute("UPDATE tableside.stations SET last_heard = now() - interval '9 minutes' "
                  "WHERE role = %s", (quiet.role,))  # as the centre sees a laptop gone dark
    judge.start_jobs()
    judge.sync_now()
    wait_for(lambda: any(a.key == "silent" for a in judge.alerts()),
             why="the judge's window shows the silent table")  # fmt: skip
    [silent] = [a for a in judge.alerts() if a.key == "silent"]
    assert silent.message.startswith("Quiet Table (since")
    wait_for(lambda: any("alert" in s for s in subjects(smtp_server)), why="the alert email")
    [alert] = [m for m in smtp_server.received() if "alert" in str(m["Subject"])]
    assert str(alert["Subject"]).startswith("Tableside alert — Judge Table: Quiet Table")
    assert "pos-app central status" in alert.get_body(("plain",)).get_content()

    with psycopg.connect(ev.url(quiet.role, quiet.password), autocommit=True) as c:
        c.execute("SELECT tableside.hello(%s, 'Quiet Table', 0, 0)", (quiet_id,))  # back
    judge.sync_now()
    wait_for(lambda: any("all clear" in s for s in subjects(smtp_server)), why="the all-clear")
    assert not [a for a in judge.alerts() if a.key == "silent"]
    judge.sync_now()  # another look changes nothing: one alert, one all-clear
    wait_for(lambda: judge.sync_status().state == "done", why="the sync ran again")
    sent = subjects(smtp_server)
    assert len([s for s in sent if "alert" in s]) == 1
    assert len([s for s in sent if "all clear" in s]) == 1
    assert "the tables not heard from is back under its limit" in next(
        s for s in sent if "all clear" in s)
