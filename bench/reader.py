"""What a card-reader gift costs us on top of the HTTP it has to do, and what its polling costs.

    .venv/bin/python bench/reader.py [--iterations 100] [--warmup 5] [--dwell 1.0]
    .venv/bin/python bench/reader.py --quick   # a few gifts: what tests/test_benches.py runs

Against the Terminal test peer inside a bridged localstripe on 127.0.0.1
(tests/support/terminal_peer.py), with one registered simulated reader:

1. The path, interleaved (the order alternates every iteration), the donor tapping at once
   (the tap is sent as soon as the reader has the payment, inside the timed call):
   ours: Station.take_reader_donation with StripeTerminalProcessor: the crash-safe row
         writes, the PaymentIntent, the amount on the reader, the hand-over, the tap, one
         poll of the reader, the PaymentIntent read back, the result and its jobs;
   bare: an httpx.Client sending the same six requests (create PaymentIntent,
         set_reader_display, process_payment_intent, the tap, GET reader, GET PaymentIntent
         expanded) to the same peer.
   It prints medians, p90s and the ratio ours/bare.
2. The waiting, for each poll interval (0.5 s, the default, and 0.1 s): the donor taps
   `--dwell` seconds (plus a seeded random part of the interval, so the tap lands anywhere
   between two polls) after the reader has the payment. It prints how long after the tap the
   station knew (the detection delay: about half the interval), how many requests it sent
   per second of waiting, and the CPU this process spent per second of waiting.
No thresholds: numbers only.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # pos_app, and tests/support for the peer

import httpx  # noqa: E402
from support.processes import localstripe_process, register_simulated_reader  # noqa: E402

from pos_app.api import Donor, Station, open_station  # noqa: E402
from pos_app.payments.card_present import ReaderChargeRequest  # noqa: E402
from pos_app.payments.stripe import STRIPE_VERSION  # noqa: E402
from pos_app.payments.stripe_terminal import StripeTerminalProcessor  # noqa: E402

API_KEY = "sk_test_tableside_bench"
AMOUNT = 5000
DONOR = Donor("Ada Lovelace", "ada@example.org")


class Counting(httpx.HTTPTransport):
    """Real HTTP, counting requests by kind (GET reader, GET PaymentIntent, POSTs)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        kind = "reader" if "/terminal/readers/" in request.url.path else "payment_intent"
        self.counts[f"{request.method} {kind}"] += 1
        return super().handle_request(request)


class TapsAtOnce(StripeTerminalProcessor):
    """The donor whose card is out before the amount shows: the tap follows the hand-over."""

    tap_at_once = True

    def process(
        self, request: ReaderChargeRequest, payment_intent_id: str, timeout: float, attempt: int = 1
    ) -> None:
        super().process(request, payment_intent_id, timeout, attempt)
        if self.tap_at_once:
            self.present("approve")


def ours(station: Station) -> Callable[[], None]:
    def run() -> None:
        outcome = station.take_reader_donation(AMOUNT, DONOR)
        if outcome.status != "approved":
            raise RuntimeError(f"ours: {outcome.status} {outcome.message}")

    return run


def bare(client: httpx.Client, reader: str) -> Callable[[], None]:
    """The same six requests, built by hand: the floor any server-driven integration pays."""
    base = f"/v1/terminal/readers/{reader}"

    def run() -> None:
        key = uuid.uuid4().hex
        pi = (
            client.post(
                "/v1/payment_intents",
                headers={"Idempotency-Key": key},
                data={
                    "amount": str(AMOUNT),
                    "currency": "usd",
                    "payment_method_types[0]": "card_present",
                    "capture_method": "automatic",
                    "metadata[donation_id]": key,
                    "setup_future_usage": "off_session",
                },
            )
            .raise_for_status()
            .json()["id"]
        )
        client.post(
            f"{base}/set_reader_display",
            headers={"Idempotency-Key": f"{key}-d"},
            data={
                "type": "cart",
                "cart[currency]": "usd",
                "cart[total]": str(AMOUNT),
                "cart[line_items][0][description]": "Donation $50.00",
                "cart[line_items][0][amount]": str(AMOUNT),
                "cart[line_items][0][quantity]": "1",
            },
        ).raise_for_status()
        client.post(
            f"{base}/process_payment_intent",
            headers={"Idempotency-Key": f"{key}-p"},
            data={"payment_intent": pi},
        ).raise_for_status()
        client.post(
            f"/v1/test_helpers/terminal/readers/{reader}/present_payment_method",
            headers={"Idempotency-Key": f"{key}-t"},
            data={"type": "card_present", "card_present[number]": "4242424242424242"},
        ).raise_for_status()
        if client.get(base).raise_for_status().json()["action"]["status"] != "succeeded":
            raise RuntimeError("bare: the reader didn't succeed")
        got = client.get(f"/v1/payment_intents/{pi}", params={"expand[0]": "latest_charge"})
        if got.raise_for_status().json()["status"] != "succeeded":
            raise RuntimeError("bare: the PaymentIntent didn't succeed")

    return run


