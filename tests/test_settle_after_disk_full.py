"""A gift in doubt settles as soon as it can be written, not at the next start.

The data dir is a real, small tmpfs. The processor approves, and the disk fills before the
answer can be recorded: the gift is in doubt (the row still says `charging`). Once space
returns, the running station's settle loop replays the charge with the same key and records
the approval and its receipt, with no restart, and the processor charged once.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.jobwait import wait_for
from support.small_fs import fill  # unbuffered: a short write can't raise again at close

from pos_app.api import Card, Donor, StartupError, open_station
from pos_app.payments.base import ChargeRequest, ChargeResult
from pos_app.payments.simulator import SimulatorProcessor

pytestmark = pytest.mark.timeout(90)
CARD = Card("4242424242424242", 12, 2031, "123")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"can't mount a small tmpfs here ({done.stderr.strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


class FillsTheDiskAfterApproving(SimulatorProcessor):
    """The training processor, but the disk fills the moment its first approval is given."""

    def __init__(self, disk: Path) -> None:
        super().__init__(latency_ms=0)
        self.disk, self.filler = disk, None

    def charge(self, request: ChargeRequest) -> ChargeResult:
        result = super().charge(request)
        if self.filler is None:
            self.filler = fill(self.disk)
        return result


def test_in_doubt_after_a_full_disk_settles_once_space_returns(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = small_disk / "data"
    monkeypatch.setenv("POS_APP_CONFIG", str(small_disk / "none.toml"))
    processor = FillsTheDiskAfterApproving(small_disk)
    with open_station(data_dir=data, processor=processor) as station:
        station.settle_interval = 0.1
        station.start_jobs()
        outcome = station.take_card_donation(5000, Donor("Ada", "ada@example.org"), CARD)
        assert outcome.status == "in_doubt" and "disk" in outcome.message.lower()
        assert processor.filler is not None
        processor.filler.unlink()  # IT frees space; Tableside keeps running

        settled = wait_for(
            lambda: station.outcome(outcome.donation_id).status == "approved",
            why="the gift in doubt to settle without a restart",
        )
        assert settled
        receipt = wait_for(lambda: [j for j in station.jobs(outcome.donation_id)
                                    if j.kind == "receipt" and j.state == "done"],
                           why="its receipt")
        assert receipt
        # Replayed with the same key: one payment at the processor, whatever was asked.
        assert len(processor.charges) == 1


def test_a_start_on_a_full_disk_says_so(small_disk: Path, monkeypatch: pytest.MonkeyPatch):
    """SQLite only says "disk I/O error" when it can't make the WAL's shared-memory file;
    the volunteer must read that the disk is full (a plain StartupError), not a traceback."""
    data = small_disk / "data"
    monkeypatch.setenv("POS_APP_CONFIG", str(small_disk / "none.toml"))
    with open_station(data_dir=data, processor=SimulatorProcessor(latency_ms=0)) as st:
        st.record_donation(1000, Donor("Bo", ""), "cash")
    filler = fill(small_disk)
    with pytest.raises(StartupError) as refused:
        open_station(data_dir=data, processor=SimulatorProcessor(latency_ms=0))
    assert "disk is full" in str(refused.value)
    filler.unlink()
    with open_station(data_dir=data, processor=SimulatorProcessor(latency_ms=0)) as st:
        assert [d.amount_cents for d in st.donations()] == [1000]


def test_retry_on_a_full_disk_says_so(small_disk: Path, monkeypatch: pytest.MonkeyPatch):
    """The volunteer presses Retry on "nothing was charged" while the disk is full: the
    plain disk-full words, never a crash (found by the chaos run); then it works."""
    monkeypatch.setenv("POS_APP_CONFIG", str(small_disk / "none.toml"))
    sim = SimulatorProcessor(latency_ms=0)
    with open_station(data_dir=small_disk / "data", processor=sim) as station:
        sim.network_down = True
        failed = station.take_card_donation(5000, Donor("Ada", "ada@example.org"), CARD)
        assert failed.status == "failed" and failed.can_retry
        sim.network_down = False
        filler = fill(small_disk)
        try:
            again = station.retry_charge(failed.donation_id)
        finally:
            filler.unlink()
        assert again.status == "failed" and "disk is full" in again.message
        assert station.retry_charge(failed.donation_id).status == "approved"
        assert len(sim.charges) == 1
