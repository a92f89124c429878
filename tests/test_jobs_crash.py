"""SIGKILL mid-job: a real station process is killed while a job is in flight, restarted,
and the job is found done — exactly once where the API allows it (Stripe's idempotency
keys), at least once where it doesn't (email).

The station process (tests/support/job_station.py) stops at a named crash point
(pos_app.faults) inside the job; this process kills it with SIGKILL at that instant.
Huey had already deleted the task from its SQLite queue, so only the ledger sync at the
next start can bring the job back.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.crash import env, kill_at_crashpoint, stripe_url  # noqa: F401
from support.job_fixtures import SENDGRID_SPEC, sendgrid  # noqa: F401
from support.processes import localstripe_stats
from support.sendgrid_server import SendGridServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
    pytest.mark.timeout(90),
]

JOB_STATION = Path(__file__).parent / "support" / "job_station.py"
WAIT_S = 30


def run_to_crashpoint(args: list[str], env: dict[str, str], point: str) -> str:
    """Start the station, wait for it to reach `point`, SIGKILL it; return the donation id."""
    killed = kill_at_crashpoint([sys.executable, str(JOB_STATION), *args], env, point, WAIT_S)
    first = killed.stdout.splitlines()[0]
    return str(json.loads(first)["donation_id"])


def restart(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(JOB_STATION), *args, "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_S + 30,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def job_of(out: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(j for j in out["jobs"] if j["kind"] == kind)


def test_killed_while_saving_the_card_one_customer_after_restart(
    stripe_url: str,
    sendgrid: SendGridServer,
    env: dict[str, str],
    data_dir: Path,  # noqa: F811
) -> None:
    base = [str(data_dir), stripe_url, sendgrid.url]
    donation_id = run_to_crashpoint([*base, "donate"], env, "save_card_after_customer")
    assert localstripe_stats(stripe_url)["customers_created"] == 1  # made, not yet recorded
    out = restart(base, env)
    save = job_of(out, "save_card")
    assert save["state"] == "done" and save["donation_id"] == donation_id
    assert save["attempts"] == 2  # the killed attempt counts
    assert localstripe_stats(stripe_url)["customers_created"] == 1  # the replay found it
    receipt = job_of(out, "receipt")
    assert receipt["state"] == "done"
    # The receipt ran alongside and may have been killed between "accepted" and its
    # sent-marker: at least once, always the same receipt.
    assert set(sendgrid.receipt_numbers()) == {receipt["receipt_number"]}
    assert sendgrid.violations == []
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_killed_before_the_receipt_went_out_it_goes_out_once(
    stripe_url: str,
    sendgrid: SendGridServer,
    env: dict[str, str],
    data_dir: Path,  # noqa: F811
) -> None:
    base = [str(data_dir), stripe_url, sendgrid.url]
    run_to_crashpoint([*base, "donate"], env, "receipt_before_send")
    assert sendgrid.accepted == []
    out = restart(base, env)
    receipt = job_of(out, "receipt")
    assert receipt["state"] == "done" and receipt["attempts"] == 2
    assert sendgrid.receipt_numbers() == [receipt["receipt_number"]]
    assert job_of(out, "save_card")["state"] == "done"
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_killed_after_sending_before_marking_the_receipt_is_at_least_once(
    stripe_url: str,
    sendgrid: SendGridServer,
    env: dict[str, str],
    data_dir: Path,  # noqa: F811
) -> None:
    """Email has no idempotency: the window between "accepted" and the sent-marker can
    repeat a receipt. The repeat carries the same receipt number (and, over SMTP, the same
    Message-ID), so the donor sees the same receipt twice, never two different ones."""
    base = [str(data_dir), stripe_url, sendgrid.url]
    run_to_crashpoint([*base, "donate"], env, "receipt_after_send")
    assert len(sendgrid.accepted) == 1
    out = restart(base, env)
    receipt = job_of(out, "receipt")
    assert receipt["state"] == "done" and receipt["attempts"] == 2
    assert sendgrid.receipt_numbers() == [receipt["receipt_number"]] * 2
    first, second = sendgrid.accepted
    assert first["content"] == second["content"] and first["subject"] == second["subject"]
