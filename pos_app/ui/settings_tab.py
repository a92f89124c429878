"""The lead's settings tab: the event (name, goal, this station's name), whether cards may be
typed beside a reader, and the secrets this station needs (pos_app/secrets.py: its
processor's, from the registry, and its receipts provider's), stored in the OS keyring
(never a file). Behind the lead PIN."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pos_app.api import InvalidDonation, Station
from pos_app.secrets import needed_secrets

from .live import LiveChanges
from .screens import Screen, register
from .tasks import TaskRunner


class SettingsTab(QWidget):
    def __init__(
        self, station: Station, tasks: TaskRunner, live: LiveChanges | None = None
    ) -> None:
        super().__init__()
        self.station, self.tasks = station, tasks
        v = QVBoxLayout(self)

        event_box = QGroupBox("Event")
        form = QFormLayout(event_box)
        self.event_name = QLineEdit()
        self.event_name.setMaxLength(200)
        self.goal = QSpinBox()
        self.goal.setRange(0, 100_000_000)
        self.goal.setPrefix("$ ")
        self.goal.setGroupSeparatorShown(True)
        self.station_name = QLineEdit()
        self.station_name.setMaxLength(100)
        self.save_event_btn = QPushButton("Save event settings")
        self.save_event_btn.clicked.connect(self.save_event)
        self.event_feedback = QLabel("")
        self.event_feedback.setWordWrap(True)
        form.addRow("Event name", self.event_name)
        form.addRow("Goal", self.goal)
        form.addRow("This station", self.station_name)
        form.addRow(self.save_event_btn)
        form.addRow(self.event_feedback)
        v.addWidget(event_box)

        cards_box = QGroupBox("Cards")
        cform = QVBoxLayout(cards_box)
        self.keyed_entry = QCheckBox(
            "Volunteers may type a card number on this laptop (a fallback for when the "
            "reader can't be used)"
        )
        self.keyed_entry.toggled.connect(self.save_keyed_entry)
        self.cards_feedback = QLabel("")
        self.cards_feedback.setWordWrap(True)
        cform.addWidget(self.keyed_entry)
        cform.addWidget(self.cards_feedback)
        cards_box.setVisible(station.has_reader)
        v.addWidget(cards_box)

        secrets_box = QGroupBox("Secrets (kept in the OS keyring, never in a file)")
        sform = QFormLayout(secrets_box)
        self.secret_fields: dict[str, QLineEdit] = {}
        wanted = needed_secrets(station.settings)
        for secret in wanted:
            field = QLineEdit()
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText("leave empty to keep the stored one")
            self.secret_fields[secret.name] = field
            sform.addRow(secret.label, field)
        if wanted:
            self.save_secrets_btn = QPushButton("Store in the keyring")
            self.save_secrets_btn.clicked.connect(self.save_secrets)
            sform.addRow(self.save_secrets_btn)
        else:
            sform.addRow(QLabel("This station needs no secrets for its processor and receipts."))
        self.secret_feedback = QLabel("")
        self.secret_feedback.setWordWrap(True)
        sform.addRow(self.secret_feedback)
        v.addWidget(secrets_box)
        v.addStretch()
        self.load()

    def start(self) -> None:
        """Unlocked: show the settings as they are now."""
        self.load()

    def stop(self) -> None:
        """Locked: nothing to stop; the fields are filled again at the next unlock."""

    def load(self) -> None:
        e = self.station.settings.event
        self.event_name.setText(e.name)
        self.goal.setValue(e.goal)
        self.station_name.setText(e.station)
        self.keyed_entry.blockSignals(True)  # showing the setting is not changing it
        self.keyed_entry.setChecked(self.station.card_entry.keyed)
        self.keyed_entry.blockSignals(False)

    def save_event(self) -> None:
        station = self.station
        name, goal, where = self.event_name.text(), self.goal.value(), self.station_name.text()
        self.event_feedback.setText("Saving…")
        self.tasks.run(
            lambda: station.update_event(name, goal, where),
            lambda _s: self.event_feedback.setText("Saved. Totals and new gifts use it now."),
            self._event_failed,
        )

    def save_keyed_entry(self, allowed: bool) -> None:
        station = self.station
        self.cards_feedback.setText("Saving…")
        self.tasks.run(
            lambda: station.allow_keyed_entry(allowed),
            lambda _s: self.cards_feedback.setText(
                "Saved. Volunteers can now type a card number or use the reader."
                if allowed
                else "Saved. Cards are taken on the reader only."
            ),
            lambda exc: self.cards_feedback.setText(f"Not saved: {exc}"),
        )

    def _event_failed(self, exc: BaseException) -> None:
        if isinstance(exc, InvalidDonation):
            self.event_feedback.setText(" ".join(exc.errors.values()))
        else:
            self.event_feedback.setText(f"Not saved: {exc}")

    def save_secrets(self) -> None:
        values = {n: f.text() for n, f in self.secret_fields.items() if f.text().strip()}
        for f in self.secret_fields.values():
            f.clear()  # the secret leaves the widget at once
        if not values:
            self.secret_feedback.setText("Type a new value first; empty fields keep what's stored.")
            return
        station = self.station

        def work() -> str:
            return "\n".join(station.store_secret(n, v) for n, v in values.items())

        self.secret_feedback.setText("Storing…")
        self.tasks.run(work, self.secret_feedback.setText, self._secret_failed)

    def _secret_failed(self, exc: BaseException) -> None:
        self.secret_feedback.setText(f"Not stored: {exc}")


register(Screen("settings", "Settings", SettingsTab, order=30))
