"""The wall clock jumps while receipts wait to retry (a laptop syncing its time at the venue).

A real station process runs with its wall clock shifted by the clockshift shim (its
monotonic and boot clocks untouched, as with a real NTP step); its receipts go to a
SendGrid stand-in on loopback that is down (or asks to be called back later), so they wait
to retry. Set back an hour, they must not wait an hour once the server is back; set forward
an hour, they must not all fall due at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.clock import ClockShift, build_shim
from support.job_fixtures import SENDGRID_KEY, sendgrid  # noqa: F401
from support.jobwait import wait_for
from support.sendgrid_server import SendGridServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
if not sys.platform.startswith("linux"):
    pytest.skip("the clockshift shim is an LD_PRELOAD library (Linux)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "support" / "clock_station.py"
GIFTS = 3
CAP_S = 4  # [jobs] max_backoff: retries come round within seconds


class Station:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc

    def snap(self) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("snap\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def waiting(self) -> list[dict]:
        return [j for j in self.snap()["jobs"] if j["state"] == "retry_scheduled"]


@pytest.fixture
def shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = build_shim(tmp_path_factory.mktemp("shim"))
    if built is None:
        pytest.skip("no C compiler to build the clockshift shim")
    return built


@pytest.fixture
def mail(sendgrid: SendGridServer) -> SendGridServer:
    return sendgrid  # the spec-checking SendGrid stand-in (skipped where the spec is absent)


@pytest.fixture
def clock(tmp_path: Path) -> ClockShift:
    return ClockShift(tmp_path / "clockshift")


@pytest.fixture
def station(
    tmp_path: Path, shim: Path, mail: SendGridServer, clock: ClockShift
) -> Iterator[Station]:
    """A station whose three receipts wait to retry: the mail server is up but failing."""
    mail.script = lambda _body: (503, {}, {"errors": [{"message": "try later"}]})
    mail.up()
    config = tmp_path / "config.toml"
    config.write_text(f"[jobs]\nmax_backoff = {CAP_S}\nsync_interval = 1\n")
    env = {**os.environ, **clock.env(shim), "POS_APP_CONFIG": str(config),
           "POS_APP_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(tmp_path / "data"), mail.url, SENDGRID_KEY,
         str(GIFTS)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None and json.loads(proc.stdout.readline())["ready"]
        st = Station(proc)
        wait_for(lambda: len(st.waiting()) == GIFTS, interval=0.2,
                 why="every receipt to wait for the mail server")
        yield st
    finally:
        if proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.write("quit\n")
            proc.stdin.close()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def shifted(station: Station, clock: ClockShift, seconds: float) -> None:
    """Move the station's clock and wait until the station itself reads the new time."""
    was = station.snap()["now"]
    clock.set(seconds)
    wait_for(lambda: abs(station.snap()["now"] - was - seconds) < 60, interval=0.05,
             why="the station's clock to move")


def test_clock_set_back_an_hour_does_not_stall_the_retries(
    station: Station, mail: SendGridServer, clock: ClockShift
) -> None:
    shifted(station, clock, -3600)
    # The server answered all along (503: the station never saw the network go, so there
    # is no network-back wake-up), and now recovers: only honest due times can help.
    mail.script = None
    # Once the server is well again, the receipts go within the backoff cap, not in an hour.
    done = wait_for(
        lambda: all(j["state"] == "done" for j in station.snap()["jobs"]) or None,
        timeout=60, interval=0.5, why="the receipts to be sent after the clock went back",
    )
    assert done
    assert len(mail.accepted) == GIFTS


def test_clock_set_forward_an_hour_keeps_the_waits_as_they_were(
    station: Station, mail: SendGridServer, clock: ClockShift
) -> None:
    # The server is back but busy: "call again in 20 s", so every receipt waits 20 s.
    mail.script = lambda _body: (429, {"Retry-After": "20"}, {"errors": [{"message": "busy"}]})
    waiting = wait_for(
        lambda: (s := station.snap())
        and all(j["state"] == "retry_scheduled" and j["due"] - s["now"] > 10 for j in s["jobs"])
        and s,
        why="every receipt to wait out the server's Retry-After",
    )
    attempts = {j["id"]: j["attempts"] for j in waiting["jobs"]}
    shifted(station, clock, 3600)
    time.sleep(1.5)  # several housekeeping ticks: long enough to act on the jump
    after = station.snap()
    # No stampede: nothing fell due because of the jump, so nothing ran again ...
    assert {j["id"]: j["attempts"] for j in after["jobs"]} == attempts
    # ... and nothing was pushed an hour out: each wait is what it was, less real time.
    for job in after["jobs"]:
        assert job["state"] == "retry_scheduled"
        assert 0 < job["due"] - after["now"] <= 21, job
