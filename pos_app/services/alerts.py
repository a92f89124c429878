"""Alerts about unfinished work, and what closing the app means for it, in plain words.

Both come from one small snapshot (`pending_work`): three grouped queries on indexed
columns plus the connectivity state, cheap enough to ask for every few seconds.
Thresholds are the `[alerts]` settings; 0 turns an alert off.

`health()` grades the same alerts for IT (`pos-app health`): ok, warning (a lead's alert is
showing) or critical (a limit passed twice over, or a charge answered for another amount).
The three *conditions* that page people by email (`CONDITIONS`: backlog, oldest waiting,
needs attention) are keys of the same alerts, so the window, the health line and the alert
emails can never disagree about what is past its limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from jobs import registry
from jobs.kinds import receipt
from jobs.records import UNFINISHED, JobState, JobSummary
from pos_app.central.push import EventTotals
from pos_app.domain.states import DonationState, RefundState
from pos_app.settings import Alerts
from pos_app.store.database import Database
from pos_app.store.models import Donation, Job, Refund

from .records import Alert
from .totals import BEING_CHECKED

WAITING = tuple(state.value for state in UNFINISHED)
NEEDS_ATTENTION = JobState.NEEDS_ATTENTION.value
RETRYING = JobState.RETRY_SCHEDULED.value
CONDITIONS = ("backlog", "oldest", "needs_attention")  # what alert emails are sent about
# With a central store, tables that stopped being heard from page people too (`silent`).
# One station judges it, not all: the one with the smallest stable id among those the
# centre heard from lately, so a silent table is mailed about once, not once per table.
STALE_VIEW = dt.timedelta(minutes=3)  # older totals: this station is the one cut off
LEVELS = ("ok", "warning", "critical")  # pos-app health's exit code is the index


@dataclass(frozen=True)
class PendingWork:
    waiting: dict[str, int] = field(default_factory=dict)  # job kind -> queued/running/retry
    needs_attention: int = 0
    oldest_waiting: dt.datetime | None = None  # created_at of the oldest waiting job
    attention_since: dt.datetime | None = None  # the oldest needs-attention job's last change
    charges_in_doubt: int = 0
    refunds_in_doubt: int = 0
    mismatched: int = 0  # the processor answered for another amount or gift: a person checks
    # jobs waiting to retry after a network failure: what the jobs themselves experience of
    # the network, readable from another process (the window's probe is in its memory)
    retrying_offline: int = 0

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
        retrying_offline = s.scalar(
            select(func.count()).where(Job.state == RETRYING, Job.error_kind == "transient")
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
        retrying_offline=int(retrying_offline or 0),
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


@dataclass(frozen=True)
class Health:
    """The station's health in one line, for IT's monitoring (`pos-app health`)."""

    level: str  # ok | warning | critical
    backlog: int  # jobs waiting (queued, running, retrying)
    oldest_waiting_minutes: int | None  # None: nothing waits
    needs_attention: int
    online: bool
    sync_enabled: bool  # a central store is set ([central] url)
    sync_lag_seconds: int | None  # since the last share while changes wait; None: never
    sync_pending: int  # changes not yet shared
    alerts: tuple[Alert, ...]

    @property
    def exit_code(self) -> int:
        return LEVELS.index(self.level)

    def line(self) -> str:
        oldest = self.oldest_waiting_minutes
        parts = [
            self.level.upper(),
            f"backlog {self.backlog}",
            f"oldest waiting {'-' if oldest is None else f'{oldest} min'}",
            f"needs attention {self.needs_attention}",
            "online" if self.online else "offline",
        ]
        if self.sync_enabled:
            lag = self.sync_lag_seconds
            parts.append(
                f"sync lag {lag // 60} min ({self.sync_pending} not shared)" if lag is not None
                else f"sync: {self.sync_pending} not shared yet"
            )
        text = " · ".join(parts)
        lead = [a.message for a in self.alerts if a.audience == "lead"]
        return f"{text}: {'; '.join(lead)}" if lead else text


def health(
    work: PendingWork,
    found: list[Alert],
    limits: Alerts,
    *,
    online: bool,
    sync_enabled: bool = False,
    sync_lag: dt.timedelta | None = None,
    sync_pending: int = 0,
    sync_problem: bool = False,
    now: dt.datetime | None = None,
) -> Health:
    """Grade `found` (this station's `alerts()`): warning when the lead has an alert (or
    sharing with the centre needs a person), critical when a limit is passed twice over or
    a charge was answered for another amount. Offline alone is no alert: gifts still work."""
    now = now or dt.datetime.now(dt.UTC)
    oldest = (
        None if work.oldest_waiting is None
        else max(int((now - work.oldest_waiting).total_seconds() // 60), 0)
    )
    level = "warning" if sync_problem or any(a.audience == "lead" for a in found) else "ok"
    twice = (
        (limits.backlog and work.waiting_total >= 2 * limits.backlog)
        or (limits.oldest_minutes and oldest is not None and oldest >= 2 * limits.oldest_minutes)
        or (limits.needs_attention and work.needs_attention >= 2 * limits.needs_attention)
    )
    if twice or work.mismatched:
        level = "critical"
    lag = None if sync_lag is None else max(int(sync_lag.total_seconds()), 0)
    return Health(level, work.waiting_total, oldest, work.needs_attention, online,
                  sync_enabled, lag, sync_pending, tuple(found))


def silent_tables(
    event: EventTotals | None, me: str, limit_minutes: int, now: dt.datetime | None = None
) -> Alert | None:
    """Tables the centre hasn't heard from for `limit_minutes` (`[alerts] silent_minutes`),
    judged from the event totals this station last read (its sync job reads them every
    minute). None when off, when this station's own view is stale (then it is the one cut
    off, and can't judge the others), or when another live table is the judge."""
    now = now or dt.datetime.now(dt.UTC)
    if not limit_minutes or event is None or now - event.as_of > STALE_VIEW:
        return None
    limit = dt.timedelta(minutes=limit_minutes)
    heard = [(h, dt.datetime.fromisoformat(h.last_heard)) for h in event.stations
             if h.last_heard]  # fmt: skip
    alive = sorted([h.station_id for h, at in heard if now - at < limit] + [me])
    if alive[0] != me:
        return None
    silent = sorted((at, h.name) for h, at in heard if now - at >= limit and h.station_id != me)
    if not silent:
        return None
    names = _and([f"{name} (since {_clock(at)})" for at, name in silent])
    verb = "hasn't" if len(silent) == 1 else "haven't"
    return Alert("warning", "lead", f"{names} {verb} been heard from", silent[0][0], "silent")


def over_limit(found: list[Alert]) -> dict[str, str]:
    """The alert-email conditions past their limits now: key -> the alert's words."""
    return {a.key: a.message for a in found if a.key in (*CONDITIONS, "silent")}


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
