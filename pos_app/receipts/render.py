"""Render a receipt (subject, plain text, HTML) from the templates in resources/receipts.

Templates use `string.Template` placeholders ($org_name, $amount, ...); values are HTML-
escaped for the HTML part. The acknowledgment is what a donor needs for taxes: "No goods
or services were provided..." or, when the event gives goods (a dinner), their fair market
value and the deductible part.
"""

from __future__ import annotations

import datetime as dt
import html
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

from pos_app.domain.cards import BRANDS_BY_KEY
from pos_app.domain.money import format_cents
from resources import RESOURCES

TEMPLATES = RESOURCES / "receipts"
NO_GOODS = "No goods or services were provided in exchange for this contribution."


@dataclass(frozen=True)
class ReceiptData:
    """Everything printed on one receipt: plain data, no card number (only last 4)."""

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
    payment_reference: str | None = None  # the processor's payment id, for card gifts
    org_name: str = ""
    org_address: str = ""
    tax_id: str = ""
    event_name: str = ""
    thanks_text: str = ""
    goods_description: str = ""
    goods_value_cents: int = 0


@dataclass(frozen=True)
class RenderedReceipt:
    subject: str
    text: str
    html: str


def acknowledgment(data: ReceiptData) -> str:
    if data.goods_value_cents <= 0:
        return NO_GOODS
    goods = data.goods_description.strip() or "goods or services"
    fmv = format_cents(data.goods_value_cents, data.currency)
    deductible = format_cents(max(0, data.amount_cents - data.goods_value_cents), data.currency)
    return (
        f"In exchange for this contribution you received {goods} with an estimated fair "
        f"market value of {fmv}. The amount of your contribution that is deductible for "
        f"federal income tax purposes is limited to the excess of your contribution over "
        f"that value: {deductible}."
    )


def method_label(data: ReceiptData) -> str:
    if data.method == "card":
        brand = BRANDS_BY_KEY.get(data.brand or "")
        label = brand.label if brand else "Card"
        return f"{label} •••• {data.last4}" if data.last4 else label
    if data.method == "check":
        return f"Check #{data.check_number}" if data.check_number else "Check"
    return data.method.capitalize()


def fields(data: ReceiptData) -> dict[str, str]:
    local = data.donated_at.astimezone() if data.donated_at.tzinfo else data.donated_at
    return {
        "org_name": data.org_name,
        "org_address": data.org_address,
        "tax_id": data.tax_id or "—",
        "event_name": data.event_name or "our event",
        "receipt_number": data.receipt_number,
        "donor_greeting": data.donor_name.strip() or "friend",
        "amount": format_cents(data.amount_cents, data.currency),
        "date": f"{local:%B} {local.day}, {local:%Y}",
        "method": method_label(data),
        "reference": data.payment_reference or data.donation_id,
        "acknowledgment": acknowledgment(data),
        "thanks_text": data.thanks_text.strip() or "Your support makes our work possible.",
    }


@lru_cache(maxsize=8)
def _template(path: Path) -> Template:
    return Template(path.read_text(encoding="utf-8"))


def render(data: ReceiptData, templates: Path = TEMPLATES) -> RenderedReceipt:
    """Render all three parts. Raises KeyError if a template names an unknown field."""
    values = fields(data)
    escaped = {k: html.escape(v) for k, v in values.items()}
    subject = _template(templates / "subject.txt").substitute(values).strip()
    plain = dict(values, acknowledgment=textwrap.fill(values["acknowledgment"], 72))
    text = _template(templates / "receipt.txt").substitute(plain)
    text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    page = _template(templates / "receipt.html").substitute(escaped)
    return RenderedReceipt(subject=" ".join(subject.split()), text=text, html=page)
