"""Donor addresses with accents, end to end: a real aiosmtpd server on loopback and the
SendGrid fake that checks each request against SendGrid's OpenAPI spec.

The decision (README, "Email addresses with accents"): accents after the @ are sent, in
the domain's IDNA 2008 form; accents before the @ are refused at the field, while the
donor is still there, because the receipt would need SMTPUTF8 all the way (SendGrid's API
doesn't take such an address; most receiving servers don't offer it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from support.job_fixtures import (  # noqa: F401
    SENDGRID_KEY,
    StationFactory,
    event_settings,
    make_station,
    sendgrid,
    smtp_keyring,
    smtp_server,
    smtp_station,
)
from support.jobwait import wait_settled, wait_state
from support.memory_keyring import MemoryKeyring, memory_keyring
from support.sendgrid_server import SendGridServer
from support.smtp_server import SmtpServer

from pos_app.api import Donor, InvalidDonation
from pos_app.cli import main
from pos_app.secrets import SENDGRID_API_KEY, SERVICE
from pos_app.settings import Receipts
from pos_app.store.models import Donation

pytestmark = pytest.mark.timeout(90)

REFUSED = "Tableside can't send receipts to an address with accents or other letters before the @"


@pytest.mark.parametrize("address", ["josé@example.org", "jose\u0301@example.org",
                                     "почта@example.org", "ｊｏｅ@example.org"])
def test_accents_before_the_at_are_refused_at_the_field(
    make_station: StationFactory, address: str  # noqa: F811
) -> None:
    st = make_station()
    with pytest.raises(InvalidDonation) as info:
        st.record_donation(2000, Donor("José", address), "cash")
    assert REFUSED in info.value.errors["email"]
    assert "another address" in info.value.errors["email"]
    assert st.donations() == []


def test_a_german_domain_goes_to_that_domain_over_smtp(
    make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    """straße.de is its own domain (xn--strae-oqa.de), not strasse.de: Python's built-in
    IDNA 2003 codec would have sent the donor's receipt to a stranger's domain."""
    st = smtp_station(make_station, smtp_server)
    st.record_donation(2000, Donor("Anna Groß", "anna@straße.de"), "cash")
    st.record_donation(3000, Donor("Ben", "ben@bücher.example"), "cash")
    st.start_jobs()
    assert {j.state for j in wait_settled(st)} == {"done"}
    envelopes = sorted(r for m in smtp_server.messages for r in m["rcpt_tos"])
    assert envelopes == ["anna@xn--strae-oqa.de", "ben@xn--bcher-kva.example"]
    headers = sorted(str(msg["To"]) for msg in smtp_server.received())
    assert "xn--strae-oqa.de" in headers[0] and "strasse" not in " ".join(headers)


@pytest.fixture
def keyring_with_key() -> Iterator[MemoryKeyring]:
    with memory_keyring() as ring:
        ring.set_password(SERVICE, SENDGRID_API_KEY, SENDGRID_KEY)
        yield ring


def test_a_german_domain_goes_to_that_domain_through_sendgrid(
    make_station: StationFactory, sendgrid: SendGridServer,  # noqa: F811
    keyring_with_key: MemoryKeyring,
) -> None:
    receipts = Receipts(provider="sendgrid", sender="receipts@riverside.example",
                        api_base=sendgrid.url, timeout=5.0)
    st = make_station(settings=event_settings(receipts=receipts))
    st.record_donation(2000, Donor("Anna Groß", "anna@straße.de"), "cash")
    st.start_jobs()
    assert {j.state for j in wait_settled(st)} == {"done"}
    assert sendgrid.violations == []
    (body,) = sendgrid.accepted
    assert body["personalizations"][0]["to"][0]["email"] == "anna@xn--strae-oqa.de"


def test_an_accented_address_stored_earlier_waits_for_a_person_and_is_never_sent(
    make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    """A gift stored by an older version, or written by hand, with such an address: the
    receipt waits in needs-attention in plain words; the server never sees a broken To:."""
    st = smtp_station(make_station, smtp_server)
    o = st.record_donation(2000, Donor("José", "jose@example.org"), "cash")
    with st.db.session() as s:
        s.execute(update(Donation).where(Donation.id == o.donation_id)
                  .values(donor_email="josé@example.org"))
    st.start_jobs()
    (job,) = st.jobs(o.donation_id)
    job = wait_state(st, job.id, "needs_attention")
    assert job.fix == "fix_email" and REFUSED in (job.last_error or "")
    assert smtp_server.messages == []
    st.update_donor_email(o.donation_id, "jose@example.org")
    wait_state(st, job.id, "done")
    assert [m["rcpt_tos"] for m in smtp_server.messages] == [["jose@example.org"]]


def test_a_from_address_with_accents_stops_the_cli_with_the_key_to_fix(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "event.toml"
    cfg.write_text('[receipts]\nfrom = "reçus@riverside.example"\n', encoding="utf-8")
    assert main(["--config", str(cfg), "jobs"]) == 2
    err = capsys.readouterr().err
    assert "'receipts.from'" in err and "Traceback" not in err
