"""Alerts about unfinished work, and what closing the app means for it, in plain words.

Both come from one small snapshot (`pending_work`): three grouped queries on indexed
columns plus the connectivity state, cheap enough to ask for every few seconds.
Thresholds are the `[alerts]` settings; 0 turns an alert off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from jobs import registry
from jobs.kinds import receipt
from jobs.records import UNFINISHED, JobState, JobSummary
from pos_app.domain.states import DonationState, RefundState
from pos_app.settings import Alerts
from pos_app.store.database import Database
from pos_app.store.models import Donation, Job, Refund

from .records import Alert
from .totals import BEING_CHECKED

WAITING = tuple(state.value for state in UNFINISHED)
NEEDS_ATTENTION = JobState.NEEDS_ATTENTION.value


@dataclass(frozen=True)
class PendingWork:
    waiting: dict[str, int] = field(default_factory=dict)  # job kind -> queued/running/retry
    needs_attention: int = 0
    oldest_waiting: dt.datetime | None = None  # created_at of the oldest waiting job
    attention_since: dt.datetime | None = None  # the oldest needs-attention job's last change
    charges_in_doubt: int = 0
    refunds_in_doubt: int = 0
    mismatched: int = 0  # the processor answered for another amount or gift: a person checks

    @property
    def waiting_total(self) -> int:
        return sum(self.waiting.values())


def pending_work(db: Database) -> PendingWork:
    with db.session() as s:
        jobs = s.execute(
            select(Job.kind, Job.state, func.count(), func.min(Job.created_at),
                   func.min(Job.updated_at))
            .where(Job.state.in_((*WAITING, NEEDS_ATTENTION)))
            .group_by(Job.kind, Job.state)
        ).all()
        charges = s.scalar(select(func.count()).where(Donation.state.in_(BEING_CHECKED)))
        mismatched = s.scalar(
            select(func.count()).where(Donation.state == DonationState.MISMATCH.value)
        )
        refunds = s.scalar(
            select(func.count()).where(
                Refund.state.in_((RefundState.REFUNDING.value, RefundState.IN_DOUBT.value))
            )
        )
    waiting: dict[str, int] = {}
    attention = 0
    oldest: dt.datetime | None = None
    attention_since: dt.datetime | None = None
    for kind, state, n, first_created, first_updated in jobs:
        if state == NEEDS_ATTENTION:
            attention += int(n)
            attention_since = _min(attention_since, first_updated)
        else:
            waiting[kind] = waiting.get(kind, 0) + int(n)
            oldest = _min(oldest, first_created)
    return PendingWork(
        waiting=waiting,
        needs_attention=attention,
        oldest_waiting=oldest,
        attention_since=attention_since,
        charges_in_doubt=int(charges or 0),
        refunds_in_doubt=int(refunds or 0),
        mismatched=int(mismatched or 0),
    )


def alerts(
    work: PendingWork,
    summary: JobSummary,
    limits: Alerts,
    *,
    charges_need_network: bool,
    now: dt.datetime | None = None,
) -> list[Alert]:
    """Volunteer banners first, then the lead's alerts."""
    now = now or dt.datetime.now(dt.UTC)
    out: list[Alert] = []
    if not summary.online:
        since = summary.offline_since
        when = f" since {_clock(since)}" if since else ""
        if work.waiting_total:
            what = "Receipts are" if work.waiting.get(receipt.NAME) else "Background jobs are"
            out.append(Alert("info", "volunteer",
                             f"{what} queued — network offline{when}; nothing is lost",
                             since, "offline"))
        elif charges_need_network:
            out.append(Alert("warning", "volunteer",
                             f"Network offline{when}: card gifts can't be charged until it is "
                             "back; cash and checks are fine",
                             since, "offline"))
    if limits.needs_attention and work.needs_attention >= limits.needs_attention:
        n = work.needs_attention
        out.append(Alert("warning", "lead",
                         f"{n} job{'s need' if n != 1 else ' needs'} attention",
                         work.attention_since, "needs_attention"))
    if limits.backlog and work.waiting_total >= limits.backlog:
        out.append(Alert("warning", "lead", f"Backlog of {work.waiting_total} jobs",
                         work.oldest_waiting, "backlog"))
    if limits.oldest_minutes and work.oldest_waiting is not None:
        minutes = int((now - work.oldest_waiting).total_seconds() // 60)
        if minutes >= limits.oldest_minutes:
            out.append(Alert("warning", "lead",
                             f"Oldest waiting job is {minutes} minute{_s(minutes)} old",
                             work.oldest_waiting, "oldest"))
    checking = _checking(work)
    if checking:
        out.append(Alert("warning", "lead", f"{checking} with the processor", None, "in_doubt"))
    if work.mismatched:  # always: money the app can't account for is never below a limit
        n = work.mismatched
        out.append(Alert(
            "warning", "lead",
            f"{_count(n, 'charge', 'charges')} answered for a different amount or gift: check "
            f"{'it' if n == 1 else 'them'} with the processor (event desk, ⚠ Answer didn't match)",
            None, "mismatch",
        ))
    return out


def closing_summary(work: PendingWork) -> str | None:
    """What happens to unfinished work if the app closes now; None when nothing is pending."""
    parts: list[str] = []
    if work.waiting_total:
        things = [
            _count(n, *registry.get(kind).noun)
            for kind, n in sorted(work.waiting.items(), key=_receipts_first)
            if n
        ]
        parts.append(f"{_and(things)} will be finished next time Tableside starts")
    checking = _checking(work)
    if checking:
        parts.append(checking)
    if work.needs_attention:
        n = work.needs_attention
        parts.append(
            f"{_count(n, 'job', 'jobs')} need{'s' if n == 1 else ''} attention and will wait "
            "in the jobs panel"
        )
    if not parts:
        return None
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}."


def _receipts_first(item: tuple[str, int]) -> tuple[bool, str]:
    return item[0] != receipt.NAME, item[0]


# ---- words ----------------------------------------------------------------------------
def _checking(work: PendingWork) -> str:
    things = []
    if work.charges_in_doubt:
        things.append(_count(work.charges_in_doubt, "charge", "charges"))
    if work.refunds_in_doubt:
        things.append(_count(work.refunds_in_doubt, "refund", "refunds"))
    if not things:
        return ""
    one = work.charges_in_doubt + work.refunds_in_doubt == 1
    return f"{_and(things)} {'is' if one else 'are'} still being checked"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _clock(when: dt.datetime) -> str:
    return when.astimezone().strftime("%H:%M")


def _min(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
