"""The sync job: share this station's gifts, refunds and gift jobs with the central store.

One standing job per station, not one per gift. Changes are already recorded where they
happen (the `sync_outbox` markers the SQLite triggers write in the changing transaction,
migration 0011), so a job per gift would only repeat that record and fill the lead's panel
with a second row for every gift. Instead the station owns one ledger row of this kind
(`donation_id` NULL; a partial unique index keeps it one) that is **armed** — created, or
put back to `queued` from done — whenever the outbox holds markers: at once after a commit
that touches gifts or jobs (the change feed pokes the arming loop of
pos_app/central/station.py; the committing thread never waits for it) and every second
for writes another process made (`pos-app jobs retry`), plus a heartbeat every minute.
Arming is one conditional UPDATE, so two armers never queue it twice; a job already
queued, running or waiting to retry needs no arming, and one that needs attention waits
for a person (the lead's Retry, or `Station.sync_now()`).

The body drains the outbox in batches (`[central] batch` rows): each is one PostgreSQL
transaction through the definer function (pos_app/central/push.py), and its markers are
forgotten only after the commit returned. So the ledger gives the sync job what it gives
every job: crash recovery (a `running` row is put back at start), backoff with jitter for
network trouble (transient, never given up, woken when the network is back) and
needs-attention with the fix in words for a refused login, a missing privilege or an old
schema (permanent). The sync job's own state changes are not shared (the outbox triggers
skip station-level jobs), or it would sync itself forever.

Without a `[central] url` nothing is armed and the station works exactly as before.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from pos_app.central.connect import CentralError
from pos_app.central.outbox import Outbox
from pos_app.central.push import (
    Correction,
    Login,
    beat,
    corrections,
    mark_applied,
    push,
    read_totals,
)
from pos_app.domain.donor import email_error
from pos_app.secrets import CENTRAL_PASSWORD, SecretsError, get_secret
from pos_app.settings import Settings
from pos_app.store.database import Database
from pos_app.store.models import Donation, Job, StationIdentity

from ..context import JobContext
from ..errors import JobPermanent
from ..ledger import Work
from ..records import JobState
from ..registry import JobKindSpec, register
from .receipt import after_email_change

log = logging.getLogger(__name__)

NAME = "sync"
MAX_BATCHES_PER_RUN = 50  # then finish and be armed again: other jobs get a worker too
EVENT_READ_S = 55.0  # the event's totals are read again after this (heartbeats: 60 s)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def login_for(settings: Settings, db: Database) -> Login:
    """The station's central login: URL from the settings, password from the keyring, its
    stable id and display name. Raises JobPermanent with the fix."""
    central = settings.central
    if not central.enabled:
        raise JobPermanent(
            "No central store is set for this station ([central] url is empty).",
            "central disabled",
            fix="discard",
        )
    try:
        password = get_secret(CENTRAL_PASSWORD)
    except SecretsError as exc:
        raise JobPermanent(
            f"This station can't log in to the central store: {exc}",
            "central_password missing",
            fix="check_settings",
        ) from None
    with db.session() as s:
        ident = s.get(StationIdentity, 1)
        station_id = ident.station_id if ident else ""
    if not station_id:
        raise JobPermanent("This station has no stable id yet.", "station_identity empty")
    return Login(central.url, password, station_id, settings.event.station)


def needs_attention(db: Database) -> int:
    with db.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Job)
                .where(Job.state == JobState.NEEDS_ATTENTION.value, Job.donation_id.is_not(None))
            )
            or 0
        )


class SyncJob:
    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self.outbox = Outbox(ctx.db)

    def __call__(self, work: Work) -> str:
        settings = self.ctx.settings()
        shared = pushes = 0
        try:
            login = login_for(settings, self.ctx.db)
            for _ in range(MAX_BATCHES_PER_RUN):
                batch = self.outbox.next_batch(settings.central.batch)
                if not batch.markers:
                    break
                left = max(self.outbox.pending() - len(batch.markers), 0)
                if batch.rows:
                    shared += push(login, batch, left_after=left,
                                   attention=needs_attention(self.ctx.db))
                    pushes += 1
                self.outbox.forget(batch.markers, now())  # after PostgreSQL committed
            if not pushes:  # a heartbeat: the centre hears from an idle station too
                beat(login, left=self.outbox.pending(), attention=needs_attention(self.ctx.db))
            self.apply_corrections(login)
            self.keep_event(login)
        except CentralError as exc:
            self.outbox.note_problem(exc.message)
            raise
        except JobPermanent as exc:
            self.outbox.note_problem(exc.message)
            raise
        ref = f"shared {shared} change(s)"
        # Done; a change committed since the last batch re-arms it at once (the done
        # state's own change notice pokes the arming loop, which finds the marker).
        self.ctx.ledger.mark_done(work.id, ref)
        return ref

    def keep_event(self, login: Login) -> None:
        """Read the event's totals and every table's health about once a minute and keep
        them: the desk's "as of 21:48 (offline)" and the silent-table alert (which this
        station may be the one to judge) work from them when no screen is reading. A
        failed read is only logged: what this run shared stays shared."""
        _raw, as_of = self.outbox.last_totals()
        if as_of is not None and now() - as_of < dt.timedelta(seconds=EVENT_READ_S):
            return
        try:
            totals = read_totals(login)
        except CentralError as exc:
            log.info("sync: event totals not read: %s", exc.message)
            return
        self.outbox.keep_totals(json.dumps(totals.to_json()), totals.as_of)

    def apply_corrections(self, login: Login) -> None:
        """Fixes a lead made at any station to this station's gifts (a donor's email):
        applied here as the lead's own fix would be (the receipt goes again, same number),
        then marked applied at the centre. Applying twice changes nothing (an address
        already right re-sends nothing), so a lost "applied" mark is harmless. A receipt
        queued again here is started by the ledger sync ([jobs] sync_interval)."""
        fixes = corrections(login)
        for fix in fixes:
            apply_correction(self.ctx, fix)
        mark_applied(login, [f.id for f in fixes])


def apply_correction(ctx: JobContext, fix: Correction) -> str | None:
    """Apply one correction; returns the receipt job queued again, if any. A fix that
    can't apply (an unknown field, a bad address, a gift this station doesn't have) is
    logged and dropped: the lead's desk checks the address before sending it."""
    value = fix.value.strip()
    if fix.field != "donor_email" or not value or email_error(value):
        log.warning("correction %s to %s not applied: %s %r", fix.id, fix.donation_id,
                    fix.field, value)
        return None
    with ctx.db.session() as s:
        donation = s.get(Donation, fix.donation_id)
        if donation is None or donation.donor_email == value:
            return None
        donation.donor_email = value
        job_id = after_email_change(ctx.ledger, s, donation)
    log.info("correction %s applied to gift %s", fix.id, fix.donation_id)
    return job_id


