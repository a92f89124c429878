"""The pending-jobs panel for event leads: what is waiting, retrying, failed and why.

The queue's health in one sentence, filters, the live table (JobsModel; an empty table says
what it means, e.g. "All jobs are done — nothing waiting") and, for the selected jobs, the
detail and the actions that fix them (JobDetail). All station calls go through the
TaskRunner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jobs import registry
from jobs.records import ACTIONABLE, UNFINISHED, JobRecord, JobState, JobSummary
from pos_app.api import Station
from pos_app.changes import Topic

from .core_text import shown
from .jobs_detail import JobDetail
from .jobs_model import (
    COL_AMOUNT,
    COL_ATTEMPTS,
    COL_DONOR,
    COL_ERROR,
    COL_KIND,
    COL_NEXT,
    COL_STATE,
    COL_TIME,
    JOB_ID_ROLE,
    JobsFilter,
    JobsModel,
    clock,
)
from .live import LiveChanges, RefreshedScreen, Refresher
from .queue_health import HealthLabel
from .quiet_label import QuietLabel
from .screens import Screen, register
from .tasks import TaskRunner

OVERLAP = dt.timedelta(seconds=5)
FULL_RELOAD_EVERY = 60  # refreshes; a belt-and-braces full read now and then
FINISHED_SHOWN = 500  # finished jobs a full read lists (all unfinished ones always)
# (label, states shown, what an empty table means)
STATE_FILTERS: list[tuple[str, set[str] | None, str]] = [
    (QT_TRANSLATE_NOOP("JobsPanel", "All jobs"), None,
     QT_TRANSLATE_NOOP("JobsPanel", "No jobs yet — receipts and card saves appear here.")),
    (QT_TRANSLATE_NOOP("JobsPanel", "Not finished"), {*UNFINISHED, JobState.NEEDS_ATTENTION},
     QT_TRANSLATE_NOOP("JobsPanel", "All jobs are done — nothing waiting")),
    (QT_TRANSLATE_NOOP("JobsPanel", "Needs attention"), {JobState.NEEDS_ATTENTION},
     QT_TRANSLATE_NOOP("JobsPanel", "Nothing needs your attention.")),
    (QT_TRANSLATE_NOOP("JobsPanel", "Retrying"), {JobState.RETRY_SCHEDULED},
     QT_TRANSLATE_NOOP("JobsPanel", "Nothing is retrying.")),
    (QT_TRANSLATE_NOOP("JobsPanel", "Waiting"), {JobState.QUEUED, JobState.RUNNING},
     QT_TRANSLATE_NOOP("JobsPanel", "Nothing is waiting to run.")),
    (QT_TRANSLATE_NOOP("JobsPanel", "Done"), {JobState.DONE},
     QT_TRANSLATE_NOOP("JobsPanel", "No job has finished yet.")),
    (QT_TRANSLATE_NOOP("JobsPanel", "Discarded"), {JobState.DISCARDED},
     QT_TRANSLATE_NOOP("JobsPanel", "No job was discarded.")),
]  # fmt: skip


FITTED = (COL_DONOR, COL_AMOUNT, COL_TIME, COL_KIND, COL_STATE, COL_ATTEMPTS, COL_NEXT)


def kind_filters() -> list[tuple[str, str | None]]:
    """"All kinds", then every registered kind by its own plural."""
    return [(QT_TRANSLATE_NOOP("JobsPanel", "All kinds"), None),
            *((k.plural, k.name) for k in registry.kinds())]  # fmt: skip


class JobsPanel(RefreshedScreen, QWidget):
    status_message = Signal(str)

    def __init__(
        self, station: Station, tasks: TaskRunner, live: LiveChanges | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("jobsPanel")
        self.station, self.tasks = station, tasks
        self.live = live or LiveChanges(station.changes, self)
        self.model = JobsModel()
        self.proxy = JobsFilter()
        self.proxy.setSourceModel(self.model)
        self._since: dt.datetime | None = None  # ask only for jobs changed after this
        self._loaded_once = False

        layout = QVBoxLayout(self)
        self.health = HealthLabel()
        self.health.setText(self.tr("Loading jobs…"))
        self.summary = QuietLabel("", "jobsSummary")
        layout.addWidget(self.health)
        layout.addWidget(self.summary)
        layout.addLayout(self._build_filters())

        split = QSplitter(Qt.Orientation.Vertical)  # the table keeps the window's width
        split.setChildrenCollapsible(False)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Jobs"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # oldest first until asked
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self._fit_columns()
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self.empty = QLabel("")
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):  # fmt: skip
            signal.connect(self._show_empty)
        self.detail = JobDetail(station, tasks, self.model.records)
        self.detail.acted.connect(self.refresh)
        d = self.detail  # its parts by the names the panel's callers and tests know
        self.detail_title, self.detail_error, self.detail_text = d.title, d.error, d.text
        self.retry_btn, self.retry_all_btn, self.open_btn = d.retry_btn, d.retry_all_btn, d.open_btn
        self.email_edit, self.email_btn = d.email_edit, d.email_btn
        self.discard_reason, self.discard_btn, self.feedback = (
            d.discard_reason, d.discard_btn, d.feedback)  # fmt: skip
        split.addWidget(self.list_stack)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        # Leads look at what still needs doing; "All jobs" shows the finished ones too.
        self.state_filter.setCurrentIndex(1)
        self._filter()

        # A job's change, a gift's (a corrected email shows on its jobs), the network's.
        self.refresher = Refresher(
            self, tasks, self.live, (Topic.JOB, Topic.GIFT, Topic.NETWORK),
            self._read, self._loaded, self._load_failed,
        )

    def _build_filters(self) -> QHBoxLayout:
        filters = QHBoxLayout()
        self.state_filter = QComboBox()
        self.state_filter.setAccessibleName(self.tr("Show jobs"))
        for label, _states, _empty in STATE_FILTERS:
            self.state_filter.addItem(self.tr(label))
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName(self.tr("Kind of job"))
        for label, kind in kind_filters():
            self.kind_filter.addItem(self.tr(label) if kind is None else shown(label), kind)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search donor name or email"))
        self.search.setAccessibleName(self.tr("Search jobs"))
        self.search.setClearButtonEnabled(True)
        for w in (self.state_filter, self.kind_filter):
            w.currentIndexChanged.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        filters.addWidget(self.state_filter)
        filters.addWidget(self.kind_filter)
        filters.addWidget(self.search, 1)
        return filters

    def _fit_columns(self) -> None:
        """The problem takes the room left (elided, its full text in the tooltip); the
        rest are sized to what the rows on screen hold when rows arrive (not on every
        change: a busy queue redraws often) and the lead may drag them."""
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(48)
        header.setResizeContentsPrecision(0)  # measure the visible rows only
        for col in FITTED:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_ERROR, QHeaderView.ResizeMode.Stretch)
        self.proxy.rowsInserted.connect(self._refit)
        self.proxy.layoutChanged.connect(self._refit)  # sorted or filtered: other rows show

    def _refit(self, *_: Any) -> None:
        for col in FITTED:
            self.table.resizeColumnToContents(col)
        # room for the longest state's words, so a job turning "Needs attention" in place
        # (no new rows, no re-layout) still reads whole
        widest = self.table.fontMetrics().horizontalAdvance("⚠ " + self.tr("Needs attention"))
        if self.table.columnWidth(COL_STATE) < widest + 16:
            self.table.setColumnWidth(COL_STATE, widest + 16)

    # ---- loading ----
    def _read(self) -> Callable[[], tuple[list[JobRecord], JobSummary, dict[str, int]]]:
        station = self.station
        since = self._since if self.loads % FULL_RELOAD_EVERY else None
        started = dt.datetime.now(dt.UTC)
        # Overlap the window: a job updated just before `started` may commit just after.
        self._since = started - OVERLAP
        # A full read is what needs doing plus the newest finished jobs, not the whole
        # night's ledger; the counts per state are the maintained ones (migration 0015).
        return lambda: (
            station.jobs(changed_since=since, finished_limit=FINISHED_SHOWN),
            station.job_summary(), station.job_counts().by_state,
        )  # fmt: skip

    def _load_failed(self, exc: BaseException) -> None:
        self.summary.setText(
            self.tr("Couldn't read the job list: {error}").format(error=shown(str(exc)))
        )

    def _loaded(self, data: tuple[list[JobRecord], JobSummary, dict[str, int]]) -> None:
        records, summary, counts = data
        now = dt.datetime.now(dt.UTC)
        self._loaded_once = True
        self.model.apply(records)
        self.model.tick(now)
        self.table.viewport().update()  # redraw visible "in 40 s" countdowns only
        oldest = None
        finished_here = 0
        for r in self.model.records():
            if r.state in ACTIONABLE and r.created_at:
                oldest = r.created_at if oldest is None else min(oldest, r.created_at)
            finished_here += r.state in (JobState.DONE, JobState.DISCARDED)
        self.health.show_summary(summary)
        text = self.summary_text(summary, counts, oldest)
        finished = counts.get(JobState.DONE, 0) + counts.get(JobState.DISCARDED, 0)
        if finished > finished_here:
            text += "  ·  " + self.tr(
                "the latest {n} finished listed; Export jobs… has them all"
            ).format(n=finished_here)  # fmt: skip
        self.summary.setText(text)
        self._show_empty()
        self._show_selected()

    def summary_text(
        self, s: JobSummary, counts: dict[str, int], oldest: dt.datetime | None
    ) -> str:
        """The second line: the network, then how many jobs are in each state."""
        if s.online:
            net = "● " + (self.tr("Online since {time}").format(time=clock(s.online_since))
                          if s.online_since else self.tr("Online"))  # fmt: skip
        else:
            net = "○ " + (self.tr("Offline since {time}").format(time=clock(s.offline_since))
                          if s.offline_since else self.tr("Offline"))  # fmt: skip
        parts = [net]
        for state in (*UNFINISHED, JobState.NEEDS_ATTENTION, JobState.DONE):
            if counts.get(state):
                parts.append(f"{counts[state]} {shown(state.label).lower()}")
        if oldest is not None:
            minutes = int((dt.datetime.now(dt.UTC) - oldest).total_seconds() // 60)
            parts.append(
                self.tr("oldest waiting {n} min").format(n=minutes) if minutes
                else self.tr("oldest waiting <1 min")
            )  # fmt: skip
        return "  ·  ".join(parts)

    def _filter(self) -> None:
        _label, states, _empty = STATE_FILTERS[self.state_filter.currentIndex()]
        kind = self.kind_filter.currentData()
        self.proxy.set_filter(states, kind, self.search.text())
        self._show_empty()

    def _show_empty(self, *_: Any) -> None:
        if self.proxy.rowCount():
            self.list_stack.setCurrentWidget(self.table)
            return
        if not self._loaded_once:
            text = self.tr("Loading jobs…")
        elif not self.model.rowCount():
            text = self.tr("No jobs yet — receipts and card saves appear here as gifts come in.")
        elif self.search.text().strip() or self.kind_filter.currentIndex() > 0:
            text = self.tr("No job matches this search.")
        else:
            text = self.tr(STATE_FILTERS[self.state_filter.currentIndex()][2])
        self.empty.setText(text)
        self.list_stack.setCurrentWidget(self.empty)

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

    def _show_selected(self, *_: Any) -> None:
        found = (self.model.record(i) for i in self.selected_ids())
        self.detail.show_jobs([r for r in found if r is not None])


register(Screen("jobs", QT_TRANSLATE_NOOP("Screens", "Pending jobs"), JobsPanel, order=10))
