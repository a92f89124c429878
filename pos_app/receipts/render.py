"""Render a receipt (subject, plain text, HTML) from the Jinja2 templates in resources/receipts.
The same machinery writes the other emails a donor gets: a dedication notice
(`render_notice`) and a pledge's pay link (`render_pay_link`), each in the gift's language.

One set of templates serves every language: their words sit in Jinja2's i18n tags and a
gettext catalog translates them (receipts/i18n.py). Money and dates are formatted by Babel
for the donor's language. HTML is autoescaped (what people typed can never become markup);
the plain-text part is not escaped, and is wrapped at 72 columns.

What a receipt states, so the donor can file it (IRS Publication 1771):
- the amount paid, with the part the donor added to cover the processing fee;
- the fair market value of goods or services received (a dinner, a ticket) and the
  deductible part, or "No goods or services were provided...";
- when a payment over $75 is partly for goods or services, the quid-pro-quo disclosure;
- a dedication ("in honour of" / "in memory of"), and for an anonymous gift a line saying
  it is listed anonymously (the receipt itself still goes to the donor, by name);
- for a card read by chip or tap on a reader, the EMV lines card networks require
  (application name, AID, how the cardholder was verified, entry mode: receipts/emv.py).

Read as a donor: the amount is stated once (in the tax block), the receipt number is the
one reference (the processor's payment id is for the books, not the donor), lines the
organisation hasn't configured (address, EIN) are left out rather than printed empty, and a
gift taken in training mode says "TRAINING — not a real receipt" in the subject and at the
top of both parts, without the "keep this for your taxes" line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pos_app.domain.cards import BRANDS_BY_KEY
from resources import RESOURCES

from .emv import emv_lines
from .i18n import CATALOGS, babel_locale, normalize, translations

TEMPLATES = RESOURCES / "receipts"
NO_GOODS = "No goods or services were provided in exchange for this contribution."
# IRS Pub 1771: a payment over $75 made partly for goods or services needs a written
# disclosure of their value and of the deductible part.
QUID_PRO_QUO_THRESHOLD_CENTS = 7500
DEDICATIONS = ("honour", "memory")  # "in honour of" / "in memory of"


@dataclass(frozen=True)
class ReceiptData:
    """Everything printed on one receipt: plain data, no card number (only last 4).

    `amount_cents` is what the donor paid, `fee_cents` the part of it they added to cover
    the processing fee (0 when they didn't)."""

    receipt_number: str
    donation_id: str
    amount_cents: int
    currency: str
    donated_at: dt.datetime
    method: str  # card | cash | check
    donor_name: str = ""
    donor_email: str = ""
    brand: str | None = None
    last4: str | None = None
    check_number: str | None = None
    # The processor's payment id: for the books and logs, never printed for the donor.
    payment_reference: str | None = None
    org_name: str = ""
    org_address: str = ""
    tax_id: str = ""
    event_name: str = ""
    thanks_text: str = ""
    goods_description: str = ""
    goods_value_cents: int = 0
    language: str = "en"
    fee_cents: int = 0
    dedication_kind: str = ""  # "" | honour | memory
    dedication_name: str = ""
    anonymous: bool = False
    # A card on a reader: Stripe's read_method and the charge's EMV receipt fields.
    entry_mode: str | None = None
    emv_application: str | None = None
    emv_aid: str | None = None
    emv_cvm: str | None = None  # cardholder_verification_method: none, online_pin, ...
    emv_auth_code: str | None = None
    training: bool = False  # taken in training mode: marked as not a real receipt


@dataclass(frozen=True)
class RenderedReceipt:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class PayLinkData:
    """The email that carries a pledge's pay link: the amount, the link and until when it
    works, in the donor's language. No card data: the donor types the card on the
    processor's page."""

    amount_cents: int
    currency: str
    url: str
    donor_name: str = ""
    org_name: str = ""
    event_name: str = ""
    expires_at: dt.datetime | None = None  # None: the expiry line is left out
    language: str = "en"
    training: bool = False  # a training station's link: nobody can pay it


@dataclass(frozen=True)
class NoticeData:
    """A dedication notice: told to the person the donor named. Never the amount."""

    donor_name: str
    dedication_kind: str  # honour | memory
    dedication_name: str
    recipient_name: str = ""
    org_name: str = ""
    event_name: str = ""
    anonymous: bool = False
    language: str = "en"
    training: bool = False  # the gift was taken in training mode: marked as not real


def deductible_cents(data: ReceiptData) -> int:
    return max(0, data.amount_cents - max(0, data.goods_value_cents))


def needs_disclosure(data: ReceiptData) -> bool:
    """The quid-pro-quo disclosure is required: over $75 and partly for goods/services."""
    return data.goods_value_cents > 0 and data.amount_cents > QUID_PRO_QUO_THRESHOLD_CENTS


def money(cents: int, currency: str, language: str) -> str:
    return format_currency(Decimal(cents) / 100, currency.upper(), locale=babel_locale(language))


@lru_cache(maxsize=8)
def environment(language: str, templates: Path = TEMPLATES) -> Environment:
    """One environment per language: installing translations on a shared one would race
    between the job threads rendering receipts at once."""
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(["html"], default_for_string=False, default=False),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language, CATALOGS), newstyle=True)
    env.filters["col"] = lambda s, width: str(s).ljust(max(width, len(str(s)) + 1))
    return env


