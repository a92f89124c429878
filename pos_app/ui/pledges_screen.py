"""Pledges: every promise of a gift on the lead's desk — from a paddle raise or taken at the
table to be paid by a link — with how it is being collected, a progress line ("38 of 52
paid · 3 need attention · 5 links out · 2 expired") and the lead's actions: charge all open
pledges (the end of the night: cards on file, else pay links), send one pay link (again),
and read the sent links back now.

Reads `Station.pledges()` off the GUI thread when a pledge, a gift or a job changes
(`Topic.GALA`, `GIFT`, `JOB`) and on a slow poll; acts through the TaskRunner.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.api import InvalidDonation, PledgeRecord, Station
from pos_app.changes import Topic
from pos_app.domain.money import format_cents

from .core_text import shown
from .live import LiveChanges, RefreshedScreen, Refresher
from .quiet_label import QuietLabel
from .screens import Screen, register
from .tasks import TaskRunner

POLL_MS = 15_000
HEADERS = (
    QT_TRANSLATE_NOOP("PledgesScreen", "Paddle"),
    QT_TRANSLATE_NOOP("PledgesScreen", "Donor"),
    QT_TRANSLATE_NOOP("PledgesScreen", "Amount"),
    QT_TRANSLATE_NOOP("PledgesScreen", "State"),
    QT_TRANSLATE_NOOP("PledgesScreen", "What happens"),
)
COL_MESSAGE = 4
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
STATE_WORDS = {
    "pledged": QT_TRANSLATE_NOOP("PledgesScreen", "Waiting"),
    "charging": QT_TRANSLATE_NOOP("PledgesScreen", "Charging"),
    "paid": QT_TRANSLATE_NOOP("PledgesScreen", "✓ Paid"),
    "needs_attention": QT_TRANSLATE_NOOP("PledgesScreen", "▲ Needs attention"),
    "link_sent": QT_TRANSLATE_NOOP("PledgesScreen", "Link sent"),
    "expired": QT_TRANSLATE_NOOP("PledgesScreen", "Link expired"),
    "undone": QT_TRANSLATE_NOOP("PledgesScreen", "Undone"),
}
LINKABLE = ("pledged", "needs_attention", "link_sent", "expired")


class PledgesScreen(RefreshedScreen, QWidget):
    def __init__(
        self, station: Station, tasks: TaskRunner, live: LiveChanges | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("pledgesScreen")
        self.station, self.tasks = station, tasks
        self.live = live or LiveChanges(station.changes, self)
        self.pledges: list[PledgeRecord] = []
        v = QVBoxLayout(self)
        self.progress = QLabel(self.tr("Loading pledges…"))
        self.progress.setObjectName("pledgesProgress")
        v.addWidget(self.progress)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in HEADERS])
        self.table.setAccessibleName(self.tr("Pledges"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col in range(len(HEADERS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col == COL_MESSAGE
                                        else QHeaderView.ResizeMode.ResizeToContents)  # fmt: skip
        self.table.itemSelectionChanged.connect(self._selected)
        v.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.send_btn = QPushButton(self.tr("&Send the pay link"))
        self.send_btn.clicked.connect(self.send_link)
        self.check_btn = QPushButton(self.tr("Check &links now"))
        self.check_btn.clicked.connect(self.check_links)
        self.checkout_btn = QPushButton(self.tr("C&harge all open pledges"))
        self.checkout_btn.setToolTip(self.tr(
            "The end of the night: every waiting pledge is charged on its guest's card on "
            "file, or sent a pay link. Safe to press twice."))  # fmt: skip
        self.checkout_btn.clicked.connect(self.checkout)
        row.addWidget(self.checkout_btn)
        row.addWidget(self.send_btn)
        row.addWidget(self.check_btn)
        row.addStretch()
        v.addLayout(row)
        self.status = QuietLabel("", "pledgesStatus")
        v.addWidget(self.status)
        self._selected()
        self.refresher = Refresher(
            self, tasks, self.live, (Topic.GALA, Topic.GIFT, Topic.JOB),
            lambda: self.station.pledges, self._show, self._failed, fallback_ms=POLL_MS,
        )  # fmt: skip

    # ---- reading ----
    def _show(self, pledges: list[PledgeRecord]) -> None:
        chosen = self.current()
        self.pledges = sorted(pledges, key=lambda p: p.created_at, reverse=True)
        self.progress.setText(self.progress_text(self.pledges))
        self.table.setRowCount(len(self.pledges))
        c = self.station.settings.payments.currency
        for r, p in enumerate(self.pledges):
            state = self.tr(STATE_WORDS.get(p.state, p.state))
            cells = (p.paddle or "—", p.name or "", format_cents(p.amount_cents, c), state,
                     shown(p.message or ""))  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if col == 2:
                    item.setTextAlignment(RIGHT)
                self.table.setItem(r, col, item)
        if chosen is not None:
            ids = [p.id for p in self.pledges]
            if chosen.id in ids:
                self.table.selectRow(ids.index(chosen.id))
        self._selected()

    def progress_text(self, pledges: list[PledgeRecord]) -> str:
        live = [p for p in pledges if p.state != "undone"]
        if not live:
            return self.tr("No pledges yet. Paddle raises and pay-link pledges appear here.")
        n = Counter(p.state for p in live)
        c = self.station.settings.payments.currency
        paid = sum(p.amount_cents for p in live if p.state == "paid")
        promised = sum(p.amount_cents for p in live)
        parts = [self.tr("{paid} of {total} paid ({cents} of {promised})").format(
            paid=n["paid"], total=len(live), cents=format_cents(paid, c),
            promised=format_cents(promised, c))]  # fmt: skip
        for state, one, many in (
            ("needs_attention", self.tr("1 needs attention"), self.tr("{n} need attention")),
            ("charging", self.tr("1 charging"), self.tr("{n} charging")),
            ("link_sent", self.tr("1 link out"), self.tr("{n} links out")),
            ("expired", self.tr("1 link expired"), self.tr("{n} links expired")),
            ("pledged", self.tr("1 waiting"), self.tr("{n} waiting")),
        ):
            if n[state]:
                parts.append(one if n[state] == 1 else many.format(n=n[state]))
        return " · ".join(parts)

    def _failed(self, exc: BaseException) -> None:
        self.progress.setText(self.tr("Couldn't read the pledges ({error}).").format(
            error=type(exc).__name__))  # fmt: skip

    # ---- acting ----
    def current(self) -> PledgeRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.pledges):
            return None
        return self.pledges[rows[0].row()]

    def select_pledge(self, pledge_id: str) -> None:
        ids = [p.id for p in self.pledges]
        if pledge_id in ids:
            self.table.selectRow(ids.index(pledge_id))

    def _selected(self) -> None:
        p = self.current()
        self.send_btn.setEnabled(p is not None and p.state in LINKABLE)
        self.send_btn.setText(self.tr("&Send the pay link again") if p is not None
                              and p.state in ("link_sent", "expired")
                              else self.tr("&Send the pay link"))  # fmt: skip

    def send_link(self) -> None:
        p = self.current()
        if p is None or p.state not in LINKABLE:
            return
        self.send_btn.setEnabled(False)
        self.status.setText(self.tr("Sending the pay link…"))
        self.tasks.run(lambda: self.station.send_pay_link(p.id), self._sent, self._act_failed)

    def _sent(self, job_id: Any) -> None:
        self.status.setText(self.tr("The pay link is on its way.") if job_id
                            else self.tr("A pay link for this pledge is already on its way."))
        self.refresh()

    def checkout(self) -> None:
        self.checkout_btn.setEnabled(False)
        self.status.setText(self.tr("Starting the charges and pay links…"))
        self.tasks.run(self.station.checkout_pledges, self._checked_out, self._act_failed)

    def _checked_out(self, done: Any) -> None:
        self.checkout_btn.setEnabled(True)
        def count(n: int, one: str, many: str) -> str:
            return one if n == 1 else many.format(n=n)

        parts = [
            count(done.charged, self.tr("1 charging on a card on file"),
                  self.tr("{n} charging on cards on file")),
            count(done.links, self.tr("1 pay link going out"),
                  self.tr("{n} pay links going out")),
        ]  # fmt: skip
        if done.no_email:
            parts.append(count(done.no_email, self.tr("1 needs the donor's email for a link"),
                               self.tr("{n} need the donor's email for a link")))  # fmt: skip
        self.status.setText(" · ".join(parts))
        self.refresh()

    def check_links(self) -> None:
        self.check_btn.setEnabled(False)
        self.status.setText(self.tr("Checking the pay links…"))
        self.tasks.run(self.station.check_pay_links, self._checked, self._act_failed)

    def _checked(self, pledges: list[PledgeRecord]) -> None:
        self.check_btn.setEnabled(True)
        self.status.setText(self.tr("Pay links checked."))
        self._show(pledges)

    def _act_failed(self, exc: BaseException) -> None:
        self.check_btn.setEnabled(True)
        self.checkout_btn.setEnabled(True)
        self._selected()
        if isinstance(exc, InvalidDonation):
            self.status.setText(shown(" ".join(exc.errors.values())))
        else:
            self.status.setText(self.tr("That didn't work ({error}).").format(
                error=type(exc).__name__))  # fmt: skip


register(Screen("pledges", QT_TRANSLATE_NOOP("Screens", "Pledges"), PledgesScreen, order=20))
