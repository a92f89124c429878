"""Telling a full disk apart from other storage failures, so the volunteer hears which.

SQLite reports a full file system as SQLITE_FULL ("database or disk is full"), but as a
plain "disk I/O error" when it can't grow its shared-memory file: that one counts as full
when the data folder has no room left. Python's own writes raise OSError ENOSPC (or EDQUOT
past a quota). SQLAlchemy wraps the former.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

SQLITE_FULL = 13
SQLITE_IOERR = 10  # what SQLite says when it can't grow its -shm/-wal on a full disk
NO_ROOM_BYTES = 1 << 20
_folders: set[Path] = set()  # the data folders whose free space tells an IOERR apart


def watch(folder: Path) -> None:
    """Remember the data folder, so "disk I/O error" can be checked against its space."""
    _folders.add(folder)


def no_room(folder: Path) -> bool:
    """Less than NO_ROOM_BYTES free where `folder` lives (False when that can't be read)."""
    try:
        return shutil.disk_usage(folder).free < NO_ROOM_BYTES
    except OSError:
        return False


def _no_room() -> bool:
    return any(no_room(folder) for folder in list(_folders))
STORAGE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, sqlite3.Error, OSError)
DISK_FULL = "The laptop's disk is full: free space, nothing was charged."


def disk_full(exc: BaseException) -> bool:
    """True when `exc` (or what it wraps) says the disk or a quota is full."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            if code == SQLITE_FULL or "database or disk is full" in str(current):
                return True
            io = (code or 0) & 0xFF == SQLITE_IOERR or "disk i/o error" in str(current).lower()
            if io and _no_room():
                return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False
