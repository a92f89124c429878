"""Start-up failures in plain words (pos_app/startup.py), from real failures: a database
that isn't one, a read-only data folder, a database from a newer Tableside, each through
`open_station()`; `explain()` leaves what it doesn't know (a bug) alone; and the window
started with no screen (a real `python -m pos_app` process) says so in one line."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from support.cli_proc import app_env, make_database, pos_app, stamp_from_the_future
from support.readonly import read_only

from pos_app.api import open_station
from pos_app.startup import NO_SCREEN, DatabaseTooNew, StartupError, explain, no_screen

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


def _no_screen_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The app's environment on a laptop reached over SSH: no display, no Qt platform."""
    env = app_env(data_dir, **extra)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    env.update(extra)
    return env


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a display server is Linux's")
def test_no_screen_is_one_plain_line_not_a_qt_abort(data_dir: Path) -> None:
    """The README's start command with no display: one line saying what to do, exit 1, no
    traceback and no Qt abort (which blamed a missing xcb library), nothing made."""
    done = pos_app(data_dir=data_dir, env=_no_screen_env(data_dir), timeout=60)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == f"✗ {NO_SCREEN}"
    assert "No screen found: run Tableside on a desktop, or set QT_QPA_PLATFORM" in NO_SCREEN
    assert "Traceback" not in done.stderr and "xcb" not in done.stderr
    assert done.stdout == ""
    assert not data_dir.exists()  # nothing opened: no database, no lock


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a display server is Linux's")
def test_an_empty_display_is_no_screen_either(data_dir: Path) -> None:
    done = pos_app(data_dir=data_dir, env=_no_screen_env(data_dir, DISPLAY=""), timeout=60)
    assert done.returncode == 1 and "No screen found" in done.stderr


def test_a_chosen_platform_or_a_display_is_left_to_qt() -> None:
    assert no_screen({}, "linux") == NO_SCREEN
    assert no_screen({"DISPLAY": " "}, "linux") == NO_SCREEN
    assert no_screen({"DISPLAY": ":0"}, "linux") is None
    assert no_screen({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert no_screen({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert no_screen({}, "freebsd14") == NO_SCREEN
    assert no_screen({}, "win32") is None and no_screen({}, "darwin") is None
