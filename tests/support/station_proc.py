"""One station step in a process of its own, for the crash-safety tests (real SIGKILLs).

    python tests/support/station_proc.py DATA_DIR STRIPE_URL charge [--card N] [--amount CENTS]
    python tests/support/station_proc.py DATA_DIR STRIPE_URL restart
    python tests/support/station_proc.py DATA_DIR STRIPE_URL refund [--donation ID] [--reason R]

charge   take one card donation (default 4242 4242 4242 4242, $50) and print its Outcome.
         With TABLESIDE_CRASHPOINT=<name> the process writes "CRASHPOINT <name>" to stderr
         at that point and blocks (pos_app.faults) until the test kills it.
restart  what start-up does: settle_in_doubt(include_charging=True), then
         settle_refunds(include_refunding=True); print the settled outcomes ("settled",
         "refunds_settled"), every donation and every refund.
refund   refund a donation (default: the newest approved one) and print its RefundOutcome;
         crash points as for charge (refund_after_row, refund_after_response).

Output is one JSON object on stdout. The processor is a StripeProcessor pointed at
STRIPE_URL (a bridged localstripe), passed straight to open_station: no keyring needed.
Set POS_APP_CONFIG to a missing file so no real config is read.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root, for pos_app

from pos_app.api import Card, Donor, open_station  # noqa: E402
from pos_app.payments.stripe import StripeProcessor  # noqa: E402

API_KEY = "sk_test_tableside_crash"


def plain(obj: Any) -> Any:
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else obj


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("stripe_url")
    ap.add_argument("mode", choices=("charge", "restart", "refund"))
    ap.add_argument("--card", default="4242424242424242")
    ap.add_argument("--amount", type=int, default=5000)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--donation", help="refund: the donation id (default: newest approved)")
    ap.add_argument("--reason", default="Donor asked for the gift back")
    args = ap.parse_args(argv)

    processor = StripeProcessor(API_KEY, api_base=args.stripe_url, timeout=args.timeout)
    out: dict[str, Any] = {"mode": args.mode}
    with open_station(data_dir=args.data_dir, processor=processor) as station:
        if args.mode == "charge":
            card = Card(args.card, 12, dt.date.today().year + 3, "123", postal_code="62701")
            outcome = station.take_card_donation(
                args.amount, Donor("Grace Hopper", "grace@example.org"), card
            )
            out["outcome"] = plain(outcome)
        elif args.mode == "refund":
            donation_id = args.donation or next(
                d.id for d in reversed(station.donations()) if d.status == "approved"
            )
            out["refund"] = plain(station.refund(donation_id, args.reason))
        else:
            out["settled"] = [plain(o) for o in station.settle_in_doubt(include_charging=True)]
            out["refunds_settled"] = [
                plain(o) for o in station.settle_refunds(include_refunding=True)
            ]
        out["donations"] = [plain(d) for d in station.donations()]
        out["refunds"] = [plain(r) for r in station.refunds()]
    json.dump(out, sys.stdout, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
