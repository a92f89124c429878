"""The donation form: amount (presets or custom), method, donor, card or check details.

Keyboard-first and measured (tests/test_gui_keyboard.py counts the keys): F1-F4 pick a
preset and put the cursor where the next keystroke belongs; Enter does the form's main
action from any control in it; Alt+C / Alt+A / Alt+K choose the method and move the cursor
on (to the card number, the donor's name, the check number); the typed card moves on by
itself (ui/card_fields.py). Every field has a visible label that also names it for screen
readers, and its error appears on a line that is always there, so nothing moves.

The gift's options (ui/gift_options.py): cover the fee on the amount's line (Alt+F, card
gifts only), and More options (Alt+O) for a dedication, anonymity, the item bought and the
receipt's language; all reset for the next donor.

Card fields are cleared the moment a charge is sent; everything else the volunteer typed
stays until "Next donor". With a card reader (services/card_entry.py) Card means "on the
reader": no card fields, a line saying which reader; where the lead allows typing too,
Alt+D (reader) and Alt+T (typed) switch.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.cards import Card, group_number, parse_expiry
from pos_app.domain.donor import Donor
from pos_app.domain.gift import GiftOptions
from pos_app.domain.money import AmountError, format_cents, parse_amount
from pos_app.domain.states import Method
from pos_app.domain.track import Swipe
from pos_app.services.card_entry import KEYED, READER, CardEntry

from .card_fields import CardFields
from .core_text import shown
from .form_parts import PRESET_CENTS, ErrorLine, FieldError, field_label
from .gift_options import FEE_KEY, CoverFee, MoreOptions
from .swipe import SwipeCatcher

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _EnterSubmits(QObject):
    """Enter on a radio button, checkbox or button of the form does the form's main action
    (a line edit already says so with returnPressed)."""

    def __init__(self, form: DonationForm) -> None:
        super().__init__(form)
        self.form = form

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in ENTER_KEYS and not event.isAutoRepeat():
                self.form.submitted.emit()
                return True
        return False


class DonationForm(QWidget):
    submitted = Signal()
    changed = Signal()

    def __init__(self, currency: str = "usd", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        self.errors: dict[str, FieldError] = {}
        self._lines: list[ErrorLine] = []
        self._enter = _EnterSubmits(self)
        self.swipe = SwipeCatcher(self)
        self.swipe.swiped.connect(self.fill_from_swipe)
        self.swipe.failed.connect(lambda msg: self.show_errors({"number": msg}))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)
        outer.addStretch()
        row = 0

        # ---- amount ----
        presets = QHBoxLayout()
        self.preset_buttons: list[QPushButton] = []
        for i, cents in enumerate(PRESET_CENTS):
            money = format_cents(cents, currency).replace(".00", "")
            b = QPushButton(f"{money}\nF{i + 1}")
            b.setObjectName("preset")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F1-F4 are their keys
            b.setAccessibleName(f"{money} (F{i + 1})")  # the same words in any language
            b.clicked.connect(lambda _=False, c=cents: self.set_amount(c))
            QShortcut(QKeySequence(f"F{i + 1}"), self, lambda c=cents: self.set_amount(c))
            presets.addWidget(b)
            self.preset_buttons.append(b)
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText(self.tr("or type one, e.g. 75"))
        self.amount.setAccessibleDescription(
            self.tr("The gift in dollars; F1 to F4 pick a preset.")
        )
        self.amount.textChanged.connect(self._amount_changed)
        grid.addLayout(presets, row, 1)
        row += 1
        grid.addWidget(field_label(self.tr("Amount"), self.amount), row, 0)
        grid.addWidget(self.amount, row, 1)
        row += 1
        # Cover the fee (a card gift only) sits on the amount's own line, its sentence with
        # tonight's amounts; an amount error takes the line while it shows.
        self.cover_fee = CoverFee(currency)
        self.cover_fee.installEventFilter(self._enter)
        self.cover_fee.toggled.connect(lambda _on: self.changed.emit())
        QShortcut(QKeySequence(FEE_KEY), self, self._toggle_fee)
        grid.addWidget(self._line("amount"), row, 1)
        grid.addWidget(self.cover_fee, row, 0, 1, 2)  # same line: shown while no error is
        row += 1

        # ---- method ----
        methods = QHBoxLayout()
        methods.setSpacing(24)
        self.method_group = QButtonGroup(self)
        self.method_buttons: dict[Method, QRadioButton] = {}
        for m, label in (
            (Method.CARD, self.tr("&Card")),
            (Method.CASH, self.tr("C&ash")),
            (Method.CHECK, self.tr("Chec&k")),
        ):
            rb = QRadioButton(label)
            rb.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # never cut
            rb.setAccessibleName(label.replace("&", ""))
            self.method_group.addButton(rb)
            self.method_buttons[m] = rb
            methods.addWidget(rb)
            rb.toggled.connect(self._method_changed)
            rb.installEventFilter(self._enter)
        self.method_group.buttonClicked.connect(lambda _b: self._focus_next_field())
        methods.addStretch()
        payment = QLabel(self.tr("Payment"))
        payment.setObjectName("fieldLabel")
        grid.addWidget(payment, row, 0)
        grid.addLayout(methods, row, 1)
        row += 1

        # How the card is taken: the reader, typed, or (where both are allowed) a choice.
        self.entry = CardEntry(reader=False, keyed=True, default=KEYED)
        self.entry_box = QWidget()
        entry_row = QHBoxLayout(self.entry_box)
        entry_row.setContentsMargins(0, 0, 0, 0)
        entry_row.setSpacing(18)  # fits beside a scroll bar at 1024x600 (options open)
        self.entry_group = QButtonGroup(self)
        self.entry_buttons: dict[str, QRadioButton] = {}
        for key, label, shortcut in (
            (READER, self.tr("Reader"), "Alt+D"),
            (KEYED, self.tr("Type the card"), "Alt+T"),
        ):
            rb = QRadioButton(f"{label}  ({shortcut})")
            rb.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            rb.setObjectName(f"entry_{key}")
            rb.setAccessibleName(label)
            self.entry_group.addButton(rb)
            self.entry_buttons[key] = rb
            entry_row.addWidget(rb)
            rb.toggled.connect(self._method_changed)
            rb.installEventFilter(self._enter)
            QShortcut(QKeySequence(shortcut), self, lambda k=key: self.choose_entry(k))
        self.entry_group.buttonClicked.connect(lambda _b: self._focus_next_field())
        entry_row.addStretch()
        grid.addWidget(self.entry_box, row, 1)
        row += 1
        self.reader_note = QLabel("")
        self.reader_note.setObjectName("readerNote")
        self.reader_note.setWordWrap(True)
        grid.addWidget(self.reader_note, row, 1)
        row += 1
        self.errors["entry"] = FieldError()
        self.entry_error = self.errors["entry"]
        self.entry_error.hide()
        grid.addWidget(self.entry_error, row, 1)
        row += 1

        # ---- the typed card, or the check ----
        self.card_box = CardFields()
        self.card_box.done.connect(lambda: self.name.setFocus())
        self.errors.update(self.card_box.errors)
        self._lines.append(self.card_box.error_line)
        self.number, self.brand = self.card_box.number, self.card_box.brand
        self.expiry, self.cvc, self.postal = (
            self.card_box.expiry, self.card_box.cvc, self.card_box.postal,
        )  # fmt: skip
        grid.addWidget(self.card_box, row, 0, 1, 2)
        row += 1

        self.check_box = QWidget()
        check_grid = QGridLayout(self.check_box)
        check_grid.setContentsMargins(0, 0, 0, 0)
        check_grid.setVerticalSpacing(2)
        self.check_number = QLineEdit()
        self.check_number.setMaxLength(32)
        check_grid.addWidget(field_label(self.tr("Check number"), self.check_number), 0, 0)
        check_grid.addWidget(self.check_number, 0, 1)
        check_grid.addWidget(self._line("check_number"), 1, 1)
        check_grid.setColumnStretch(1, 1)
        grid.addWidget(self.check_box, row, 0, 1, 2)
        row += 1

        # ---- the donor ----
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.name.setPlaceholderText(self.tr("as the donor wants it on the receipt"))
        self.email = QLineEdit()
        self.email.setMaxLength(254)
        self.email.setPlaceholderText(self.tr("for the tax receipt (optional)"))
        self.email.textChanged.connect(self._email_hint)
        grid.addWidget(field_label(self.tr("Name"), self.name), row, 0)
        grid.addWidget(self.name, row, 1)
        row += 1
        grid.addWidget(self._line("name"), row, 1)
        row += 1
        grid.addWidget(field_label(self.tr("Email"), self.email), row, 0)
        grid.addWidget(self.email, row, 1)
        row += 1
        self.receipt_hint = QLabel("")
        self.receipt_hint.setObjectName("hint")
        grid.addWidget(self._line("email", hint=self.receipt_hint), row, 1)
        row += 1
        # Gift options: consent to keep the card (only where the processor can, and only
        # for a card), and the receipt's language.
        options = QHBoxLayout()
        options.setSpacing(18)
        self.save_card = QCheckBox(self.tr("Save this card for tonight's later gifts"))
        self.save_card.setObjectName("saveCard")
        self.save_card.setAccessibleDescription(
            self.tr("Only with the donor's yes: the card is kept for give-again.")
        )
        self.save_card.installEventFilter(self._enter)
        self.save_card.toggled.connect(lambda _on: setattr(self, "_save_touched", True))
        self._save_default = False
        self._save_touched = False
        self._can_save = False
        self.language = QComboBox()
        self.language.setObjectName("receiptLanguage")
        for code, name in (("en", "English"), ("es", "Español")):
            self.language.addItem(name, code)  # each language in its own words
        self.language.installEventFilter(self._enter)
        # In honour / memory, anonymous, the item bought, the receipt's language: a button
        # beside the consent until Alt+O opens them below.
        self.more = MoreOptions(currency, self._enter, self.language)
        self.more.shortcut(self)
        self.more.changed.connect(self.changed)
        self.errors.update(self.more.errors)
        options.addWidget(self.save_card)
        options.addWidget(self.more.summary, 1)
        options.addWidget(self.more.toggle)
        grid.addLayout(options, row, 0, 1, 2)
        row += 1
        grid.addWidget(self.more, row, 0, 1, 2)
        row += 1
        self.option_row = row  # more gift options (the window may add them below)
        self.grid = grid

        self._fields = (
            self.amount, self.number, self.expiry, self.cvc, self.postal,
            self.check_number, self.name, self.email, self.more.honoree, self.more.notice,
        )  # fmt: skip
        for f in self._fields:
            self.swipe.watch(f)
            f.returnPressed.connect(self.submitted)
            f.textChanged.connect(self.changed)
        for name, f in (
            ("amount", self.amount), ("number", self.number), ("expiry", self.expiry),
            ("cvc", self.cvc), ("postal_code", self.postal),
            ("check_number", self.check_number), ("name", self.name), ("email", self.email),
        ):  # fmt: skip
            f.textEdited.connect(lambda _t, n=name: self._clear_error(n))
        self.setTabOrder(self.amount, self.number)
        self.setTabOrder(self.number, self.expiry)
        self.setTabOrder(self.expiry, self.cvc)
        self.setTabOrder(self.cvc, self.postal)
        self.setTabOrder(self.postal, self.check_number)
        self.setTabOrder(self.check_number, self.name)
        self.setTabOrder(self.name, self.email)
        chain = (self.email, self.cover_fee, self.save_card, self.more.kind, self.more.honoree,
                 self.more.notice, self.more.goods, self.more.anonymous, self.language)
        for a, b in zip(chain, chain[1:], strict=False):
            self.setTabOrder(a, b)
        self.entry_buttons[KEYED].setChecked(True)
        self.entry_box.hide()
        self.method_buttons[Method.CARD].setChecked(True)
        self._email_hint("")

    # ---- building blocks ----
    def _line(self, field: str, hint: QLabel | None = None) -> ErrorLine:
        err = FieldError()
        self.errors[field] = err
        line = ErrorLine(err, hint=hint)
        self._lines.append(line)
        return line

    def add_option(self, widget: QWidget) -> None:
        """A gift option under the donor (a checkbox): Enter on it submits too."""
        self.grid.addWidget(widget, self.option_row, 1)
        self.option_row += 1
        widget.installEventFilter(self._enter)

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

    def gift_options(self) -> GiftOptions:
        """What the volunteer chose beyond amount and donor: cover the fee and consent to
        keep the card (a card gift only), the receipt's language, a dedication, anonymity
        and the item bought (none: no goods on the receipt)."""
        card = self.method is Method.CARD
        consent = self.save_card.isChecked() if card and self._can_save else False
        kind, name, email = self.more.dedication()
        item = self.more.item()
        return GiftOptions(
            save_card=consent,
            receipt_language=self.language.currentData() or "",
            cover_fee=card and self.cover_fee.isChecked(),
            dedication_kind=kind,
            dedication_name=name,
            dedication_email=email,
            anonymous=self.more.anonymous.isChecked(),
            goods_description=item.description if item else "",
            goods_value_cents=item.value_cents if item else None,
        )

    def option_errors(self) -> dict[str, str]:
        """Checks the form makes before the core's (a name typed with no dedication)."""
        return self.more.local_errors()

    def set_save_default(self, can_save: bool, ticked: bool) -> None:
        """The lead's default for the consent box; a box the volunteer touched stays."""
        self._can_save, self._save_default = can_save, ticked
        if not self._save_touched:
            self.save_card.blockSignals(True)
            self.save_card.setChecked(ticked)
            self.save_card.blockSignals(False)
        self._method_changed()

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
            return str(exc) if self.expiry.text().strip() else self.tr("Enter the expiry as MM/YY.")
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
        self._clear_error("amount")
        self._focus_next_field()

    def _focus_next_field(self) -> None:
        """After an amount or a method is chosen: where the next keystroke belongs."""
        if not self.amount.text().strip():
            self.amount.setFocus()
        elif self.method is Method.CHECK:
            self.check_number.setFocus()
        elif self.method is Method.CARD and not self.card_on_reader:
            self.number.setFocus()
        else:
            self.name.setFocus()

    def show_errors(self, errors: dict[str, str]) -> None:
        for field, widget in self.errors.items():
            widget.show_message(errors.get(field, ""))
        for line in self._lines:
            line.refresh()
        self.entry_error.setVisible(bool(self.entry_error.text()))  # rare: a refused swipe
        self._show_fee()
        in_more = self.more.show_errors(errors)
        first = next((f for f in self.errors if f in errors), None)
        if first in self.more.errors:
            if in_more is not None:
                in_more.setFocus()
            return
        target = {
            "amount": self.amount, "number": self.number, "expiry": self.expiry,
            "cvc": self.cvc, "postal_code": self.postal, "check_number": self.check_number,
            "name": self.name, "email": self.email,
        }.get(first or "")  # fmt: skip
        if target is not None:
            target.setFocus()

    def clear_card(self) -> None:
        self.card_box.clear()

    def clear_all(self) -> None:
        self.clear_card()
        for f in (self.amount, self.check_number, self.name, self.email):
            f.clear()
        self.show_errors({})
        self.method_buttons[Method.CARD].setChecked(True)
        self._save_touched = False
        self.set_save_default(self._can_save, self._save_default)
        self.language.setCurrentIndex(0)
        self.cover_fee.reset()
        self.more.reset()
        self.amount.setFocus()

    def fill_from_swipe(self, swipe: Swipe) -> None:
        if not self.entry.keyed:  # a USB swipe where only the reader may take cards
            refused = self.tr("Typing or swiping a card here is off: use the reader.")
            self.show_errors({"entry": refused})
            return
        self.method_buttons[Method.CARD].setChecked(True)
        self.entry_buttons[KEYED].setChecked(True)
        self.number.setText(group_number(swipe.number))
        self.card_box.show_brand()
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
        self.save_card.setEnabled(enabled)
        self.language.setEnabled(enabled)
        self.cover_fee.setEnabled(enabled)
        self.more.set_enabled(enabled)

    def _show_fee(self) -> None:
        """Cash and checks have no processing fee; an amount error takes the fee's line."""
        amount_error = bool(self.errors["amount"].text())
        self.cover_fee.setVisible(self.method is Method.CARD and not amount_error)

    def _toggle_fee(self) -> None:
        """Alt+F: the donor covers the fee, or not (a card gift only)."""
        if self.cover_fee.isVisible() and self.cover_fee.isEnabled():
            self.cover_fee.toggle()

    # ---- live feedback ----
    def _amount_changed(self, text: str) -> None:
        try:
            cents = parse_amount(text)
        except AmountError:
            cents = -1
        for b, preset in zip(self.preset_buttons, PRESET_CENTS, strict=True):
            b.setChecked(cents == preset)
        self.cover_fee.show_for(max(0, cents))

    def _clear_error(self, field: str) -> None:
        """A field's message goes as soon as the volunteer changes that field."""
        err = self.errors.get(field)
        if err is not None and err.text():
            err.show_message("")
            for line in self._lines:
                line.refresh()
            self._show_fee()

    def _method_changed(self) -> None:
        card = self.method is Method.CARD
        on_reader = self.card_on_reader
        self.card_box.setVisible(card and not on_reader)
        self.check_box.setVisible(self.method is Method.CHECK)
        self.save_card.setVisible(card and self._can_save)
        self._show_fee()
        self.entry_box.setVisible(card and len(self.entry.choices) > 1)
        if on_reader:
            where = shown(self.entry.reader_label) or self.tr("the reader")
            note = self.tr("The donor taps, inserts or swipes on {reader} after you press Enter.")
            note = note.format(reader=where)
            if not self.entry.keyed:
                note += " " + self.tr(
                    "Typing a card number is off (the lead can allow it in Settings)."
                )
        elif card and self.entry.reader and not self.entry.simulated:
            note = self.tr("Typing the card on the laptop: the reader is not used for this gift.")
        else:
            note = ""
        self.reader_note.setText(note)
        self.reader_note.setVisible(bool(note))

        if on_reader and self.card_box.isHidden():
            self.clear_card()  # nothing typed lingers behind a hidden field
        self.changed.emit()

    def _email_hint(self, text: str) -> None:
        self.receipt_hint.setText(
            "" if text.strip() else self.tr("No email: no receipt will be sent for this gift.")
        )
        self.email.setAccessibleDescription(self.receipt_hint.text())
