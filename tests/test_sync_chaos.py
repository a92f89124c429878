"""Three station processes take gifts at once, each killed with SIGKILL at random moments
and restarted, with a TCP relay between them and PostgreSQL that drops, resets and stalls
connections; then quiet. Every gift taken is at the centre exactly once, nothing is left
unshared, and the centre's totals for each station equal the station's own."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from support.pg_server import PgServer, TcpRelay
from support.sync_station import station_process

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
    pytest.mark.timeout(600),
]

TESTS = Path(__file__).resolve().parent
PROC = TESTS / "support" / "sync_proc.py"
STATIONS = 3
KILLS_PER_STATION = 4


def _station(tmp_path: Path, pg: PgServer, relay: TcpRelay, n: int) -> tuple[Path, Path, dict]:  # type: ignore[type-arg]
    return station_process(tmp_path, pg, f"Chaos {n}", port=relay.port, extra="batch = 5\n")


def _run(config: Path, data: Path, env: dict, mode: str) -> subprocess.Popen[str]:  # type: ignore[type-arg]
    return subprocess.Popen(
        [sys.executable, str(PROC), str(config), str(data), mode],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )


def _first_gift(proc: subprocess.Popen[str]) -> set[str]:
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until the first gift is committed
    assert line.startswith("GIFT "), f"the station process ended: {line!r}"
    return {line.split()[1]}


def _gifts_seen(proc: subprocess.Popen[str]) -> set[str]:
    assert proc.stdout is not None
    return {line.split()[1] for line in proc.stdout.read().splitlines()
            if line.startswith("GIFT ")}


def _event_totals(pg: PgServer) -> tuple[int, int]:
    with psycopg.connect(pg.admin_url, autocommit=True) as c:
        row = c.execute("SELECT gifts, raised_cents FROM tableside.event_totals").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_stations_killed_and_cut_off_share_every_gift_exactly_once(
    tmp_path: Path, pg: PgServer
) -> None:
    rng = random.Random(22)
    before = _event_totals(pg)  # the session's server holds other files' gifts too
    relay = TcpRelay(("127.0.0.1", pg.port), rate=0.3, seed=22, stall_s=2.0)
    stations = [_station(tmp_path, pg, relay, n) for n in range(STATIONS)]
    seen: set[str] = set()
    try:
        for _round in range(KILLS_PER_STATION):
            procs = [_run(c, d, e, "take") for c, d, e in stations]
            for p in procs:  # each has started and taken a gift (start-up is slow here)
                seen |= _first_gift(p)
            time.sleep(rng.uniform(0.5, 3.0))  # gifts and pushes under faults
            for p in rng.sample(procs, len(procs)):
                p.send_signal(signal.SIGKILL)
                time.sleep(rng.uniform(0.0, 0.3))
            for p in procs:
                p.wait(30)
                seen |= _gifts_seen(p)
        assert sum(relay.faults.values()) > 0, "the relay injected no fault"

        relay.rate = 0  # quiet: every station gets to share what it holds
        quiet = [_run(c, d, e, "quiet") for c, d, e in stations]
        results = []
        for p in quiet:
            out, _ = p.communicate(timeout=180)
            assert p.returncode == 0, out
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        relay.close()

    with psycopg.connect(pg.admin_url, autocommit=True) as c:
        for r in results:
            assert r["pending"] == 0 and r["last_error"] is None, r
            local = {d[0]: (d[1], d[2]) for d in r["donations"]}
            rows = c.execute(
                "SELECT id::text, amount_cents, state FROM tableside.donations "
                "WHERE station_id = %s", (r["station_id"],)
            ).fetchall()
            assert len(rows) == len({row[0] for row in rows})
            assert {row[0]: (row[1], row[2]) for row in rows} == local  # each gift once
            health = c.execute(
                "SELECT gifts, raised_cents, unshared FROM tableside.station_health "
                "WHERE id = %s", (r["station_id"],)
            ).fetchone()
            assert health == (r["gifts"], r["raised_cents"], 0)
    total = _event_totals(pg)
    assert (total[0] - before[0], total[1] - before[1]) == (
        sum(r["gifts"] for r in results), sum(r["raised_cents"] for r in results)
    )
    every_local = {d[0] for r in results for d in r["donations"]}
    assert seen and seen <= every_local  # every gift a station confirmed is there
