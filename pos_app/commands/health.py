"""`pos-app health [--json]`: the station's health in one line, for IT's monitoring.

    OK · backlog 0 · oldest waiting - · needs attention 0 · online
    WARNING · backlog 3 · oldest waiting 17 min · needs attention 0 · online: Oldest ...

The grading is the window's own alert rules (pos_app/services/alerts.py) against the
`[alerts]` limits. Exit codes follow the monitoring plug-in convention, so it drops into
what IT already runs (Nagios, Icinga, a cron mail): 0 ok, 1 warning, 2 critical, 3 unknown
(a config or data folder the station can't be opened with, said in one line on stderr).
It reads beside an open window (no lock taken, nothing migrated); "online" is what the
jobs found of the network (none waiting to retry after a network failure).
"""

from __future__ import annotations

import json
from typing import TextIO

from pos_app.services.alerts import Health

UNKNOWN = 3


def run_health(config: str | None, *, as_json: bool, out: TextIO, err: TextIO) -> int:
    from pos_app.settings import ConfigError, load_settings
    from pos_app.startup import StartupError

    from .station import open_command_station

    try:
        settings = load_settings(config)
        with open_command_station(settings) as station:
            health = station.health()
    except ConfigError as exc:
        print(f"UNKNOWN · {exc}", file=err)
        return UNKNOWN
    except StartupError as exc:
        print(f"UNKNOWN · {exc.message} {exc.fix}", file=err)
        return UNKNOWN
    if as_json:
        json.dump(as_plain(health), out, indent=2)
        out.write("\n")
    else:
        print(health.line(), file=out)
    return health.exit_code


def as_plain(health: Health) -> dict[str, object]:
    return {
        "level": health.level,
        "exit_code": health.exit_code,
        "backlog": health.backlog,
        "oldest_waiting_minutes": health.oldest_waiting_minutes,
        "needs_attention": health.needs_attention,
        "online": health.online,
        "sync": {
            "enabled": health.sync_enabled,
            "lag_seconds": health.sync_lag_seconds,
            "pending": health.sync_pending,
        },
        "alerts": [
            {"key": a.key, "level": a.level, "audience": a.audience, "message": a.message}
            for a in health.alerts
        ],
    }
