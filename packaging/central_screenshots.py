"""The README's screenshots of many tables, one event: the lead desk's event-wide line (each
table's share and health), the "Every table" tab with a bounced receipt at another table,
and the event screen with the whole event's total — at 1024x600, 1366x768 and 1920x1080.

    QT_QPA_PLATFORM=offscreen python3 -m uv run --frozen python \\
        packaging/central_screenshots.py resources/screenshots

Needs PostgreSQL's server binaries (`bash packaging/bootstrap.sh --tests`): a throwaway
server from the test suite's support code, three stations in this one process (two tables
and the lead's desk; one keyring here, so their roles share a password), a local SMTP
server that bounces one address. One table is then made to look silent (its last-heard
time moved back at the centre: a screenshot-only edit). Look at every one after a UI change.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

SIZES = ((1024, 600), (1366, 768), (1920, 1080))
GIFTS = {  # table -> (donor, cents, method)
    "Table 2": [("Ada Lovelace", 50000, "cash"), ("Grace Hopper", 25000, "check"),
                ("Bo Bounce", 10000, "cash")],
    "Table 3": [("Katherine Johnson", 100000, "cash"), ("Alan Turing", 7500, "cash")],
    "Lead Desk": [("Margaret Hamilton", 15000, "cash")],
}  # fmt: skip


def main(out: Path) -> int:
    app = QApplication(sys.argv)
    import psycopg
    from psycopg import sql
    from support.job_fixtures import FROM
    from support.memory_keyring import memory_keyring
    from support.pg_server import find_bindir, pg_server
    from support.smtp_server import SmtpServer

    from pos_app.api import Donor, open_station
    from pos_app.central import admin
    from pos_app.payments.simulator import SimulatorProcessor
    from pos_app.secrets import CENTRAL_PASSWORD, SERVICE, SMTP_PASSWORD
    from pos_app.ui.app import load_stylesheet
    from pos_app.ui.lead_window import LeadWindow
    from pos_app.ui.tasks import TaskRunner

    bindir = find_bindir()
    if bindir is None:
        print("skipped: no PostgreSQL server binaries (bash packaging/bootstrap.sh --tests)")
        return 0
    app.setStyleSheet(load_stylesheet())
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())

    def until(done: Callable[[], bool], seconds: float = 60.0) -> None:
        end = time.monotonic() + seconds
        while not done() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    def pump(seconds: float = 0.5) -> None:
        until(lambda: False, seconds)

    smtp = SmtpServer(tmp / "tls")
    try:
        with pg_server(bindir) as pg, memory_keyring() as ring:
            admin.init(pg.admin_url)
            ring.set_password(SERVICE, SMTP_PASSWORD, smtp.password)
            ring.set_password(SERVICE, CENTRAL_PASSWORD, "screenshot-pass")
            receipts = (
                f'[receipts]\nprovider = "smtp"\nsender = "{FROM}"\nhost = "127.0.0.1"\n'
                f'port = {smtp.port}\nusername = "{smtp.username}"\ntimeout = 5.0\n'
                f'ca_file = "{smtp.cert_file}"\n'
            )
            stations = {}
            roles = {}
            for name in GIFTS:
                new = admin.add_station(pg.admin_url, name, lead=name == "Lead Desk")
                roles[name] = new.role
                with psycopg.connect(pg.admin_url, autocommit=True) as c:
                    c.execute(sql.SQL("ALTER ROLE {} PASSWORD 'screenshot-pass'").format(
                        sql.Identifier(new.role)))
                config = tmp / f"{new.role}.toml"
                config.write_text(
                    f'[event]\nname = "Riverside Spring Gala"\nstation = "{name}"\ngoal = 10000\n'
                    f'[central]\nurl = "postgresql://{new.role}@127.0.0.1:{pg.port}/'
                    f'{pg.dbname}"\n{receipts}'
                )
                st = open_station(config, data_dir=tmp / new.role,
                                  processor=SimulatorProcessor(latency_ms=0))  # fmt: skip
                st.start_jobs()
                for donor, cents, method in GIFTS[name]:
                    email = f"{donor.split()[-1].lower()}@example.org"  # Bounce bounces
                    number = "1042" if method == "check" else ""
                    st.record_donation(cents, Donor(donor, email), method, number)
                stations[name] = st
            lead = stations["Lead Desk"]
            until(lambda: all(s.sync_status().pending == 0 for s in stations.values()))
            until(lambda: (a := lead.attention_everywhere()) is not None and bool(a.jobs))
            with psycopg.connect(pg.admin_url, autocommit=True) as c:
                c.execute("UPDATE tableside.stations SET last_heard = now() - interval "
                          "'7 minutes' WHERE role = %s", (roles["Table 3"],))
            stations["Table 3"].stop_jobs()  # it stays silent

            lead.set_lead_pin("2468")
            tasks = TaskRunner()
            w = LeadWindow(lead, tasks)
            w.show()
            w.unlock()
            until(lambda: w.desk.loads >= 1 and w.desk.dashboard.event.isVisible())
            pump(2.0)
            for width, height in SIZES:
                w.resize(width, height)
                pump()
                w.grab().save(str(out / f"desk-event-line-{width}x{height}.png"))
            tables = w.screens["tables"]
            w.tabs.setCurrentWidget(tables)
            until(lambda: tables.table.rowCount() >= 1)
            tables.table.selectRow(0)
            for width, height in SIZES:
                w.resize(width, height)
                pump()
                w.grab().save(str(out / f"desk-every-table-{width}x{height}.png"))
            screen = w.open_event_screen()
            until(lambda: screen.as_of.text() == "Every table, live")
            for width, height in SIZES:
                screen.showNormal()
                screen.resize(width, height)
                pump()
                screen.grab().save(str(out / f"event-screen-central-{width}x{height}.png"))
            w.close_event_screen()
            w.close()
            tasks.shutdown()
            for st in stations.values():
                st.close()
    finally:
        smtp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots")))
