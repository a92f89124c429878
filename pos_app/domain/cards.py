"""Card checks done before any network call: Luhn, brand rules, expiry, CVC, masking.

A Card lives only in memory. Nothing here writes anywhere, and `Card.__repr__` never
shows the number or CVC, so a card that ends up in a log line or a traceback stays masked.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Brand:
    key: str  # Stripe's brand key: visa, mastercard, amex, discover, ...
    label: str
    lengths: tuple[int, ...]
    cvc_length: int
    groups: tuple[int, ...]  # how the number is grouped for display


VISA = Brand("visa", "Visa", (13, 16, 19), 3, (4, 4, 4, 4, 3))
MASTERCARD = Brand("mastercard", "Mastercard", (16,), 3, (4, 4, 4, 4))
AMEX = Brand("amex", "American Express", (15,), 4, (4, 6, 5))
DISCOVER = Brand("discover", "Discover", (16, 19), 3, (4, 4, 4, 4, 3))
DINERS = Brand("diners", "Diners Club", (14, 16), 3, (4, 6, 4))
JCB = Brand("jcb", "JCB", (16, 19), 3, (4, 4, 4, 4, 3))
UNKNOWN = Brand("unknown", "Card", (12, 13, 14, 15, 16, 17, 18, 19), 3, (4, 4, 4, 4, 3))

BRANDS_BY_KEY = {b.key: b for b in (VISA, MASTERCARD, AMEX, DISCOVER, DINERS, JCB)}


_DIGITS = frozenset("0123456789")


_NOT_ASCII_DIGITS = re.compile(r"[^0-9]+")


def digits_only(text: str) -> str:
    # ASCII only: str.isdigit() is also true for "²", "４" etc., which int() refuses or a
    # processor would not take.
    return _NOT_ASCII_DIGITS.sub("", text)


def _is_digits(text: str) -> bool:
    return bool(text) and all(ch in _DIGITS for ch in text)


def detect_brand(number: str) -> Brand | None:
    """The brand as soon as the leading digits tell it, else None."""
    n = digits_only(number)
    if not n:
        return None
    if n[0] == "4":
        return VISA
    if len(n) >= 2 and n[:2] in ("34", "37"):
        return AMEX
    if len(n) >= 2 and 51 <= int(n[:2]) <= 55:
        return MASTERCARD
    if len(n) >= 4 and 2221 <= int(n[:4]) <= 2720:
        return MASTERCARD
    if n.startswith("6011") or n.startswith("65") or (len(n) >= 3 and 644 <= int(n[:3]) <= 649):
        return DISCOVER
    if len(n) >= 2 and n[:2] in ("36", "38", "39") or (len(n) >= 3 and 300 <= int(n[:3]) <= 305):
        return DINERS
    if len(n) >= 4 and 3528 <= int(n[:4]) <= 3589:
        return JCB
    return None


def luhn_ok(number: str) -> bool:
    n = digits_only(number)
    if not n:
        return False
    total = 0
    for i, ch in enumerate(reversed(n)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# Free text (a donor's name or email, a check number, a log line) must never carry card data
# to disk. ONE detector for the validators and the log redactor (pos_app/logs.py), so what
# one lets through the other would not have caught either.
_TRACK_START = re.compile(r"%B[0-9]{12,19}|;[0-9]{12,19}=")
# Between the groups of a typed number: any whitespace (double spaces, NBSP, tabs),
# zero-width characters, dashes of every kind, dots, slashes, underscores; up to three.
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_SEPARATOR_CHARS = frozenset("-./_\\")
MAX_SEPARATORS = 3
LONG_GROUP = 200  # a digit blob longer than this is masked whole, not searched inside


def _digit(ch: str) -> str | None:
    """The ASCII digit `ch` stands for: "4", a full-width "４", an Arabic-Indic digit."""
    if ch in _DIGITS:
        return ch
    value = unicodedata.decimal(ch, None) if ord(ch) > 127 else None
    return None if value is None else str(value)


def _separator(ch: str) -> bool:
    return (
        ch in _SEPARATOR_CHARS
        or ch.isspace()
        or ch in _ZERO_WIDTH
        or unicodedata.category(ch) == "Pd"
    )


@dataclass(frozen=True)
class CardSpan:
    """Where a card number sits in a text: [start, end) and its digits (to show the last 4)."""

    start: int
    end: int
    digits: str


_DIGIT_GROUP = re.compile(r"\d+")  # str patterns: \d is every Unicode decimal digit (Nd)


def _runs(text: str) -> list[list[tuple[int, int, str]]]:
    """Runs of digit groups joined by short separators: [(start, end, digits), ...]. The
    groups are found by the regex engine (this runs on every log line and typed field)."""
    runs: list[list[tuple[int, int, str]]] = []
    run: list[tuple[int, int, str]] = []
    for m in _DIGIT_GROUP.finditer(text):
        start, end = m.span()
        found = m.group()
        digits = found if found.isascii() else "".join(_digit(c) or "" for c in found)
        group = (start, end, digits)
        gap = text[run[-1][1] : start] if run else ""
        if run and len(gap) <= MAX_SEPARATORS and all(_separator(c) for c in gap):
            run.append(group)
        else:
            if run:
                runs.append(run)
            run = [group]
    if run:
        runs.append(run)
    return runs


# Unicode's dashes (category Pd, Unicode 15 as in Python 3.11), spelled out so importing
# this module never walks the code points; tests/test_domain_cards.py checks the list.
DASHES = (
    "\u002d\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a"
    "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"
)


def _separator_class() -> str:
    r"""The separators above as one regex character class (whitespace aside: `\s`)."""
    chars = set(_SEPARATOR_CHARS) | set(_ZERO_WIDTH) | set(DASHES)
    return "".join(re.escape(c) for c in sorted(chars))


# Thirteen digits or more with at most three separators between two digits: what any card
# number below needs. Most text (every log line, every typed name) has no such stretch,
# and the regex engine says so far faster than the search below.
_CANDIDATE = re.compile(rf"(?:\d[\s{_separator_class()}]{{0,{MAX_SEPARATORS}}}){{12,}}\d")


def card_number_spans(text: str) -> list[CardSpan]:
    """Every card number in `text`: 13-19 digits passing Luhn, typed whole or in groups
    (any separators above, full-width digits too), or inside a longer run of digits with a
    card brand's prefix. Text with fewer than 13 digits never holds one."""
    if not _CANDIDATE.search(text):
        return []
    return _spans(text)


