"""The core's words, shown in the window's language.

The core (services, payments, domain) has no Qt and speaks English: an outcome's message,
a field's problem, a reader's advice. The window shows them through `shown()`, which
translates sentence by sentence from the "core" context of the Qt catalogue, so
"Cancelled on the reader. Nothing was charged." is two known sentences, whatever the
combination. A sentence not in the list stays English (tests/test_gui_spanish.py checks
that the core's fixed messages are all here). A sentence with a name or number in it
("Paddle 112 is taken (Grace Hopper).") is one of PATTERNS: its words translated, the
name or number put back where the translation says.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "core"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

SENTENCES = (
    # the training processor's and reader's names (payments registry, card entry)
    QT_TRANSLATE_NOOP("core", "Training (simulator)"),
    QT_TRANSLATE_NOOP("core", "Training reader"),
    QT_TRANSLATE_NOOP("core", "Ask for another card."),
    QT_TRANSLATE_NOOP("core", "Check the number, or check them in first."),
    # gift options (domain/gift.py)
    QT_TRANSLATE_NOOP("core", "Enter the name the gift is dedicated to."),
    QT_TRANSLATE_NOOP("core", "Say whom the gift honours before adding an email."),
    QT_TRANSLATE_NOOP("core", "Choose “in honour of” or “in memory of”."),
    QT_TRANSLATE_NOOP("core", "Cancelled on the reader."),
    QT_TRANSLATE_NOOP("core", "Check it or swipe again."),
    QT_TRANSLATE_NOOP("core", "Check the amount, or ask the event lead."),
    QT_TRANSLATE_NOOP("core", "Check the email address."),
    QT_TRANSLATE_NOOP("core", "Check the expiry year."),
    QT_TRANSLATE_NOOP("core", "Check the number and try again, or ask for another card."),
    QT_TRANSLATE_NOOP("core", "Check the postal code."),
    QT_TRANSLATE_NOOP(
        "core", "Check the security code and try again, or ask for another card."
    ),
    QT_TRANSLATE_NOOP("core", "Clear it and type it again."),
    QT_TRANSLATE_NOOP("core", "Clear it and type the email."),
    QT_TRANSLATE_NOOP("core", "Clear it and type the name."),
    QT_TRANSLATE_NOOP("core", "Couldn't reach the processor."),
    QT_TRANSLATE_NOOP(
        "core", "Don't charge again: Tableside will check it and update this gift."
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Don't charge again: Tableside will check it as soon as the processor is reachable.",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Don't charge this card again; the event lead will check this payment with the "
        "processor.",
    ),
    QT_TRANSLATE_NOOP("core", "Enter an amount."),
    QT_TRANSLATE_NOOP("core", "Enter the amount as a number, like 50 or 50.00."),
    QT_TRANSLATE_NOOP("core", "Enter the card number."),
    QT_TRANSLATE_NOOP("core", "Enter the expiry as MM/YY."),
    QT_TRANSLATE_NOOP("core", "Insufficient funds."),
    QT_TRANSLATE_NOOP("core", "It has characters Tableside can't keep."),
    QT_TRANSLATE_NOOP("core", "No answer from the processor, so this charge is not confirmed yet."),
    QT_TRANSLATE_NOOP("core", "Nothing was charged."),
    QT_TRANSLATE_NOOP("core", "Press Enter to send the amount to the reader again."),
    QT_TRANSLATE_NOOP("core", "Tableside stopped before the reader was asked for the card."),
    QT_TRANSLATE_NOOP("core", "Take the card again with the donor present."),
    QT_TRANSLATE_NOOP("core", "That card number isn't valid."),
    QT_TRANSLATE_NOOP("core", "That email address doesn't look right (like name@example.org)."),
    QT_TRANSLATE_NOOP("core", "That looks like card data, not a name."),
    QT_TRANSLATE_NOOP("core", "That looks like card data, not an email address."),
    QT_TRANSLATE_NOOP("core", "The amount must be a whole number of cents."),
    QT_TRANSLATE_NOOP("core", "The amount must be more than $0.00."),
    QT_TRANSLATE_NOOP("core", "The bank had a processing error."),
    QT_TRANSLATE_NOOP("core", "The bank wants the donor to confirm this payment."),
    QT_TRANSLATE_NOOP("core", "The card has expired."),
    QT_TRANSLATE_NOOP("core", "The card has reached its limit."),
    QT_TRANSLATE_NOOP("core", "The card number is incorrect."),
    QT_TRANSLATE_NOOP("core", "The card was declined."),
    QT_TRANSLATE_NOOP("core", "The email address has characters that can't be sent."),
    QT_TRANSLATE_NOOP("core", "The laptop's disk is full: free space, nothing was charged."),
    QT_TRANSLATE_NOOP(
        "core", "The laptop's disk is full: free space, then record this gift again."
    ),
    QT_TRANSLATE_NOOP("core", "The month must be 01 to 12."),
    QT_TRANSLATE_NOOP("core", "The name has characters Tableside can't keep."),
    QT_TRANSLATE_NOOP("core", "The name is too long."),
    QT_TRANSLATE_NOOP("core", "The part after the @ doesn't look right."),
    QT_TRANSLATE_NOOP("core", "The reader is busy with another payment."),
    QT_TRANSLATE_NOOP(
        "core",
        "The reader is off or asleep: press its power button and wait for its home screen, "
        "then try again.",
    ),
    QT_TRANSLATE_NOOP("core", "The reader timed out waiting for a card."),
    QT_TRANSLATE_NOOP("core", "The security code is incorrect."),
    QT_TRANSLATE_NOOP("core", "This card has expired."),
    QT_TRANSLATE_NOOP("core", "This card type isn't accepted."),
    QT_TRANSLATE_NOOP("core", "This charge is not confirmed yet."),
    QT_TRANSLATE_NOOP("core", "Try again, or ask for another card."),
    QT_TRANSLATE_NOOP("core", "Type it again."),
    QT_TRANSLATE_NOOP(
        "core", "Wait for it to finish (or cancel it on the other station), then try again."
    ),
    QT_TRANSLATE_NOOP("core", "Waiting for the bank to confirm."),
    # check-in: a card kept from the reader (services/check_in.py)
    QT_TRANSLATE_NOOP("core", "The card was not kept."),
    QT_TRANSLATE_NOOP("core", "Try again."),
    QT_TRANSLATE_NOOP("core", "Waiting for the card on the reader."),
    QT_TRANSLATE_NOOP("core", "This station has no card reader."),
    QT_TRANSLATE_NOOP("core", "Tableside stopped before the reader asked for the card."),
    QT_TRANSLATE_NOOP("core", "This card can't be kept on file (a phone wallet can't be)."),
    QT_TRANSLATE_NOOP("core", "The reader's answer was for another guest."),
    QT_TRANSLATE_NOOP(
        "core", "The reader is waiting for another guest's card; finish or cancel that first."
    ),
    QT_TRANSLATE_NOOP("core", "The reader stopped before the card was read."),
    # check-in at the door (services/check_in.py)
    QT_TRANSLATE_NOOP("core", "Enter the guest's name and email as text."),
    QT_TRANSLATE_NOOP("core", "Enter the guest's name."),
    QT_TRANSLATE_NOOP("core", "Type a paddle number (digits only, like 112)."),
    QT_TRANSLATE_NOOP("core", "Couldn't find a free paddle number; type one."),
    QT_TRANSLATE_NOOP("core", "This station's processor can't keep a card on file."),
    QT_TRANSLATE_NOOP("core", "This guest's card is still being saved; wait a moment."),
    QT_TRANSLATE_NOOP("core", "This guest's card is being saved right now; wait a moment."),
    QT_TRANSLATE_NOOP("core", "Couldn't reach the processor, so the card was not kept."),
    QT_TRANSLATE_NOOP("core", "Not confirmed yet: Tableside keeps checking with the processor."),
    QT_TRANSLATE_NOOP("core", "The guest can go in; the card shows as on file once confirmed."),
    QT_TRANSLATE_NOOP(
        "core", "The card's bank wants the guest to confirm it, which can't be done at the table."
    ),
    QT_TRANSLATE_NOOP("core", "Tableside stopped before the card reached the processor."),
    QT_TRANSLATE_NOOP("core", "Receipts are written in English (en) or Spanish (es)."),
    QT_TRANSLATE_NOOP(
        "core",
        "You can take the next donor: this gift finishes by itself, and the lead sees it.",
    ),
)


# Sentences with a name or number in them: {placeholders} match any text.
PATTERNS = (
    # check-in (services/check_in.py)
    QT_TRANSLATE_NOOP("core", "Paddle {paddle} is taken ({name})."),
    QT_TRANSLATE_NOOP("core", "Paddle {paddle} is taken."),
    QT_TRANSLATE_NOOP("core", "{name} is already checked in with paddle {paddle}."),
    QT_TRANSLATE_NOOP("core", "Saved with the {processor} processor."),
    # the paddle raise (services/paddle_raise.py, pledge_charges.py)
    QT_TRANSLATE_NOOP("core", "No guest has paddle {paddle}."),
    QT_TRANSLATE_NOOP("core", "Ask paddle {paddle} for another card: {reason}"),
    QT_TRANSLATE_NOOP("core", "“{title}” is closed."),
)
# a placeholder whose text is itself a sentence of ours, lower-cased after a colon
_SENTENCE_PLACEHOLDERS = ("reason",)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _matcher(source: str) -> re.Pattern[str]:
    pieces = _PLACEHOLDER.split(source)  # text, name, text, name, ..., text
    return re.compile("".join(
        re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.+?)"
        for i, piece in enumerate(pieces)
    ))  # fmt: skip


_MATCHERS = tuple((_matcher(source), source) for source in PATTERNS)


def _sentence(text: str) -> str:
    said = QCoreApplication.translate(CONTEXT, text)
    if said != text:
        return said
    for matcher, source in _MATCHERS:
        found = matcher.fullmatch(text)
        if found:
            parts = found.groupdict()
            for name in _SENTENCE_PLACEHOLDERS:
                if parts.get(name):
                    parts[name] = _lowered(_sentence(parts[name][:1].upper() + parts[name][1:]))
            return QCoreApplication.translate(CONTEXT, source).format(**parts)
    return text


def _lowered(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def shown(message: str) -> str:
    """`message` in the window's language, sentence by sentence."""
    if not message:
        return message
    parts = _SENTENCE_END.split(message.strip())
    return " ".join(_sentence(p) for p in parts)
