"""One engine per station: SQLite in WAL mode with a busy timeout, migrated at open.

Each unit of work opens its own short session (`db.session()`); plain data, never ORM
objects, leaves this layer, and no transaction is held while waiting on the network.

Before it touches anything, the file is read read-only: a DB stamped by a newer Tableside
(an Alembic revision this build doesn't know) or one that isn't a database raises a plain
`StartupError` and is left exactly as it was. While the station runs, every unit of work
first checks the file at the path is still the one opened (device and inode): a sync tool or
a cleaner that deleted or replaced it used to make later gifts "recorded" into a deleted
inode that vanished at restart. Then the station stops with `DatabaseGone`, after copying
what the still-open file holds to `tableside.db.rescued-<time>` next to it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Result, create_engine, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

from pos_app.startup import DatabaseGone, DatabaseTooNew, unreadable_db
from pos_app.store import disk

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000


WRITTEN = "tableside_written"  # session.info key: {table: ids} written in this transaction


def _written(session: Session) -> dict[str, set[str]]:
    return session.info.setdefault(WRITTEN, {})


def _note_flushed(session: Session, _context: object) -> None:
    # after_flush: ids are assigned, and new/dirty/deleted still list what was flushed
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table is not None:
            ident = getattr(obj, "id", None)
            rows = _written(session).setdefault(table, set())
            if ident is not None:
                rows.add(str(ident))


def _note_statement(state: ORMExecuteState) -> Result[Any] | None:
    """Bulk INSERT/UPDATE/DELETE statements (the ledger's conditional updates). An UPDATE or
    DELETE that matched no row changed nothing and announces nothing: a conditional update
    that lost its race (arming a job that is already busy) must not wake the screens and
    loops that listen — the sync job's arming loop, woken by its own no-op, once spun at
    200 transactions a second while the centre was offline."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if not name:
        return None
    if state.is_insert:
        _written(state.session).setdefault(name, set())
        return None
    result = state.invoke_statement()
    if getattr(result, "rowcount", -1) != 0:  # -1: the driver can't say, so it may have
        _written(state.session).setdefault(name, set())
    return result


def _forget_written(session: Session) -> None:
    session.info.pop(WRITTEN, None)


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=FULL")  # a committed donation survives power loss
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(None|[\"']([^\"']+)[\"'])", re.M)


def script_revisions() -> tuple[set[str], str] | None:
    """(every revision, the head) read from the migration files' `revision` and
    `down_revision` lines, without importing Alembic (≈ 100 ms and 10 MiB at every start,
    for a check that almost always finds the stamp already at head). None when the files
    don't say it plainly (not one linear chain): then Alembic is asked."""
    revisions: dict[str, str | None] = {}
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        text = script.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN.search(text)
        if rev is None or down is None:
            return None
        revisions[rev.group(1)] = down.group(2)
    heads = set(revisions) - {d for d in revisions.values() if d is not None}
    if len(heads) != 1 or sum(d is None for d in revisions.values()) != 1:
        return None
    return set(revisions), heads.pop()


def known_revisions() -> set[str]:
    scanned = script_revisions()
    if scanned is not None:
        return scanned[0]
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return {r.revision for r in script.walk_revisions()}


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that can't write the file or make any beside it: `mode=ro`, or, where
    that can't open a WAL database (a read-only folder, where SQLite can't make the -shm
    file), `immutable=1`, which is safe there because no one can be writing it either."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        conn.execute("select 1 from sqlite_master limit 1").fetchall()
        return conn
    except sqlite3.OperationalError as exc:
        if "unable to open" not in str(exc) or os.access(path.parent, os.W_OK):
            raise
    return sqlite3.connect(f"file:{path}?immutable=1", uri=True, timeout=10)


def stamped_revision(path: Path) -> str | None:
    """The Alembic revision stamped in the DB, read without writing anything (no WAL
    switch, no -wal file made by us). Raises sqlite3.DatabaseError for a non-database."""
    conn = read_only_connection(path)
    try:
        has = conn.execute(
            "select 1 from sqlite_master where type='table' and name='alembic_version'"
        ).fetchone()
        if not has:
            return None
        row = conn.execute("select version_num from alembic_version").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def build_head() -> str | None:
    """The newest schema this build knows."""
    scanned = script_revisions()
    if scanned is not None:
        return scanned[1]
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def check_openable(path: Path) -> str | None:
    """Raise the plain StartupError if this build must not touch the DB; else its revision."""
    try:
        current = stamped_revision(path)
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise unreadable_db(path, str(exc)) from exc
        raise
    if current is not None and current not in known_revisions():
        raise DatabaseTooNew(path, current)
    return current


class Database:
    def __init__(self, path: Path, *, migrate: bool = True) -> None:
        self.path = path
        disk.watch(path.parent)
        new = not path.exists()
        stamped = None if new else check_openable(path)
        self.engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 10})
        event.listen(self.engine, "connect", _on_connect)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Told after each commit which tables (and which row ids, where known) it wrote:
        # the change feed (pos_app/changes.py). Runs on the committing thread.
        self.on_commit: Callable[[dict[str, set[str]]], None] | None = None
        event.listen(self._sessions, "after_flush", _note_flushed)
        event.listen(self._sessions, "do_orm_execute", _note_statement)
        event.listen(self._sessions, "after_commit", self._committed)
        event.listen(self._sessions, "after_rollback", _forget_written)
        if new and os.name == "posix":
            path.touch(mode=0o600)
        # Alembic is imported and run only when the stamp isn't this build's head (a new DB,
        # an older schema, a migration a crash left undone): on a normal start the stamp
        # read above, against the head read from the migration files, is the whole check.
        if migrate and (new or stamped is None or stamped != build_head()):
            self.upgrade()
        self._identity = _identity(path)
        self._gone: DatabaseGone | None = None
        self._rescue_lock = threading.Lock()
        # Held for the station's life: keeps the opened file (and its WAL) alive if it is
        # unlinked, so what it holds can still be copied out.
        self._sentinel: sqlite3.Connection | None = sqlite3.connect(
            str(path), check_same_thread=False, timeout=10
        )

    def upgrade(self) -> None:
        """Bring the schema to head; installed laptops get upgraded on start.

        Each migration is one SQLite transaction, so a crash or power cut in the middle
        leaves the schema as it was before that migration, never half-built. Alembic runs
        SQLite DDL outside transactions and pysqlite commits DDL statement by statement;
        a kill between two statements used to leave e.g. `donations` without its version
        stamp, and every later start failed with "table donations already exists". So the
        migrations get a connection of their own on which SQLAlchemy, not pysqlite, begins
        the transactions (BEGIN IMMEDIATE); alembic commits after each migration with its
        version stamp. The app's own connections keep pysqlite's usual handling.
        """
        from alembic import command

        engine = create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": 10, "isolation_level": None},
            poolclass=NullPool,
        )
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _begin_immediate)
        try:
            command.upgrade(_alembic_config(engine), "head")
        finally:
            engine.dispose()

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(_alembic_config(self.engine)).get_current_head()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error. Raises DatabaseGone
        (and takes no connection, which would make a new empty file) once the file at the
        path is no longer the one this station opened."""
        self.check_file()
        with self._sessions.begin() as s:
            yield s

    @contextmanager
    def writing(self, *tables: str) -> Iterator[Connection]:
        """A Core transaction without an ORM session, for the writes a donor waits on (a
        new card gift's rows): commits on success, rolls back on error, and after the
        commit tells the change feed it wrote `tables`, as a session's commit would."""
        self.check_file()
        with self.engine.begin() as conn:
            yield conn
        self._tell({table: set() for table in tables})

    def _committed(self, session: Session) -> None:
        self._tell(session.info.pop(WRITTEN, None))

    def _tell(self, written: dict[str, set[str]] | None) -> None:
        if written and self.on_commit is not None:
            try:
                self.on_commit(written)
            except Exception:  # a listener must never undo or fail a committed write
                log.exception("change notice after commit failed")

    def check_file(self) -> None:
        if self._gone is not None:
            raise self._gone
        if _identity(self.path) == self._identity:
            return
        with self._rescue_lock:
            if self._gone is None:
                rescued = self._rescue()
                self._gone = DatabaseGone(self.path, rescued)
                log.critical(
                    "database %s was deleted or replaced while running; rescued copy: %s",
                    self.path,
                    rescued,
                )
        raise self._gone

    def _rescue(self) -> Path | None:
        """Copy what the still-open (maybe unlinked) file holds next to the path."""
        if self._sentinel is None:
            return None
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.rescued-{stamp}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            out = sqlite3.connect(str(target))
            try:
                self._sentinel.backup(out)
            finally:
                out.close()
            if os.name == "posix":
                os.chmod(target, 0o600)
        except (sqlite3.Error, OSError):
            log.exception("could not rescue the deleted database")
            return None
        return target

    def close(self) -> None:
        sentinel, self._sentinel = self._sentinel, None
        if sentinel is not None:
            sentinel.close()
        self.engine.dispose()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino
