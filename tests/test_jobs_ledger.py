"""The job ledger and the transactional outbox, through the facade (jobs not started).

The gift and its jobs commit in one transaction; only ledger ids go to the Huey queue.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.job_fixtures import StationFactory, make_station  # noqa: F401
from support.jobwait import wait_settled

from pos_app.api import Card, Donor, GiftOptions, InvalidDonation

CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
DECLINED = Card("4000000000000002", 12, dt.date.today().year + 2, "123")


def kinds(station, donation_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(j.kind for j in station.jobs(donation_id))


def test_which_gifts_get_which_jobs(make_station: StationFactory) -> None:  # noqa: F811
    st = make_station()
    yes = GiftOptions(save_card=True)  # the donor agreed to keep the card
    card = st.take_card_donation(5000, Donor("Ada Lovelace", "ada@example.org"), CARD, yes)
    card_no_email = st.take_card_donation(2500, Donor("Anon", ""), CARD, yes)
    not_asked = st.take_card_donation(3000, Donor("Ed", "ed@example.org"), CARD)
    declined = st.take_card_donation(2500, Donor("Bo", "bo@example.org"), DECLINED)
    cash = st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    check = st.record_donation(9000, Donor("Di", "di@example.org"), "check", check_number="1042")
    cash_no_email = st.record_donation(500, Donor("", ""), "cash")

    assert card.status == "approved" and declined.status == "declined"
    assert kinds(st, card.donation_id) == ["receipt", "save_card"]
    assert kinds(st, card_no_email.donation_id) == ["save_card"]
    assert kinds(st, not_asked.donation_id) == ["receipt"]  # saving a card is opt-in
    assert kinds(st, declined.donation_id) == []
    assert kinds(st, cash.donation_id) == ["receipt"]
    assert kinds(st, check.donation_id) == ["receipt"]
    assert kinds(st, cash_no_email.donation_id) == []
    jobs = st.jobs()
    assert all(j.state == "queued" and j.attempts == 0 and j.last_error is None for j in jobs)
    summary = st.job_summary()
    assert (summary.pending, summary.needs_attention) == (len(jobs), 0)


def test_receipt_numbers_are_sequential_unique_and_never_change(
    make_station: StationFactory,  # noqa: F811
) -> None:
    st = make_station()
    ids = [
        st.record_donation(1000 + i, Donor(f"D{i}", f"d{i}@example.org"), "cash").donation_id
        for i in range(3)
    ]
    numbers = [st.jobs(d)[0].receipt_number for d in ids]
    # Prefixed from the station's stable id (a UUID made at first start), not its name.
    prefix = st.station_id.replace("-", "").upper()[:6]
    assert numbers == [f"{prefix}-00001", f"{prefix}-00002", f"{prefix}-00003"]
    st.start_jobs()
    wait_settled(st)
    st.update_donor_email(ids[1], "d1.corrected@example.org")  # resend: same number
    assert wait_settled(st) and st.jobs(ids[1])[0].receipt_number == f"{prefix}-00002"
    st.update_event("Renamed Gala", 0, "Table 9")  # a new display name renumbers nothing
    later = st.record_donation(700, Donor("E", "e@example.org"), "cash")
    assert st.jobs(later.donation_id)[0].receipt_number == f"{prefix}-00004"


def test_the_gift_and_its_jobs_commit_together(
    make_station: StationFactory, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    st = make_station()

    def broken(session, donation, *, new=False):  # type: ignore[no-untyped-def]
        st.jobs_system.on_recorded(session, donation, new=new)
        raise RuntimeError("disk full while writing the ledger")

    monkeypatch.setattr(st.donations_service, "on_recorded", broken)
    with pytest.raises(RuntimeError):
        st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    assert st.donations() == [] and st.jobs() == []


def test_the_queue_holds_only_ledger_ids(make_station: StationFactory, data_dir: Path) -> None:  # noqa: F811
    st = make_station()
    o = st.take_card_donation(5000, Donor("Ada Lovelace", "ada@example.org"), CARD)
    assert st.jobs_system.flush_handoff()  # handed to Huey after the donor saw the answer
    tasks = st.jobs_system.queue.huey.pending()
    assert sorted(t.args[0] for t in tasks) == sorted(j.id for j in st.jobs(o.donation_id))
    assert all(len(t.args) == 1 and not t.kwargs for t in tasks)
    raw = (data_dir / "queue.db").read_bytes()
    assert b"ada@example.org" not in raw and b"Lovelace" not in raw
    if os.name == "posix":
        assert stat.S_IMODE((data_dir / "queue.db").stat().st_mode) == 0o600
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_jobs_committed_but_never_enqueued_are_found_at_start(
    make_station: StationFactory, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    st = make_station()

    def lost(ids):  # type: ignore[no-untyped-def]
        raise OSError("queue file locked")  # a crash between commit and enqueue, in effect

    monkeypatch.setattr(st.jobs_system.queue, "enqueue", lost)
    o = st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    assert st.jobs_system.flush_handoff()
    assert st.jobs_system.queue.huey.pending() == []
    monkeypatch.undo()
    st.start_jobs()
    (job,) = wait_settled(st)
    assert job.donation_id == o.donation_id and job.state == "done" and job.attempts == 1


def test_update_donor_email_checks_the_address_and_adds_a_missing_receipt(
    make_station: StationFactory,  # noqa: F811
) -> None:
    st = make_station()
    o = st.record_donation(2000, Donor("Cy", ""), "cash")
    assert st.jobs(o.donation_id) == []
    with pytest.raises(InvalidDonation) as err:
        st.update_donor_email(o.donation_id, "cy@example")
    assert "email" in err.value.errors
    (job,) = st.update_donor_email(o.donation_id, "cy@example.org")
    assert job.kind == "receipt" and job.state == "queued" and job.receipt_number
    assert st.donation(o.donation_id).donor_email == "cy@example.org"


def test_discard_and_retry(make_station: StationFactory) -> None:  # noqa: F811
    st = make_station()
    o = st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    (job,) = st.jobs(o.donation_id)
    why = "Donor asked for no email."
    discarded = st.discard_job(job.id, why)
    assert discarded.state == "discarded" and discarded.discard_reason == why
    assert st.job_summary().pending == 0
    st.start_jobs()
    assert st.retry_job(job.id).state in ("queued", "running", "done")
    (done,) = wait_settled(st)
    assert done.state == "done" and done.discard_reason is None


def test_migration_0002_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from pos_app.store.database import Database, _alembic_config

    db = Database(tmp_path / "m.db")
    try:
        assert db.current_revision() == db.head_revision()  # 0002 or a later migration
        assert {"jobs", "donor_tokens", "counters"} <= set(inspect(db.engine).get_table_names())
        command.downgrade(_alembic_config(db.engine), "0001")
        assert db.current_revision() == "0001"
        assert "jobs" not in inspect(db.engine).get_table_names()
        db.upgrade()
        assert db.current_revision() == db.head_revision()
    finally:
        db.close()


def test_job_records_keep_the_design_contract(make_station: StationFactory) -> None:  # noqa: F811
    st = make_station()
    o = st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    (job,) = st.jobs()
    for name in ("id", "kind", "donation_id", "state", "attempts", "last_error"):
        assert hasattr(job, name)
    assert (job.kind, job.donation_id, job.state, job.attempts) == (
        "receipt", o.donation_id, "queued", 0,
    )
    assert job.delivery == "at least once" and job.created_at is not None
    assert job.created_at.tzinfo is not None and st.job(job.id) == job
