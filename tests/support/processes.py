"""Start helper servers as real subprocesses on loopback and stop them cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

SUPPORT = Path(__file__).parent


@contextmanager
def localstripe_process() -> Iterator[str]:
    """Yield the base URL of a fresh bridged localstripe on 127.0.0.1."""
    proc = subprocess.Popen(
        [sys.executable, str(SUPPORT / "localstripe_server.py"), "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("localstripe did not start")
        port = json.loads(line)["listening"]
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"{url}/_test/stats", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def localstripe_stats(url: str) -> dict[str, int]:
    return httpx.get(f"{url}/_test/stats", timeout=5).json()


def set_reader_status(url: str, reader_id: str, status: str) -> None:
    """The peer's reader goes `online` or `offline` (tests/support/terminal_peer.py)."""
    r = httpx.post(
        f"{url}/_test/terminal/readers/{reader_id}/status", data={"status": status}, timeout=5
    )
    r.raise_for_status()


def slow_next_present(url: str, reader_id: str, seconds: float) -> None:
    """The next card presented on the peer's reader is read `seconds` later."""
    r = httpx.post(
        f"{url}/_test/terminal/readers/{reader_id}/slow_next",
        data={"seconds": str(seconds)},
        timeout=5,
    )
    r.raise_for_status()


def register_simulated_reader(url: str, api_key: str, label: str = "Table reader") -> str:
    """A fresh simulated WisePOS E on the peer, in a fresh location; returns its tmr_ id."""
    auth = {"Authorization": f"Bearer {api_key}"}
    loc = httpx.post(
        f"{url}/v1/terminal/locations",
        headers=auth,
        timeout=5,
        data={
            "display_name": "Gala hall",
            "address[line1]": "12 Main St",
            "address[city]": "Springfield",
            "address[state]": "IL",
            "address[postal_code]": "62701",
            "address[country]": "US",
        },
    )
    loc.raise_for_status()
    reader = httpx.post(
        f"{url}/v1/terminal/readers",
        headers=auth,
        timeout=5,
        data={"registration_code": "simulated-wpe", "label": label, "location": loc.json()["id"]},
    )
    reader.raise_for_status()
    return str(reader.json()["id"])
