"""Crash anywhere loses nothing and doubles nothing: real processes, real SIGKILLs.

A station process (tests/support/station_proc.py) takes a card donation through the Stripe
adapter against a fresh bridged localstripe, and stops at a named crash point
(pos_app.faults). This process kills it with SIGKILL at that instant, then starts the
station again the way start-up does (settle what a crash left in `charging`), and checks
what the processor really did: how many PaymentIntents exist, and that the donation row
tells the same story. Afterwards no card number may be anywhere in the data dir.
"""

from __future__ import annotations

import datetime as dt
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
from support.crash import Killed, env, kill_at_crashpoint, stripe_url  # noqa: F401
from support.processes import localstripe_stats

from pos_app.api import Card, Donor, Station
from pos_app.payments.simulator import SimulatorProcessor

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
    pytest.mark.timeout(60),
]

STATION_PROC = Path(__file__).parent / "support" / "station_proc.py"
API_KEY = "sk_test_tableside_crash"
WAIT_S = 20  # for a crash point or a station step; the whole test stays well under 30 s


def station_cmd(data_dir: Path, url: str, mode: str, *extra: str) -> list[str]:
    return [sys.executable, str(STATION_PROC), str(data_dir), url, mode, *extra]


def charge_and_kill_at(
    point: str, data_dir: Path, url: str, env: dict[str, str], *extra: str
) -> Killed:
    """Start a charge, wait for the crash point on stderr, SIGKILL the process there."""
    return kill_at_crashpoint(station_cmd(data_dir, url, "charge", *extra), env, point, WAIT_S)


def run_station(data_dir: Path, url: str, env: dict[str, str], mode: str, *extra: str) -> Any:
    done = subprocess.run(
        station_cmd(data_dir, url, mode, *extra),
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def rows(data_dir: Path) -> list[dict[str, Any]]:
    """The donation rows as the killed process left them (read-only, straight from SQLite)."""
    uri = f"file:{data_dir / 'tableside.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        db.row_factory = sqlite3.Row
        found = db.execute(
            "SELECT id, state, payment_method_id, payment_intent_id, idempotency_key FROM donations"
        ).fetchall()
    return [dict(r) for r in found]


def payment_intents(url: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{url}/v1/payment_intents", params={"limit": 100}, auth=(API_KEY, ""))
    r.raise_for_status()
    return r.json()["data"]


def created(url: str) -> int:
    return localstripe_stats(url)["payment_intents_created"]


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def assert_no_card_data(data_dir: Path) -> None:
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


# point -> (PaymentIntents at the processor when killed, status after restart, PIs after)
CRASH_POINTS = {
    "after_row": (0, "failed", 0),
    "after_payment_method": (0, "approved", 1),
    "before_charge": (0, "approved", 1),
    "after_charge_response": (1, "approved", 1),  # answered, result not committed
}


def test_without_a_crash_one_charge_is_one_payment(
    data_dir: Path, stripe_url: str, env: dict[str, str]
) -> None:
    out = run_station(data_dir, stripe_url, env, "charge")
    assert out["outcome"]["status"] == "approved"
    assert created(stripe_url) == 1
    assert_no_card_data(data_dir)


@pytest.mark.parametrize("point", list(CRASH_POINTS))
def test_kill_at_crash_point_then_restart(
    point: str, data_dir: Path, stripe_url: str, env: dict[str, str]
) -> None:
    at_kill, status, after = CRASH_POINTS[point]
    charge_and_kill_at(point, data_dir, stripe_url, env)

    # The killed process left one row mid-flight, and the processor saw what we expect.
    (left,) = rows(data_dir)
    assert left["state"] == "charging"
    assert left["payment_intent_id"] is None
    assert (left["payment_method_id"] is None) == (point == "after_row")
    assert created(stripe_url) == at_kill

    out = run_station(data_dir, stripe_url, env, "restart")
    (settled,) = out["settled"]
    (donation,) = out["donations"]
    assert settled["donation_id"] == donation["id"] == left["id"]
    assert settled["status"] == donation["status"] == status
    assert created(stripe_url) == after
    pis = payment_intents(stripe_url)
    assert len(pis) == after
    if status == "approved":
        (pi,) = pis
        assert donation["payment_intent_id"] == settled["reference"] == pi["id"]
        assert pi["status"] == "succeeded" and pi["amount"] == 5000
        assert pi["metadata"] == {"donation_id": donation["id"]}
        assert (donation["brand"], donation["last4"]) == ("visa", "4242")
    else:
        assert donation["payment_intent_id"] is None
        assert "Nothing was charged" in donation["message"]

    # A second start-up finds nothing left to settle and charges nothing more.
    again = run_station(data_dir, stripe_url, env, "restart")
    assert again["settled"] == []
    assert [d["status"] for d in again["donations"]] == [status]
    assert created(stripe_url) == after
    assert_no_card_data(data_dir)


def test_kill_after_a_decline_answer_replays_the_decline(
    data_dir: Path, stripe_url: str, env: dict[str, str]
) -> None:
    charge_and_kill_at(
        "after_charge_response", data_dir, stripe_url, env, "--card", "4000000000000341"
    )
    out = run_station(data_dir, stripe_url, env, "restart")
    (donation,) = out["donations"]
    assert donation["status"] == "declined"
    assert donation["payment_intent_id"] is None
    assert created(stripe_url) == 0
    assert_no_card_data(data_dir)


def test_restart_while_the_processor_is_unreachable_keeps_the_charge_in_doubt(
    data_dir: Path, stripe_url: str, env: dict[str, str]
) -> None:
    """The donor was charged, the answer never committed, and the restart finds no network.

    Not being able to ask is no evidence that nothing was charged: the donation must stay
    in doubt (it used to end "failed: Nothing was charged" and was never settled again).
    """
    charge_and_kill_at("after_charge_response", data_dir, stripe_url, env)
    assert created(stripe_url) == 1  # the donor has been charged

    offline = run_station(data_dir, closed_port_url(), env, "restart", "--timeout", "1")
    (donation,) = offline["donations"]
    assert donation["status"] == "in_doubt", donation["message"]

    online = run_station(data_dir, stripe_url, env, "restart")
    (donation,) = online["donations"]
    assert donation["status"] == "approved"
    assert donation["payment_intent_id"] == payment_intents(stripe_url)[0]["id"]
    assert created(stripe_url) == 1
    assert_no_card_data(data_dir)


def test_in_doubt_charge_stays_in_doubt_while_the_network_is_down(
    station: Station, simulator: SimulatorProcessor
) -> None:
    """The same rule without a crash: a lost answer, then retries that cannot get through."""
    simulator.lose_next_response = True  # the processor charges, the answer never arrives
    card = Card("4242424242424242", 12, dt.date.today().year + 3, "123")
    first = station.take_card_donation(5000, Donor("Grace Hopper", "grace@example.org"), card)
    assert first.status == "in_doubt"
    simulator.network_down = True
    assert station.retry_charge(first.donation_id).status == "in_doubt"
    assert [o.status for o in station.settle_in_doubt()] == ["in_doubt"]
    simulator.network_down = False
    (settled,) = station.settle_in_doubt()
    assert settled.status == "approved"
    assert len(simulator.charges) == 1
