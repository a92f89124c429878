"""The Huey queue: SqliteHuey in the data dir (0600), one task that carries a ledger id.

Only the ledger id ever goes into the queue file, never card data or donor details.
Huey keeps scheduled retries in the same SQLite file, so they survive a restart. `wake()`
moves every scheduled retry to the front at once, keeping its task id.

The queue holds nothing but ledger ids, so it can always be rebuilt from the ledger: a
queue file that isn't a database, fails SQLite's quick check or holds tasks that can't be
read is set aside as `queue.db.damaged-<time>` (kept for IT, with its -wal/-shm) and a new
one is made; the start-up ledger sync then puts every unfinished job back. A station that
only reads beside a running window (`recover=False`) never moves the window's file.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from huey import SqliteHuey
from huey.api import Task
from huey.exceptions import RetryTask
from huey.storage import SqliteStorage

log = logging.getLogger(__name__)

QUEUE_NAME = "tableside"
TASK_NAME = "run_job"


def secure_file(path: Path) -> None:
    """Create the file owner-only before SQLite opens it (its -wal/-shm files follow)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
    else:
        path.touch(exist_ok=True)


class QueueStorage(SqliteStorage):
    """Huey's SQLite storage with synchronous=NORMAL: in WAL mode that survives an app
    crash (SIGKILL); only a power cut can drop the last few enqueues, and the ledger sync
    puts those back. The ledger itself (the truth) keeps synchronous=FULL."""

    def _create_connection(self):  # type: ignore[no-untyped-def]
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn

    def move_schedule_to_queue(self, rewrite: Callable[[bytes], bytes]) -> int:
        """Every scheduled task into the queue, in one transaction (never in neither)."""
        with self.db(commit=True) as curs:
            curs.execute("select id, data from schedule where queue = ?", (self.name,))
            rows = curs.fetchall()
            for row_id, data in rows:
                curs.execute("delete from schedule where id = ?", (row_id,))
                curs.execute(
                    "insert into task (queue, data, priority) values (?, ?, ?)",
                    (self.name, self.to_blob(rewrite(bytes(data))), 0),
                )
            return len(rows)


class QueueDamaged(Exception):
    """The queue file can't be used (and this station may not rebuild it)."""


DAMAGE = (sqlite3.DatabaseError, pickle.UnpicklingError, EOFError, ValueError, TypeError)


class JobQueue:
    def __init__(
        self, path: Path, run: Callable[[str], float | None], *, recover: bool = True
    ) -> None:
        secure_file(path)
        self.path = path
        self.set_aside: Path | None = None  # where a damaged queue file was put, if any
        try:
            self.huey = self._open_checked(run)
        except DAMAGE as exc:
            if not recover:
                raise QueueDamaged(f"{path} can't be read: {exc}") from exc
            self.set_aside = self._set_aside(exc)
            secure_file(path)
            self.huey = self._open_checked(run)

    def _open_checked(self, run: Callable[[str], float | None]) -> SqliteHuey:
        huey = SqliteHuey(
            QUEUE_NAME,
            filename=str(self.path),
            results=False,
            timeout=10,
            storage_class=QueueStorage,
        )
        self.huey = huey
        self._register(run)
        try:
            storage = huey.storage
            assert isinstance(storage, QueueStorage)
            with storage.db() as curs:
                (verdict,) = curs.execute("pragma quick_check").fetchone()
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"quick_check: {verdict}")
            self.queued_ids()  # every task must deserialize
        except BaseException:
            huey.storage.close()
            raise
        return huey

    def _set_aside(self, exc: BaseException) -> Path:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(f"{self.path}{suffix}")
            if src.exists():
                os.replace(src, Path(f"{target}{suffix}"))
        log.error(
            "queue file %s was damaged (%s): set aside as %s; rebuilding it from the ledger",
            self.path,
            exc,
            target.name,
        )
        return target

    def _register(self, run: Callable[[str], float | None]) -> None:
        @self.huey.task(name=TASK_NAME)  # type: ignore[misc]
        def run_job(job_id: str) -> None:
            delay = run(job_id)
            if delay is not None:
                # Huey re-adds this same task (same id) to its schedule, eta now + delay.
                raise RetryTask(delay=delay)

        self._task = run_job

    def enqueue(self, job_ids: Iterable[str]) -> None:
        for job_id in job_ids:
            self._task(job_id)

    def schedule(self, job_id: str, eta: dt.datetime) -> None:
        delay = max(0.0, (eta - dt.datetime.now(dt.UTC)).total_seconds())
        self._task.schedule(args=(job_id,), delay=delay)

    def queued_ids(self) -> set[str]:
        """Ledger ids waiting in the queue or the schedule (not those being run)."""
        tasks: list[Task] = self.huey.pending() + self.huey.scheduled()
        return {t.args[0] for t in tasks if t.args}

    def wake(self) -> int:
        """Run every scheduled retry now (same task id); returns how many there were."""

        def due_now(data: bytes) -> bytes:
            task = self.huey.deserialize_task(data)
            task.eta = None
            return self.huey.serialize_task(task)

        storage = self.huey.storage
        assert isinstance(storage, QueueStorage)
        return storage.move_schedule_to_queue(due_now)

    def close(self) -> None:
        self.huey.storage.close()
