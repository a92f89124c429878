"""Reading the job ledger for people: each job with its gift's donor and amount, and the
counts by state the status bar needs (`job_state_counts`, kept by triggers in the
transaction that writes a job: migration 0015). A job that
belongs to no gift (the station's standing sync job) is listed too, with no donor and no
amount: the counts include it, so the lists must show it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, literal_column, select

from pos_app.store.database import Database
from pos_app.store.models import Donation, Job, JobStateCount

from .records import JobRecord, JobState

# An anonymous gift shows no name on the lead's screens (its receipt still uses it).
_NAME = case((Donation.anonymous.is_(True), ""), else_=Donation.donor_name)
_COLUMNS = (Job, _NAME, Donation.donor_email, Donation.amount_cents,
            Donation.currency)


class LedgerView:
    def __init__(self, db: Database) -> None:
        self.db = db

    def records(
        self, donation_id: str | None = None, changed_since: dt.datetime | None = None,
        finished_limit: int | None = None,
    ) -> list[JobRecord]:  # fmt: skip
        """Jobs oldest first; with `changed_since`, only those updated at or after it (a live
        view asks for what changed since its last look instead of the whole ledger). With
        `finished_limit`, every job still to do or needing a person, and only the newest
        `finished_limit` finished ones (done, discarded): what a panel shows, read in time
        that follows the work, not the night's total."""
        if finished_limit is not None and donation_id is None and changed_since is None:
            return self._recent(finished_limit)
        with self.db.session() as s:
            q = select(*_COLUMNS).outerjoin(Donation, Donation.id == Job.donation_id)
            if donation_id is not None:
                q = q.where(Job.donation_id == donation_id)
            if changed_since is not None:
                # In the order they changed, so the updated_at index finds them (ordering
                # by created_at made SQLite walk every job to skip the sort).
                q = q.where(Job.updated_at >= changed_since).order_by(Job.updated_at)
            else:
                q = q.order_by(Job.created_at, Job.kind)
            return [_record(*row) for row in s.execute(q).all()]

    def _recent(self, finished_limit: int) -> list[JobRecord]:
        finished = [st.value for st in JobState if st.finished]
        waiting = [st.value for st in JobState if not st.finished]  # IN, so the index serves
        base = select(*_COLUMNS).outerjoin(Donation, Donation.id == Job.donation_id)
        with self.db.session() as s:
            open_ = s.execute(base.where(Job.state.in_(waiting))).all()
            # Newest first along ix_jobs_updated_at, stopping at the limit: the state test
            # is kept off the state index (a `+`), which would sort every finished job.
            newest = s.execute(
                base.where(literal_column("+jobs.state").in_(finished))
                .order_by(Job.updated_at.desc()).limit(max(0, finished_limit))
            ).all()  # fmt: skip
        rows = [_record(*row) for row in (*open_, *newest)]
        return sorted(rows, key=lambda r: (r.created_at, r.kind))

    def record(self, job_id: str) -> JobRecord:
        with self.db.session() as s:
            row = s.execute(
                select(*_COLUMNS)
                .outerjoin(Donation, Donation.id == Job.donation_id)
                .where(Job.id == job_id)
            ).first()
        if row is None:
            raise KeyError(job_id)
        return _record(*row)

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            rows = s.execute(
                select(JobStateCount.state, JobStateCount.jobs).where(JobStateCount.jobs > 0)
            ).all()
        return {state: int(n) for state, n in rows}


def _record(
    job: Job, name: str | None, email: str | None, amount: int | None, currency: str | None
) -> JobRecord:
    return JobRecord(
        id=job.id,
        kind=job.kind,
        donation_id=job.donation_id,
        state=job.state,
        attempts=job.attempts,
        last_error=job.last_error,
        last_error_detail=job.last_error_detail,
        error_kind=job.error_kind,
        fix=job.fix,
        next_attempt_at=job.next_attempt_at,
        receipt_number=job.receipt_number,
        result_ref=job.result_ref,
        sent_at=job.sent_at,
        discard_reason=job.discard_reason,
        created_at=job.created_at,
        updated_at=job.updated_at,
        finished_at=job.finished_at,
        donor_name=name or "",
        donor_email=email or "",
        amount_cents=amount or 0,
        currency=currency or "usd",
    )
