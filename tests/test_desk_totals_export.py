"""The event desk's numbers and files: totals after refunds and voids, gifts over time,
and CSV exports that read back (csv.DictReader) to the same donations."""

from __future__ import annotations

import csv
import datetime as dt
import time
from pathlib import Path

import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from sqlalchemy import update

from pos_app.api import Card, Donor, Station
from pos_app.domain.gift import GiftOptions
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.services.export import DONATION_COLUMNS, JOB_COLUMNS, safe_text
from pos_app.store.models import Donation, Job

EXP_YEAR = dt.date.today().year + 3


def card(number: str = "4242424242424242") -> Card:
    return Card(number, 12, EXP_YEAR, "123")


def card_gift(station: Station, cents: int, donor: Donor | None = None) -> str:
    o = station.take_card_donation(cents, donor or Donor("Ada", "ada@example.org"), card())
    assert o.status == "approved" and o.donation_id
    return o.donation_id


def test_totals_after_refund_and_void(station: Station, simulator: SimulatorProcessor) -> None:
    refunded = card_gift(station, 5000)
    card_gift(station, 2500)
    cash = station.record_donation(2000, Donor("Bo", ""), "cash").donation_id
    station.record_donation(3000, Donor("Cy", ""), "check", "77")
    before = station.totals()
    assert (before.raised_cents, before.gifts) == (12500, 4)

    station.refund(refunded, "Donor asked")
    assert cash
    station.refund(cash, "Entered by mistake")
    t = station.totals()
    assert t.raised_cents == 5500  # 2500 card + 3000 check
    assert t.gifts == 2 and t.average_cents == 2750
    assert t.by_method == {"card": 2500, "check": 3000}
    assert (t.refunded_cents, t.refunds) == (5000, 1)
    assert (t.voided_cents, t.voided) == (2000, 1)
    assert t.refunds_in_doubt == 0


def test_a_refund_in_doubt_is_not_subtracted_yet(
    station: Station, simulator: SimulatorProcessor
) -> None:
    donation_id = card_gift(station, 4000)
    simulator.lose_next_response = True
    assert station.refund(donation_id, "Donor asked").status == "in_doubt"
    t = station.totals()
    assert (t.raised_cents, t.refunded_cents, t.refunds_in_doubt) == (4000, 0, 1)
    station.settle_refunds()
    t = station.totals()
    assert (t.raised_cents, t.refunded_cents, t.refunds_in_doubt) == (0, 4000, 0)


def set_created(station: Station, donation_id: str, when: dt.datetime) -> None:
    with station.db.session() as s:
        s.execute(update(Donation).where(Donation.id == donation_id).values(created_at=when))


def test_gifts_over_time_in_local_buckets(station: Station) -> None:
    start = dt.datetime.now().astimezone().replace(hour=19, minute=0, second=0, microsecond=0)
    gifts = [(19, 2, 1000), (19, 14, 500), (19, 50, 2000), (20, 1, 700)]
    ids = []
    for hour, minute, cents in gifts:
        o = station.record_donation(cents, Donor("G", ""), "cash")
        assert o.donation_id
        set_created(station, o.donation_id, start.replace(hour=hour, minute=minute))
        ids.append(o.donation_id)
    station.refund(ids[-1], "mistake")  # voided gifts are left out

    series = station.gifts_over_time()
    assert [(t.strftime("%H:%M"), c) for t, c in series] == [
        ("19:00", 1500), ("19:15", 0), ("19:30", 0), ("19:45", 2000),
    ]
    assert all(t.tzinfo is not None for t, _ in series)
    assert series[0][0] == start
    hourly = station.gifts_over_time(bucket_minutes=60)
    assert [(t.strftime("%H:%M"), c) for t, c in hourly] == [("19:00", 3500)]
    with pytest.raises(ValueError):
        station.gifts_over_time(0)


def test_gifts_over_time_empty(station: Station) -> None:
    assert station.gifts_over_time() == []


TRICKY_DONORS = [
    Donor("=HYPERLINK(\"http://evil.example\",\"x\")", "eq@example.org"),
    Donor("+1 555 0100", ""),
    Donor("-2+3", "minus@example.org"),
    Donor("@SUM(A1:A9)", ""),
    Donor('Zoë "Zed" O\'Brien, Jr.', "zoe@example.org"),
    Donor("Ünïcødé 名前 😀", ""),  # a line break is refused at the field (a header split)
    Donor("", ""),
]


