"""What sharing with the central PostgreSQL costs, each part next to a bare psycopg baseline.

    .venv/bin/python bench/sync.py [--gifts 100] [--offline 1000] [--window 8]
    .venv/bin/python bench/sync.py --quick        # tiny sizes: what tests/test_benches.py runs

Starts a throwaway PostgreSQL from the machine's binaries (tests/support/pg_server.py, fsync
off, on 127.0.0.1), brings the central schema to head and adds a station role per station,
as tests/test_sync_central.py does. Then:
  1. latency: a station (training mode, jobs running) takes card gifts one at a time; for
     each, the time from take_card_donation returning to the gift being `approved` in the
     centre's tableside.donations (an admin connection LISTENs on the change channel and
     looks at each notice). Beside each gift, bare: the same row INSERTed and committed on a
     fresh connection, and on one kept open.
  2. catch-up: the station takes `--offline` card gifts with the centre cut off (a TcpRelay
     in front of it refuses connections), then the relay is restored; time until every gift
     is central. Bare: the same rows (read back from the centre) into a scratch table of the
     same shape, executemany and COPY, each on a fresh connection, interleaved. Also the
     station's CPU per second while it waits offline, beside the same idle and online.
  3. capacity: K station processes (K = 1, 2, 4), each with its own login, call the sync
     job's own push (pos_app/central/push.py: fresh connection, hello, tableside.push, commit)
     with one gift per push, as fast as they can for `--window` s.
Numbers only, no thresholds. Everything it made goes on exit, on Ctrl-C too.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import multiprocessing as mp
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # pos_app, and tests/support for the server

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from support.memory_keyring import MemoryKeyring, memory_keyring  # noqa: E402
from support.pg_server import PgServer, TcpRelay, find_bindir, pg_server  # noqa: E402
from support.sync_station import all_shared, sharing_station  # noqa: E402

from pos_app.api import Card, Donor, Station  # noqa: E402
from pos_app.central import admin  # noqa: E402
from pos_app.central.outbox import Batch  # noqa: E402
from pos_app.central.push import Login, push  # noqa: E402
from pos_app.central.roles import CHANNEL  # noqa: E402
from pos_app.domain.gift import GiftOptions  # noqa: E402

SKIPPED = "skipped: no PostgreSQL server binaries (bash packaging/bootstrap.sh --tests)"
AMOUNT = 5000
CARD = Card("4242424242424242", 12, dt.date.today().year + 3, "123")
NO_JOBS = GiftOptions(save_card=False)  # with no email either: the gift is its only row
KS = (1, 2, 4)
# The columns tableside.push writes (migration c0002), in its order.
COLUMNS = ("id", "station_id", "version", "amount_cents", "currency", "method", "state",
           "anonymous", "donor_name", "donor_email", "check_number", "processor", "brand",
           "last4", "payment_intent_id", "message", "created_at", "updated_at")
SCRATCH = "bench_scratch"
STOPPED = threading.Event()  # Ctrl-C or SIGTERM came: what follows is the clean-up


@dataclass(frozen=True)
class Sizes:
    gifts: int  # part 1, measured
    warmup: int  # part 1, not measured
    offline: int  # part 2
    bare_repeats: int  # part 2, each bare kind
    window: float  # part 3, seconds per K
    idle: float  # parts 1 and 2: seconds of doing nothing, for the station's CPU
    ks: tuple[int, ...] = KS  # part 3: how many station processes push at once


# ---- watching the centre -------------------------------------------------------------------
class Watch:
    """An admin connection LISTENing on the centre's change channel. A notice arrives with
    every commit that wrote a table, so a condition is looked at again at once when it may
    have changed, without polling the server hard (which would load the very thing measured
    on a 2-core machine). psycopg keeps notices that arrive during a query for the next wait,
    so none is missed between a look and the wait."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))

    def until(
        self, query: str, args: tuple[Any, ...], done: Callable[[Any], bool], timeout: float
    ) -> float:
        """perf_counter() when `query`'s first row first satisfied `done`."""
        deadline = time.perf_counter() + timeout
        while True:
            row = self.conn.execute(query, args).fetchone()
            now = time.perf_counter()
            if done(row):
                return now
            if now > deadline:
                raise TimeoutError(f"the centre never showed it: {query} {args}")
            for _ in self.conn.notifies(timeout=0.5, stop_after=1):
                pass

    def close(self) -> None:
        self.conn.close()


