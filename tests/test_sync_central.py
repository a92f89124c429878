"""A station shares with a real PostgreSQL: gifts, a refund and a void, and every gift job's
state reach the centre through the standing sync job; replays and reordering change
nothing; another station can neither read nor overwrite them; offline, gifts wait in the
outbox and are shared once, in order, when the centre is back; the centre's totals for
the station equal the station's own."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from support.jobwait import wait_for
from support.memory_keyring import MemoryKeyring
from support.pg_server import PgServer, TcpRelay
from support.sync_station import all_shared, central, sharing_station

from pos_app.api import Card, Donor
from pos_app.central import admin
from pos_app.central.outbox import Batch, donation_row
from pos_app.central.push import push
from pos_app.domain.gift import GiftOptions

VISA = Card("4242424242424242", 12, 2030, "123")


def test_gifts_a_refund_and_job_states_are_shared(
    tmp_path: Path, pg: PgServer, ring: MemoryKeyring
) -> None:
    with sharing_station(tmp_path, pg, ring, "Sync Table 1") as st:
        st.start_jobs()
        card = st.take_card_donation(5000, Donor("Ada Lovelace", "ada@example.org"), VISA)
        cash = st.record_donation(2000, Donor("Grace Hopper", "grace@example.org"), "cash")
        anon = st.record_donation(
            700, Donor("Secret Donor", "s@example.org"), "cash",
            options=GiftOptions(anonymous=True),
        )
        assert {card.status, cash.status, anon.status} == {"approved", "recorded"}
        assert st.refund(card.donation_id or "", "Mistyped amount").status == "refunded"
        assert st.refund(cash.donation_id or "", "Wrong table").status == "voided"
        wait_for(lambda: all_shared(st), why="everything shared")
        status = st.sync_status()
        assert status.last_shared_at is not None and status.last_error is None and status.online

        sid = st.parts.station_id
        mine = {d.id: d for d in st.donations()}
        rows = central(pg, "SELECT id::text, amount_cents, state, method, donor_name, "
                       "donor_email, last4 FROM tableside.donations WHERE station_id = %s", sid)
        assert {r[0] for r in rows} == set(mine)
        for gid, amount, state, method, name, email, _last4 in rows:
            d = mine[gid]
            assert (amount, state, method) == (d.amount_cents, d.status, d.method)
            if gid == anon.donation_id:
                assert (name, email) == (None, None)  # anonymous stays anonymous
            else:
                assert email == d.donor_email
        assert [r[6] for r in rows if r[0] == card.donation_id] == ["4242"]
        refunds = central(pg, "SELECT donation_id::text, kind, state, amount_cents FROM "
                          "tableside.refunds WHERE station_id = %s", sid)
        assert sorted(refunds) == sorted(
            (r.donation_id, r.kind, r.state, r.amount_cents) for r in st.refunds()
        )
        jobs = central(pg, "SELECT id::text, kind, state, attempts FROM tableside.jobs "
                       "WHERE station_id = %s", sid)
        assert sorted(jobs) == sorted(
            (j.id, j.kind, j.state, j.attempts) for j in st.jobs() if j.kind != "sync"
        )  # the station's own sync job is listed here, not shared
        assert "sync" not in {j[1] for j in jobs}  # the station's own job is not shared

        # The centre's totals for this station equal the station's own.
        own = st.totals()
        health = central(pg, "SELECT gifts, raised_cents, unshared FROM "
                         "tableside.station_health WHERE id = %s", sid)
        assert health == [(own.gifts, own.raised_cents, 0)]
        totals = st.event_totals()
        assert totals is not None and totals.live
        mine_by_method = {t.method: t.raised_cents for t in totals.by_station
                          if t.station_id == sid}
        assert mine_by_method == {m: c for m, c in own.by_method.items() if c}
        # No card number reached the centre in any column.
        dump = central(pg, "SELECT d::text FROM tableside.donations d")
        assert not any(VISA.number in row[0] for row in dump)


def test_replays_and_reordering_change_nothing_and_others_keep_out(
    tmp_path: Path, pg: PgServer, ring: MemoryKeyring
) -> None:
    with sharing_station(tmp_path, pg, ring, "Sync Table 2") as st:
        st.start_jobs()
        ids = [st.record_donation(1000 * (i + 1), Donor(f"Donor {i}", ""), "cash").donation_id
               for i in range(3)]
        wait_for(lambda: all_shared(st), why="shared")
        before = central(pg, "SELECT id::text, version, amount_cents, received_at FROM "
                         "tableside.donations WHERE station_id = %s ORDER BY id",
                         st.parts.station_id)
        from jobs.kinds.sync import login_for
        from pos_app.store.models import Donation

        login = login_for(st.settings, st.db)
        with st.db.session() as s:
            rows = [s.get(Donation, i) for i in ids]
            versions = {r[0]: r[1] for r in before}
            replay = [donation_row(d, versions[d.id]) for d in rows if d is not None]
            older = [{**donation_row(d, versions[d.id] - 1), "amount_cents": 1}
                     for d in rows if d is not None]
        # A replay, in reverse order, then older versions with other data: nothing moves.
        assert push(login, Batch([], donations=replay[::-1]), left_after=0, attention=0) == 0
        assert push(login, Batch([], donations=older), left_after=0, attention=0) == 0
        after = central(pg, "SELECT id::text, version, amount_cents, received_at FROM "
                        "tableside.donations WHERE station_id = %s ORDER BY id",
                        st.parts.station_id)
        assert after == before

        # Another station can't read these gifts' detail, nor write over them.
        other = admin.add_station(pg.admin_url, "Sync Intruder")
        with psycopg.connect(pg.url(other.role, other.password), autocommit=True) as c:
            c.execute("SELECT tableside.hello(%s, 'Intruder', 0, 0)", (str(uuid.uuid4()),))
            assert c.execute("SELECT count(*) FROM tableside.my_donations").fetchone() == (0,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute("SELECT donor_name FROM tableside.donations")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute("SELECT tableside.push(%s::jsonb, '[]', '[]')",
                          (psycopg.types.json.Jsonb([{**replay[0], "version": 10**9}]),))
        assert central(pg, "SELECT id::text, version, amount_cents, received_at FROM "
                       "tableside.donations WHERE station_id = %s ORDER BY id",
                       st.parts.station_id) == before


def test_offline_gifts_are_shared_once_in_order_when_the_centre_is_back(
    tmp_path: Path, pg: PgServer, ring: MemoryKeyring
) -> None:
    relay = TcpRelay(("127.0.0.1", pg.port))
    try:
        with sharing_station(tmp_path, pg, ring, "Sync Table 3", port=relay.port,
                             batch=2) as st:
            st.start_jobs()
            first = st.record_donation(500, Donor("Early", ""), "cash").donation_id
            wait_for(lambda: all_shared(st), why="the first gift shared")
            known = st.event_totals()
            assert known is not None and known.live

            relay.cut()
            taken = [st.record_donation(100 * (i + 2), Donor(f"Offline {i}", ""), "cash")
                     .donation_id for i in range(7)]
            offline = wait_for(
                lambda: (s := st.sync_status()).state == "retry_scheduled" and s, why="offline"
            )
            assert not offline.online and offline.pending >= 7
            assert offline.last_error and "central store" in offline.last_error
            last = st.event_totals()  # the centre is out of reach: the last known totals
            assert last is not None and not last.live and last.as_of == known.as_of
            own = st.totals()  # the station itself carries on as ever
            assert own.gifts == 8

            relay.restore()  # no sync_now: the probe notices and wakes the retry
            wait_for(lambda: all_shared(st), why="shared after the centre came back")
            rows = central(pg, "SELECT id::text, received_at FROM tableside.donations "
                           "WHERE station_id = %s", st.parts.station_id)
            assert sorted(r[0] for r in rows) == sorted([first, *taken])  # each once
            received = dict(rows)
            order = [received[i] for i in taken]
            assert order == sorted(order)  # shared in the order they were taken
            assert st.sync_status().online
            live = st.event_totals()
            assert live is not None and live.live and live.as_of > known.as_of
    finally:
        relay.close()
