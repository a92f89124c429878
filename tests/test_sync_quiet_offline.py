"""A station that can't reach the centre waits quietly: its arming loop must not wake
itself. (It once did: arming an already-busy sync job was a conditional UPDATE that matched
no row, yet announced a job change, which woke the loop to arm again — 200 transactions a
second and a CPU core for as long as the network was down.) No central server is needed:
the URL points at a port nobody listens on."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import update
from support.jobwait import wait_for
from support.memory_keyring import MemoryKeyring
from support.smtp_server import free_port

from pos_app.api import Donor, Station, open_station
from pos_app.changes import Change
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.secrets import CENTRAL_PASSWORD, SERVICE
from pos_app.store.models import Job


def test_an_update_that_matched_nothing_announces_nothing(station: Station) -> None:
    heard: list[Change] = []
    unsubscribe = station.changes.subscribe(heard.append)
    try:
        with station.db.session() as s:
            s.execute(update(Job).where(Job.id == "no-such-job").values(attempts=1))
        assert heard == []
        gift = station.record_donation(1500, Donor("Ada", "ada@example.org"), "cash")
        assert heard and any(gift.donation_id in c.ids or not c.ids for c in heard)
    finally:
        unsubscribe()


def test_offline_with_gifts_to_share_the_station_stays_quiet(
    tmp_path: Path, ring: MemoryKeyring
) -> None:
    ring.set_password(SERVICE, CENTRAL_PASSWORD, "any")
    config = tmp_path / "station.toml"
    config.write_text(
        '[event]\nname = "Gala"\nstation = "Offline Table"\n'
        f'[central]\nurl = "postgresql://ts_gala_offline@127.0.0.1:{free_port()}/gala"\n'
    )
    with open_station(config, data_dir=tmp_path / "data",
                      processor=SimulatorProcessor(latency_ms=0)) as st:  # fmt: skip
        st.start_jobs()
        st.record_donation(2500, Donor("Grace", ""), "cash")
        wait_for(lambda: st.sync_status().state == "retry_scheduled", why="the sync job waits")
        assert st.sync_status().pending >= 1 and not st.sync_status().online
        before = st.changes.published
        time.sleep(3.0)
        announced = st.changes.published - before
        # the retry's own state changes and the probe's: a handful, never hundreds
        assert announced < 20, f"{announced} change notices in 3 s while offline"
