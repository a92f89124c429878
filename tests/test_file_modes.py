"""Every file the station writes is readable by its owner only, whatever the umask: the SQLite
DB and its -wal/-shm, Huey's queue file and its -wal/-shm, the outbox .eml files, the log and
every rotated log (0600); its folders are owner-only (0700).
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.jobwait import wait_settled

from pos_app.api import Card, Donor, open_station
from pos_app.logs import setup_logging
from pos_app.payments.simulator import SimulatorProcessor

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual desktop umask: new files 0644 unless made private
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def clean_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers_before, level_before = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers_before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level_before)


def not_owner_only(root: Path) -> list[str]:
    loose = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            loose.append(f"{path.relative_to(root)} {oct(mode)}")
    return loose


def test_rotated_logs_are_owner_only(
    tmp_path: Path, loose_umask: None, clean_root_logger: None
) -> None:
    path = setup_logging(tmp_path / "logs")
    handler = next(h for h in logging.getLogger().handlers
                   if isinstance(h, logging.handlers.RotatingFileHandler)
                   and h.baseFilename == str(path))
    handler.maxBytes = 2000
    for i in range(300):
        logging.getLogger("pos_app.tests.safety").warning("line %d %s", i, "x" * 60)
    names = sorted(p.name for p in path.parent.iterdir())
    assert f"{path.name}.5" in names  # it really rotated, all the way
    # The files; the folder is made private by the station (DataPaths.ensure), checked below.
    assert [p for p in not_owner_only(path.parent) if p.split()[0] != "."] == []


def test_a_log_file_left_readable_by_an_older_version_is_made_private(
    tmp_path: Path, loose_umask: None, clean_root_logger: None
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    (logs / "tableside.log").write_text("old\n")
    os.chmod(logs / "tableside.log", 0o644)
    setup_logging(logs)
    logging.getLogger("pos_app.tests.safety").warning("written by the new version")
    assert not_owner_only(logs) == []


def test_every_station_file_is_owner_only(
    data_dir: Path, loose_umask: None, clean_root_logger: None
) -> None:
    with open_station(data_dir=data_dir, processor=SimulatorProcessor(latency_ms=0)) as station:
        station.start_jobs()
        for i in range(5):
            card = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
            station.take_card_donation(2500 + i, Donor(f"Donor {i}", f"d{i}@example.org"), card)
        station.record_donation(1000, Donor("Cash", "cash@example.org"), "cash")
        wait_settled(station)
        handler = next(h for h in logging.getLogger().handlers
                       if isinstance(h, logging.handlers.RotatingFileHandler)
                       and h.baseFilename == str(station.log_file))
        handler.doRollover()
        logging.getLogger("pos_app.tests.safety").warning("after the rollover")
        kinds = {p.name for p in data_dir.rglob("*")}
        # While the station is open: the WAL files exist and must be private too.
        assert {"tableside.db-wal", "queue.db-wal", "tableside.log.1"} <= kinds, kinds
        assert any(name.endswith(".eml") for name in kinds), kinds
        assert not_owner_only(data_dir) == []
    assert not_owner_only(data_dir) == []
