"""Check-in on the card reader in a process of its own, for the SIGKILL test
(tests/test_check_in_reader.py).

    python tests/support/checkin_reader_proc.py DATA_DIR STRIPE_URL READER_ID keep NAME EMAIL
    python tests/support/checkin_reader_proc.py DATA_DIR STRIPE_URL READER_ID settle

keep: check the guest in and keep their card from the reader (the Stripe Terminal adapter on
the Terminal peer at STRIPE_URL); prints `{"guest": ...}`. With TABLESIDE_CRASHPOINT=<name>
it stops at that point (pos_app.faults) for the kill.
settle: what a restart does: the settle loop (every 0.5 s) reads back every card left
`saving`; waits until none is and prints `{"guests": [...]}`. The reader times out after
1 s and each call after 1 s here, so a setup nobody can still be following is read back a
few seconds after it was handed to the reader.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root, for pos_app

from pos_app.api import Donor, open_station  # noqa: E402
from pos_app.payments.stripe_terminal import StripeTerminalProcessor  # noqa: E402

API_KEY = "sk_test_tableside_terminal"
SETTLE_S = 60.0


def say(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    data_dir, url, reader_id, mode, *rest = argv
    processor = StripeTerminalProcessor(API_KEY, reader_id, api_base=url, timeout=5.0)
    with open_station(data_dir=data_dir, processor=processor) as st:
        assert st.reader_service is not None
        st.reader_service.poll_s = 0.02
        st.reader_service.reader_timeout = 1.0
        st.reader_service.call_timeout = 1.0
        if mode == "keep":
            name, email = rest
            guest = st.check_in(Donor(name, email))
            say({"guest": dataclasses.asdict(st.save_card_from_reader(guest))})
            return 0
        st.settle_interval = 0.5
        st.start_jobs()
        deadline = time.monotonic() + SETTLE_S
        while any(a.card_state == "saving" for a in st.attendees()):
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        say({"guests": [dataclasses.asdict(a) for a in st.attendees()]})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
