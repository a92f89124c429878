"""The lead PIN gate: set a PIN on first use, ask for it, lock again after inactivity.

The PIN is hashed and checked by the station (scrypt, off the GUI thread); this widget only
collects digits and decides what to show.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from pos_app.api import Station

from .core_text import shown
from .tasks import TaskRunner

LOCK_AFTER_MS = 3 * 60 * 1000


class PinGate(QWidget):
    unlocked = Signal()

    def __init__(self, station: Station, tasks: TaskRunner) -> None:
        super().__init__()
        self.station, self.tasks = station, tasks
        self._setting = False
        self.setObjectName("pinGate")
        v = QVBoxLayout(self)
        v.addStretch()
        self.title = QLabel(self.tr("Lead desk"))
        self.title.setObjectName("pinTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt = QLabel("")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setWordWrap(True)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setPlaceholderText(self.tr("4 to 8 digits"))
        self.pin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_label = QLabel(self.tr("Lead PIN"))
        self.pin_label.setObjectName("inlineLabel")
        self.pin_label.setBuddy(self.pin)
        self.pin.setAccessibleName(self.tr("Lead PIN"))
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setMaxLength(8)
        self.confirm.setPlaceholderText(self.tr("the same digits"))
        self.confirm.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.confirm_label = QLabel(self.tr("Type it again"))
        self.confirm_label.setObjectName("inlineLabel")
        self.confirm_label.setBuddy(self.confirm)
        self.confirm.setAccessibleName(self.tr("Type the PIN again"))
        self.button = QPushButton(self.tr("Unlock"))
        self.message = QLabel("")
        self.message.setObjectName("fieldError")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        fields = QFormLayout()
        fields.addRow(self.pin_label, self.pin)
        fields.addRow(self.confirm_label, self.confirm)
        v.addWidget(self.title, 0, Qt.AlignmentFlag.AlignHCenter)
        v.addWidget(self.prompt, 0, Qt.AlignmentFlag.AlignHCenter)
        v.addLayout(fields)
        fields.setFormAlignment(Qt.AlignmentFlag.AlignHCenter)
        for w in (self.button, self.message):
            v.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        v.addStretch()
        self.prompt.setMinimumWidth(480)
        self.message.setMinimumWidth(480)
        self.message.setWordWrap(True)
        self.pin.setMinimumWidth(240)
        self.confirm.setMinimumWidth(240)
        self.button.clicked.connect(self.submit)
        self.pin.returnPressed.connect(self.submit)
        self.confirm.returnPressed.connect(self.submit)

    def prepare(self) -> None:
        """Ask the station whether a PIN exists, then show the right form."""
        self.pin.clear()
        self.confirm.clear()
        self.message.setText("")
        self.prompt.setText(self.tr("One moment…"))
        self.confirm.hide()
        self.confirm_label.hide()
        self.button.setEnabled(False)
        self.tasks.run(self.station.lead_pin_is_set, self._show_form, self._fail)

    def _gone(self) -> bool:
        """The window closed and was deleted while the station was answering."""
        return not shiboken6.isValid(self) or not shiboken6.isValid(self.button)

    def _show_form(self, is_set: bool) -> None:
        if self._gone():
            return
        self.button.setEnabled(True)
        self._setting = not is_set
        self.confirm.setVisible(self._setting)
        self.confirm_label.setVisible(self._setting)
        if self._setting:
            self.prompt.setText(
                self.tr("Choose a lead PIN (4 to 8 digits). Volunteers shouldn't know it.")
            )
            self.button.setText(self.tr("Set PIN and open"))
        else:
            self.prompt.setText(
                self.tr("Enter the lead PIN to see jobs, refunds, totals and export.")
            )
            self.button.setText(self.tr("Unlock"))
        self.pin.setFocus()

    def submit(self) -> None:
        if not self.button.isEnabled():
            return  # still asking the station whether a PIN exists
        pin = self.pin.text().strip()
        station = self.station
        if self._setting:
            if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
                self.message.setText(self.tr("Use 4 to 8 digits."))
                return
            if pin != self.confirm.text().strip():
                self.message.setText(self.tr("The two PINs don't match."))
                self.confirm.clear()
                self.confirm.setFocus()
                return
            self.tasks.run(lambda: station.set_lead_pin(pin), lambda _r: self._ok(), self._fail)
            return
        self.tasks.run(lambda: station.check_lead_pin(pin), self._checked, self._fail)

    def _checked(self, ok: bool) -> None:
        if self._gone():
            return
        if ok:
            self._ok()
            return
        self.pin.clear()
        wait = self.station.lead_pin_locked_for()
        self.message.setText(
            self.tr("Too many wrong PINs. Try again in {n} s.").format(n=int(wait) + 1)
            if wait > 0
            else self.tr("That PIN isn't right.")
        )

    def _fail(self, exc: BaseException) -> None:
        if self._gone():
            return
        self.message.setText(shown(str(exc)))

    def _ok(self) -> None:
        self.pin.clear()
        self.confirm.clear()
        self.message.setText("")
        self.unlocked.emit()


class InactivityLock(QObject):
    """Emits `expired` after `ms` without a key press or click in the watched widget."""

    expired = Signal()

    def __init__(self, watched: QWidget, ms: int = LOCK_AFTER_MS) -> None:
        super().__init__(watched)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(ms)
        self.timer.timeout.connect(self.expired)
        watched.installEventFilter(self)
        self._watched = watched

    def watch_children(self) -> None:
        for child in self._watched.findChildren(QWidget):
            child.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            if self.timer.isActive():
                self.timer.start()
        return False
