"""The lead's settings tab: the event (name, goal, this station's name) and the secrets this
station needs (pos_app/secrets.py: its processor's, from the registry, and its receipts
provider's), stored in the OS keyring (never a file). Behind the lead PIN."""

from __future__ import annotations

from PySide6.QtWidgets import (
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

    def save_event(self) -> None:
        station = self.station
        name, goal, where = self.event_name.text(), self.goal.value(), self.station_name.text()
        self.event_feedback.setText("Saving…")
        self.tasks.run(
            lambda: station.update_event(name, goal, where),
            lambda _s: self.event_feedback.setText("Saved. Totals and new gifts use it now."),
            self._event_failed,
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
