"""A station with background jobs in a process of its own, for the SIGKILL tests.

    python tests/support/job_station.py DATA_DIR STRIPE_URL SENDGRID_URL donate
    python tests/support/job_station.py DATA_DIR STRIPE_URL SENDGRID_URL run

donate  take one card donation ($50, 4242..., with an email, the donor agreeing to keep
        the card) through the Stripe adapter,
        then start the jobs and wait for them, like the app does.
run     what a restart does: start the jobs (the ledger sync puts back what a crash took
        from the queue) and wait until none is queued, running or waiting to retry.

With TABLESIDE_CRASHPOINT=<name> a job writes "CRASHPOINT <name>" to stderr at that point
and blocks (pos_app.faults) until the test kills the process. Output: one JSON object on
stdout. The processor and the SendGrid sender are built here, so no keyring is needed.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root

from pos_app.api import Card, Donor, GiftOptions, open_station  # noqa: E402
from pos_app.payments.stripe import StripeProcessor  # noqa: E402
from pos_app.receipts.sendgrid import SendGridSender  # noqa: E402

STRIPE_KEY = "sk_test_tableside_jobs_crash"
SENDGRID_KEY = "SG.tableside-test-key"
UNFINISHED = ("queued", "running", "retry_scheduled")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("stripe_url")
    ap.add_argument("sendgrid_url")
    ap.add_argument("mode", choices=("donate", "run"))
    ap.add_argument("--wait", type=float, default=30.0)
    args = ap.parse_args(argv)

    processor = StripeProcessor(STRIPE_KEY, api_base=args.stripe_url, timeout=10)
    sender = SendGridSender(SENDGRID_KEY, api_base=args.sendgrid_url, timeout=10)
    out: dict[str, Any] = {"mode": args.mode}
    with open_station(data_dir=args.data_dir, processor=processor, sender=sender) as station:
        if args.mode == "donate":
            card = Card("4242424242424242", 12, dt.date.today().year + 3, "123")
            donor = Donor("Grace Hopper", "grace@example.org")
            consent = GiftOptions(save_card=True)  # the donor agreed: a save-card job too
            outcome = station.take_card_donation(5000, donor, card, consent)
            out["outcome"] = dataclasses.asdict(outcome)
            print(json.dumps({"donation_id": outcome.donation_id}), flush=True)
        station.start_jobs()
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline:
            jobs = station.jobs()
            if jobs and not any(j.state in UNFINISHED for j in jobs):
                break
            time.sleep(0.05)
        out["jobs"] = [dataclasses.asdict(j) for j in station.jobs()]
    json.dump(out, sys.stdout, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
