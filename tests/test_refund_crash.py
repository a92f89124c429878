"""A refund killed anywhere gives back once: real processes, real SIGKILLs, localstripe.

A station process (tests/support/station_proc.py) takes a card donation, then a second one
refunds it and stops at a named crash point (pos_app.faults): after the refunds row is
committed (nothing sent yet), or after the processor answered (result not committed).
This process kills it there with SIGKILL, starts the station again the way start-up does
(settle what a crash left), and checks what the processor really did: how many refunds
exist, and that the gift and its refund row tell the same story.
"""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.crash import env, kill_at_crashpoint, stripe_url  # noqa: F401
from support.processes import localstripe_stats

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
    pytest.mark.timeout(60),
]

STATION_PROC = Path(__file__).parent / "support" / "station_proc.py"
API_KEY = "sk_test_tableside_crash"
WAIT_S = 20


def cmd(data_dir: Path, url: str, mode: str, *extra: str) -> list[str]:
    return [sys.executable, str(STATION_PROC), str(data_dir), url, mode, *extra]


def run(data_dir: Path, url: str, env: dict[str, str], mode: str, *extra: str) -> Any:
    done = subprocess.run(
        cmd(data_dir, url, mode, *extra),
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def kill_at(point: str, data_dir: Path, url: str, env: dict[str, str], *extra: str) -> None:
    """Run a refund, wait for 'CRASHPOINT <point>' on stderr, SIGKILL the process there."""
    kill_at_crashpoint(cmd(data_dir, url, "refund", *extra), env, point, WAIT_S)


def refund_rows(data_dir: Path) -> list[dict[str, Any]]:
    uri = f"file:{data_dir / 'tableside.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        db.row_factory = sqlite3.Row
        found = db.execute(
            "SELECT r.state, r.reference, r.idempotency_key, d.state AS donation_state "
            "FROM refunds r JOIN donations d ON d.id = r.donation_id"
        ).fetchall()
    return [dict(r) for r in found]


def refunds_at(url: str, payment_intent: str) -> list[dict[str, Any]]:
    r = httpx.get(
        f"{url}/v1/refunds", params={"payment_intent": payment_intent}, auth=(API_KEY, "")
    )
    r.raise_for_status()
    return r.json()["data"]


def refunds_created(url: str) -> int:
    return localstripe_stats(url)["refunds_created"]


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def charged(data_dir: Path, url: str, env: dict[str, str]) -> dict[str, Any]:
    out = run(data_dir, url, env, "charge")
    assert out["outcome"]["status"] == "approved"
    return out["outcome"]


# point -> refunds at the processor when killed
CRASH_POINTS = {"refund_after_row": 0, "refund_after_response": 1}


def test_without_a_crash_one_refund(data_dir: Path, stripe_url: str, env: dict[str, str]) -> None:
    outcome = charged(data_dir, stripe_url, env)
    out = run(data_dir, stripe_url, env, "refund")
    assert out["refund"]["status"] == "refunded"
    assert out["refund"]["donation_id"] == outcome["donation_id"]
    assert refunds_created(stripe_url) == 1
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


@pytest.mark.parametrize("point", list(CRASH_POINTS))
def test_kill_during_a_refund_then_restart(
    point: str, data_dir: Path, stripe_url: str, env: dict[str, str]
) -> None:
    outcome = charged(data_dir, stripe_url, env)
    kill_at(point, data_dir, stripe_url, env, "--donation", outcome["donation_id"])

    (left,) = refund_rows(data_dir)
    assert left["state"] == "refunding" and left["reference"] is None
    assert left["donation_state"] == "approved"
    assert refunds_created(stripe_url) == CRASH_POINTS[point]

    out = run(data_dir, stripe_url, env, "restart")
    assert out["settled"] == []  # the charge itself was settled long ago
    (settled,) = out["refunds_settled"]
    (donation,) = out["donations"]
    (refund,) = out["refunds"]
    assert settled["status"] == "refunded" == refund["state"] == donation["status"]
    assert donation["refunded_cents"] == 5000
    (at_stripe,) = refunds_at(stripe_url, outcome["reference"])
    assert settled["reference"] == refund["reference"] == at_stripe["id"]
    assert at_stripe["amount"] == 5000
    assert at_stripe["metadata"]["donation_id"] == donation["id"]
    assert refunds_created(stripe_url) == 1

    again = run(data_dir, stripe_url, env, "restart")
    assert again["refunds_settled"] == []
    assert [d["status"] for d in again["donations"]] == ["refunded"]
    assert refunds_created(stripe_url) == 1
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_restart_without_network_keeps_the_refund_in_doubt(
    data_dir: Path, stripe_url: str, env: dict[str, str]
) -> None:
    """Refunded at the processor, answer never committed, restart finds no network."""
    outcome = charged(data_dir, stripe_url, env)
    kill_at("refund_after_response", data_dir, stripe_url, env)
    assert refunds_created(stripe_url) == 1

    offline = run(data_dir, closed_port_url(), env, "restart", "--timeout", "1")
    (refund,) = offline["refunds"]
    assert refund["state"] == "in_doubt", refund["message"]
    assert [d["status"] for d in offline["donations"]] == ["approved"]

    online = run(data_dir, stripe_url, env, "restart")
    (refund,) = online["refunds"]
    assert refund["state"] == "refunded"
    assert refund["reference"] == refunds_at(stripe_url, outcome["reference"])[0]["id"]
    assert refunds_created(stripe_url) == 1
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []
