"""Donor details and their checks.

International addresses: a domain with accents is sent in its ASCII (IDNA 2008) form,
which every mail system understands. An address with accents or other non-ASCII letters
*before* the @ is refused at the field, on purpose: it needs SMTPUTF8 from our server to
the donor's mailbox, SendGrid's API doesn't take one (its spec wants an ASCII `email`),
and most receiving servers don't offer it, so the receipt would bounce after the donor has
gone home. At the field the donor is still there to give another address.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import idna

from .cards import contains_card_data

# Deliberately practical, not RFC 5322: one @, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


@dataclass(frozen=True)
class Donor:
    name: str = ""
    email: str = ""


def text_error(text: str) -> str | None:
    """Text that can't be stored or sent as typed: NUL and other control characters (a
    header could be split by a line break), lone surrogates (not encodable as UTF-8)."""
    for ch in text:
        if 0xD800 <= ord(ch) <= 0xDFFF or unicodedata.category(ch) == "Cc":
            return "It has characters Tableside can't keep. Clear it and type it again."
    return None


def email_error(email: str) -> str | None:
    email = email.strip()
    if not email:
        return None  # optional: no email means no receipt, which the UI says
    if text_error(email):
        return "The email address has characters that can't be sent. Type it again."
    if contains_card_data(email):  # it would be stored, and sent to the email service
        return "That looks like card data, not an email address. Clear it and type the email."
    if len(email) > 254 or not _EMAIL.match(email) or ".." in email:
        return "That email address doesn't look right (like name@example.org)."
    local, _, domain = email.rpartition("@")
    if not local.isascii():
        # Needs SMTPUTF8 all the way to the donor's mailbox, which a receipt can't count on:
        # refused here rather than sent with a broken To: header.
        return (
            "Tableside can't send receipts to an address with accents or other letters "
            "before the @. Ask the donor for another address."
        )
    if not domain.isascii():
        try:
            ascii_domain(domain)
        except UnicodeError:
            return "The part after the @ doesn't look right. Check the email address."
    return None


def ascii_domain(domain: str) -> str:
    """IDNA 2008 with UTS #46 mapping, not Python's IDNA 2003 codec, which turns ß into ss
    (and ς into σ): straße.de would become strasse.de, someone else's domain."""
    return idna.encode(domain, uts46=True).decode("ascii")


def sendable_email(email: str) -> str:
    """The address as it goes on the wire: an international domain in its ASCII (IDNA)
    form, so every sender builds a plain To: header. `email_error` must have passed."""
    local, _, domain = email.strip().rpartition("@")
    if domain and not domain.isascii():
        domain = ascii_domain(domain)
    return f"{local}@{domain}" if local else email.strip()


def donor_errors(donor: Donor) -> dict[str, str]:
    errors: dict[str, str] = {}
    if text_error(donor.name):
        errors["name"] = "The name has characters Tableside can't keep. Type it again."
    elif len(donor.name) > 200:
        errors["name"] = "The name is too long."
    elif contains_card_data(donor.name):  # a card swiped or typed into the name field
        errors["name"] = "That looks like card data, not a name. Clear it and type the name."
    err = email_error(donor.email)
    if err:
        errors["email"] = err
    return errors
