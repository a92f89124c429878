"""The outbox sender (training default): one standard .eml per receipt, written once."""

from __future__ import annotations

import email
import email.policy
import os
import stat
from pathlib import Path

from support.job_fixtures import StationFactory, make_station  # noqa: F401
from support.jobwait import wait_settled

from pos_app.api import Donor
from pos_app.receipts.message import OutgoingEmail
from pos_app.receipts.outbox import OutboxSender


def outgoing(number: str = "TABLE3-00001") -> OutgoingEmail:
    return OutgoingEmail(
        to_email="ada@example.org",
        to_name="Ada Lovelace",
        from_email="receipts@riverside.example",
        from_name="Riverside Food Bank",
        subject="Your donation receipt",
        text="Thank you — merci.\n",
        html="<p>Thank you — merci.</p>",
        receipt_number=number,
        donation_id="d-1",
    )


def test_an_eml_a_mail_program_can_open(tmp_path: Path) -> None:
    sender = OutboxSender(tmp_path / "outbox")
    path = Path(sender.send(outgoing()))
    assert path.name == "receipt-TABLE3-00001.eml"
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "Ada Lovelace <ada@example.org>"
    assert msg["From"] == "Riverside Food Bank <receipts@riverside.example>"
    assert msg["Message-ID"] == "<receipt.TABLE3-00001.d-1@riverside.example>"
    assert msg.get_body(("plain",)).get_content().strip() == "Thank you — merci."
    assert "merci" in msg.get_body(("html",)).get_content()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_file_is_the_sent_marker(tmp_path: Path) -> None:
    sender = OutboxSender(tmp_path / "outbox")
    first = Path(sender.send(outgoing()))
    before = first.read_bytes()
    assert Path(sender.send(outgoing())) == first  # a replay writes nothing new
    assert first.read_bytes() == before
    assert sorted(p.name for p in first.parent.iterdir()) == [first.name]


def test_training_station_writes_receipts_to_the_outbox(
    make_station: StationFactory, data_dir: Path  # noqa: F811
) -> None:
    st = make_station()
    o = st.record_donation(2000, Donor("Cy Young", "cy@example.org"), "cash")
    st.start_jobs()
    (job,) = wait_settled(st)
    assert job.state == "done" and job.sent_at is not None
    path = Path(job.result_ref or "")
    assert path.parent == data_dir / "outbox" and path.exists()
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert job.receipt_number in msg["Subject"]
    assert "$20.00" in msg.get_body(("plain",)).get_content()
    assert st.donation(o.donation_id).donor_email == "cy@example.org"
