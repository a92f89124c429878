"""Magstripe track data, as a USB reader types it: parse tracks 1 and 2 into a Card.

Readers act as keyboards and type e.g.
``%B4111111111111111^DOE/JANE^2812101000000000?;4111111111111111=28121010000000000?``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cards import luhn_ok

# re.ASCII: \d is 0-9 only, so other scripts' digits never end up in a card number.
_TRACK1 = re.compile(r"%B(\d{12,19})\^([^^]{0,26})\^(\d{2})(\d{2})\d*[^?]*\?", re.ASCII)
_TRACK2 = re.compile(r";(\d{12,19})=(\d{2})(\d{2})\d*\?", re.ASCII)


class SwipeError(ValueError):
    """Unreadable swipe. The message is what the volunteer should do."""

    def __init__(self) -> None:
        super().__init__("Swipe again or type the card.")


@dataclass(frozen=True)
class Swipe:
    number: str
    exp_month: int
    exp_year: int
    name: str | None  # "JANE DOE", from track 1 only

    def __repr__(self) -> str:
        return f"Swipe(•••• {self.number[-4:]})"


def looks_like_swipe(text: str) -> bool:
    """True when text starts like track data, so a field can hand it to the parser."""
    t = text.lstrip()
    return t.startswith("%B") or (t.startswith(";") and len(t) > 1 and t[1].isdigit())


def _name(raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    last, _, first = raw.partition("/")
    full = f"{first.strip()} {last.strip()}".strip() if first else last.strip()
    return " ".join(w.capitalize() for w in full.split()) or None


def parse_swipe(text: str) -> Swipe:
    """Parse track 1, else track 2. Raises SwipeError for anything unusable."""
    m1 = _TRACK1.search(text)
    if m1:
        number, raw_name, yy, mm = m1.groups()
        name = _name(raw_name)
    else:
        m2 = _TRACK2.search(text)
        if not m2:
            raise SwipeError()
        number, yy, mm = m2.groups()
        name = None
    month = int(mm)
    if not luhn_ok(number) or not 1 <= month <= 12:
        raise SwipeError()
    return Swipe(number=number, exp_month=month, exp_year=2000 + int(yy), name=name)
