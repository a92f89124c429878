"""The station's sharing as the facade sees it: arm the standing sync job when the outbox
has markers, share now, say how sharing stands, and read the event's totals (live, or the
last ones read while the centre can't be reached).

No Qt. Built by the composition root, which subscribes `on_change` to the change feed (it
only pokes) and runs `step` as a background loop that does the arming. With no
`[central] url` every method is a cheap no-op and the station works alone.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from jobs.errors import JobPermanent
from jobs.kinds import sync as sync_kind
from jobs.records import JobState
from jobs.system import JobSystem
from pos_app.changes import Change, ChangeFeed, Topic
from pos_app.domain.donor import email_error
from pos_app.services.records import Alert, InvalidDonation
from pos_app.settings import Settings
from pos_app.store.database import Database
from pos_app.store.models import StationIdentity

from .connect import CentralError, parse_url
from .listen import CentralWatcher
from .outbox import Outbox
from .push import EventTotals, Login, RemoteJob, read_attention, read_totals, send_correction

log = logging.getLogger(__name__)

# The arming loop looks at the outbox at least this often (writes another process made)
# and at once when a commit here touched gifts or jobs; the committing thread (a donor's
# gift being recorded) only sets an event, so sharing never adds to anyone's wait.
ARM_WAIT_S = 1.0
# An idle station still says it is alive, and picks up the fixes leads made to its gifts.
HEARTBEAT_S = 60.0


@dataclass(frozen=True)
class SyncStatus:
    enabled: bool  # a central store is set ([central] url)
    pending: int  # changes not yet shared
    last_shared_at: dt.datetime | None
    last_error: str | None  # plain words, with the fix
    online: bool  # the last attempt reached the centre (True until one didn't)
    state: str | None  # the standing sync job's ledger state, None before the first


@dataclass(frozen=True)
class EventAttention:
    """What needs a person at every station, as the centre last heard. `lead` False: this
    station's login reads totals only (`jobs` is then empty; IT adds a lead's login with
    `pos-app central add-station NAME --lead`)."""

    lead: bool
    jobs: list[RemoteJob]
    as_of: dt.datetime


def central_target(settings: Settings) -> list[tuple[str, int]]:
    """The centre's host for the connectivity probe (woken retries when it is back)."""
    if not settings.central.enabled:
        return []
    target = parse_url(settings.central.url)
    return [] if target.host.startswith("/") else [(target.host, target.port)]


