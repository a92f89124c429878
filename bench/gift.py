"""A gift's own cost: what recording a donation costs the donor's wait, next to the durable
floor and a bare job enqueue, measured side by side in one run.

In training mode (the simulator answering in 0 ms) everything a card gift costs is ours:
the checks, the crash-safe row writes, the follow-up job rows, the log line. Its floor is
durability itself: the three commits a card gift must make before it can say "approved"
(the `charging` row before the processor is called, the card's token before the charge,
the answer with its jobs), each an `fdatasync` with SQLite in WAL mode and
`synchronous=FULL`. Each round, in a rotating order:

- **floor** — three commits of one small row each on a bare `sqlite3` connection with the
  app's pragmas, in the same directory (the same disk);
- **bare enqueue** — a `SqliteHuey` enqueue of two tasks (what the jobs cost in Huey alone;
  it doesn't sync);
- **card gift** — `Station.take_card_donation` (simulator at 0 ms) with the app's logging
  to its file, as `pos-app` runs it; its CPU time on the calling thread too;
- **cash gift** — `Station.record_donation` (one commit: the row, its receipt job).

    .venv/bin/python bench/gift.py                  # 500 rounds + 30 warm-up
    .venv/bin/python bench/gift.py --rounds 200     # quicker
    .venv/bin/python bench/gift.py --quick          # 20 rounds: what tests/test_benches.py runs
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from huey import SqliteHuey  # noqa: E402

from pos_app.api import Card, Donor, Station  # noqa: E402
from pos_app.paths import DataPaths  # noqa: E402
from pos_app.payments.simulator import SimulatorProcessor  # noqa: E402
from pos_app.settings import Event, Settings  # noqa: E402

CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")


def durable_floor(path: Path) -> Callable[[], None]:
    """Three commits, as the app's connections make them (store/database._on_connect)."""
    db = sqlite3.connect(str(path), isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        db.execute(f"PRAGMA {pragma}")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")

    def three_commits() -> None:
        for _ in range(3):
            db.execute("BEGIN")
            db.execute("INSERT INTO t (v) VALUES (?)", ("x" * 200,))
            db.execute("COMMIT")

    return three_commits


def bare_enqueue(path: Path) -> Callable[[], None]:
    huey = SqliteHuey("bench", filename=str(path), results=False)

    @huey.task()
    def noop(job_id: str) -> None:
        pass

    def two_tasks() -> None:
        noop("a")
        noop("b")

    return two_tasks


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="20 rounds, for the test suite")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.warmup = 20, 5

    with tempfile.TemporaryDirectory() as tmp:
        here = Path(tmp)
        paths = DataPaths(here / "station", here / "station" / "logs")
        settings = Settings(event=Event(name="Bench Gala", station="Bench"))
        st = Station(settings, paths, processor=SimulatorProcessor(latency_ms=0))
        n = 0

        def card_gift() -> None:
            nonlocal n
            n += 1
            st.take_card_donation(1000 + n, Donor(f"Card {n}", f"c{n}@example.org"), CARD)

        def cash_gift() -> None:
            nonlocal n
            n += 1
            st.record_donation(1000 + n, Donor(f"Cash {n}", f"d{n}@example.org"), "cash")

        kinds: dict[str, Callable[[], None]] = {
            "floor": durable_floor(here / "floor.db"),
            "enqueue": bare_enqueue(here / "bare-queue.db"),
            "card": card_gift,
            "cash": cash_gift,
        }
        wall: dict[str, list[float]] = {k: [] for k in kinds}
        cpu: dict[str, list[float]] = {k: [] for k in kinds}
        names = list(kinds)
        try:
            for i in range(args.warmup + args.rounds):
                order = names[i % len(names):] + names[: i % len(names)]
                for name in order:
                    t, c = time.perf_counter(), time.thread_time()
                    kinds[name]()
                    elapsed, used = time.perf_counter() - t, time.thread_time() - c
                    if i >= args.warmup:
                        wall[name].append(elapsed * 1000)
                        cpu[name].append(used * 1000)
            st.jobs_system.flush_handoff()
        finally:
            st.close()

    med = {k: statistics.median(v) for k, v in wall.items()}
    print(f"a gift's own cost: {args.rounds} rounds interleaved (+{args.warmup} warm-up), "
          "simulator at 0 ms, the app's logging on")  # fmt: skip
    print(f"{'':46}{'median':>10}{'p90':>12}{'CPU':>12}")
    for name, label in (
        ("floor", "durable floor: 3 SQLite commits (FULL sync)"),
        ("enqueue", "bare SqliteHuey enqueue of 2 tasks"),
        ("card", "card gift + its jobs (take_card_donation)"),
        ("cash", "cash gift + receipt job (record_donation)"),
    ):
        print(f"{label:46}{med[name]:7.2f} ms{percentile(wall[name], 0.9):9.2f} ms"
              f"{statistics.median(cpu[name]):9.2f} ms")
    print("(CPU: the calling thread's, median; the kernel's part of each fdatasync counts)")
    print(f"ratio card gift/durable floor: {med['card'] / med['floor']:.2f}x")
    print(f"ratio card gift/bare enqueue: {med['card'] / med['enqueue']:.2f}x")
    print(f"ratio cash gift/durable floor: {med['cash'] / med['floor']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
