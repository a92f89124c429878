"""Alert emails: tell the lead and IT (`[alerts] email_to`) when this station's background
work passes an `[alerts]` limit, and once more when it is back under.

Three conditions page people (`services.alerts.CONDITIONS`: backlog, oldest waiting job,
needs attention), judged by the window's own alert rules, so an email never says what the
window doesn't. `Watch.step` (a background loop, every few seconds while the station runs)
compares them with `alert_state` (migration 0012) and, in ONE transaction, records the
change and the emails it owes (`alert_notices`, one row per address) and arms this kind's
standing job. At most one alert per condition per quiet period (`quiet_minutes`, counted
from the last alert about it): a condition that flaps back on within it is not mailed
again, nor is its all-clear; one that stays on past it is. Every alert mailed gets one
all-clear when the condition clears.

The job is one standing ledger row per station (like the sync job: `donation_id` NULL),
armed when notices wait. It sends each notice through the station's own receipt sender
(outbox, SMTP or SendGrid) and marks it sent right after: at least once, never silently
twice (a kill between the hand-over and the mark sends it once more, with the same
Message-ID). A restart re-sends nothing already marked and forgets no notice owed. The
emails hold counts and the alert's words only: no donor, no card data, no secrets.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.faults import crashpoint
from pos_app.receipts.message import OutgoingEmail
from pos_app.settings import Settings
from pos_app.store.database import Database
from pos_app.store.models import Job, StationIdentity
from pos_app.store.types import UTCDateTime

from ..context import JobContext
from ..ledger import Work
from ..records import JobState
from ..registry import JobKindSpec, register

if TYPE_CHECKING:
    from jobs.system import JobSystem

log = logging.getLogger(__name__)

NAME = "alert_email"
WATCH_S = 5.0  # seconds between looks at the conditions
ALERT, CLEAR = "alert", "clear"
WHAT = {  # a condition in a sentence
    "backlog": "the backlog of waiting jobs",
    "oldest": "the oldest waiting job's age",
    "needs_attention": "the jobs that need attention",
    "silent": "the tables not heard from",
}
WHAT_TO_DO = {  # what the reader of the email does about it
    "silent": "check that table's laptop — is it on, is Tableside open, is its network "
              "up? `pos-app central status` lists when the centre last heard from each "
              "table; the gifts it takes meanwhile are kept there and shared when it is back.",
}
DEFAULT_TO_DO = ("open the lead desk's Jobs tab on that laptop (or run `pos-app jobs` "
                 "there); `pos-app health` shows the station's state in one line.")

_meta = MetaData()
alert_state = Table(
    "alert_state", _meta,
    Column("condition", String(16), primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("notified", Boolean, nullable=False),
    Column("since", UTCDateTime()),
    Column("alerted_at", UTCDateTime()),
    Column("words", Text),
)
alert_notices = Table(
    "alert_notices", _meta,
    Column("id", Integer, primary_key=True),
    Column("condition", String(16), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("to_email", String(320), nullable=False),
    Column("words", Text, nullable=False),
    Column("since", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime()),
    Column("ref", String(255)),
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---- deciding what is owed ------------------------------------------------------------
def record(
    db: Database,
    over: dict[str, str],
    *,
    to: list[str],
    quiet_minutes: int,
    at: dt.datetime | None = None,
) -> str | None:
    """Bring `alert_state` up to `over` (condition -> the alert's words, for those past
    their limits now) and owe the emails that follow, in one transaction; arm the job when
    any notice waits. Returns the job id to hand to the queue, if it was armed."""
    at = at or now()
    quiet = dt.timedelta(minutes=quiet_minutes)
    with db.session() as s:
        known = {r.condition: r for r in s.execute(  # by key: three rows at most
            select(alert_state).where(alert_state.c.condition.in_(tuple(WHAT)))).all()}
        for condition in WHAT:
            row, words = known.get(condition), over.get(condition)
            if words is not None:
                if row is None:
                    s.execute(insert(alert_state).values(
                        condition=condition, active=False, notified=False))
                    row = s.execute(select(alert_state).where(
                        alert_state.c.condition == condition)).one()
                since = row.since if row.active else at
                due = not row.notified and (
                    row.alerted_at is None or at - row.alerted_at >= quiet
                )
                values: dict[str, object] = {"active": True, "since": since, "words": words}
                if due:
                    values.update(notified=True, alerted_at=at)
                    _owe(s, condition, ALERT, words, since, to, at)
                if due or not row.active or row.words != words:  # no write while unchanged
                    s.execute(update(alert_state)
                              .where(alert_state.c.condition == condition).values(**values))
            elif row is not None and row.active:
                if row.notified:
                    _owe(s, condition, CLEAR, row.words or "", row.since, to, at)
                s.execute(update(alert_state).where(alert_state.c.condition == condition)
                          .values(active=False, notified=False))
        if not unsent(s):
            return None
        return _arm(s, at, quiet)


def _owe(s: Session, condition: str, kind: str, words: str, since: dt.datetime | None,
         to: list[str], at: dt.datetime) -> None:
    for address in to:
        s.execute(insert(alert_notices).values(
            condition=condition, kind=kind, to_email=address, words=words, since=since,
            created_at=at))


def unsent(s: Session) -> int:
    return int(s.scalar(
        select(func.count()).select_from(alert_notices).where(alert_notices.c.sent_at.is_(None))
    ) or 0)


def _arm(s: Session, at: dt.datetime, quiet: dt.timedelta) -> str | None:
    """Queue the standing job if it is idle (done, discarded or not made yet); one that
    is queued, running or retrying will reach the new notices. One that needs attention
    (the sender refused: a wrong password, a bad address in `email_to`) is tried again
    once per quiet period as well as by the lead's Retry: what it needs is fixed outside
    it (the config, the keyring), often by IT who never opens the desk, and a parked alert
    job would keep the needs-attention count up until someone did."""
    job = s.scalar(select(Job).where(Job.kind == NAME, Job.donation_id.is_(None)))
    if job is None:
        job = Job(kind=NAME, donation_id=None, state=JobState.QUEUED.value, attempts=0)
        s.add(job)
        s.flush()
        return job.id
    idle_states = (JobState.DONE.value, JobState.DISCARDED.value)
    if job.state not in idle_states and not (
        job.state == JobState.NEEDS_ATTENTION.value and job.updated_at <= at - quiet
    ):
        return None  # busy or parked: no statement, so no change notice every pass
    idle = Job.state.in_(idle_states)
    parked = (Job.state == JobState.NEEDS_ATTENTION.value) & (Job.updated_at <= at - quiet)
    armed = s.execute(
        update(Job)
        .where(Job.id == job.id, idle | parked)
        .values(state=JobState.QUEUED.value, attempts=0, next_attempt_at=None, last_error=None,
                last_error_detail=None, error_kind=None, fix=None, discard_reason=None,
                finished_at=None, updated_at=at)
    ).rowcount
    return job.id if armed else None


class Watch:
    """The background loop's step: read the conditions, record what changed, hand an
    armed job to the queue. Runs only while the station's background work does."""

    def __init__(
        self,
        db: Database,
        jobs: JobSystem,
        settings: Callable[[], Settings],
        silent: Callable[[int], Any] | None = None,
    ) -> None:
        self.db, self.jobs, self.settings = db, jobs, settings
        self.silent = silent  # limit minutes -> the silent-tables Alert or None (central)
        self.interval = WATCH_S

    def step(self, _n: int) -> None:
        from pos_app.services import alerts as rules  # services sit above the job kinds

        settings = self.settings()
        found = rules.alerts(rules.pending_work(self.db), self.jobs.summary(), settings.alerts,
                             charges_need_network=not settings.training)
        if self.silent is not None:
            silent = self.silent(settings.alerts.silent_minutes)
            found += [silent] if silent is not None else []
        try:
            job_id = record(self.db, rules.over_limit(found), to=list(settings.alerts.email_to),
                            quiet_minutes=settings.alerts.quiet_minutes)
        except IntegrityError:  # another writer made the standing job first; it runs it
            return
        if job_id is not None:
            self.jobs.after_commit([job_id])


