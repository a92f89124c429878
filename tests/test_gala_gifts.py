"""Cover the fee, dedications, anonymous gifts and the receipt language on the facade,
through the real job system and a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from support.job_fixtures import (  # noqa: F401
    StationFactory,
    event_settings,
    make_station,
    smtp_keyring,
    smtp_server,
    smtp_station,
)
from support.jobwait import wait_settled
from support.memory_keyring import MemoryKeyring
from support.smtp_server import SmtpServer

from pos_app.api import Card, Donor, GiftOptions, InvalidDonation
from pos_app.domain.gift import FeeRule
from pos_app.settings import Fees

CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
pytestmark = pytest.mark.timeout(90)


@pytest.mark.parametrize(
    ("gift", "percent", "fixed"), [(5000, 2.2, 30), (100, 2.9, 30), (123457, 2.2, 30), (999, 0, 0)]
)
def test_fee_is_grossed_up_so_the_whole_gift_reaches_the_cause(
    gift: int, percent: float, fixed: int
) -> None:
    fee = FeeRule(percent, fixed).fee_for(gift)
    total = gift + fee
    processor_takes = round(total * percent / 100) + fixed if fee else 0
    assert total - processor_takes >= gift  # the cause gets at least the gift
    assert total - processor_takes - gift <= 1  # and the donor pays at most a cent more


def test_fee_rule_from_settings_and_the_stripe_nonprofit_example(
    make_station: StationFactory,  # noqa: F811
) -> None:
    st = make_station(settings=event_settings(fees=Fees(percent=2.9, fixed=0.30)))
    assert st.fee_for(5000) == 181  # (50.00 + 0.30) / 0.971 = 51.81
    assert st.fee_cause == "Riverside Food Bank"


def test_cover_fee_charges_gift_plus_fee_and_totals_and_export_split_them(
    make_station: StationFactory, tmp_path: Path,  # noqa: F811
) -> None:
    st = make_station()
    fee = st.fee_for(5000)
    out = st.take_card_donation(5000, Donor("Ada", ""), CARD, GiftOptions(cover_fee=True))
    assert out.status == "approved" and out.amount_cents == 5000 + fee
    st.record_donation(2000, Donor("Bob", ""), "cash", options=GiftOptions(cover_fee=True))
    rec = {d.method: d for d in st.donations()}
    assert (rec["card"].gift_cents, rec["card"].fee_cents) == (5000, fee)
    assert (rec["cash"].amount_cents, rec["cash"].fee_cents) == (2000, 0)  # no fee on cash
    t = st.totals()
    assert t.raised_cents == 7000 + fee and t.fees_cents == fee and t.gifts_cents == 7000
    path = tmp_path / "night.csv"
    st.export_donations_csv(path)
    with path.open(encoding="utf-8-sig") as fh:
        rows = {r["Method"]: r for r in csv.DictReader(fh)}
    assert rows["card"]["Gift"] == "50.00" and rows["card"]["Fee covered"] == f"{fee / 100:.2f}"
    assert rows["card"]["Amount"] == f"{(5000 + fee) / 100:.2f}"


def test_bad_options_are_plain_messages(make_station: StationFactory) -> None:  # noqa: F811
    st = make_station()
    with pytest.raises(InvalidDonation) as err:
        st.take_card_donation(
            5000,
            Donor("Ada", ""),
            CARD,
            GiftOptions(dedication_kind="memory", dedication_email="nope", receipt_language="fr"),
        )
    assert set(err.value.errors) == {"dedication_name", "dedication_email", "receipt_language"}
    assert st.donations() == []


def test_anonymous_gift_has_no_name_on_lists_jobs_or_export_but_the_receipt_does(
    make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring, tmp_path: Path,  # noqa: F811
) -> None:
    st = smtp_station(make_station, smtp_server)
    out = st.take_card_donation(
        7500, Donor("Grace Secret", "grace@example.org"), CARD, GiftOptions(anonymous=True)
    )
    st.start_jobs()
    jobs = wait_settled(st)
    assert [d.donor_name for d in st.donations()] == [""]
    assert st.donation(out.donation_id).anonymous
    assert all(j.donor_name == "" for j in jobs)
    path = tmp_path / "night.csv"
    st.export_donations_csv(path)
    assert "Grace Secret" not in path.read_text(encoding="utf-8-sig")
    st.export_jobs_csv(tmp_path / "jobs.csv")
    assert "Grace Secret" not in (tmp_path / "jobs.csv").read_text(encoding="utf-8-sig")
    (msg,) = smtp_server.received()
    assert "Grace Secret" in str(msg["To"])
    text = msg.get_body(("plain",)).get_content()
    assert "Dear Grace Secret," in text and "listed anonymously" in " ".join(text.split())


def test_spanish_receipt_with_fee_dedication_and_ticket_value_over_smtp(
    make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,
) -> None:
    st = smtp_station(make_station, smtp_server)
    options = GiftOptions(
        cover_fee=True,
        dedication_kind="honour",
        dedication_name="Abuela Rosa",
        receipt_language="es",
        goods_description="una entrada a la cena",
        goods_value_cents=4000,
    )
    out = st.take_card_donation(10000, Donor("Luis", "luis@example.org"), CARD, options)
    fee = st.fee_for(10000)
    st.start_jobs()
    wait_settled(st)
    (msg,) = smtp_server.received()
    # a training gift (the simulator): marked, and read back exactly (no space lost)
    assert str(msg["Subject"]).startswith(
        "ENTRENAMIENTO — no es un recibo real: Su recibo de donación de Riverside Food Bank"
    )
    text = " ".join(msg.get_body(("plain",)).get_content().split())
    paid = f"${(10000 + fee) / 100:,.2f}"
    assert f"Importe pagado: {paid}" in text
    assert f"donación de $100.00 + ${fee / 100:.2f} que usted añadió" in text
    assert "Dedicada: En honor de Abuela Rosa" in text
    assert "Valor de los bienes o servicios recibidos: $40.00" in text
    assert f"Importe deducible: ${(10000 + fee - 4000) / 100:,.2f}" in text
    assert "Publicación 1771" in text
    assert st.donation(out.donation_id).receipt_language == "es"
    assert dataclasses.asdict(st.donation(out.donation_id))["dedication_name"] == "Abuela Rosa"


def test_dedication_notice_is_its_own_job_and_never_states_the_amount(
    make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,
) -> None:
    st = smtp_station(make_station, smtp_server)
    options = GiftOptions(
        dedication_kind="memory", dedication_name="Grace Hopper",
        dedication_email="family@example.org",
    )
    out = st.take_card_donation(12345, Donor("Ada Lovelace", "ada@example.org"), CARD, options)
    st.record_donation(2000, Donor("Bob", "bob@example.org"), "cash")  # no dedication: no notice
    st.start_jobs()
    jobs = wait_settled(st)
    notices = [j for j in jobs if j.kind == "dedication"]
    assert [(j.donation_id, j.state, j.delivery) for j in notices] == [
        (out.donation_id, "done", "at least once")
    ]
    by_to = {str(m["To"]): m for m in smtp_server.received()}
    assert set(by_to) == {
        "Ada Lovelace <ada@example.org>", "Bob <bob@example.org>", "family@example.org"
    }
    notice = by_to["family@example.org"]
    assert str(notice["Subject"]) == (  # a training gift (the simulator) says so
        "TRAINING — not a real gift: A gift to Riverside Food Bank in memory of Grace Hopper"
    )
    assert notice["X-Tableside-Notice"] and notice["X-Tableside-Receipt"] is None
    assert by_to["Bob <bob@example.org>"]["X-Tableside-Receipt"]  # the receipts say so
    text = notice.get_body(("plain",)).get_content()
    assert "Ada Lovelace has made a gift" in text and "$" not in text and "123.45" not in text
    receipt = by_to["Ada Lovelace <ada@example.org>"].get_body(("plain",)).get_content()
    assert "In memory of Grace Hopper" in receipt and "$123.45" in receipt
