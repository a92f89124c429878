"""One station per data dir: an OS file lock on `<data dir>/station.lock`, held for the
station's whole life.

Two Tableside windows on one laptop (a double-clicked icon) used to share one DB and one
queue: the second one's start-up sync re-queued the first one's running jobs (every receipt
sent twice) and its start-up settle could take the first one's in-flight charges. The lock
makes the second one refuse instead, with a plain message.

It is an OS lock (`flock` on POSIX, `msvcrt.locking` on Windows), not a QLockFile, because
the Qt-free `open_station()` needs it too; the OS drops it when the process dies (even on
kill -9), so there is never a stale lock to clean up. `flock` locks belong to an open file,
so a second `open_station()` in the same process is refused as well.

The file also says who holds it (pid, role, since) so the refusal can say "the window" or
"`pos-app jobs retry`", and so a second window knows whether to bring the first to the front.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .startup import StartupError

LOCK_NAME = "station.lock"
WINDOWS_LOCK_OFFSET = 0x7FFF_FFFF  # lock a byte past the holder info, so it stays readable

WINDOW = "window"  # the volunteer's window
API = "station"  # open_station() from a script or integrator
COMMAND = "command"  # a `pos-app` subcommand
COMMAND_WAIT_S = 3.0  # a station waits this long for a `pos-app` command to finish


@dataclass(frozen=True)
class Holder:
    pid: int
    role: str
    since: str


class StationBusy(StartupError):
    """Another Tableside already has this data dir."""

    def __init__(self, data_dir: Path, holder: Holder | None) -> None:
        self.holder = holder
        if holder is not None and holder.role == COMMAND:
            what = f"A `pos-app` command (process {holder.pid}) is using this laptop's data"
            fix = "Wait a moment and try again."
        else:
            what = "Tableside is already open on this laptop"
            if holder is not None:
                what += f" (process {holder.pid}, since {holder.since})"
            # Raising another process's window is refused by Windows' and Wayland's focus
            # rules, so the words say where to find it instead.
            fix = ("Use the Tableside window that is already open (look for it in the "
                   "taskbar or dock), or close it before starting Tableside again.")
        super().__init__(f"{what}.", fix, data_dir)


def _try_lock(f: IO[bytes]) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows builds only
        import msvcrt

        f.seek(WINDOWS_LOCK_OFFSET)
        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def read_holder(data_dir: Path) -> Holder | None:
    """Who holds (or last held) the lock, from the file; None if unknown."""
    try:
        raw = json.loads((data_dir / LOCK_NAME).read_text(encoding="utf-8") or "null")
        return Holder(int(raw["pid"]), str(raw["role"]), str(raw["since"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def is_held(data_dir: Path) -> bool:
    """True if a live process holds the lock now (checked by trying it, then letting go)."""
    path = data_dir / LOCK_NAME
    if not path.exists():
        return False
    try:
        with open(path, "rb") as f:
            return not _try_lock(f)  # closing the file releases a lock we got
    except OSError:
        return False


class StationLock:
    """The held lock; `release()` (or process exit) lets the next station in."""

    def __init__(self, data_dir: Path, f: IO[bytes]) -> None:
        self.data_dir = data_dir
        self._file: IO[bytes] | None = f

    @classmethod
    def acquire(cls, data_dir: Path, role: str, *, wait_s: float = 0.0) -> StationLock:
        """Take the lock or raise StationBusy; `wait_s` retries that long (a short
        `pos-app` command may be about to finish)."""
        path = data_dir / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        f = os.fdopen(fd, "r+b")
        deadline = time.monotonic() + wait_s
        while not _try_lock(f):
            holder = read_holder(data_dir)
            # Only a short `pos-app` command is worth waiting for; a window stays open.
            if time.monotonic() >= deadline or (holder is not None and holder.role != COMMAND):
                f.close()
                raise StationBusy(data_dir, read_holder(data_dir))
            time.sleep(0.1)
        since = dt.datetime.now().astimezone().strftime("%H:%M")
        f.seek(0)
        f.truncate()
        f.write(json.dumps({"pid": os.getpid(), "role": role, "since": since}).encode())
        f.flush()
        return cls(data_dir, f)

    @property
    def held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        f, self._file = self._file, None
        if f is not None:
            f.close()  # closing the descriptor drops the OS lock
