"""Column types shared by the tables.

`UTCDateTime` exists because SQLite has no time zones: SQLAlchemy's `DateTime` writes an aware
value's wall-clock digits and drops its offset, and hands every value back naive. Left alone,
every reader had to remember that the digits mean UTC (five copies of the same helper did),
and a writer with a local time stored the wrong instant. This type converts on the way in and
labels on the way out, so the app only ever sees aware UTC datetimes.

Naive input is refused (ValueError), not guessed at: a naive value may be local or UTC, and
storing the wrong one moves a gift by hours without any error. Comparisons in queries
(`Job.updated_at >= since`) bind through the same type, so they follow the same rule; so do
`func.min`/`func.max` of a column, which SQLAlchemy types like their argument.

The storage is unchanged from plain `DateTime(timezone=True)` (same DDL, same text format),
so no migration is needed and old rows read back as they were written: in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, stored as UTC, aware UTC datetimes out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"UTCDateTime takes a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: say its time zone (dt.UTC or local)")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # SQLite: stored in UTC, read back naive
        return value.astimezone(dt.UTC)
