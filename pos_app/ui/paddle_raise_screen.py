"""The paddle raise (fund-a-need) on the lead's desk: open one with its levels, then record
hands as they go up — the paddle number and Enter, at the level in force (it stays until
changed: Up/Down in the paddle field, or a click) — four keys for a three-digit paddle.

Each pledge is recorded at once (`Station.pledge`) off the GUI thread and shown in the list;
a guest with a card on file is charged in the background and the row follows it (charging,
paid, "Ask paddle 112 for another card"). Ctrl+Z undoes the last pledge while its charge
hasn't started. The running total and the count per level update live (`Topic.GALA`, gifts
and jobs), with a slow poll behind them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QIntValidator, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.api import InvalidDonation, PledgeRecord, Station
from pos_app.changes import Topic
from pos_app.domain.money import format_cents
from pos_app.services.gala_records import PaddleRaiseRecord

from .charts import whole_money
from .core_text import shown
from .form_parts import field_label
from .live import LiveChanges, RefreshedScreen, Refresher
from .pledges_screen import STATE_WORDS
from .quiet_label import QuietLabel
from .screens import Screen, register
from .tasks import TaskRunner

POLL_MS = 15_000
DEFAULT_LEVELS = "5000, 2500, 1000, 500, 250, 100"
HEADERS = (
    QT_TRANSLATE_NOOP("PaddleRaiseScreen", "Paddle"),
    QT_TRANSLATE_NOOP("PaddleRaiseScreen", "Guest"),
    QT_TRANSLATE_NOOP("PaddleRaiseScreen", "Amount"),
    QT_TRANSLATE_NOOP("PaddleRaiseScreen", "State"),
    QT_TRANSLATE_NOOP("PaddleRaiseScreen", "What happens"),
)


@dataclass(frozen=True)
class RaiseView:
    current: PaddleRaiseRecord | None  # the open raise (the newest), if any
    pledges: list[PledgeRecord]


def read_raise(station: Station) -> RaiseView:
    open_ones = [r for r in station.paddle_raises() if r.open]
    current = max(open_ones, key=lambda r: r.opened_at) if open_ones else None
    return RaiseView(current, station.pledges(current.id) if current else [])


def parse_levels(text: str) -> list[int]:
    """ "5000, 2500, 1,000" → cents, highest first. Raises ValueError with the words."""
    levels: list[int] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip().lstrip("$").replace(" ", "")
        if not part:
            continue
        if not part.isdigit() or int(part) <= 0:
            raise ValueError(f"“{part}” isn't a whole number of dollars.")
        levels.append(int(part) * 100)
    if not levels:
        raise ValueError("Type the levels in dollars, e.g. 5000, 1000, 500.")
    return sorted(set(levels), reverse=True)


class PaddleRaiseScreen(RefreshedScreen, QWidget):
    def __init__(
        self, station: Station, tasks: TaskRunner, live: LiveChanges | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("paddleRaiseScreen")
        self.setStyleSheet(  # the level in force, seen across the room
            "#paddleRaiseScreen QPushButton:checked { background: #1f5fbf; color: white; "
            "font-weight: bold; border: 2px solid #123d7a; }"
        )
        self.station, self.tasks = station, tasks
        self.live = live or LiveChanges(station.changes, self)
        self.view = RaiseView(None, [])
        self.level_cents = 0
        self.last_pledge: PledgeRecord | None = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_opening())
        self.stack.addWidget(self._build_raise())
        v = QVBoxLayout(self)
        v.addWidget(self.stack)
        self.status = QuietLabel("", "raiseStatus")
        v.addWidget(self.status)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo_last)
        self.refresher = Refresher(
            self, tasks, self.live, (Topic.GALA, Topic.GIFT, Topic.JOB),
            lambda: lambda: read_raise(self.station), self._show, self._failed,
            fallback_ms=POLL_MS,
        )  # fmt: skip

    # ---- building ----
    def _build_opening(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.addWidget(QLabel(self.tr("No paddle raise is open. Open one with its levels:")))
        self.title_edit = QLineEdit(self.tr("Fund-a-need"))
        self.title_edit.setAccessibleName(self.tr("Raise title"))
        self.levels_edit = QLineEdit(DEFAULT_LEVELS)
        self.levels_edit.setAccessibleName(self.tr("Levels in dollars"))
        self.levels_edit.returnPressed.connect(self.open_raise)
        self.open_btn = QPushButton(self.tr("Open the raise"))
        self.open_btn.clicked.connect(self.open_raise)
        for label, edit in ((self.tr("Title"), self.title_edit),
                            (self.tr("Levels ($, highest first)"), self.levels_edit)):  # fmt: skip
            v.addWidget(field_label(label, edit))
            v.addWidget(edit)
        v.addWidget(self.open_btn, 0, Qt.AlignmentFlag.AlignLeft)
        v.addStretch()
        return w

    def _build_raise(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        self.heading = QLabel("")
        self.heading.setObjectName("raiseHeading")
        self.heading.setStyleSheet("font-size: 20px; font-weight: bold;")
        v.addWidget(self.heading)
        self.levels_row = QHBoxLayout()
        self.level_group = QButtonGroup(self)
        self.level_group.setExclusive(True)
        self.level_group.idClicked.connect(self._level_clicked)
        v.addLayout(self.levels_row)
        entry = QHBoxLayout()
        self.paddle_edit = QLineEdit()
        self.paddle_edit.setPlaceholderText(self.tr("Paddle number, then Enter"))
        self.paddle_edit.setAccessibleName(self.tr("Paddle number"))
        self.paddle_edit.setValidator(QIntValidator(0, 99_999_999, self))
        self.paddle_edit.setStyleSheet("font-size: 24px;")
        self.paddle_edit.returnPressed.connect(self.record)
        self.paddle_edit.installEventFilter(self)  # Up/Down change the level
        self.undo_btn = QPushButton(self.tr("Undo last (Ctrl+Z)"))
        self.undo_btn.clicked.connect(self.undo_last)
        self.close_btn = QPushButton(self.tr("Close the raise"))
        self.close_btn.clicked.connect(self.close_raise)
        entry.addWidget(self.paddle_edit, 1)
        entry.addWidget(self.undo_btn)
        entry.addWidget(self.close_btn)
        v.addLayout(entry)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in HEADERS])
        self.table.setAccessibleName(self.tr("Pledges in this raise"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the paddle field keeps the keys
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col in range(len(HEADERS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col == 4
                                        else QHeaderView.ResizeMode.ResizeToContents)  # fmt: skip
        v.addWidget(self.table, 1)
        return w

    # ---- reading ----
    def _show(self, view: RaiseView) -> None:
        before = self.view.current.id if self.view.current else None
        self.view = view
        raised = view.current
        if raised is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        if raised.id != before:
            self._make_levels(raised)
        c = self.station.settings.payments.currency
        count = (self.tr("1 pledge") if raised.count == 1
                 else self.tr("{n} pledges").format(n=raised.count))  # fmt: skip
        self.heading.setText(self.tr("{title}: {total} from {count} · {paid} paid").format(
            title=raised.title, total=whole_money(raised.total_cents, c), count=count,
            paid=whole_money(raised.paid_cents, c)))  # fmt: skip
        for button in self.level_group.buttons():
            cents = self.level_group.id(button) * 100
            button.setText(f"{whole_money(cents, c)} ({raised.by_level.get(cents, 0)})")
        pledges = sorted(view.pledges, key=lambda p: p.created_at, reverse=True)
        self.table.setRowCount(len(pledges))
        for r, p in enumerate(pledges):
            state = QCoreApplication.translate("PledgesScreen", STATE_WORDS.get(p.state, p.state))
            cells = (p.paddle or "", p.name, format_cents(p.amount_cents, c), state,
                     shown(p.message or ""))  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, col, item)

    def _make_levels(self, raised: PaddleRaiseRecord) -> None:
        for button in self.level_group.buttons():
            self.level_group.removeButton(button)
            button.deleteLater()
        for cents in raised.levels_cents:
            button = QPushButton()
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAccessibleName(self.tr("Level {amount}").format(
                amount=whole_money(cents, self.station.settings.payments.currency)))  # fmt: skip
            self.level_group.addButton(button, cents // 100)  # dollars: ids are ints
            self.levels_row.addWidget(button)
        self.set_level(raised.levels_cents[0])
        self.paddle_edit.setFocus()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(self.tr("Couldn't read the raise ({error}).").format(
            error=type(exc).__name__))  # fmt: skip

    # ---- the level in force ----
    def set_level(self, cents: int) -> None:
        self.level_cents = cents
        button = self.level_group.button(cents // 100)
        if button is not None:
            button.setChecked(True)

    def _level_clicked(self, dollars: int) -> None:
        self.set_level(dollars * 100)
        self.paddle_edit.setFocus()

    def step_level(self, down: bool) -> None:
        levels = list(self.view.current.levels_cents) if self.view.current else []
        if self.level_cents not in levels:
            return
        i = levels.index(self.level_cents) + (1 if down else -1)
        self.set_level(levels[max(0, min(i, len(levels) - 1))])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (watched is self.paddle_edit and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)):  # fmt: skip
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.step_level(down=event.key() == Qt.Key.Key_Down)
                return True
            if event.matches(QKeySequence.StandardKey.Undo):  # the pledge, not the typing
                self.undo_last()
                return True
        return super().eventFilter(watched, event)

    # ---- acting ----
    def open_raise(self) -> None:
        title = self.title_edit.text().strip() or self.tr("Fund-a-need")
        try:
            levels = parse_levels(self.levels_edit.text())
        except ValueError as exc:
            self.status.setText(shown(str(exc)))
            self.levels_edit.setFocus()
            return
        self.open_btn.setEnabled(False)
        self.tasks.run(lambda: self.station.open_paddle_raise(title, levels),
                       self._opened, self._act_failed)  # fmt: skip

    def _opened(self, _raise_id: str) -> None:
        self.open_btn.setEnabled(True)
        self.status.setText(self.tr("The raise is open: type a paddle number and Enter."))
        self.refresh()

    def record(self) -> None:
        raised, paddle = self.view.current, self.paddle_edit.text().strip()
        if raised is None or not paddle:
            return
        cents = self.level_cents
        self.paddle_edit.clear()  # the next hand can be typed at once
        self.tasks.run(lambda: self.station.pledge(raised.id, paddle, cents),
                       self._pledged, lambda exc: self._pledge_failed(exc, paddle))  # fmt: skip

    def _pledged(self, pledge: PledgeRecord) -> None:
        self.last_pledge = pledge
        c = self.station.settings.payments.currency
        how = (self.tr("card on file: charging") if pledge.card_on_file
               else self.tr("no card: waits for checkout"))  # fmt: skip
        self.status.setText(self.tr("Paddle {paddle} · {amount} — {name} ({how})").format(
            paddle=pledge.paddle, amount=whole_money(pledge.amount_cents, c),
            name=pledge.name, how=how))  # fmt: skip
        self.refresh()

    def _pledge_failed(self, exc: BaseException, paddle: str) -> None:
        if not self.paddle_edit.text():
            self.paddle_edit.setText(paddle)  # nothing typed is lost
        self._act_failed(exc)

    def undo_last(self) -> None:
        pledge = self.last_pledge
        if pledge is None:
            self.status.setText(self.tr("Nothing to undo."))
            return
        self.tasks.run(lambda: self.station.undo_pledge(pledge.id), self._undone,
                       self._act_failed)  # fmt: skip

    def _undone(self, pledge: PledgeRecord) -> None:
        self.last_pledge = None
        self.status.setText(self.tr("Undone: paddle {paddle}.").format(paddle=pledge.paddle))
        self.refresh()

    def close_raise(self) -> None:
        raised = self.view.current
        if raised is None:
            return
        self.tasks.run(lambda: self.station.close_paddle_raise(raised.id), self._closed,
                       self._act_failed)  # fmt: skip

    def _closed(self, raised: PaddleRaiseRecord) -> None:
        self.status.setText(self.tr("“{title}” is closed; its pledges are still collected.")
                            .format(title=raised.title))  # fmt: skip
        self.refresh()

    def _act_failed(self, exc: BaseException) -> None:
        self.open_btn.setEnabled(True)
        if isinstance(exc, InvalidDonation):
            self.status.setText(shown(" ".join(exc.errors.values())))
        else:
            self.status.setText(self.tr("That didn't work ({error}).").format(
                error=type(exc).__name__))  # fmt: skip


register(Screen("raise", QT_TRANSLATE_NOOP("Screens", "Paddle raise"), PaddleRaiseScreen,
                order=18))  # fmt: skip
