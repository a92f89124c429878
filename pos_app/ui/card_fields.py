"""The typed card: number, expiry, CVC and ZIP, each labelled, moving on by themselves.

A volunteer types the number and the cursor jumps to the expiry once the number is complete
and valid; "1230" shows as "12/30" and jumps to the CVC; a complete CVC jumps past the ZIP
(Stripe doesn't need it) to the donor's name (`done`). Nothing here keeps card data beyond
the widgets, which the form clears the moment a charge is sent.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from pos_app.domain.cards import Brand, detect_brand, digits_only, group_number, luhn_ok

from .form_parts import ErrorLine, FieldError, field_label

# The usual length for a brand: a number this long and valid is complete.
USUAL_LENGTH = {"amex": 15, "diners": 14}


def number_complete(text: str, brand: Brand | None) -> bool:
    n = digits_only(text)
    if brand is None or not luhn_ok(n):
        return False
    return len(n) == USUAL_LENGTH.get(brand.key, 16) or len(n) == max(brand.lengths)


def format_expiry(text: str) -> str:
    """What the volunteer typed, as MM/YY: "1230" -> "12/30", "4" -> "4", "12" -> "12/"
    only while typing forward (the caller decides), "1/30" kept as typed."""
    if "/" in text:
        return text
    digits = digits_only(text)
    if len(digits) >= 3:
        return f"{digits[:2]}/{digits[2:6]}"
    return digits


class CardFields(QWidget):
    done = Signal()  # the CVC is complete: the next keystroke belongs to the donor's name

    def __init__(self) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        self.number = QLineEdit()
        self.number.setObjectName("cardNumber")
        self.number.setPlaceholderText(self.tr("type or swipe"))
        self.number.setMaxLength(23)
        self.number.textEdited.connect(self._number_edited)
        self.brand = QLabel("")
        self.brand.setObjectName("brand")
        self.expiry = QLineEdit()
        self.expiry.setPlaceholderText("MM/YY")
        self.expiry.setMaxLength(7)
        self.expiry.textEdited.connect(self._expiry_edited)
        self.cvc = QLineEdit()
        self.cvc.setPlaceholderText("•••")
        self.cvc.setMaxLength(4)
        self.cvc.setEchoMode(QLineEdit.EchoMode.Password)
        self.cvc.textEdited.connect(self._cvc_edited)
        self.postal = QLineEdit()
        self.postal.setPlaceholderText(self.tr("optional"))
        self.postal.setMaxLength(10)
        self.errors = {k: FieldError() for k in ("number", "expiry", "cvc", "postal_code")}
        grid.addWidget(field_label(self.tr("Card number"), self.number), 0, 0)
        number_row = QHBoxLayout()
        number_row.addWidget(self.number, 1)
        number_row.addWidget(self.brand)
        grid.addLayout(number_row, 0, 1)
        grid.addWidget(field_label(self.tr("Expiry"), self.expiry), 1, 0)
        rest = QHBoxLayout()
        rest.setSpacing(10)
        rest.addWidget(self.expiry, 2)
        rest.addWidget(field_label(self.tr("CVC"), self.cvc, inline=True))
        rest.addWidget(self.cvc, 2)
        rest.addWidget(field_label(self.tr("ZIP"), self.postal, inline=True))
        rest.addWidget(self.postal, 2)
        grid.addLayout(rest, 1, 1)
        self.error_line = ErrorLine(*self.errors.values())
        grid.addWidget(self.error_line, 2, 1)
        grid.setColumnStretch(1, 1)
        self.number.setAccessibleDescription(self.tr("The card number; a swipe fills it in."))
        self.cvc.setAccessibleDescription(self.tr("The 3 or 4 digit security code."))
        self.postal.setAccessibleDescription(self.tr("Optional: the billing ZIP or postal code."))
        self.fields = (self.number, self.expiry, self.cvc, self.postal)

    def clear(self) -> None:
        for f in self.fields:
            f.clear()
            f.setModified(False)
        self.brand.setText("")

    def show_brand(self) -> Brand | None:
        brand = detect_brand(self.number.text())
        self.brand.setText(brand.label if brand else "")
        self.cvc.setMaxLength(brand.cvc_length if brand else 4)
        self.number.setAccessibleDescription(brand.label if brand else self.tr("The card number."))
        return brand

    def _number_edited(self, text: str) -> None:
        grouped = group_number(text)
        if grouped != text:
            self.number.setText(grouped)
        brand = self.show_brand()
        if number_complete(grouped, brand) and self.number.cursorPosition() == len(grouped):
            self.expiry.setFocus()

    def _expiry_edited(self, text: str) -> None:
        shown = format_expiry(text)
        if shown != text:
            self.expiry.setText(shown)
        if len(shown) == 5 and shown[2] == "/" and shown[:2].isdigit() and shown[3:].isdigit():
            self.cvc.setFocus()

    def _cvc_edited(self, text: str) -> None:
        if len(text) == self.cvc.maxLength() and text.isdigit():
            self.done.emit()
