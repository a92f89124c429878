"""Start-up loads only what the first window needs (issue 24): the real `pos-app` window
start, offscreen, in its own process, lists what it has loaded at its first paint; the
schema check reads the head from the migration files and runs Alembic only when the stamp
differs; the background work starts after the first paint, and a gift charged before it is
up is recorded, charged and its jobs run once it is."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from support.cli_proc import REPO, app_env, make_database

from pos_app.store import database
from pos_app.ui import app as ui_app
from pos_app.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(150)

# What the first window must not wait for: migrations' tooling, secrets, the central
# store's driver, receipt rendering, the Stripe adapters' HTTP client.
DEFERRED = ("alembic", "mako", "keyring", "psycopg", "jinja2", "babel.dates")

PROBE = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pos_app.cli import main

shown = QWidget.show
def show(self):
    shown(self)
    if self.isWindow():
        def report():
            print(json.dumps(sorted(sys.modules)), flush=True)
            QApplication.quit()
        QTimer.singleShot(0, report)
QWidget.show = show
sys.exit(main([]))
"""


def modules_at_first_window(data_dir: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE], env=app_env(data_dir), cwd=REPO,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert lines, (done.stdout[-2000:], done.stderr[-2000:])
    return set(json.loads(lines[0]))


def test_the_first_window_does_not_load_what_it_does_not_need(tmp_path: Path):
    data_dir = tmp_path / "data"
    make_database(data_dir)  # an existing station: its stamp is already at head
    loaded = modules_at_first_window(data_dir)
    assert "pos_app.ui.main_window" in loaded  # it did open the window
    early = sorted(m for m in loaded if m.split(".")[0] in DEFERRED or m in DEFERRED)
    assert early == []


def test_the_head_read_from_the_migration_files_is_alembics():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(database.MIGRATIONS))
    scanned = database.script_revisions()
    assert scanned is not None, "the migration files no longer say revision/down_revision plainly"
    revisions, head = scanned
    assert head == script.get_current_head()
    assert revisions == {r.revision for r in script.walk_revisions()}
    assert database.build_head() == head
    assert database.known_revisions() == revisions


def test_an_older_schema_is_still_migrated_at_open(tmp_path: Path):
    from alembic.script import ScriptDirectory

    data_dir = tmp_path / "data"
    db_file = make_database(data_dir)
    script = ScriptDirectory(str(database.MIGRATIONS))
    head = script.get_current_head()
    previous = script.get_revision(head).down_revision
    # What the previous release left: its stamp and its schema. Downgrade for real, so the
    # upgrade at open has the work to do.
    db = database.Database(db_file, migrate=False)
    try:
        from alembic import command

        engine = db.engine
        command.downgrade(database._alembic_config(engine), previous)
    finally:
        db.close()
    assert database.stamped_revision(db_file) == previous
    db = database.Database(db_file)
    try:
        assert database.stamped_revision(db_file) == head
        assert db.current_revision() == head
    finally:
        db.close()


def test_a_database_at_head_opens_without_alembic(tmp_path: Path):
    data_dir = tmp_path / "data"
    db_file = make_database(data_dir)
    code = (
        "import sys; from pathlib import Path; from pos_app.store.database import Database; "
        f"db = Database(Path({str(db_file)!r})); db.close(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    conn = sqlite3.connect(db_file)
    try:
        assert conn.execute("select version_num from alembic_version").fetchall() == [
            (database.build_head(),)
        ]
    finally:
        conn.close()


def test_a_gift_typed_at_once_is_charged_before_the_background_work_is_up(
    qtbot, data_dir: Path
):
    """The real window start (ui.app.run_gui, in this process): the amount is typed and
    the gift charged on the first turn of the event loop, before the station's background
    work has started; it starts right after, and the gift's jobs then run."""
    seen: dict[str, object] = {}

    def drive() -> None:
        [w] = [t for t in QApplication.topLevelWidgets() if isinstance(t, MainWindow)]
        station = w.station
        w.confirm_close = lambda _summary: True
        seen["running_at_first_keystroke"] = station.parts.background.running
        qtbot.keyClicks(w.form.amount, "25")
        seen["amount"] = w.form.amount.text()
        qtbot.keyClicks(w.form.number, "4242424242424242")
        qtbot.keyClicks(w.form.expiry, "12/30")
        qtbot.keyClicks(w.form.cvc, "123")
        qtbot.keyClicks(w.form.postal, "62701")
        qtbot.keyClicks(w.form.name, "Early Donor")
        qtbot.keyClicks(w.form.email, "early@example.org")
        qtbot.mouseClick(w.action, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.result.state == "approved", timeout=15000)
        qtbot.waitUntil(lambda: station.parts.background.running, timeout=15000)
        [gift] = station.donations()
        seen["gift"] = (gift.status, gift.amount_cents)
        qtbot.waitUntil(
            lambda: (jobs := station.jobs(gift.id)) != []
            and all(j.state == "done" for j in jobs),
            timeout=30000,
        )
        seen["jobs"] = sorted({j.kind for j in station.jobs(gift.id)})
        w.close()

    QTimer.singleShot(0, drive)
    assert ui_app.run_gui() == 0
    assert seen["running_at_first_keystroke"] is False
    assert seen["amount"] == "25"
    assert seen["gift"] == ("approved", 2500)
    assert seen["jobs"]  # e.g. the receipt: run by the consumer started after the paint
