"""`pos-app export PATH [--jobs]`: the night's donations (or the job ledger) as CSV.

The same files as the desk's Export buttons (columns in pos_app/services/export.py).
Exit codes: 0 written, 1 the file couldn't be written (one plain line: a full disk, a
folder that can't be written; nothing left behind), 2 bad config.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from pos_app.services.export import ExportError
from pos_app.settings import Settings

from .station import open_command_station


def run_export(settings: Settings, path: str, *, jobs: bool, out: TextIO, err: TextIO) -> int:
    target = Path(path).expanduser()
    with open_command_station(settings) as station:
        try:
            if jobs:
                n = station.export_jobs_csv(target)
            else:
                n = station.export_donations_csv(target)
        except ExportError as exc:
            print(f"✗ {exc.message}", file=err)
            return 1
    what = "job" if jobs else "donation"
    print(f"✓ Wrote {n} {what}{'s' if n != 1 else ''} to {target}", file=out)
    return 0
