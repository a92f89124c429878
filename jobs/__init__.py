"""Background work after a gift (keeping a card, emailing a receipt, ...), crash-safe and
retried until it is done or a person has to act.

The job ledger (a table in the app DB, `ledger.py`) is the truth people see; Huey
(SqliteHuey in the data dir, `queue.py`) only carries ledger ids to worker threads.
Kinds of job are not listed here on purpose: each is one file in `kinds/` plus its
registration, and everything else asks `registry.py`.

- `registry.py`     the job kinds: name, labels, retry policy, which gifts make one, body
- `kinds/`          one file per kind, each registering itself
- `context.py`      what every body gets (database, ledger, processor, sender, live settings)
- `errors.py`       `JobPermanent`: a body's "a person has to act"
- `records.py`      job states and the plain records handed to the facade
- `policy.py`       retry policy: exponential backoff, full jitter, cap, Retry-After
- `ledger.py`       ledger rows: created with the gift, claimed, finished, synced
- `ledger_view.py`  reading the ledger for people (records, counts for the status bar)
- `runner.py`       runs one job: claim, body, map the error kind, update the ledger
- `queue.py`        the Huey queue file: ids only, rebuilt from the ledger when damaged
- `consumer.py`     Huey's consumer embedded in the app (threads, no signal handlers)
- `connectivity.py` online/offline from job outcomes and a light probe
- `system.py`       puts them together: start/stop, ledger sync, wake on network back
"""

import sys as _sys


def _load_huey_without_psycopg() -> None:
    """Huey's storage module imports psycopg when it is installed, for a Postgres backend
    Tableside doesn't use (its queue is SqliteHuey); psycopg and libpq are ~190 ms and several
    MiB at every start. So Huey is loaded here, before any job module, with psycopg hidden;
    psycopg itself stays importable for the central store (pos_app/central/), which loads
    it when it connects."""
    if "huey.storage" in _sys.modules or "psycopg" in _sys.modules:
        return
    _sys.modules["psycopg"] = None  # type: ignore[assignment]  # "not installed", to Huey
    try:
        import huey.storage  # noqa: F401
    finally:
        del _sys.modules["psycopg"]


_load_huey_without_psycopg()
