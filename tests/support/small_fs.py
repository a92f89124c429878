"""A real, small file system for disk-full tests: a tmpfs of a few KiB mounted on a folder.

Mounting needs root (or CAP_SYS_ADMIN); where the mount is refused the test is skipped
with the reason, never faked: a full disk is judged by what the kernel answers.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_tmpfs(where: Path, size_kib: int = 64) -> Iterator[Path]:
    """Mount a tmpfs of `size_kib` on `where` (created), yield it, unmount it."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0777", "tmpfs", str(where)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"can't mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def fill(folder: Path, leave_bytes: int = 0) -> Path:
    """Write a filler file until the file system refuses (ENOSPC), then give back
    `leave_bytes` so a write of more than that starts and fails part-way."""
    filler = folder / "filler"
    block = b"\0" * 1024
    with filler.open("wb", buffering=0) as f:
        try:
            while True:
                f.write(block)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
        if leave_bytes:
            f.truncate(max(0, f.tell() - leave_bytes))
    return filler


def entries(folder: Path) -> set[str]:
    return set(os.listdir(folder))
