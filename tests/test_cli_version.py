"""`pos-app --version` in a real process: IT checks which build a laptop runs."""

from __future__ import annotations

import subprocess
import sys

from pos_app import __version__


def test_version_prints_the_build_and_exits_0() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pos_app", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Tableside {__version__}"
