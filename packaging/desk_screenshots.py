"""The README's screenshots of the lead desk: each tab empty and busy at 1366x768, the
overview (busy) at 1024x600 and 1920x1080.

    QT_QPA_PLATFORM=offscreen python3 -m uv run --frozen python packaging/desk_screenshots.py \\
        resources/screenshots

A throwaway data folder with the stylesheet the app loads. Gifts and jobs go in through the
station facade; receipts go to a local SMTP server from the test suite's support code
(tests/support) that bounces one address and is stopped for the last gifts, so the jobs tab
shows sent, retrying and needs-attention jobs. The gifts' times are then spread over the
evening (a screenshot-only edit of the throwaway database) so the chart has a time axis.
Look at every one after a UI change.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from PySide6.QtWidgets import QApplication  # noqa: E402

NAMES = ("Ada Lovelace", "Grace Hopper", "Katherine Johnson", "Margaret Hamilton",
         "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth",
         "Frances Allen", "John Backus", "Radia Perlman", "Ken Thompson")  # fmt: skip
# (tab, state, sizes)
SHOTS = (
    ("overview", "empty", ((1366, 768),)),
    ("jobs", "empty", ((1366, 768),)),
    ("settings", "", ((1366, 768),)),
    ("overview", "busy", ((1024, 600), (1366, 768), (1920, 1080))),
    ("jobs", "busy", ((1366, 768),)),
)
TABS = {"overview": "desk", "jobs": "jobs", "settings": "settings"}


def main(out: Path) -> int:
    app = QApplication(sys.argv)
    from sqlalchemy import update
    from support.job_fixtures import FROM, event_settings
    from support.memory_keyring import memory_keyring
    from support.smtp_server import SmtpServer

    from pos_app.api import Card, Donor, Station
    from pos_app.paths import DataPaths
    from pos_app.payments.simulator import SimulatorProcessor
    from pos_app.secrets import SERVICE, SMTP_PASSWORD
    from pos_app.settings import Receipts
    from pos_app.store.models import Donation
    from pos_app.ui.app import load_stylesheet
    from pos_app.ui.lead_window import LeadWindow
    from pos_app.ui.tasks import TaskRunner

    app.setStyleSheet(load_stylesheet())
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    card = Card("4242424242424242", 12, dt.date.today().year + 2, "123")

    def until(done: Callable[[], bool], seconds: float = 30.0) -> None:
        end = time.monotonic() + seconds
        while not done() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    def pump(seconds: float = 0.5) -> None:
        until(lambda: False, seconds)

    def shoot(w: LeadWindow, state: str) -> None:
        for tab, shot_state, sizes in SHOTS:
            if shot_state not in (state, ""):
                continue
            if shot_state == "" and state != "empty":
                continue
            w.tabs.setCurrentWidget(w.screens[TABS[tab]])
            for width, height in sizes:
                w.resize(width, height)
                pump()
                name = "-".join(p for p in ("desk", tab, shot_state, f"{width}x{height}") if p)
                w.grab().save(str(out / f"{name}.png"))

    server = SmtpServer(tmp / "tls")
    try:
        with memory_keyring() as ring:
            ring.set_password(SERVICE, SMTP_PASSWORD, server.password)
            receipts = Receipts(provider="smtp", sender=FROM, host="127.0.0.1",
                                port=server.port, username=server.username, timeout=5.0,
                                ca_file=str(server.cert_file))  # fmt: skip
            st = Station(event_settings(receipts=receipts), DataPaths.resolve(tmp / "data"),
                         processor=SimulatorProcessor(latency_ms=0))  # fmt: skip
            st.set_lead_pin("2468")
            tasks = TaskRunner()
            w = LeadWindow(st, tasks)
            w.show()
            w.unlock()
            until(lambda: w.desk.loads >= 1 and w.jobs.loads >= 1)
            shoot(w, "empty")

            st.start_jobs()
            for i, name in enumerate(NAMES):
                donor = Donor(name, f"{name.split()[0].lower()}@example.org")
                amount = (5000, 2500, 10000, 25000, 1500, 7500)[i % 6]
                if i % 3 == 0:
                    st.record_donation(amount, donor, "cash")
                else:
                    st.take_card_donation(amount, donor, card)
            st.record_donation(4000, Donor("Bo Bounce", "bounce@example.org"), "check", "1042")
            until(lambda: st.job_summary().pending == st.job_summary().needs_attention == 1)
            server.down()
            for name in ("Late Arrival", "Walk In"):
                st.record_donation(3000, Donor(name, f"{name.split()[0].lower()}@example.org"),
                                   "cash")  # fmt: skip
            until(lambda: st.job_summary().retrying == 2)
            now = dt.datetime.now(dt.UTC)
            with st.db.session() as s:
                ids = [d.id for d in s.query(Donation).order_by(Donation.created_at)]
                for k, donation_id in enumerate(ids):
                    when = now - dt.timedelta(minutes=180 - k * 12)
                    s.execute(update(Donation).where(Donation.id == donation_id)
                              .values(created_at=when))  # fmt: skip
                s.commit()
            w.desk.refresh()
            w.jobs.refresh()
            pump(2.0)
            w.desk.table.selectRow(2)
            w.jobs.table.selectRow(0)
            shoot(w, "busy")
            st.stop_jobs()
            w.close()
            tasks.shutdown()
            st.close()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots")))
