"""The maintained aggregates (migration 0015) give every figure the old scans gave.

The desk's totals, its gifts-over-time chart and the job counts used to be summed from the
rows on every poll; now SQLite triggers keep sums in the writing transaction and the reads
use those. The old scans are kept here, word for word, as the oracle: a realistic night is
written through the station (card gifts approved, declined and refunded, cash and checks
recorded and voided, fees covered, goods, pledges, jobs run by the real job system), then
rows are changed and deleted behind the app's back (amount, method, state, time, a
partial and a failed refund, a job moved by hand), and the time zone is changed, and after
each step every read is compared with its scan, and each aggregate table with a GROUP BY
of its rows. A database with rows written before 0015 is upgraded and gives the same.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Integer, create_engine, func, select
from support.jobwait import wait_for

from jobs.records import JobState
from pos_app.api import Card, Donor, Station, open_station
from pos_app.domain.gift import GiftOptions
from pos_app.domain.states import RefundState
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.services import desk_reads
from pos_app.services.desk_reads import JobCounts
from pos_app.services.records import Totals
from pos_app.services.totals import BEING_CHECKED, COUNTED, event_totals, gifts_over_time
from pos_app.store.database import Database, _alembic_config
from pos_app.store.models import Donation, Job, Refund

CARD = Card("4242424242424242", 12, 2030, "123")
DECLINED = Card("4000000000000002", 12, 2030, "123")
LIVE_REFUNDS = tuple(st.value for st in RefundState if st is not RefundState.FAILED)
WAITING = desk_reads.WAITING
BUCKETS = (1, 7, 15, 60)


# ---- the oracle: the scans the reads used before 0015 ---------------------------------------
def scan_totals(db: Database, goal_dollars: int) -> Totals:
    with db.session() as s:
        rows = s.execute(
            select(Donation.method, func.count(), func.sum(Donation.amount_cents))
            .where(Donation.state.in_(COUNTED))
            .group_by(Donation.method)
        ).all()
        fees, goods = s.execute(
            select(
                func.coalesce(func.sum(Donation.fee_cents), 0),
                func.coalesce(func.sum(Donation.goods_value_cents), 0),
            ).where(Donation.state.in_(COUNTED))
        ).one()
        in_doubt = s.scalar(select(func.count()).where(Donation.state.in_(BEING_CHECKED)))
        reversals = s.execute(
            select(Refund.state, func.count(), func.sum(Refund.amount_cents))
            .where(Refund.state.in_(LIVE_REFUNDS))
            .group_by(Refund.state)
        ).all()
    by_method = {m: int(total or 0) for m, _n, total in rows}
    rev = {state: (int(n), int(total or 0)) for state, n, total in reversals}
    refunded = rev.get(RefundState.REFUNDED.value, (0, 0))
    voided = rev.get(RefundState.VOIDED.value, (0, 0))
    return Totals(
        raised_cents=sum(by_method.values()),
        gifts=sum(int(n) for _m, n, _t in rows),
        by_method=by_method,
        goal_cents=goal_dollars * 100,
        in_doubt=int(in_doubt or 0),
        refunded_cents=refunded[1],
        refunds=refunded[0],
        refunds_in_doubt=sum(
            rev.get(st.value, (0, 0))[0] for st in (RefundState.REFUNDING, RefundState.IN_DOUBT)
        ),
        voided_cents=voided[1],
        voided=voided[0],
        fees_cents=int(fees or 0),
        goods_cents=int(goods or 0),
    )


def scan_gifts_over_time(db: Database, bucket_minutes: int) -> list[tuple[dt.datetime, int]]:
    step_s = bucket_minutes * 60
    with db.session() as s:
        first = s.scalar(select(func.min(Donation.created_at)).where(Donation.state.in_(COUNTED)))
        if first is None:
            return []
        earliest = first.astimezone()
        anchor = earliest.replace(hour=0, minute=0, second=0, microsecond=0)
        bucket = (
            func.cast(func.strftime("%s", Donation.created_at), Integer) - int(anchor.timestamp())
        ) // step_s
        rows = s.execute(
            select(bucket.label("b"), func.sum(Donation.amount_cents))
            .where(Donation.state.in_(COUNTED))
            .group_by("b")
        ).all()
    buckets = {int(b): int(cents or 0) for b, cents in rows}
    step = dt.timedelta(seconds=step_s)
    return [
        ((anchor + k * step).astimezone(), buckets.get(k, 0))
        for k in range(min(buckets), max(buckets) + 1)
    ]


def scan_job_counts(db: Database) -> JobCounts:
    with db.session() as s:
        rows = s.execute(
            select(Job.state, func.count(), func.min(Job.created_at)).group_by(Job.state)
        ).all()
    oldest = [first for state, _n, first in rows if state in WAITING and first]
    return JobCounts(
        by_state={state: int(n) for state, n, _first in rows},
        oldest_waiting=min(oldest) if oldest else None,
    )


# What each aggregate table must hold: its rows' GROUP BY (rows with nothing left dropped).
RECOUNT = {
    "donation_totals": (
        "SELECT state, method, gifts, amount_cents, fee_cents, goods_cents FROM donation_totals "
        "WHERE gifts != 0 ORDER BY 1, 2",
        "SELECT state, method, count(*), coalesce(sum(amount_cents), 0), "
        "coalesce(sum(fee_cents), 0), coalesce(sum(goods_value_cents), 0) FROM donations "
        "GROUP BY 1, 2 ORDER BY 1, 2",
    ),
    "gift_minutes": (
        "SELECT state, minute, gifts, amount_cents FROM gift_minutes WHERE gifts != 0 "
        "ORDER BY 1, 2",
        "SELECT state, CAST(strftime('%s', created_at) AS INTEGER) / 60, count(*), "
        "sum(amount_cents) FROM donations GROUP BY 1, 2 ORDER BY 1, 2",
    ),
    "refund_totals": (
        "SELECT state, refunds, amount_cents FROM refund_totals WHERE refunds != 0 ORDER BY 1",
        "SELECT state, count(*), sum(amount_cents) FROM refunds GROUP BY 1 ORDER BY 1",
    ),
    "job_state_counts": (
        "SELECT state, jobs FROM job_state_counts WHERE jobs != 0 ORDER BY 1",
        "SELECT state, count(*) FROM jobs GROUP BY 1 ORDER BY 1",
    ),
}


def assert_same_figures(db: Database, goal: int = 5000) -> Totals:
    """Every read equals its scan; every aggregate table equals its rows' GROUP BY; the
    sums left at 0 are really 0 (no row drifts off by a remainder)."""
    con = sqlite3.connect(db.path)
    try:
        for table, (kept, recount) in RECOUNT.items():
            assert con.execute(kept).fetchall() == con.execute(recount).fetchall(), table
        zero = con.execute(
            "SELECT count(*) FROM donation_totals WHERE gifts = 0 AND "
            "(amount_cents != 0 OR fee_cents != 0 OR goods_cents != 0)"
        ).fetchone()
        assert zero == (0,)
    finally:
        con.close()
    totals = event_totals(db, goal)
    assert totals == scan_totals(db, goal)
    for minutes in BUCKETS:
        assert gifts_over_time(db, minutes) == scan_gifts_over_time(db, minutes), minutes
    assert desk_reads.job_counts(db) == scan_job_counts(db)
    return totals


def run_jobs_until_quiet(station: Station) -> None:
    """Let the real job system work the gifts' jobs, then stop it, so nothing writes
    while the figures are compared."""
    station.start_jobs()
    wait_for(
        lambda: not {"queued", "running"} & set(desk_reads.job_counts(station.db).by_state),
        why="jobs to run",
    )
    station.stop_jobs()


def execute(db: Database, sql: str, *params: object) -> None:
    con = sqlite3.connect(db.path)
    try:
        con.execute(sql, params)
        con.commit()
    finally:
        con.close()


def a_night(station: Station) -> dict[str, str]:
    """The app's own writes: the mix of a real night. Returns some gifts' ids by role."""
    ids: dict[str, str] = {}
    donor = Donor("Ada", "ada@example.org")
    ids["card"] = station.take_card_donation(5000, donor, CARD).donation_id or ""
    ids["fee"] = (
        station.take_card_donation(10000, donor, CARD, GiftOptions(cover_fee=True)).donation_id
        or ""
    )
    goods = GiftOptions(goods_description="Dinner ticket", goods_value_cents=7500)
    ids["goods"] = station.take_card_donation(20000, donor, CARD, goods).donation_id or ""
    declined = station.take_card_donation(3000, donor, DECLINED)
    assert declined.status == "declined"
    ids["refund"] = station.take_card_donation(2500, donor, CARD).donation_id or ""
    ids["cash"] = station.record_donation(2000, Donor("Bo", ""), "cash").donation_id or ""
    ids["void"] = station.record_donation(700, Donor("Cy", ""), "cash").donation_id or ""
    ids["check"] = (
        station.record_donation(15000, Donor("Di", ""), "check", "1042", goods).donation_id or ""
    )
    pledge = station.take_pledge(4000, Donor("Ed", "ed@example.org"))
    ids["pledge"] = pledge.donation_id
    assert station.refund(ids["refund"], "duplicate gift").status == "refunded"
    assert station.refund(ids["void"], "typed the wrong amount").status == "voided"
    return ids


def test_every_figure_matches_the_scan_through_a_night(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_same_figures(station.db)  # nothing yet: empty everywhere
    ids = a_night(station)
    totals = assert_same_figures(station.db)
    assert totals.gifts == 5 and totals.refunds == 1 and totals.voided == 1  # a real mix
    assert totals.fees_cents > 0 and totals.goods_cents == 15000
    run_jobs_until_quiet(station)
    assert_same_figures(station.db)
    counts = desk_reads.job_counts(station.db)
    assert counts.by_state.get("done", 0) >= 4
    db = station.db

    # Behind the app's back: every column the sums depend on, and deletes.
    execute(db, "UPDATE donations SET amount_cents = amount_cents + 1 WHERE id = ?", ids["card"])
    execute(db, "UPDATE donations SET method = 'check' WHERE id = ?", ids["cash"])
    execute(db, "UPDATE donations SET fee_cents = 0, goods_value_cents = NULL WHERE id = ?",
            ids["fee"])  # fmt: skip
    execute(db, "UPDATE donations SET state = 'in_doubt' WHERE id = ?", ids["goods"])
    assert event_totals(db, 0).in_doubt == 1
    assert_same_figures(db)
    execute(db, "UPDATE donations SET state = 'approved' WHERE id = ?", ids["goods"])
    # an older gift (yesterday, just before a minute turns) moves the chart's first bucket
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(hours=20)
    execute(db, "UPDATE donations SET created_at = ? WHERE id = ?",
            earlier.strftime("%Y-%m-%d %H:%M:59.999999"), ids["check"])  # fmt: skip
    execute(db, "UPDATE donations SET donor_name = 'Ada L.' WHERE id = ?", ids["card"])
    assert_same_figures(db)
    # a refund given back in part, one in doubt, one failed
    for state, cents, gift in (("refunded", 1234, "fee"), ("in_doubt", 500, "goods"),
                               ("failed", 999, "fee")):  # fmt: skip
        execute(
            db,
            "INSERT INTO refunds (id, donation_id, kind, state, amount_cents, currency, reason,"
            " attempts, created_at, updated_at) VALUES (?, ?, 'refund', ?, ?, 'usd', 'part',"
            " 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            str(uuid.uuid4()), ids[gift], state, cents,
        )  # fmt: skip
    assert_same_figures(db)
    execute(db, "UPDATE refunds SET amount_cents = 1300 WHERE amount_cents = 1234")
    execute(db, "UPDATE refunds SET state = 'refunded' WHERE state = 'in_doubt'")
    assert event_totals(db, 0).refunds == 3
    assert_same_figures(db)
    # jobs moved by hand, added and deleted
    execute(db, "UPDATE jobs SET state = 'needs_attention' WHERE id IN "
            "(SELECT id FROM jobs WHERE state = 'done' ORDER BY created_at LIMIT 1)")  # fmt: skip
    newest_done = "SELECT id FROM jobs WHERE state = 'done' ORDER BY created_at DESC LIMIT 1"
    execute(db, f"UPDATE jobs SET state = 'queued' WHERE id IN ({newest_done})")
    assert desk_reads.job_counts(db).oldest_waiting is not None
    assert_same_figures(db)
    execute(db, "DELETE FROM jobs WHERE donation_id = ?", ids["refund"])
    execute(db, "DELETE FROM refunds WHERE donation_id = ?", ids["refund"])
    execute(db, "DELETE FROM sync_outbox")
    execute(db, "DELETE FROM donations WHERE id = ?", ids["refund"])
    assert_same_figures(db)

    # The station's time zone changes: the chart's local grid moves, the sums don't.
    for zone in ("America/Los_Angeles", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        assert_same_figures(db)
    # More gifts after all that, through the app again.
    station.take_card_donation(999, Donor("Fe", ""), CARD)
    station.record_donation(1, Donor("Gi", ""), "cash")
    assert_same_figures(db)


@pytest.fixture(autouse=True)
def _local_zone_back() -> Iterator[None]:
    yield
    time.tzset()  # monkeypatch has put TZ back; the C library must read it again


def test_a_midnight_off_the_minute_still_matches(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zone whose offset had seconds (Amsterdam before 1937: +00:19:32) puts local
    midnight off the minute: minutes can't place a gift there, so the chart sums the rows."""
    station.record_donation(2000, Donor("Bo", ""), "cash")
    for when in ("1930-03-01 10:00:17", "1930-03-01 10:00:45", "1931-02-28 23:40:30"):
        execute(
            station.db,
            "INSERT INTO donations (id, amount_cents, currency, method, state, donor_name,"
            " donor_email, station, charge_attempts, created_at, updated_at, fee_cents,"
            " anonymous, off_session) VALUES (?, 1000, 'usd', 'cash', 'recorded', '', '', '',"
            " 0, ?, ?, 0, 0, 0)",
            str(uuid.uuid4()), when, when,
        )  # fmt: skip
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    year = 60 * 24 * 365
    assert gifts_over_time(station.db, year) == scan_gifts_over_time(station.db, year)
    # 1930-03-01 00:00 there is 1930-02-28 23:40:28 UTC: the last gift is 2 s into the
    # second year's bucket, though its minute (23:40:00) is still in the first
    first, second = gifts_over_time(station.db, year)[:2]
    assert (first[1], second[1]) == (2000, 1000)
    assert event_totals(station.db, 1) == scan_totals(station.db, 1)


