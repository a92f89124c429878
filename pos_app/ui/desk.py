"""The event desk for leads: totals against the goal, gifts over time, the donations list
with search, refund or void with a reason, and CSV export for reconciliation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pos_app.api import ExportError, PageQuery, Station
from pos_app.changes import Topic
from pos_app.domain.money import format_cents
from pos_app.receipts.emv import emv_lines
from pos_app.services.records import DonationRecord

from .charts import GiftsChart, Thermometer
from .donations_model import COL_TIME, STATUS_LABELS, PagedDonationsModel
from .keyed_model import RECORD_ROLE
from .live import LiveChanges, RefreshedScreen, Refresher
from .result_panel import card_label
from .screens import Screen, register
from .tasks import TaskRunner

SEARCH_DELAY_MS = 250  # wait for a pause in typing before asking SQL
OVERLAP = dt.timedelta(seconds=5)  # a write just before a read may commit just after it
REFUNDABLE = ("approved", "recorded")


# (stamp, read started, totals, changed donations, chart points)
DeskRead = tuple[tuple[object, ...], dt.datetime, Any, list[DonationRecord], list[Any]]


class EventDesk(RefreshedScreen, QWidget):
    def __init__(
        self, station: Station, tasks: TaskRunner, live: LiveChanges | None = None
    ) -> None:
        super().__init__()
        self.station, self.tasks = station, tasks
        self.live = live or LiveChanges(station.changes, self)
        self.currency = station.settings.payments.currency
        self._confirming: str | None = None  # donation id awaiting a second, confirming click

        v = QVBoxLayout(self)
        head = QGridLayout()
        self.raised = QLabel("")
        self.raised.setObjectName("raised")
        self.stats = QLabel("")
        self.stats.setWordWrap(True)
        head.addWidget(self.raised, 0, 0)
        head.addWidget(self.stats, 1, 0)
        self.thermometer = Thermometer()
        head.addWidget(self.thermometer, 0, 1, 2, 1)
        head.setColumnStretch(1, 1)
        v.addLayout(head)
        self.chart = GiftsChart()
        v.addWidget(self.chart)

        tools = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search donor, email, last four or reference")
        self.search.setClearButtonEnabled(True)
        self.export_btn = QPushButton("Export donations CSV…")
        self.export_jobs_btn = QPushButton("Export jobs CSV…")
        self.export_btn.clicked.connect(lambda: self.export(jobs=False))
        self.export_jobs_btn.clicked.connect(lambda: self.export(jobs=True))
        tools.addWidget(self.search, 1)
        tools.addWidget(self.export_btn)
        tools.addWidget(self.export_jobs_btn)
        v.addLayout(tools)

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
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_TIME, Qt.SortOrder.DescendingOrder)  # reads page 1
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((90, 220, 100, 80, 170)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        v.addWidget(self.table, 1)

        refund = QHBoxLayout()
        self.selected_label = QLabel("Select a donation to refund or void it.")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Reason (required), e.g. charged twice by mistake")
        self.refund_btn = QPushButton("Refund…")
        self.refund_btn.setObjectName("refund")
        self.refund_btn.clicked.connect(self.refund_clicked)
        refund.addWidget(self.selected_label, 2)
        refund.addWidget(self.reason, 2)
        refund.addWidget(self.refund_btn)
        v.addLayout(refund)
        # A chip or tap gift's card details, as on its receipt (card network fields).
        self.card_detail = QLabel("")
        self.card_detail.setObjectName("card_detail")
        self.card_detail.setWordWrap(True)
        self.card_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.card_detail)
        self.feedback = QLabel("")
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        v.addWidget(self.feedback)

        # A gift or refund written, or the goal changed at the desk.
        self.refresher = Refresher(
            self, tasks, self.live, (Topic.GIFT, Topic.SETTINGS),
            self._read, self._loaded, self._load_failed,
        )
        self._selected()

    # ---- loading ----
    def _fetch_page(self, generation: int, query: PageQuery) -> None:
        station, model = self.station, self.model
        self.tasks.run(
            lambda: station.donations_page(query),
            lambda rows: model.add_page(generation, rows),
            lambda exc: (model.page_failed(generation), self._load_failed(exc)),
        )

    def _read(self) -> Callable[[], DeskRead | None]:
        """Nothing changed since the last look (two index look-ups): nothing to read or draw.
        Otherwise the totals and the chart (aggregates in SQL) and the changed rows only."""
        station, last_stamp, since = self.station, self._stamp, self._since
        started = dt.datetime.now(dt.UTC)

        def read() -> DeskRead | None:
            # the goal is part of what the desk shows: a new goal is a change to draw
            stamp = (*station.desk_stamp(), station.settings.event.goal)
            if stamp == last_stamp:
                return None
            changed = station.donations_changed(since) if since is not None else []
            return stamp, started, station.totals(), changed, station.gifts_over_time()

        return read

    def _load_failed(self, exc: BaseException) -> None:
        self.feedback.setText(f"Couldn't read the donations: {exc}")

    def _loaded(self, data: DeskRead | None) -> None:
        if data is None:
            return
        self._stamp, started, totals, changed, points = data
        self._since = started - OVERLAP
        c = self.currency
        goal = f" of {format_cents(totals.goal_cents, c)}" if totals.goal_cents else ""
        self.raised.setText(f"Raised {format_cents(totals.raised_cents, c)}{goal}")
        methods = ", ".join(
            f"{m} {format_cents(v, c)}" for m, v in sorted(totals.by_method.items())
        )
        refunded = totals.refunded_cents
        parts = [
            f"{totals.gifts} gift{'' if totals.gifts == 1 else 's'}",
            f"average {format_cents(totals.average_cents, c)}",
        ]
        if methods:
            parts.append(methods)
        if refunded:
            parts.append(f"refunded {format_cents(refunded, c)}")
        if totals.in_doubt:
            parts.append(f"{totals.in_doubt} being checked")
        self.stats.setText(" · ".join(parts))
        self.thermometer.set_values(totals.raised_cents, totals.goal_cents, c)
        self.chart.set_points(points, c)
        self.model.apply(changed)
        self._selected()

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
            self.selected_label.setText("Select a donation to refund or void it.")
            self.refund_btn.setEnabled(False)
            self.refund_btn.setText("Refund…")
            return
        amount = format_cents(d.amount_cents, d.currency)
        who = d.donor_name or d.donor_email or "anonymous"
        self.selected_label.setText(
            f"{amount} from {who} — {STATUS_LABELS.get(d.status, d.status)}"
        )
        can = d.status in REFUNDABLE
        self.refund_btn.setEnabled(can)
        if self._confirming is None:
            verb = "Refund" if d.method == "card" else "Void"
            self.refund_btn.setText(f"{verb} {amount}…")

    def refund_clicked(self) -> None:
        d = self.current()
        if d is None or d.status not in REFUNDABLE:
            return
        reason = self.reason.text().strip()
        if not reason:
            self.feedback.setText("Give a reason: it is kept with the donation and in the export.")
            self.reason.setFocus()
            return
        amount = format_cents(d.amount_cents, d.currency)
        if self._confirming != d.id:
            self._confirming = d.id
            target = card_label(d.brand, d.last4) if d.method == "card" else d.method
            self.refund_btn.setText(f"Confirm: give back {amount} to {target}")
            self.feedback.setText("Click again to confirm. This can't be undone.")
            return
        self._confirming = None
        station, donation_id = self.station, d.id
        self.refund_btn.setEnabled(False)
        self.feedback.setText(f"Refunding {amount}…")
        self.tasks.run(lambda: station.refund(donation_id, reason), self._refunded, self._failed)

    def _refunded(self, outcome: Any) -> None:
        self.reason.clear()
        self.feedback.setText(outcome.message)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.feedback.setText(f"That didn't work: {exc}")
        self.refresh()

    # ---- export ----
    def export(self, jobs: bool = False, path: str | Path | None = None) -> None:
        if path is None:
            what = "jobs" if jobs else "donations"
            chosen, _ = QFileDialog.getSaveFileName(
                self, f"Export {what}", f"tableside-{what}.csv", "CSV files (*.csv)"
            )
            if not chosen:
                return
            path = chosen
        station, target = self.station, Path(path)
        fn = station.export_jobs_csv if jobs else station.export_donations_csv
        self.feedback.setText(f"Exporting to {target}…")
        self.tasks.run(
            lambda: fn(target),
            lambda n: self.feedback.setText(f"Exported {n} rows to {target}."),
            self._export_failed,
        )

    def _export_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ExportError):  # a full disk or a locked folder: said plainly
            self.feedback.setText(f"Not exported. {exc.message}")
        else:
            self._failed(exc)


def card_detail(d: DonationRecord) -> str:
    """A chip or tap gift's card line, e.g. 'Visa •••• 4242 — Entry mode: Chip ·
    Application: Visa Credit · AID: … · Verification: PIN verified · …'; '' otherwise."""
    lines = emv_lines(d.entry_mode if d.method == "card" else None, d.emv_application,
                      d.emv_aid, d.emv_cvm, d.emv_auth_code)  # fmt: skip
    if lines is None:
        return ""
    rows = " · ".join(f"{label}: {value}" for label, value in lines.rows)
    return f"{card_label(d.brand, d.last4)} — {rows}"


register(Screen("desk", "Event desk", EventDesk, order=20))
