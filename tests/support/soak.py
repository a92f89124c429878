"""A resource soak: one station takes thousands of donations in this process, with its jobs
running; threads, open files and memory are sampled as it goes. Shared by
tests/test_resources.py (a few hundred donations) and bench/soak.py (5,000).

The stream: card gifts (every 12th declined, every 20th a cash or check gift), each with an
email and the donor's yes to keeping the card, so every approved gift also makes a
save-card job and a receipt job. The processor
is the in-process simulator (or, with `processor="localstripe"`, the Stripe adapter against a
bridged localstripe in a process of its own); receipts go to the outbox folder.

The simulator stands in for the processor's servers: like Stripe it remembers every charge,
customer and idempotency key. That memory is the processor's, not the app's, so it is
dropped (`forget()`) whenever the station has settled a batch; everything else in this
process counts. Measurements:

- threads: `threading.active_count()` and the OS's count (/proc/self/task);
- open files: entries in /proc/self/fd (files, sockets, pipes);
- memory: RSS (VmRSS) and the bytes traced by tracemalloc, after `gc.collect()`.

A baseline is taken once the warm-up donations are through and the jobs have settled (caches
filled, pools at size); growth is the final sample minus the baseline.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pos_app.api import Card, Donor, GiftOptions, Station
from pos_app.paths import DataPaths
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.settings import Event, Jobs, Organization, Receipts, Settings

YEAR = dt.date.today().year + 2
CARDS = ("4242424242424242", "5555555555554444", "4111111111111111")
DECLINED = "4000000000009995"  # insufficient funds, in the simulator and at Stripe
CONSENT = GiftOptions(save_card=True)  # the donor agreed to keep the card


@dataclass(frozen=True)
class Sample:
    donations: int
    threads: int
    os_threads: int
    fds: int
    rss_kib: int
    traced: int  # bytes


@dataclass
class SoakResult:
    donations: int
    warmup: int
    seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    baseline: Sample | None = None
    final: Sample | None = None
    top_growth: list[str] = field(default_factory=list)  # tracemalloc, by file:line
    states: dict[str, int] = field(default_factory=dict)
    jobs: dict[str, int] = field(default_factory=dict)

    def growth(self) -> dict[str, float]:
        assert self.baseline is not None and self.final is not None
        b, f = self.baseline, self.final
        return {
            "threads": f.threads - b.threads,
            "os_threads": f.os_threads - b.os_threads,
            "fds": f.fds - b.fds,
            "rss_mib": (f.rss_kib - b.rss_kib) / 1024,
            "traced_mib": (f.traced - b.traced) / 2**20,
        }

    def lines(self) -> list[str]:
        assert self.baseline is not None and self.final is not None
        b, f, g = self.baseline, self.final, self.growth()
        rate = self.donations / self.seconds if self.seconds else 0.0
        out = [
            f"soak: {self.donations} donations ({rate:.0f}/s, {self.seconds:.0f}s), baseline "
            f"after {self.warmup}; donations {self.states}; jobs {self.jobs}",
            f"{'':24}{'baseline':>12}{'final':>12}{'growth':>12}",
            f"{'threads (Python)':24}{b.threads:>12}{f.threads:>12}{g['threads']:>+12}",
            f"{'threads (OS)':24}{b.os_threads:>12}{f.os_threads:>12}{g['os_threads']:>+12}",
            f"{'open fds':24}{b.fds:>12}{f.fds:>12}{g['fds']:>+12}",
            f"{'RSS MiB':24}{b.rss_kib / 1024:>12.1f}{f.rss_kib / 1024:>12.1f}"
            f"{g['rss_mib']:>+12.1f}",
            f"{'tracemalloc MiB':24}{b.traced / 2**20:>12.2f}{f.traced / 2**20:>12.2f}"
            f"{g['traced_mib']:>+12.2f}",
            "samples (donations: threads/fds/RSS MiB/traced MiB): " + ", ".join(
                f"{s.donations}: {s.threads}/{s.fds}/{s.rss_kib / 1024:.0f}/"
                f"{s.traced / 2**20:.1f}" for s in self.samples
            ),
            "largest tracemalloc growth since the baseline:",
            *[f"  {line}" for line in self.top_growth],
        ]
        return out


# Growth allowed after the warm-up, whatever the number of donations: no thread and no open
# file more; memory within a few MiB (caches that fill to their cap, e.g. re's 512 compiled
# patterns from the MIME boundaries of outbox receipts, SQLAlchemy's statement cache, the
# allocator's arenas), not a per-donation cost.
BOUND = {"threads": 0, "os_threads": 0, "fds": 2, "rss_mib": 8.0, "traced_mib": 2.0}


def within_bound(result: SoakResult) -> list[str]:
    """What grew past the bound (empty: all within it)."""
    return [f"{k} grew {v:+.2f} (bound {BOUND[k]:+g})"
            for k, v in result.growth().items() if v > BOUND[k]]


def sample(donations: int) -> Sample:
    gc.collect()
    rss = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    except OSError:
        pass
    try:
        fds = len(os.listdir("/proc/self/fd"))
        os_threads = len(os.listdir("/proc/self/task"))
    except OSError:
        fds = os_threads = -1
    traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
    return Sample(donations, threading.active_count(), os_threads, fds, rss, traced)


def settings() -> Settings:
    return Settings(
        organization=Organization(name="Riverside Food Bank", address="12 Main St",
                                  tax_id="12-3456789"),
        event=Event(name="Spring Gala", goal=250000, station="Table 3"),
        receipts=Receipts(provider="outbox", sender="receipts@riverside.example"),
        jobs=Jobs(workers=4, max_backoff=0.5, sync_interval=2.0),
    )


def forget(processor: object) -> None:
    """Drop what the simulated processor's servers remember (not the app's memory)."""
    if isinstance(processor, SimulatorProcessor):
        with processor._lock:
            processor._keys.clear()
            processor.charges.clear()
            processor.customers.clear()
            processor.attached.clear()


def wait_idle(station: Station, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        s = station.job_summary()
        if s.pending == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"jobs did not settle: {s}")
        time.sleep(0.05)


@contextmanager
def tracing(frames: int = 1) -> Iterator[None]:
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start(frames)
    try:
        yield
    finally:
        if started:
            tracemalloc.stop()


def run_soak(
    donations: int,
    data_dir: Path,
    *,
    warmup: int | None = None,
    every: int | None = None,
    processor: object | None = None,
    log: Callable[[str], None] = lambda s: None,
) -> SoakResult:
    warmup = warmup if warmup is not None else max(50, donations // 10)
    every = every or max(1, donations // 10)
    result = SoakResult(donations, warmup)
    proc = processor or SimulatorProcessor(latency_ms=0)
    with tracing():
        started = time.monotonic()
        station = Station(settings(), DataPaths.resolve(data_dir), processor=proc)  # type: ignore[arg-type]
        snapshot = None
        try:
            station.start_jobs()
            for i in range(donations):
                donor = Donor(f"Donor {i}", f"donor{i}@example.org")
                if i % 20 == 19:
                    method = "check" if i % 40 == 39 else "cash"
                    station.record_donation(1000 + i % 100, donor, method,
                                            f"{1000 + i}" if method == "check" else "")
                else:
                    number = DECLINED if i % 12 == 11 else CARDS[i % len(CARDS)]
                    card = Card(number, 1 + i % 12, YEAR, "123", postal_code="62701")
                    station.take_card_donation(2500 + i % 1000, donor, card, CONSENT)
                    station.forget_card()
                done = i + 1
                if done % every == 0 or done == warmup:
                    wait_idle(station)
                    forget(proc)
                    if done == warmup:
                        # The snapshot first: it is kept to the end (a list of every trace,
                        # ~15 MiB of RSS), so the baseline must already include it. Sampled
                        # the other way round, the tool's own memory read as the app's growth.
                        snapshot = tracemalloc.take_snapshot()
                        result.baseline = sample(done)
                    s = sample(done)
                    result.samples.append(s)
                    log(f"{done} donations: threads {s.threads}, fds {s.fds}, "
                        f"RSS {s.rss_kib / 1024:.1f} MiB, traced {s.traced / 2**20:.2f} MiB")
            wait_idle(station)
            forget(proc)
            result.final = sample(donations)
            if snapshot is not None:
                stats = tracemalloc.take_snapshot().compare_to(snapshot, "lineno")
                result.top_growth = [str(s) for s in stats[:8]]
            for d in station.donations():
                result.states[d.status] = result.states.get(d.status, 0) + 1
            for j in station.jobs():
                result.jobs[j.state] = result.jobs.get(j.state, 0) + 1
        finally:
            station.close()
        result.seconds = time.monotonic() - started
    return result


def main(argv: list[str] | None = None) -> int:
    """Run a soak in a process of its own (no test runner's log capture in the numbers);
    print the report, then one JSON line: growth, bound problems, states, jobs."""
    import argparse
    import json
    import sys
    import tempfile

    ap = argparse.ArgumentParser(description="resource soak")
    ap.add_argument("--donations", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=None)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tableside-soak-") as tmp:
        result = run_soak(args.donations, Path(tmp) / "data", warmup=args.warmup)
    print("\n".join(result.lines()))
    print(json.dumps({"growth": result.growth(), "over": within_bound(result),
                      "states": result.states, "jobs": result.jobs}))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root
    raise SystemExit(main())
