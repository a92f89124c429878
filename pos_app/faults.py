"""Named crash points for the crash-safety tests: a real SIGKILL at an exact instant.

When TABLESIDE_CRASHPOINT names a point, the process announces it on stderr and stops
there, so the test process can kill -9 it exactly between two steps (e.g. after the
processor answered, before the result was committed). Inert otherwise.
"""

from __future__ import annotations

import os
import sys
import time


def crashpoint(name: str) -> None:
    if os.environ.get("TABLESIDE_CRASHPOINT") != name:
        return
    sys.stderr.write(f"CRASHPOINT {name}\n")
    sys.stderr.flush()
    while True:  # wait for the kill -9 from the test
        time.sleep(60)
