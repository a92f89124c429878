"""Receipts over SMTP with STARTTLS and login, against a real aiosmtpd server on loopback.

The server's certificate is self-signed for 127.0.0.1 and trusted through `ca_file`, so
certificate checking stays on; the password comes from the keyring (`smtp_password`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.job_fixtures import (  # noqa: F401
    FixedDelay,
    StationFactory,
    event_settings,
    make_station,
    smtp_keyring,
    smtp_server,
    smtp_station,
)
from support.jobwait import wait_for, wait_settled, wait_state
from support.memory_keyring import MemoryKeyring, memory_keyring
from support.smtp_server import SmtpServer

from pos_app.api import Card, Donor
from pos_app.secrets import SERVICE, SMTP_PASSWORD

CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
pytestmark = pytest.mark.timeout(90)


def test_receipts_go_out_over_starttls_after_login(
    make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring, data_dir: Path,
) -> None:
    st = smtp_station(make_station, smtp_server)
    card = st.take_card_donation(5000, Donor("Zoë Łukasz", "zoe@example.org"), CARD)
    st.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    st.start_jobs()
    jobs = wait_settled(st)
    assert {j.state for j in jobs} == {"done"}
    assert len(smtp_server.messages) == 2 and all(m["tls"] for m in smtp_server.messages)
    assert smtp_server.logins == ["receipts", "receipts"]
    receipt = next(j for j in jobs if j.kind == "receipt" and j.donation_id == card.donation_id)
    by_id = {str(m["Message-ID"]).strip(): m for m in smtp_server.received()}
    msg = by_id[receipt.result_ref or ""]
    assert msg["To"] == "Zoë Łukasz <zoe@example.org>"
    assert receipt.receipt_number in msg["Subject"]
    assert msg.get_body(("plain",)) is not None and msg.get_body(("html",)) is not None
    text = msg.get_body(("plain",)).get_content()
    assert "$50.00" in text and "Visa •••• 4242" in text and "12-3456789" in text
    assert files_containing(data_dir, TEST_CARD_NUMBERS) == []


def test_a_refused_recipient_waits_for_a_corrected_address(
    make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,
) -> None:
    st = smtp_station(make_station, smtp_server)
    o = st.record_donation(2000, Donor("Cy", "bounce@example.org"), "cash")
    st.start_jobs()
    job = wait_state(st, st.jobs(o.donation_id)[0].id, "needs_attention")
    assert job.fix == "fix_email" and "550" in (job.last_error_detail or "")
    st.update_donor_email(o.donation_id, "cy@example.org")
    done = wait_state(st, job.id, "done")
    assert smtp_server.receipt_numbers() == [done.receipt_number]


def test_wrong_password_and_untrusted_certificate_need_it(
    make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
) -> None:
    with memory_keyring() as ring:
        ring.set_password(SERVICE, SMTP_PASSWORD, "wrong")
        wrong = smtp_station(make_station, smtp_server)
    o = wrong.record_donation(2000, Donor("Cy", "cy@example.org"), "cash")
    wrong.start_jobs()
    job = wait_state(wrong, wrong.jobs(o.donation_id)[0].id, "needs_attention")
    assert job.fix == "check_settings" and "password" in (job.last_error or "")
    assert "wrong" not in (job.last_error_detail or "")
    wrong.close()

    with memory_keyring() as ring:
        ring.set_password(SERVICE, SMTP_PASSWORD, smtp_server.password)
        untrusted = smtp_station(make_station, smtp_server, ca=False)
    untrusted.start_jobs()
    assert untrusted.job(job.id).state == "needs_attention"  # a restart doesn't rerun it
    untrusted.retry_job(job.id)  # same data dir: the lead's Retry
    job_id = job.id

    def failed_again():  # type: ignore[no-untyped-def]
        j = untrusted.job(job_id)
        return j if j.attempts == 2 and j.state == "needs_attention" else None

    job = wait_for(failed_again)
    assert "certificate" in (job.last_error or "")
    assert smtp_server.messages == []


def test_mail_server_down_then_back_every_receipt_once(
    make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,
) -> None:
    smtp_server.down()
    st = smtp_station(make_station, smtp_server, policy=FixedDelay(3600))
    for i in range(4):
        st.record_donation(1000 + i, Donor(f"D{i}", f"d{i}@example.org"), "cash")
    st.start_jobs()
    wait_for(lambda: st.job_summary().retrying == 4)
    assert not st.job_summary().online
    smtp_server.up()
    jobs = wait_settled(st)
    assert all(j.state == "done" and j.attempts == 2 for j in jobs)
    numbers = smtp_server.receipt_numbers()
    assert sorted(numbers) == sorted(j.receipt_number for j in jobs) and len(set(numbers)) == 4
