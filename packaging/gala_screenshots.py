"""The README's screenshots of the gala on the lead's desk: the paddle raise (levels, the
level in force, pledges charged on cards on file or waiting for checkout) and the pledges
paid by a link (one paid, two out) — at 1024x600, 1366x768 and 1920x1080.

    QT_QPA_PLATFORM=offscreen python3 -m uv run --frozen python packaging/gala_screenshots.py \\
        resources/screenshots

A throwaway data folder, the simulator (training mode) and the stylesheet the app loads;
guests checked in and pledges made through the station facade, one pay link paid by the
simulator's drill. Look at every one after a UI change.
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
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

SIZES = ((1024, 600), (1366, 768), (1920, 1080))
GUESTS = ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson")


def main(out: Path) -> int:
    app = QApplication(sys.argv)
    from support.job_fixtures import event_settings

    from pos_app.api import Card, Donor, Station
    from pos_app.paths import DataPaths
    from pos_app.payments.simulator import SimulatorProcessor
    from pos_app.ui.app import load_stylesheet
    from pos_app.ui.lead_window import LeadWindow
    from pos_app.ui.tasks import TaskRunner

    app.setStyleSheet(load_stylesheet())
    out.mkdir(parents=True, exist_ok=True)

    def until(done: Callable[[], bool], seconds: float = 20.0) -> None:
        end = time.monotonic() + seconds
        while not done() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    sim = SimulatorProcessor(latency_ms=0)
    st = Station(event_settings(), DataPaths.resolve(Path(tempfile.mkdtemp()) / "data"),
                 processor=sim)  # fmt: skip
    st.set_lead_pin("2468")
    st.start_jobs()
    visa = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
    for n, name in enumerate(GUESTS):
        email = f"{name.split()[0].lower()}@example.org"
        st.check_in(Donor(name, email), paddle=110 + n, card=visa if n % 2 == 0 else None)
    raise_id = st.open_paddle_raise("Fund a kitchen", [500000, 100000, 50000, 10000])
    for paddle, cents in ((110, 500000), (111, 100000), (112, 100000), (113, 50000)):
        st.pledge(raise_id, str(paddle), cents)
    for name, cents in (("Radia Perlman", 12500), ("Barbara Liskov", 4000)):
        st.take_pledge(cents, Donor(name, f"{name.split()[0].lower()}@example.org"))
    until(lambda: sum(p.state in ("paid", "link_sent") for p in st.pledges()) == 4)
    sim.links.pay(next(iter(sim.links.sessions)))
    st.check_pay_links()
    tasks = TaskRunner()
    w = LeadWindow(st, tasks)
    w.show()
    w.unlock()
    for key, name in (("raise", "desk-paddle-raise"), ("pledges", "desk-pledges")):
        w.tabs.setCurrentWidget(w.screens[key])
        for width, height in SIZES:
            w.resize(width, height)
            until(lambda: False, 1.0)
            w.grab().save(str(out / f"{name}-{width}x{height}.png"))
    screen = w.open_event_screen()  # the projector while the raise is open
    until(lambda: "pledged by" in screen.raise_total.text())
    for width, height in SIZES:
        screen.showNormal()
        screen.resize(width, height)
        until(lambda: False, 1.0)
        screen.grab().save(str(out / f"event-screen-raise-{width}x{height}.png"))
    w.close_event_screen()
    w.close()
    from pos_app.ui.check_in_window import CheckInWindow

    door = CheckInWindow(st, tasks)
    door.show()
    door.search.setText("lov")
    door.find("lov")
    until(lambda: door.matches.count() >= 1)
    door.name.setText("Rosa Parra")
    door.email.setText("rosa@example.org")
    door.language.setCurrentIndex(door.language.findData("es"))  # receipts in Spanish
    door.card.number.setText("4242 4242 4242 4242")
    door.card.expiry.setText("12/30")
    door.card.cvc.setText("123")
    door.check_in()
    until(lambda: "on file" in door.answer.text())
    until(lambda: False, 0.5)
    door.grab().save(str(out / "check-in.png"))
    # the card on the (training) reader: waiting for the guest's tap, with Cancel
    door.next_guest()
    door.name.setText("Barbara Liskov")
    door.email.setText("barbara@example.org")
    door.from_reader()
    until(lambda: sim.reader.reader_action(1).status == "in_progress")
    until(lambda: False, 0.5)
    door.grab().save(str(out / "check-in-reader.png"))
    door.cancel_reader()
    until(lambda: door.check_btn.isEnabled())
    door.close()
    tasks.shutdown()
    st.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots")))
