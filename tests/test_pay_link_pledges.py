"""Pledges paid by a link: a gift that can't be charged at the table is taken as a pledge; a
background job makes a Stripe Checkout Session for exactly that gift and emails the link
through a real SMTP server (aiosmtpd); the pay-link watch reads it back until paid (the
gift approved, its receipt sent) or expired (the lead sends another) — against the bridged
localstripe (tests/support/checkout_peer.py) and, in training, the simulator's links."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage
from email.utils import parseaddr
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from support.job_fixtures import (  # noqa: F401 - fixtures
    FROM,
    SENDGRID_KEY,
    StationFactory,
    event_settings,
    make_station,
    sendgrid,
    smtp_keyring,
    smtp_server,
)
from support.jobwait import wait_for, wait_settled
from support.memory_keyring import memory_keyring
from support.processes import localstripe_stats
from support.sendgrid_server import SendGridServer
from support.smtp_server import SmtpServer
from support.stripe_spec import StripeSpec
from support.terminal_fixtures import (  # noqa: F401 - fixtures
    RecordingTransport,
    all_conform,
    recorder,
    spec,
)

from pos_app.api import Card, Donor, GiftOptions, InvalidDonation, Station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.payments.stripe import StripeProcessor
from pos_app.secrets import SENDGRID_API_KEY, SERVICE
from pos_app.settings import Pledges, Receipts

KEY = "sk_test_tableside_pledge_links"
VISA = Card("4242424242424242", 12, dt.date.today().year + 2, "123", postal_code="62701")
THANKS = "https://riverside.example/thank-you"


def pledge_state(st: Station, pledge_id: str) -> str:
    return next(p.state for p in st.pledges() if p.id == pledge_id)


def links_to(server: SmtpServer, address: str) -> list[EmailMessage]:
    return [m for m in server.received()
            if parseaddr(str(m["To"]))[1] == address and m["X-Tableside-Paylink"]]  # fmt: skip


def link_in(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"https://checkout\.stripe\.com/c/pay/(cs_test_\w+)", text)
    assert found, text
    return found[1]


@pytest.fixture
def stripe_station(
    make_station: StationFactory, smtp_server: SmtpServer, smtp_keyring, localstripe: str,  # noqa: F811
    recorder: RecordingTransport,  # noqa: F811
) -> Station:
    """A Stripe station on the bridged localstripe, every request kept (`recorder`) for
    the spec check."""
    receipts = Receipts(provider="smtp", sender=FROM, host="127.0.0.1", port=smtp_server.port,
                        username=smtp_server.username, timeout=5.0,
                        ca_file=str(smtp_server.cert_file))  # fmt: skip
    settings = event_settings(receipts=receipts, pledges=Pledges(success_url=THANKS))
    processor = StripeProcessor(KEY, api_base=localstripe, transport=recorder)
    return make_station(settings=settings, processor=processor)


def pay(localstripe: str, session_id: str) -> None:
    r = httpx.post(f"{localstripe}/_test/checkout/sessions/{session_id}/pay", timeout=5)
    r.raise_for_status()


def test_a_pledge_gets_one_link_is_paid_and_gets_its_receipt(
    stripe_station: Station, smtp_server: SmtpServer, localstripe: str  # noqa: F811
) -> None:
    st = stripe_station
    st.start_jobs()
    made = localstripe_stats(localstripe)["checkout_sessions_created"]
    pledge = st.take_pledge(12500, Donor("Ada Lovelace", "ada@example.org"))
    assert pledge.state == "pledged" and st.donation(pledge.donation_id).status == "pledged"
    wait_for(lambda: pledge_state(st, pledge.id) == "link_sent", why="the link sent")
    [mail] = links_to(smtp_server, "ada@example.org")
    assert str(mail["Subject"]) == "Your pledge of $125.00 to Riverside Food Bank: pay by link"
    session = link_in(mail)
    assert localstripe_stats(localstripe)["checkout_sessions_created"] == made + 1
    assert st.totals().raised_cents == 0  # a promise is not money yet

    pay(localstripe, session)  # the donor pays on Stripe's page
    st.check_pay_links()
    assert pledge_state(st, pledge.id) == "paid"
    gift = st.donation(pledge.donation_id)
    assert gift.status == "approved" and gift.amount_cents == 12500
    wait_settled(st)
    receipts = [m for m in smtp_server.received() if m["X-Tableside-Receipt"]]
    assert [parseaddr(str(m["To"]))[1] for m in receipts] == ["ada@example.org"]
    assert st.totals().raised_cents == 12500
    st.check_pay_links()  # looking again changes nothing, sends nothing
    assert len(links_to(smtp_server, "ada@example.org")) == 1
    assert len([m for m in smtp_server.received() if m["X-Tableside-Receipt"]]) == 1


def test_an_expired_link_is_said_and_the_lead_sends_another(
    stripe_station: Station, smtp_server: SmtpServer, localstripe: str  # noqa: F811
) -> None:
    st = stripe_station
    st.start_jobs()
    pledge = st.take_pledge(4000, Donor("Grace Hopper", "grace@example.org"))
    wait_for(lambda: pledge_state(st, pledge.id) == "link_sent", why="the link sent")
    first = link_in(links_to(smtp_server, "grace@example.org")[0])
    httpx.post(f"{localstripe}/_test/checkout/sessions/{first}/age", timeout=5)
    st.check_pay_links()
    assert pledge_state(st, pledge.id) == "expired"
    assert "expired" in next(p.message for p in st.pledges() if p.id == pledge.id)

    assert st.send_pay_link(pledge.id) is not None
    wait_for(lambda: pledge_state(st, pledge.id) == "link_sent", why="a new link sent")
    second = link_in(links_to(smtp_server, "grace@example.org")[1])
    assert second != first  # a new session: the old one can't be paid any more
    assert st.send_pay_link(pledge.id) is not None  # the same link again, still open
    wait_for(lambda: len(links_to(smtp_server, "grace@example.org")) == 3, why="resent")
    assert link_in(links_to(smtp_server, "grace@example.org")[2]) == second
    paid_before = localstripe_stats(localstripe)["checkout_sessions_paid"]
    pay(localstripe, second)
    pay(localstripe, first)  # the old email too: Stripe's page no longer takes it
    assert session_of(localstripe, first)["status"] == "expired"
    assert session_of(localstripe, first)["payment_status"] == "unpaid"
    st.check_pay_links()
    assert pledge_state(st, pledge.id) == "paid"
    assert localstripe_stats(localstripe)["checkout_sessions_paid"] == paid_before + 1
    assert st.donation(pledge.donation_id).amount_cents == 4000
    assert st.totals().raised_cents == 4000  # paid once, counted once
    with pytest.raises(InvalidDonation):
        st.send_pay_link(pledge.id)  # paid: nothing to send


def test_a_pledge_paid_by_its_link_and_on_a_card_is_counted_once_and_goes_to_the_lead(
    stripe_station: Station, smtp_server: SmtpServer, localstripe: str,  # noqa: F811
    spec: StripeSpec, recorder: RecordingTransport,  # noqa: F811
) -> None:
    """The rule for a donor who pays twice. A paddle-raise pledge with no card is sent a
    link; the guest then leaves a card and the lead charges the pledge on it (both jobs
    run here by hand, the link's first: the race). Ada pays her link before the watch
    looks: the gift stays counted once, on the card, and her pledge needs the lead, with
    the link's payment to refund. Grace's link is still open when the watch looks: it is
    expired at Stripe, and her page no longer takes a payment."""
    st = stripe_station  # jobs not started: each runs when the test says
    run = st.jobs_system.runner.run
    raise_id = st.open_paddle_raise("Fund a kitchen", [5000])
    pledges, sessions = {}, {}
    for paddle, name in ((112, "Ada Lovelace"), (113, "Grace Hopper")):
        address = f"{name.split()[0].lower()}@example.org"
        assert not st.check_in(Donor(name, address), paddle=paddle).card_on_file
        pledge = st.pledge(raise_id, paddle, 5000)
        assert pledge.state == "pledged"  # no card: it waits
        link_job = st.send_pay_link(pledge.id)  # the lead sends a link...
        assert link_job is not None
        assert st.check_in(Donor(name, address), card=VISA).card_on_file  # ...a card comes
        assert st.charge_pledge_on_file(pledge.id)  # ...and the lead charges it on file
        [charge_job] = [j.id for j in st.jobs(pledge.donation_id) if j.kind == "pledge_charge"]
        run(link_job)
        assert pledge_state(st, pledge.id) == "link_sent"
        run(charge_job)
        assert pledge_state(st, pledge.id) == "paid"  # on the card
        pledges[paddle] = pledge
        sessions[paddle] = link_in(links_to(smtp_server, address)[0])
    assert st.totals().raised_cents == 10000

    pay(localstripe, sessions[112])  # Ada pays the link in her email as well
    st.check_pay_links()
    ada = next(p for p in st.pledges() if p.id == pledges[112].id)
    gift = st.donation(ada.donation_id)
    link_payment = str(session_of(localstripe, sessions[112])["payment_intent"])
    assert link_payment.startswith("pi_") and gift.payment_intent_id != link_payment
    assert (gift.status, gift.amount_cents) == ("approved", 5000)  # counted once, the card
    assert ada.state == "paid" and ada.message.startswith("Paid twice")
    assert link_payment in ada.message and "refund" in ada.message
    [job] = [j for j in st.jobs(ada.donation_id) if j.kind == "pay_link"]
    assert (job.state, job.fix) == ("needs_attention", "discard")  # the lead's, to refund
    assert link_payment in (job.last_error or "")
    assert st.job_summary().needs_attention == 1

    grace = next(p for p in st.pledges() if p.id == pledges[113].id)
    assert grace.state == "paid"
    assert session_of(localstripe, sessions[113])["status"] == "expired"  # voided
    pay(localstripe, sessions[113])  # too late: Stripe's page takes nothing
    assert session_of(localstripe, sessions[113])["payment_status"] == "unpaid"

    st.check_pay_links()  # looking again changes nothing
    assert [p.state for p in st.pledges() if p.id in (ada.id, grace.id)] == ["paid", "paid"]
    assert st.job_summary().needs_attention == 1
    assert st.totals().raised_cents == 10000  # each gift once
    assert st.paddle_raise(raise_id).paid_cents == 10000
    assert st.discard_job(job.id, "Refunded the link's payment in Stripe").state == "discarded"
    assert st.job_summary().needs_attention == 0
    all_conform(spec, recorder)  # every request per the spec (the expire too), POSTs keyed


def test_a_pledge_needs_the_donors_email_and_a_real_amount(station: Station) -> None:
    with pytest.raises(InvalidDonation) as no_email:
        station.take_pledge(5000, Donor("Ada", ""))
    assert "email" in no_email.value.errors
    with pytest.raises(InvalidDonation) as no_amount:
        station.take_pledge(0, Donor("Ada", "ada@example.org"))
    assert "amount" in no_amount.value.errors
    assert station.pledges() == []


def test_training_links_are_paid_by_the_drill(
    station: Station, simulator: SimulatorProcessor
) -> None:
    station.start_jobs()
    pledge = station.take_pledge(2500, Donor("Katherine Johnson", "kj@example.org"))
    wait_for(lambda: pledge_state(station, pledge.id) == "link_sent", why="the link sent")
    [session] = simulator.links.sessions
    simulator.links.pay(session)
    station.check_pay_links()
    assert pledge_state(station, pledge.id) == "paid"
    assert station.donation(pledge.donation_id).status == "approved"


# ---- the pay-link email in the pledge's language, field by field -------------------------
# Written by hand, not with the code's formatters: how each language writes the expiry.
WEEKDAYS = {"en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                   "Sunday"],
            "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]}
MONTHS = {"en": ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"],
          "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                 "septiembre", "octubre", "noviembre", "diciembre"]}  # fmt: skip
PAY_LINK_WORDS = {
    "en": {
        "subject": "Your pledge of $1,250.50 to Riverside Food Bank: pay by link",
        "dear": "Dear Ada Lovelace,",
        "thanks": "Thank you for your pledge of $1,250.50 to Riverside Food Bank at Spring Gala.",
        "pay_here": "Pay it securely on Stripe's page:",
        "button": "Pay $1,250.50 securely",
        "paid_already": "If you have paid already, thank you — please ignore this email.",
        "receipt_follows": "Your tax receipt follows by email once the gift is paid.",
        "receipt_subject": "Your donation receipt from Riverside Food Bank",
        "card": "Card",
    },
    "es": {
        "subject": "Su promesa de donación de $1,250.50 a Riverside Food Bank: pague con el "
                   "enlace",
        "dear": "Estimado/a Ada Lovelace:",
        "thanks": "Gracias por su promesa de donación de $1,250.50 a Riverside Food Bank en "
                  "Spring Gala.",
        "pay_here": "Páguela de forma segura en la página de Stripe:",
        "button": "Pagar $1,250.50 de forma segura",
        "paid_already": "Si ya pagó, muchas gracias: no tenga en cuenta este mensaje.",
        "receipt_follows": "Una vez pagada la donación, recibirá por correo electrónico su "
                           "recibo para fines fiscales.",
        "receipt_subject": "Su recibo de donación de Riverside Food Bank",
        "card": "Tarjeta",
    },
}  # fmt: skip


def expiry_words(expires_at: int, lang: str) -> str:
    """"The link works until 6:05 PM on Tuesday, December 8, 2026." in this computer's
    time zone, as the station writes it; Spanish names the day first."""
    local = dt.datetime.fromtimestamp(expires_at, dt.UTC).astimezone()
    hour = local.hour % 12 or 12
    weekday, month = WEEKDAYS[lang][local.weekday()], MONTHS[lang][local.month - 1]
    if lang == "en":
        time = f"{hour}:{local.minute:02d}\u202f{'AM' if local.hour < 12 else 'PM'}"
        return f"The link works until {time} on {weekday}, {month} {local.day}, {local.year}."
    time = f"{hour}:{local.minute:02d}\u202f{'a.m.' if local.hour < 12 else 'p.m.'}"
    return (f"El enlace es válido hasta el {weekday}, {local.day} de {month} de {local.year} "
            f"({time}).")  # fmt: skip


def one_line(text: str) -> str:
    """Lines joined, spaces collapsed; a no-break space (in "6:05\u202fPM") stays."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


class Page(HTMLParser):
    """The HTML part as read: <html lang>, paragraphs' text, and each link's href and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang, self.paragraphs, self.links = "", [], []  # type: ignore[var-annotated]
        self._p: list[str] | None = None
        self._a: tuple[str, list[str]] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        elif tag == "p":
            self._p = []
        elif tag == "a":
            self._a = (dict(attrs).get("href") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._p is not None:
            self.paragraphs.append(one_line("".join(self._p)))
            self._p = None
        elif tag == "a" and self._a is not None:
            self.links.append((self._a[0], one_line("".join(self._a[1]))))
            self._a = None

    def handle_data(self, data: str) -> None:
        for parts in (self._p, self._a[1] if self._a else None):
            if parts is not None:
                parts.append(data)


def session_of(localstripe: str, session_id: str) -> dict[str, object]:
    r = httpx.get(f"{localstripe}/v1/checkout/sessions/{session_id}",
                  headers={"Authorization": f"Bearer {KEY}"}, timeout=5)  # fmt: skip
    r.raise_for_status()
    return r.json()  # type: ignore[no-any-return]


def check_pay_link(subject: str, text: str, html: str, lang: str,
                   session: dict[str, object]) -> None:  # fmt: skip
    """The pay-link email, field by field: the amount in the locale's format, the link
    (the session's own URL, on a line of its own and as the button), the organisation and
    event, and the expiry in the language's words."""
    w = PAY_LINK_WORDS[lang]
    url, expires = str(session["url"]), int(session["expires_at"])  # type: ignore[call-overload]
    assert url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert subject == w["subject"]
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == w["dear"]
    flat = one_line(text)
    assert w["thanks"] in flat
    at = lines.index(w["pay_here"])
    assert lines[at + 1] == url  # whole, never wrapped
    for sentence in (expiry_words(expires, lang), w["paid_already"], w["receipt_follows"]):
        assert sentence in flat, sentence
    assert lines[-1] == "Riverside Food Bank"
    page = Page(html)
    assert page.lang == lang
    assert page.paragraphs[:2] == [w["dear"], w["thanks"]]
    assert page.links == [(url, w["button"]), (url, url)]
    assert expiry_words(expires, lang) in page.paragraphs
    assert page.paragraphs[-1] == "Riverside Food Bank"
    for part in (subject, text, html):
        assert "TRAINING" not in part and "ENTRENAMIENTO" not in part  # a real link
    if lang == "es":
        for english in ("Dear", "pledge", "Pay it", "works until", "receipt", "Thank"):
            assert english not in text and english not in " ".join(page.paragraphs), english


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_pay_link_email_is_in_the_donors_language_field_by_field(
    stripe_station: Station, smtp_server: SmtpServer, localstripe: str, lang: str  # noqa: F811
) -> None:
    st = stripe_station
    st.start_jobs()
    pledge = st.take_pledge(125050, Donor("Ada Lovelace", "ada@example.org"),
                            GiftOptions(receipt_language=lang))  # fmt: skip
    assert st.donation(pledge.donation_id).receipt_language == lang
    wait_for(lambda: pledge_state(st, pledge.id) == "link_sent", why="the link sent")
    [mail] = links_to(smtp_server, "ada@example.org")
    assert mail["From"] == f"Riverside Food Bank <{FROM}>"
    assert mail["To"] == "Ada Lovelace <ada@example.org>"
    session = session_of(localstripe, link_in(mail))
    assert session["amount_total"] == 125050 and session["status"] == "open"
    assert session["locale"] == lang  # Stripe's page in the email's language
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and html is not None
    check_pay_link(str(mail["Subject"]), plain.get_content(), html.get_content(), lang, session)

    # paid: its receipt follows in the same language
    pay(localstripe, str(session["id"]))
    st.check_pay_links()
    assert pledge_state(st, pledge.id) == "paid"
    wait_settled(st)
    [receipt] = [m for m in smtp_server.received() if m["X-Tableside-Receipt"]]
    w = PAY_LINK_WORDS[lang]
    assert str(receipt["Subject"]).startswith(w["receipt_subject"])
    text = receipt.get_body(("plain",)).get_content()
    assert "$1,250.50" in text and w["card"] in text


def test_a_spanish_pledge_opens_stripes_page_in_spanish_every_request_per_spec(
    stripe_station: Station, smtp_server: SmtpServer, localstripe: str,  # noqa: F811
    spec: StripeSpec, recorder: RecordingTransport,  # noqa: F811
) -> None:
    st = stripe_station
    st.start_jobs()
    es = st.take_pledge(5000, Donor("Ana Ruiz", "ana@example.org"),
                        GiftOptions(receipt_language="es"))  # fmt: skip
    plain = st.take_pledge(5000, Donor("Ada Lovelace", "ada@example.org"))  # no language
    for pledge in (es, plain):
        wait_for(lambda p=pledge: pledge_state(st, p.id) == "link_sent", why="the link sent")
    session_es = session_of(localstripe, link_in(links_to(smtp_server, "ana@example.org")[0]))
    session_en = session_of(localstripe, link_in(links_to(smtp_server, "ada@example.org")[0]))
    assert (session_es["locale"], session_en["locale"]) == ("es", "en")
    assert session_es["metadata"] == {"pledge_id": es.id, "donation_id": es.donation_id}
    sent = [spec.decoded("POST", r.url.path, r.content)
            for r in all_conform(spec, recorder)  # every request per the spec, POSTs keyed
            if r.method == "POST" and r.url.path == "/v1/checkout/sessions"]  # fmt: skip
    assert sorted(body["locale"] for body in sent) == ["en", "es"]  # one create each

    # the Spanish donor pays: the gift and its receipt, in Spanish
    pay(localstripe, str(session_es["id"]))
    st.check_pay_links()
    assert pledge_state(st, es.id) == "paid"
    wait_settled(st)
    [receipt] = [m for m in smtp_server.received()
                 if m["X-Tableside-Receipt"] and parseaddr(str(m["To"]))[1] == "ana@example.org"]
    assert str(receipt["Subject"]).startswith(PAY_LINK_WORDS["es"]["receipt_subject"])
    all_conform(spec, recorder)


def test_a_spanish_pay_link_through_sendgrid_is_valid_against_its_spec(
    make_station: StationFactory, sendgrid: SendGridServer, localstripe: str  # noqa: F811
) -> None:
    with memory_keyring() as ring:
        ring.set_password(SERVICE, SENDGRID_API_KEY, SENDGRID_KEY)
        receipts = Receipts(provider="sendgrid", sender=FROM, api_base=sendgrid.url,
                            timeout=5.0)  # fmt: skip
        st = make_station(settings=event_settings(receipts=receipts,
                                                  pledges=Pledges(success_url=THANKS)),
                          processor=StripeProcessor(KEY, api_base=localstripe))  # fmt: skip
    st.start_jobs()
    pledge = st.take_pledge(125050, Donor("Ada Lovelace", "ada@example.org"),
                            GiftOptions(receipt_language="es"))  # fmt: skip
    wait_for(lambda: pledge_state(st, pledge.id) == "link_sent", why="the link sent")
    assert sendgrid.violations == []
    [body] = sendgrid.accepted
    assert body["personalizations"][0]["to"] == [{"email": "ada@example.org",
                                                   "name": "Ada Lovelace"}]  # fmt: skip
    assert body["personalizations"][0]["custom_args"]["kind"] == "paylink"
    assert body["from"] == {"email": FROM, "name": "Riverside Food Bank"}
    assert body["categories"] == ["pledge-pay-link"]
    assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]
    text, html = (c["value"] for c in body["content"])
    found = re.search(r"https://checkout\.stripe\.com/c/pay/(cs_test_\w+)", text)
    assert found
    check_pay_link(body["subject"], text, html, "es", session_of(localstripe, found[1]))


def test_a_training_pay_link_says_nobody_can_pay_it(
    station: Station, simulator: SimulatorProcessor, data_dir: Path
) -> None:
    station.start_jobs()
    pledge = station.take_pledge(2500, Donor("Katherine Johnson", "kj@example.org"),
                                 GiftOptions(receipt_language="es"))  # fmt: skip
    wait_for(lambda: pledge_state(station, pledge.id) == "link_sent", why="the link sent")
    [eml] = (data_dir / "outbox").glob("receipt-LINK-*.eml")
    mail = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    mark = "ENTRENAMIENTO — no es un enlace de pago real"
    assert str(mail["Subject"]).startswith(f"{mark}: Su promesa de donación de $25.00")
    assert mail.get_body(("plain",)).get_content().splitlines()[0] == f"*** {mark} ***"
    assert mark in mail.get_body(("html",)).get_content()
