"""Pushed changes and live settings, through pytest-qt with the real station and queue.

The screens' fallback timers are set to an hour here, so whatever reaches a screen was
pushed by a change notice (pos_app/changes.py -> ui/live.py), not polled. How long each
push took is measured and printed for the record, never asserted (the machine may be busy).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from support.jobwait import wait_settled
from test_gui_lead_desk import set_pin

from pos_app.api import Donor, Station
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.live import Refresher
from pos_app.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(60)
HOUR_MS = 3_600_000


def no_polling(*refreshers: Refresher) -> None:
    for r in refreshers:
        r.timer.setInterval(HOUR_MS)
        r.timer.start()


def in_background(fn: Callable[[], object]) -> None:
    """A write from another thread, as the job consumer or a worker makes it."""
    t = threading.Thread(target=fn)
    t.start()
    t.join()


@pytest.fixture
def windows(qtbot, station: Station) -> Iterator[tuple[MainWindow, LeadWindow]]:
    main = MainWindow(station)
    main.confirm_close = lambda _summary: True
    qtbot.addWidget(main)
    main.show()
    main.open_lead_desk()
    lead = main.lead_window
    assert lead is not None
    set_pin(qtbot, lead)
    no_polling(main.status, lead.jobs.refresher, lead.desk.refresher)
    qtbot.waitUntil(lambda: lead.desk.loads >= 1 and lead.jobs.loads >= 1)
    yield main, lead
    main.close()


def pushed_within(qtbot, what: Callable[[], bool], label: str) -> float:
    started = time.monotonic()
    qtbot.waitUntil(what, timeout=10_000)
    elapsed_ms = (time.monotonic() - started) * 1000
    print(f"\n{label}: on screen {elapsed_ms:.0f} ms after the write")
    return elapsed_ms


def test_a_gift_and_its_jobs_reach_every_screen_without_polling(
    qtbot, windows: tuple[MainWindow, LeadWindow], station: Station
) -> None:
    main, lead = windows
    desk, jobs = lead.desk, lead.jobs
    desk_pushes, jobs_pushes = desk.refresher.pushed, jobs.refresher.pushed

    in_background(lambda: station.record_donation(4200, Donor("Ada", "ada@example.org"), "cash"))
    pushed_within(qtbot, lambda: "$42.00" in desk.raised.text(), "desk total")
    pushed_within(qtbot, lambda: desk.model.rowCount() == 1, "desk donations list")
    pushed_within(qtbot, lambda: "$42.00" in main.totals_label.text(), "status bar total")
    pushed_within(qtbot, lambda: len(jobs.model.records()) == 1, "jobs panel row")
    assert desk.refresher.pushed > desk_pushes and jobs.refresher.pushed > jobs_pushes

    # The job runs on the consumer's threads; its state change is pushed too.
    station.start_jobs()
    wait_settled(station)
    pushed_within(
        qtbot,
        lambda: [r.state for r in jobs.model.records()] == ["done"],
        "job done in the panel",
    )
    pushed_within(qtbot, lambda: main.jobs_label.text() == "All jobs done", "status bar jobs")


def test_a_burst_of_writes_is_one_read_at_a_time(
    qtbot, windows: tuple[MainWindow, LeadWindow], station: Station
) -> None:
    _main, lead = windows
    desk = lead.desk
    before = desk.loads

    def burst() -> None:
        for i in range(30):
            station.record_donation(100 + i, Donor(f"D{i}", ""), "cash")

    in_background(burst)
    qtbot.waitUntil(lambda: desk.model.rowCount() == 30, timeout=10_000)
    qtbot.waitUntil(lambda: not desk.refresher.loading)
    assert desk.loads - before < 30  # notices merge; a read never overlaps another


@pytest.mark.parametrize("jobs_running", [True, False], ids=["jobs-running", "jobs-stopped"])
def test_renaming_at_the_desk_reaches_the_next_receipt_not_the_last(
    qtbot,
    windows: tuple[MainWindow, LeadWindow],
    station: Station,
    data_dir: Path,
    jobs_running: bool,
) -> None:
    main, lead = windows
    if jobs_running:
        station.start_jobs()
    before = station.record_donation(2500, Donor("Before", "before@example.org"), "cash")

    lead.tabs.setCurrentWidget(lead.settings_tab)
    tab = lead.settings_tab
    tab.event_name.clear()
    qtbot.keyClicks(tab.event_name, "Renamed Gala")
    tab.goal.setValue(5000)
    tab.station_name.clear()
    qtbot.keyClicks(tab.station_name, "Table 9")
    qtbot.mouseClick(tab.save_event_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.event_feedback.text().startswith("Saved"))

    # Titles and the goal follow at once, with no gift in between.
    pushed_within(qtbot, lambda: "Renamed Gala" in lead.windowTitle(), "lead window title")
    pushed_within(
        qtbot, lambda: main.windowTitle() == "Tableside — Renamed Gala — Table 9", "main title"
    )
    pushed_within(qtbot, lambda: "of $5,000.00" in lead.desk.raised.text(), "desk goal")

    after = station.record_donation(3000, Donor("After", "after@example.org"), "cash")
    if not jobs_running:
        station.start_jobs()
    wait_settled(station)

    receipts = {}
    for path in (data_dir / "outbox").glob("receipt-*.eml"):
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        receipts[str(msg["To"])] = (msg, msg.get_body(("plain",)).get_content())
    old_msg, old_text = receipts[next(k for k in receipts if "before@" in k)]
    new_msg, new_text = receipts[next(k for k in receipts if "after@" in k)]
    assert "Renamed Gala" not in old_text and "Training Event" in old_text
    assert "Renamed Gala" in new_text
    # Numbered from the station's stable id: the new display name renumbers nothing.
    numbers = [station.jobs(g.donation_id)[0].receipt_number for g in (before, after)]
    prefix = station.station_id.replace("-", "").upper()[:6]
    assert numbers == [f"{prefix}-00001", f"{prefix}-00002"]
    assert all(n in m["Subject"] for n, m in zip(numbers, (old_msg, new_msg), strict=True))
    assert station.donation(after.donation_id).station == "Table 9"
    assert station.donation(before.donation_id).station != "Table 9"
