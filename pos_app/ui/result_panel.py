"""The result of the last attempt, big enough to read at arm's length.

Every state has a word and a symbol as well as a colour, so colour is never the only signal,
and every change is announced to screen readers (an Alert on the panel, named by its
heading and described by the amount and detail).
While a card waits on a training (simulated) reader, the panel also carries the donor's
part: tap an approving or a declining card, pull the card out, or never tap (F5-F8).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from pos_app.domain.cards import BRANDS_BY_KEY
from pos_app.domain.money import format_cents
from pos_app.payments.card_present import entry_mode_label
from pos_app.services.records import Outcome

from .core_text import shown

# state -> (symbol, heading)
LOOK = {
    "ready": ("", QT_TRANSLATE_NOOP("ResultPanel", "Ready for the next donor")),
    "busy": ("…", QT_TRANSLATE_NOOP("ResultPanel", "Charging")),
    "reader": ("▭", QT_TRANSLATE_NOOP("ResultPanel", "Tap, insert or swipe on the reader")),
    "approved": ("✓", QT_TRANSLATE_NOOP("ResultPanel", "Approved")),
    "recorded": ("✓", QT_TRANSLATE_NOOP("ResultPanel", "Recorded")),
    "declined": ("✕", QT_TRANSLATE_NOOP("ResultPanel", "Declined")),
    "in_doubt": ("?", QT_TRANSLATE_NOOP("ResultPanel", "Waiting for the processor")),
    "failed": ("!", QT_TRANSLATE_NOOP("ResultPanel", "Couldn't reach the processor")),
    "error": ("!", QT_TRANSLATE_NOOP("ResultPanel", "Something went wrong")),
    "pledged": ("✉", QT_TRANSLATE_NOOP("ResultPanel", "Pledge taken")),
}


def card_label(brand: str | None, last4: str | None, entry_mode: str | None = None) -> str:
    b = BRANDS_BY_KEY.get(brand or "")
    name = b.label if b else QCoreApplication.translate("ResultPanel", "Card")
    label = f"{name} •••• {last4}" if last4 else name
    mode = entry_mode_label(entry_mode)
    mode = QCoreApplication.translate("ResultPanel", mode) if mode else ""
    return f"{label} ({mode})" if mode else label


# The training reader's donor: (present_on_reader kind, button text, key)
DONOR_PARTS = (
    ("approve", QT_TRANSLATE_NOOP("ResultPanel", "Tap an approving card"), "F5"),
    ("decline", QT_TRANSLATE_NOOP("ResultPanel", "Tap a declining card"), "F6"),
    ("removed", QT_TRANSLATE_NOOP("ResultPanel", "Pull the card out too soon"), "F7"),
    ("too_long", QT_TRANSLATE_NOOP("ResultPanel", "Donor never taps"), "F8"),
)
ENTRY_WORDS = (  # entry_mode_label's words, for the translation tools
    QT_TRANSLATE_NOOP("ResultPanel", "tap"),
    QT_TRANSLATE_NOOP("ResultPanel", "chip"),
    QT_TRANSLATE_NOOP("ResultPanel", "swipe"),
)


class ResultPanel(QFrame):
    retry_clicked = Signal()
    next_clicked = Signal()
    pledge_clicked = Signal()  # take this gift as a pledge the donor pays by link
    donor_part = Signal(str)  # training: a DONOR_PARTS kind
    announced = Signal(str)  # what a screen reader was just told (tests listen)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("result")
        self.outcome: Outcome | None = None
        self.pledge_allowed = False  # the processor makes pay links (the window says)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        top = QHBoxLayout()
        self.symbol = QLabel()
        self.symbol.setObjectName("resultSymbol")
        self.heading = QLabel()
        self.heading.setObjectName("resultHeading")
        self.heading.setWordWrap(True)
        top.addWidget(self.symbol)
        top.addWidget(self.heading, 1)
        layout.addLayout(top)
        self.amount = QLabel()
        self.amount.setObjectName("resultAmount")
        self.amount.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setObjectName("resultDetail")
        self.detail.setWordWrap(True)
        self.reference = QLabel()
        self.reference.setObjectName("resultReference")
        self.reference.setWordWrap(True)
        self.reference.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: moves while the processor thinks
        self.busy.setTextVisible(False)
        for w in (self.amount, self.detail, self.reference, self.busy):
            layout.addWidget(w)
        self.donor_box = QGroupBox(self.tr("Training: play the donor"))
        self.donor_box.setObjectName("donorBox")
        donor = QVBoxLayout(self.donor_box)
        self.donor_buttons: dict[str, QPushButton] = {}
        for kind, text, key in DONOR_PARTS:
            b = QPushButton(f"{self.tr(text)}  ({key})")
            b.setObjectName(f"donor_{kind}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Enter and Esc stay the volunteer's
            b.clicked.connect(lambda _=False, k=kind: self.donor_part.emit(k))
            donor.addWidget(b)
            self.donor_buttons[kind] = b
        self.donor_note = QLabel("")
        self.donor_note.setObjectName("hint")
        self.donor_note.setWordWrap(True)
        donor.addWidget(self.donor_note)
        layout.addWidget(self.donor_box)
        layout.addStretch()
        buttons = QHBoxLayout()
        self.retry = QPushButton(self.tr("&Retry (same charge)"))
        self.retry.setObjectName("retry")
        self.retry.clicked.connect(self.retry_clicked)
        self.next = QPushButton(self.tr("&Next donor  (Ctrl+N)"))
        self.next.setObjectName("next")
        self.next.clicked.connect(self.next_clicked)
        # A gift the table couldn't charge (declined, the processor out of reach: certainly
        # not charged) can be taken as a pledge the donor pays by a link in their email.
        # Its own row: the words must fit beside nothing on a 1024x600 laptop.
        self.pledge = QPushButton(self.tr("Pay later by email link  (Alt+P)"))
        self.pledge.setObjectName("pledge")
        self.pledge.setToolTip(self.tr("Take this gift as a pledge: the donor gets a link by "
                                       "email and pays on the processor's page."))  # fmt: skip
        self.pledge.clicked.connect(self.pledge_clicked)
        layout.addWidget(self.pledge)
        buttons.addWidget(self.retry)
        buttons.addWidget(self.next)
        layout.addLayout(buttons)
        self.show_ready()

    @property
    def state(self) -> str:
        return str(self.property("state"))

    def _set(self, state: str, amount: str = "", detail: str = "", reference: str = "") -> None:
        symbol, heading = LOOK[state]
        self.setProperty("state", state)
        self.symbol.setText(symbol)
        self.symbol.setVisible(bool(symbol))
        self.heading.setText(self.tr(heading))
        self.amount.setText(amount)
        self.detail.setText(detail)
        self.reference.setText(reference)
        for w in (self.amount, self.detail, self.reference):
            w.setVisible(bool(w.text()))
        self.busy.setVisible(state in ("busy", "reader"))
        self.donor_box.setVisible(False)
        self.donor_note.setText("")
        self.donor_note.hide()
        self.retry.setVisible(False)
        self.pledge.setVisible(False)
        self.next.setVisible(state not in ("ready", "busy", "reader"))
        self.style().unpolish(self)
        self.style().polish(self)
        for child in (self.symbol, self.heading, self.amount, self.detail):
            child.style().unpolish(child)
            child.style().polish(child)

    def announce(self) -> None:
        """Tell assistive technology what the panel says now (after its words are set)."""
        heading = self.heading.text()
        said = " ".join(t for t in (self.amount.text(), self.detail.text()) if t)
        self.setAccessibleName(heading)
        self.setAccessibleDescription(said)
        if QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))
        self.announced.emit(f"{heading}. {said}" if said else heading)

    def show_ready(self) -> None:
        self.outcome = None
        self._set("ready", detail=self.tr("Pick an amount (F1–F4) or type one, then press Enter."))
        self.announce()

    def show_busy(self, amount_cents: int, currency: str, what: str = "") -> None:
        self._set("busy", format_cents(amount_cents, currency), self.tr("Keep the card handy."))
        self.heading.setText(what or self.tr("Charging"))
        self.announce()

    def show_reader_waiting(
        self, amount_cents: int, currency: str, reader_label: str, simulated: bool
    ) -> None:
        """The card is wanted on the reader; in training the donor's part is on screen."""
        amount = format_cents(amount_cents, currency)
        where = shown(reader_label) or self.tr("the reader")
        detail = self.tr("Waiting for the card on {reader}. Esc cancels.").format(reader=where)
        self._set("reader", "", detail)
        heading = self.tr("Tap, insert or swipe on the reader — {amount}")
        self.heading.setText(heading.format(amount=amount))
        self.donor_box.setVisible(simulated)
        self.announce()

    def show_cancelling(self) -> None:
        if self.state == "reader":
            self.detail.setText(self.tr("Cancelling on the reader…"))
            self.donor_box.setVisible(False)
            self.announce()

    def show_error(self, message: str) -> None:
        self.outcome = None
        self._set("error", detail=message)
        self.announce()

    def show_outcome(self, outcome: Outcome) -> None:
        self.outcome = outcome
        message = shown(outcome.message)  # the core's words, in the window's language
        amount = format_cents(outcome.amount_cents, outcome.currency)
        ref = self.tr("Reference {ref}").format(ref=outcome.reference) if outcome.reference else ""
        if outcome.status == "approved":
            card = card_label(outcome.brand, outcome.last4, outcome.entry_mode)
            self._set("approved", f"{amount} — {card}", "", ref)
        elif outcome.status == "recorded":
            self._set("recorded", amount, message)
        elif outcome.status == "declined":
            self._set("declined", f"{amount} — {card_label(outcome.brand, outcome.last4)}",
                      message)  # fmt: skip
        elif outcome.status == "in_doubt":
            self._set("in_doubt", amount, message)
        elif outcome.status == "pending":
            self._set("in_doubt", amount, message)
            self.heading.setText(self.tr("Waiting for the bank"))
        elif outcome.status == "mismatch":
            self._set("failed", amount, message)
            self.heading.setText(self.tr("Not approved — tell the lead"))
        else:
            detail = message
            if outcome.can_retry:
                detail += " " + self.tr(
                    "Check the Wi-Fi, then press Retry: it repeats this same charge."
                )
            self._set("failed", amount, detail)
            if "Couldn't reach" not in outcome.message:
                self.heading.setText(self.tr("Not charged"))
        self.retry.setVisible(outcome.can_retry)
        # declined or certainly not charged (never in doubt: it may have been charged)
        self.pledge.setVisible(self.pledge_allowed and outcome.status in ("declined", "failed"))
        self.announce()

    def show_pledged(self, amount_cents: int, currency: str, email: str) -> None:
        self.outcome = None
        self._set("pledged", format_cents(amount_cents, currency), self.tr(
            "A link to pay goes to {email}; the donor pays on the processor's page. Nothing "
            "was charged here. The lead follows it under Pledges."
        ).format(email=email))  # fmt: skip
        self.announce()
