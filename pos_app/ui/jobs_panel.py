"""The pending-jobs panel for event leads: what is waiting, retrying, failed and why.

A summary strip, filters, the live table (JobsModel) and, for the selected job, its full
technical detail and the actions that fix it: retry now, edit email and resend, discard
with a reason, open a sent receipt. All station calls go through the TaskRunner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jobs import registry
from jobs.records import ACTIONABLE, UNFINISHED, JobRecord, JobState, JobSummary
from pos_app.api import Station
from pos_app.changes import Topic
from pos_app.domain.donor import email_error

from .jobs_model import JOB_ID_ROLE, JobsFilter, JobsModel
from .live import LiveChanges, RefreshedScreen, Refresher
from .screens import Screen, register
from .tasks import TaskRunner

OVERLAP = dt.timedelta(seconds=5)
FULL_RELOAD_EVERY = 60  # refreshes; a belt-and-braces full read now and then
STATE_FILTERS: list[tuple[str, set[str] | None]] = [
    ("All jobs", None),
    ("Not finished", {*UNFINISHED, JobState.NEEDS_ATTENTION}),
    ("Needs attention", {JobState.NEEDS_ATTENTION}),
    ("Retrying", {JobState.RETRY_SCHEDULED}),
    ("Waiting", {JobState.QUEUED, JobState.RUNNING}),
    ("Done", {JobState.DONE}),
    ("Discarded", {JobState.DISCARDED}),
]
SUMMARY_STATES = (*UNFINISHED, JobState.NEEDS_ATTENTION, JobState.DONE)


def kind_filters() -> list[tuple[str, str | None]]:
    """"All kinds", then every registered kind by its own plural."""
    return [("All kinds", None), *((k.plural, k.name) for k in registry.kinds())]


def summary_text(s: JobSummary, counts: dict[str, int], oldest: dt.datetime | None) -> str:
    now = dt.datetime.now(dt.UTC)
    if s.online:
        net = "● Online" + (f" since {_clock(s.online_since)}" if s.online_since else "")
    else:
        net = "○ Offline" + (f" since {_clock(s.offline_since)}" if s.offline_since else "")
    parts = [net]
    for state in SUMMARY_STATES:
        if counts.get(state):
            parts.append(f"{counts[state]} {state.label.lower()}")
    if oldest is not None:
        minutes = int((now - oldest).total_seconds() // 60)
        parts.append(f"oldest waiting {minutes} min" if minutes else "oldest waiting <1 min")
    return "  ·  ".join(parts)


def _clock(when: dt.datetime | None) -> str:
    return when.astimezone().strftime("%H:%M") if when else ""


class JobsPanel(RefreshedScreen, QWidget):
    status_message = Signal(str)

    def __init__(
        self, station: Station, tasks: TaskRunner, live: LiveChanges | None = None
    ) -> None:
        super().__init__()
        self.station, self.tasks = station, tasks
        self.live = live or LiveChanges(station.changes, self)
        self.model = JobsModel()
        self.proxy = JobsFilter()
        self.proxy.setSourceModel(self.model)
        self._since: dt.datetime | None = None  # ask only for jobs changed after this

        layout = QVBoxLayout(self)
        self.summary = QLabel("Loading jobs…")
        self.summary.setObjectName("jobsSummary")
        layout.addWidget(self.summary)

        filters = QHBoxLayout()
        self.state_filter = QComboBox()
        for label, _states in STATE_FILTERS:
            self.state_filter.addItem(label)
        self.kind_filter = QComboBox()
        for label, kind in kind_filters():
            self.kind_filter.addItem(label, kind)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search donor name or email")
        self.search.setClearButtonEnabled(True)
        for w in (self.state_filter, self.kind_filter):
            w.currentIndexChanged.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        filters.addWidget(self.state_filter)
        filters.addWidget(self.kind_filter)
        filters.addWidget(self.search, 1)
        layout.addLayout(filters)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # oldest first until asked
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((170, 90, 90, 150, 50, 110)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        split.addWidget(self.table)
        split.addWidget(self._build_detail())
        split.setSizes([700, 400])
        layout.addWidget(split, 1)
        # Leads look at what still needs doing; "All jobs" shows the finished ones too.
        self.state_filter.setCurrentIndex(1)
        self._filter()

        # A job's change, a gift's (a corrected email shows on its jobs), the network's.
        self.refresher = Refresher(
            self, tasks, self.live, (Topic.JOB, Topic.GIFT, Topic.NETWORK),
            self._read, self._loaded, self._load_failed,
        )

    def _build_detail(self) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        self.detail_title = QLabel("Select a job to see what happened.")
        self.detail_title.setObjectName("detailTitle")
        self.detail_title.setWordWrap(True)
        self.detail_error = QLabel("")
        self.detail_error.setWordWrap(True)
        self.detail_text = QPlainTextEdit()
        self.detail_text.setReadOnly(True)
        self.detail_text.setPlaceholderText("Technical detail for IT")
        v.addWidget(self.detail_title)
        v.addWidget(self.detail_error)
        v.addWidget(self.detail_text, 1)

        row = QHBoxLayout()
        self.retry_btn = QPushButton("Retry now")
        self.retry_btn.clicked.connect(self.retry_selected)
        self.retry_all_btn = QPushButton("Retry all waiting")
        self.retry_all_btn.clicked.connect(self.retry_all)
        self.open_btn = QPushButton("Open receipt")
        self.open_btn.clicked.connect(self.open_receipt)
        row.addWidget(self.retry_btn)
        row.addWidget(self.retry_all_btn)
        row.addWidget(self.open_btn)
        v.addLayout(row)

        email_row = QHBoxLayout()
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("Corrected email")
        self.email_btn = QPushButton("Save email and resend")
        self.email_btn.clicked.connect(self.resend_to_email)
        self.email_edit.returnPressed.connect(self.resend_to_email)
        email_row.addWidget(self.email_edit, 1)
        email_row.addWidget(self.email_btn)
        v.addLayout(email_row)

        discard_row = QHBoxLayout()
        self.discard_reason = QLineEdit()
        self.discard_reason.setPlaceholderText("Reason to discard (required)")
        self.discard_btn = QPushButton("Discard")
        self.discard_btn.clicked.connect(self.discard_selected)
        discard_row.addWidget(self.discard_reason, 1)
        discard_row.addWidget(self.discard_btn)
        v.addLayout(discard_row)
        self.feedback = QLabel("")
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        v.addWidget(self.feedback)
        self._show_selected()
        return box

    # ---- loading ----
    def _read(self) -> Callable[[], tuple[list[JobRecord], JobSummary]]:
        station = self.station
        since = self._since if self.loads % FULL_RELOAD_EVERY else None
        started = dt.datetime.now(dt.UTC)
        # Overlap the window: a job updated just before `started` may commit just after.
        self._since = started - OVERLAP
        return lambda: (station.jobs(changed_since=since), station.job_summary())

    def _load_failed(self, exc: BaseException) -> None:
        self.summary.setText(f"Couldn't read the job list: {exc}")

    def _loaded(self, data: tuple[list[JobRecord], JobSummary]) -> None:
        records, summary = data
        now = dt.datetime.now(dt.UTC)
        self.model.apply(records)
        self.model.tick(now)
        self.table.viewport().update()  # redraw visible "in 40 s" countdowns only
        counts: dict[str, int] = {}
        oldest = None
        for r in self.model.records():
            counts[r.state] = counts.get(r.state, 0) + 1
            if r.state in ACTIONABLE and r.created_at:
                oldest = r.created_at if oldest is None else min(oldest, r.created_at)
        self.summary.setText(summary_text(summary, counts, oldest))
        self._show_selected()

    def _filter(self) -> None:
        _label, states = STATE_FILTERS[self.state_filter.currentIndex()]
        kind = self.kind_filter.currentData()
        self.proxy.set_filter(states, kind, self.search.text())

    # ---- selection ----
    def selected_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [self.proxy.data(i, JOB_ID_ROLE) for i in rows]

    def select_job(self, job_id: str) -> None:
        row = self.model.row_of(job_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _current(self) -> JobRecord | None:
        ids = self.selected_ids()
        return self.model.record(ids[0]) if len(ids) == 1 else None

    def _show_selected(self, *_: Any) -> None:
        r = self._current()
        ids = self.selected_ids()
        self.retry_btn.setEnabled(bool(ids))
        self.discard_btn.setEnabled(bool(ids))
        if r is None:
            self.detail_title.setText(
                f"{len(ids)} jobs selected." if ids else "Select a job to see what happened."
            )
            self.detail_error.setText("")
            self.detail_text.setPlainText("")
            self.email_btn.setEnabled(False)
            self.open_btn.setEnabled(False)
            return
        kind = registry.get(r.kind)
        title = f"{kind.label} for {r.donor_name or r.donor_email or 'a donor'}"
        if r.receipt_number:
            title += f" — receipt {r.receipt_number}"
        self.detail_title.setText(f"{title} ({r.state_label})")
        self.detail_error.setText(r.last_error or "")
        lines = [
            f"job {r.id}",
            f"donation {r.donation_id}",
            f"attempts {r.attempts}; delivery {r.delivery}",
        ]
        if r.next_attempt_at:
            lines.append(f"next attempt {r.next_attempt_at.astimezone():%H:%M:%S}")
        if r.result_ref:
            lines.append(f"result {r.result_ref}")
        if r.discard_reason:
            lines.append(f"discarded: {r.discard_reason}")
        if r.last_error_detail:
            lines += ["", r.last_error_detail]
        self.detail_text.setPlainText("\n".join(lines))
        fixes_email = "fix_email" in kind.actions
        self.email_btn.setEnabled(fixes_email and r.state != JobState.DONE)
        if fixes_email and not self.email_edit.text():
            self.email_edit.setText(r.donor_email)
        opens = "open_result" in kind.actions
        self.open_btn.setEnabled(opens and r.state == JobState.DONE and bool(r.result_ref))

    # ---- actions ----
    def _act(self, what: str, fn: Any) -> None:
        self.feedback.setText(f"{what}…")
        self.tasks.run(fn, lambda _r: self._acted(what), self._act_failed)

    def _acted(self, what: str) -> None:
        self.feedback.setText(f"{what}: done.")
        self.refresh()

    def _act_failed(self, exc: BaseException) -> None:
        self.feedback.setText(f"That didn't work: {exc}")
        self.refresh()

    def retry_selected(self) -> None:
        ids, station = self.selected_ids(), self.station
        if ids:
            self._act(f"Retrying {len(ids)} job(s)", lambda: [station.retry_job(i) for i in ids])

    def retry_all(self) -> None:
        waiting = [
            r.id
            for r in self.model.records()
            if r.state in ACTIONABLE
        ]
        station = self.station
        self._act(
            f"Retrying {len(waiting)} job(s)", lambda: [station.retry_job(i) for i in waiting]
        )

    def resend_to_email(self) -> None:
        r = self._current()
        email = self.email_edit.text().strip()
        if r is None or "fix_email" not in registry.get(r.kind).actions:
            return
        problem = email_error(email) or (None if email else "Enter the donor's email.")
        if problem:
            self.feedback.setText(problem)
            return
        station, donation_id = self.station, r.donation_id
        self._act(
            f"Resending the receipt to {email}",
            lambda: station.update_donor_email(donation_id, email),
        )

    def discard_selected(self) -> None:
        ids, reason = self.selected_ids(), self.discard_reason.text().strip()
        if not ids:
            return
        if not reason:
            self.feedback.setText("Give a reason to discard: it is kept in the job's history.")
            self.discard_reason.setFocus()
            return
        station = self.station
        self.discard_reason.clear()
        self._act(
            f"Discarding {len(ids)} job(s)", lambda: [station.discard_job(i, reason) for i in ids]
        )

    def open_receipt(self) -> None:
        r = self._current()
        if r is None or not r.result_ref:
            return
        path = Path(r.result_ref)
        if path.suffix == ".eml" and path.exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
            self.feedback.setText(f"Opened {path.name}.")
        else:
            self.feedback.setText(f"Sent by email; the provider's reference is {r.result_ref}.")


register(Screen("jobs", "Pending jobs", JobsPanel, order=10))
