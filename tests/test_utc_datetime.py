"""The aware-UTC column type: what reaches SQLite is the UTC instant in the old text format,
what comes back (rows, aggregates, old naive rows) is aware UTC, and naive input is refused."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import StatementError

from pos_app.api import Station
from pos_app.domain.donor import Donor
from pos_app.services.alerts import pending_work
from pos_app.store.models import Donation, Job

PLUS_FIVE = dt.timezone(dt.timedelta(hours=5))


def cash_gift(station: Station) -> str:
    o = station.record_donation(1000, Donor("Ada", "ada@example.org"), "cash")
    assert o.donation_id
    return o.donation_id


def test_a_local_time_is_stored_as_its_utc_instant(station: Station) -> None:
    gift = cash_gift(station)
    local = dt.datetime(2026, 5, 1, 19, 30, tzinfo=PLUS_FIVE)
    with station.db.session() as s:
        s.execute(update(Donation).where(Donation.id == gift).values(created_at=local))
    con = sqlite3.connect(station.db.path)
    (raw,) = con.execute("SELECT created_at FROM donations WHERE id = ?", (gift,)).fetchone()
    con.close()
    assert raw == "2026-05-01 14:30:00.000000"  # the same text format as before the type
    with station.db.session() as s:
        back = s.scalar(select(Donation.created_at).where(Donation.id == gift))
    assert back == local and back.tzinfo is dt.UTC


def test_rows_and_aggregates_come_back_aware(station: Station) -> None:
    gift = cash_gift(station)  # its receipt job is waiting
    con = sqlite3.connect(station.db.path)
    with con:  # a row as an older version wrote it: naive text, meaning UTC
        con.execute("UPDATE jobs SET created_at = '2026-05-01 12:00:00.000000'")
    con.close()
    with station.db.session() as s:
        first = s.scalar(select(func.min(Job.created_at)))
        last = s.scalar(select(func.max(Donation.updated_at)))
        job = s.scalars(select(Job).where(Job.donation_id == gift)).first()
        assert job is not None
        assert job.created_at == dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    assert first == dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    assert last is not None and last.tzinfo is dt.UTC
    assert pending_work(station.db).oldest_waiting == first
    assert station.job_counts().oldest_waiting == first
    assert all(r.created_at.tzinfo is dt.UTC for r in station.donations())


def test_naive_datetimes_are_refused(station: Station) -> None:
    gift = cash_gift(station)
    naive = dt.datetime(2026, 5, 1, 19, 30)
    with pytest.raises(StatementError, match="naive datetime"), station.db.session() as s:
        s.execute(update(Donation).where(Donation.id == gift).values(created_at=naive))
    with pytest.raises(StatementError, match="naive datetime"), station.db.session() as s:
        s.execute(select(Job).where(Job.updated_at >= naive))
