"""`pos-app jobs`: the background-job ledger for IT, and retrying from a shell.

    pos-app jobs              a table: id, kind, state, attempts, next attempt, donor, error
    pos-app jobs --json       every job, all fields, for scripts
    pos-app jobs retry ID     queue one job again now (ID: the full id or a unique prefix)
    pos-app jobs retry --all  queue again every job that needs attention or waits to retry

Exit codes: 0 ok, 1 not found or nothing could be done, 2 bad usage or config. The job
consumer is not started: a retried job runs at Tableside's next start. Listing works beside
an open window; `retry` refuses while the window is open (retry from its lead desk).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TextIO

from jobs.records import JobRecord, JobState
from pos_app.api import Station
from pos_app.settings import Settings

from .station import open_command_station

# what --all picks up; not discarded
RETRYABLE = (JobState.NEEDS_ATTENTION, JobState.RETRY_SCHEDULED)
SHORT_ID = 8
COLUMNS = ("ID", "KIND", "STATE", "TRIES", "NEXT", "DONOR", "LAST ERROR")
WIDTH = {"DONOR": 24, "LAST ERROR": 60}


def run_jobs(
    settings: Settings,
    *,
    action: str | None,
    job_id: str | None,
    retry_all: bool,
    as_json: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    with open_command_station(settings, writes=action is not None) as station:
        if action is None:
            return _list(station, as_json, out)
        if retry_all == bool(job_id):
            print("Give one job ID or --all (not both).", file=err)
            return 2
        if retry_all:
            return _retry_all(station, out)
        return _retry_one(station, job_id or "", out, err)


def _list(station: Station, as_json: bool, out: TextIO) -> int:
    jobs = station.jobs()
    if as_json:
        json.dump([_plain(j) for j in jobs], out, indent=2, default=_iso)
        out.write("\n")
        return 0
    if not jobs:
        print("No jobs.", file=out)
        return 0
    now = dt.datetime.now(dt.UTC)
    rows = [
        (
            j.id[:SHORT_ID],
            j.kind_label,
            j.state_label,
            str(j.attempts),
            _next(j, now),
            _cut(j.donor_name or j.donor_email, WIDTH["DONOR"]),
            _cut("" if j.state == JobState.DONE else (j.last_error or ""), WIDTH["LAST ERROR"]),
        )
        for j in jobs
    ]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    for line in (COLUMNS, *rows):
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip(), file=out)
    summary = station.job_summary()
    print(
        f"{len(jobs)} jobs: {summary.pending} not finished, "
        f"{summary.needs_attention} need attention.",
        file=out,
    )
    return 0


def _retry_one(station: Station, wanted: str, out: TextIO, err: TextIO) -> int:
    matches = [j for j in station.jobs() if j.id.startswith(wanted.strip().lower())]
    if not wanted.strip() or not matches:
        print(f"No job with id {wanted!r}. `pos-app jobs` lists them.", file=err)
        return 1
    if len(matches) > 1:
        print(f"{wanted!r} matches {len(matches)} jobs; give more of the id.", file=err)
        return 1
    (job,) = matches
    if job.state == JobState.DONE:
        print(f"Job {job.id[:SHORT_ID]} is already done; nothing to retry.", file=err)
        return 1
    if job.state == JobState.RUNNING:
        print(f"Job {job.id[:SHORT_ID]} is running right now.", file=err)
        return 1
    after = station.retry_job(job.id)
    what = f"Job {job.id[:SHORT_ID]} ({job.kind_label})"
    print(f"{what} queued again: {after.state_label}. {_where()}", file=out)
    return 0


def _retry_all(station: Station, out: TextIO) -> int:
    jobs = [j for j in station.jobs() if j.state in RETRYABLE]
    for j in jobs:
        station.retry_job(j.id)
    if not jobs:
        print("Nothing to retry: no job needs attention or waits to retry.", file=out)
    else:
        print(f"Queued {len(jobs)} job{'s' if len(jobs) != 1 else ''} again. {_where()}", file=out)
    return 0


def _where() -> str:
    return "It runs when Tableside next starts."


def _next(job: JobRecord, now: dt.datetime) -> str:
    if job.state != JobState.RETRY_SCHEDULED or job.next_attempt_at is None:
        return ""
    seconds = int((job.next_attempt_at - now).total_seconds())
    if seconds <= 0:
        return "now"
    return f"in {seconds} s" if seconds < 120 else f"in {seconds // 60} min"


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _plain(job: JobRecord) -> dict[str, object]:
    return {**dataclasses.asdict(job), "delivery": job.delivery}


def _iso(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)