def timed(fn: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10)[-1]


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def waiting(
    station: Station,
    proc: TapsAtOnce,
    watch: StripeTerminalProcessor,
    transport: Counting,
    poll_s: float,
    dwell: float,
    gifts: int,
) -> dict[str, float]:
    """Gifts where the donor taps `dwell` s after the reader has the payment."""
    svc = station.reader_service
    assert svc is not None
    svc.poll_s, proc.tap_at_once = poll_s, False
    delays, rates, cpu_rates = [], [], []
    rng = random.Random(poll_s)  # the tap lands anywhere between two polls
    for _ in range(gifts):
        result: list[str] = []
        t = threading.Thread(
            target=lambda out=result: out.append(station.take_reader_donation(AMOUNT, DONOR).status)
        )
        before = sum(transport.counts.values())
        t.start()
        while watch.reader_action(5).status != "in_progress":  # the test's own client
            time.sleep(0.005)
        waited_from, cpu_from = time.perf_counter(), cpu()
        time.sleep(dwell + rng.uniform(0.0, poll_s))
        watch.present("approve")
        tapped = time.perf_counter()
        t.join(60)
        known = time.perf_counter()
        if result != ["approved"]:
            raise RuntimeError(f"waiting: {result}")
        polls = sum(transport.counts.values()) - before - 3  # minus create, display, process
        delays.append(known - tapped)
        rates.append(polls / (known - waited_from))
        cpu_rates.append((cpu() - cpu_from) / (known - waited_from))
    proc.tap_at_once = True
    return {
        "delay": statistics.median(delays),
        "requests_per_s": statistics.median(rates),
        "cpu_per_s": statistics.median(cpu_rates),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--dwell", type=float, default=1.0, help="seconds before the donor taps")
    ap.add_argument("--waits", type=int, default=9, help="gifts per poll interval")
    ap.add_argument("--quick", action="store_true", help="a few gifts, for the test suite")
    args = ap.parse_args()
    if args.quick:
        args.iterations, args.warmup, args.dwell, args.waits = 4, 1, 0.2, 2

    with (
        tempfile.TemporaryDirectory(prefix="tableside-bench-") as tmp,
        localstripe_process() as url,
    ):
        os.environ["POS_APP_CONFIG"] = str(Path(tmp) / "no-config.toml")
        reader = register_simulated_reader(url, API_KEY)
        transport = Counting()
        proc = TapsAtOnce(API_KEY, reader, api_base=url, timeout=10, transport=transport)
        watch = StripeTerminalProcessor(API_KEY, reader, api_base=url, timeout=10)
        station = open_station(data_dir=Path(tmp) / "data", processor=proc)
        client = httpx.Client(
            base_url=url, auth=(API_KEY, ""), timeout=10, headers={"Stripe-Version": STRIPE_VERSION}
        )
        paths = {"ours": ours(station), "bare": bare(client, reader)}
        samples: dict[str, list[float]] = {name: [] for name in paths}
        try:
            for i in range(args.warmup + args.iterations):
                for name in ("ours", "bare") if i % 2 else ("bare", "ours"):
                    elapsed = timed(paths[name])
                    if i >= args.warmup:
                        samples[name].append(elapsed)
            cadence = {
                poll: waiting(station, proc, watch, transport, poll, args.dwell, args.waits)
                for poll in (0.5, 0.1)
            }
        finally:
            client.close()
            station.close()
            watch.close()
            proc.close()

    med = {name: statistics.median(s) for name, s in samples.items()}
    print(
        f"reader gift, {args.iterations} iterations interleaved (+{args.warmup} warm-up), "
        "Terminal peer on loopback, the donor tapping at once"
    )
    print(f"{'':46}{'median':>11}{'p90':>12}")
    for label, name in [
        ("ours: take_reader_donation, StripeTerminal", "ours"),
        ("bare: httpx.Client, same 6 requests", "bare"),
    ]:
        print(f"{label:46}{ms(med[name]):>11}{ms(p90(samples[name])):>12}")
    print(f"ratio ours/bare: {med['ours'] / med['bare']:.2f}x")
    print(f"our overhead over bare: {ms(med['ours'] - med['bare']).strip()} per gift")
    print(
        f"waiting for the tap ({args.dwell:.1f} s after the reader has the payment, "
        f"{args.waits} gifts each; medians):"
    )
    for poll, c in cadence.items():
        print(
            f"  poll every {poll:.1f} s: known {ms(c['delay']).strip()} after the tap "
            f"({c['delay'] / poll:.2f} x the interval), {c['requests_per_s']:.1f} "
            f"requests/s, CPU {c['cpu_per_s'] * 1000:.1f} ms per s of waiting"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
