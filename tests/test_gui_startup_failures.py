"""The volunteer's window when the station can't open: a plain dialog naming the folder and
the fix, never a traceback. Real `python -m pos_app` processes, offscreen; the dialog is
recorded (TABLESIDE_RECORD_DIALOGS) instead of waiting for a click. A database stamped by
a newer Tableside, a really read-only data folder (support/readonly.py), and a second window
beside a first one that really holds the station lock."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.cli_proc import REPO, app_env, make_database, pos_app, stamp_from_the_future
from support.readonly import read_only

from pos_app import station_lock

pytestmark = pytest.mark.timeout(150)


def open_window(data_dir: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict]:
    record = tmp_path / "dialogs.jsonl"
    record.unlink(missing_ok=True)
    env = app_env(data_dir, TABLESIDE_RECORD_DIALOGS=str(record))
    done = pos_app(data_dir=data_dir, env=env)
    lines = record.read_text().splitlines() if record.exists() else []
    dialogs = [json.loads(line) for line in lines]
    assert len(dialogs) == 1, (done.returncode, dialogs, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr
    return done, dialogs[0]


def test_a_database_from_a_newer_tableside_gets_a_dialog_and_is_left_alone(tmp_path: Path):
    data = tmp_path / "data"
    db = make_database(data)
    stamp_from_the_future(db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    done, dialog = open_window(data, tmp_path)
    assert done.returncode == 1
    assert dialog["title"] == "Tableside can't start"
    assert "newer version of Tableside" in dialog["text"] and str(data) in dialog["text"]
    assert "Install the newer Tableside" in dialog["text"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("with_database", [True, False], ids=["existing", "empty"])
def test_a_read_only_data_folder_gets_a_dialog(tmp_path: Path, with_database: bool):
    data = tmp_path / "data"
    if with_database:
        make_database(data)
    else:
        data.mkdir()
    with read_only(data, tmp_path / "ro-view") as view:
        done, dialog = open_window(view, tmp_path)
    assert done.returncode == 1
    assert "can't write in its data folder" in dialog["text"], dialog
    assert str(view) in dialog["text"] and "write access" in dialog["text"]


def test_a_second_window_says_tableside_is_already_open(tmp_path: Path):
    data = tmp_path / "data"
    err = (tmp_path / "first.err").open("w")
    first = subprocess.Popen([sys.executable, "-m", "pos_app"], env=app_env(data), cwd=REPO,
                             stdout=subprocess.DEVNULL, stderr=err)  # fmt: skip
    try:
        end = time.monotonic() + 90
        while not (station_lock.is_held(data) and (h := station_lock.read_holder(data))
                   and h.pid == first.pid):  # fmt: skip
            assert first.poll() is None, (tmp_path / "first.err").read_text()
            assert time.monotonic() < end, "the first window never took the station"
            time.sleep(0.1)
        done, dialog = open_window(data, tmp_path)
        assert done.returncode == 1
        assert dialog["title"] == "Tableside is already open"
        assert "already open on this laptop" in dialog["text"]
        assert f"process {first.pid}" in dialog["text"] and "taskbar" in dialog["text"]
        assert first.poll() is None  # the first window is untouched
    finally:
        first.kill()  # the process this test started, by its handle
        first.wait(30)
        err.close()
