"""Checkout at the end of the night survives kill -9: real processes, real SIGKILLs, the
bridged localstripe (PaymentIntents and Checkout Sessions) and a real SMTP server.

A raise of 30 pledges is recorded and its cards on file charged first (some decline, one
guest's bank wants authentication, two guests have no card; one of them leaves a card
after the raise). Then a station process (tests/support/gala_proc.py `checkout`) runs
"Charge all open pledges" and is killed: at a named point between two pledges, and at
random moments while the charges and links go out. Each restart presses the button again,
as a lead would. In the end every pledge is paid, needs attention or has its link sent;
the server holds exactly one succeeded PaymentIntent per paid pledge and one Checkout
Session per pay link; each link email went out (at least once, always with one Message-ID);
and another press changes and charges nothing.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.crash import env, kill_at_crashpoint, stripe_url  # noqa: F401 - fixtures
from support.gala import (
    GALA_CARD_NUMBERS,
    VISA,
    check_in_guests,
    wait_pledges_settled,
)
from support.job_fixtures import event_settings
from support.processes import localstripe_stats
from support.smtp_server import SmtpServer
from test_gala_crash import API_KEY, LEVELS, WAIT_S, gala_cmd, lines, succeeded_by_gift

from pos_app.api import Donor, Station
from pos_app.paths import DataPaths
from pos_app.payments.stripe import StripeProcessor
from pos_app.settings import Pledges

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
    pytest.mark.timeout(300),
]

# guest -> what their card does: charged, declined, wants authentication, none all night,
# none during the raise but left on file before checkout
GUESTS = {"ada": "visa", "grace": "visa", "bob": "declines", "cy": "auth", "fay": None,
          "gil": "late"}
PLEDGES = 30
SUCCESS_URL = "https://riverside.example/thanks"


@pytest.fixture
def smtp(tmp_path: Path):  # type: ignore[no-untyped-def]
    server = SmtpServer(tmp_path / "smtp-tls")
    yield server
    server.close()


def raise_then_late_card(data_dir: Path, url: str) -> dict[str, str | None]:
    """The raise, by a station in this process: guests checked in, 30 pledges recorded,
    the ones on cards charged; then gil leaves a card. Returns paddle -> kind."""
    stripe = StripeProcessor(API_KEY, api_base=url, timeout=10)
    settings = event_settings(pledges=Pledges(success_url=SUCCESS_URL))
    with Station(settings, DataPaths.resolve(data_dir), processor=stripe) as st:
        kinds = check_in_guests(st, GUESTS)
        st.start_jobs()
        raise_id = st.open_paddle_raise("Fund a kitchen", LEVELS)
        paddles = list(kinds)
        for i in range(PLEDGES):
            st.pledge(raise_id, paddles[i % len(paddles)], LEVELS[i % len(LEVELS)])
        settled = wait_pledges_settled(st, raise_id)
        assert Counter(p.state for p in settled) == Counter(
            {"paid": 10, "needs_attention": 10, "pledged": 10}), settled
        gil = next(p for p, k in kinds.items() if k == "late")
        assert st.check_in(Donor("Gil", "gil@example.org"), card=VISA).card_on_file
        assert all(p.state == "pledged" for p in st.pledges() if p.paddle == gil)
    return kinds


def config_file(tmp_path: Path) -> Path:
    config = tmp_path / "station.toml"
    config.write_text('[organization]\nname = "Riverside Food Bank"\n'
                      '[event]\nname = "Spring Gala"\nstation = "Table 3"\n'
                      '[receipts]\nfrom = "receipts@riverside.example"\n'
                      f'[pledges]\nsuccess_url = "{SUCCESS_URL}"\n')  # fmt: skip
    return config


def kill_while_running(cmd: list[str], env: dict[str, str],  # noqa: F811
                       rng: random.Random) -> bool:
    """Run checkout and SIGKILL it a random moment after it starts; True if it finished
    on its own first."""
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
    ready.wait(WAIT_S)
    time.sleep(rng.uniform(0.0, 1.0))
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(WAIT_S)
    reader.join(5)
    if proc.stdout:
        proc.stdout.close()
    return finished and any("done" in x for x in said)


def finish(cmd: list[str], env: dict[str, str]) -> list[dict[str, Any]]:  # noqa: F811
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=WAIT_S + 60)
    assert done.returncode == 0, done.stderr[-3000:]
    (end,) = [x["done"] for x in lines(done.stdout) if "done" in x]
    return end


def link_emails(smtp: SmtpServer) -> list[EmailMessage]:
    return [m for m in smtp.received() if m["X-Tableside-Paylink"]]


def check_the_end(end: list[dict[str, Any]], kinds: dict[str, str | None], url: str,
                  smtp: SmtpServer, data_dir: Path, kills: int) -> None:
    assert len(end) == PLEDGES
    want = {"visa": "paid", "late": "paid", "declines": "needs_attention",
            "auth": "needs_attention", None: "link_sent"}
    for p in end:
        assert p["state"] == want[kinds[p["paddle"]]], p
    paid = [p for p in end if p["state"] == "paid"]
    assert succeeded_by_gift(url) == Counter({p["donation_id"]: 1 for p in paid})
    auth = [p for p in end if kinds[p["paddle"]] == "auth"]
    stats = localstripe_stats(url)
    assert stats["payment_intents_created"] == len(paid) + len(auth)
    linked = [p for p in end if p["state"] == "link_sent"]
    assert stats["checkout_sessions_created"] == len(linked) == 5
    # every link emailed to its guest: once, or again after a kill that fell between the
    # server's "250 OK" and the pledge marked sent (email is at least once), always with
    # one Message-ID per link, so the guest's mail program shows it once
    emails = link_emails(smtp)
    by_id = Counter(str(m["Message-ID"]) for m in emails)
    assert len(by_id) == len(linked), by_id
    assert all(n <= 1 + kills for n in by_id.values()), by_id
    assert {m["To"].addresses[0].addr_spec for m in emails} == {"fay@example.org"}
    assert files_containing(data_dir, TEST_CARD_NUMBERS + GALA_CARD_NUMBERS) == []


def checkout_cmd(tmp_path: Path, data_dir: Path, url: str, smtp: SmtpServer) -> list[str]:
    return gala_cmd(data_dir, url, "checkout", str(config_file(tmp_path)), str(smtp.port),
                    str(smtp.cert_file), smtp.password)  # fmt: skip


def test_checkout_killed_between_pledges_then_pressed_again(
    tmp_path: Path, data_dir: Path, stripe_url: str, env: dict[str, str],  # noqa: F811
    smtp: SmtpServer,
) -> None:
    kinds = raise_then_late_card(data_dir, stripe_url)
    cmd = checkout_cmd(tmp_path, data_dir, stripe_url, smtp)
    killed = kill_at_crashpoint(cmd, env, "checkout_mid_run", WAIT_S)
    assert [x["ready"] for x in lines(killed.stdout) if "ready" in x] == [10]
    end = finish(cmd, env)
    check_the_end(end, kinds, stripe_url, smtp, data_dir, kills=1)


def test_random_kills_during_checkout_lose_and_double_nothing(
    tmp_path: Path, data_dir: Path, stripe_url: str, env: dict[str, str],  # noqa: F811
    smtp: SmtpServer,
) -> None:
    kinds = raise_then_late_card(data_dir, stripe_url)
    cmd = checkout_cmd(tmp_path, data_dir, stripe_url, smtp)
    seed = int(os.environ.get("GALA_CRASH_SEED", time.time_ns() % 100000))
    rng = random.Random(seed)
    kills = 0
    while kills < 4 and not kill_while_running(cmd, env, rng):
        kills += 1
    end = finish(cmd, env)
    check_the_end(end, kinds, stripe_url, smtp, data_dir, kills)
    # pressed once more: nothing changes, nothing more is charged, linked or sent
    before = (writes(stripe_url), len(link_emails(smtp)))
    again = finish(cmd, env)
    assert [p["state"] for p in again] == [p["state"] for p in end], f"seed {seed}"
    assert (writes(stripe_url), len(link_emails(smtp))) == before, f"seed {seed}"


def writes(url: str) -> dict[str, int]:
    """What the server made (a restart still reads its links back: `requests` grows)."""
    return {k: v for k, v in localstripe_stats(url).items() if k != "requests"}
