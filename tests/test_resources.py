"""A few hundred donations through one station with its jobs running: no thread, no open file
and no memory growth beyond the bound in tests/support/soak.py (bench/soak.py runs 5,000).

The soak runs in a process of its own, so the test runner's log capture (which keeps every
record) is not in the numbers. Counts, not times: nothing here asserts how long anything took.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.soak import BOUND

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc (Linux)"),
    pytest.mark.timeout(300),
]

SOAK = Path(__file__).parent / "support" / "soak.py"


def test_a_few_hundred_donations_grow_no_threads_files_or_memory(tmp_path: Path) -> None:
    donations = int(os.environ.get("SOAK_DONATIONS", "300"))
    env = {**os.environ, "POS_APP_CONFIG": str(tmp_path / "no-config.toml")}
    done = subprocess.run(
        [sys.executable, str(SOAK), "--donations", str(donations), "--warmup", "100"],
        capture_output=True, text=True, timeout=280, env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    *report, last = done.stdout.strip().splitlines()
    print("\n".join(report))
    result = json.loads(last)
    assert result["states"].get("approved", 0) > donations // 2
    assert set(result["jobs"]) == {"done"}, result["jobs"]  # every job finished
    assert result["over"] == [], ("\n".join(report), BOUND)
