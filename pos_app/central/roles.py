"""Role names in the central PostgreSQL: one group for stations, one for leads, one login
role per station. Role names are cluster-wide, so each carries the database's name: a
season's events can live side by side on one server, each in its own database, and a
station of one event is nobody in another.
"""

from __future__ import annotations

import re

SCHEMA = "tableside"
CHANNEL = "tableside_event"  # LISTEN/NOTIFY channel the trigger notifies on every change
MAX_ROLE = 63  # PostgreSQL's identifier limit (NAMEDATALEN - 1)


def slug(text: str, limit: int = 24) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return (s or "x")[:limit]


def station_group(dbname: str) -> str:
    return f"ts_{slug(dbname)}_station"


def lead_group(dbname: str) -> str:
    return f"ts_{slug(dbname)}_lead"


def station_role(dbname: str, name: str) -> str:
    return f"ts_{slug(dbname)}_{slug(name, 30)}"[:MAX_ROLE]