# ---- sending ----------------------------------------------------------------------------
class AlertEmailJob:
    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx

    def __call__(self, work: Work) -> str:
        sent = 0
        while True:
            with self.ctx.db.session() as s:
                notice = s.execute(select(alert_notices)
                                   .where(alert_notices.c.sent_at.is_(None))
                                   .order_by(alert_notices.c.id).limit(1)).first()
                ident = s.get(StationIdentity, 1)
            if notice is None:
                break
            email = compose(notice, self.ctx.settings(), ident.station_id if ident else "")
            crashpoint("alert_before_send")
            ref = self.ctx.sender.send(email)
            crashpoint("alert_after_send")
            with self.ctx.db.session() as s:
                s.execute(update(alert_notices).where(alert_notices.c.id == notice.id)
                          .values(sent_at=now(), ref=ref[:255]))
            log.info("job %s: alert email %s (%s, %s) sent via %s", work.id, notice.id,
                     notice.condition, notice.kind, self.ctx.sender.name)
            sent += 1
        ref = f"sent {sent} alert email(s)"
        self.ctx.ledger.mark_done(work.id, ref)
        return ref


def compose(notice: Row[Any], settings: Settings, station_id: str) -> OutgoingEmail:
    n = notice  # a row of alert_notices
    station, event = settings.event.station, settings.event.name
    since = f" since {n.since.astimezone().strftime('%H:%M')}" if n.since else ""
    what = WHAT.get(n.condition, n.condition)
    quiet = settings.alerts.quiet_minutes
    if n.kind == ALERT:
        subject = f"Tableside alert — {station}: {n.words}"
        lines = [
            f"{station} at {event} needs a look: {n.words}{since}.",
            "",
            f"What to do: {WHAT_TO_DO.get(n.condition, DEFAULT_TO_DO)}",
            "",
            f"You'll get one email when this clears. Tableside won't email about "
            f"{what} again for at least {quiet} minutes.",
        ]
    else:
        subject = f"Tableside all clear — {station}: {what} is back under its limit"
        lines = [
            f"All clear at {station} ({event}): {what} is back under its limit.",
            f"It was: {n.words}{since}.",
        ]
    text = "\n".join([*lines, "", f"— Tableside at {station}"]) + "\n"
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    return OutgoingEmail(
        to_email=n.to_email,
        to_name="",
        from_email=settings.receipts.sender,
        from_name=f"Tableside at {station}",
        subject=subject,
        text=text,
        html=f"<html><body>{body}</body></html>",
        receipt_number=f"ALERT-{n.id}",
        donation_id=station_id or "station",  # with the number, a stable Message-ID
        kind="alert",
    )


SPEC = register(
    JobKindSpec(
        name=NAME,
        label="Alert email",
        plural="Alert emails",
        noun=("alert email", "alert emails"),
        doing="emailing an alert to the lead and IT",
        delivery="at least once",
        follows_gift=lambda _donation, _ctx: False,  # armed by the alert watch, never per gift
        make_body=lambda ctx: AlertEmailJob(ctx),
        permanent_fix="check_settings",
        state_words={JobState.DONE: "Sent"},
    )
)
