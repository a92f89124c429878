"""Chip and tap gifts' receipts carry the EMV lines card networks require, in the donor's
language, sent over the real SMTP path (aiosmtpd with STARTTLS and login on loopback).

The gift is taken on training's simulated reader, whose approval is a Visa Credit tap
with no cardholder verification; the words for the other verification methods and the
typed and swiped cards that get no EMV lines are checked on the renderer.
"""

from __future__ import annotations

import datetime as dt
import threading
from email.message import EmailMessage

import pytest
from sqlalchemy import update
from support.job_fixtures import (  # noqa: F401
    StationFactory,
    make_station,
    smtp_keyring,
    smtp_server,
    smtp_station,
)
from support.jobwait import wait_for, wait_settled
from support.memory_keyring import MemoryKeyring
from support.smtp_server import SmtpServer

from pos_app.api import Card, Donor, Outcome, Station
from pos_app.receipts.emv import VERIFICATION_WORDS
from pos_app.receipts.i18n import translations
from pos_app.receipts.render import ReceiptData, render
from pos_app.store.models import Donation

pytestmark = pytest.mark.timeout(90)
CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
EMV_EN = {
    "Entry mode": "Contactless (tap)",
    "Application": "Visa Credit",
    "AID": "A0000000031010",
    "Verification": "No signature required",
}
EMV_ES = {
    "Modo de entrada": "Sin contacto (acercando la tarjeta)",
    "Aplicación": "Visa Credit",
    "AID": "A0000000031010",
    "Verificación": "No se requiere firma",
}


def tap_gift(st: Station, donor: Donor) -> Outcome:
    """A gift on the training reader: the donor taps once the reader waits for a card."""
    result: list[Outcome] = []
    t = threading.Thread(target=lambda: result.append(st.take_reader_donation(5000, donor)))
    t.start()
    reader = st.reader_service.reader
    wait_for(lambda: reader._action.status == "in_progress" or not t.is_alive(),
             why="the reader never got the payment")  # fmt: skip
    st.present_on_reader("approve")
    t.join(30)
    assert result and result[0].status == "approved", result
    return result[0]


def label_values(text: str) -> dict[str, str]:
    """The plain-text receipt's "  Label:   value" lines."""
    found = {}
    for line in text.splitlines():
        label, sep, value = line.strip().partition(":")
        if sep and value.strip():
            found[label] = value.strip()
    return found


def sent(server: SmtpServer, st: Station, donation_id: str) -> EmailMessage:
    job = next(j for j in st.jobs(donation_id) if j.kind == "receipt")
    assert job.state == "done", job
    by_id = {str(m["Message-ID"]).strip(): m for m in server.received()}
    return by_id[job.result_ref or ""]


def bodies(msg: EmailMessage) -> tuple[str, str]:
    return msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_tap_gift_receipt_has_the_emv_lines_and_a_typed_card_none(
    make_station: StationFactory,
    smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    st = smtp_station(make_station, smtp_server)
    st.reader_service.poll_s = 0.01
    tap = tap_gift(st, Donor("Ada Lovelace", "ada@example.org"))
    typed = st.take_card_donation(2500, Donor("Cy", "cy@example.org"), CARD)
    st.start_jobs()
    wait_settled(st)
    text, html = bodies(sent(smtp_server, st, tap.donation_id or ""))
    fields = label_values(text)
    for label, value in EMV_EN.items():
        assert fields[label] == value, (label, text)
        assert f">{label}</th><td>{value}</td>" in html
    assert len(fields["Authorization code"]) == 6
    text, html = bodies(sent(smtp_server, st, typed.donation_id or ""))
    for label in ("Entry mode", "AID", "Verification", "Authorization code"):
        assert label not in text and label not in html


def test_spanish_receipt_says_it_in_spanish(
    make_station: StationFactory,
    smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    st = smtp_station(make_station, smtp_server)
    st.reader_service.poll_s = 0.01
    tap = tap_gift(st, Donor("Inés Ortega", "ines@example.org"))
    # The reader's form doesn't ask for the receipt's language yet; the donor's choice is
    # kept on the gift, as the typed-card form keeps it.
    with st.db.session() as s:
        s.execute(update(Donation).where(Donation.id == tap.donation_id)
                  .values(receipt_language="es"))  # fmt: skip
    st.start_jobs()
    wait_settled(st)
    text, html = bodies(sent(smtp_server, st, tap.donation_id or ""))
    fields = label_values(text)
    for label, value in EMV_ES.items():
        assert fields[label] == value, (label, text)
        assert f">{label}</th><td>{value}</td>" in html
    assert "Código de autorización" in fields
    assert "Entry mode" not in text and "No signature required" not in text


# ---- the renderer: every verification method, and gifts with no EMV lines ----


def receipt(**kw: object) -> ReceiptData:
    values: dict[str, object] = dict(
        receipt_number="T3-00007", donation_id="d-7", amount_cents=5000, currency="usd",
        donated_at=dt.datetime(2026, 3, 14, 18, 30, tzinfo=dt.UTC), method="card",
        donor_name="Ada", brand="visa", last4="4242", payment_reference="pi_7",
        entry_mode="contact_emv", emv_application="Visa Credit", emv_aid="A0000000031010",
        emv_cvm="online_pin", emv_auth_code="123456",
    )  # fmt: skip
    values.update(kw)
    return ReceiptData(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cvm", "english", "spanish"),
    [
        ("none", "No signature required", "No se requiere firma"),
        ("online_pin", "PIN verified", "PIN verificado"),
        ("offline_pin", "PIN verified", "PIN verificado"),
        ("signature", "Signature", "Firma"),
        ("offline_pin_and_signature", "PIN verified and signature", "PIN verificado y firma"),
    ],
)
def test_verification_in_words(cvm: str, english: str, spanish: str) -> None:
    en = label_values(render(receipt(emv_cvm=cvm)).text)
    assert (en["Verification"], en["Entry mode"]) == (english, "Chip")
    es = label_values(render(receipt(emv_cvm=cvm, language="es")).text)
    assert (es["Verificación"], es["Modo de entrada"]) == (spanish, "Chip")


def test_every_emv_word_has_a_spanish_translation() -> None:
    from pos_app.receipts.emv import ENTRY_WORDS, LABELS

    es = translations("es")
    words = {*ENTRY_WORDS.values(), *VERIFICATION_WORDS.values(), *LABELS.values()} - {"AID"}
    assert [w for w in sorted(words) if es.gettext(w) == w and w != "Chip"] == []


@pytest.mark.parametrize(
    "gift",
    [
        {"entry_mode": "magnetic_stripe_track2"},  # swiped: no chip data
        {"entry_mode": None, "emv_aid": None, "emv_application": None},  # typed in
        {"method": "cash", "brand": None, "last4": None},
    ],
    ids=["swipe", "typed", "cash"],
)
def test_no_emv_lines_without_a_chip_or_tap(gift: dict[str, object]) -> None:
    r = render(receipt(**gift))
    for label in ("Entry mode", "AID", "Verification", "Authorization code"):
        assert label not in r.text and label not in r.html


def test_a_verification_method_stripe_adds_later_is_shown_as_it_comes() -> None:
    fields = label_values(render(receipt(emv_cvm="approval", emv_aid="")).text)
    assert fields["Verification"] == "approval" and "AID" not in fields
