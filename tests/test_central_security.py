"""The central store's security, in the engine, against a real PostgreSQL: a station writes
only its own rows, never reads donor detail of the tables, nobody deletes; a lead reads all;
upserts by version make replays and reordering harmless."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from support.pg_server import PgServer

from pos_app.central import admin

UPSERT = """
INSERT INTO tableside.donations AS t (id, station_id, version, amount_cents, currency, method,
    state, donor_name, donor_email, created_at, updated_at)
VALUES (%s, %s, %s, %s, 'usd', 'cash', 'recorded', %s, '', now(), now())
ON CONFLICT (id) DO UPDATE SET version = excluded.version, amount_cents = excluded.amount_cents,
    donor_name = excluded.donor_name, updated_at = excluded.updated_at
WHERE excluded.version > t.version
"""


def _station(pg: PgServer, name: str, lead: bool = False) -> tuple[psycopg.Connection, str]:
    new = admin.add_station(pg.admin_url, name, lead=lead)
    conn = psycopg.connect(pg.url(new.role, new.password), autocommit=True)
    sid = str(uuid.uuid4())
    conn.execute("SELECT tableside.hello(%s, %s, 0, 0)", (sid, name))
    return conn, sid


def test_station_writes_own_rows_only_and_reads_no_detail(pg: PgServer) -> None:
    a, a_id = _station(pg, "Sec A")
    b, b_id = _station(pg, "Sec B")
    gift = str(uuid.uuid4())
    with psycopg.connect(pg.admin_url, autocommit=True) as owner:  # see test_upsert_by_version
        owner.execute(UPSERT, (gift, a_id, 5, 2500, "Ada"))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # B writing as A
        b.execute(UPSERT, (str(uuid.uuid4()), a_id, 1, 100, "Mallory"))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # B overwriting A's row
        b.execute(UPSERT, (gift, b_id, 99, 1, "Mallory"))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        b.execute("SELECT donor_name FROM tableside.donations")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        a.execute("DELETE FROM tableside.donations")
    assert b.execute("SELECT count(*) FROM tableside.my_donations").fetchone() == (0,)
    # Aggregates are readable by every station.
    raised = b.execute("SELECT raised_cents FROM tableside.event_totals").fetchone()
    assert raised is not None and raised[0] >= 2500
    row = a.execute("SELECT amount_cents, donor_name FROM tableside.my_donations").fetchone()
    assert row == (2500, "Ada")
    lead, _ = _station(pg, "Sec Lead", lead=True)
    names = {r[0] for r in lead.execute("SELECT donor_name FROM tableside.donations")}
    assert "Ada" in names
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        lead.execute("DELETE FROM tableside.donations")
    for c in (a, b, lead):
        c.close()


def test_a_role_is_one_station(pg: PgServer) -> None:
    new = admin.add_station(pg.admin_url, "Sec C")
    with psycopg.connect(pg.url(new.role, new.password), autocommit=True) as c:
        c.execute("SELECT tableside.hello(%s, 'C', 0, 0)", (str(uuid.uuid4()),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("SELECT tableside.hello(%s, 'C2', 0, 0)", (str(uuid.uuid4()),))


def test_tls_required_except_loopback(pg: PgServer) -> None:
    with psycopg.connect(pg.admin_url) as c:
        ok = "SELECT tableside.transport_ok(%s, %s::inet)"
        assert c.execute(ok, (False, "127.0.0.1")).fetchone() == (True,)
        assert c.execute(ok, (False, "10.0.0.7")).fetchone() == (False,)
        assert c.execute(ok, (True, "10.0.0.7")).fetchone() == (True,)


def _gift(gift: str, version: int, amount: int, name: str, **more: object) -> str:
    row = {
        "id": gift, "version": version, "amount_cents": amount, "currency": "usd",
        "method": "cash", "state": "recorded", "donor_name": name, "donor_email": "",
        "created_at": "2026-05-01T20:00:00Z", "updated_at": "2026-05-01T20:00:00Z", **more,
    }
    return json.dumps([row])


PUSH = "SELECT tableside.push(%s::jsonb, '[]', '[]')"


def test_upsert_by_version_as_a_station(pg: PgServer) -> None:
    """The push function is a station's upsert: replays and older versions change nothing."""
    a, a_id = _station(pg, "Sec U")
    gift = str(uuid.uuid4())
    assert a.execute(PUSH, (_gift(gift, 5, 2500, "Ada"),)).fetchone() == (1,)
    assert a.execute(PUSH, (_gift(gift, 3, 9999, "Old"),)).fetchone() == (0,)  # older
    assert a.execute(PUSH, (_gift(gift, 5, 9999, "Same"),)).fetchone() == (0,)  # a replay
    row = a.execute("SELECT amount_cents, donor_name FROM tableside.my_donations").fetchone()
    assert row == (2500, "Ada")
    assert a.execute(PUSH, (_gift(gift, 6, 2600, "Ada L"),)).fetchone() == (1,)
    row = a.execute("SELECT amount_cents, donor_name FROM tableside.my_donations").fetchone()
    assert row == (2600, "Ada L")
    # The station itself can't go around the function any more.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        a.execute(UPSERT, (gift, a_id, 99, 1, "Direct"))


def test_push_refuses_another_stations_rows(pg: PgServer) -> None:
    a, a_id = _station(pg, "Sec P1")
    b, _ = _station(pg, "Sec P2")
    gift = str(uuid.uuid4())
    a.execute(PUSH, (_gift(gift, 1, 1000, "Grace"),))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # B overwriting A's gift
        b.execute(PUSH, (_gift(gift, 50, 1, "Mallory"),))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # B writing in A's name
        b.execute(PUSH, (_gift(str(uuid.uuid4()), 1, 1, "Mallory", station_id=a_id),))
    row = a.execute("SELECT amount_cents, donor_name FROM tableside.my_donations").fetchone()
    assert row == (1000, "Grace")
    new = admin.add_station(pg.admin_url, "Sec P3")  # never said hello: no station id yet
    with psycopg.connect(pg.url(new.role, new.password), autocommit=True) as c, \
            pytest.raises(psycopg.errors.InsufficientPrivilege):
        c.execute(PUSH, (_gift(str(uuid.uuid4()), 1, 1, "Nobody"),))


def test_push_keeps_anonymous_gifts_nameless(pg: PgServer) -> None:
    a, _ = _station(pg, "Sec Anon")
    gift = str(uuid.uuid4())
    a.execute(PUSH, (_gift(gift, 1, 500, "Secret Donor", donor_email="s@x.org",
                           anonymous=True),))
    row = a.execute(
        "SELECT donor_name, donor_email, anonymous FROM tableside.my_donations WHERE id = %s",
        (gift,),
    ).fetchone()
    assert row == (None, None, True)
