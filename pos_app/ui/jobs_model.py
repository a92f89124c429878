"""The live job table (a KeyedRecordsModel: rows keyed by job id, updated in place) and a
proxy that filters by state, kind and donor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSortFilterProxyModel
from PySide6.QtGui import QColor

from jobs.records import JobRecord, JobState
from pos_app.domain.money import format_cents

from .core_text import shown
from .keyed_model import ID_ROLE, RECORD_ROLE, SORT_ROLE, KeyedRecordsModel

COL_DONOR, COL_AMOUNT, COL_TIME, COL_KIND, COL_STATE, COL_ATTEMPTS, COL_NEXT, COL_ERROR = range(8)
HEADERS = (
    QT_TRANSLATE_NOOP("JobsModel", "Donor"),
    QT_TRANSLATE_NOOP("JobsModel", "Amount"),
    QT_TRANSLATE_NOOP("JobsModel", "Gift at"),
    QT_TRANSLATE_NOOP("JobsModel", "Job"),
    QT_TRANSLATE_NOOP("JobsModel", "State"),
    QT_TRANSLATE_NOOP("JobsModel", "Tries"),
    QT_TRANSLATE_NOOP("JobsModel", "Next try"),
    QT_TRANSLATE_NOOP("JobsModel", "Problem"),
)

JOB_ID_ROLE = ID_ROLE

# Symbols beside the words: colour is never the only signal.
STATE_SYMBOLS = {
    JobState.QUEUED: "…",
    JobState.RUNNING: "▶",
    JobState.RETRY_SCHEDULED: "↻",
    JobState.NEEDS_ATTENTION: "⚠",
    JobState.DONE: "✓",
    JobState.DISCARDED: "–",
}
STATE_COLOURS = {
    JobState.NEEDS_ATTENTION: "#b00020",
    JobState.RETRY_SCHEDULED: "#b26a00",
    JobState.DONE: "#1f7a3a",
}


def relative(when: dt.datetime | None, now: dt.datetime) -> str:
    if when is None:
        return ""
    seconds = int((when - now).total_seconds())
    if seconds <= 0:
        return QCoreApplication.translate("JobsModel", "now")
    if seconds < 90:
        return QCoreApplication.translate("JobsModel", "in {n} s").format(n=seconds)
    return QCoreApplication.translate("JobsModel", "in {n} min").format(n=seconds // 60)


def clock(when: dt.datetime | None) -> str:
    return when.astimezone().strftime("%H:%M") if when else ""


class JobsModel(KeyedRecordsModel[JobRecord]):
    headers = HEADERS

    def __init__(self) -> None:
        super().__init__()
        self.now = dt.datetime.now(dt.UTC)

    def tick(self, now: dt.datetime) -> None:
        """Move the clock the relative "next attempt" column is drawn against. No signal:
        a column-wide dataChanged makes the proxy re-filter every row; the view repaints
        its visible rows instead (JobsPanel)."""
        self.now = now

    def display(self, r: JobRecord, col: int) -> str:
        if col == COL_DONOR:
            return r.donor_name or r.donor_email or self.tr("(no name)")
        if col == COL_AMOUNT:
            return format_cents(r.amount_cents, r.currency)
        if col == COL_TIME:
            return clock(r.created_at)
        if col == COL_KIND:
            return shown(r.kind_label)
        if col == COL_STATE:
            return f"{STATE_SYMBOLS.get(JobState(r.state), '')} {shown(r.state_label)}"
        if col == COL_ATTEMPTS:
            return str(r.attempts)
        if col == COL_NEXT:
            waiting = r.state == JobState.RETRY_SCHEDULED
            return relative(r.next_attempt_at, self.now) if waiting else ""
        if col == COL_ERROR:
            return "" if r.state == JobState.DONE else shown(r.last_error or "")
        return ""

    def sort_key(self, r: JobRecord, col: int) -> Any:
        if col == COL_AMOUNT:
            return r.amount_cents
        if col == COL_ATTEMPTS:
            return r.attempts
        if col == COL_NEXT:
            return r.next_attempt_at.timestamp() if r.next_attempt_at else 0.0
        if col == COL_TIME:
            return r.created_at.timestamp() if r.created_at else 0.0
        return self.display(r, col).lower()

    def foreground(self, r: JobRecord, col: int) -> Any:
        colour = STATE_COLOURS.get(JobState(r.state)) if col == COL_STATE else None
        return QColor(colour) if colour else None

    def tooltip(self, r: JobRecord, col: int) -> str | None:
        """The full text of a cell the column may elide (the problem in plain words)."""
        if col == COL_DONOR and r.donor_name and r.donor_email:
            return f"{r.donor_name} <{r.donor_email}>"
        return self.display(r, col) or None


class JobsFilter(QSortFilterProxyModel):
    """State and kind filters plus a donor search (name or email)."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SORT_ROLE)
        self.states: set[str] | None = None
        self.kind: str | None = None
        self.search = ""

    def set_filter(self, states: set[str] | None, kind: str | None, search: str) -> None:
        self.beginFilterChange()
        self.states, self.kind, self.search = states, kind, search.strip().lower()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Any) -> bool:  # noqa: N802
        model = self.sourceModel()
        r: JobRecord = model.data(model.index(source_row, 0, source_parent), RECORD_ROLE)
        if self.states is not None and r.state not in self.states:
            return False
        if self.kind is not None and r.kind != self.kind:
            return False
        if self.search:
            return self.search in r.donor_name.lower() or self.search in r.donor_email.lower()
        return True
