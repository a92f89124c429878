"""Donor details and their checks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cards import contains_card_data

# Deliberately practical, not RFC 5322: one @, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


@dataclass(frozen=True)
class Donor:
    name: str = ""
    email: str = ""


def email_error(email: str) -> str | None:
    email = email.strip()
    if not email:
        return None  # optional: no email means no receipt, which the UI says
    if contains_card_data(email):  # it would be stored, and sent to the email service
        return "That looks like card data, not an email address. Clear it and type the email."
    if len(email) > 254 or not _EMAIL.match(email) or ".." in email:
        return "That email address doesn't look right (like name@example.org)."
    return None


def donor_errors(donor: Donor) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(donor.name) > 200:
        errors["name"] = "The name is too long."
    elif contains_card_data(donor.name):  # a card swiped or typed into the name field
        errors["name"] = "That looks like card data, not a name. Clear it and type the name."
    err = email_error(donor.email)
    if err:
        errors["email"] = err
    return errors
