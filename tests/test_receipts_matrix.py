"""Every gift case's receipt, in English and in Spanish, checked field by field (issue 23).

The cases: a plain gift; the fee covered; a dedication in honour and in memory; goods worth
something on a payment over $75 (the IRS Pub 1771 quid-pro-quo disclosure) and on one of
$75 (values stated, no disclosure); an anonymous gift. Each is checked in the subject, the
plain-text part (read as its "  Label:   value" lines and header lines) and the HTML part
(read with an HTML parser: headings, table rows, paragraphs).

The expectations are written here by hand, not made with the code's own helpers: dollars
with `usd()` below (es_US writes US dollars as en_US does: "$1,250.50", never
"1250,50 US$"), dates with the month names listed here, the sentences as a person reads
them on the receipt.

Then the same matrix through the real path: gifts taken through the Station facade on the
bridged localstripe, the receipt jobs run, and each message read back from a real aiosmtpd
server over STARTTLS, parsed as MIME and checked the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest
from conftest import TEST_CARD_NUMBERS
from support.job_fixtures import (  # noqa: F401 - fixtures
    FROM,
    StationFactory,
    event_settings,
    make_station,
    smtp_keyring,
    smtp_server,
)
from support.jobwait import wait_settled
from support.smtp_server import SmtpServer

from pos_app.api import Card, Donor, GiftOptions
from pos_app.payments.stripe import StripeProcessor
from pos_app.receipts.render import ReceiptData, RenderedReceipt, render
from pos_app.settings import Receipts

pytestmark = pytest.mark.timeout(120)

ORG = "Riverside Food Bank"
ADDRESS = "12 Main St, Springfield, IL 62701"
EIN = "12-3456789"
EVENT = "Spring Gala"
DONOR = "Ada Lovelace"
NUMBER = "TABLE3-00042"
WHEN = dt.datetime(2026, 3, 14, 18, 30, tzinfo=dt.UTC)
CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
KEY = "sk_test_tableside_receipt_matrix"

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
}  # fmt: skip


def usd(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def long_date(day: dt.date, lang: str) -> str:
    month = MONTHS[lang][day.month - 1]
    if lang == "en":
        return f"{month} {day.day}, {day.year}"
    return f"{day.day} de {month} de {day.year}"


@dataclass(frozen=True)
class Words:
    """A receipt's words in one language, as the donor reads them."""

    subject: str
    heading_text: str
    heading_html: str
    title: str
    ein: str
    dear: str
    thanks: str
    date: str
    method: str
    paid: str
    goods_value: str
    deductible: str
    given: str
    honour: str
    memory: str
    fee_line: str
    disclosure: str
    goods: str
    no_goods: str
    anonymous: str
    keep: str
    training: str
    english_only: tuple[str, ...] = ()


