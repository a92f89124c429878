"""One engine per station: SQLite in WAL mode with a busy timeout, migrated at open.

Each unit of work opens its own short session (`db.session()`); plain data, never ORM
objects, leaves this layer, and no transaction is held while waiting on the network.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000


def _alembic_config(engine: Engine) -> Config:
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


def schema_status(path: Path) -> tuple[str | None, str | None]:
    """(current, head) revisions of the DB at `path`, read without upgrading it."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        head = ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
        return current, head
    finally:
        engine.dispose()


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        new = not path.exists()
        self.engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 10})
        event.listen(self.engine, "connect", _on_connect)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if new and os.name == "posix":
            path.touch(mode=0o600)
        self.upgrade()

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
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(_alembic_config(self.engine)).get_current_head()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error."""
        with self._sessions.begin() as s:
            yield s

    def close(self) -> None:
        self.engine.dispose()
