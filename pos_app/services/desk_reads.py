"""What the lead's live views read, sized for a 100,000-gift night: pages, changes, counts.

Never "all donations": the desk shows one page at a time (newest first, keyset-paged on
the (created_at, id) index, so page 500 costs what page 1 does), asks first whether
anything changed at all (`desk_stamp`, two index look-ups), then only for what changed
(`donations_changed`, on the updated_at index). The jobs panel's counts come from the
per-state counts the database keeps (migration 0015), its oldest waiting job from the
(state, created_at) index, instead of a loop over every ledger row on the GUI thread.
Each read is a plain-data snapshot (no ORM objects).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select, tuple_

from jobs.records import JobState
from pos_app.domain.states import RefundState
from pos_app.store.database import Database
from pos_app.store.models import Donation, Job, JobStateCount, Refund

from .records import DonationRecord

PAGE_SIZE = 200
# The sorts a page can ask for; anything else falls back to time (newest first by default).
SORT_COLUMNS = {
    "time": Donation.created_at,
    "amount": Donation.amount_cents,
    "donor": Donation.donor_name,
    "method": Donation.method,
    "status": Donation.state,
}
_DONATION_COLUMNS = tuple(Donation.__table__.c)
WAITING = (JobState.QUEUED.value, JobState.RETRY_SCHEDULED.value, JobState.NEEDS_ATTENTION.value)


@dataclass(frozen=True)
class PageQuery:
    """Which rows a donations page holds. `after` is the last row's (created_at, id) of the
    previous page for the default newest-first order; other sorts page by `offset`."""

    search: str = ""
    sort: str = "time"
    descending: bool = True
    limit: int = PAGE_SIZE
    offset: int = 0
    after: tuple[dt.datetime, str] | None = None


@dataclass(frozen=True)
class JobCounts:
    by_state: dict[str, int]
    oldest_waiting: dt.datetime | None


def desk_stamp(db: Database) -> tuple[object, ...]:
    """Changes whenever a donation or refund is written (every write sets updated_at):
    two MAX() look-ups on indexes, so an idle desk costs next to nothing to keep fresh."""
    with db.session() as s:
        donations = s.scalar(select(func.max(Donation.updated_at)))
        refunds = s.scalar(select(func.max(Refund.updated_at)))
    return (donations, refunds)


def donations_page(db: Database, q: PageQuery) -> list[DonationRecord]:
    col = SORT_COLUMNS.get(q.sort, Donation.created_at)
    stmt = select(*_DONATION_COLUMNS)
    if q.search.strip():
        like = f"%{_escape(q.search.strip().lower())}%"
        # A person typed it; the one read that may touch every row, and only on request.
        stmt = stmt.where(
            or_(
                *(
                    func.lower(func.coalesce(c, "")).like(like, escape="\\")
                    for c in (
                        Donation.donor_name,
                        Donation.donor_email,
                        Donation.last4,
                        Donation.payment_intent_id,
                    )
                )
            )
        )
    keyset = q.sort == "time"
    if keyset:
        order = (Donation.created_at, Donation.id)
        if q.after is not None:
            bound = tuple_(Donation.created_at, Donation.id)
            after = tuple_(*q.after)
            stmt = stmt.where(bound < after if q.descending else bound > after)
    else:
        order = (col, Donation.created_at, Donation.id)
    stmt = stmt.order_by(*(c.desc() if q.descending else c.asc() for c in order))
    stmt = stmt.limit(q.limit)
    if not keyset and q.offset:
        stmt = stmt.offset(q.offset)
    with db.session() as s:
        rows = s.execute(stmt).all()
        return annotate(s, [DonationRecord.of(r) for r in rows])  # type: ignore[arg-type]


def donations_changed(db: Database, since: dt.datetime) -> list[DonationRecord]:
    """Donations written at or after `since`, oldest change first (the updated_at index)."""
    with db.session() as s:
        rows = s.execute(
            select(*_DONATION_COLUMNS)
            .where(Donation.updated_at >= since)
            .order_by(Donation.updated_at)
        ).all()
        changed = [DonationRecord.of(r) for r in rows]  # type: ignore[arg-type]
        refunded = s.scalars(select(Refund.donation_id).where(Refund.updated_at >= since)).all()
        known = {d.id for d in changed}
        extra = [i for i in refunded if i not in known]
        if extra:
            rows = s.execute(select(*_DONATION_COLUMNS).where(Donation.id.in_(extra))).all()
            changed += [DonationRecord.of(r) for r in rows]  # type: ignore[arg-type]
        return annotate(s, changed)


def annotate(s: object, donations: Sequence[DonationRecord]) -> list[DonationRecord]:
    """The gifts with their refund (the live one, else the last that failed), read for
    these gifts only (the refunds.donation_id index)."""
    if not donations:
        return []
    latest: dict[str, Refund] = {}
    ids = [d.id for d in donations]
    for start in range(0, len(ids), 500):  # well under SQLite's bound-parameter limit
        found = s.scalars(  # type: ignore[attr-defined]
            select(Refund).where(Refund.donation_id.in_(ids[start : start + 500]))
        )
        for r in sorted(found, key=lambda r: r.created_at):  # a few rows: no SQL sort
            if latest.get(r.donation_id) is None or latest[r.donation_id].state == "failed":
                latest[r.donation_id] = r
    return [_with_refund(d, latest.get(d.id)) for d in donations]


def _with_refund(d: DonationRecord, r: Refund | None) -> DonationRecord:
    if r is None:
        return d
    done = r.state in (RefundState.REFUNDED.value, RefundState.VOIDED.value)
    return dataclasses.replace(
        d,
        refunded_cents=r.amount_cents if done else 0,
        refund_status=r.state,
        refund_reason=r.reason,
        refund_reference=r.reference,
    )


def job_counts(db: Database) -> JobCounts:
    """Jobs per state (`job_state_counts`, kept by triggers in the transaction that writes a
    job: a few rows, however long the night) and the oldest waiting job's creation time (one
    look-up per waiting state on the (state, created_at) index)."""
    with db.session() as s:
        rows = s.execute(
            select(JobStateCount.state, JobStateCount.jobs)
            .where(JobStateCount.jobs > 0)
        ).all()
        by_state = {state: int(n) for state, n in sorted(rows)}
        firsts = [
            s.scalar(select(func.min(Job.created_at)).where(Job.state == state))
            for state in WAITING
            if by_state.get(state)
        ]
    oldest = [first for first in firsts if first is not None]
    return JobCounts(by_state=by_state, oldest_waiting=min(oldest) if oldest else None)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