def approved(gift_id: str) -> tuple[str, tuple[Any, ...], Callable[[Any], bool]]:
    return ("SELECT state FROM tableside.donations WHERE id = %s", (gift_id,),
            lambda row: row is not None and row[0] == "approved")


def at_least(station_id: str, n: int) -> tuple[str, tuple[Any, ...], Callable[[Any], bool]]:
    return ("SELECT count(*) FROM tableside.donations WHERE station_id = %s", (station_id,),
            lambda row: row[0] >= n)


def cpu_per_second(seconds: float) -> float:
    """This process's CPU seconds per wall second while the bench itself only sleeps: what
    the open station's threads cost while nothing happens."""
    c0, t0 = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    return (time.process_time() - c0) / (time.perf_counter() - t0)


def wait_idle(st: Station, timeout: float = 60.0) -> None:
    """Nothing left to share and no job busy: the next gift starts from a quiet station."""
    deadline = time.monotonic() + timeout
    while not all_shared(st):
        if time.monotonic() > deadline:
            raise TimeoutError("the station never finished sharing")
        time.sleep(0.01)


# ---- the bare baselines --------------------------------------------------------------------
def make_scratch(url: str) -> None:
    """A table of tableside.donations' shape (columns, checks, keys, indexes; no triggers,
    no row security, no function in the way)."""
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA IF NOT EXISTS {SCRATCH}")
        c.execute(f"CREATE TABLE IF NOT EXISTS {SCRATCH}.donations "
                  "(LIKE tableside.donations INCLUDING ALL)")


def clear_scratch(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f"TRUNCATE {SCRATCH}.donations")


INSERT = (f"INSERT INTO {SCRATCH}.donations ({', '.join(COLUMNS)}) "
          f"VALUES ({', '.join(['%s'] * len(COLUMNS))})")


def central_rows(url: str, where: str, arg: object) -> list[tuple[Any, ...]]:
    """Rows exactly as the centre holds them, to give the bare inserts the same values."""
    with psycopg.connect(url, autocommit=True) as c:
        return c.execute(
            f"SELECT {', '.join(COLUMNS)} FROM tableside.donations WHERE {where}", (arg,)
        ).fetchall()


def bare_fresh(url: str, rows: list[tuple[Any, ...]]) -> float:
    """Connect (SCRAM, as a station does), INSERT the rows in one executemany, commit."""
    t0 = time.perf_counter()
    with psycopg.connect(url) as c:
        c.cursor().executemany(INSERT, rows)
    return time.perf_counter() - t0


