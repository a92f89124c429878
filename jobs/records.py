"""The job vocabulary and the plain records that leave the jobs package (never ORM rows).

`JobRecord` keeps the facade's contract (ARCHITECTURE.md): id, kind, donation_id, state,
attempts, last_error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRY_SCHEDULED = "retry_scheduled"
    NEEDS_ATTENTION = "needs_attention"
    DONE = "done"
    DISCARDED = "discarded"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.DISCARDED)

    @property
    def label(self) -> str:
        """The state in plain words (a kind may say it its own way: JobKindSpec)."""
        return _STATE_LABELS[self]


_STATE_LABELS = {
    JobState.QUEUED: "Waiting",
    JobState.RUNNING: "Running",
    JobState.RETRY_SCHEDULED: "Retrying",
    JobState.NEEDS_ATTENTION: "Needs attention",
    JobState.DONE: "Done",
    JobState.DISCARDED: "Discarded",
}


UNFINISHED = (JobState.QUEUED, JobState.RUNNING, JobState.RETRY_SCHEDULED)
# What a lead may still act on: retry now or discard (running is left alone).
ACTIONABLE = (JobState.QUEUED, JobState.RETRY_SCHEDULED, JobState.NEEDS_ATTENTION)


@dataclass(frozen=True)
class JobRecord:
    id: str
    kind: str  # a registered job kind (jobs/registry.py)
    donation_id: str | None  # None: a job of the station itself (sync), not of a gift
    state: str  # queued | running | retry_scheduled | needs_attention | done | discarded
    attempts: int
    last_error: str | None  # plain words, with what to do
    last_error_detail: str | None = None  # technical, for IT
    error_kind: str | None = None  # transient | permanent
    fix: str | None = None  # fix_email | check_settings | check_connection | retry
    next_attempt_at: dt.datetime | None = None
    receipt_number: str | None = None
    result_ref: str | None = None  # customer id, message id, .eml path
    sent_at: dt.datetime | None = None
    discard_reason: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    donor_name: str = ""
    donor_email: str = ""
    amount_cents: int = 0
    currency: str = "usd"

    @property
    def delivery(self) -> str:
        """'exactly once' (save card) or 'at least once' (receipt), to show beside a retry."""
        from .registry import get

        return get(self.kind).delivery

    @property
    def kind_label(self) -> str:
        from .registry import get

        return get(self.kind).label

    @property
    def state_label(self) -> str:
        from .registry import get

        return get(self.kind).state_label(self.state)


@dataclass(frozen=True)
class JobSummary:
    """What the status bar shows; cheap enough to ask for every second."""

    online: bool
    online_since: dt.datetime | None
    offline_since: dt.datetime | None
    pending: int  # not done and not discarded (needs_attention included)
    needs_attention: int
    retrying: int = 0
    running: int = 0
