"""Start-up failures in plain words: what is wrong, which folder, and the fix.

A read-only data dir, a full disk, a database stamped by a newer Tableside or one that can't
be read used to end the GUI with a traceback on stderr and no window. `open_station()` now
raises a `StartupError` (message, fix, folder) for each of them; the window shows it in a
dialog, `pos-app` commands print it, and `pos-app doctor` has a ✗ line for it. `explain()`
turns the low-level error (OSError, sqlite3, SQLAlchemy, Alembic) into one.

Before any of that, `no_screen()`: on Linux with no display to open a window on (an SSH
session, a server), Qt would abort the process with a misleading message about a missing
xcb library; the window's start says so plainly instead and exits 1.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path

NO_SCREEN = "No screen found: run Tableside on a desktop, or set QT_QPA_PLATFORM=offscreen."


def no_screen(environ: Mapping[str, str] | None = None, platform: str | None = None) -> str | None:
    """The plain message when the window has nowhere to open, else None. Only Linux and
    the BSDs need a display server named in the environment (X11's DISPLAY or Wayland's
    WAYLAND_DISPLAY); Windows and macOS always have their own. QT_QPA_PLATFORM set means
    someone chose the platform (offscreen, vnc, eglfs...): Qt is left to it."""
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    if plat.startswith(("win", "darwin", "cygwin")):
        return None
    if any(env.get(name, "").strip() for name in ("DISPLAY", "WAYLAND_DISPLAY")):
        return None
    if env.get("QT_QPA_PLATFORM", "").strip():
        return None
    return NO_SCREEN


class StartupError(Exception):
    """The station can't open; `message` and `fix` are for a volunteer or IT."""

    def __init__(self, message: str, fix: str, folder: Path | None = None) -> None:
        self.message = message
        self.fix = fix
        self.folder = folder
        super().__init__(f"{message} {fix}")

    def plain(self) -> str:
        where = f"\n\nFolder: {self.folder}" if self.folder else ""
        return f"{self.message}\n\n{self.fix}{where}"


class DatabaseTooNew(StartupError):
    def __init__(self, path: Path, revision: str) -> None:
        self.revision = revision
        super().__init__(
            f"The database {path.name} was written by a newer version of Tableside "
            f"(schema {revision}); this version does not know it and has not touched it.",
            "Install the newer Tableside again (or ask IT); don't delete the file: "
            "it holds the donations.",
            path.parent,
        )


class DatabaseGone(StartupError):
    """The DB file was deleted or replaced under a running station."""

    def __init__(self, path: Path, rescued: Path | None) -> None:
        self.rescued = rescued
        saved = (
            f" Everything recorded until now was saved to {rescued.name}."
            if rescued is not None
            else ""
        )
        super().__init__(
            f"The database file {path.name} was deleted or replaced while Tableside was "
            f"running (a sync tool or a cleaner?). Tableside has stopped taking gifts so "
            f"none is lost.{saved}",
            "Close Tableside and call IT: put the file back (or the saved copy in its "
            "place) before starting again.",
            path.parent,
        )


DISK_FULL_FIX = "Free some space on this laptop's disk, then start Tableside again."
NOT_WRITABLE_FIX = (
    "Give this user write access to the folder (or set POS_APP_DATA_DIR to a folder that "
    "is writable), then start Tableside again."
)


def disk_full(folder: Path) -> StartupError:
    return StartupError("The laptop's disk is full: Tableside can't save anything.",
                        DISK_FULL_FIX, folder)  # fmt: skip


def not_writable(folder: Path) -> StartupError:
    return StartupError("Tableside can't write in its data folder.", NOT_WRITABLE_FIX, folder)


def unreadable_db(path: Path, detail: str) -> StartupError:
    return StartupError(
        f"The database {path.name} can't be read ({detail}). Tableside has not changed it.",
        "Call IT: restore it from a backup, or move it aside to start an empty one "
        "(keep the old file: it holds the donations).",
        path.parent,
    )


def _root_cause(exc: BaseException) -> BaseException:
    seen = exc
    while True:
        nxt = getattr(seen, "orig", None) or seen.__cause__
        if nxt is None or nxt is seen:
            return seen
        seen = nxt


def explain(exc: BaseException, data_dir: Path, db_file: Path) -> StartupError | None:
    """The plain StartupError for a low-level failure at start, or None if it is a bug."""
    if isinstance(exc, StartupError):
        return exc
    from pos_app.store.disk import no_room  # SQLAlchemy: not before the first window

    cause = _root_cause(exc)
    if isinstance(cause, OSError):
        if cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return disk_full(data_dir)
        if cause.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return not_writable(data_dir)
        return None
    if isinstance(cause, sqlite3.Error):
        text = str(cause).lower()
        if "disk is full" in text or "disk i/o" in text and "full" in text:
            return disk_full(data_dir)
        if "disk i/o" in text and no_room(data_dir):
            # SQLite says only "disk I/O error" when it can't make the WAL's -shm file on a
            # full disk; the free space says which.
            return disk_full(data_dir)
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return not_writable(data_dir)
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return unreadable_db(db_file, str(cause))
    return None
