"""The lead's settings tab: the event (name, goal, this station's name), the short list of
items and tickets a gift may buy (with their fair market value, for the receipt), whether
the form's "save this card" box starts ticked, whether cards may be typed beside a reader, and the
secrets this station needs (pos_app/secrets.py: its processor's, from the registry, and its
receipts provider's), stored in the OS keyring (never a file). Behind the lead PIN."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.api import Goods, InvalidDonation, Station
from pos_app.changes import Change, Topic
from pos_app.secrets import needed_secrets

from .core_text import shown
from .live import LiveChanges
from .quiet_label import QuietLabel
from .screens import Screen, register
from .tasks import TaskRunner


class SettingsTab(QWidget):
    def __init__(
        self, station: Station, tasks: TaskRunner, live: LiveChanges | None = None
    ) -> None:
        super().__init__()
        self.station, self.tasks = station, tasks
        self.live = live or LiveChanges(station.changes, self)
        self.live.changed.connect(self._changed)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # On a 1024x600 laptop the boxes are taller than the tab: they scroll
        scroll = QScrollArea()
        scroll.setObjectName("settingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        held = QVBoxLayout(holder)
        scroll.setWidget(holder)
        outer.addWidget(scroll)
        page = QWidget()  # a readable line length on a wide screen
        page.setMaximumWidth(900)
        held.addWidget(page)
        held.addStretch()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)

        event_box = QGroupBox(self.tr("Event"))
        form = QFormLayout(event_box)
        self.event_name = QLineEdit()
        self.event_name.setMaxLength(200)
        self.goal = QSpinBox()
        self.goal.setRange(0, 100_000_000)
        self.goal.setPrefix("$ ")
        self.goal.setGroupSeparatorShown(True)
        # Typed, not clicked: the stylesheet's border drew the arrows as broken lines
        # (style.qss gives the arrow buttons no width; Up and Down keys still step).
        self.goal.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.goal.lineEdit().setTextMargins(6, 0, 0, 0)
        self.goal.setAccessibleName(self.tr("Goal in dollars"))
        self.goal.lineEdit().setAccessibleName(self.tr("Goal in dollars"))
        self.station_name = QLineEdit()
        self.station_name.setMaxLength(100)
        self.event_name.setAccessibleName(self.tr("Event name"))
        self.station_name.setAccessibleName(self.tr("This station"))
        self.save_event_btn = QPushButton(self.tr("Save event settings"))
        self.save_event_btn.clicked.connect(self.save_event)
        self.event_feedback = QuietLabel()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.addRow(self.tr("Event name"), self.event_name)
        form.addRow(self.tr("Goal"), self.goal)
        form.addRow(self.tr("This station"), self.station_name)
        form.addRow(self.save_event_btn)
        form.addRow(self.event_feedback)
        side = QHBoxLayout()  # the event and the goods list side by side: it fits 1024x600
        side.addWidget(event_box, 1)
        side.addWidget(self._goods_box(), 1)
        v.addLayout(side)

        cards_box = QGroupBox(self.tr("Cards"))
        cform = QVBoxLayout(cards_box)
        # The donor's consent is asked on the form; this is only where the box starts.
        self.save_cards = QCheckBox(self.tr("Tick 'save this card' on the form by default"))
        self.save_cards.toggled.connect(self.save_save_cards)
        self.save_cards.setVisible(station.can_save_cards)
        self.keyed_entry = QCheckBox(
            self.tr(
                "Volunteers may type a card number on this laptop (a fallback for when the "
                "reader can't be used)"
            )
        )
        self.keyed_entry.toggled.connect(self.save_keyed_entry)
        self.keyed_entry.setVisible(station.has_reader)
        self.cards_feedback = QuietLabel()
        cform.addWidget(self.save_cards)
        cform.addWidget(self.keyed_entry)
        cform.addWidget(self.cards_feedback)
        cards_box.setVisible(station.has_reader or station.can_save_cards)
        v.addWidget(cards_box)

        secrets_box = QGroupBox(self.tr("Secrets (kept in the OS keyring, never in a file)"))
        sform = QFormLayout(secrets_box)
        self.secret_fields: dict[str, QLineEdit] = {}
        wanted = needed_secrets(station.settings)
        for secret in wanted:
            field = QLineEdit()
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText(self.tr("leave empty to keep the stored one"))
            field.setAccessibleName(shown(secret.label))
            self.secret_fields[secret.name] = field
            sform.addRow(shown(secret.label), field)
        if wanted:
            self.save_secrets_btn = QPushButton(self.tr("Store in the keyring"))
            self.save_secrets_btn.clicked.connect(self.save_secrets)
            sform.addRow(self.save_secrets_btn)
        else:
            sform.addRow(
                QLabel(self.tr("This station needs no secrets for its processor and receipts."))
            )
        self.secret_feedback = QuietLabel()
        sform.addRow(self.secret_feedback)
        v.addWidget(secrets_box)
        self.load()

    def _goods_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Items and tickets a gift may buy"))
        g = QVBoxLayout(box)
        box.setToolTip(self.tr(
            "The volunteer picks one per gift (or none). Its fair market value goes on that "
            "gift's receipt, which says how much is deductible; a gift with nothing picked "
            "has no goods."
        ))  # fmt: skip
        self.goods_table = QTableWidget(0, 2)
        self.goods_table.setObjectName("goodsTable")
        self.goods_table.setAccessibleName(self.tr("Items and tickets a gift may buy"))
        self.goods_table.setHorizontalHeaderLabels(
            [self.tr("Item or ticket"), self.tr("Fair market value ($)")]
        )
        header = self.goods_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.goods_table.verticalHeader().setVisible(False)
        self.goods_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.goods_table.setMaximumHeight(120)
        self.goods_table.setAccessibleDescription(box.toolTip())
        g.addWidget(self.goods_table)
        buttons = QHBoxLayout()
        self.add_goods_btn = QPushButton(self.tr("Add an item"))
        buttons.setSpacing(6)
        self.add_goods_btn.clicked.connect(lambda: self.add_goods_row())
        self.remove_goods_btn = QPushButton(self.tr("Remove"))
        self.remove_goods_btn.clicked.connect(self.remove_goods_row)
        self.save_goods_btn = QPushButton(self.tr("Save the list"))
        self.save_goods_btn.clicked.connect(self.save_goods)
        for b in (self.add_goods_btn, self.remove_goods_btn):
            buttons.addWidget(b)
        buttons.addStretch()
        buttons.addWidget(self.save_goods_btn)
        g.addLayout(buttons)
        self.goods_feedback = QuietLabel()
        g.addWidget(self.goods_feedback)
        return box

    def show_goods(self, items: list[Goods]) -> None:
        self.goods_table.setRowCount(0)
        for item in items:
            self.add_goods_row(item.description, f"{item.value_cents / 100:.2f}")

    def add_goods_row(self, description: str = "", value: str = "") -> None:
        row = self.goods_table.rowCount()
        self.goods_table.insertRow(row)
        self.goods_table.setItem(row, 0, QTableWidgetItem(description or ""))
        self.goods_table.setItem(row, 1, QTableWidgetItem(value or ""))
        if not description:
            self.goods_table.setCurrentCell(row, 0)
            self.goods_table.editItem(self.goods_table.item(row, 0))

    def remove_goods_row(self) -> None:
        row = self.goods_table.currentRow()
        if row >= 0:
            self.goods_table.removeRow(row)

    def goods_typed(self) -> list[Goods] | str:
        """The table as Goods, or the first problem in words."""
        items: list[Goods] = []
        for row in range(self.goods_table.rowCount()):
            cells = [self.goods_table.item(row, c) for c in (0, 1)]
            what, value = ((c.text().strip() if c else "") for c in cells)
            if not what and not value:
                continue  # an empty row added by mistake
            try:
                cents = int((Decimal(value.replace("$", "").replace(",", "") or "0")
                             * 100).to_integral_value())  # fmt: skip
            except InvalidOperation:
                return self.tr("Item {n}: write the value in dollars, e.g. 40 or 12.50.").format(
                    n=row + 1
                )
            items.append(Goods(what, cents))
        return items

    def save_goods(self) -> None:
        items = self.goods_typed()
        if isinstance(items, str):
            self.goods_feedback.setText(items)
            return
        station = self.station
        self.goods_feedback.setText(self.tr("Saving…"))
        self.tasks.run(
            lambda: station.set_goods_items(items),
            self._goods_saved,
            self._goods_failed,
        )

    def _goods_saved(self, items: list[Goods]) -> None:
        self.show_goods(items)
        self.goods_feedback.setText(
            self.tr("Saved. Volunteers can pick these now.") if items
            else self.tr("Saved. There is nothing to pick: no gift has goods.")
        )  # fmt: skip

    def _goods_failed(self, exc: BaseException) -> None:
        if isinstance(exc, InvalidDonation):
            self.goods_feedback.setText(" ".join(shown(m) for m in exc.errors.values()))
        else:
            self.goods_feedback.setText(self.tr("Not saved: {error}").format(error=shown(str(exc))))

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
        self.show_goods(self.station.goods_items())
        self.show_switches()

    def show_switches(self) -> None:
        """The two card switches as the station has them now (showing is not changing)."""
        for box, value in ((self.keyed_entry, self.station.card_entry.keyed),
                           (self.save_cards, self.station.save_cards_default)):  # fmt: skip
            box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(False)

    def _changed(self, change: Change) -> None:
        # Another station or the CLI changed a switch: show it (typed fields are left alone).
        if Topic.SETTINGS in change:
            self.show_switches()

    def save_event(self) -> None:
        station = self.station
        name, goal, where = self.event_name.text(), self.goal.value(), self.station_name.text()
        self.event_feedback.setText(self.tr("Saving…"))
        self.tasks.run(
            lambda: station.update_event(name, goal, where),
            lambda _s: self.event_feedback.setText(
                self.tr("Saved. Totals and new gifts use it now.")
            ),
            self._event_failed,
        )

    def save_keyed_entry(self, allowed: bool) -> None:
        station = self.station
        self.cards_feedback.setText(self.tr("Saving…"))
        self.tasks.run(
            lambda: station.allow_keyed_entry(allowed),
            lambda _s: self.cards_feedback.setText(
                self.tr("Saved. Volunteers can now type a card number or use the reader.")
                if allowed
                else self.tr("Saved. Cards are taken on the reader only.")
            ),
            self._cards_failed,
        )

    def save_save_cards(self, ticked: bool) -> None:
        station = self.station
        self.cards_feedback.setText(self.tr("Saving…"))
        self.tasks.run(
            lambda: station.set_save_cards_default(ticked),
            lambda _s: self.cards_feedback.setText(
                self.tr("Saved. The 'save this card' box starts ticked; donors may untick it.")
                if ticked
                else self.tr("Saved. The form's 'save this card' box starts unticked.")
            ),
            self._cards_failed,
        )

    def _cards_failed(self, exc: BaseException) -> None:
        self.cards_feedback.setText(self.tr("Not saved: {error}").format(error=shown(str(exc))))
        self.show_switches()

    def _event_failed(self, exc: BaseException) -> None:
        if isinstance(exc, InvalidDonation):
            self.event_feedback.setText(" ".join(shown(m) for m in exc.errors.values()))
        else:
            self.event_feedback.setText(self.tr("Not saved: {error}").format(error=shown(str(exc))))

    def save_secrets(self) -> None:
        values = {n: f.text() for n, f in self.secret_fields.items() if f.text().strip()}
        for f in self.secret_fields.values():
            f.clear()  # the secret leaves the widget at once
        if not values:
            self.secret_feedback.setText(
                self.tr("Type a new value first; empty fields keep what's stored.")
            )
            return
        station = self.station

        def work() -> str:
            return "\n".join(station.store_secret(n, v) for n, v in values.items())

        self.secret_feedback.setText(self.tr("Storing…"))
        self.tasks.run(work, lambda text: self.secret_feedback.setText(shown(text)),
                       self._secret_failed)  # fmt: skip

    def _secret_failed(self, exc: BaseException) -> None:
        self.secret_feedback.setText(self.tr("Not stored: {error}").format(error=shown(str(exc))))


register(Screen("settings", QT_TRANSLATE_NOOP("Screens", "Settings"), SettingsTab, order=30))
