"""What `pos-app doctor` reports: one finding per line, with the fix a person can do.

Below the CLI (and Qt-free) so that each processor's own module can contribute its checks
(pos_app/payments/registry.py) without importing the command that prints them.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass

MAX_CLOCK_SKEW_S = 300


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""


def clock_check(server_date: str | None) -> Check:
    """This laptop's clock: sane at all, and near a server's `Date` header when one was
    read (card networks and receipts both carry the laptop's time)."""
    now = dt.datetime.now(dt.UTC)
    if now.year < 2025:
        return Check("clock", "fail", f"this laptop says it is {now:%Y-%m-%d}",
                     "set the date and time (enable automatic time)")  # fmt: skip
    if server_date:
        try:
            server = email.utils.parsedate_to_datetime(server_date)
        except (TypeError, ValueError):
            server = None
        if server is not None:
            if server.tzinfo is None:  # "-0000": UTC with no claim about local time
                server = server.replace(tzinfo=dt.UTC)
            skew = abs((now - server).total_seconds())
            if skew > MAX_CLOCK_SKEW_S:
                return Check("clock", "fail", f"{int(skew)} s off the processor's clock",
                             "enable automatic date and time")  # fmt: skip
            return Check("clock", "ok", f"within {int(skew)} s of the processor's clock")
    return Check("clock", "ok", f"{now.astimezone():%Y-%m-%d %H:%M %Z}")
