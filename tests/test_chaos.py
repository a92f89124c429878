"""Chaos: a station in a process of its own takes a stream of card donations through the
Stripe adapter and sends receipts through SendGrid, both behind a fault-injecting proxy
(dropped connections before and after the peer acted, 500s, 429s with Retry-After, hangs
past the client timeout, answers dripped a byte at a time, `processing` and mismatched
answers), some gifts taken on a card reader (Stripe Terminal's test peer, behind the same
proxy) whose reader drops offline now and then, while its disk fills up for a moment, its
clock jumps back and forward and a second station is started beside it, and this process
SIGKILLs it at seeded random moments and starts it again. Then, faults off, everything
settles and the app's records are held against what the processor and the email service
really did (tests/support/chaos.py has the checks):
nothing lost, nothing charged twice, every approved gift's card saved and receipt sent
(repeats counted), nothing left in doubt, no card data on disk, every file owner-only.

The short run is CI's; `pytest -m soak` (or bench/chaos.py) runs a long one.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.chaos import CARD_NUMBERS, SPEC, ChaosConfig, run_chaos

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
    pytest.mark.skipif(not SPEC.exists(), reason=f"SendGrid's OpenAPI spec is not at {SPEC}"),
]


def check(report, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(report.lines())
    print(text)  # the numbers, in the test's output (pytest -s, or on failure)
    assert report.ok, text
    assert report.kills == report.config.kills
    assert report.faults_total() > 0
    assert report.payment_intents > 0 and report.receipts_accepted > 0
    assert report.faults["processor"].get("drip_after", 0) + report.faults["email"].get(
        "drip_after", 0) > 0
    assert report.answers_changed.get("processing", 0) > 0
    assert sum(report.reader_told.values()) > 0  # gifts on the reader, told something
    expected = {"second_process", "reader_offline"}
    if not any(s.startswith("disk full") for s in report.skipped):
        expected.add("disk_full")
    if not any(s.startswith("clock") for s in report.skipped):
        expected |= {"clock_jump_back", "clock_jump_forward"}
    assert expected <= set(report.meddling), report.meddling
    # The conftest scan too (raw and UTF-16), for every test card the suite knows.
    data = workdir / "data"
    assert files_containing(data, TEST_CARD_NUMBERS + CARD_NUMBERS) == []


@pytest.mark.timeout(170)
def test_chaos_short(tmp_path: Path) -> None:
    report = run_chaos(ChaosConfig(donations=36, kills=4, seed=6), tmp_path)
    check(report, tmp_path)


@pytest.mark.soak
@pytest.mark.timeout(3600)
def test_chaos_soak(tmp_path: Path) -> None:
    donations = int(os.environ.get("CHAOS_DONATIONS", "500"))
    kills = int(os.environ.get("CHAOS_KILLS", "30"))
    seed = int(os.environ.get("CHAOS_SEED", "2025"))
    report = run_chaos(ChaosConfig(donations=donations, kills=kills, seed=seed), tmp_path)
    check(report, tmp_path)
