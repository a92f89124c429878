"""A crash while the schema is being built or upgraded must not leave a DB the app can't open.

A station process opens its database (migrating it: the first start, or an upgrade of a
laptop that already holds the night's donations) and stops after its k-th DDL statement;
this process SIGKILLs it there and opens the database again. It must open, reach the head
revision with the same schema as a fresh one, and keep every donation it held.

Alembic runs SQLite DDL outside transactions and pysqlite commits DDL as it goes, so before
the fix a kill between two statements left e.g. the `donations` table without its version
stamp, and every later start failed with "table donations already exists".
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app.store.database import Database, _alembic_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
    pytest.mark.timeout(120),
]

ROOT = Path(__file__).resolve().parents[1]

# Opens a Database at argv[1], announcing each DDL operation; blocks after the argv[2]-th.
MIGRATE = r"""
import sys, time
sys.path.insert(0, sys.argv[3])
from alembic.operations import Operations
stop_at, seen = int(sys.argv[2]), [0]
def announce(name):
    original = getattr(Operations, name)
    def op(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        seen[0] += 1
        print(f"DDL {seen[0]} {name} {args[0] if args else ''}", flush=True)
        if seen[0] == stop_at:
            while True:
                time.sleep(60)
        return result
    setattr(Operations, name, op)
for name in ("create_table", "create_index", "add_column", "drop_table", "drop_index",
             "alter_column", "drop_column", "execute"):
    announce(name)
from pathlib import Path
from pos_app.store.database import Database
Database(Path(sys.argv[1])).close()
print("OPENED", flush=True)
"""


def migrate(db: Path, stop_at: int) -> list[str]:
    """Run the migration in a process; SIGKILL it after DDL number `stop_at` (0: never)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", MIGRATE, str(db), str(stop_at), str(ROOT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if stop_at and line.startswith(f"DDL {stop_at} "):
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if not stop_at:
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return lines


def schema(db: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute("select name, sql from sqlite_master where sql is not null"))
    finally:
        con.close()


@pytest.fixture(scope="module")
def ddl_steps(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every DDL operation of a first start, and the schema it builds."""
    db = tmp_path_factory.mktemp("fresh") / "tableside.db"
    steps = [line for line in migrate(db, 0) if line.startswith("DDL ")]
    assert steps, "the migrations announced no DDL"
    return steps


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    db = tmp_path_factory.mktemp("reference") / "tableside.db"
    Database(db).close()
    return schema(db)


def kill_points(steps: list[str]) -> list[int]:
    n = len(steps)
    return sorted({1, 2, n // 2, n - 1} - {0})


def test_killed_during_the_first_start_the_next_start_builds_the_schema(
    tmp_path: Path, ddl_steps: list[str], fresh_schema: list[tuple[str, str]]
) -> None:
    for k in kill_points(ddl_steps):
        db = tmp_path / f"k{k}" / "tableside.db"
        db.parent.mkdir()
        migrate(db, k)
        reopened = Database(db)  # raised OperationalError "table ... already exists"
        try:
            assert reopened.current_revision() == reopened.head_revision(), ddl_steps[k - 1]
        finally:
            reopened.close()
        assert schema(db) == fresh_schema, f"killed after {ddl_steps[k - 1]}"


def db_from_the_first_release(db: Path) -> None:
    """A laptop upgraded from the first release: schema 0001 and a donation in it."""
    from alembic import command
    from sqlalchemy import create_engine

    db.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{db}")
    command.upgrade(_alembic_config(engine), "0001")
    engine.dispose()
    con = sqlite3.connect(db)
    con.execute(
        "insert into donations (id, amount_cents, currency, method, state, donor_name,"
        " donor_email, station, charge_attempts, created_at, updated_at) values"
        " ('d1', 5000, 'usd', 'cash', 'recorded', 'Ada', '', 'Table 3', 0,"
        " '2030-01-01 00:00:00', '2030-01-01 00:00:00')"
    )
    con.commit()
    con.close()


def test_killed_while_upgrading_a_db_with_donations_keeps_them(
    tmp_path: Path, fresh_schema: list[tuple[str, str]]
) -> None:
    scratch = tmp_path / "scratch" / "tableside.db"
    db_from_the_first_release(scratch)
    steps = [line for line in migrate(scratch, 0) if line.startswith("DDL ")]
    assert steps, "nothing to upgrade from 0001"
    for k in kill_points(steps):
        db = tmp_path / f"u{k}" / "tableside.db"
        db_from_the_first_release(db)
        migrate(db, k)
        reopened = Database(db)
        try:
            assert reopened.current_revision() == reopened.head_revision(), steps[k - 1]
        finally:
            reopened.close()
        assert schema(db) == fresh_schema, f"killed after {steps[k - 1]}"
        con = sqlite3.connect(db)
        assert con.execute("select id, amount_cents from donations").fetchall() == [("d1", 5000)]
        con.close()
