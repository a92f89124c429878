"""The job ledger: one row per job in the app DB, and every state change it goes through.
(Reading it for people is `ledger_view.py`.)

Rows are created inside the transaction that records the gift (the transactional
outbox), so a committed approval always has its jobs. Each change is its own short
transaction; nothing here waits on the network. Claiming is one conditional UPDATE, so
two copies of a task (after a sync) can never run the same job at the same time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pos_app.logs import redact
from pos_app.store.database import Database
from pos_app.store.models import Counter, Donation, DonorToken, Job, new_id

from .records import UNFINISHED, JobState

if TYPE_CHECKING:
    from .context import JobContext
    from .registry import JobKindSpec

RECEIPT_COUNTER = "receipt"
EARLY_TOLERANCE = dt.timedelta(seconds=1)  # the scheduler may fire a retry a hair early


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def receipt_prefix(station_id: str, configured: str = "") -> str:
    """IT's `[receipts] number_prefix`, else six characters of the station's stable id:
    never the editable station name, so a rename neither renumbers nor collides."""
    if configured.strip():
        return configured.strip()
    code = re.sub(r"[^A-Za-z0-9]", "", station_id).upper()[:6]
    return code or "R"


@dataclass(frozen=True)
class Work:
    """A claimed job, as its body needs it."""

    id: str
    kind: str
    donation_id: str
    attempts: int
    receipt_number: str | None
    result_ref: str | None
    sent_at: dt.datetime | None


@dataclass(frozen=True)
class Pending:
    id: str
    state: str
    next_attempt_at: dt.datetime | None
    updated_at: dt.datetime


# Built once: it runs inside every approved gift's transaction, while the donor waits.
# On the table, not the mapped class: plain Core, no ORM bulk-insert path.
_COUNTERS = Counter.__table__
NEXT_RECEIPT_NUMBER = (
    sqlite_insert(_COUNTERS)
    .values(name=RECEIPT_COUNTER, value=1)
    .on_conflict_do_update(index_elements=["name"], set_={"value": _COUNTERS.c.value + 1})
    .returning(_COUNTERS.c.value)
)
INSERT_JOBS = insert(Job.__table__)  # a gift's jobs, all in one statement


class Ledger:
    def __init__(self, db: Database, *, receipt_prefix: str = "R") -> None:
        self.db = db
        self.receipt_prefix = receipt_prefix

    # ---- created with the gift (inside its transaction) -----------------------------
    def jobs_for(
        self, s: Session | Connection, donation: Donation, ctx: JobContext, *, new: bool = False
    ) -> list[str]:
        """Add the gift's follow-up jobs (every registered kind that follows this gift) to
        the caller's transaction, in one INSERT; return their ids. `new`: the gift was
        created in this very call, so it has no jobs yet (nothing to read first)."""
        from .registry import kinds

        existing = set() if new else set(
            s.scalars(select(Job.kind).where(Job.donation_id == donation.id)))  # fmt: skip
        specs = [spec for spec in kinds()
                 if spec.name not in existing and spec.follows_gift(donation, ctx)]  # fmt: skip
        if not specs:
            return []
        now = utcnow()
        rows = [self._new_job(s, donation.id, spec, now) for spec in specs]
        s.execute(INSERT_JOBS, rows)
        return [row["id"] for row in rows]

    def add(self, s: Session, donation_id: str, spec: JobKindSpec) -> str:
        """The job's row in the caller's unit of work, its id chosen here: written with the
        caller's commit (no flush of its own: a gift's jobs go out in one round)."""
        row = self._new_job(s, donation_id, spec, utcnow())
        s.add(Job(**row))
        return row["id"]

    def _new_job(
        self, s: Session | Connection, donation_id: str, spec: JobKindSpec, now: dt.datetime
    ) -> dict[str, object]:
        """A new job's column values, its id and (for a numbered kind) its receipt number
        chosen here."""
        return {
            "id": new_id(),
            "kind": spec.name,
            "donation_id": donation_id,
            "state": JobState.QUEUED.value,
            "attempts": 0,
            "receipt_number": self._next_receipt_number(s) if spec.numbered else None,
            "created_at": now,
            "updated_at": now,
        }

    def _next_receipt_number(self, s: Session | Connection) -> str:
        # One upsert ... RETURNING under the transaction's write lock: never handed out twice.
        value = s.execute(NEXT_RECEIPT_NUMBER).scalar_one()
        return f"{self.receipt_prefix}-{value:05d}"

    # ---- a worker's life cycle ------------------------------------------------------
    def claim(self, job_id: str) -> Work | None:
        """Mark the job running (one more attempt) if it is due; None if it isn't ours."""
        now = utcnow()
        with self.db.session() as s:
            claimed = s.execute(
                update(Job)
                .where(
                    Job.id == job_id,
                    or_(
                        Job.state == JobState.QUEUED.value,
                        (Job.state == JobState.RETRY_SCHEDULED.value)
                        & or_(
                            Job.next_attempt_at.is_(None),
                            Job.next_attempt_at <= now + EARLY_TOLERANCE,
                        ),
                    ),
                )
                .values(
                    state=JobState.RUNNING.value,
                    attempts=Job.attempts + 1,
                    started_at=now,
                    updated_at=now,
                )
            ).rowcount
            if not claimed:
                return None
            job = s.get(Job, job_id)
            assert job is not None
            return Work(
                id=job.id,
                kind=job.kind,
                donation_id=job.donation_id,
                attempts=job.attempts,
                receipt_number=job.receipt_number,
                result_ref=job.result_ref,
                sent_at=job.sent_at,
            )

    def record_ref(self, job_id: str, ref: str) -> None:
        """Keep a result reached mid-job (a new customer id) before the next network call."""
        with self.db.session() as s:
            s.execute(update(Job).where(Job.id == job_id).values(result_ref=ref))

    def mark_done(self, job_id: str, ref: str | None = None, *, sent: bool = False) -> None:
        now = utcnow()
        with self.db.session() as s:
            self._done(s, job_id, ref, now, sent)

    def mark_card_saved(
        self, job_id: str, donation_id: str, token: DonorToken, ref: str
    ) -> None:
        """Store the donor's token and finish the job in one transaction."""
        with self.db.session() as s:
            if s.get(DonorToken, donation_id) is None:
                s.add(token)
            self._done(s, job_id, ref, utcnow(), sent=False)

    def _done(
        self, s: Session, job_id: str, ref: str | None, now: dt.datetime, sent: bool
    ) -> None:
        values: dict[str, object] = {
            "state": JobState.DONE.value,
            "finished_at": now,
            "next_attempt_at": None,
            "last_error": None,
            "last_error_detail": None,
            "error_kind": None,
            "fix": None,
            "updated_at": now,
        }
        if ref is not None:
            values["result_ref"] = ref
        if sent:
            values["sent_at"] = now
        # A lead may have discarded it meanwhile; what happened still wins.
        s.execute(update(Job).where(Job.id == job_id).values(**values))

    def mark_retry(
        self, job_id: str, delay: float, message: str, detail: str
    ) -> dt.datetime:
        when = utcnow() + dt.timedelta(seconds=delay)
        self._failed(job_id, JobState.RETRY_SCHEDULED, when, message, detail, "transient",
                     "retry")
        return when

    def mark_needs_attention(self, job_id: str, message: str, detail: str, fix: str) -> None:
        self._failed(job_id, JobState.NEEDS_ATTENTION, None, message, detail, "permanent",
                     fix or None)

    def _failed(
        self, job_id: str, state: JobState, next_attempt_at: dt.datetime | None,
        message: str, detail: str, error_kind: str, fix: str | None,
    ) -> None:
        """Only a running job takes a failure: a lead may have discarded it meanwhile."""
        with self.db.session() as s:
            s.execute(
                update(Job)
                .where(Job.id == job_id, Job.state == JobState.RUNNING.value)
                .values(
                    state=state.value,
                    next_attempt_at=next_attempt_at,
                    last_error=redact(message),
                    last_error_detail=redact(detail)[:2000],
                    error_kind=error_kind,
                    fix=fix,
                    updated_at=utcnow(),
                )
            )

    # ---- sync and wake-up -------------------------------------------------------------
    def unfinished(self) -> list[Pending]:
        with self.db.session() as s:
            rows = s.execute(
                select(Job.id, Job.state, Job.next_attempt_at, Job.updated_at).where(
                    Job.state.in_([st.value for st in UNFINISHED])
                )
            ).all()
        return [Pending(r[0], r[1], r[2], r[3] or utcnow()) for r in rows]

    def retime(
        self, longest: float, shift: dt.timedelta | None = None
    ) -> list[tuple[str, dt.datetime]]:
        """Keep retry due times honest when the wall clock jumps (a laptop syncing its time
        at the venue); returns the (job id, new due time) of the rows it moved.

        `shift`: a jump seen while running (pos_app watches wall time against a monotonic
        clock): every due time moves with it, so waits keep their length and their spread —
        a jump forward doesn't make every retry due at once, nor a jump back stall them.
        Without it, a row changed "in the future" shows the clock went back while nobody
        watched: its wait restarts from now. Either way no due time sits further ahead
        than `longest` seconds (the backoff cap, or the longest Retry-After honoured)."""
        now = utcnow()
        latest = now + dt.timedelta(seconds=longest)
        moved: list[tuple[str, dt.datetime]] = []
        with self.db.session() as s:
            rows = s.execute(
                select(Job.id, Job.next_attempt_at, Job.updated_at).where(
                    Job.state == JobState.RETRY_SCHEDULED.value,
                    Job.next_attempt_at.is_not(None),
                )
            ).all()
            for job_id, due, changed in rows:
                new = due
                if shift is not None:
                    new = due + shift
                elif changed is not None and changed > now + EARLY_TOLERANCE:
                    new = now + max(due - changed, dt.timedelta(0))
                new = min(new, latest)
                if new != due:
                    s.execute(
                        update(Job)
                        .where(Job.id == job_id, Job.state == JobState.RETRY_SCHEDULED.value)
                        .values(next_attempt_at=new, updated_at=now)
                    )
                    moved.append((job_id, new))
        return moved

    def requeue_interrupted(self, job_ids: Iterable[str]) -> None:
        """Jobs left `running` by a stop or a crash go back to the queue."""
        ids = list(job_ids)
        if not ids:
            return
        now = utcnow()
        with self.db.session() as s:
            s.execute(
                update(Job)
                .where(Job.id.in_(ids), Job.state == JobState.RUNNING.value)
                .values(
                    state=JobState.QUEUED.value,
                    last_error="Interrupted when Tableside stopped; it runs again now.",
                    error_kind=None,
                    fix=None,
                    updated_at=now,
                )
            )

    def wake_all(self) -> int:
        """Every scheduled retry becomes due now (attempt counts kept)."""
        now = utcnow()
        with self.db.session() as s:
            return s.execute(
                update(Job)
                .where(Job.state == JobState.RETRY_SCHEDULED.value)
                .values(next_attempt_at=now, updated_at=now)
            ).rowcount

    # ---- people's actions -------------------------------------------------------------
    def retry(self, job_id: str) -> bool:
        """Queue a job again now (needs attention, scheduled, discarded). False if done."""
        now = utcnow()
        with self.db.session() as s:
            return bool(
                s.execute(
                    update(Job)
                    .where(
                        Job.id == job_id,
                        Job.state.in_(
                            [
                                JobState.NEEDS_ATTENTION.value,
                                JobState.RETRY_SCHEDULED.value,
                                JobState.DISCARDED.value,
                                JobState.QUEUED.value,
                            ]
                        ),
                    )
                    .values(
                        state=JobState.QUEUED.value,
                        next_attempt_at=None,
                        error_kind=None,
                        fix=None,
                        discard_reason=None,
                        finished_at=None,
                        updated_at=now,
                    )
                ).rowcount
            )

    def discard(self, job_id: str, reason: str) -> bool:
        now = utcnow()
        with self.db.session() as s:
            return bool(
                s.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.state != JobState.DONE.value)
                    .values(
                        state=JobState.DISCARDED.value,
                        # free text a lead typed: a card swiped into it must not be kept
                        discard_reason=redact(reason.strip())[:500]
                        or "Discarded by the event lead.",
                        next_attempt_at=None,
                        finished_at=now,
                        updated_at=now,
                    )
                ).rowcount
            )
