"""A sharing station in a process of its own, for the sync chaos test (real SIGKILLs).

    python tests/support/sync_proc.py CONFIG DATA_DIR take
    python tests/support/sync_proc.py CONFIG DATA_DIR quiet

take   start the background jobs and take cash gifts one after another, forever, printing
       "GIFT <id>" once each is committed; the test kills it with SIGKILL at any moment.
quiet  start the background jobs, ask to share now, and wait (up to 120 s) until nothing is
       left to share and no job is busy; print one JSON object: the station's id, every
       donation (id, amount, state), its own totals and its sync status.

The central password comes from the keyring as always: the test points the child at
tests/env_keyring.py (PYTHON_KEYRING_BACKEND) with the secret in its environment.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root, for pos_app

from pos_app.api import Donor, open_station  # noqa: E402
from pos_app.payments.simulator import SimulatorProcessor  # noqa: E402

BUSY = ("queued", "running", "retry_scheduled")


def main(argv: list[str]) -> int:
    config, data_dir, mode = Path(argv[0]), Path(argv[1]), argv[2]
    with open_station(config, data_dir=data_dir, processor=SimulatorProcessor(latency_ms=0)) as st:
        st.start_jobs()
        if mode == "take":
            n = 0
            while True:
                n += 1
                email = f"donor{n}@example.org" if n % 2 else ""
                out = st.record_donation(100 + n, Donor(f"Donor {n}", email), "cash")
                print(f"GIFT {out.donation_id}", flush=True)
                time.sleep(0.02)
        st.sync_now()
        end = time.monotonic() + 120
        while time.monotonic() < end:
            status = st.sync_status()
            busy = [j for j in st.jobs() if j.state in BUSY]
            if status.pending == 0 and status.state in ("done", None) and not busy:
                break
            time.sleep(0.1)
        status = st.sync_status()
        totals = st.totals()
        out_json = {
            "station_id": st.parts.station_id,
            "donations": [[d.id, d.amount_cents, d.status] for d in st.donations()],
            "gifts": totals.gifts,
            "raised_cents": totals.raised_cents,
            "pending": status.pending,
            "state": status.state,
            "last_error": status.last_error,
        }
    print(json.dumps(out_json), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
