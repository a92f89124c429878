# ruff: noqa: F811  (pytest fixtures imported from support modules)
"""`pos-app doctor` where it used to crash or mislead: a processor `Date` header in the
`-0000` form, output into a pipe the reader closed, training mode called ready, a database
from a newer Tableside and a read-only data folder. Through the real CLI (in a process of
its own where the behaviour is about processes), real loopback servers and real files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.cli_proc import REPO, app_env, make_database, pos_app, stamp_from_the_future
from support.memory_keyring import memory_keyring
from support.readonly import read_only

from pos_app.cli import main
from pos_app.secrets import SERVICE, STRIPE_SECRET_KEY

pytestmark = pytest.mark.timeout(120)
ISSUE_DATE = "Sun, 06 Dec 2026 16:00:00 -0000"


class StripeWithDate(ThreadingHTTPServer):
    """Answers Stripe's list-customers read, with the `Date` header it is told to send."""

    def __init__(self) -> None:
        self.date = ""
        self.log: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler) -> None:  # noqa: N805
                body = b'{"object": "list", "data": [], "has_more": false, "url": "/v1/customers"}'
                handler.send_response_only(200)
                handler.send_header("Date", self.date)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)

            def log_message(handler, fmt: str, *args: object) -> None:  # noqa: N805
                self.log.append(fmt % args)

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def stripe_dated() -> Iterator[StripeWithDate]:
    server = StripeWithDate()
    yield server
    server.shutdown()
    server.server_close()


def stripe_config(tmp_path: Path, url: str) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[event]\nname = "Spring Gala"\nstation = "Table 3"\n'
                   f'[payments]\nprovider = "stripe"\napi_base = "{url}"\n')  # fmt: skip
    return cfg


def test_a_minus_zero_zone_date_header_is_read_as_utc(
    capsys, tmp_path, data_dir, stripe_dated: StripeWithDate
) -> None:
    cfg = stripe_config(tmp_path, stripe_dated.url)
    now = dt.datetime.now(dt.UTC)
    with memory_keyring() as ring:
        ring.set_password(SERVICE, STRIPE_SECRET_KEY, "sk_test_doctor_dates")
        stripe_dated.date = now.strftime("%a, %d %b %Y %H:%M:%S -0000")
        code = main(["--config", str(cfg), "doctor"])
        out = capsys.readouterr()
        assert code == 0, (out, stripe_dated.log)
        out = out.out
        assert "✓ clock: within" in out and "Ready for the event." in out
        assert main(["--config", str(cfg), "doctor", "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["ok"] is True
        assert next(c for c in report["checks"] if c["name"] == "clock")["status"] == "ok"
        stripe_dated.date = ISSUE_DATE  # the issue's header, hours from this laptop's clock
        code = main(["--config", str(cfg), "doctor"])
        out = capsys.readouterr().out
        off = abs((now - dt.datetime(2026, 12, 6, 16, tzinfo=dt.UTC)).total_seconds())
        assert ("✗ clock:" in out and code == 1) if off > 300 else "✓ clock:" in out
        assert main(["--config", str(cfg), "doctor", "--json"]) == code
        assert json.loads(capsys.readouterr().out)["exit"] == code


def test_training_mode_is_not_called_ready_for_the_event(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = pos_app("doctor", data_dir=data)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "TRAINING MODE" in done.stdout.splitlines()[-1]
    assert "Ready for the event." not in done.stdout
    done = pos_app("doctor", "--json", data_dir=data)
    report = json.loads(done.stdout)
    assert done.returncode == 3 and report["exit"] == 3
    assert report["training"] is True and report["ok"] is False


def test_json_into_a_pipe_nobody_reads_ends_quietly(tmp_path: Path) -> None:
    """The reader is gone before doctor writes (the read end closed first): every write
    meets EPIPE, so this is the `| head -1` case made certain."""
    r, w = os.pipe()
    os.close(r)
    try:
        done = subprocess.run([sys.executable, "-m", "pos_app", "doctor", "--json"],
                              env=app_env(tmp_path / "data"), cwd=REPO, stdout=w,
                              stderr=subprocess.PIPE, text=True, timeout=90)  # fmt: skip
    finally:
        os.close(w)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode == 1


def test_json_read_one_line_then_closed_ends_quietly(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "pos_app", "doctor", "--json"],
                            env=app_env(tmp_path / "data"), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().strip() == "{"
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(90)
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.suffix == ".db"}  # fmt: skip


def test_a_database_from_a_newer_tableside_is_a_failed_line_and_untouched(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    stamp_from_the_future(make_database(data))
    before = digest(data)
    for args in (("doctor",), ("doctor", "--json")):
        done = pos_app(*args, data_dir=data)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr, done.stderr
        # Not migrated, not written. (SQLite's read-only open of a WAL database may make
        # the empty -wal and -shm index files beside it; they hold no data.)
        assert digest(data) == before
    assert "✗ database: The database tableside.db was written by a newer version" in (
        pos_app("doctor", data_dir=data).stdout
    )


def test_a_read_only_data_folder_is_a_failed_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    make_database(data)
    with read_only(data, tmp_path / "ro-view") as view:
        for args in (("doctor",), ("doctor", "--json")):
            done = pos_app(*args, data_dir=view)
            assert done.returncode == 1, done.stdout + done.stderr
            assert "Traceback" not in done.stderr, done.stderr
        out = pos_app("doctor", data_dir=view).stdout
        assert f"✗ data dir: {view} is not writable" in out, out
