# ruff: noqa: F811  (pytest fixtures imported from support modules)
"""Receipts read as a donor, sent over the real SMTP path (aiosmtpd, STARTTLS and login on
loopback), in English and in Spanish.

A training gift says so in the subject and at the top of both parts; lines the
organisation hasn't configured (address, EIN) are left out, never printed as "—" or empty;
the amount is stated once; the receipt number is the reference, the processor's payment id
(`pi_sim_…`, `pi_…`) is not shown. A real gift (Stripe, on the bridged localstripe) carries
no training mark and keeps the "keep this receipt for your taxes" line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from email.message import EmailMessage
from typing import Any

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
from test_jobs_save_card import API_KEY

from pos_app.api import Card, Donor, GiftOptions, Station
from pos_app.payments.stripe import StripeProcessor
from pos_app.settings import Organization, Settings
from pos_app.store.models import Donation

pytestmark = pytest.mark.timeout(120)
CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
BARE_ORG = Organization(name="Riverside Food Bank")  # no address, no EIN configured
TRAINING = {"en": "TRAINING — not a real receipt", "es": "ENTRENAMIENTO — no es un recibo real"}
NOT_A_GIFT = {"en": "TRAINING — not a real gift", "es": "ENTRENAMIENTO — no es una donación real"}
KEEP = {
    "en": "Please keep this receipt for your tax records.",
    "es": "Conserve este recibo para su declaración de impuestos.",
}
HEADING = {"en": "DONATION RECEIPT No. ", "es": "RECIBO DE DONACIÓN N.º "}
PAID = {"en": "Amount paid", "es": "Importe pagado"}
PROCESSOR_ID = re.compile(r"\bpi_\w+")


def station_for(make: StationFactory, server: SmtpServer, org: Organization, **kw: object
                ) -> Station:  # fmt: skip
    """`smtp_station`, with the organisation as given."""

    def with_org(settings: Settings, **more: Any) -> Station:
        return make(settings=dataclasses.replace(settings, organization=org), **more)

    return smtp_station(with_org, server, **kw)  # type: ignore[arg-type]


def receipt_mail(server: SmtpServer, st: Station, donation_id: str) -> EmailMessage:
    job = next(j for j in st.jobs(donation_id) if j.kind == "receipt")
    assert job.state == "done", job
    by_id = {str(m["Message-ID"]).strip(): m for m in server.received()}
    return by_id[job.result_ref or ""]


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    crlf = str.maketrans({"\r": None})  # SMTP lines end in CRLF
    return text.get_content().translate(crlf), html.get_content().translate(crlf)


def payment_intent(st: Station, donation_id: str) -> str:
    with st.db.session() as s:
        row = s.get(Donation, donation_id)
        assert row is not None and row.payment_intent_id
        return row.payment_intent_id


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_training_receipt_says_so_and_prints_no_empty_lines(
    make_station: StationFactory,
    smtp_server: SmtpServer,
    smtp_keyring: MemoryKeyring,
    lang: str,
) -> None:
    st = station_for(make_station, smtp_server, BARE_ORG)
    assert st.training
    options = GiftOptions(
        receipt_language=lang,
        cover_fee=True,
        dedication_kind="honour",
        dedication_name="Grace Hopper",
        dedication_email="tom@example.org",
    )
    out = st.take_card_donation(5000, Donor("Ada Lovelace", "ada@example.org"), CARD, options)
    assert out.status == "approved"
    st.start_jobs()
    wait_settled(st)
    msg = receipt_mail(smtp_server, st, out.donation_id or "")
    text, html = parts(msg)
    number = next(j for j in st.jobs(out.donation_id) if j.kind == "receipt").receipt_number
    assert number

    subject = {
        "en": f"Your donation receipt from Riverside Food Bank (No. {number})",
        "es": f"Su recibo de donación de Riverside Food Bank (n.º {number})",
    }[lang]
    assert str(msg["Subject"]) == f"{TRAINING[lang]}: {subject}"  # folded, read back whole
    assert text.startswith(f"*** {TRAINING[lang]} ***\n")
    assert TRAINING[lang] in html and html.index(TRAINING[lang]) < html.index("<h1")
    assert KEEP[lang] not in text and KEEP[lang] not in html  # not for the donor's taxes

    # nothing configured, nothing printed: the org's name runs straight into the heading
    assert "EIN" not in text and "EIN" not in html and "—\n" not in text
    lines = text.splitlines()
    org = lines.index("Riverside Food Bank")
    assert lines[org + 1] == "" and lines[org + 2] == f"{HEADING[lang]}{number}"
    assert '<p style="margin-top: 4px; color: #555;"></p>' not in html and "<br></p>" not in html

    # the amount once, the receipt number as the reference, no processor id
    paid = [line for line in lines if line.strip().startswith(PAID[lang])]
    assert len(paid) == 1 and paid[0].endswith(f"${out.amount_cents / 100:.2f}")  # $51.44
    assert not any(re.match(r"\s+(Amount|Importe):", line) for line in lines)
    assert html.count(f">{PAID[lang]}</th>") == 1 and ">Amount</th>" not in html
    assert ">Importe</th>" not in html
    assert number in text and number in html
    pi = payment_intent(st, out.donation_id or "")
    assert pi.startswith("pi_sim_")
    for part in (text, html, str(msg["Subject"])):
        assert pi not in part and not PROCESSOR_ID.search(part)
        assert out.donation_id not in part

    # the dedication notice to the person named says so too
    (notice,) = [m for m in smtp_server.received() if "tom@example.org" in str(m["To"])]
    notice_text, notice_html = parts(notice)
    assert str(notice["Subject"]).startswith(f"{NOT_A_GIFT[lang]}: ")
    assert notice_text.startswith(f"*** {NOT_A_GIFT[lang]} ***\n")
    assert NOT_A_GIFT[lang] in notice_html and "Grace Hopper" in notice_text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_real_receipt_has_no_training_mark_and_shows_the_ein_and_address(
    make_station: StationFactory,
    smtp_server: SmtpServer,
    smtp_keyring: MemoryKeyring,
    localstripe: str,
    lang: str,
) -> None:
    stripe = StripeProcessor(API_KEY, api_base=localstripe, timeout=10)
    org = event_settings().organization  # Riverside Food Bank, its address and EIN
    st = station_for(make_station, smtp_server, org, processor=stripe)
    assert not st.training
    out = st.take_card_donation(5000, Donor("Grace Hopper", "grace@example.org"), CARD,
                                GiftOptions(receipt_language=lang))  # fmt: skip
    assert out.status == "approved", out.message
    st.start_jobs()
    wait_settled(st)
    msg = receipt_mail(smtp_server, st, out.donation_id or "")
    text, html = parts(msg)
    for part in (text, html, str(msg["Subject"])):
        assert TRAINING[lang] not in part and "TRAINING" not in part
    assert KEEP[lang] in text and KEEP[lang] in html
    lines = text.splitlines()
    assert lines[:3] == ["Riverside Food Bank", org.address, lines[2]]
    assert lines[2].endswith(" 12-3456789") and "EIN" in lines[2]
    assert f"{org.address}<br>" in html and "12-3456789</p>" in html
    pi = payment_intent(st, out.donation_id or "")
    assert pi.startswith("pi_") and not pi.startswith("pi_sim_")
    for part in (text, html):
        assert pi not in part and not PROCESSOR_ID.search(part)
    paid = [line for line in lines if line.strip().startswith(PAID[lang])]
    assert len(paid) == 1 and paid[0].endswith("$50.00")
