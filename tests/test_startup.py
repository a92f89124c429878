"""Start-up failures in plain words (pos_app/startup.py), from real failures: a database
that isn't one, a read-only data folder, a database from a newer Tableside, each through
`open_station()`; and `explain()` leaves what it doesn't know (a bug) alone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from support.cli_proc import make_database, stamp_from_the_future
from support.readonly import read_only

from pos_app.api import open_station
from pos_app.startup import DatabaseTooNew, StartupError, explain

pytestmark = pytest.mark.timeout(120)


def test_a_file_that_is_not_a_database_is_unreadable_and_left_alone(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    db = data_dir / "tableside.db"
    db.write_bytes(b"this is a spreadsheet, not a database" * 100)
    before = db.read_bytes()
    with pytest.raises(StartupError) as info:
        open_station(data_dir=data_dir)
    assert "can't be read" in info.value.message and info.value.folder == data_dir
    assert "keep the old file" in info.value.plain() and str(data_dir) in info.value.plain()
    assert db.read_bytes() == before


def test_a_newer_database_is_refused_untouched(tmp_path: Path, data_dir: Path) -> None:
    db = make_database(data_dir)
    stamp_from_the_future(db)
    before = db.read_bytes()
    with pytest.raises(DatabaseTooNew) as info:
        open_station(data_dir=data_dir)
    assert info.value.revision == "f00dfeedbeef_from_2030"
    assert db.read_bytes() == before


def test_a_read_only_folder_is_not_writable(tmp_path: Path, data_dir: Path) -> None:
    make_database(data_dir)
    with read_only(data_dir, tmp_path / "ro-view") as view:
        with pytest.raises(StartupError) as info:
            open_station(data_dir=view)
    assert "can't write in its data folder" in info.value.message
    assert info.value.folder == view


def test_a_bug_is_not_dressed_up_as_a_start_up_problem(tmp_path: Path) -> None:
    assert explain(KeyError("oops"), tmp_path, tmp_path / "tableside.db") is None
    assert explain(sqlite3.OperationalError("no such column: x"), tmp_path, tmp_path) is None
    busy = StartupError("m", "f", tmp_path)
    assert explain(busy, tmp_path, tmp_path) is busy
