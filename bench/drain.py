"""Benchmarks for the background jobs, each printed as a ratio to a baseline from the same run.

1. Drain: 500 receipts wait (the email server is unreachable, every job scheduled to
   retry); the server comes back (50 ms per request); time from "network back" until every
   receipt is done, next to the floor jobs x latency / workers.
2. Commit: recording a gift with its job (one transaction: donation row, ledger row,
   receipt number; then the Huey enqueue), next to a bare SqliteHuey enqueue.

    .venv/bin/python bench/drain.py [--jobs 500] [--latency 0.05] [--workers N]
    .venv/bin/python bench/drain.py --quick   # small sizes: what tests/test_benches.py runs
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root

from huey import SqliteHuey  # noqa: E402

from pos_app.api import Card, Donor, Station  # noqa: E402
from pos_app.paths import DataPaths  # noqa: E402
from pos_app.payments.simulator import SimulatorProcessor  # noqa: E402
from pos_app.receipts.sendgrid import SendGridSender  # noqa: E402
from pos_app.settings import Event, Jobs, Receipts, Settings  # noqa: E402


class MailServer:
    """Answers POST /v3/mail/send with 202 after `latency` seconds; can go down and up."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.accepted = 0
        self.lock = threading.Lock()
        self.port = 0
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(outer.latency)
                with outer.lock:
                    outer.accepted += 1
                self.send_response(202)
                self.send_header("X-Message-Id", uuid.uuid4().hex[:22])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        server.request_queue_size = 128
        self.port = server.server_address[1]
        self.server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def settings(api_base: str, workers: int) -> Settings:
    return Settings(
        event=Event(name="Bench Gala", station="Bench"),
        receipts=Receipts(provider="sendgrid", sender="receipts@bench.example",
                          api_base=api_base, timeout=10.0),
        jobs=Jobs(workers=workers),
    )


def wait(predicate, timeout: float, poll: float = 0.01) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(poll)
    return False


def bench_drain(jobs: int, latency: float, workers: int) -> dict[str, float]:
    server = MailServer(latency)
    server.up()
    server.down()  # keep the port: "down" means nothing listens there
    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp), Path(tmp) / "logs")
        st = Station(
            settings(server.url, workers),
            paths,
            processor=SimulatorProcessor(latency_ms=0),
            sender=SendGridSender("SG.bench", api_base=server.url, timeout=10.0),
        )
        try:
            for i in range(jobs):
                st.record_donation(1000 + i, Donor(f"Donor {i}", f"d{i}@example.org"), "cash")
            st.start_jobs()
            # Every receipt has failed at least once and waits to retry; the laptop is offline.
            ok = wait(
                lambda: (s := st.job_summary()).retrying == jobs and not s.online, timeout=120
            )
            assert ok, "jobs did not all reach retry_scheduled"
            server.up()
            t0 = time.monotonic()
            ok = wait(lambda: st.job_summary().pending == 0, timeout=600)
            t1 = time.monotonic()
            assert ok, "jobs did not drain"
            summary = st.job_summary()
            back_at = summary.online_since
            records = st.jobs()
        finally:
            st.close()
            server.down()
    assert all(r.state == "done" for r in records) and server.accepted == jobs
    sent = sorted(r.sent_at for r in records if r.sent_at)
    noticed = (back_at - sent[0]).total_seconds() if back_at and sent else 0.0
    return {
        "drain_s": t1 - t0,
        "floor_s": jobs * latency / workers,
        "first_to_last_send_s": (sent[-1] - sent[0]).total_seconds(),
        "noticed_vs_first_send_s": noticed,
    }


def bench_commit(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        huey = SqliteHuey("bench", filename=str(Path(tmp) / "bare.db"), results=False)

        @huey.task()
        def noop(job_id: str) -> None:
            pass

        bare = []
        for _ in range(n):
            t = time.perf_counter()
            noop(str(uuid.uuid4()))
            bare.append(time.perf_counter() - t)
        huey.storage.close()

        paths = DataPaths(Path(tmp) / "station", Path(tmp) / "station" / "logs")
        st = Station(settings("http://127.0.0.1:9", 4), paths,
                     processor=SimulatorProcessor(latency_ms=0))
        try:
            cash, card = [], []
            for i in range(n):
                t = time.perf_counter()
                st.record_donation(1000 + i, Donor(f"D{i}", f"d{i}@example.org"), "cash")
                cash.append(time.perf_counter() - t)
            c = Card("4242424242424242", 12, time.gmtime().tm_year + 2, "123")
            for i in range(n // 5):
                t = time.perf_counter()
                st.take_card_donation(1000 + i, Donor(f"C{i}", f"c{i}@example.org"), c)
                card.append(time.perf_counter() - t)
        finally:
            st.close()
    return {
        "bare_enqueue_ms": statistics.median(bare) * 1000,
        "gift_with_job_ms": statistics.median(cash) * 1000,
        "card_gift_with_jobs_ms": statistics.median(card) * 1000,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=500)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--workers", type=int, default=Jobs().workers)
    ap.add_argument("--commits", type=int, default=500)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    ap.add_argument("--quick", action="store_true", help="small sizes, for the test suite")
    args = ap.parse_args()
    if args.quick:
        args.jobs, args.latency, args.commits = 20, 0.02, 20
    logging.disable(logging.CRITICAL)

    d = bench_drain(args.jobs, args.latency, args.workers)
    print(f"drain: {args.jobs} receipts, {args.latency * 1000:.0f} ms per request, "
          f"{args.workers} workers")
    print(f"  network back -> all done   {d['drain_s']:8.2f} s")
    print(f"  floor (jobs x latency / workers) {d['floor_s']:5.2f} s")
    print(f"  ratio                      {d['drain_s'] / d['floor_s']:8.2f} x floor")
    print(f"  first -> last send         {d['first_to_last_send_s']:8.2f} s "
          f"({d['first_to_last_send_s'] / d['floor_s']:.2f} x floor; the rest is noticing "
          "the network is back)")
    c = bench_commit(args.commits)
    print(f"commit: median of {args.commits}")
    print(f"  bare SqliteHuey enqueue    {c['bare_enqueue_ms']:8.2f} ms")
    print(f"  cash gift + receipt job    {c['gift_with_job_ms']:8.2f} ms   "
          f"{c['gift_with_job_ms'] / c['bare_enqueue_ms']:.1f} x bare enqueue")
    print(f"  card gift + 2 jobs (simulator, 3 commits) {c['card_gift_with_jobs_ms']:6.2f} ms   "
          f"{c['card_gift_with_jobs_ms'] / c['bare_enqueue_ms']:.1f} x bare enqueue")
    print(f"ratio drain/floor: {d['drain_s'] / d['floor_s']:.2f}x")
    print(f"ratio cash gift/bare enqueue: {c['gift_with_job_ms'] / c['bare_enqueue_ms']:.2f}x")
    print(f"ratio card gift/bare enqueue: "
          f"{c['card_gift_with_jobs_ms'] / c['bare_enqueue_ms']:.2f}x")
    if args.json:
        print(json.dumps({**d, **c}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
