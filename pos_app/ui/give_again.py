"""Give again: find a returning donor whose card is on file and charge it, with one key.

F9 opens this panel in place of the result panel: type part of a name, an email or a
paddle number and the matches appear as you type ("Ada Lovelace · Visa •••• 4242 ·
paddle 112"), read off the GUI thread and keyed by the query (a late answer for an older
query is dropped). The first match is chosen; Up and Down choose another. Enter gives:
"Give $100 again on Visa •••• 4242", the form's amount (or, with none typed, the donor's
last gift) with the form's options (cover the fee, a dedication, ...). Esc closes it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
)

from pos_app.domain.money import format_cents
from pos_app.services.give_again import SavedDonor

from .form_parts import field_label
from .tasks import TaskRunner

SEARCH_DELAY_MS = 150  # a pause in typing before the search runs
KEY = "F9"
REF_ROLE = Qt.ItemDataRole.UserRole + 1


def match_line(d: SavedDonor, paddle_word: str) -> str:
    parts = [d.name or d.email, d.card_label]
    if d.paddle:
        parts.append(f"{paddle_word} {d.paddle}")
    return " · ".join(parts)


class _Keys(QObject):
    """Up/Down in the search field move the choice; Enter gives."""

    def __init__(self, panel: GiveAgainPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                step = -1 if event.key() == Qt.Key.Key_Up else 1
                row = self.panel.matches.currentRow() + step
                if 0 <= row < self.panel.matches.count():
                    self.panel.matches.setCurrentRow(row)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if not event.isAutoRepeat():
                    self.panel.give_chosen()
                return True
        return False


class GiveAgainPanel(QFrame):
    give = Signal(object)  # the chosen SavedDonor
    closed = Signal()

    def __init__(
        self,
        tasks: TaskRunner,
        find: Callable[[str], list[SavedDonor]],
        amount_for: Callable[[SavedDonor], str],
    ) -> None:
        """`find` runs off the GUI thread; `amount_for` words the gift for the button."""
        super().__init__()
        self.setObjectName("giveAgain")
        self.tasks, self.find, self.amount_for = tasks, find, amount_for
        self.found: list[SavedDonor] = []
        self._asked = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        heading = QLabel(self.tr("Give again"))
        heading.setObjectName("resultHeading")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.search = QLineEdit()
        self.search.setObjectName("giveAgainSearch")
        self.search.setPlaceholderText(self.tr("name, email or paddle number"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(field_label(self.tr("Find a donor with a card on file"), self.search))
        layout.addWidget(self.search)
        self.matches = QListWidget()
        self.matches.setObjectName("giveAgainMatches")
        self.matches.setAccessibleName(self.tr("Donors with a card on file"))
        self.matches.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cursor stays in the search
        self.matches.currentRowChanged.connect(lambda _r: self._show_choice())
        self.matches.itemActivated.connect(lambda _i: self.give_chosen())
        layout.addWidget(self.matches, 1)
        self.note = QLabel("")
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.give_btn = QPushButton("")
        self.give_btn.setObjectName("giveAgainButton")
        self.give_btn.setMinimumHeight(64)
        # two lines, never wider than the panel: the amount, then the card
        self.give_btn.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.give_btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Enter in the search gives
        self.give_btn.clicked.connect(self.give_chosen)
        layout.addWidget(self.give_btn)
        self.close_btn = QPushButton(self.tr("Close (Esc)"))
        self.close_btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_btn.clicked.connect(self.closed)
        layout.addWidget(self.close_btn)
        self._keys = _Keys(self)
        self.search.installEventFilter(self._keys)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.reset()

    # ---- state ----
    @property
    def chosen(self) -> SavedDonor | None:
        row = self.matches.currentRow()
        return self.found[row] if 0 <= row < len(self.found) else None

    def reset(self) -> None:
        self._timer.stop()
        self._asked = ""
        self.search.clear()
        self.found = []
        self.matches.clear()
        self.note.setText(self.tr("Type two letters of a name or email, or a paddle number."))
        self._show_choice()

    def start(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
        if self.search.text().strip():
            self._run_search()

    def refresh_button(self) -> None:
        """The form's amount or options changed: the button says the new gift."""
        self._show_choice()

    # ---- searching (off the GUI thread) ----
    def _run_search(self) -> None:
        query = self.search.text().strip()
        self._asked = query
        if len(query) < 2 and not query.isdigit():
            self._show([], query)
            return
        find = self.find
        self.tasks.run(
            lambda: find(query),
            lambda found, q=query: self._show(found, q),
            lambda exc: self.note.setText(
                self.tr("Couldn't search: {error}").format(error=str(exc))
            ),
        )

    def _show(self, found: list[SavedDonor], query: str) -> None:
        if query != self._asked:
            return  # an answer for an older query: a newer one is on its way
        self.found = list(found)
        self.matches.clear()
        paddle = self.tr("paddle")
        for d in self.found:
            item = QListWidgetItem(match_line(d, paddle))
            item.setData(REF_ROLE, d.ref)
            self.matches.addItem(item)
        if self.found:
            self.matches.setCurrentRow(0)
            self.note.setText(
                self.tr("Enter gives; Up and Down choose another donor.")
                if len(self.found) > 1
                else self.tr("Enter gives.")
            )
        elif query:
            self.note.setText(
                self.tr("No card on file matches “{query}”. Take the card the usual way.")
                .format(query=query)
            )
        self._show_choice()

    # ---- giving ----
    def _show_choice(self) -> None:
        d = self.chosen
        if d is None:
            self.give_btn.setText(self.tr("Give again"))
            self.give_btn.setEnabled(False)
            return
        amount = self.amount_for(d)
        text = (
            self.tr("Give {amount} again on {card}").format(amount=amount, card=d.card_label)
            if amount
            else self.tr("Give again on {card}").format(card=d.card_label)
        )
        # broken before the card so it fits a small screen's panel
        shown = text.replace(f" {d.card_label}", f"\n{d.card_label}", 1)
        self.give_btn.setText(f"{shown}  (Enter)")
        self.give_btn.setAccessibleName(text)
        self.give_btn.setEnabled(True)

    def give_chosen(self) -> None:
        d = self.chosen
        if d is not None and self.give_btn.isEnabled():
            self.give.emit(d)


def last_gift_words(d: SavedDonor, currency: str) -> str:
    return format_cents(d.last_gift_cents, currency)
