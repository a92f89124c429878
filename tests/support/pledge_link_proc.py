"""A station that takes a pledge paid by link, in a process of its own (the SIGKILL tests).

    python tests/support/pledge_link_proc.py CONFIG DATA_DIR STRIPE_URL SMTP_PORT CA PASSWORD take
    python tests/support/pledge_link_proc.py CONFIG DATA_DIR STRIPE_URL SMTP_PORT CA PASSWORD resume

take    take a $125 pledge for ada@example.org and start the jobs (with TABLESIDE_CRASHPOINT
        set, the pay-link job blocks there until the test kills the process)
resume  what a restart does: start the jobs and wait until the pledge's link is sent
Prints one JSON object when the link is sent: the pledge's state and session id. The
processor and the SMTP sender are built here, so no keyring is needed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root

from pos_app.api import Donor, open_station  # noqa: E402
from pos_app.payments.stripe import StripeProcessor  # noqa: E402
from pos_app.receipts.smtp import SmtpSender  # noqa: E402
from pos_app.store.models import Pledge  # noqa: E402


def main(argv: list[str]) -> int:
    config, data_dir, stripe_url, port, ca_file, password, mode = argv
    sender = SmtpSender("127.0.0.1", int(port), username="receipts", password=password,
                        timeout=10, ca_file=ca_file)  # fmt: skip
    processor = StripeProcessor("sk_test_tableside_paylink_crash", api_base=stripe_url)
    with open_station(config, data_dir=data_dir, processor=processor, sender=sender) as st:
        if mode == "take":
            st.take_pledge(12500, Donor("Ada Lovelace", "ada@example.org"))
        st.start_jobs()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            [pledge] = st.pledges()
            if pledge.state == "link_sent":
                with st.db.session() as s:  # the session id, as kept on the pledge
                    row = s.get(Pledge, pledge.id)
                    session = row.checkout_session_id if row else None
                print(json.dumps({"state": pledge.state, "session": session}), flush=True)
                return 0
            time.sleep(0.05)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
