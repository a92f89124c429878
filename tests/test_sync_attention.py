"""Sharing that needs a person, and a station with no central store at all.

A refused login is permanent: the standing sync job waits in needs-attention with the fix
in plain words (nothing is retried in a loop, nothing is lost); once the password is put
right, `sync_now()` shares everything. Without `[central] url` no sync job exists and the
station works exactly as before."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from support.jobwait import wait_for, wait_settled
from support.memory_keyring import MemoryKeyring
from support.pg_server import PgServer
from support.sync_station import all_shared, central, sharing_station

from jobs.kinds.sync import standing_job
from pos_app.api import CentralError, Donor, Station
from pos_app.central import admin
from pos_app.secrets import CENTRAL_PASSWORD, SERVICE


def test_a_refused_login_waits_for_a_person_then_shares_everything(
    tmp_path: Path, pg: PgServer, ring: MemoryKeyring
) -> None:
    with sharing_station(tmp_path, pg, ring, "Attention Table") as st:
        right = ring.get_password(SERVICE, CENTRAL_PASSWORD)
        ring.set_password(SERVICE, CENTRAL_PASSWORD, "not-the-password")
        st.start_jobs()
        gift = st.record_donation(1500, Donor("Ada", "ada@example.org"), "cash").donation_id
        stuck = wait_for(lambda: (s := st.sync_status()).state == "needs_attention" and s,
                         why="the sync job to need attention")
        assert stuck.pending >= 1
        assert stuck.last_error and "refused this station's login" in stuck.last_error
        assert "central_password" in stuck.last_error  # the fix, in words
        assert st.job_summary().needs_attention >= 1  # the status bar and alerts see it
        with pytest.raises(CentralError, match="central_password"):
            st.event_totals()  # refused, not offline: said, never shown as last known
        job = standing_job(st.db)
        assert job is not None and job.error_kind == "permanent"
        assert central(pg, "SELECT count(*) FROM tableside.donations WHERE id = %s",
                       gift) == [(0,)]

        ring.set_password(SERVICE, CENTRAL_PASSWORD, right or "")
        st.sync_now()
        wait_for(lambda: all_shared(st), why="shared once the password is right")
        assert st.sync_status().last_error is None
        assert central(pg, "SELECT amount_cents FROM tableside.donations WHERE id = %s",
                       gift) == [(1500,)]


def test_without_a_central_store_nothing_changes(station: Station) -> None:
    station.start_jobs()
    station.record_donation(2500, Donor("Grace", "grace@example.org"), "cash")
    wait_settled(station)
    status = station.sync_now()
    assert (status.enabled, status.pending, status.state) == (False, 0, None)
    assert standing_job(station.db) is None
    assert station.event_totals() is None
    assert station.sync_status().last_error is None


def test_a_long_number_in_free_text_never_stops_the_outbox(
    tmp_path: Path, pg: PgServer, ring: MemoryKeyring
) -> None:
    """The centre refuses 13+ digits in a row in any text (no card data); a lead's reason
    with a bank reference must not poison the station's sharing: it is cut short here."""
    with sharing_station(tmp_path, pg, ring, "Long Numbers") as st:
        st.start_jobs()
        gift = st.record_donation(900, Donor("Ada", ""), "cash").donation_id or ""
        reason = "Paid by bank transfer instead, ref 98765432109876543"
        assert st.refund(gift, reason).status == "voided"
        wait_for(lambda: all_shared(st), why="shared")
        rows = central(pg, "SELECT state, reason FROM tableside.refunds WHERE donation_id = %s",
                       gift)
        assert len(rows) == 1 and rows[0][0] == "voided"
        assert "ref" in rows[0][1] and "98765432109876543" not in rows[0][1]


def test_a_leads_email_fix_from_another_station_is_applied_and_resent(
    tmp_path: Path, pg: PgServer, ring: MemoryKeyring
) -> None:
    with sharing_station(tmp_path, pg, ring, "Fix Table",
                         extra="[jobs]\nsync_interval = 0.5\n") as st:
        st.start_jobs()
        gift = st.record_donation(
            3000, Donor("Ada", "ada@old.example.org"), "cash").donation_id or ""
        wait_for(lambda: all_shared(st), why="the gift shared")
        lead = admin.add_station(pg.admin_url, "Fix Lead", lead=True)
        with psycopg.connect(pg.url(lead.role, lead.password), autocommit=True) as c:
            c.execute("SELECT tableside.hello(%s, 'Lead desk', 0, 0)", (str(uuid.uuid4()),))
            c.execute("INSERT INTO tableside.corrections (donation_id, field, value) "
                      "VALUES (%s, 'donor_email', 'ada@new.example.org')", (gift,))
        st.sync_now()  # else the next heartbeat picks it up

        def fixed() -> bool:
            receipt = [j for j in st.jobs() if j.kind == "receipt"]
            return (st.donation(gift).donor_email == "ada@new.example.org"
                    and len(receipt) == 1 and receipt[0].state == "done"
                    and receipt[0].attempts == 2 and all_shared(st))  # sent again

        wait_for(fixed, why="the fix applied, the receipt sent again, all shared")
        assert central(pg, "SELECT donor_email FROM tableside.donations WHERE id = %s",
                       gift) == [("ada@new.example.org",)]
        assert central(pg, "SELECT count(*) FROM tableside.corrections "
                       "WHERE donation_id = %s AND applied_at IS NOT NULL", gift) == [(1,)]
