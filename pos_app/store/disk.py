"""Telling a full disk apart from other storage failures, so the volunteer hears which.

SQLite reports a full file system as SQLITE_FULL ("database or disk is full"); Python's
own writes raise OSError ENOSPC (or EDQUOT past a quota). SQLAlchemy wraps the former.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import SQLAlchemyError

SQLITE_FULL = 13
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
            if getattr(current, "sqlite_errorcode", None) == SQLITE_FULL:
                return True
            if "database or disk is full" in str(current):
                return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False
