"""Every table: what needs a person at every station of the event, for the lead at any
desk (shown only with a central store).

It reads `Station.attention_everywhere()` off the GUI thread when the centre says the event
changed (`Station.follow_event()`: LISTEN/NOTIFY, announced as `Topic.EVENT`), when this
station's own jobs change, and on a slow poll. A fix that is data — a donor's email for a
receipt that bounced — is made here for any table's gift
(`Station.correct_donor_email`): this station's own at once, another's through the centre,
applied by that table when it next shares. Anything else is fixed at the table itself;
the row says which table and what to do. A station whose login reads totals only (not a
lead's) says how IT makes it a lead's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jobs import registry
from pos_app.api import CentralError, EventAttention, InvalidDonation, RemoteJob, Station
from pos_app.changes import Topic
from pos_app.domain.donor import email_error
from pos_app.domain.money import format_cents

from .core_text import shown
from .live import LiveChanges, Refresher
from .quiet_label import QuietLabel
from .screens import Screen, register
from .tasks import TaskRunner

POLL_MS = 30_000  # the centre's notices come at once; this only backs them up
HEADERS = (
    QT_TRANSLATE_NOOP("TablesScreen", "Table"),
    QT_TRANSLATE_NOOP("TablesScreen", "What"),
    QT_TRANSLATE_NOOP("TablesScreen", "Donor"),
    QT_TRANSLATE_NOOP("TablesScreen", "Amount"),
    QT_TRANSLATE_NOOP("TablesScreen", "Problem"),
    QT_TRANSLATE_NOOP("TablesScreen", "Since"),
)
COL_PROBLEM = 4


def clock(iso: str | None) -> str:
    return dt.datetime.fromisoformat(iso).astimezone().strftime("%H:%M") if iso else ""


def fixes_email(job: RemoteJob) -> bool:
    return bool(job.donation_id) and "fix_email" in registry.get(job.kind).actions


class TablesScreen(QWidget):
    def __init__(
        self, station: Station, tasks: TaskRunner, live: LiveChanges | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("tablesScreen")
        self.station, self.tasks = station, tasks
        self.live = live or LiveChanges(station.changes, self)
        self.jobs: list[RemoteJob] = []
        self._unfollow: Callable[[], None] | None = None
        v = QVBoxLayout(self)
        self.heading = QLabel(self.tr("Every table: loading…"))
        self.heading.setObjectName("tablesHeading")
        self.heading.setWordWrap(True)
        v.addWidget(self.heading)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in HEADERS])
        self.table.setAccessibleName(self.tr("Needs attention at every table"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col in range(len(HEADERS)):
            mode = (QHeaderView.ResizeMode.Stretch if col == COL_PROBLEM
                    else QHeaderView.ResizeMode.ResizeToContents)  # fmt: skip
            header.setSectionResizeMode(col, mode)
        self.table.itemSelectionChanged.connect(self._selected)
        v.addWidget(self.table, 1)
        self.detail = QLabel("")
        self.detail.setObjectName("tablesDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.detail)
        row = QHBoxLayout()
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText(self.tr("Corrected email"))
        self.email_edit.setAccessibleName(self.tr("Corrected email"))
        self.email_edit.returnPressed.connect(self.correct_email)
        self.email_btn = QPushButton(self.tr("Save email and resend"))
        self.email_btn.clicked.connect(self.correct_email)
        row.addWidget(self.email_edit, 1)
        row.addWidget(self.email_btn)
        v.addLayout(row)
        self.status = QuietLabel("", "tablesStatus")
        v.addWidget(self.status)
        self._enable_fix(None)
        self.refresher = Refresher(
            self, tasks, self.live, (Topic.EVENT, Topic.JOB, Topic.NETWORK),
            lambda: self.station.attention_everywhere, self._show, self._failed,
            fallback_ms=POLL_MS,
        )  # fmt: skip

    # ---- a lead screen (ui/screens.py) ----
    def start(self) -> None:
        if self._unfollow is None:
            self._unfollow = self.station.follow_event()
        self.refresher.start()

    def stop(self) -> None:
        self.refresher.stop()
        unfollow, self._unfollow = self._unfollow, None
        if unfollow is not None:
            unfollow()

    def refresh(self) -> None:
        self.refresher.refresh()

    @property
    def loads(self) -> int:
        return self.refresher.loads

    # ---- reading ----
    def _show(self, seen: EventAttention | None) -> None:
        if seen is None:
            self.heading.setText(self.tr("No central store is set for this station."))
            self._fill([])
            return
        if not seen.lead:
            self.heading.setText(self.tr(
                "This station's login reads the event's totals only. To see and fix what "
                "needs attention at every table here, IT adds this desk as a lead: "
                "pos-app central add-station NAME --lead, then pos-app configure."
            ))  # fmt: skip
            self._fill([])
            return
        when = seen.as_of.astimezone().strftime("%H:%M:%S")
        if seen.jobs:
            n, tables = len(seen.jobs), len({j.station_id for j in seen.jobs})
            jobs = (self.tr("1 job needs attention") if n == 1
                    else self.tr("{n} jobs need attention").format(n=n))
            where = (self.tr("at 1 table") if tables == 1
                     else self.tr("at {n} tables").format(n=tables))
            self.heading.setText(self.tr("{jobs} {where} — live, {time}").format(
                jobs=jobs, where=where, time=when))  # fmt: skip
        else:
            self.heading.setText(
                self.tr("Nothing needs attention at any table — live, {time}").format(time=when)
            )
        self._fill(seen.jobs)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, CentralError):
            self.heading.setText(self.tr(
                "Every table: {problem} This table's own jobs are on Pending jobs."
            ).format(problem=shown(exc.message)))  # fmt: skip
        else:
            self.heading.setText(self.tr("Every table: could not read ({error}).").format(
                error=type(exc).__name__))  # fmt: skip

    def _fill(self, jobs: list[RemoteJob]) -> None:
        chosen = self.current()
        self.jobs = jobs
        self.table.setRowCount(len(jobs))
        for r, job in enumerate(jobs):
            problem = job.problem
            if job.correction_sent:
                problem = self.tr("Email fix sent {time}, waiting for {table}. {problem}").format(
                    time=clock(job.correction_sent), table=job.station_name, problem=problem)
            cells = (
                job.station_name,
                shown(registry.label(job.kind)),
                job.donor_name or self.tr("Anonymous"),
                format_cents(job.amount_cents, job.currency or "usd")
                if job.amount_cents is not None else "",
                problem,
                clock(job.updated_at),
            )  # fmt: skip
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        if chosen is not None:
            ids = [j.id for j in jobs]
            if chosen.id in ids:
                self.table.selectRow(ids.index(chosen.id))
                return
        self._selected()

    # ---- fixing ----
    def current(self) -> RemoteJob | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.jobs):
            return None
        return self.jobs[rows[0].row()]

    def select_job(self, job_id: str) -> None:
        ids = [j.id for j in self.jobs]
        if job_id in ids:
            self.table.selectRow(ids.index(job_id))

    def _selected(self) -> None:
        job = self.current()
        self._enable_fix(job)
        if job is None:
            self.detail.setText("")
            return
        parts = [self.tr("{table}: {problem}").format(table=job.station_name,
                                                         problem=shown(job.problem))]
        if fixes_email(job):
            parts.append(self.tr("Type the right address below: the receipt goes again."))
        else:
            parts.append(self.tr("Fix this at {table} (its Pending jobs tab).").format(
                table=job.station_name))
        self.detail.setText(" ".join(parts))
        if fixes_email(job) and not self.email_edit.text():
            self.email_edit.setText(job.donor_email or "")

    def _enable_fix(self, job: RemoteJob | None) -> None:
        can = job is not None and fixes_email(job)
        self.email_edit.setEnabled(can)
        self.email_btn.setEnabled(can)
        if not can:
            self.email_edit.clear()

    def correct_email(self) -> None:
        job = self.current()
        if job is None or not fixes_email(job) or job.donation_id is None:
            return
        email = self.email_edit.text().strip()
        problem = email_error(email) if email else self.tr("Enter the donor's email.")
        if problem:
            self.status.setText(shown(problem))
            self.email_edit.setFocus()
            return
        self.email_btn.setEnabled(False)
        self.status.setText(self.tr("Saving {email}…").format(email=email))
        donation_id, table = job.donation_id, job.station_name
        self.tasks.run(
            lambda: self.station.correct_donor_email(donation_id, email),
            lambda where: self._corrected(where, email, table),
            self._correct_failed,
        )

    def _corrected(self, where: str, email: str, table: str) -> None:
        self.email_edit.clear()
        if where == "here":
            self.status.setText(
                self.tr("Saved {email}; the receipt is on its way again.").format(email=email))
        else:
            self.status.setText(self.tr(
                "Sent to {table}: it saves {email} and sends the receipt again when it next "
                "shares (within a minute)."
            ).format(table=table, email=email))  # fmt: skip
        self.refresh()

    def _correct_failed(self, exc: BaseException) -> None:
        self._enable_fix(self.current())
        if isinstance(exc, InvalidDonation):
            self.status.setText(shown(" ".join(exc.errors.values())))
        elif isinstance(exc, CentralError):
            self.status.setText(shown(exc.message))
        else:
            self.status.setText(
                self.tr("Could not save the email ({error}).").format(error=type(exc).__name__))


register(
    Screen("tables", QT_TRANSLATE_NOOP("Screens", "Every table"), TablesScreen, order=15,
           shown_for=lambda station: station.settings.central.enabled)
)  # fmt: skip