WORDS = {
    "en": Words(
        subject=f"Your donation receipt from {ORG} (No. {{number}})",
        heading_text="DONATION RECEIPT No. {number}",
        heading_html="Donation receipt No. {number}",
        title="Donation receipt {number}",
        ein=f"Tax ID (EIN): {EIN}",
        dear=f"Dear {DONOR},",
        thanks=f"Thank you for your gift to {ORG} at {EVENT}.",
        date="Date",
        method="Method",
        paid="Amount paid",
        goods_value="Value of goods or services received",
        deductible="Deductible amount",
        given="Given",
        honour="In honour of {name}",
        memory="In memory of {name}",
        fee_line="({gift} gift + {fee} you added to cover the processing fee)",
        disclosure="Quid pro quo disclosure (IRS Publication 1771):",
        goods=(
            "In exchange for this contribution you received {goods} with an estimated fair "
            "market value of {value}. The amount of your contribution that is deductible for "
            "federal income tax purposes is limited to the excess of your contribution over "
            "that value: {deductible}."
        ),
        no_goods="No goods or services were provided in exchange for this contribution.",
        anonymous=(
            "As you asked, this gift is listed anonymously: your name is not shown at the "
            "event or in our lists of donors."
        ),
        keep="Please keep this receipt for your tax records.",
        training="TRAINING",
    ),
    "es": Words(
        subject=f"Su recibo de donación de {ORG} (n.º {{number}})",
        heading_text="RECIBO DE DONACIÓN N.º {number}",
        heading_html="Recibo de donación n.º {number}",
        title="Recibo de donación {number}",
        ein=f"N.º de identificación fiscal (EIN): {EIN}",
        dear=f"Estimado/a {DONOR}:",
        thanks=f"Gracias por su donación a {ORG} en {EVENT}.",
        date="Fecha",
        method="Pago",
        paid="Importe pagado",
        goods_value="Valor de los bienes o servicios recibidos",
        deductible="Importe deducible",
        given="Dedicada",
        honour="En honor de {name}",
        memory="En memoria de {name}",
        fee_line=(
            "(donación de {gift} + {fee} que usted añadió para cubrir la comisión de procesamiento)"
        ),
        disclosure="Declaración de contraprestación (Publicación 1771 del IRS):",
        goods=(
            "A cambio de esta contribución usted recibió {goods} con un valor justo de mercado "
            "estimado de {value}. La parte de su contribución deducible del impuesto federal "
            "sobre la renta se limita al exceso de su contribución sobre ese valor: "
            "{deductible}."
        ),
        no_goods="No se entregaron bienes ni servicios a cambio de esta contribución.",
        anonymous=(
            "Como usted pidió, esta donación figura como anónima: su nombre no se muestra en "
            "el evento ni en nuestras listas de donantes."
        ),
        keep="Conserve este recibo para su declaración de impuestos.",
        training="ENTRENAMIENTO",
        # English words that must not be left untranslated on a Spanish receipt
        english_only=(
            "Amount",
            "Deductible",
            "Thank you",
            "Dear",
            "receipt",
            "Given",
            "Date",
            "goods",
            "Method",
            "keep",
            "anonymously",
            "Tax ID",
            "Card",
        ),  # fmt: skip
    ),
}


@dataclass(frozen=True)
class Case:
    """One gift and what its receipt must say. `gift_cents` is what the donor gave; the
    fee they covered comes on top (`paid_cents` = gift + fee). The deductible amount is
    written out by hand: what was paid less the fair market value of what was received."""

    name: str
    gift_cents: int
    fee_cents: int = 0
    goods: dict[str, str] = field(default_factory=dict)  # language -> description
    goods_value_cents: int = 0
    deductible_cents: int = 0
    disclosure: bool = False
    dedication: str = ""
    dedication_name: str = ""
    anonymous: bool = False

    @property
    def paid_cents(self) -> int:
        return self.gift_cents + self.fee_cents


CASES = [
    Case("plain", 125050, deductible_cents=125050),
    # $50 with Stripe's nonprofit rate covered: (50.00 + 0.30) / (1 - 0.022) = 51.4315...,
    # rounded up to the cent: $51.44, so $1.44 on top; all of it is a contribution.
    Case("fee_covered", 5000, fee_cents=144, deductible_cents=5144),
    Case("in_honour", 10000, deductible_cents=10000, dedication="honour",
         dedication_name="Grace Hopper"),
    Case("in_memory", 10000, deductible_cents=10000, dedication="memory",
         dedication_name="Grace Hopper"),
    # $150 for a dinner worth $85: over $75 and partly for goods, so the disclosure
    Case("goods_over_75", 15000, goods={"en": "a gala dinner", "es": "una cena de gala"},
         goods_value_cents=8500, deductible_cents=6500, disclosure=True),
    # exactly $75 for a $20 ticket: values stated, no disclosure (it is for over $75)
    Case("goods_75_or_less", 7500, goods={"en": "a raffle ticket", "es": "un boleto de rifa"},
         goods_value_cents=2000, deductible_cents=5500),
    Case("anonymous", 2500, deductible_cents=2500, anonymous=True),
]  # fmt: skip
LANGS = ("en", "es")


# ---- reading a receipt back ------------------------------------------------------------
LINE = re.compile(r"^  (\S[^:]*):\s+(\S.*)$")


def one_line(text: str) -> str:
    return " ".join(text.split())