def _gettext(language: str) -> Any:
    return translations(normalize(language), CATALOGS).gettext


def method_label(data: ReceiptData) -> str:
    _ = _gettext(data.language)
    if data.method == "card":
        brand = BRANDS_BY_KEY.get(data.brand or "")
        label = brand.label if brand else _("Card")
        return f"{label} •••• {data.last4}" if data.last4 else label
    if data.method == "check":
        return _("Check #%(number)s") % {"number": data.check_number} if data.check_number else _(
            "Check"
        )
    if data.method == "cash":
        return _("Cash")
    return data.method.capitalize()


def fields(data: ReceiptData) -> dict[str, Any]:
    """The values the templates use (strings and flags; the templates hold the words)."""
    lang = normalize(data.language)
    _ = _gettext(lang)
    local = data.donated_at.astimezone() if data.donated_at.tzinfo else data.donated_at
    cur = data.currency

    def m(cents: int) -> str:
        return money(cents, cur, lang)

    kind = data.dedication_kind if data.dedication_kind in DEDICATIONS else ""
    emv = emv_lines(
        data.entry_mode if data.method == "card" else None,
        data.emv_application,
        data.emv_aid,
        data.emv_cvm,
        data.emv_auth_code,
        _,
    )
    return {
        "org_name": data.org_name,
        "org_address": _one_line(data.org_address),  # "" leaves the line out
        "tax_id": data.tax_id.strip(),  # "" leaves the EIN line out
        "event_name": data.event_name or _("our event"),
        "receipt_number": data.receipt_number,
        "donor_greeting": data.donor_name.strip() or _("friend"),
        "amount": m(data.amount_cents),
        "gift": m(data.amount_cents - data.fee_cents),
        "fee": m(data.fee_cents),
        "has_fee": data.fee_cents > 0,
        "date": format_date(local.date(), "long", locale=babel_locale(lang)),
        "method": method_label(data),
        "has_goods": data.goods_value_cents > 0,
        "goods": data.goods_description.strip() or _("goods or services"),
        "goods_value": m(max(0, data.goods_value_cents)),
        "deductible": m(deductible_cents(data)),
        "disclosure": needs_disclosure(data),
        "dedication": kind,
        "dedication_name": data.dedication_name.strip(),
        "anonymous": data.anonymous,
        "thanks_text": data.thanks_text.strip(),
        "emv_rows": emv.rows if emv else (),
        "training": data.training,
        "lang": lang,
    }


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def render(data: ReceiptData, templates: Path = TEMPLATES) -> RenderedReceipt:
    """Render all three parts in the gift's language. A template naming an unknown field
    raises jinja2.UndefinedError (StrictUndefined): a typo can't print an empty line."""
    env = environment(normalize(data.language), templates)
    values = fields(data)
    return RenderedReceipt(
        subject=_one_line(env.get_template("subject.txt").render(values)),
        text=_tidy(env.get_template("receipt.txt").render(values)),
        html=env.get_template("receipt.html").render(values),
    )


def render_notice(data: NoticeData, templates: Path = TEMPLATES) -> RenderedReceipt:
    """The short note to the person a dedication names: who gave, in whose name; no amount."""
    lang = normalize(data.language)
    env = environment(lang, templates)
    _ = _gettext(lang)
    values = {
        "donor": _("Someone who wishes to remain anonymous")
        if data.anonymous or not data.donor_name.strip()
        else data.donor_name.strip(),
        "dedication": data.dedication_kind if data.dedication_kind in DEDICATIONS else "honour",
        "dedication_name": data.dedication_name.strip(),
        "recipient": data.recipient_name.strip(),
        "org_name": data.org_name,
        "event_name": data.event_name or _("our event"),
        "training": data.training,
        "lang": lang,
    }
    return RenderedReceipt(
        subject=_one_line(env.get_template("notice_subject.txt").render(values)),
        text=_tidy(env.get_template("notice.txt").render(values)),
        html=env.get_template("notice.html").render(values),
    )


def render_pay_link(data: PayLinkData, templates: Path = TEMPLATES) -> RenderedReceipt:
    """The pay-link email (subject, text, HTML) in the pledge's language: the amount in the
    locale's format, the link on a line of its own (never wrapped), the expiry as the
    locale writes a date and a time, in this computer's time zone."""
    lang = normalize(data.language)
    env = environment(lang, templates)
    _ = _gettext(lang)
    locale = babel_locale(lang)
    until = data.expires_at.astimezone() if data.expires_at else None
    values = {
        "donor_greeting": data.donor_name.strip() or _("friend"),
        "amount": money(data.amount_cents, data.currency, lang),
        "url": data.url,
        "org_name": data.org_name,
        "event_name": data.event_name or _("our event"),
        "until_date": format_date(until.date(), "full", locale=locale) if until else "",
        "until_time": format_time(until.time(), "short", locale=locale) if until else "",
        "training": data.training,
        "lang": lang,
    }
    return RenderedReceipt(
        subject=_one_line(env.get_template("paylink_subject.txt").render(values)),
        text=_tidy(env.get_template("paylink.txt").render(values)),
        html=env.get_template("paylink.html").render(values),
    )
