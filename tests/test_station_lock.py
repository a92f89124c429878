"""One station per data dir (pos_app/station_lock.py), between real processes: a holder in
a process of its own, refused with who holds it, let in the moment the holder dies (even by
kill -9: no stale lock), and a short `pos-app` command waited for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app import station_lock
from pos_app.station_lock import COMMAND, WINDOW, StationBusy, StationLock

pytestmark = pytest.mark.timeout(60)

HOLD = """
import sys, time
from pathlib import Path
from pos_app.station_lock import StationLock
lock = StationLock.acquire(Path(sys.argv[1]), sys.argv[2])
print("held", flush=True)
time.sleep(float(sys.argv[3]))
lock.release()
print("released", flush=True)
time.sleep(60)
"""


def holder(data_dir: Path, role: str, hold_s: float = 60.0) -> subprocess.Popen[str]:
    """A process holding the lock; returns once it says it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(data_dir), role, str(hold_s)],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def test_a_second_station_is_refused_with_who_holds_it(folder: Path) -> None:
    proc = holder(folder, WINDOW)
    try:
        assert station_lock.is_held(folder)
        with pytest.raises(StationBusy) as info:
            StationLock.acquire(folder, WINDOW, wait_s=1.0)
        assert info.value.holder is not None and info.value.holder.pid == proc.pid
        assert info.value.holder.role == WINDOW and info.value.folder == folder
        assert "already open on this laptop" in info.value.message
    finally:
        proc.kill()
        proc.wait(30)


def test_a_killed_holder_leaves_no_stale_lock(folder: Path) -> None:
    proc = holder(folder, WINDOW)
    proc.kill()  # SIGKILL: no chance to clean up
    proc.wait(30)
    assert not station_lock.is_held(folder)
    lock = StationLock.acquire(folder, WINDOW)
    try:
        assert lock.held and station_lock.read_holder(folder).pid == os.getpid()
        with pytest.raises(StationBusy):  # flock belongs to the open file: same process too
            StationLock.acquire(folder, WINDOW)
    finally:
        lock.release()
    assert not lock.held and not station_lock.is_held(folder)


def test_a_short_command_is_waited_for_and_a_window_is_not(folder: Path) -> None:
    proc = holder(folder, COMMAND, hold_s=0.5)
    try:
        lock = StationLock.acquire(folder, WINDOW, wait_s=30.0)  # ends when the command does
        lock.release()
        assert proc.stdout is not None and proc.stdout.readline().strip() == "released"
    finally:
        proc.kill()
        proc.wait(30)
    proc = holder(folder, WINDOW)
    try:
        with pytest.raises(StationBusy) as info:  # refused at once, not after 30 s
            StationLock.acquire(folder, COMMAND, wait_s=30.0)
        assert info.value.holder is not None and info.value.holder.role == WINDOW
    finally:
        proc.kill()
        proc.wait(30)


def test_an_unreadable_holder_file_is_unknown_not_an_error(folder: Path) -> None:
    (folder / station_lock.LOCK_NAME).write_text("{not json")
    assert station_lock.read_holder(folder) is None
    assert not station_lock.is_held(folder)
    busy = StationBusy(folder, None)
    assert "already open" in busy.message and busy.folder == folder