def test_rows_written_before_0015_are_summed_by_the_upgrade(
    data_dir: Path, simulator: SimulatorProcessor
) -> None:
    """A laptop with a night's gifts on an older release (0014) upgrades: the backfill
    gives the figures the scan gives, and the triggers keep them from there."""
    with open_station(data_dir=data_dir, processor=simulator) as station:
        a_night(station)
        run_jobs_until_quiet(station)
        path = station.db.path
    engine = create_engine(f"sqlite:///{path}")
    command.downgrade(_alembic_config(engine), "0014_attendee_language")
    engine.dispose()
    con = sqlite3.connect(path)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert not names & set(RECOUNT), "the downgrade left aggregates behind"
    # Written at 0014, with no trigger to count them: a gift, its refund, a job moved.
    gift = str(uuid.uuid4())
    con.execute(
        "INSERT INTO donations (id, amount_cents, currency, method, state, donor_name,"
        " donor_email, station, charge_attempts, created_at, updated_at, fee_cents, anonymous,"
        " off_session, goods_value_cents) VALUES (?, 12345, 'usd', 'check', 'recorded', '',"
        " '', '', 0, '2026-12-06 21:14:03', '2026-12-06 21:14:03', 0, 0, 0, 5000)",
        (gift,),
    )
    con.execute("UPDATE donations SET state = 'refunded' WHERE method = 'card' AND id IN "
                "(SELECT id FROM donations WHERE state = 'approved' LIMIT 1)")  # fmt: skip
    con.execute("UPDATE jobs SET state = 'discarded' WHERE id IN "
                "(SELECT id FROM jobs WHERE state = 'done' LIMIT 1)")  # fmt: skip
    con.commit()
    con.close()
    db = Database(path)  # upgrades to head
    try:
        assert db.current_revision() == db.head_revision()
        totals = assert_same_figures(db)
        assert totals.goods_cents == 15000 + 5000
        assert desk_reads.job_counts(db).by_state.get(JobState.DISCARDED.value)
    finally:
        db.close()
    with open_station(data_dir=data_dir, processor=simulator) as station:
        station.record_donation(500, Donor("Hal", ""), "cash")
        assert station.refund(gift, "entered twice").status == "voided"
        assert_same_figures(station.db)