def _spans(text: str) -> list[CardSpan]:
    spans: list[CardSpan] = []
    for run in _runs(text):
        i = 0
        while i < len(run):  # the longest Luhn-valid stretch of whole groups from group i
            found, count = None, 0
            for j in range(i, len(run)):
                count += len(run[j][2])
                if count > 19:
                    break
                if count >= 13:
                    digits = "".join(g[2] for g in run[i : j + 1])
                    if luhn_ok(digits):
                        found = (j, digits)
            if found is not None:
                j, digits = found
                spans.append(CardSpan(run[i][0], run[j][1], digits))
                i = j + 1
                continue
            start, end, digits = run[i]
            if len(digits) > LONG_GROUP:
                spans.append(CardSpan(start, end, digits[-4:]))
            elif len(digits) > 13:
                span = _inside(start, end, digits)
                if span is not None:
                    spans.append(span)
            i += 1
    return spans


def _inside(start: int, end: int, group: str) -> CardSpan | None:
    """A card number hidden in a longer run of digits ("00424242...42420"): the whole run."""
    for offset in range(max(0, len(group) - 12)):
        for length in range(13, min(19, len(group) - offset) + 1):
            window = group[offset : offset + length]
            if detect_brand(window) is not None and luhn_ok(window):
                return CardSpan(start, end, window)
    return None