def bare_copy(url: str, rows: list[tuple[Any, ...]]) -> float:
    """Connect, COPY the rows in, commit: the fastest way in PostgreSQL has."""
    t0 = time.perf_counter()
    with psycopg.connect(url) as c, c.cursor().copy(
        f"COPY {SCRATCH}.donations ({', '.join(COLUMNS)}) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)
    return time.perf_counter() - t0


def bare_open(conn: psycopg.Connection, row: tuple[Any, ...]) -> float:
    """INSERT one row and commit on a connection kept open: the floor of one gift."""
    t0 = time.perf_counter()
    with conn.transaction():
        conn.execute(INSERT, row)
    return time.perf_counter() - t0


# ---- 1. latency ----------------------------------------------------------------------------
@dataclass
class Latency:
    ours: list[float]
    bare_fresh: list[float]
    bare_open: list[float]
    idle_cpu: float  # the station online, nothing to share, nothing happening


def part_latency(pg: PgServer, ring: MemoryKeyring, tmp: Path, sizes: Sizes) -> Latency:
    """One gift at a time, each from a quiet station (its receipt and saved card done and
    shared), so each figure is one gift's own path, not a queue behind the last one."""
    result = Latency([], [], [], 0.0)
    watch = Watch(pg.admin_url)
    kept = psycopg.connect(pg.admin_url)
    try:
        with sharing_station(tmp, pg, ring, "Bench Latency") as st:
            st.start_jobs()
            wait_idle(st)
            result.idle_cpu = cpu_per_second(sizes.idle)
            for i in range(sizes.warmup + sizes.gifts):
                out = st.take_card_donation(AMOUNT, Donor(f"Donor {i}", f"d{i}@example.org"),
                                            CARD)
                t0 = time.perf_counter()
                seen = watch.until(*approved(out.donation_id or ""), timeout=60)
                wait_idle(st)
                row = central_rows(pg.admin_url, "id = %s", out.donation_id)[0]
                fresh = bare_fresh(pg.admin_url, [row])
                alone = bare_open(kept, (uuid.uuid4(), *row[1:]))
                if i >= sizes.warmup:
                    result.ours.append(seen - t0)
                    result.bare_fresh.append(fresh)
                    result.bare_open.append(alone)
    finally:
        kept.close()
        watch.close()
    return result


# ---- 2. catch-up ---------------------------------------------------------------------------
@dataclass
class CatchUp:
    gifts: int
    noticed_s: float  # the centre back -> the first push's transaction began
    all_s: float  # the centre back -> every gift central
    waiting_cpu: float  # the station offline with the gifts waiting, nothing happening
    executemany: list[float]
    copy: list[float]


def part_catch_up(pg: PgServer, ring: MemoryKeyring, tmp: Path, sizes: Sizes) -> CatchUp:
    """The Wi-Fi is gone for the evening: the relay refuses connections while the gifts are
    taken (the sync job fails and waits to retry, the probe sees the centre gone); restored,
    the station has to notice by itself (no sync_now) and drain its outbox."""
    n = sizes.offline
    relay = TcpRelay(("127.0.0.1", pg.port))
    relay.cut()
    watch = Watch(pg.admin_url)
    try:
        with sharing_station(tmp, pg, ring, "Bench Offline", port=relay.port) as st:
            st.start_jobs()
            for i in range(n):
                st.take_card_donation(AMOUNT + i, Donor(f"Donor {i}", ""), CARD, NO_JOBS)
            status = st.sync_status()
            if status.pending != n:
                raise RuntimeError(f"expected {n} gifts waiting, the outbox holds "
                                   f"{status.pending}")
            sid = st.parts.station_id
            waiting_cpu = cpu_per_second(sizes.idle)
            relay.restore()
            t0, back = time.perf_counter(), time.time()
            every = watch.until(*at_least(sid, n), timeout=600)
    finally:
        watch.close()
        relay.close()
    rows = central_rows(pg.admin_url, "station_id = %s", sid)
    many, copy = bare_batches(pg.admin_url, rows, sizes.bare_repeats)
    return CatchUp(n, first_push(pg.admin_url, sid) - back, every - t0, waiting_cpu, many,
                   copy)


def first_push(url: str, station_id: str) -> float:
    """When the first push's transaction began, on the wall clock (the server is on this
    machine): a row's received_at is its push transaction's now(), and each row here is
    pushed once. Splits the catch-up into noticing the centre is back and pushing."""
    with psycopg.connect(url, autocommit=True) as c:
        row = c.execute("SELECT extract(epoch FROM min(received_at)) FROM tableside.donations "
                        "WHERE station_id = %s", (station_id,)).fetchone()
    return float(row[0]) if row else 0.0


def bare_batches(url: str, rows: list[tuple[Any, ...]],
                 repeats: int) -> tuple[list[float], list[float]]:
    """executemany and COPY of the same rows, interleaved, an empty table each time."""
    many: list[float] = []
    copy: list[float] = []
    for i in range(repeats):
        for kind in (("many", "copy") if i % 2 == 0 else ("copy", "many")):
            clear_scratch(url)
            if kind == "many":
                many.append(bare_fresh(url, rows))
            else:
                copy.append(bare_copy(url, rows))
    clear_scratch(url)
    return many, copy


# ---- 3. what one PostgreSQL holds ----------------------------------------------------------
@dataclass
class Load:
    k: int
    gifts: int  # rows the centre holds from these stations afterwards
    seconds: float  # the longest station's window, up to its last push's answer
    pushes: list[float]  # every push's latency, all stations


def gift_row(n: int) -> dict[str, Any]:
    """A card gift as the outbox would send it (outbox.donation_row's keys)."""
    at = dt.datetime.now(dt.UTC).isoformat()
    return {"id": str(uuid.uuid4()), "version": 1, "amount_cents": AMOUNT + n,
            "currency": "usd", "method": "card", "state": "approved", "anonymous": False,
            "donor_name": f"Donor {n}", "donor_email": f"d{n}@example.org",
            "check_number": None, "processor": "simulator", "brand": "visa", "last4": "4242",
            "payment_intent_id": f"pi_bench_{uuid.uuid4().hex[:16]}", "message": None,
            "created_at": at, "updated_at": at}


def pusher(login: Login, window: float, go: Any, out: Any) -> None:
    """A station process: say it is ready (imports done), wait for the start, then push one
    gift per push until the window is over; send back (seconds, latencies)."""
    out.put(None)
    go.wait()
    latencies: list[float] = []
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < window:
        n += 1
        t0 = time.perf_counter()
        push(login, Batch([], donations=[gift_row(n)]), left_after=0, attention=0)
        latencies.append(time.perf_counter() - t0)
    out.put((time.perf_counter() - start, latencies))


def logins(pg: PgServer, k: int) -> list[Login]:
    made = []
    for i in range(k):
        new = admin.add_station(pg.admin_url, f"Bench Load {k}-{i}")
        url = f"postgresql://{new.role}@127.0.0.1:{pg.port}/{pg.dbname}"
        made.append(Login(url, new.password, str(uuid.uuid4()), new.name))
    return made


def part_load(pg: PgServer, k: int, window: float) -> Load:
    """K processes (not threads: each laptop is its own Python, and one GIL would be the
    bottleneck measured), started and ready before the window opens."""
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    stations = logins(pg, k)
    procs = [ctx.Process(target=pusher, args=(login, window, go, out), daemon=True)
             for login in stations]
    try:
        with deaf_children():
            for p in procs:
                p.start()
        for _ in procs:  # every one ready, so the windows coincide
            out.get(timeout=120)
        go.set()
        results = [out.get(timeout=window + 120) for _ in procs]
        for p in procs:
            p.join(10)
    finally:
        stop(procs)
    with psycopg.connect(pg.admin_url, autocommit=True) as c:
        row = c.execute("SELECT count(*) FROM tableside.donations WHERE station_id = ANY(%s)",
                        ([uuid.UUID(s.station_id) for s in stations],)).fetchone()
    return Load(k, int(row[0]) if row else 0, max(r[0] for r in results),
                [x for r in results for x in r[1]])


def stop(procs: list[Any]) -> None:
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(5)


# ---- printing ------------------------------------------------------------------------------
def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def p99(samples: list[float]) -> float:
    """Interpolated between the two largest of fewer than 100 samples (nearly the max)."""
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[-1]


def report(pg_version: str, sizes: Sizes, lat: Latency, cu: CatchUp, loads: list[Load]) -> None:
    print(f"sharing with the central store: PostgreSQL {pg_version} on loopback (fsync off), "
          f"{os.cpu_count()} cores")
    print(f"1. gift -> central, {sizes.gifts} card gifts one at a time (+{sizes.warmup} "
          "warm-up), the station's jobs running")
    print(f"   {'':56}{'median':>10}{'p99':>11}")
    for label, samples in (
        ("ours: take_card_donation returned -> approved central", lat.ours),
        ("bare: fresh connection, INSERT the row, commit", lat.bare_fresh),
        ("bare: open connection, INSERT the row, commit", lat.bare_open),
    ):
        print(f"   {label:56}{ms(statistics.median(samples)):>10}{ms(p99(samples)):>11}")
    many, copy = statistics.median(cu.executemany), statistics.median(cu.copy)
    pushing = cu.all_s - cu.noticed_s
    print(f"2. catch-up: {cu.gifts} card gifts taken with the centre cut off, then it is back")
    for label, seconds, note in (
        (f"ours: centre back -> all {cu.gifts} central", cu.all_s, ""),
        ("  noticing it is back (to the first push)", cu.noticed_s, ""),
        ("  pushing (first push to all central)", pushing, ""),
        ("bare: executemany, fresh connection", many, f"(median of {len(cu.executemany)})"),
        ("bare: COPY, fresh connection", copy, f"(median of {len(cu.copy)})"),
    ):
        print(f"   {label:44}{seconds:8.3f} s   {note}".rstrip())
    print(f"   station CPU, offline with the {cu.gifts} gifts waiting: "
          f"{cu.waiting_cpu * 1000:.0f} ms per s (online with nothing to share: "
          f"{lat.idle_cpu * 1000:.0f} ms per s)")
    print(f"3. what one PostgreSQL holds: K station processes, one gift per push "
          f"(fresh connection, hello, push, commit), {sizes.window:g} s each")
    print(f"   {'K':>3}{'gifts/min':>12}{'push median':>14}{'push p99':>12}")
    for load in loads:
        rate = load.gifts / load.seconds * 60
        print(f"   {load.k:>3}{rate:>12,.0f}{ms(statistics.median(load.pushes)):>14}"
              f"{ms(p99(load.pushes)):>12}")
    print(f"ratio latency ours/bare fresh: "
          f"{statistics.median(lat.ours) / statistics.median(lat.bare_fresh):.1f}x")
    print(f"ratio pushing ours/bare: {pushing / many:.1f}x")
    print(f"ratio catch-up ours/bare: {cu.all_s / many:.1f}x")


# ---- running it ----------------------------------------------------------------------------
def interrupt(_signum: int, _frame: FrameType | None) -> None:
    """Ctrl-C or SIGTERM: unwind through every `finally`, so nothing is left behind. Only
    the first raises: a second Ctrl-C must not cut the clean-up short (each of its waits is
    bounded). Remembered, because the server gets the terminal's Ctrl-C too, and its
    shutdown may reach us first, as a lost connection rather than a KeyboardInterrupt."""
    if STOPPED.is_set():
        return
    STOPPED.set()
    raise KeyboardInterrupt


@contextlib.contextmanager
def deaf_children() -> Iterator[None]:
    """Processes started in here ignore Ctrl-C (an ignored signal stays ignored across
    exec): the terminal sends it to them too, and a child in the middle of its imports
    would print a traceback. The parent ends them itself."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def sizes_from(args: argparse.Namespace) -> Sizes:
    if args.quick:
        return Sizes(gifts=10, warmup=1, offline=50, bare_repeats=3, window=1.0, idle=1.0,
                     ks=(1,))
    return Sizes(args.gifts, args.warmup, args.offline, args.repeats, args.window, idle=3.0)


def run(bindir: Path, sizes: Sizes) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="tableside-bench-sync-") as tmp,
        pg_server(bindir) as pg,
        memory_keyring() as ring,
    ):
        admin.init(pg.admin_url)
        make_scratch(pg.admin_url)
        with psycopg.connect(pg.admin_url) as c:
            version = str(c.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        lat = part_latency(pg, ring, Path(tmp), sizes)
        cu = part_catch_up(pg, ring, Path(tmp), sizes)
        loads = [part_load(pg, k, sizes.window) for k in sizes.ks]
    report(version, sizes, lat, cu, loads)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gifts", type=int, default=100, help="part 1: gifts measured")
    ap.add_argument("--warmup", type=int, default=3, help="part 1: gifts not measured")
    ap.add_argument("--offline", type=int, default=1000, help="part 2: gifts taken offline")
    ap.add_argument("--repeats", type=int, default=5, help="part 2: runs of each bare kind")
    ap.add_argument("--window", type=float, default=8.0, help="part 3: seconds per K")
    ap.add_argument("--quick", action="store_true", help="tiny sizes, for the test suite")
    args = ap.parse_args()
    bindir = find_bindir()
    if bindir is None:
        print(SKIPPED)
        return 0
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    try:
        run(bindir, sizes_from(args))
    except BaseException:
        if not STOPPED.is_set():
            raise
        print("interrupted: the server, the stations and their files are gone", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