def labelled(text: str) -> dict[str, str]:
    """The plain part's "  Label:   value" lines."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            assert m.group(1) not in out, f"{m.group(1)} twice"
            out[m.group(1)] = m.group(2).strip()
    return out


class Html(HTMLParser):
    """The HTML part as a reader sees it: the <html lang>, title, headings, table rows
    (header cell -> value cell) and paragraphs, each as its text with spaces collapsed."""

    BLOCKS = ("title", "h1", "h2", "p", "th", "td")

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang = ""
        self.blocks: list[tuple[str, str]] = []
        self.rows: list[tuple[str, str]] = []
        self._open: list[tuple[str, list[str]]] = []
        self._row: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        elif tag == "tr":
            self._row = []
        elif tag == "br":
            self.handle_data("\n")
        if tag in self.BLOCKS:
            self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            name, parts = self._open.pop()
            assert name == tag, (name, tag)
            text = one_line("".join(parts))
            self.blocks.append((tag, text))
            if tag in ("th", "td"):
                self._row.append(text)
            lines = "".join(parts).split("\n")
            if tag == "p" and len(lines) > 1:
                self.blocks.extend(("line", one_line(line)) for line in lines)
        elif tag == "tr":
            assert len(self._row) == 2, self._row
            self.rows.append((self._row[0], self._row[1]))

    def handle_data(self, data: str) -> None:
        for _tag, parts in self._open:
            parts.append(data)

    def texts(self, tag: str) -> list[str]:
        return [text for t, text in self.blocks if t == tag]

    def table(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for label, value in self.rows:
            if label:
                assert label not in out, f"{label} twice"
                out[label] = value
        return out


# ---- the check, field by field -----------------------------------------------------------
@dataclass(frozen=True)
class Expect:
    number: str
    day: dt.date
    method: str  # e.g. "Visa •••• 4242"
    org_address: bool = True  # the organisation's address and EIN are configured


def expected_fields(case: Case, lang: str, e: Expect) -> dict[str, str]:
    w = WORDS[lang]
    out = {
        w.date: long_date(e.day, lang),
        w.method: e.method,
        w.paid: usd(case.paid_cents),
        w.goods_value: usd(case.goods_value_cents),
        w.deductible: usd(case.deductible_cents),
    }
    if case.dedication:
        wording = w.honour if case.dedication == "honour" else w.memory
        out[w.given] = wording.format(name=case.dedication_name)
    return out


def acknowledgment(case: Case, lang: str) -> str:
    """The tax paragraph as a donor reads it."""
    w = WORDS[lang]
    if not case.goods_value_cents:
        return w.no_goods
    sentence = w.goods.format(goods=case.goods[lang], value=usd(case.goods_value_cents),
                              deductible=usd(case.deductible_cents))  # fmt: skip
    return f"{w.disclosure} {sentence}" if case.disclosure else sentence


def check_receipt(r: RenderedReceipt, case: Case, lang: str, e: Expect) -> None:
    w = WORDS[lang]
    number = e.number
    fields = expected_fields(case, lang, e)
    fee_line = w.fee_line.format(gift=usd(case.gift_cents), fee=usd(case.fee_cents))
    ack = acknowledgment(case, lang)

    # the subject
    assert r.subject == w.subject.format(number=number)

    # the plain-text part
    text = r.text
    lines = [line for line in text.splitlines() if line.strip()]
    header = [ORG, ADDRESS, w.ein] if e.org_address else [ORG]
    assert lines[: len(header)] == header
    assert lines[len(header)] == w.heading_text.format(number=number)
    assert lines[len(header) + 1] == w.dear
    assert w.thanks in one_line(text)
    assert labelled(text) == fields
    flat = one_line(text)
    assert (fee_line in flat) == bool(case.fee_cents)
    assert ack in flat
    assert (w.disclosure in flat) == case.disclosure
    assert (w.no_goods in flat) == (not case.goods_value_cents)
    assert (w.anonymous in flat) == case.anonymous
    assert w.keep in lines and lines[-1] == ORG

    # the HTML part
    page = Html(r.html)
    assert page.lang == lang
    assert page.texts("title") == [w.title.format(number=number)]
    assert page.texts("h1") == [ORG]
    assert page.texts("h2") == [w.heading_html.format(number=number)]
    paragraphs = page.texts("p")
    if e.org_address:
        assert paragraphs[0] == f"{ADDRESS} {w.ein}"
        assert [x for t, x in page.blocks if t == "line"][:2] == [ADDRESS, w.ein]
        paragraphs = paragraphs[1:]
    else:
        assert EIN not in r.html and ADDRESS not in r.html
    assert paragraphs[:3] == [w.dear, w.thanks, ack]
    assert (w.anonymous in paragraphs) == case.anonymous
    assert w.keep in paragraphs and paragraphs[-1] == ORG
    assert page.table() == fields
    fee_rows = [value for label, value in page.rows if not label]
    assert fee_rows == ([fee_line] if case.fee_cents else [])
    assert (w.disclosure in r.html) == case.disclosure

    # never on a real receipt: the training mark, the processor's id, more than the last 4
    for part in (r.subject, r.text, r.html):
        assert w.training not in part and "TRAINING" not in part
        assert "pi_" not in part
        assert not any(n in part for n in TEST_CARD_NUMBERS)
        rest = part.replace(number, "").replace(EIN, "").replace(ADDRESS, "")
        assert not re.search(r"\d{5,}", rest), "a long run of digits"
        assert "US$" not in part and "USD" not in part  # dollars as Americans write them
    words = " ".join(text for _tag, text in page.blocks)
    for english in w.english_only:
        assert english not in r.text and english not in words, english


def receipt_data(case: Case, lang: str, **overrides: object) -> ReceiptData:
    values: dict[str, object] = {
        "receipt_number": NUMBER,
        "donation_id": "d-1",
        "amount_cents": case.paid_cents,
        "currency": "usd",
        "donated_at": WHEN,
        "method": "card",
        "donor_name": DONOR,
        "donor_email": "ada@example.org",
        "brand": "visa",
        "last4": "4242",
        "payment_reference": "pi_3Q0abc",
        "org_name": ORG,
        "org_address": ADDRESS,
        "tax_id": EIN,
        "event_name": EVENT,
        "language": lang,
        "fee_cents": case.fee_cents,
        "goods_description": case.goods.get(lang, ""),
        "goods_value_cents": case.goods_value_cents,
        "dedication_kind": case.dedication,
        "dedication_name": case.dedication_name,
        "anonymous": case.anonymous,
    }
    values.update(overrides)
    return ReceiptData(**values)  # type: ignore[arg-type]


# ---- rendered -----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_case_in_both_languages_field_by_field(case: Case, lang: str) -> None:
    r = render(receipt_data(case, lang))
    check_receipt(r, case, lang, Expect(NUMBER, WHEN.astimezone().date(), "Visa •••• 4242"))


@pytest.mark.parametrize("lang", LANGS)
def test_lines_the_organisation_has_not_configured_are_left_out(lang: str) -> None:
    case = CASES[0]
    r = render(receipt_data(case, lang, org_address="", tax_id=""))
    expect = Expect(NUMBER, WHEN.astimezone().date(), "Visa •••• 4242", org_address=False)
    check_receipt(r, case, lang, expect)
    assert "EIN" not in r.text + r.html


@pytest.mark.parametrize("lang", LANGS)
def test_the_disclosure_follows_the_payment_not_the_value_of_the_goods(lang: str) -> None:
    """Pub 1771: the disclosure is owed for a payment over $75 made partly for goods, even
    when the goods are worth less than $75; a cent over $75 is over."""
    w = WORDS[lang]
    goods = {"en": "a raffle ticket", "es": "un boleto de rifa"}
    just_over = Case("just_over", 7501, goods=goods, goods_value_cents=2000,
                     deductible_cents=5501, disclosure=True)  # fmt: skip
    cheap_goods = Case("cheap_goods", 10000, goods=goods, goods_value_cents=4000,
                       deductible_cents=6000, disclosure=True)  # fmt: skip
    # goods worth more than what was paid: nothing deductible, never a negative amount
    worth_more = Case("worth_more", 4000, goods=goods, goods_value_cents=6000,
                      deductible_cents=0)  # fmt: skip
    day = WHEN.astimezone().date()
    for case in (just_over, cheap_goods, worth_more):
        expect = Expect(NUMBER, day, "Visa •••• 4242")
        check_receipt(render(receipt_data(case, lang)), case, lang, expect)
    assert w.disclosure in one_line(render(receipt_data(just_over, lang)).text)


@pytest.mark.parametrize("lang", LANGS)
def test_cash_and_check_say_so_in_the_donors_language(lang: str) -> None:
    case = replace(CASES[0])
    day = WHEN.astimezone().date()
    cash = render(receipt_data(case, lang, method="cash", brand=None, last4=None,
                               payment_reference=None))  # fmt: skip
    check_receipt(cash, case, lang, Expect(NUMBER, day, "Cash" if lang == "en" else "Efectivo"))
    check = render(receipt_data(case, lang, method="check", check_number="1042", brand=None,
                                last4=None, payment_reference=None))  # fmt: skip
    method = "Check #1042" if lang == "en" else "Cheque n.º 1042"
    check_receipt(check, case, lang, Expect(NUMBER, day, method))


@pytest.mark.parametrize("lang", LANGS)
def test_a_training_receipt_is_marked_in_the_donors_language(lang: str) -> None:
    w = WORDS[lang]
    r = render(receipt_data(CASES[0], lang, training=True))
    mark = {"en": "TRAINING — not a real receipt", "es": "ENTRENAMIENTO — no es un recibo real"}
    assert r.subject.startswith(f"{mark[lang]}: ")
    assert r.text.startswith(f"*** {mark[lang]} ***\n")
    assert Html(r.html).texts("p")[0].startswith(mark[lang])
    assert w.keep not in r.text + r.html  # not for the donor's taxes


# ---- the real path: the facade, localstripe, the receipt job, aiosmtpd ---------------------
def received_parts(msg: EmailMessage) -> RenderedReceipt:
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    return RenderedReceipt(str(msg["Subject"]), plain.get_content(), html.get_content())


def test_every_case_through_the_station_localstripe_and_a_real_smtp_server(
    make_station: StationFactory,
    smtp_server: SmtpServer,
    smtp_keyring,  # noqa: F811
    localstripe: str,
) -> None:
    receipts = Receipts(provider="smtp", sender=FROM, host="127.0.0.1", port=smtp_server.port,
                        username=smtp_server.username, timeout=5.0,
                        ca_file=str(smtp_server.cert_file))  # fmt: skip
    st = make_station(settings=event_settings(receipts=receipts),
                      processor=StripeProcessor(KEY, api_base=localstripe))  # fmt: skip
    taken: list[tuple[Case, str, str]] = []
    for lang in LANGS:
        for case in CASES:
            options = GiftOptions(
                cover_fee=bool(case.fee_cents),
                dedication_kind=case.dedication,
                dedication_name=case.dedication_name,
                anonymous=case.anonymous,
                receipt_language=lang,
                goods_description=case.goods.get(lang, ""),
                goods_value_cents=case.goods_value_cents or None,
            )
            o = st.take_card_donation(case.gift_cents, Donor(DONOR, "ada@example.org"), CARD,
                                      options)  # fmt: skip
            assert o.status == "approved", o
            assert o.amount_cents == case.paid_cents  # the fee on top, as the case says
            taken.append((case, lang, o.donation_id))
    st.start_jobs()
    jobs = wait_settled(st)
    assert {j.state for j in jobs} == {"done"}
    received = {str(m["X-Tableside-Receipt"]): m for m in smtp_server.received()}
    assert len(received) == len(taken) == len(smtp_server.messages)
    assert all(m["tls"] for m in smtp_server.messages)
    for case, lang, donation_id in taken:
        [job] = [j for j in jobs if j.donation_id == donation_id and j.kind == "receipt"]
        msg = received[job.receipt_number or ""]
        assert msg["To"] == f"{DONOR} <ada@example.org>"
        assert msg["From"] == f"{ORG} <{FROM}>"
        day = st.donation(donation_id).created_at.astimezone().date()
        try:
            check_receipt(received_parts(msg), case, lang,
                          Expect(job.receipt_number or "", day, "Visa •••• 4242"))  # fmt: skip
        except AssertionError as exc:
            raise AssertionError(f"{case.name} in {lang}: {exc}") from exc
