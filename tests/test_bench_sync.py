"""bench/sync.py --quick runs to its end against a throwaway PostgreSQL and prints its
figures: the gift-to-central latency line and, last, the catch-up ratio. Numbers only: no
timing is asserted here, as in every bench."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.pg_server import find_bindir

BENCH = Path(__file__).resolve().parents[1] / "bench" / "sync.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        find_bindir() is None,
        reason="no PostgreSQL server binaries (bash packaging/bootstrap.sh --tests)",
    ),
]


def test_quick_run_prints_the_latency_and_the_ratio() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_APP_")}
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        capture_output=True, text=True, timeout=240, env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert any(re.search(r"ours: take_card_donation returned -> approved central\s+\d", line)
               for line in lines), done.stdout
    assert re.fullmatch(r"ratio catch-up ours/bare: \d+(\.\d+)?x", lines[-1]), done.stdout
