"""The chip and contactless fields card networks want on a receipt, in words.

A gift taken on a reader keeps what Stripe's charge said (services/reader.py): the card's
application name ("Visa Credit"), its AID (EMV tag 84, e.g. A0000000031010), how the
cardholder was verified (`cardholder_verification_method`) and how the card was read.
These lines go on the emailed receipt and the lead's donation detail, only for chip and tap
gifts (a swiped or typed card has no EMV data). The words are English msgids, translated
by the receipt's catalog (resources/receipts/locale); the desk shows them as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pos_app.payments.card_present import entry_mode_label


def _mark(text: str) -> str:
    """Marks a msgid for the catalog; translated where it is shown."""
    return text


# entry_mode_label()'s word -> how the card was read, for people
ENTRY_WORDS = {"tap": _mark("Contactless (tap)"), "chip": _mark("Chip")}
# Stripe's cardholder_verification_method -> what the donor did
VERIFICATION_WORDS = {
    "none": _mark("No signature required"),
    "signature": _mark("Signature"),
    "online_pin": _mark("PIN verified"),
    "offline_pin": _mark("PIN verified"),
    "offline_pin_and_signature": _mark("PIN verified and signature"),
}
LABELS = {
    "entry": _mark("Entry mode"),
    "application": _mark("Application"),
    "aid": _mark("AID"),
    "verification": _mark("Verification"),
    "authorization_code": _mark("Authorization code"),
}


@dataclass(frozen=True)
class EmvLines:
    """(label, value) rows, in receipt order; only the ones with a value."""

    rows: tuple[tuple[str, str], ...]


def emv_lines(
    read_method: str | None,
    application: str | None,
    aid: str | None,
    verification: str | None,
    authorization_code: str | None,
    gettext: Callable[[str], str] = _mark,
) -> EmvLines | None:
    """The rows for a chip or tap gift; None for anything else (swiped, typed, cash)."""
    entry = ENTRY_WORDS.get(entry_mode_label(read_method))
    if entry is None:
        return None
    cvm = (verification or "").strip()
    values = {
        "entry": gettext(entry),
        "application": (application or "").strip(),
        "aid": (aid or "").strip(),
        # a value Stripe adds later is shown as it comes rather than guessed at
        "verification": gettext(VERIFICATION_WORDS[cvm]) if cvm in VERIFICATION_WORDS else cvm,
        "authorization_code": (authorization_code or "").strip(),
    }
    return EmvLines(tuple((gettext(LABELS[k]), v) for k, v in values.items() if v))
