"""Check-in at the door: find or add the guest, give a paddle number (the next free one, or
typed), and keep a card on file **without a charge** — all before the guest walks away.

A window of its own, opened from the volunteer's window (F10). Typing in the search box
lists guests already here (by name, email or paddle); picking one fills the form. Enter
checks the guest in through `Station.check_in` off the GUI thread; the card fields are
cleared as soon as the request leaves (card data lives only in that one call). The answer
reads "Paddle 112 · Visa •••• 4242 on file", or says in words why the card wasn't kept.

"Receipts in" (Alt+I), beside the paddle, is the guest's language (English / Español): the
event's default to start with, the guest's own once a found guest is picked. It goes with
the check-in (`Station.check_in(..., language=)`), and every pledge made for the guest is
receipted, and sent its pay link, in it. Left at the default it sends no choice (a returning
guest keeps theirs).

Where the station has a card reader (`Station.can_save_card_from_reader`), "Save card from
reader" (Alt+R) checks the guest in and keeps the card read on the reader instead
(`Station.save_card_from_reader`, off the GUI thread): the window says "Tap, insert or swipe
on the reader…" and offers Cancel (Alt+C, or Esc) until the card is read. With a real reader
and typing switched off (the lead's choice) the typed card fields are hidden. In training
the guest's part is played from here (F5 approving card, F6 declining, F7 pulled out).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.api import AttendeeRecord, Card, Donor, InvalidDonation, Station
from pos_app.domain.cards import card_errors, parse_expiry
from pos_app.receipts.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES

from .card_fields import CardFields
from .core_text import shown
from .result_panel import DONOR_PARTS
from .tasks import TaskRunner

ROLE_ID = Qt.ItemDataRole.UserRole
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _EnterChecksIn(QObject):
    """Enter on the language choice checks the guest in, as it does in a text field."""

    def __init__(self, window: CheckInWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in ENTER_KEYS and not event.isAutoRepeat():
                if isinstance(watched, QComboBox) and watched.view().isVisible():
                    return False  # the open list takes Enter as its choice
                self.window.check_in()
                return True
        return False


class CheckInWindow(QWidget):
    def __init__(self, station: Station, tasks: TaskRunner) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("checkInWindow")
        self.station, self.tasks = station, tasks
        self.setWindowTitle(self.tr("Tableside — check-in"))
        self.found: list[AttendeeRecord] = []
        self._asked = 0  # the newest search; older answers are dropped
        self._typed: tuple[str, ...] | None = None  # the card's fields while a check-in is out
        v = QVBoxLayout(self)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Find a guest: name, email or paddle"))
        self.search.setAccessibleName(self.tr("Find a guest"))
        self.search.textEdited.connect(self.find)
        self.matches = QListWidget()
        self.matches.setAccessibleName(self.tr("Guests found"))
        self.matches.setMaximumHeight(110)
        self.matches.itemActivated.connect(self._picked)
        self.matches.itemClicked.connect(self._picked)
        v.addWidget(self.search)
        v.addWidget(self.matches)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setAccessibleName(self.tr("Name"))
        self.email = QLineEdit()
        self.email.setAccessibleName(self.tr("Email"))
        self.paddle = QLineEdit()
        self.paddle.setAccessibleName(self.tr("Paddle number"))
        self.paddle.setMaxLength(8)
        # The guest's language, on the paddle's row (no extra height at 1024x600): each
        # language in its own words, the event's default first chosen.
        self.language = QComboBox()
        self.language.setObjectName("guestLanguage")
        self.language.setAccessibleName(self.tr("Receipts and pay links in"))
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.language.installEventFilter(_EnterChecksIn(self))
        self.language_label = QLabel(self.tr("Receipts &in"))
        self.language_label.setBuddy(self.language)
        paddle_row = QHBoxLayout()
        paddle_row.addWidget(self.paddle, 1)
        paddle_row.addSpacing(12)
        paddle_row.addWidget(self.language_label)
        paddle_row.addWidget(self.language)
        self._picked_guest: AttendeeRecord | None = None  # a found guest, picked
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Email"), self.email)
        form.addRow(self.tr("Paddle"), paddle_row)
        v.addLayout(form)
        entry = station.card_entry
        self.has_reader = station.can_save_card_from_reader
        self.card_label = QLabel(self.tr("Card on file (no charge now; optional):"))
        v.addWidget(self.card_label)
        self.card = CardFields()
        v.addWidget(self.card)
        if self.has_reader and not entry.keyed:  # the reader only: no typed card here
            self.card.hide()
            self.card_label.setText(self.tr("Card on file (no charge now; optional): on the "
                                            "reader."))  # fmt: skip
        buttons = QHBoxLayout()
        self.check_btn = QPushButton(self.tr("Check in  (Enter)"))
        self.check_btn.setObjectName("charge")
        self.check_btn.clicked.connect(self.check_in)
        buttons.addWidget(self.check_btn, 2)
        # The card on the reader (where one is set): check in, then keep the card read.
        self.reader_btn = QPushButton(self.tr("Save card from &reader"))
        self.reader_btn.setObjectName("readerCheckIn")
        self.reader_btn.setAccessibleName(self.tr("Check in and save the card from the reader"))
        self.reader_btn.clicked.connect(self.from_reader)
        self.reader_btn.setVisible(self.has_reader)
        buttons.addWidget(self.reader_btn, 1)
        self.cancel_btn = QPushButton(self.tr("&Cancel  (Esc)"))
        self.cancel_btn.setObjectName("readerCancel")
        self.cancel_btn.setAccessibleName(self.tr("Cancel the card on the reader"))
        self.cancel_btn.clicked.connect(self.cancel_reader)
        self.cancel_btn.hide()
        buttons.addWidget(self.cancel_btn, 1)
        v.addLayout(buttons)
        # Training (or a Stripe test reader): the guest's part, while the reader waits.
        self.guest_box = QWidget()
        parts = QHBoxLayout(self.guest_box)
        parts.setContentsMargins(0, 0, 0, 0)
        self.guest_parts: dict[str, QPushButton] = {}
        for kind, text, key in DONOR_PARTS:
            if kind == "too_long":  # the reader's own timeout: the gift's, not check-in's
                continue
            label = QCoreApplication.translate("ResultPanel", text)
            btn = QPushButton(f"{label} ({key})")
            btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            btn.clicked.connect(lambda _c=False, k=kind: self.play_guest(k))
            QShortcut(QKeySequence(key), self, lambda k=kind: self.play_guest(k))
            parts.addWidget(btn)
            self.guest_parts[kind] = btn
        self.guest_box.hide()
        self.simulated = entry.simulated
        v.addWidget(self.guest_box)
        self.answer = QLabel(self.tr("Type the guest's name, or find them above."))
        self.answer.setObjectName("checkInAnswer")
        self.answer.setWordWrap(True)
        self.answer.setStyleSheet("font-size: 22px; font-weight: bold;")
        v.addWidget(self.answer)
        v.addStretch()
        for field in (self.name, self.email, self.paddle, *self.card.fields):
            field.returnPressed.connect(self.check_in)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.escape)
        self._on_reader = False  # a card is wanted on the reader (Cancel shown)
        self._cancel_asked = threading.Event()  # Cancel before the reader was asked
        self.resize(560, 560)
        self.next_guest()

    # ---- finding ----
    def find(self, text: str) -> None:
        self._asked += 1
        asked, query = self._asked, text.strip()
        self.tasks.run(lambda: self.station.attendees(query) if query else [],
                       lambda found: self._found(asked, found), self._failed)  # fmt: skip

    def _found(self, asked: int, found: list[AttendeeRecord]) -> None:
        if asked != self._asked:
            return  # an older search answered late
        self.found = found[:20]
        self.matches.clear()
        for guest in self.found:
            card = guest.card_label if guest.card_on_file else self.tr("no card on file")
            text = f"{guest.paddle} · {guest.name} · {guest.email} · {card}"
            if guest.language and guest.language != DEFAULT_LANGUAGE:
                text += f" · {LANGUAGE_NAMES.get(guest.language, guest.language)}"
            item = QListWidgetItem(text)
            item.setData(ROLE_ID, guest.id)
            self.matches.addItem(item)

    def _picked(self, item: QListWidgetItem) -> None:
        guest = next((g for g in self.found if g.id == item.data(ROLE_ID)), None)
        if guest is None:
            return
        self.name.setText(guest.name)
        self.email.setText(guest.email)
        self.paddle.setText(guest.paddle)
        self._picked_guest = guest
        self.show_language(guest.language)
        self.card.number.setFocus()

    # ---- the guest's language ----
    def show_language(self, code: str | None) -> None:
        """The choice at `code`; None (or one not offered) is the event's default."""
        at = self.language.findData(code or DEFAULT_LANGUAGE)
        self.language.setCurrentIndex(at if at >= 0 else
                                      self.language.findData(DEFAULT_LANGUAGE))  # fmt: skip

    def chosen_language(self) -> str | None:
        """What goes with the check-in: the choice, or None (no choice: the event's default
        for a new guest, a returning one keeps theirs) when it is the default and the guest
        picked doesn't have another language to be changed back from."""
        code = self.language.currentData() or DEFAULT_LANGUAGE
        had = self._picked_guest.language if self._picked_guest is not None else None
        if code == DEFAULT_LANGUAGE and had in (None, DEFAULT_LANGUAGE):
            return None
        return str(code)

    # ---- checking in ----
    def typed_card(self) -> Card | None:
        if not any(f.text().strip() for f in self.card.fields):
            return None
        try:
            month, year = parse_expiry(self.card.expiry.text())
        except ValueError:
            month, year = 0, dt.date.today().year
        return Card(number=self.card.number.text(), exp_month=month, exp_year=year,
                    cvc=self.card.cvc.text().strip(),
                    postal_code=self.card.postal.text().strip() or None,
                    cardholder=self.name.text().strip() or None)  # fmt: skip

    def check_in(self) -> None:
        if not self.check_btn.isEnabled():
            return  # one check-in at a time: a second Enter sends nothing
        donor = Donor(self.name.text().strip(), self.email.text().strip())
        paddle = self.paddle.text().strip() or None
        language = self.chosen_language()
        card = self.typed_card()
        problems = card_errors(card) if card is not None else {}
        if problems:  # said before anything leaves: the typed card stays to correct
            for field, widget in self.card.errors.items():
                widget.show_message(problems.get(field, ""))
            self.card.error_line.refresh()
            self.answer.setText(shown(" ".join(problems.values())))
            return
        for widget in self.card.errors.values():
            widget.show_message("")
        self.card.error_line.refresh()
        # Off the screen while the request is out; back only if it was refused before any
        # card was tried (a paddle taken, a name missing): nothing typed is lost then.
        self._typed = tuple(f.text() for f in self.card.fields) if card is not None else None
        self.card.clear()
        self.check_btn.setEnabled(False)
        self.answer.setText(self.tr("Checking in…"))
        self.tasks.run(lambda: self.station.check_in(donor, paddle, card, language),
                       self._checked_in, self._failed)  # fmt: skip

    def _checked_in(self, guest: AttendeeRecord) -> None:
        self.check_btn.setEnabled(True)
        self._typed = None
        if guest.card_on_file:
            said = self.tr("Paddle {paddle} · {card} on file").format(
                paddle=guest.paddle, card=guest.card_label)  # fmt: skip
        elif guest.message:
            said = self.tr("Paddle {paddle} · {problem}").format(
                paddle=guest.paddle, problem=shown(guest.message))  # fmt: skip
        else:
            said = self.tr("Paddle {paddle} · no card on file").format(paddle=guest.paddle)
        who = guest.name
        if guest.language:
            who = self.tr("{name} · receipts in {language}").format(
                name=guest.name, language=LANGUAGE_NAMES.get(guest.language, guest.language))
        self.answer.setText(f"{said}\n{who}")
        self.paddle.setText(guest.paddle)
        self._picked_guest = guest  # checked in: Enter again changes nothing
        self.show_language(guest.language)
        self.search.setFocus()  # Esc clears for the next guest

    def _failed(self, exc: BaseException) -> None:
        self.check_btn.setEnabled(True)
        typed, self._typed = self._typed, None
        if isinstance(exc, InvalidDonation) and typed is not None:
            for field, text in zip(self.card.fields, typed, strict=True):
                field.setText(text)  # refused before the card was tried: kept to resend
        if isinstance(exc, InvalidDonation):
            self.answer.setText(shown(" ".join(exc.errors.values())))
            target = {"paddle": self.paddle, "name": self.name, "email": self.email,
                      "language": self.language}.get(
                next(iter(exc.errors), ""), self.card.number)  # fmt: skip
            target.setFocus()
        else:
            self.answer.setText(self.tr("Check-in didn't work ({error}).").format(
                error=type(exc).__name__))  # fmt: skip

    # ---- the card on the reader ----
    def from_reader(self) -> None:
        """Check the guest in, then keep the card they tap, insert or swipe on the reader."""
        if not self.has_reader or not self.check_btn.isEnabled():
            return
        donor = Donor(self.name.text().strip(), self.email.text().strip())
        paddle = self.paddle.text().strip() or None
        language = self.chosen_language()
        self.card.clear()  # a card typed meanwhile is not what is kept: off the screen
        self._typed = None
        self._busy(True)
        self.answer.setText(self.tr("Tap, insert or swipe on the reader…"))
        station, asked = self.station, self._cancel_asked
        asked.clear()

        def work() -> AttendeeRecord:
            guest = station.check_in(donor, paddle, language=language)
            if asked.is_set():  # cancelled while the guest was being checked in
                return guest
            return station.save_card_from_reader(guest)

        self.tasks.run(work, self._from_reader_done, self._from_reader_failed)

    def _busy(self, waiting: bool) -> None:
        self._on_reader = waiting
        self.check_btn.setEnabled(not waiting)
        self.reader_btn.setEnabled(not waiting)
        self.cancel_btn.setVisible(waiting)
        self.guest_box.setVisible(waiting and self.simulated)

    def _from_reader_done(self, guest: AttendeeRecord) -> None:
        self._busy(False)
        self._checked_in(guest)

    def _from_reader_failed(self, exc: BaseException) -> None:
        self._busy(False)
        self._failed(exc)

    def cancel_reader(self) -> None:
        """Cancel (Alt+C, Esc): the reader stops waiting; the answer says nothing was kept.
        Only sets a flag the waiting call reads: nothing blocks the GUI thread."""
        if self._on_reader and not self.station.cancel_card_on_reader():
            self._cancel_asked.set()  # the reader isn't asked yet: it won't be

    def escape(self) -> None:
        """Esc cancels the card on the reader while it waits; else the next guest."""
        if self._on_reader:
            self.cancel_reader()
        else:
            self.next_guest()

    def play_guest(self, kind: str) -> None:
        """Training: the guest's card on the simulated reader (off the GUI thread)."""
        if not (self._on_reader and self.simulated):
            return
        station = self.station
        self.tasks.run(lambda: station.present_on_reader(kind), lambda _r: None,
                       lambda _e: None)  # fmt: skip

    def next_guest(self) -> None:
        for field in (self.search, self.name, self.email, self.paddle):
            field.clear()
        self.card.clear()
        self.matches.clear()
        self.found = []
        self._picked_guest = None
        self.show_language(None)
        self.answer.setText(self.tr("Type the guest's name, or find them above."))
        self.tasks.run(self.station.next_free_paddle, self._next_free, lambda _e: None)
        self.name.setFocus()

    def _next_free(self, paddle: Any) -> None:
        self.paddle.setPlaceholderText(self.tr("next free: {paddle}").format(paddle=paddle))