class CentralSync:
    def __init__(
        self,
        db: Database,
        jobs: JobSystem,
        settings: Callable[[], Settings],
        changes: ChangeFeed | None = None,
    ) -> None:
        self.db = db
        self.jobs = jobs
        self.settings = settings
        self.changes = changes
        self._followers = 0
        self._follow_lock = threading.Lock()
        self._watcher: CentralWatcher | None = None
        self.outbox = Outbox(db)
        self._poke = threading.Event()
        self.heartbeat_s = HEARTBEAT_S
        self._beat_at = time.monotonic()

    @property
    def enabled(self) -> bool:
        return self.settings().central.enabled

    # ---- arming -----------------------------------------------------------------------
    def on_change(self, change: Change) -> None:
        """The change feed's subscriber: after a commit that touched gifts or jobs."""
        if Topic.GIFT in change or Topic.JOB in change:
            self._poke.set()

    def step(self, n: int) -> None:
        """The arming loop's pass (pos_app/background.py, on its own thread): wait for a
        poke or ARM_WAIT_S, then arm if there is something to share; a heartbeat now and
        then (and at start, pass 0)."""
        self._poke.wait(ARM_WAIT_S)
        self._poke.clear()
        beat = n == 0 or time.monotonic() - self._beat_at >= self.heartbeat_s
        if self.arm(beat=beat) is not None or beat:
            self._beat_at = time.monotonic()

    def arm(self, *, beat: bool = False) -> str | None:
        """Queue the standing sync job if there is something to share (or for a
        heartbeat); returns its id when it was queued (and hands it to Huey)."""
        if not self.enabled:
            return None
        job_id = sync_kind.arm(self.db, beat=beat)
        if job_id is not None:
            self.jobs.after_commit([job_id])
        return job_id

    # ---- the facade -------------------------------------------------------------------
    def sync_now(self) -> SyncStatus:
        """Share now: arm the job, or run again at once one waiting to retry or waiting
        for a person (the lead asked; a permanent problem shows again if not fixed)."""
        if self.enabled and self.arm(beat=True) is None:
            job = sync_kind.standing_job(self.db)
            if job is not None and job.state in (
                JobState.RETRY_SCHEDULED.value, JobState.NEEDS_ATTENTION.value
            ):
                self.jobs.retry(job.id)
        return self.status()

    def status(self) -> SyncStatus:
        enabled = self.enabled
        pending = self.outbox.pending() if enabled else 0
        last_shared, problem = self.outbox.state()
        job = sync_kind.standing_job(self.db)
        online = job is None or not (
            job.state == JobState.RETRY_SCHEDULED.value and job.error_kind == "transient"
        )
        if job is not None and job.state == JobState.NEEDS_ATTENTION.value:
            problem = job.last_error or problem
        return SyncStatus(
            enabled=enabled,
            pending=pending,
            last_shared_at=last_shared,
            last_error=problem if enabled else None,
            online=online,
            state=job.state if job is not None else None,
        )

    def event_totals(self) -> EventTotals | None:
        """The whole event's totals: live from the centre's views, else the last ones read
        (`live` False, `as_of` when they were true). None without a central store, or when
        it was never reached. Raises CentralError for a permanent problem (refused login)."""
        if not self.enabled:
            return None
        if not self.status().online:
            # The sync job just failed to reach the centre and waits to retry: answer at
            # once with what is known rather than stall a connect timeout. It is live again
            # as soon as a push gets through (the probe wakes the job when the network is).
            return self._last_known()
        try:
            login = sync_kind.login_for(self.settings(), self.db)
        except JobPermanent as exc:  # no password, no stable id yet
            log.info("event totals: no login: %s", exc)
            return self._last_known()
        try:
            totals = read_totals(login)
        except CentralError as exc:
            if exc.kind != "transient":
                raise
            return self._last_known()
        self.outbox.keep_totals(json.dumps(totals.to_json()), totals.as_of)
        return totals

    def watch(self, on_change: Callable[[str], None]) -> CentralWatcher | None:
        """A started watcher calling `on_change(what)` when the event changes at any
        station (LISTEN/NOTIFY, with a slow poll); None without a central store."""
        if not self.enabled:
            return None
        watcher = CentralWatcher(lambda: sync_kind.login_for(self.settings(), self.db),
                                 on_change)
        watcher.start()
        return watcher

    def follow(self) -> Callable[[], None]:
        """Announce the event's changes at every station on this station's change feed
        (Topic.EVENT) while anyone follows: one watcher (one connection) however many
        screens show the event. Returns the call that stops following (safe twice)."""
        with self._follow_lock:
            self._followers += 1
            if self._watcher is None and self.changes is not None:
                feed = self.changes
                self._watcher = self.watch(lambda _what: feed.publish(Change.of(Topic.EVENT)))
        done = threading.Event()

        def unfollow() -> None:
            if done.is_set():
                return
            done.set()
            with self._follow_lock:
                self._followers -= 1
                watcher = self._watcher if self._followers == 0 else None
                if watcher is not None:
                    self._watcher = None
            if watcher is not None:
                watcher.stop()

        return unfollow

    def close(self) -> None:
        with self._follow_lock:
            watcher, self._watcher, self._followers = self._watcher, None, 0
        if watcher is not None:
            watcher.stop()

    # ---- what needs a person at every station, and a lead's fix from here ----
    def _login(self) -> Login:
        try:
            return sync_kind.login_for(self.settings(), self.db)
        except JobPermanent as exc:  # no password, no stable id yet
            raise CentralError("permanent", str(exc), exc.detail, "check_settings") from None

    def attention(self) -> EventAttention | None:
        """Every station's jobs that need a person, live from the centre; None without a
        central store. Raises CentralError (offline: transient)."""
        if not self.enabled:
            return None
        jobs = read_attention(self._login())
        return EventAttention(jobs is not None, jobs or [], dt.datetime.now(dt.UTC))

    def correct_email(self, donation_id: str, email: str) -> None:
        """A lead's email fix for another station's gift, sent through the centre; the
        owning station applies it and sends the receipt again when it next shares.
        Raises InvalidDonation (the address), CentralError."""
        email = email.strip()
        problem = email_error(email) if email else "Enter the donor's email address."
        if problem:
            raise InvalidDonation({"email": problem})
        if not self.enabled:
            raise CentralError("permanent", "No central store is set for this station.")
        send_correction(self._login(), donation_id, "donor_email", email)

    def silent_alert(self, limit_minutes: int) -> Alert | None:
        """The lead's alert for tables the centre stopped hearing from, judged from the
        totals the sync job last read (services/alerts.silent_tables); None without."""
        if not self.enabled or not limit_minutes:
            return None
        from pos_app.services.alerts import silent_tables  # services sit above this

        event = self._last_known()
        with self.db.session() as s:
            ident = s.get(StationIdentity, 1)
        me = ident.station_id if ident else ""
        return silent_tables(event, me, limit_minutes) if me else None

    def _last_known(self) -> EventTotals | None:
        raw, _as_of = self.outbox.last_totals()
        if not raw:
            return None
        return EventTotals.from_json(json.loads(raw), live=False)
