"""Background jobs after a gift: save the card, send the receipt.

The job ledger (a table in the app DB, `ledger.py`) is the truth people see; Huey
(SqliteHuey in the data dir, `queue.py`) only carries ledger ids to worker threads.

- `records.py`      kinds, states and the plain records handed to the facade
- `policy.py`       retry policy: exponential backoff, full jitter, cap, Retry-After
- `ledger.py`       ledger rows: created with the gift, claimed, finished, synced
- `ledger_view.py`  reading the ledger for people (records, counts for the status bar)
- `handlers.py`     the two job bodies (save card, receipt)
- `runner.py`       runs one job: claim, body, map the error kind, update the ledger
- `consumer.py`     Huey's consumer embedded in the app (threads, no signal handlers)
- `connectivity.py` online/offline from job outcomes and a light probe
- `system.py`       puts them together: start/stop, ledger sync, wake on network back
"""
