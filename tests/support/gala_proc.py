"""A paddle raise in a process of its own, for the SIGKILL tests (tests/test_gala_crash.py).

    python tests/support/gala_proc.py DATA_DIR STRIPE_URL pledges RAISE_ID PLAN [GAP_S]
    python tests/support/gala_proc.py DATA_DIR STRIPE_URL checkin NAME EMAIL CARD_NUMBER
    python tests/support/gala_proc.py DATA_DIR STRIPE_URL guests
    python tests/support/gala_proc.py DATA_DIR STRIPE_URL checkout CONFIG SMTP_PORT CA PASSWORD

pledges: PLAN is a JSON list of [paddle, amount_cents], the hands going up in order. The station
(a StripeProcessor pointed at STRIPE_URL, the bridged localstripe) starts its background
jobs, records every pledge of the plan not recorded yet (a restart carries on where the
killed run stopped: the pledges are read back, as the volunteer sees them), then waits
until every pledge on a card is settled. Each pledge is printed on stdout as one JSON line
`{"pledge": id, "paddle": ..}` the moment the facade returned it (after `{"ready": n}`,
once the station is open and its jobs run), so the test knows which
pledges a volunteer saw recorded before the kill; the last line is `{"done": [...]}`.
GAP_S spaces the hands out (the charges of the first run while the next are recorded).
checkin: check one guest in with that card; prints `{"guest": ...}`.
guests: what a restart does for check-in (the settle loop finishes cards left mid-way);
waits until no card is being saved and prints `{"guests": [...]}`.
checkout: the end of the night, "Charge all open pledges": starts the jobs, says
`{"ready": n}` (n pledges still waiting), runs checkout (`{"checkout": {...}}`), then waits
until no pledge waits or is charging and every link is sent, and prints `{"done": [...]}`.
A restart runs it again, as the lead would press the button again. CONFIG (a station.toml
with [pledges] success_url) and the SMTP server (port, CA file, password) send the links.
With TABLESIDE_CRASHPOINT=<name> it stops at that point (pos_app.faults) for the kill.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root, for pos_app

from pos_app.api import Card, Donor, open_station  # noqa: E402
from pos_app.payments.stripe import StripeProcessor  # noqa: E402
from pos_app.receipts.smtp import SmtpSender  # noqa: E402

API_KEY = "sk_test_tableside_crash"
SETTLE_S = 60.0


def say(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


def checkout(data_dir: str, url: str, config: str, port: str, ca_file: str,
             password: str) -> int:
    processor = StripeProcessor(API_KEY, api_base=url, timeout=10.0)
    sender = SmtpSender("127.0.0.1", int(port), username="receipts", password=password,
                        timeout=10, ca_file=ca_file)  # fmt: skip
    with open_station(config, data_dir=data_dir, processor=processor, sender=sender) as st:
        st.settle_interval = 0.5
        st.start_jobs()
        say({"ready": sum(p.state == "pledged" for p in st.pledges())})
        say({"checkout": dataclasses.asdict(st.checkout_pledges())})
        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline:
            if not [p for p in st.pledges() if p.state in ("pledged", "charging")]:
                break
            time.sleep(0.1)
        say({"done": [dataclasses.asdict(p) for p in st.pledges()]})
    return 0


def main(argv: list[str]) -> int:
    data_dir, url, mode, *rest = argv
    if mode == "checkout":
        return checkout(data_dir, url, *rest)
    processor = StripeProcessor(API_KEY, api_base=url, timeout=10.0)
    with open_station(data_dir=data_dir, processor=processor) as st:
        st.settle_interval = 0.5
        if mode == "checkin":
            name, email, number = rest
            card = Card(number, 12, dt.date.today().year + 3, "123")
            say({"guest": dataclasses.asdict(st.check_in(Donor(name, email), card=card))})
            return 0
        st.start_jobs()
        if mode == "guests":
            deadline = time.monotonic() + SETTLE_S
            while any(a.card_state == "saving" for a in st.attendees()):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            say({"guests": [dataclasses.asdict(a) for a in st.attendees()]})
            return 0
        raise_id, plan_text, *gap = rest
        say({"ready": len(st.pledges(raise_id))})
        plan = json.loads(plan_text)
        for paddle, amount in plan[len(st.pledges(raise_id)):]:
            p = st.pledge(raise_id, paddle, amount)
            say({"pledge": p.id, "paddle": p.paddle})
            time.sleep(float(gap[0]) if gap else 0.0)
        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline:
            pledges = st.pledges(raise_id)
            busy = [p for p in pledges
                    if p.state == "charging" or (p.state == "pledged" and p.card_on_file)]
            if not busy:
                break
            time.sleep(0.1)
        say({"done": [dataclasses.asdict(p) for p in st.pledges(raise_id)]})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
