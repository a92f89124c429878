"""Every query on a hot path uses an index: EXPLAIN QUERY PLAN shows no full table scan.

The hot paths are what runs while a donor waits (a card charge, a cash gift, their job
rows), what the background jobs run for every gift, and what the lead's live views read
every second or two (the jobs panel, the event desk). The statements are captured from
the real calls on a real station, then each is explained by SQLite with its own
parameters. A plan line `SCAN <table>` (every row) or a temporary B-tree for ORDER BY (a
sort of every row) fails the test, naming the statement. Allowed: a covering-index scan
(the counts by state read one small index entry per job and nothing else) and an index
walked in order under a LIMIT (a page of the donations list).

The lead desk's poll and the status bar are held to more: no scan of donations, refunds or
jobs at all, not even of a covering index (a covering-index scan still reads one entry per
row, so it grows with the night). Their totals, chart and job counts read the aggregates the
database keeps (migration 0015), which are read whole: a few rows per state and method, or
per minute of the night, whatever the number of gifts.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from support.jobwait import wait_for

from pos_app.api import Card, Donor, PageQuery, Station

CARD = Card("4242424242424242", 12, 2030, "123")
# One-row tables read by primary key or whole (settings, the PIN, the receipt counter).
TINY = {"counters", "event_override", "lead_pin", "alembic_version"}
# Kept by triggers (migration 0015): rows per state/method or per minute, never per gift.
AGGREGATES = {"donation_totals", "gift_minutes", "refund_totals", "job_state_counts"}
ANY_SCAN = re.compile(r"\bSCAN (\w+)\b")
FULL_SCAN = re.compile(r"\bSCAN (\w+)\b(?! USING COVERING INDEX)")
# An index walked in order and stopped by LIMIT (a page, newest first) reads only the page.
IN_ORDER = re.compile(r"\bSCAN \w+ USING INDEX ")
SORT_ALL = re.compile(r"USE TEMP B-TREE FOR (?:RIGHT PART OF )?ORDER BY")


@pytest.fixture
def captured(station: Station) -> Iterator[list[tuple[str, tuple]]]:
    seen: list[tuple[str, tuple]] = []

    def keep(_conn, _cursor, statement, parameters, _context, executemany):  # type: ignore[no-untyped-def]
        if not executemany and statement.lstrip().split()[0].upper() in (
            "SELECT",
            "UPDATE",
            "DELETE",
        ):
            seen.append((statement, tuple(parameters or ())))

    event.listen(station.db.engine, "before_cursor_execute", keep)
    yield seen
    event.remove(station.db.engine, "before_cursor_execute", keep)


def bad_plans(station: Station, statements: list[tuple[str, tuple]]) -> list[str]:
    problems = []
    conn = sqlite3.connect(station.db.path)
    try:
        for sql, params in dict.fromkeys(statements):
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            for line in plan:
                scan = FULL_SCAN.search(line)
                paged = IN_ORDER.search(line) and " LIMIT " in sql
                small = scan and scan.group(1) in TINY | AGGREGATES
                if (scan and not small and not paged) or SORT_ALL.search(line):
                    problems.append(f"{line!r} in: {' '.join(sql.split())}")
    finally:
        conn.close()
    return problems


def test_charge_gift_and_job_queries_use_indexes(
    station: Station, captured: list[tuple[str, tuple]]
) -> None:
    station.start_jobs()
    assert station.take_card_donation(5000, Donor("Ada", "ada@example.org"), CARD).status == (
        "approved"
    )
    assert station.record_donation(2000, Donor("Bob", "bob@example.org"), "cash").status == (
        "recorded"
    )
    # (not wait_settled: reading the whole ledger is the test's business, not a hot path)
    wait_for(lambda: set(station.job_counts().by_state) == {"done"}, why="jobs done")
    station.jobs_system.ledger.wake_all()
    station.settle_in_doubt(include_charging=True)
    assert captured, "no statement was captured"
    assert bad_plans(station, captured) == []


def test_live_view_reads_use_indexes(station: Station, captured: list[tuple[str, tuple]]) -> None:
    for i in range(3):
        station.take_card_donation(1000 + i, Donor(f"D{i}", f"d{i}@example.org"), CARD)
    refund_me = station.record_donation(700, Donor("Void", ""), "cash")
    assert refund_me.donation_id
    station.refund(refund_me.donation_id, "typed the wrong amount")
    captured.clear()  # only the reads below
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    # the jobs panel: its full read (what needs doing, the newest finished), then each second
    station.jobs(finished_limit=500)
    station.jobs(changed_since=since)
    station.job_summary()
    station.job_counts()
    station.alerts()
    # the event desk, every two seconds
    station.desk_stamp()
    station.totals()
    station.gifts_over_time()
    first = station.donations_page(PageQuery(limit=2))
    assert len(first) == 2
    last = first[-1]
    station.donations_page(PageQuery(limit=2, after=(last.created_at, last.id)))
    changed = wait_for(lambda: station.donations_changed(since))
    assert {d.id for d in changed} >= {refund_me.donation_id}
    assert bad_plans(station, captured) == []


def test_a_full_scan_is_caught(station: Station) -> None:
    """The check itself: a query on an unindexed column is reported."""
    assert bad_plans(station, [("SELECT id FROM donations WHERE donor_name = ?", ("x",))])


def unbounded_reads(station: Station, statements: list[tuple[str, tuple]]) -> list[str]:
    """Plan lines that walk donations, refunds or jobs (a covering index too) or sort."""
    problems = []
    conn = sqlite3.connect(station.db.path)
    try:
        for sql, params in dict.fromkeys(statements):
            for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params):
                line = row[3]
                scan = ANY_SCAN.search(line)
                paged = IN_ORDER.search(line) and " LIMIT " in sql
                if (scan and scan.group(1) not in AGGREGATES and not paged) or SORT_ALL.search(
                    line
                ):
                    problems.append(f"{line!r} in: {' '.join(sql.split())}")
    finally:
        conn.close()
    return problems


def test_desk_poll_reads_the_aggregates_never_the_rows(
    station: Station, captured: list[tuple[str, tuple]]
) -> None:
    """Every read of the desk's poll (ui/desk.py DeskView._read), its first page, and the
    volunteer window's status line (Station.status): index look-ups and the aggregates."""
    for i in range(3):
        station.take_card_donation(1000 + i, Donor(f"D{i}", f"d{i}@example.org"), CARD)
    voided = station.record_donation(700, Donor("Void", ""), "cash")
    assert voided.donation_id
    station.refund(voided.donation_id, "typed the wrong amount")
    station.record_donation(1200, Donor("Cy", ""), "check", "1042")
    captured.clear()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    summary = station.job_summary()
    station.desk_stamp()
    station.donations_changed(since)
    totals = station.totals()
    points = station.gifts_over_time()
    station.donations_page(PageQuery())
    station.job_counts()
    station.status()
    assert totals.gifts == 4 and sum(cents for _t, cents in points) == totals.raised_cents
    assert summary.pending + sum(
        n for state, n in station.job_counts().by_state.items() if state in ("done", "discarded")
    ) == sum(station.job_counts().by_state.values())
    read = " ".join(sql for sql, _ in captured)
    for table in ("donation_totals", "gift_minutes", "refund_totals", "job_state_counts"):
        assert table in read, f"{table} was not read"
    assert unbounded_reads(station, captured) == []


def test_a_covering_index_scan_is_caught_for_the_desk(station: Station) -> None:
    """The stricter check: the old job counts (a covering-index scan) are reported."""
    old_chart = "SELECT strftime('%s', created_at) / 900 AS b, sum(amount_cents) FROM donations"
    old_counts = "SELECT state, count(*) FROM jobs GROUP BY state"
    assert bad_plans(station, [(old_counts, ())]) == []  # allowed on other hot paths
    assert len(unbounded_reads(station, [(old_chart, ()), (old_counts, ())])) == 2
