"""The event desk for leads: a dashboard read in two seconds (the raised figure and the
goal thermometer large, the queue's health as one sentence, gifts over time on labelled
axes), then the donations list with search, refund or void with a reason, and CSV export
for reconciliation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jobs.records import JobSummary
from pos_app.api import ExportError, PageQuery, Station
from pos_app.changes import Topic
from pos_app.domain.money import format_cents
from pos_app.receipts.emv import emv_lines
from pos_app.services.records import DonationRecord

from .core_text import shown
from .desk_dashboard import DeskDashboard
from .donations_model import (
    COL_AMOUNT,
    COL_CARD,
    COL_DONOR,
    COL_METHOD,
    COL_STATUS,
    COL_TIME,
    PagedDonationsModel,
    status_label,
)
from .keyed_model import RECORD_ROLE
from .live import LiveChanges, RefreshedScreen, Refresher
from .quiet_label import QuietLabel
from .result_panel import card_label
from .screens import Screen, register
from .tasks import TaskRunner

SEARCH_DELAY_MS = 250  # wait for a pause in typing before asking SQL
OVERLAP = dt.timedelta(seconds=5)  # a write just before a read may commit just after it
REFUNDABLE = ("approved", "recorded")


# (stamp, read started, totals, changed donations, chart points, job summary)
DeskRead = tuple[
    tuple[object, ...], dt.datetime, Any, list[DonationRecord], list[Any], JobSummary
]


class EventDesk(RefreshedScreen, QWidget):
    def __init__(
        self, station: Station, tasks: TaskRunner, live: LiveChanges | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("desk")
        self.station, self.tasks = station, tasks
        self.live = live or LiveChanges(station.changes, self)
        self.currency = station.settings.payments.currency
        self._confirming: str | None = None  # donation id awaiting a second, confirming click

        v = QVBoxLayout(self)
        self.dashboard = DeskDashboard()
        d = self.dashboard  # its parts by the names the desk's callers and tests know
        self.raised, self.thermometer, self.stats = d.raised, d.thermometer, d.stats
        self.health, self.chart = d.health, d.chart
        v.addWidget(self.dashboard)
        v.addLayout(self._build_tools())

        # Windowed: pages are read as they scroll into view; search and sort run in SQL.
        self.model = PagedDonationsModel(self._fetch_page)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(
            lambda: self.model.set_query(search=self.search.text().strip())
        )
        self.search.textChanged.connect(self._search_timer.start)
        # Ask only for donations written after this; the first page is read from now on,
        # so a gift written while it is on its way arrives as a change.
        self._since: dt.datetime | None = dt.datetime.now(dt.UTC) - OVERLAP
        self._stamp: tuple[object, ...] | None = None  # what the last read saw
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Donations"))
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_TIME, Qt.SortOrder.DescendingOrder)  # reads page 1
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self._fit_columns()
        self.table.selectionModel().selectionChanged.connect(self._selected)
        # An empty list says why it is empty, in place of the table.
        self.empty = QLabel("")
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._show_empty)
        v.addWidget(self.list_stack, 1)
        v.addLayout(self._build_refund_row())
        # A chip or tap gift's card details, as on its receipt (card network fields).
        self.card_detail = QuietLabel("", "card_detail")
        self.card_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.card_detail)
        self.feedback = QuietLabel("", "feedback")
        v.addWidget(self.feedback)

        # A gift or refund written, the goal changed at the desk, a job or the network moved.
        self.refresher = Refresher(
            self, tasks, self.live, (Topic.GIFT, Topic.SETTINGS, Topic.JOB, Topic.NETWORK),
            self._read, self._loaded, self._load_failed,
        )
        self._selected()
        self.dashboard.event.follow(station, tasks, self.live, self)
        self._show_empty()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        self.dashboard.fit_height(event.size().height())
        super().resizeEvent(event)

    def _build_tools(self) -> QHBoxLayout:
        tools = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search donor, email, last four or reference"))
        self.search.setAccessibleName(self.tr("Search donations"))
        self.search.setClearButtonEnabled(True)
        self.export_btn = QPushButton(self.tr("Export donations…"))
        self.export_jobs_btn = QPushButton(self.tr("Export jobs…"))
        self.export_btn.setToolTip(self.tr("Save every donation as a CSV file"))
        self.export_jobs_btn.setToolTip(self.tr("Save every background job as a CSV file"))
        self.export_btn.clicked.connect(lambda: self.export(jobs=False))
        self.export_jobs_btn.clicked.connect(lambda: self.export(jobs=True))
        tools.addWidget(self.search, 1)
        tools.addWidget(self.export_btn)
        tools.addWidget(self.export_jobs_btn)
        return tools

    def _build_refund_row(self) -> QHBoxLayout:
        refund = QHBoxLayout()
        self.selected_label = QLabel("")
        self.selected_label.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Reason (required), e.g. charged twice"))
        self.reason.setAccessibleName(self.tr("Reason for the refund"))
        self.refund_btn = QPushButton(self.tr("Refund…"))
        self.refund_btn.setObjectName("refund")
        self.refund_btn.clicked.connect(self.refund_clicked)
        refund.addWidget(self.selected_label, 2)
        refund.addWidget(self.reason, 2)
        refund.addWidget(self.refund_btn)
        return refund

    def _fit_columns(self) -> None:
        """The donor takes the room left; the rest are as wide as what the rows on screen
        hold (never every row of a big night), and a donor too long for the room is elided
        with the full text in its tooltip. A refunded gift's longer status ("↩ Refunded")
        shows whole at the next rows, elided with its tooltip until then."""
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setResizeContentsPrecision(0)  # measure the visible rows only
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_DONOR, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        # when rows arrive, not on every change: a busy night redraws often
        self.model.rowsInserted.connect(self._refit)

    def _refit(self, *_: Any) -> None:
        for col in (COL_TIME, COL_AMOUNT, COL_METHOD, COL_CARD, COL_STATUS):
            self.table.resizeColumnToContents(col)

    def _show_empty(self, *_: Any) -> None:
        if self.model.rowCount():
            self.list_stack.setCurrentWidget(self.table)
            return
        q = self.model.query.search
        if not self.model.pages:
            self.empty.setText(self.tr("Loading donations…"))
        elif q:
            self.empty.setText(self.tr("No donation matches “{search}”.").format(search=q))
        else:
            self.empty.setText(
                self.tr("No gifts yet tonight — they appear here as volunteers take them.")
            )
        self.list_stack.setCurrentWidget(self.empty)

    def start(self) -> None:
        """Unlocked: this station's figures, and the whole event's when stations share."""
        self.refresher.start()
        self.dashboard.event.start()

    def stop(self) -> None:
        self.refresher.stop()
        self.dashboard.event.stop()

    # ---- loading ----
    def _fetch_page(self, generation: int, query: PageQuery) -> None:
        station, model = self.station, self.model
        self.tasks.run(
            lambda: station.donations_page(query),
            lambda rows: (model.add_page(generation, rows), self._show_empty()),
            lambda exc: (model.page_failed(generation), self._load_failed(exc)),
        )

    def _read(self) -> Callable[[], DeskRead | None]:
        """Nothing changed since the last look (a few index look-ups): nothing to read or
        draw. Otherwise the totals and the chart (aggregates in SQL) and the changed rows."""
        station, last_stamp, since = self.station, self._stamp, self._since
        started = dt.datetime.now(dt.UTC)

        def read() -> DeskRead | None:
            # the goal and the queue are part of what the desk shows: a change to draw
            summary = station.job_summary()
            stamp = (*station.desk_stamp(), station.settings.event.goal, summary)
            if stamp == last_stamp:
                return None
            changed = station.donations_changed(since) if since is not None else []
            totals, points = station.totals(), station.gifts_over_time()
            return stamp, started, totals, changed, points, summary

        return read

    def _load_failed(self, exc: BaseException) -> None:
        self.feedback.setText(self.tr("Couldn't read the donations: {error}").format(error=exc))

    def _loaded(self, data: DeskRead | None) -> None:
        if data is None:
            return
        self._stamp, started, totals, changed, points, summary = data
        self._since = started - OVERLAP
        self.dashboard.show_night(totals, points, summary, self.currency)
        self.model.apply(changed)
        self._selected()

    def method_word(self, method: str | DonationRecord) -> str:
        m = method.method if isinstance(method, DonationRecord) else method
        words = {"card": self.tr("card"), "cash": self.tr("cash"), "check": self.tr("check")}
        return words.get(m, m)

    # ---- selection and refunds ----
    def current(self) -> DonationRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], RECORD_ROLE) if rows else None

    def select_donation(self, donation_id: str) -> None:
        row = self.model.row_of(donation_id)
        if row is not None:
            self.table.selectRow(row)

    def _selected(self, *_: Any) -> None:
        d = self.current()
        if d is None or d.id != self._confirming:
            self._confirming = None
        self.card_detail.setText(card_detail(d) if d is not None else "")
        if d is None:
            self.selected_label.setText(self.tr("Select a donation to refund or void it."))
            self.refund_btn.setEnabled(False)
            self.refund_btn.setText(self.tr("Refund…"))
            return
        amount = format_cents(d.amount_cents, d.currency)
        who = d.donor_name or d.donor_email or self.tr("anonymous")
        self.selected_label.setText(self.tr("{amount} from {who} — {status}").format(
            amount=amount, who=who, status=status_label(d.status)))  # fmt: skip
        can = d.status in REFUNDABLE
        self.refund_btn.setEnabled(can)
        if not can:  # says what happened to it, and looks disabled (style.qss)
            done = {"refunded": self.tr("Refunded"), "refunding": self.tr("Refunding…"),
                    "voided": self.tr("Voided")}  # fmt: skip
            self.refund_btn.setText(done.get(d.status, self.tr("Nothing to refund")))
        elif self._confirming is None:
            if d.method == "card":
                self.refund_btn.setText(self.tr("Refund {amount}…").format(amount=amount))
            else:
                self.refund_btn.setText(self.tr("Void {amount}…").format(amount=amount))

    def refund_clicked(self) -> None:
        d = self.current()
        if d is None or d.status not in REFUNDABLE:
            return
        reason = self.reason.text().strip()
        if not reason:
            self.feedback.setText(
                self.tr("Give a reason: it is kept with the donation and in the export.")
            )
            self.reason.setFocus()
            return
        amount = format_cents(d.amount_cents, d.currency)
        if self._confirming != d.id:
            self._confirming = d.id
            target = card_label(d.brand, d.last4) if d.method == "card" else self.method_word(d)
            self.refund_btn.setText(self.tr("Confirm: give back {amount} to {target}").format(
                amount=amount, target=target))  # fmt: skip
            self.feedback.setText(self.tr("Click again to confirm. This can't be undone."))
            return
        self._confirming = None
        station, donation_id = self.station, d.id
        self.refund_btn.setEnabled(False)
        self.feedback.setText(self.tr("Refunding {amount}…").format(amount=amount))
        self.tasks.run(lambda: station.refund(donation_id, reason), self._refunded, self._failed)

    def _refunded(self, outcome: Any) -> None:
        self.reason.clear()
        self.feedback.setText(shown(outcome.message))
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.feedback.setText(self.tr("That didn't work: {error}").format(error=shown(str(exc))))
        self.refresh()

    # ---- export ----
    def export(self, jobs: bool = False, path: str | Path | None = None) -> None:
        if path is None:
            title = self.tr("Export jobs") if jobs else self.tr("Export donations")
            name = "tableside-jobs.csv" if jobs else "tableside-donations.csv"
            chosen, _ = QFileDialog.getSaveFileName(
                self, title, name, self.tr("CSV files (*.csv)")
            )
            if not chosen:
                return
            path = chosen
        station, target = self.station, Path(path)
        fn = station.export_jobs_csv if jobs else station.export_donations_csv
        self.feedback.setText(self.tr("Exporting to {path}…").format(path=target))
        self.tasks.run(
            lambda: fn(target),
            lambda n: self.feedback.setText(
                self.tr("Exported {n} rows to {path}.").format(n=n, path=target)
            ),
            self._export_failed,
        )

    def _export_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ExportError):  # a full disk or a locked folder: said plainly
            self.feedback.setText(self.tr("Not exported. {why}").format(why=shown(exc.message)))
        else:
            self._failed(exc)


def card_detail(d: DonationRecord) -> str:
    """A chip or tap gift's card line, e.g. 'Visa •••• 4242 — Entry mode: Chip ·
    Application: Visa Credit · AID: … · Verification: PIN verified · …'; '' otherwise."""
    lines = emv_lines(d.entry_mode if d.method == "card" else None, d.emv_application,
                      d.emv_aid, d.emv_cvm, d.emv_auth_code)  # fmt: skip
    if lines is None:
        return ""
    rows = " · ".join(f"{shown(label)}: {value}" for label, value in lines.rows)
    return f"{card_label(d.brand, d.last4)} — {rows}"


register(Screen("desk", QT_TRANSLATE_NOOP("Screens", "Event desk"), EventDesk, order=5))
