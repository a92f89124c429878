"""Hearing the event change: a station's watcher hears another station's push at once
(LISTEN/NOTIFY on the central store), hears "reconnected" after its connection was cut,
and keeps going until stopped."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

import psycopg
from support.jobwait import wait_for
from support.memory_keyring import MemoryKeyring
from support.pg_server import PgServer, TcpRelay
from support.sync_station import sharing_station

from pos_app.api import Donor
from pos_app.central import admin


def _other_station_pushes(pg: PgServer, name: str) -> None:
    other = admin.add_station(pg.admin_url, name)
    with psycopg.connect(pg.url(other.role, other.password), autocommit=True) as c:
        c.execute("SELECT tableside.hello(%s, %s, 0, 0)", (str(uuid.uuid4()), name))
        gift = {"id": str(uuid.uuid4()), "version": 1, "amount_cents": 4200, "currency": "usd",
                "method": "cash", "state": "recorded", "donor_name": "Ada",
                "created_at": "2026-05-01T20:00:00Z", "updated_at": "2026-05-01T20:00:00Z"}
        c.execute("SELECT tableside.push(%s::jsonb, '[]', '[]')", (json.dumps([gift]),))


def test_a_station_hears_another_stations_gift_and_survives_a_cut(
    tmp_path: Path, pg: PgServer, ring: MemoryKeyring
) -> None:
    relay = TcpRelay(("127.0.0.1", pg.port))
    heard: list[str] = []
    lock = threading.Lock()

    def hear(what: str) -> None:
        with lock:
            heard.append(what)

    try:
        with sharing_station(tmp_path, pg, ring, "Watch Table", port=relay.port) as st:
            st.start_jobs()
            st.record_donation(100, Donor("Me", ""), "cash")
            wait_for(lambda: st.sync_status().state == "done", why="this station known")
            watcher = st.watch_event(hear)
            assert watcher is not None
            try:
                wait_for(lambda: watcher.listening, why="listening")
                _other_station_pushes(pg, "Watch Other 1")
                wait_for(lambda: "donations" in heard, why="the other station's gift heard")
                before = st.event_totals()
                assert before is not None and before.live

                relay.cut()
                wait_for(lambda: not watcher.listening, why="the cut noticed")
                relay.restore()
                wait_for(lambda: "reconnected" in heard, why="listening again")
                with lock:
                    heard.clear()
                _other_station_pushes(pg, "Watch Other 2")
                wait_for(lambda: "donations" in heard, why="heard after the cut")
                after = st.event_totals()
                assert after is not None and after.raised_cents == before.raised_cents + 4200
            finally:
                watcher.stop()
    finally:
        relay.close()
