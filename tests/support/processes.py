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
