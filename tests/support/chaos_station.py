"""A station taking a stream of card donations, in a process of its own, for the chaos runs.

    python tests/support/chaos_station.py DATA_DIR --start I --count N [--seed S]

The config comes from POS_APP_CONFIG (the chaos driver writes it: Stripe and SendGrid behind
fault proxies, short timeouts, short job backoff). The processor (StripeProcessor, or
StripeTerminalProcessor when the config names a reader) and the SendGrid sender are built
here from that config with test keys, so no keyring is needed. With a reader, some gifts
are taken on it, their donor tapping on the peer directly (CHAOS_PEER_URL; chaos_reader.py).

What it does, like a station at a busy table:
1. opens the station and starts its background work (`start_jobs()`: the first settle pass
   replays whatever a crash left `charging` or `in_doubt`; the ledger sync puts back jobs a
   crash took from the queue) and prints `READY`;
2. takes donations I, I+1, ... I+N-1 (`BEGIN i` before, `DONE i <status>` after). Donation i
   is a pure function of (seed, i): amount, donor, card, or the reader and what the donor's
   card does there (`DONE i status reader` then). A volunteer retries a keyed charge that
   says "nothing was charged, Retry" a few times (same idempotency key), and leaves one "not
   confirmed yet" to the background settler; then moves to the next donor;
3. prints `STREAM_DONE`, waits until nothing is charging, in doubt, queued, running or
   waiting to retry, prints `SETTLED <json counts>`, closes the station and exits 0.

The chaos driver SIGKILLs it at random moments and starts it again from the next index.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root

from pos_app.api import Card, Donor, GiftOptions, Outcome, Station, open_station  # noqa: E402
from pos_app.payments.stripe import StripeProcessor  # noqa: E402
from pos_app.payments.stripe_terminal import StripeTerminalProcessor  # noqa: E402
from pos_app.receipts.sendgrid import SendGridSender  # noqa: E402

STRIPE_KEY = "sk_test_tableside_chaos"
SENDGRID_KEY = "SG.tableside-test-key"
CVC = "737"  # every card uses it; the data-safety scan looks for it (in context) on disk
GOOD_CARDS = ("4242424242424242", "5555555555554444", "4111111111111111")
DECLINED_AT_CHARGE = "4000000000000341"  # localstripe: the PaymentIntent fails
REFUSED_AT_SAVE = "4000000000000002"  # localstripe: charges, but attaching it is declined
AMOUNTS = (1000, 2500, 5000, 10000, 25000)
VOLUNTEER_RETRIES = 3
DISK_FULL_TRIES = 10
UNSETTLED = ("charging", "in_doubt", "processing")
UNFINISHED_JOBS = ("queued", "running", "retry_scheduled")


def donation(seed: int, i: int) -> tuple[int, Donor, Card]:
    """Donation i of the stream: the same for every run with this seed."""
    rng = random.Random(f"{seed}:{i}")
    pick = rng.random()
    number = (
        DECLINED_AT_CHARGE if pick < 0.07 else REFUSED_AT_SAVE if pick < 0.14
        else rng.choice(GOOD_CARDS)
    )
    amount = rng.choice(AMOUNTS) + rng.randrange(100)
    card = Card(number, rng.randint(1, 12), dt.date.today().year + 2, CVC, postal_code="62701")
    return amount, Donor(f"Donor {i}", f"donor{i}@example.org"), card


def take(station: Station, amount: int, donor: Donor, card: Card, kind: str | None,
         peer_url: str, reader: str) -> Outcome:  # fmt: skip
    """One gift: keyed with `card`, or on the reader when `kind` says what the card does."""
    if kind is None:  # every donor agrees to keep the card: the save-card jobs run too
        return station.take_card_donation(amount, donor, card, GiftOptions(save_card=True))
    from chaos_reader import take_on_reader  # run as a script: tests/support is on sys.path

    return take_on_reader(station, amount, donor, kind, peer_url, STRIPE_KEY, reader,
                          GiftOptions(save_card=True))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--settle-interval", type=float, default=0.5)
    ap.add_argument("--wait", type=float, default=60.0, help="seconds to wait for settling")
    ap.add_argument("--hold", action="store_true", help="after SETTLED, wait for a stdin line")
    args = ap.parse_args(argv)

    from chaos_reader import reader_kind  # run as a script: tests/support is on sys.path

    from pos_app.settings import load_settings

    settings = load_settings()  # POS_APP_CONFIG
    p = settings.payments
    reader = p.reader if p.provider == "stripe_terminal" else ""
    processor = (
        StripeTerminalProcessor(STRIPE_KEY, reader, api_base=p.api_base, timeout=p.timeout)
        if reader
        else StripeProcessor(STRIPE_KEY, api_base=p.api_base, timeout=p.timeout)
    )
    peer_url = os.environ.get("CHAOS_PEER_URL", "")
    sender = SendGridSender(
        SENDGRID_KEY, api_base=settings.receipts.api_base, timeout=settings.receipts.timeout
    )
    with open_station(data_dir=args.data_dir, processor=processor, sender=sender) as station:
        station.settle_interval = args.settle_interval
        station.start_jobs()
        say("READY")
        for i in range(args.start, args.start + args.count):
            amount, donor, card = donation(args.seed, i)
            kind = reader_kind(args.seed, i) if reader and peer_url else None
            say(f"BEGIN {i}")
            gift = (amount, donor, card, kind, peer_url, reader)
            outcome = take(station, *gift)
            for _ in range(DISK_FULL_TRIES):
                # "The laptop's disk is full, nothing was charged": the volunteer waits for
                # IT to free space, then takes the same card again.
                if outcome.status != "failed" or "disk is full" not in outcome.message:
                    break
                time.sleep(0.5)
                outcome = take(station, *gift)
            for _ in range(VOLUNTEER_RETRIES if kind is None else 0):
                if outcome.status != "failed" or not outcome.can_retry:
                    break
                time.sleep(0.2)
                outcome = station.retry_charge(outcome.donation_id)
            station.forget_card()  # Next donor
            say(f"DONE {i} {outcome.status}" + (" reader" if kind else ""))
        say("STREAM_DONE")
        deadline = time.monotonic() + args.wait
        while True:
            busy_donations = [d for d in station.donations() if d.status in UNSETTLED]
            busy_jobs = [j for j in station.jobs() if j.state in UNFINISHED_JOBS]
            if not busy_donations and not busy_jobs:
                break
            if time.monotonic() > deadline:
                say(
                    "STUCK "
                    + json.dumps(
                        {
                            "donations": [(d.id, d.status) for d in busy_donations],
                            "jobs": [(j.id, j.kind, j.state, j.last_error) for j in busy_jobs],
                        }
                    )
                )
                return 3
            time.sleep(0.1)
        counts: dict[str, int] = {}
        for d in station.donations():
            counts[d.status] = counts.get(d.status, 0) + 1
        say("SETTLED " + json.dumps(counts))
        if args.hold:  # open until the driver is done with it (a second station meets it)
            sys.stdin.readline()
    return 0


if __name__ == "__main__":
    sys.exit(main())
