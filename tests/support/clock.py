"""A process whose wall clock the test can move: the clockshift shim, built once per run.

`build_shim(tmp)` compiles tests/support/clockshift.c with the machine's C compiler
(None where there is none: the tests skip, saying so). `ClockShift` is the file the shim
reads: `clock.set(-3600)` sets the process's clock back an hour, at once.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SOURCE = Path(__file__).with_name("clockshift.c")


def build_shim(folder: Path) -> Path | None:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    out = folder / "clockshift.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(out), str(SOURCE), "-ldl"],
                   check=True, capture_output=True)
    return out


class ClockShift:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.set(0)

    def set(self, seconds: float) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(f"{seconds}\n")
        tmp.replace(self.path)  # the shim never reads a half-written number

    def env(self, shim: Path) -> dict[str, str]:
        return {"LD_PRELOAD": str(shim), "CLOCKSHIFT_FILE": str(self.path)}