def contains_card_data(text: str) -> bool:
    """True when `text` holds magstripe track data or a card number in any spelling (see
    `card_number_spans`). For the free-text fields, so a card swiped or typed into the
    wrong field is refused instead of stored."""
    if _TRACK_START.search(unicodedata.normalize("NFKC", text)):
        return True
    return bool(card_number_spans(text))


def group_number(number: str) -> str:
    """Group digits for display as the volunteer types: "4242 4242 4242 4242"."""
    n = digits_only(number)[:19]
    brand = detect_brand(n) or UNKNOWN
    parts, i = [], 0
    for size in brand.groups:
        if i >= len(n):
            break
        parts.append(n[i : i + size])
        i += size
    if i < len(n):
        parts.append(n[i:])
    return " ".join(parts)


@dataclass(frozen=True)
class Card:
    """Card data typed or swiped at the table. Memory only; never persisted or logged."""

    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False, default="")
    postal_code: str | None = None
    cardholder: str | None = None

    @property
    def digits(self) -> str:
        return digits_only(self.number)

    @property
    def last4(self) -> str:
        return self.digits[-4:]

    @property
    def brand(self) -> Brand:
        return detect_brand(self.digits) or UNKNOWN

    def __repr__(self) -> str:  # explicit: a card in a traceback shows only its last four
        return f"Card(•••• {self.last4}, {self.exp_month:02d}/{self.exp_year % 100:02d})"

    __str__ = __repr__


def normalize_year(year: int) -> int:
    return year + 2000 if year < 100 else year


def parse_expiry(text: str) -> tuple[int, int]:
    """Parse "MM/YY", "MMYY" or "MM/YYYY" into (month, four-digit year); ValueError if not."""
    t = text.strip().replace(" ", "")
    if "/" in t:
        mm, _, yy = t.partition("/")
    elif _is_digits(t) and len(t) in (4, 6):
        mm, yy = t[:2], t[2:]
    else:
        raise ValueError("Enter the expiry as MM/YY.")
    if not (_is_digits(mm) and _is_digits(yy) and len(yy) in (2, 4)):
        raise ValueError("Enter the expiry as MM/YY.")
    month = int(mm)
    if not 1 <= month <= 12:
        raise ValueError("The month must be 01 to 12.")
    return month, normalize_year(int(yy))


def card_errors(card: Card, today: dt.date | None = None) -> dict[str, str]:
    """Field name -> plain-language problem, for every problem found. Empty when fine."""
    errors: dict[str, str] = {}
    n = card.digits
    brand = detect_brand(n)
    if not n:
        errors["number"] = "Enter the card number."
    elif brand is None and len(n) >= 6:
        errors["number"] = "This card type isn't accepted. Ask for another card."
    elif n and len(n) not in (brand or UNKNOWN).lengths:
        b = brand or UNKNOWN
        want = " or ".join(str(x) for x in b.lengths)
        errors["number"] = f"{b.label} numbers have {want} digits; this one has {len(n)}."
    elif not luhn_ok(n):
        errors["number"] = "That card number isn't valid. Check it or swipe again."
    today = today or dt.date.today()
    if not 1 <= card.exp_month <= 12:
        errors["expiry"] = "Enter the expiry as MM/YY."
    elif (normalize_year(card.exp_year), card.exp_month) < (today.year, today.month):
        errors["expiry"] = "This card has expired. Ask for another card."
    elif normalize_year(card.exp_year) > today.year + 20:
        errors["expiry"] = "Check the expiry year."
    want_cvc = (brand or UNKNOWN).cvc_length
    if not card.cvc:
        errors["cvc"] = f"Enter the {want_cvc}-digit security code."
    elif not _is_digits(card.cvc) or len(card.cvc) != want_cvc:
        where = "on the front" if want_cvc == 4 else "on the back"
        errors["cvc"] = f"The security code is {want_cvc} digits, {where} of the card."
    if card.postal_code is not None and len(card.postal_code.strip()) > 10:
        errors["postal_code"] = "Check the postal code."
    return errors