# ---- growth: the work of a poll, counted in SQLite's own steps (no clock) ------------------
STATES = [("card", "approved")] * 6 + [("card", "declined"), ("cash", "recorded"),
          ("check", "recorded"), ("cash", "voided")]  # fmt: skip
JOB_STATES = ["done"] * 10 + ["discarded"]
# The night's open work (gifts being checked, jobs waiting) is bounded by the work, not by
# how many gifts came before: the first few gifts carry it, whatever the size.
OPEN_WORK = 40


def fill(station: Station, count: int, start: int) -> None:
    """`count` gifts (and a job each) in bulk, as a bench fills a station, all within the
    same hour (gift i in minute i % 60), so more gifts never means more minutes; from
    600 gifts on, every (state, minute) has gifts."""
    hour = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    hour -= dt.timedelta(hours=2)
    gifts, jobs = [], []
    for i in range(start, start + count):
        method, state = STATES[(i // 60) % len(STATES)]
        job_state = JOB_STATES[i % len(JOB_STATES)]
        if i < OPEN_WORK:
            state = "in_doubt" if i % 4 == 0 else state
            job_state = ("queued", "retry_scheduled", "needs_attention", "running")[i % 4]
        when = hour + dt.timedelta(minutes=i % 60, seconds=i % 59)
        did = str(uuid.uuid4())
        goods = 500 if i % 10 == 0 else None
        gifts.append(dict(id=did, amount_cents=100 + i % 900, currency="usd", method=method,
                          state=state, created_at=when, updated_at=when,
                          fee_cents=i % 3, goods_value_cents=goods))  # fmt: skip
        jobs.append(dict(id=str(uuid.uuid4()), kind="receipt", donation_id=did, attempts=1,
                         state=job_state, created_at=when, updated_at=when))  # fmt: skip
    with station.db.session() as s:
        s.execute(Donation.__table__.insert(), gifts)
        s.execute(Job.__table__.insert(), jobs)


def steps(station: Station, read: object) -> int:
    """SQLite virtual-machine steps `read` took, on every connection it checked out."""
    from sqlalchemy import event

    counted = [0]

    def tick() -> int:
        counted[0] += 1
        return 0

    def out(dbapi_conn, _record, _proxy) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.set_progress_handler(tick, 1)

    def back(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.set_progress_handler(None, 1)

    event.listen(station.db.engine, "checkout", out)
    event.listen(station.db.engine, "checkin", back)
    try:
        read()  # type: ignore[operator]
    finally:
        event.remove(station.db.engine, "checkout", out)
        event.remove(station.db.engine, "checkin", back)
    assert counted[0], "no SQLite step was counted"
    return counted[0]


def test_a_poll_does_the_same_work_at_ten_times_the_gifts(station: Station) -> None:
    """Each read of the desk's poll and the status line takes as many SQLite steps with
    8,000 gifts as with 800 (a B-tree a level deeper at most); the old scans take ~10x."""
    db = station.db
    reads = {
        "totals": lambda: event_totals(db, 5000),
        "gifts_over_time": lambda: gifts_over_time(db, 15),
        "job_counts": lambda: desk_reads.job_counts(db),
        "job_summary": station.job_summary,
        "desk_stamp": station.desk_stamp,
        "status": station.status,
    }
    scans = {
        "scan totals": lambda: scan_totals(db, 5000),
        "scan gifts_over_time": lambda: scan_gifts_over_time(db, 15),
        "scan job_counts": lambda: scan_job_counts(db),
    }
    fill(station, 800, 0)
    assert_same_figures(db)
    small = {name: steps(station, read) for name, read in {**reads, **scans}.items()}
    fill(station, 7200, 800)
    assert_same_figures(db)
    large = {name: steps(station, read) for name, read in {**reads, **scans}.items()}
    for name in reads:
        assert large[name] <= small[name] * 1.2 + 50, (name, small[name], large[name])
    for name in scans:  # the check has teeth: what the reads used to do grows with the rows
        assert large[name] >= small[name] * 5, (name, small[name], large[name])
