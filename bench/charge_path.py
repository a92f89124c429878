"""How much our charge path costs on top of the HTTP it has to do, measured side by side.

    .venv/bin/python bench/charge_path.py [--iterations 200] [--warmup 10] [--traced 50]
    .venv/bin/python bench/charge_path.py --quick   # a few: what tests/test_benches.py runs

In one loop, interleaved (the order rotates every iteration), each iteration runs:
  (a) Station.take_card_donation with the simulator at 0 ms latency: the app's own cost
      (checks, the crash-safe row writes, the follow-up jobs, logging), no network;
  (b) Station.take_card_donation with StripeProcessor against a bridged localstripe on
      127.0.0.1 (tests/support/processes.py);
  bare: an httpx.Client sending the same two requests (create PaymentMethod, create and
      confirm PaymentIntent, with Idempotency-Keys) to the same localstripe.
It prints medians, p90s, the ratio (b)/bare, and peak memory. No thresholds: numbers only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # pos_app, and tests/support for localstripe

import httpx  # noqa: E402
from support.processes import localstripe_process  # noqa: E402

from pos_app.api import Card, Donor, Station, open_station  # noqa: E402
from pos_app.payments.simulator import SimulatorProcessor  # noqa: E402
from pos_app.payments.stripe import STRIPE_VERSION, StripeProcessor  # noqa: E402

API_KEY = "sk_test_tableside_bench"
AMOUNT = 5000
NUMBER = "4242424242424242"
EXP_YEAR = dt.date.today().year + 3
DONOR = Donor("Ada Lovelace", "ada@example.org")


def card() -> Card:
    return Card(NUMBER, 12, EXP_YEAR, "123", postal_code="62701")


def ours(station: Station) -> Callable[[], None]:
    def run() -> None:
        outcome = station.take_card_donation(AMOUNT, DONOR, card())
        if outcome.status != "approved":
            raise RuntimeError(f"{station.processor.name}: {outcome.status} {outcome.message}")

    return run


def bare(client: httpx.Client) -> Callable[[], None]:
    """The same two requests, built by hand: the floor any Stripe integration pays."""

    def run() -> None:
        key = uuid.uuid4().hex
        pm = client.post(
            "/v1/payment_methods",
            data={
                "type": "card",
                "card[number]": NUMBER,
                "card[exp_month]": "12",
                "card[exp_year]": str(EXP_YEAR),
                "card[cvc]": "123",
                "billing_details[address][postal_code]": "62701",
            },
            headers={"Idempotency-Key": f"{key}-pm"},
        )
        pm.raise_for_status()
        pi = client.post(
            "/v1/payment_intents",
            data={
                "amount": str(AMOUNT),
                "currency": "usd",
                "payment_method": pm.json()["id"],
                "payment_method_types[0]": "card",
                "confirm": "true",
                "error_on_requires_action": "true",
                "setup_future_usage": "off_session",
                "metadata[donation_id]": key,
            },
            headers={"Idempotency-Key": key},
        )
        pi.raise_for_status()
        if pi.json().get("status") != "succeeded":
            raise RuntimeError(f"bare: {pi.json().get('status')}")

    return run


def timed(fn: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10)[-1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--traced", type=int, default=50, help="Stripe charges under tracemalloc")
    ap.add_argument("--quick", action="store_true", help="a few iterations, for the test suite")
    args = ap.parse_args()
    if args.quick:
        args.iterations, args.warmup, args.traced = 5, 1, 3

    with (
        tempfile.TemporaryDirectory(prefix="tableside-bench-") as tmp,
        localstripe_process() as url,
    ):
        os.environ["POS_APP_CONFIG"] = str(Path(tmp) / "no-config.toml")  # training settings
        # One data dir per station: a data dir takes one station at a time (StationBusy).
        sim_station = open_station(
            data_dir=Path(tmp) / "sim", processor=SimulatorProcessor(latency_ms=0)
        )
        stripe_station = open_station(
            data_dir=Path(tmp) / "stripe",
            processor=StripeProcessor(API_KEY, api_base=url, timeout=10),
        )
        client = httpx.Client(
            base_url=url,
            auth=(API_KEY, ""),
            headers={"Stripe-Version": STRIPE_VERSION},
            timeout=10,
        )
        paths: dict[str, Callable[[], None]] = {
            "sim": ours(sim_station),
            "stripe": ours(stripe_station),
            "bare": bare(client),
        }
        samples: dict[str, list[float]] = {name: [] for name in paths}
        names = list(paths)
        try:
            for i in range(args.warmup + args.iterations):
                order = names[i % 3 :] + names[: i % 3]  # rotate who goes first
                for name in order:
                    elapsed = timed(paths[name])
                    if i >= args.warmup:
                        samples[name].append(elapsed)

            # Python-heap peak while charging, measured apart (tracemalloc slows everything).
            tracemalloc.start()
            for _ in range(args.traced):
                paths["stripe"]()
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        finally:
            client.close()
            stripe_station.close()
            sim_station.close()

    med = {name: statistics.median(s) for name, s in samples.items()}
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    if sys.platform == "darwin":
        rss_kb //= 1024  # bytes there
    print(
        f"charge path, {args.iterations} iterations interleaved "
        f"(+{args.warmup} warm-up), localstripe on loopback"
    )
    print(f"{'':44}{'median':>11}{'p90':>12}")
    rows = [
        ("(a) facade + simulator (0 ms latency)", "sim"),
        ("(b) facade + StripeProcessor -> localstripe", "stripe"),
        ("    bare httpx.Client, same 2 POSTs", "bare"),
    ]
    for label, name in rows:
        print(f"{label:44}{ms(med[name]):>11}{ms(p90(samples[name])):>12}")
    print(f"ratio (b) ours/bare: {med['stripe'] / med['bare']:.2f}x")
    print(f"our overhead over bare: {ms(med['stripe'] - med['bare']).strip()} per charge")
    print(f"peak RSS (whole process): {rss_kb / 1024:.1f} MiB")
    print(
        f"tracemalloc peak over {args.traced} Stripe charges: {traced_peak / 1024 / 1024:.2f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
