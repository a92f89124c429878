"""An export onto a full disk, on a real small tmpfs: a plain `ExportError` from the facade,
one ✗ line from `pos-app export` (a real process), a plain line on the lead's desk, and
nothing left behind: no half-written file under the target's name, no temp file, no note.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.small_fs import entries, fill, small_tmpfs

from pos_app.api import Donor, ExportError, Station, open_station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.services.export import DONATION_COLUMNS, write_csv
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def usb(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB file system standing in for a small USB stick."""
    with small_tmpfs(tmp_path / "usb") as where:
        yield where


def rows(n: int) -> list[dict[str, str]]:
    return [{c: f"{c} {i} Zoë Łukasz " * 3 for c in DONATION_COLUMNS} for i in range(n)]


def test_a_full_disk_mid_export_leaves_the_last_export_as_it_was(usb: Path) -> None:
    target = usb / "night.csv"
    target.write_text("the export from an hour ago\n", encoding="utf-8")
    fill(usb, leave_bytes=8 * 1024)  # the new export starts, then runs out of room
    with pytest.raises(ExportError) as info:
        write_csv(target, DONATION_COLUMNS, rows(400))
    assert info.value.message.startswith("The disk is full")
    assert str(usb) in info.value.message and "another place" in info.value.message
    assert isinstance(info.value.__cause__, OSError)  # kept for the log, never shown
    assert target.read_text(encoding="utf-8") == "the export from an hour ago\n"
    assert entries(usb) == {"night.csv", "filler"}


def test_a_full_data_folder_leaves_no_temp_file_beside_the_target(
    usb: Path, tmp_path: Path
) -> None:
    """The note of where the temp file is goes to the data folder; when that disk is full
    the temp file (donor names and emails) must not stay behind in the target's folder."""
    out = tmp_path / "exports"
    out.mkdir()
    fill(usb)
    with pytest.raises(ExportError, match="The disk is full"):
        write_csv(out / "night.csv", DONATION_COLUMNS, rows(3), journal_dir=usb)
    assert entries(out) == set()
    assert entries(usb) == {"filler"}


@pytest.fixture
def night(data_dir: Path) -> Path:
    with open_station(data_dir=data_dir, processor=SimulatorProcessor()) as st:
        for i in range(5):
            st.record_donation(1000 + i, Donor(f"Guest {i}", f"g{i}@example.org"), "cash")
    return data_dir


def test_pos_app_export_onto_a_full_disk_says_so_in_one_line(night: Path, usb: Path) -> None:
    fill(usb)
    for extra in ([], ["--jobs"]):
        done = subprocess.run(
            [sys.executable, "-m", "pos_app", "export", str(usb / "night.csv"), *extra],
            capture_output=True, text=True, timeout=60, check=False,
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert lines[-1].startswith("✗ The disk is full: there is no room in"), done.stderr
        assert done.stdout == ""
        assert entries(usb) == {"filler"}


@pytest.fixture
def lead(qtbot, station: Station) -> Iterator[LeadWindow]:
    tasks = TaskRunner()
    w = LeadWindow(station, tasks)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
    tasks.shutdown()


def test_the_desk_says_the_disk_is_full(qtbot, lead: LeadWindow, station: Station,
                                        usb: Path) -> None:
    station.record_donation(2000, Donor("Bob", "bob@example.org"), "cash")
    fill(usb)
    lead.desk.export(path=usb / "night.csv")
    qtbot.waitUntil(lambda: lead.desk.feedback.text().startswith("Not exported."), timeout=20000)
    assert "The disk is full" in lead.desk.feedback.text()
    assert "Errno" not in lead.desk.feedback.text()
    lead.desk.export(jobs=True, path=usb / "jobs.csv")
    qtbot.waitUntil(lambda: "jobs.csv" not in lead.desk.feedback.text(), timeout=20000)
    assert lead.desk.feedback.text().startswith("Not exported. The disk is full")
    assert entries(usb) == {"filler"}
