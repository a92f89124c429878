"""The gala survives kill -9: real processes, real SIGKILLs, the bridged localstripe.

A station process (tests/support/gala_proc.py) takes a paddle raise's pledges and runs
their charge jobs; it is killed at random moments (and, in the other tests, at named crash
points: after the pledge's charging row, before the charge, after the processor answered,
mid check-in), started again, and carries on. In the end nothing is lost (every pledge the
volunteer saw recorded is there, each settled: paid, needs attention with "Ask paddle N for
another card", or waiting for checkout) and nothing is doubled (the server holds exactly
one succeeded PaymentIntent per paid pledge; a card on file is one SetupIntent). No card
number is anywhere in the data dir.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.crash import env, kill_at_crashpoint, stripe_url  # noqa: F401
from support.gala import (
    DECLINES_AT_CHARGE,
    GALA_CARD_NUMBERS,
    NEEDS_AUTH,
    VISA,
    authenticated_on_file,
)
from support.job_fixtures import event_settings
from support.processes import localstripe_stats

from pos_app.api import Donor, Station
from pos_app.paths import DataPaths
from pos_app.payments.stripe import StripeProcessor

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
    pytest.mark.timeout(240),
]

GALA_PROC = Path(__file__).parent / "support" / "gala_proc.py"
API_KEY = "sk_test_tableside_crash"
LEVELS = [100000, 50000, 25000, 10000]
GUESTS = {"ada": "visa", "grace": "visa", "alan": "visa", "bob": "declines", "cy": "auth",
          "fay": None}
WAIT_S = 60


def gala_cmd(data_dir: Path, url: str, *args: str) -> list[str]:
    return [sys.executable, str(GALA_PROC), str(data_dir), url, *args]


def lines(out: str) -> list[dict[str, Any]]:
    found = []
    for line in out.splitlines():
        try:
            found.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by the kill
            continue
    return found


def set_up(data_dir: Path, url: str) -> tuple[str, dict[str, str | None]]:
    """Guests checked in (cards on file) and a raise opened, by a station in this process,
    closed again before the station processes start. Returns (raise id, paddle -> kind)."""
    stripe = StripeProcessor(API_KEY, api_base=url, timeout=10)
    with Station(event_settings(), DataPaths.resolve(data_dir), processor=stripe) as st:
        kinds: dict[str, str | None] = {}
        for name, kind in GUESTS.items():
            card = {"visa": VISA, "declines": DECLINES_AT_CHARGE, "auth": VISA, None: None}[kind]
            guest = st.check_in(Donor(name.title(), f"{name}@example.org"), card=card)
            assert guest.card_on_file == (kind is not None)
            if kind == "auth":
                authenticated_on_file(st, guest.paddle, NEEDS_AUTH)
            kinds[guest.paddle] = kind
        return st.open_paddle_raise("Fund a kitchen", LEVELS), kinds


def plan_for(kinds: dict[str, str | None], n: int) -> list[tuple[str, int]]:
    paddles = list(kinds)
    return [(paddles[i % len(paddles)], LEVELS[i % len(LEVELS)]) for i in range(n)]


def succeeded_by_gift(url: str) -> Counter[str]:
    r = httpx.get(f"{url}/v1/payment_intents", params={"limit": 100}, auth=(API_KEY, ""),
                  timeout=10)
    r.raise_for_status()
    return Counter(pi["metadata"].get("donation_id") for pi in r.json()["data"]
                   if pi["status"] == "succeeded")


def check_the_end(pledges: list[dict[str, Any]], kinds: dict[str, str | None], url: str,
                  data_dir: Path) -> None:
    paid = []
    for p in pledges:
        kind = kinds[p["paddle"]]
        if kind == "visa":
            assert p["state"] == "paid", p
            paid.append(p)
        elif kind is None:
            assert p["state"] == "pledged", p
        else:
            assert p["state"] == "needs_attention", p
            assert p["message"].startswith(f"Ask paddle {p['paddle']} for another card"), p
    # exactly one succeeded PaymentIntent per paid pledge, none for any other gift
    assert succeeded_by_gift(url) == Counter({p["donation_id"]: 1 for p in paid})
    auth = [p for p in pledges if kinds[p["paddle"]] == "auth"]
    assert localstripe_stats(url)["payment_intents_created"] == len(paid) + len(auth)
    assert files_containing(data_dir, TEST_CARD_NUMBERS + GALA_CARD_NUMBERS) == []


def run(cmd: list[str], env: dict[str, str]) -> list[dict[str, Any]]:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=WAIT_S + 30)
    assert done.returncode == 0, done.stderr[-3000:]
    return lines(done.stdout)


def kill_somewhere(
    cmd: list[str], env: dict[str, str], rng: random.Random
) -> tuple[list[dict[str, Any]], bool]:
    """Run the raise and SIGKILL it at a random moment: mostly while it records pledges and
    charges them (some time after it says ready), sometimes during start-up. Returns what
    it printed and whether it finished on its own first."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    said: list[dict[str, Any]] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            said.extend(lines(line))
            if "ready" in line:
                ready.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0.2, 2.0))  # start-up: migrations, queue recovery, settling
    else:
        ready.wait(WAIT_S)
        time.sleep(rng.uniform(0.0, 1.5))  # pledging and charging
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(WAIT_S)
    reader.join(5)
    if proc.stdout:
        proc.stdout.close()
    return said, finished and any("done" in x for x in said)


