"""A station in a process of its own whose receipts go to a SendGrid stand-in, answering a
test's questions on stdin, for the clock-jump tests (run under tests/support/clock.py).

    python tests/support/clock_station.py DATA_DIR SENDGRID_URL API_KEY GIFTS

It records GIFTS cash gifts with an email each, starts the jobs, then answers each stdin
line: "snap" prints one JSON line {now, jobs: [{id, state, attempts, due}]} with `now` and
`due` as seconds since the epoch on this process's clock; "quit" stops. Settings come from
POS_APP_CONFIG (the test sets a short backoff cap and sync interval).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root

from pos_app.api import Donor, open_station  # noqa: E402
from pos_app.receipts.sendgrid import SendGridSender  # noqa: E402


def main() -> int:
    data_dir, url, key, gifts = sys.argv[1:5]
    sender = SendGridSender(key, api_base=url, timeout=5)
    with open_station(data_dir=data_dir, sender=sender) as station:
        for i in range(int(gifts)):
            station.record_donation(1000 + i, Donor(f"Guest {i}", f"guest{i}@example.org"),
                                    "cash")
        station.start_jobs()
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            if line.strip() == "quit":
                break
            jobs = [
                {
                    "id": j.id,
                    "state": j.state,
                    "attempts": j.attempts,
                    "due": j.next_attempt_at.timestamp() if j.next_attempt_at else None,
                }
                for j in station.jobs()
            ]
            now = dt.datetime.now(dt.UTC).timestamp()
            print(json.dumps({"now": now, "jobs": jobs}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
