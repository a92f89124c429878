"""What jobs/queue.py takes from SqliteHuey beyond its public API (Huey's table layout, its
task serialisation, the errors a bad file raises). pyproject.toml pins huey below 4 for
these; a Huey upgrade that changes them fails here, not at a table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jobs.queue import JobQueue, QueueDamaged


def nothing(job_id: str) -> None:
    return None


def test_wake_moves_a_scheduled_retry_to_the_queue_keeping_its_task_id(tmp_path: Path) -> None:
    q = JobQueue(tmp_path / "queue.db", nothing)
    try:
        q.schedule("job-1", dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
        task = q.huey.dequeue()  # what the consumer does with a task not due yet
        assert task is not None and task.eta is not None
        q.huey.add_schedule(task)
        (scheduled,) = q.huey.scheduled()
        assert q.huey.pending() == []
        assert q.wake() == 1
        (woken,) = q.huey.pending()
        assert q.huey.scheduled() == []
        assert (woken.id, woken.args, woken.eta) == (scheduled.id, ("job-1",), None)
        assert q.queued_ids() == {"job-1"}
    finally:
        q.close()


def test_a_damaged_queue_file_is_set_aside_or_refused(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    path.write_bytes(b"not a database, " * 100)
    with pytest.raises(QueueDamaged):
        JobQueue(path, nothing, recover=False)
    assert path.read_bytes().startswith(b"not a database")  # a reader never moves it
    q = JobQueue(path, nothing)
    try:
        assert q.set_aside is not None and q.set_aside.read_bytes().startswith(b"not a")
        assert q.queued_ids() == set()
    finally:
        q.close()