def arm(db: Database, *, beat: bool = False) -> str | None:
    """Queue the standing sync job if the outbox holds markers and it is idle (done,
    discarded, or not made yet). Returns its id when it was armed (to hand to Huey), else
    None. Never arms a job that needs attention: a person decides that one. `beat`: arm
    it even with nothing to share (the heartbeat, which also pulls a lead's corrections)."""
    if not beat and Outbox(db).pending() == 0:
        return None
    t = now()
    try:
        with db.session() as s:
            job = s.scalar(select(Job).where(Job.kind == NAME, Job.donation_id.is_(None)))
            if job is None:
                job = Job(kind=NAME, donation_id=None, state=JobState.QUEUED.value,
                          attempts=0)
                s.add(job)
                s.flush()
                return job.id
            if job.state not in (JobState.DONE.value, JobState.DISCARDED.value):
                return None  # queued, running or retrying reaches the markers; a person decides
            armed = s.execute(
                update(Job)
                .where(Job.id == job.id,
                       Job.state.in_([JobState.DONE.value, JobState.DISCARDED.value]))
                .values(state=JobState.QUEUED.value, attempts=0, next_attempt_at=None,
                        last_error=None, last_error_detail=None, error_kind=None, fix=None,
                        discard_reason=None, finished_at=None, updated_at=t)
            ).rowcount
            return job.id if armed else None
    except IntegrityError:  # another thread made it first; that one runs it
        return None


def standing_job(db: Database) -> Job | None:
    with db.session() as s:
        return s.scalar(select(Job).where(Job.kind == NAME, Job.donation_id.is_(None)))


SPEC = register(
    JobKindSpec(
        name=NAME,
        label="Sharing",
        plural="Sharing",
        noun=("sharing with the central store", "sharing with the central store"),
        doing="sharing gifts with the central store",
        delivery="exactly once",  # upserts by id and version: a replay changes nothing
        follows_gift=lambda _donation, _ctx: False,  # armed by the outbox, not per gift
        make_body=lambda ctx: SyncJob(ctx),
        permanent_fix="check_settings",
        state_words={JobState.DONE: "Shared"},
    )
)
