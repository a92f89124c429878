"""Shared pieces of the SIGKILL tests: a fresh localstripe per test, the environment a
station subprocess runs in (its data dir, no config, no crash point unless set), and the
kill itself at a named crash point."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .processes import localstripe_process


@pytest.fixture
def stripe_url() -> Iterator[str]:
    """A fresh localstripe per test, so its counts are this test's alone."""
    with localstripe_process() as url:
        yield url


@pytest.fixture
def env(data_dir: Path, tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k != "TABLESIDE_CRASHPOINT"}
    e["POS_APP_DATA_DIR"] = str(data_dir)
    e["POS_APP_CONFIG"] = str(tmp_path / "no-config.toml")
    e["PYTHONUNBUFFERED"] = "1"
    return e


@dataclass
class Killed:
    stderr: list[str]  # every line up to and including "CRASHPOINT <point>"
    stdout: str  # what the process printed before it died


def kill_at_crashpoint(args: list[str], env: dict[str, str], point: str, wait_s: float) -> Killed:
    """Run `args` with TABLESIDE_CRASHPOINT=point, wait for the process to announce the point
    on stderr (pos_app/faults.py), then SIGKILL it there from this process."""
    proc = subprocess.Popen(
        args,
        env={**env, "TABLESIDE_CRASHPOINT": point},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    seen: list[str] = []

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no 'CRASHPOINT {point}' within {wait_s}s; stderr: {seen}")
            if line is None:
                out = proc.stdout.read() if proc.stdout else ""
                pytest.fail(f"process exited before {point}: stderr {seen}, stdout {out!r}")
            seen.append(line)
            if line.strip() == f"CRASHPOINT {point}":
                break
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(wait_s) == -signal.SIGKILL
        stdout = proc.stdout.read() if proc.stdout else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        reader.join(5)
        for pipe in (proc.stdout, proc.stderr):
            if pipe:
                pipe.close()
    return Killed(seen, stdout)