def read_back(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == DONATION_COLUMNS
        return list(reader)


def unguard(text: str) -> str:
    return text[1:] if text[:2] in ("'=", "'+", "'-", "'@") else text


def test_donations_export_reads_back_to_the_same_donations(
    station: Station, simulator: SimulatorProcessor, tmp_path: Path, data_dir: Path
) -> None:
    refunded = card_gift(station, 5000, Donor("Grace Hopper", "grace@example.org"))
    station.refund(refunded, "=cmd|' /C calc'!A0")  # a reason that is a formula, too
    card_gift(station, 1234)
    declined = station.take_card_donation(900, Donor("Dee", ""), card("4000000000000002"))
    assert declined.status == "declined"
    for i, donor in enumerate(TRICKY_DONORS):
        method = "check" if i % 2 else "cash"
        station.record_donation(100 + i, donor, method, f"C{i}" if method == "check" else "")

    (tmp_path / "out").mkdir()  # a folder that exists: export never makes one (IT chooses)
    path = tmp_path / "out" / "donations.csv"
    written = station.export_donations_csv(path)
    rows = read_back(path)
    donations = station.donations()
    assert written == len(rows) == len(donations) == 3 + len(TRICKY_DONORS)

    by_id = {r["Donation ID"]: r for r in rows}
    for d in donations:
        r = by_id[d.id]
        assert r["Amount"] == f"{d.amount_cents // 100}.{d.amount_cents % 100:02d}"
        assert int(r["Amount"].replace(".", "")) == d.amount_cents
        assert (r["Currency"], r["Method"], r["Status"]) == ("USD", d.method, d.status)
        assert (r["Brand"], r["Last 4"]) == (d.brand or "", d.last4 or "")
        assert r["Processor reference"] == (d.payment_intent_id or "")
        assert unguard(r["Donor name"]) == d.donor_name
        assert unguard(r["Email"]) == d.donor_email
        assert r["Check number"] == (d.check_number or "")
        assert r["Station"] == d.station
        when = dt.datetime.fromisoformat(r["Date and time"])
        assert when.utcoffset() == d.created_at.astimezone().utcoffset()  # local time
        assert abs(when - d.created_at) < dt.timedelta(seconds=1)
        assert int(r["Refunded amount"].replace(".", "")) == d.refunded_cents
        assert unguard(r["Refund reason"]) == (d.refund_reason or "")

    # Formula injection: every cell a spreadsheet would run starts with an apostrophe.
    for r in rows:
        for column in ("Donor name", "Email", "Refund reason"):
            assert not r[column].startswith(("=", "+", "-", "@")), (column, r[column])
    assert by_id[refunded]["Refund reason"] == "'=cmd|' /C calc'!A0"
    assert by_id[refunded]["Refunded amount"] == "50.00"
    assert by_id[refunded]["Status"] == "refunded"
    assert by_id[refunded]["Receipt status"] == "discarded"  # never sent for a refund
    assert by_id[declined.donation_id or ""]["Receipt status"] == "no email"
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []
    assert files_containing(tmp_path / "out", TEST_CARD_NUMBERS) == []
    assert [p.name for p in path.parent.iterdir()] == ["donations.csv"]  # no temp file left


def test_receipt_status_column(station: Station, tmp_path: Path) -> None:
    ids = {
        name: station.record_donation(1000, Donor(name, f"{name}@example.org"), "cash").donation_id
        for name in ("sent", "queued", "attention", "retrying")
    }
    no_email = station.record_donation(1000, Donor("None", ""), "cash").donation_id
    states = {"sent": "done", "attention": "needs_attention", "retrying": "retry_scheduled"}
    with station.db.session() as s:
        for name, state in states.items():
            s.execute(update(Job).where(Job.donation_id == ids[name]).values(state=state))
    station.export_donations_csv(tmp_path / "d.csv")
    status = {r["Donation ID"]: r["Receipt status"] for r in read_back(tmp_path / "d.csv")}
    assert status[ids["sent"]] == "sent"
    assert status[ids["queued"]] == "queued"
    assert status[ids["retrying"]] == "queued"
    assert status[ids["attention"]] == "needs attention"
    assert status[no_email] == "no email"
    numbers = {r["Donation ID"]: r["Receipt number"] for r in read_back(tmp_path / "d.csv")}
    assert numbers[ids["sent"]].endswith("-00001") and numbers[no_email] == ""


def test_a_receipt_really_sent_shows_as_sent(station: Station, tmp_path: Path) -> None:
    donation_id = station.record_donation(1500, Donor("Ed", "ed@example.org"), "cash").donation_id
    station.start_jobs()
    deadline = time.monotonic() + 15
    while station.jobs(donation_id)[0].state != "done":
        assert time.monotonic() < deadline, station.jobs(donation_id)
        time.sleep(0.05)
    station.export_donations_csv(tmp_path / "d.csv")
    (row,) = read_back(tmp_path / "d.csv")
    assert row["Receipt status"] == "sent"


def test_jobs_export_reads_back(station: Station, tmp_path: Path) -> None:
    o = station.take_card_donation(5000, Donor("-Minus", "m@example.org"), card(),
                                   GiftOptions(save_card=True))  # a receipt, a saved card
    assert o.status == "approved"
    station.record_donation(2000, Donor("Bo", "bo@example.org"), "cash")
    path = tmp_path / "jobs.csv"
    assert station.export_jobs_csv(path) == 3
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == JOB_COLUMNS
        rows = list(reader)
    jobs = station.jobs()
    assert [r["Job ID"] for r in rows] == [j.id for j in jobs]
    assert [(r["Kind"], r["State"], r["Attempts"]) for r in rows] == [
        (j.kind_label, j.state, str(j.attempts)) for j in jobs
    ]
    assert rows[0]["Donor name"] == "'-Minus" and rows[0]["Amount"] == "50.00"


def test_safe_text() -> None:
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("\tx") == "'\tx"
    assert safe_text("Ann") == "Ann"
    assert safe_text(None) == ""
