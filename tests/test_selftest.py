"""`pos-app --self-test` as IT and CI run it: a real process, offscreen, that must exit 0
by itself (no dialog may wait for a click)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_self_test_passes_in_a_fresh_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_APP_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, "-m", "pos_app", "--self-test"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    assert "self-test passed" in done.stdout
