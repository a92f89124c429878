"""The pending-jobs panel under load: 10,000 ledger rows while 200 jobs change state.

Measures the longest stall of the GUI event loop (a 10 ms QTimer heartbeat: the largest
gap between two ticks, minus 10 ms) over the same workload twice, side by side in one run:
with the lead's panel open and refreshing, and with it closed. Prints both and the ratio.

    .venv/bin/python bench/panel.py [--jobs 10000] [--changes 200] [--seconds 6]
    .venv/bin/python bench/panel.py --quick   # small and short: what tests/test_benches.py runs
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import insert, update  # noqa: E402

from pos_app.api import open_station  # noqa: E402
from pos_app.payments.simulator import SimulatorProcessor  # noqa: E402
from pos_app.store.models import Donation, Job  # noqa: E402
from pos_app.ui.jobs_panel import JobsPanel  # noqa: E402
from pos_app.ui.tasks import TaskRunner  # noqa: E402


def seed(station, n_jobs: int) -> list[str]:  # type: ignore[no-untyped-def]
    now = dt.datetime.now(dt.UTC)
    donations, jobs = [], []
    for i in range(n_jobs // 2):
        did = str(uuid.uuid4())
        donations.append(
            dict(id=did, amount_cents=2500 + i, currency="usd", method="card",
                 state="approved", donor_name=f"Donor {i}", donor_email=f"d{i}@example.org",
                 station="bench", charge_attempts=1, created_at=now, updated_at=now)
        )  # fmt: skip
        for kind in ("save_card", "receipt"):
            jobs.append(
                dict(id=str(uuid.uuid4()), kind=kind, donation_id=did, state="queued",
                     attempts=0, created_at=now, updated_at=now)
            )  # fmt: skip
    with station.db.session() as s:
        s.execute(insert(Donation), donations)
        s.execute(insert(Job), jobs)
    return [j["id"] for j in jobs]


def churn(station, ids: list[str], changes: int, seconds: float, stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    states = ["running", "retry_scheduled", "done", "needs_attention"]
    for _ in range(changes):
        if stop.is_set():
            return
        with station.db.session() as s:
            s.execute(
                update(Job)
                .where(Job.id == rng.choice(ids))
                .values(state=rng.choice(states), attempts=Job.attempts + 1,
                        last_error="The email server is busy; trying again.",
                        updated_at=dt.datetime.now(dt.UTC))
            )  # fmt: skip
        time.sleep(seconds / changes)


def measure(app: QApplication, station, ids, changes: int, panel_open: bool,  # type: ignore[no-untyped-def]
            seconds: float = 6.0) -> tuple[float, int]:
    tasks = TaskRunner()
    panel = None
    if panel_open:
        panel = JobsPanel(station, tasks)
        panel.resize(1200, 700)
        panel.state_filter.setCurrentIndex(0)  # all jobs: the heaviest view
        panel.show()
        panel.start()
        deadline = time.monotonic() + 60
        while panel.loads == 0 and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
    ticks: list[float] = []
    beat = QTimer()
    beat.setInterval(10)
    beat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    stop = threading.Event()
    worker = threading.Thread(target=churn, args=(station, ids, changes, seconds * 2 / 3, stop))
    beat.start()
    worker.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)
    stop.set()
    worker.join()
    beat.stop()
    loads = panel.loads if panel else 0
    if panel is not None:
        panel.stop()
        panel.close()
    tasks.shutdown()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    return max(0.0, max(gaps) - 0.010) * 1000, loads


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=10_000)
    ap.add_argument("--changes", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=6.0, help="length of each of the 3 runs")
    ap.add_argument("--quick", action="store_true", help="small and short, for the test suite")
    args = ap.parse_args()
    if args.quick:
        args.jobs, args.changes, args.seconds = 1000, 30, 1.0
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        station = open_station(data_dir=tmp, processor=SimulatorProcessor())
        ids = seed(station, args.jobs)
        closed_ms, _ = measure(app, station, ids, args.changes, False, args.seconds)
        open_ms, loads = measure(app, station, ids, args.changes, True, args.seconds)
        closed2_ms, _ = measure(app, station, ids, args.changes, False, args.seconds)
        station.close()
    baseline = max(closed_ms, closed2_ms)
    print(f"ledger rows: {args.jobs}, state changes during each run: {args.changes}")
    print(f"longest event-loop stall, panel closed:  {baseline:7.1f} ms (worst of 2 runs)")
    print(f"longest event-loop stall, panel open:    {open_ms:7.1f} ms ({loads} refreshes)")
    print(f"ratio open/closed: {open_ms / max(baseline, 0.1):.2f}x")


if __name__ == "__main__":
    main()
