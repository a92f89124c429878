"""A paddle raise shared with the central store: the pledges' gifts (waiting, paid,
declined, undone) and their charge jobs reach the centre as they are at the station, and
the event's totals there count only what was paid."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.gala import DECLINES_AT_CHARGE, VISA, wait_pledges_settled
from support.jobwait import wait_for
from support.memory_keyring import MemoryKeyring
from support.pg_server import PgServer
from support.sync_station import all_shared, central, sharing_station

from jobs.kinds.pledge_charge import NAME as PLEDGE_CHARGE
from pos_app.api import Donor

pytestmark = pytest.mark.timeout(120)


def test_pledges_and_their_gifts_are_shared(
    tmp_path: Path, pg: PgServer, ring: MemoryKeyring
) -> None:
    with sharing_station(tmp_path, pg, ring, "Gala Table 9") as st:
        ada = st.check_in(Donor("Ada", "ada@example.org"), card=VISA).paddle
        bob = st.check_in(Donor("Bob", "bob@example.org"), card=DECLINES_AT_CHARGE).paddle
        fay = st.check_in(Donor("Fay", "fay@example.org")).paddle
        raise_id = st.open_paddle_raise("Fund a kitchen", [100000, 10000])
        undone = st.pledge(raise_id, fay, 10000)
        st.undo_pledge(undone.id)
        for paddle in (ada, bob, fay):
            st.pledge(raise_id, paddle, 100000)
        st.start_jobs()
        wait_pledges_settled(st, raise_id)
        wait_for(lambda: all_shared(st), why="everything shared")
        sid = st.parts.station_id
        mine = {d.id: d.status for d in st.donations()}
        assert sorted(mine.values()) == ["approved", "declined", "pledged", "voided"]
        rows = dict(central(pg, "SELECT id::text, state FROM tableside.donations "
                            "WHERE station_id = %s", sid))
        assert rows == mine
        jobs = central(pg, "SELECT kind, state FROM tableside.jobs WHERE station_id = %s "
                       "AND kind = %s", sid, PLEDGE_CHARGE)
        assert sorted(jobs) == sorted((j.kind, j.state) for j in st.jobs()
                                      if j.kind == PLEDGE_CHARGE)
        assert sorted(state for _, state in jobs) == ["done", "needs_attention"]
        health = central(pg, "SELECT gifts, raised_cents FROM tableside.station_health "
                         "WHERE id = %s", sid)
        assert health == [(1, 100000)] and st.totals().raised_cents == 100000
