"""A station whose alert emails go over SMTP, in a process of its own (the SIGKILL tests).

    python tests/support/alert_station.py CONFIG DATA_DIR SMTP_PORT CA_FILE PASSWORD attention
    python tests/support/alert_station.py CONFIG DATA_DIR SMTP_PORT CA_FILE PASSWORD run

attention  record a gift whose receipt the server refuses (a needs-attention job: past the
           [alerts] limit of the config), start the jobs and wait for the alert to be sent
run        what a restart does: start the jobs and wait until the alert-email job is done
With TABLESIDE_CRASHPOINT=alert_before_send or alert_after_send the job blocks there
(pos_app.faults) until the test kills the process. The SMTP sender is built here, so no
keyring is needed. Prints "done" when the alert-email job finished.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root

from sqlalchemy import select  # noqa: E402

from jobs.kinds import alert_email  # noqa: E402
from pos_app.api import Donor, open_station  # noqa: E402
from pos_app.payments.simulator import SimulatorProcessor  # noqa: E402
from pos_app.receipts.smtp import SmtpSender  # noqa: E402
from pos_app.store.models import Job  # noqa: E402


def main(argv: list[str]) -> int:
    config, data_dir, port, ca_file, password, mode = argv
    sender = SmtpSender("127.0.0.1", int(port), username="receipts", password=password,
                        timeout=10, ca_file=ca_file)  # fmt: skip
    with open_station(config, data_dir=data_dir, processor=SimulatorProcessor(latency_ms=0),
                      sender=sender) as station:  # fmt: skip
        if mode == "attention":
            station.record_donation(2000, Donor("Cy", "bounce@example.org"), "cash")
        station.start_jobs()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with station.db.session() as s:
                state = s.scalar(select(Job.state).where(Job.kind == alert_email.NAME))
            if state == "done":
                print("done", flush=True)
                return 0
            time.sleep(0.05)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
