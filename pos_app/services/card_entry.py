"""How this station takes a card: on the reader, typed on the laptop, or either.

With a real reader set (Stripe Terminal), Card means "on the reader" and typing a card
number is off unless the lead allows it as a fallback (Settings; `[payments] keyed_entry`).
Training has its simulated reader beside keyed entry, so volunteers drill both. The window
reads this to show the right card form and to say which entry is in force.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.settings import Settings

READER = "reader"
KEYED = "keyed"


@dataclass(frozen=True)
class CardEntry:
    reader: bool  # a reader to take cards on (Terminal's, or training's)
    keyed: bool  # typing a card number on the laptop is allowed
    default: str  # READER or KEYED: what Card means when the form opens
    reader_label: str = ""  # "Training reader", "tmr_…"
    simulated: bool = False  # the donor's part can be played from the laptop (training)

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(e for e, ok in ((READER, self.reader), (KEYED, self.keyed)) if ok)

    def describe(self) -> str:
        """One line for the window: which entry is in force, and who can change it."""
        if self.reader and self.keyed:
            return "Card on the reader, or typed on the laptop (Alt+D / Alt+T switch)."
        if self.reader:
            return "Card on the reader. Typing a card number is off (the lead can allow it)."
        return "Card typed on the laptop (or swiped into it)."


def card_entry(
    settings: Settings, *, has_reader: bool, training: bool, reader_label: str, simulated: bool
) -> CardEntry:
    mode = settings.payments.keyed_entry
    real_reader = has_reader and not training
    keyed = mode == "on" or (mode == "auto" and not real_reader) or not has_reader
    default = READER if has_reader and (real_reader or not keyed) else KEYED
    return CardEntry(
        reader=has_reader,
        keyed=keyed,
        default=default,
        reader_label=reader_label if has_reader else "",
        simulated=simulated,
    )
