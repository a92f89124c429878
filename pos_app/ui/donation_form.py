"""The donation form: amount (presets or custom), method, donor, card or check details.

Keyboard-first: F1-F4 pick a preset, Enter submits, Esc clears (wired by the window).
Card fields are cleared by `take_card()` the moment a charge is sent; everything else the
volunteer typed stays until "Next donor". With a card reader (services/card_entry.py) Card
means "on the reader": no card fields, a line saying which reader; where the lead allows
typing too, Alt+D (reader) and Alt+T (typed) switch.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.cards import Card, detect_brand, group_number, parse_expiry
from pos_app.domain.donor import Donor
from pos_app.domain.money import AmountError, format_cents, parse_amount
from pos_app.domain.states import Method
from pos_app.domain.track import Swipe
from pos_app.services.card_entry import KEYED, READER, CardEntry

from .swipe import SwipeCatcher

PRESETS = (2500, 5000, 10000, 25000)


class FieldError(QLabel):
    """Plain-words problem shown under its field; hidden when empty."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(f"⚠ {text}" if text else "")
        self.setVisible(bool(text))


class DonationForm(QWidget):
    submitted = Signal()
    changed = Signal()

    def __init__(self, currency: str = "usd", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        self.errors: dict[str, FieldError] = {}
        self.swipe = SwipeCatcher(self)
        self.swipe.swiped.connect(self.fill_from_swipe)
        self.swipe.failed.connect(lambda msg: self.show_errors({"number": msg}))

        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(self._section("Amount"))
        presets = QHBoxLayout()
        self.preset_buttons: list[QPushButton] = []
        for i, cents in enumerate(PRESETS):
            b = QPushButton(f"{format_cents(cents, currency).replace('.00', '')}\nF{i + 1}")
            b.setObjectName("preset")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, c=cents: self.set_amount(c))
            QShortcut(QKeySequence(f"F{i + 1}"), self, lambda c=cents: self.set_amount(c))
            presets.addWidget(b)
            self.preset_buttons.append(b)
        layout.addLayout(presets)
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText("Other amount, e.g. 75")
        self.amount.textChanged.connect(self._amount_changed)
        layout.addWidget(self.amount)
        layout.addWidget(self._error("amount"))

        layout.addWidget(self._section("Payment"))
        methods = QHBoxLayout()
        self.method_group = QButtonGroup(self)
        self.method_buttons: dict[Method, QRadioButton] = {}
        for m, label in ((Method.CARD, "&Card"), (Method.CASH, "C&ash"), (Method.CHECK, "Chec&k")):
            rb = QRadioButton(label)
            self.method_group.addButton(rb)
            self.method_buttons[m] = rb
            methods.addWidget(rb)
            rb.toggled.connect(self._method_changed)
        methods.addStretch()
        layout.addLayout(methods)

        # How the card is taken: the reader, typed, or (where both are allowed) a choice.
        self.entry = CardEntry(reader=False, keyed=True, default=KEYED)
        self.entry_box = QWidget()
        entry_row = QHBoxLayout(self.entry_box)
        entry_row.setContentsMargins(0, 0, 0, 0)
        self.entry_group = QButtonGroup(self)
        self.entry_buttons: dict[str, QRadioButton] = {}
        for key, label, shortcut in (
            (READER, "Reader  (Alt+D)", "Alt+D"),
            (KEYED, "Type the card  (Alt+T)", "Alt+T"),
        ):
            rb = QRadioButton(label)
            rb.setObjectName(f"entry_{key}")
            self.entry_group.addButton(rb)
            self.entry_buttons[key] = rb
            entry_row.addWidget(rb)
            rb.toggled.connect(self._method_changed)
            QShortcut(QKeySequence(shortcut), self, lambda k=key: self.choose_entry(k))
        entry_row.addStretch()
        layout.addWidget(self.entry_box)
        self.reader_note = QLabel("")
        self.reader_note.setObjectName("readerNote")
        self.reader_note.setWordWrap(True)
        layout.addWidget(self.reader_note)
        layout.addWidget(self._error("entry"))

        self.card_box = QWidget()
        grid = QGridLayout(self.card_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.number = QLineEdit()
        self.number.setPlaceholderText("Card number, or swipe")
        self.number.setMaxLength(23)
        self.number.textEdited.connect(self._number_edited)
        self.brand = QLabel("")
        self.brand.setObjectName("brand")
        self.expiry = QLineEdit()
        self.expiry.setPlaceholderText("MM/YY")
        self.expiry.setMaxLength(7)
        self.cvc = QLineEdit()
        self.cvc.setPlaceholderText("CVC")
        self.cvc.setMaxLength(4)
        self.cvc.setEchoMode(QLineEdit.EchoMode.Password)
        self.postal = QLineEdit()
        self.postal.setPlaceholderText("ZIP")
        self.postal.setMaxLength(10)
        grid.addWidget(self.number, 0, 0, 1, 3)
        grid.addWidget(self.brand, 0, 3)
        grid.addWidget(self._error("number"), 1, 0, 1, 4)
        grid.addWidget(self.expiry, 2, 0)
        grid.addWidget(self.cvc, 2, 1)
        grid.addWidget(self.postal, 2, 2)
        grid.addWidget(self._error("expiry"), 3, 0)
        grid.addWidget(self._error("cvc"), 3, 1)
        grid.addWidget(self._error("postal_code"), 3, 2)
        layout.addWidget(self.card_box)

        self.check_box = QWidget()
        check_layout = QFormLayout(self.check_box)
        check_layout.setContentsMargins(0, 0, 0, 0)
        self.check_number = QLineEdit()
        self.check_number.setPlaceholderText("Check number")
        self.check_number.setMaxLength(32)
        check_layout.addRow(self.check_number)
        check_layout.addRow(self._error("check_number"))
        layout.addWidget(self.check_box)

        layout.addWidget(self._section("Donor"))
        self.name = QLineEdit()
        self.name.setPlaceholderText("Donor name")
        self.name.setMaxLength(200)
        self.email = QLineEdit()
        self.email.setPlaceholderText("Email for the tax receipt (optional)")
        self.email.setMaxLength(254)
        self.email.textChanged.connect(self._email_hint)
        layout.addWidget(self.name)
        layout.addWidget(self._error("name"))
        layout.addWidget(self.email)
        layout.addWidget(self._error("email"))
        self.receipt_hint = QLabel("")
        self.receipt_hint.setObjectName("hint")
        layout.addWidget(self.receipt_hint)
        layout.addStretch()

        self._fields = (
            self.amount, self.number, self.expiry, self.cvc, self.postal,
            self.check_number, self.name, self.email,
        )  # fmt: skip
        for f in self._fields:
            self.swipe.watch(f)
            f.returnPressed.connect(self.submitted)
            f.textChanged.connect(self.changed)
        self.setTabOrder(self.amount, self.number)
        self.setTabOrder(self.number, self.expiry)
        self.setTabOrder(self.expiry, self.cvc)
        self.setTabOrder(self.cvc, self.postal)
        self.setTabOrder(self.postal, self.check_number)
        self.setTabOrder(self.check_number, self.name)
        self.setTabOrder(self.name, self.email)
        self.entry_buttons[KEYED].setChecked(True)
        self.entry_box.hide()
        self.method_buttons[Method.CARD].setChecked(True)
        self._email_hint("")

    # ---- building blocks ----
    def _section(self, title: str) -> QLabel:
        label = QLabel(title)
        label.setObjectName("section")
        return label

    def _error(self, field: str) -> FieldError:
        err = FieldError()
        self.errors[field] = err
        return err

    # ---- reading ----
    @property
    def card_on_reader(self) -> bool:
        """Card is taken on the reader (not typed) for this gift."""
        return self.method is Method.CARD and self.entry_buttons[READER].isChecked()

    @property
    def method(self) -> Method:
        for m, rb in self.method_buttons.items():
            if rb.isChecked():
                return m
        return Method.CARD

    def amount_cents(self) -> int:
        """Raises AmountError with a plain message."""
        return parse_amount(self.amount.text())

    def donor(self) -> Donor:
        return Donor(name=self.name.text().strip(), email=self.email.text().strip())

    def card(self) -> Card:
        """The typed card. An unreadable expiry becomes month 0, which the checks report."""
        try:
            month, year = parse_expiry(self.expiry.text())
        except ValueError:
            month, year = 0, dt.date.today().year
        return Card(
            number=self.number.text(),
            exp_month=month,
            exp_year=year,
            cvc=self.cvc.text().strip(),
            postal_code=self.postal.text().strip() or None,
            cardholder=self.name.text().strip() or None,
        )

    def expiry_error(self) -> str | None:
        try:
            parse_expiry(self.expiry.text())
        except ValueError as exc:
            return str(exc) if self.expiry.text().strip() else "Enter the expiry as MM/YY."
        return None

    # ---- writing ----
    def set_entry(self, entry: CardEntry) -> None:
        """How cards are taken here (the lead may change it while the window is open): a
        choice the volunteer made stays while it is still allowed."""
        if entry == self.entry:
            return
        current = READER if self.entry_buttons[READER].isChecked() else KEYED
        first = not self.entry.reader  # the window's first call: start from the default
        self.entry = entry
        keep = current if current in entry.choices and not first else entry.default
        self.entry_buttons[keep].setChecked(True)
        for key, rb in self.entry_buttons.items():
            rb.setEnabled(key in entry.choices)
        self.entry_box.setVisible(len(entry.choices) > 1)
        self._method_changed()

    def choose_entry(self, key: str) -> None:
        """Alt+D / Alt+T: the volunteer picks how this card is taken (where both are allowed)."""
        if key not in self.entry.choices or not self.entry_buttons[key].isEnabled():
            return
        self.method_buttons[Method.CARD].setChecked(True)
        self.entry_buttons[key].setChecked(True)
        after = self.name if self.amount.text() else self.amount
        (self.number if key == KEYED else after).setFocus()

    def set_amount(self, cents: int) -> None:
        self.amount.setText(format_cents(cents, self.currency).lstrip("$"))
        card_typed = self.method is Method.CARD and not self.card_on_reader
        (self.number if card_typed else self.name).setFocus()

    def show_errors(self, errors: dict[str, str]) -> None:
        for field, widget in self.errors.items():
            widget.show_message(errors.get(field, ""))
        first = next((f for f in self.errors if f in errors), None)
        target = {
            "amount": self.amount, "number": self.number, "expiry": self.expiry,
            "cvc": self.cvc, "postal_code": self.postal, "check_number": self.check_number,
            "name": self.name, "email": self.email,
        }.get(first or "")  # fmt: skip
        if target is not None:
            target.setFocus()

    def clear_card(self) -> None:
        for f in (self.number, self.expiry, self.cvc, self.postal):
            f.clear()
            f.setModified(False)
        self.brand.setText("")

    def clear_all(self) -> None:
        self.clear_card()
        for f in (self.amount, self.check_number, self.name, self.email):
            f.clear()
        self.show_errors({})
        self.method_buttons[Method.CARD].setChecked(True)
        self.amount.setFocus()

    def fill_from_swipe(self, swipe: Swipe) -> None:
        if not self.entry.keyed:  # a USB swipe where only the reader may take cards
            self.show_errors({"entry": "Typing or swiping a card here is off: use the reader."})
            return
        self.method_buttons[Method.CARD].setChecked(True)
        self.entry_buttons[KEYED].setChecked(True)
        self.number.setText(group_number(swipe.number))
        self._number_edited(self.number.text())
        self.expiry.setText(f"{swipe.exp_month:02d}/{swipe.exp_year % 100:02d}")
        if swipe.name and not self.name.text().strip():
            self.name.setText(swipe.name)
        self.show_errors({})
        self.cvc.setFocus()

    def set_enabled(self, enabled: bool) -> None:
        for f in self._fields:
            f.setReadOnly(not enabled)
        for b in (*self.preset_buttons, *self.method_buttons.values()):
            b.setEnabled(enabled)
        for key, rb in self.entry_buttons.items():
            rb.setEnabled(enabled and key in self.entry.choices)

    # ---- live feedback ----
    def _amount_changed(self, text: str) -> None:
        try:
            cents = parse_amount(text)
        except AmountError:
            cents = -1
        for b, preset in zip(self.preset_buttons, PRESETS, strict=True):
            b.setChecked(cents == preset)

    def _number_edited(self, text: str) -> None:
        grouped = group_number(text)
        if grouped != text:
            self.number.setText(grouped)
        brand = detect_brand(grouped)
        self.brand.setText(brand.label if brand else "")
        self.cvc.setMaxLength(brand.cvc_length if brand else 4)

    def _method_changed(self) -> None:
        card = self.method is Method.CARD
        on_reader = self.card_on_reader
        self.card_box.setVisible(card and not on_reader)
        self.check_box.setVisible(self.method is Method.CHECK)
        self.entry_box.setVisible(card and len(self.entry.choices) > 1)
        if on_reader:
            where = self.entry.reader_label or "the reader"
            note = f"The donor taps, inserts or swipes on {where} after you press Enter."
            if not self.entry.keyed:
                note += " Typing a card number is off (the lead can allow it in Settings)."
        elif card and self.entry.reader:
            note = "Typing the card on the laptop; the reader is not used for this gift."
        else:
            note = ""
        self.reader_note.setText(note)
        self.reader_note.setVisible(bool(note))
        if on_reader and self.card_box.isHidden():
            self.clear_card()  # nothing typed lingers behind a hidden field
        self.changed.emit()

    def _email_hint(self, text: str) -> None:
        self.receipt_hint.setText(
            "" if text.strip() else "No email: no receipt will be sent for this gift."
        )