def test_random_kills_during_a_paddle_raise_lose_and_double_nothing(
    data_dir: Path, stripe_url: str, env: dict[str, str],  # noqa: F811
) -> None:
    raise_id, kinds = set_up(data_dir, stripe_url)
    plan = plan_for(kinds, 24)
    cmd = gala_cmd(data_dir, stripe_url, "pledges", raise_id, json.dumps(plan), "0.1")
    seed = int(os.environ.get("GALA_CRASH_SEED", time.time_ns() % 100000))
    rng = random.Random(seed)
    seen: set[str] = set()
    kills = running = 0
    while kills < 10 and running < 4:
        said, finished = kill_somewhere(cmd, env, rng)
        seen |= {x["pledge"] for x in said if "pledge" in x}
        if finished:
            break
        kills += 1
        running += any("ready" in x for x in said)
    assert running >= 2, f"seed {seed}: only {running} of {kills} kills hit a running raise"
    (end,) = [x["done"] for x in run(cmd, env) if "done" in x]
    assert len(end) == len(plan), f"seed {seed}"
    assert seen <= {p["id"] for p in end}, f"seed {seed}: a recorded pledge was lost"
    assert [(p["paddle"], p["amount_cents"]) for p in end] == plan, f"seed {seed}"
    check_the_end(end, kinds, stripe_url, data_dir)
    # another start finds nothing to do and charges nothing more
    before = localstripe_stats(stripe_url)["payment_intents_created"]
    (again,) = [x["done"] for x in run(cmd, env) if "done" in x]
    assert [p["state"] for p in again] == [p["state"] for p in end]
    assert localstripe_stats(stripe_url)["payment_intents_created"] == before


@pytest.mark.parametrize(
    "point", ["pledge_after_row", "after_charge_response"]
)
def test_kill_at_a_pledge_charges_crash_point_then_restart(
    point: str, data_dir: Path, stripe_url: str, env: dict[str, str],  # noqa: F811
) -> None:
    raise_id, kinds = set_up(data_dir, stripe_url)
    ada = next(p for p, k in kinds.items() if k == "visa")
    plan = json.dumps([[ada, 50000]])
    cmd = gala_cmd(data_dir, stripe_url, "pledges", raise_id, plan)
    killed = kill_at_crashpoint(cmd, env, point, WAIT_S)
    (recorded,) = [x for x in lines(killed.stdout) if "pledge" in x]
    at_kill = localstripe_stats(stripe_url)["payment_intents_created"]
    assert at_kill == (1 if point == "after_charge_response" else 0)
    (end,) = [x["done"] for x in run(cmd, env) if "done" in x]
    (pledge,) = end
    assert pledge["id"] == recorded["pledge"] and pledge["state"] == "paid"
    check_the_end(end, kinds, stripe_url, data_dir)


@pytest.mark.parametrize(
    "point", ["checkin_after_payment_method", "checkin_after_setup_intent",
              "checkin_after_confirm"]
)
def test_kill_mid_check_in_keeps_one_card_on_file(
    point: str, data_dir: Path, stripe_url: str, env: dict[str, str],  # noqa: F811
) -> None:
    cmd = gala_cmd(data_dir, stripe_url, "checkin", "Ada Lovelace", "ada@example.org",
                   VISA.number)
    kill_at_crashpoint(cmd, env, point, WAIT_S)
    (guests,) = [x["guests"] for x in run(gala_cmd(data_dir, stripe_url, "guests"), env)
                 if "guests" in x]
    (ada,) = guests
    assert ada["card_on_file"] and ada["card_state"] == "saved", ada
    stats = localstripe_stats(stripe_url)
    assert (stats["customers_created"], stats["setup_intents_created"],
            stats["setup_intents_succeeded"], stats["payment_intents_created"]) == (1, 1, 1, 0)
    assert files_containing(data_dir, TEST_CARD_NUMBERS + GALA_CARD_NUMBERS) == []
