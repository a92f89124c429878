"""Money as integer cents: parsing what a volunteer types and formatting it back."""

from __future__ import annotations

import re

_AMOUNT_RE = re.compile(r"^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d{0,2}))?$")


class AmountError(ValueError):
    """The typed amount is not a usable sum of money; the message is for the volunteer."""


def parse_amount(text: str) -> int:
    """Parse "$1,250.5" style input into cents. Raises AmountError with a plain message."""
    cleaned = text.strip()
    if not cleaned:
        raise AmountError("Enter an amount.")
    match = _AMOUNT_RE.match(cleaned)
    if not match or (match.group(1) is None and not match.group(2)):
        raise AmountError("Enter the amount as a number, like 50 or 50.00.")
    try:
        whole = int((match.group(1) or "0").replace(",", ""))
    except ValueError:  # more digits than int() converts (4300): a stuck key or a paste
        raise AmountError("Enter the amount as a number, like 50 or 50.00.") from None
    frac = (match.group(2) or "").ljust(2, "0")
    return whole * 100 + int(frac)


def check_amount(cents: object, max_cents: int) -> None:
    """Raise AmountError unless `cents` is an int (not a bool, a float, NaN or text) and
    0 < cents <= max_cents. A float row once broke every CSV export after it."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise AmountError("The amount must be a whole number of cents.")
    if cents <= 0:
        raise AmountError("The amount must be more than $0.00.")
    if cents > max_cents:
        raise AmountError(
            f"That is more than the {format_cents(max_cents)} limit for one gift. "
            "Check the amount, or ask the event lead."
        )


def format_cents(cents: int, currency: str = "usd") -> str:
    """Format cents as "$1,250.50". Other currencies get their ISO code as a suffix."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    if currency.lower() == "usd":
        return f"{sign}${whole:,}.{frac:02d}"
    return f"{sign}{whole:,}.{frac:02d} {currency.upper()}"
