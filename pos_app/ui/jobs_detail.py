"""The selected jobs on the pending-jobs tab: what happened in a lead's words (donor, amount,
time, the problem), the technical detail for IT (ids live only there), and the actions that
fix it: retry now, correct the email and resend, discard with a reason, show a sent receipt.

A button is enabled only where it acts (retry on a job not done, discard on one still
waiting, show on a receipt written to the outbox). Station calls go through the TaskRunner.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from jobs import registry
from jobs.records import ACTIONABLE, JobRecord, JobState
from pos_app.api import Station
from pos_app.domain.donor import email_error
from pos_app.domain.money import format_cents

from .core_text import shown
from .jobs_model import clock
from .quiet_label import QuietLabel
from .receipt_view import ReceiptDialog, ReceiptText, read_receipt
from .tasks import TaskRunner

RETRYABLE = (*ACTIONABLE, JobState.DISCARDED)  # what station.retry_job acts on


class JobDetail(QWidget):
    acted = Signal()  # an action finished: the panel reads the jobs again

    def __init__(
        self, station: Station, tasks: TaskRunner, everything: Callable[[], list[JobRecord]]
    ) -> None:
        super().__init__()
        self.station, self.tasks, self.everything = station, tasks, everything
        self.selected: list[JobRecord] = []
        self.receipt_dialog: ReceiptDialog | None = None
        # Left: what happened. Right: what to do about it. Side by side, under the table.
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 4, 0, 0)
        left, v = QVBoxLayout(), QVBoxLayout()
        outer.addLayout(left, 1)
        outer.addLayout(v, 1)
        self.title = QLabel("")
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.facts = QuietLabel()
        self.error = QuietLabel("", "jobProblem")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Technical detail for IT"))
        self.text.setPlaceholderText(self.tr("Technical detail for IT"))
        self.text.setMinimumHeight(48)
        for w in (self.title, self.facts, self.error):
            left.addWidget(w)
        left.addWidget(self.text, 1)
        left.addStretch()  # keeps the title on top while the technical box is hidden

        row = QHBoxLayout()
        self.retry_btn = QPushButton(self.tr("Retry now"))
        self.retry_btn.clicked.connect(self.retry_selected)
        self.retry_all_btn = QPushButton(self.tr("Retry all waiting"))
        self.retry_all_btn.clicked.connect(self.retry_all)
        self.open_btn = QPushButton(self.tr("Show receipt"))
        self.open_btn.clicked.connect(self.open_receipt)
        for b in (self.retry_btn, self.retry_all_btn, self.open_btn):
            row.addWidget(b)
        v.addLayout(row)

        email_row = QHBoxLayout()
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText(self.tr("Corrected email"))
        self.email_edit.setAccessibleName(self.tr("Corrected email"))
        self.email_btn = QPushButton(self.tr("Save email and resend"))
        self.email_btn.clicked.connect(self.resend_to_email)
        self.email_edit.returnPressed.connect(self.resend_to_email)
        email_row.addWidget(self.email_edit, 1)
        email_row.addWidget(self.email_btn)
        v.addLayout(email_row)

        discard_row = QHBoxLayout()
        self.discard_reason = QLineEdit()
        self.discard_reason.setPlaceholderText(self.tr("Reason to discard (required)"))
        self.discard_reason.setAccessibleName(self.tr("Reason to discard"))
        self.discard_btn = QPushButton(self.tr("Discard"))
        self.discard_btn.clicked.connect(self.discard_selected)
        discard_row.addWidget(self.discard_reason, 1)
        discard_row.addWidget(self.discard_btn)
        v.addLayout(discard_row)
        self.feedback = QuietLabel("", "feedback")
        v.addWidget(self.feedback)
        v.addStretch()
        self.show_jobs([])

    # ---- what is shown ----
    def show_jobs(self, records: list[JobRecord]) -> None:
        """The selection (as it is now: called again after every refresh)."""
        self.selected = records
        self.retry_btn.setEnabled(any(r.state in RETRYABLE for r in records))
        self.discard_btn.setEnabled(any(r.state in ACTIONABLE for r in records))
        self.discard_reason.setEnabled(self.discard_btn.isEnabled())
        self.retry_all_btn.setEnabled(any(r.state in ACTIONABLE for r in self.everything()))
        r = records[0] if len(records) == 1 else None
        if r is None:
            self.title.setText(
                self.tr("{n} jobs selected.").format(n=len(records)) if records
                else self.tr("Select a job to see what happened.")
            )  # fmt: skip
            for label in (self.facts, self.error):
                label.setText("")
            self.text.setPlainText("")
            self.text.hide()  # nothing technical to show: the room goes to the table
            self.email_btn.setEnabled(False)
            self.email_edit.setEnabled(False)
            self.open_btn.setEnabled(False)
            return
        kind = registry.get(r.kind)
        title = self.tr("{job} for {donor}").format(
            job=shown(kind.label), donor=r.donor_name or r.donor_email or self.tr("a donor")
        )
        if r.receipt_number:
            title += " — " + self.tr("receipt {number}").format(number=r.receipt_number)
        self.title.setText(f"{title} ({shown(r.state_label)})")
        self.facts.setText(self.facts_text(r))
        self.error.setText(shown(r.last_error or ""))
        self.text.setPlainText(self.technical_text(r))
        self.text.show()
        fixes_email = "fix_email" in kind.actions
        self.email_btn.setEnabled(fixes_email and r.state != JobState.DONE)
        self.email_edit.setEnabled(fixes_email and r.state != JobState.DONE)
        if fixes_email and not self.email_edit.text():
            self.email_edit.setText(r.donor_email)
        self.open_btn.setEnabled(self.receipt_file(r) is not None)

    def facts_text(self, r: JobRecord) -> str:
        """What a lead recognises: the gift (amount, time) and how the tries went."""
        lines = [self.tr("Gift of {amount} at {time}").format(
            amount=format_cents(r.amount_cents, r.currency), time=clock(r.created_at))]  # fmt: skip
        if r.attempts:
            lines.append(
                self.tr("Tried once") if r.attempts == 1
                else self.tr("Tried {n} times").format(n=r.attempts)
            )  # fmt: skip
        if r.state == JobState.RETRY_SCHEDULED and r.next_attempt_at:
            lines.append(self.tr("next try at {time}").format(time=clock(r.next_attempt_at)))
        if r.discard_reason:
            lines.append(self.tr("discarded: {reason}").format(reason=r.discard_reason))
        return " · ".join(lines)

    def technical_text(self, r: JobRecord) -> str:
        lines = [
            self.tr("job {id}").format(id=r.id),
            self.tr("donation {id}").format(id=r.donation_id),
            self.tr("attempts {n}; delivery {delivery}").format(
                n=r.attempts, delivery=shown(r.delivery)
            ),
        ]
        if r.next_attempt_at:
            lines.append(self.tr("next attempt {time}").format(
                time=f"{r.next_attempt_at.astimezone():%H:%M:%S}"))  # fmt: skip
        if r.result_ref:
            lines.append(self.tr("result {ref}").format(ref=r.result_ref))
        if r.last_error_detail:
            lines += ["", r.last_error_detail]
        return "\n".join(lines)

    @staticmethod
    def receipt_file(r: JobRecord) -> Path | None:
        """The written .eml of a finished job whose kind has a result to show."""
        if "open_result" not in registry.get(r.kind).actions or r.state != JobState.DONE:
            return None
        ref = Path(r.result_ref or "")
        return ref if ref.suffix == ".eml" else None

    # ---- actions ----
    def _what(self, records: list[JobRecord]) -> str:
        if len(records) == 1:
            r = records[0]
            return self.tr("the {job} for {donor}").format(
                job=shown(registry.get(r.kind).label).lower(),
                donor=r.donor_name or r.donor_email or self.tr("a donor"),
            )
        return self.tr("{n} jobs").format(n=len(records))

    def _act(self, doing: str, done: str, fn: Callable[[], Any]) -> None:
        self.feedback.setText(doing)
        self.tasks.run(fn, lambda _r: self._acted(done), self._act_failed)

    def _acted(self, done: str) -> None:
        self.feedback.setText(done)
        self.acted.emit()

    def _act_failed(self, exc: BaseException) -> None:
        self.feedback.setText(self.tr("That didn't work: {error}").format(error=shown(str(exc))))
        self.acted.emit()

    def retry_selected(self) -> None:
        chosen = [r for r in self.selected if r.state in RETRYABLE]
        self._retry(chosen)

    def retry_all(self) -> None:
        self._retry([r for r in self.everything() if r.state in ACTIONABLE])

    def _retry(self, chosen: list[JobRecord]) -> None:
        if not chosen:
            return
        ids, station, what = [r.id for r in chosen], self.station, self._what(chosen)
        self._act(
            self.tr("Trying {what} again…").format(what=what),
            self.tr("Sent {what} back to the queue: it runs now.").format(what=what),
            lambda: [station.retry_job(i) for i in ids],
        )

    def resend_to_email(self) -> None:
        r = self.selected[0] if len(self.selected) == 1 else None
        email = self.email_edit.text().strip()
        if r is None or "fix_email" not in registry.get(r.kind).actions:
            return
        problem = email_error(email) or (None if email else self.tr("Enter the donor's email."))
        if problem:
            self.feedback.setText(shown(problem))
            return
        station, donation_id = self.station, r.donation_id
        self._act(
            self.tr("Resending the receipt to {email}…").format(email=email),
            self.tr("Saved {email}; the receipt is on its way again.").format(email=email),
            lambda: station.update_donor_email(donation_id, email),
        )

    def discard_selected(self) -> None:
        chosen = [r for r in self.selected if r.state in ACTIONABLE]
        reason = self.discard_reason.text().strip()
        if not chosen:
            return
        if not reason:
            self.feedback.setText(
                self.tr("Give a reason to discard: it is kept in the job's history.")
            )
            self.discard_reason.setFocus()
            return
        ids, station, what = [r.id for r in chosen], self.station, self._what(chosen)
        self.discard_reason.clear()
        self._act(
            self.tr("Discarding {what}…").format(what=what),
            self.tr("Discarded {what}.").format(what=what),
            lambda: [station.discard_job(i, reason) for i in ids],
        )

    def open_receipt(self) -> None:
        r = self.selected[0] if len(self.selected) == 1 else None
        path = self.receipt_file(r) if r is not None else None
        if path is None:
            return
        self.feedback.setText(self.tr("Opening the receipt…"))
        self.tasks.run(lambda: read_receipt(path), self._show_receipt, self._receipt_failed)

    def _show_receipt(self, receipt: ReceiptText) -> None:
        if self.receipt_dialog is not None:
            self.receipt_dialog.close()
            self.receipt_dialog.deleteLater()
        self.receipt_dialog = ReceiptDialog(receipt, self)
        self.receipt_dialog.show()
        self.feedback.setText(self.tr("Showing the receipt sent to {to}.").format(to=receipt.to))

    def _receipt_failed(self, exc: BaseException) -> None:
        self.feedback.setText(
            self.tr("Couldn't show the receipt: {error}").format(error=shown(str(exc)))
        )
