"""Waiting for background jobs in tests: poll a condition with a generous deadline.

The deadline only stops a hung test; nothing asserts how long anything took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

DEADLINE_S = 30.0


def wait_for(
    what: Callable[[], T], *, timeout: float = DEADLINE_S, interval: float = 0.02, why: str = ""
) -> T:
    """Call `what` until it returns something truthy; return that. Fails after `timeout`."""
    end = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting{': ' + why if why else ''} (last: {value!r})")
        time.sleep(interval)


def jobs_in(station, *states: str):  # type: ignore[no-untyped-def]
    return [j for j in station.jobs() if j.state in states]


def wait_settled(station, timeout: float = DEADLINE_S):  # type: ignore[no-untyped-def]
    """Wait until no job is queued, running or waiting to retry; return all jobs."""

    def settled():  # type: ignore[no-untyped-def]
        jobs = station.jobs()
        busy = [j for j in jobs if j.state in ("queued", "running", "retry_scheduled")]
        return jobs if jobs and not busy else None

    return wait_for(settled, timeout=timeout, why="jobs to settle")


def wait_state(station, job_id: str, *states: str, timeout: float = DEADLINE_S):  # type: ignore[no-untyped-def]
    def reached():  # type: ignore[no-untyped-def]
        job = station.job(job_id)
        return job if job.state in states else None

    return wait_for(reached, timeout=timeout, why=f"job {job_id} to reach {states}")
