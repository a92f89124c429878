"""The composition root: every part of a station, built once, in order, and wired here only.

`build()` is the one place that knows which service needs which: the data dir's lock, the
logs, the database and its change feed, the live settings, the processor (by its registered
spec), the services, the job system, the card reader, and the background work (one home,
pos_app/background.py). `api.Station` is the thin facade over the `Parts` it returns.
A failure part-way releases what was already taken (the lock, the database), innermost
first, and becomes a plain StartupError where one applies.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from jobs.kinds import pay_link, pledge_charge
from jobs.kinds.alert_email import Watch as AlertWatch
from jobs.system import JobSystem
from pos_app import station_lock
from pos_app.background import Background
from pos_app.central.station import CentralSync, central_target
from pos_app.changes import Change, ChangeFeed, Topic
from pos_app.domain.gift import FeeRule
from pos_app.logs import setup_logging
from pos_app.paths import DataPaths
from pos_app.payments import registry
from pos_app.payments.base import Processor
from pos_app.payments.card_present import HasCardReader
from pos_app.payments.registry import Capability
from pos_app.receipts.senders import Sender, make_sender
from pos_app.services.check_in import AttendeeService
from pos_app.services.donations import DonationService
from pos_app.services.event_settings import LiveSettings, station_id
from pos_app.services.export import clean_export_leftovers
from pos_app.services.give_again import GiveAgainService
from pos_app.services.jobs import JobService
from pos_app.services.lead_pin import LeadPinService
from pos_app.services.paddle_raise import PaddleRaiseService
from pos_app.services.pledge_charges import PledgeCharges
from pos_app.services.pledge_links import PledgeLinkService
from pos_app.services.reader import ReaderService
from pos_app.services.refunds import RefundService
from pos_app.settings import Settings
from pos_app.startup import explain
from pos_app.store.database import Database

log = logging.getLogger(__name__)

SETTLE_INTERVAL_S = 5.0


@dataclass
class Parts:
    paths: DataPaths
    lock: station_lock.StationLock | None  # None: a read-only command beside the window
    beside_window: bool
    log_file: Path | None
    db: Database
    changes: ChangeFeed
    live: LiveSettings
    station_id: str
    processor: Processor
    sender: Sender
    donations_service: DonationService
    jobs_system: JobSystem
    jobs_service: JobService
    give_again_service: GiveAgainService
    refunds_service: RefundService
    lead_pin: LeadPinService
    reader_service: ReaderService | None
    attendees_service: AttendeeService
    paddle_raise_service: PaddleRaiseService
    pledge_charges: PledgeCharges
    pledge_links: PledgeLinkService
    background: Background
    central_sync: CentralSync
    settle_interval: float = SETTLE_INTERVAL_S

    def close(self) -> None:
        """Stop everything, then let go of it; the lock goes last."""
        try:
            self.background.close()
            self.central_sync.close()  # the event watcher, when a screen left it running
            self.jobs_system.close()
            self.donations_service.forget_card(None)
            self.processor.close()
            self.db.close()
        finally:
            if self.lock is not None:
                self.lock.release()


def make_processor(settings: Settings) -> Processor:
    """The configured processor, built by its registered spec (pos_app/payments/)."""
    from pos_app.secrets import get_secret

    return registry.get(settings.payments.provider).factory(settings, get_secret)


def probe_targets(processor: Processor, sender: Sender) -> list[tuple[str, int]]:
    """Hosts the background jobs talk to: what the connectivity probe knocks on."""
    targets = [sender.endpoint] if sender.endpoint else []
    return targets + registry.get(processor.name).hosts(processor)


def make_reader_service(
    processor: Processor, donations: DonationService, settings: Settings
) -> ReaderService | None:
    """The reader to take cards on, for a processor declaring one (Capability.READER):
    Stripe Terminal's smart reader, or the simulator's own in training mode."""
    if Capability.READER not in processor.capabilities:
        return None
    p = settings.payments
    reader = cast(HasCardReader, processor).card_reader()
    service = ReaderService(
        donations,
        reader,
        reader_timeout=p.reader_timeout,
        poll_s=p.reader_poll,
        call_timeout=min(p.timeout, 10.0),
        save_cards=Capability.SAVE_CARD in processor.capabilities,
    )
    donations.settle_reader = service.settle_one
    return service


def build(
    settings: Settings,
    paths: DataPaths,
    processor: Processor | None = None,
    sender: Sender | None = None,
    *,
    role: str = station_lock.API,
    read_only: bool = False,
) -> Parts:
    """Raises StationBusy when another Tableside has the data dir, and a plain StartupError
    (message, fix, folder) for every other start-up failure. With `read_only` (the
    `pos-app jobs` and `export` commands) a running window is no obstacle: the station
    then reads beside it, never migrating or rebuilding."""
    with ExitStack() as undo:
        try:
            parts = _build(undo, settings, paths, processor, sender, role, read_only)
        except BaseException as exc:
            undo.close()
            plain = explain(exc, paths.data_dir, paths.db_file)
            if plain is None or plain is exc:
                raise
            raise plain from exc
        undo.pop_all()  # built: the parts now own what they hold
        return parts


def _build(
    undo: ExitStack,
    settings: Settings,
    paths: DataPaths,
    processor: Processor | None,
    sender: Sender | None,
    role: str,
    read_only: bool,
) -> Parts:
    paths.ensure()
    lock: station_lock.StationLock | None = None
    try:
        lock = station_lock.StationLock.acquire(
            paths.data_dir,
            station_lock.COMMAND if read_only else role,
            wait_s=0.0 if read_only else station_lock.COMMAND_WAIT_S,
        )
        undo.callback(lock.release)
    except station_lock.StationBusy:
        if not read_only:
            raise
    beside_window = lock is None  # the window migrated the DB and owns the queue
    log_file = setup_logging(paths.log_dir)
    for leftover in clean_export_leftovers(paths.data_dir):
        log.info("removed the temp file of an interrupted export: %s", leftover)
    db = Database(paths.db_file, migrate=not beside_window)
    undo.callback(db.close)
    # Every committed write is announced to whoever shows data (pos_app/changes.py).
    changes = ChangeFeed()
    db.on_commit = changes.tables_written
    live = LiveSettings(db, settings, changes)
    settings = live()
    processor = processor or make_processor(settings)
    sender = sender or make_sender(settings.receipts, paths.outbox_dir)
    the_id = station_id(db, create=not beside_window) or ""

    donations = DonationService(
        db,
        processor,
        currency=settings.payments.currency,
        event=lambda: live().event,
        max_amount_cents=settings.payments.max_amount * 100,
    )
    donations.fee_rule = FeeRule(settings.fees.percent, round(settings.fees.fixed * 100))
    donations.save_card_default = lambda: live().payments.save_cards_default
    jobs_system = JobSystem(
        db,
        paths.queue_file,
        live,
        processor,
        sender,
        station_id=the_id,
        probe_targets=probe_targets(processor, sender) + central_target(settings),
        recover_queue=not beside_window,
        on_network=lambda _online: changes.publish(Change.of(Topic.NETWORK)),
    )
    jobs = JobService(db, jobs_system)
    # The transactional outbox: ledger rows commit with the gift, then go to Huey.
    donations.on_recorded = jobs_system.on_recorded
    donations.after_commit = jobs_system.after_commit
    refunds = RefundService(db, processor)
    refunds.on_reversed = jobs.discard_unstarted  # a refunded gift gets no receipt
    # The gala: check-in keeps cards on file; a pledge on one is charged by its job.
    attendees = AttendeeService(db, processor)
    paddle_raises = PaddleRaiseService(db, donations, jobs_system.ledger,
                                       jobs_system.after_commit)
    charges = PledgeCharges(db, donations, jobs_system.ledger, jobs_system.after_commit)
    donations.on_settled = charges.follow_gift  # a pledge follows its gift's answer
    attendees.on_card_saved = charges.card_on_file_changed  # declined ones go again
    jobs_system.context.services[pledge_charge.SERVICE] = charges
    # Pledges paid by a link: its job makes and emails it; a loop reads the links back.
    pledge_links = PledgeLinkService(db, donations, jobs_system.ledger,
                                     jobs_system.after_commit, jobs_system.context)
    jobs_system.context.services[pay_link.SERVICE] = pledge_links
    parts = Parts(
        paths=paths,
        lock=lock,
        beside_window=beside_window,
        log_file=log_file,
        db=db,
        changes=changes,
        live=live,
        station_id=the_id,
        processor=processor,
        sender=sender,
        donations_service=donations,
        jobs_system=jobs_system,
        jobs_service=jobs,
        give_again_service=GiveAgainService(donations),
        refunds_service=refunds,
        lead_pin=LeadPinService(db),
        reader_service=make_reader_service(processor, donations, settings),
        attendees_service=attendees,
        paddle_raise_service=paddle_raises,
        pledge_charges=charges,
        pledge_links=pledge_links,
        background=Background(),
        central_sync=CentralSync(db, jobs_system, live, changes),
    )
    attendees.reader_service = parts.reader_service  # check-in keeps cards from it too
    parts.background.add_service(jobs_system)
    if not beside_window:
        # Sharing with the central store (pos_app/central/): a commit that touches gifts or
        # jobs pokes the arming loop, which queues the standing sync job when the outbox
        # holds changes (and looks every second for writes another process made). Without
        # a [central] url both do nothing. The loop's step waits for the poke itself.
        changes.subscribe(parts.central_sync.on_change)
        parts.background.every("central-sync", lambda: 0.0, parts.central_sync.step)
    parts.background.every("settler", lambda: parts.settle_interval, Settler(parts).step)
    parts.background.every("pay-link-watch", lambda: pledge_links.interval,
                           pledge_links.watch_step)
    # Alert emails (jobs/kinds/alert_email.py): the [alerts] conditions, looked at often.
    watch = AlertWatch(db, jobs_system, live, parts.central_sync.silent_alert)
    parts.background.every("alert-watch", lambda: watch.interval, watch.step)
    log.info(
        "station open: %s, processor %s, data %s",
        settings.event.station,
        processor.name,
        paths.data_dir,
    )
    return parts


class Settler:
    """The settle loop's step: replay every charge and refund not settled yet, on every
    pass — in doubt, and also left mid-charge (`charging`) or mid-refund: by a crash, or
    by a write that failed after the processor answered (a full disk), which must settle
    as soon as it can be written, not at the next start. A gift this process is charging
    right now is claimed (services/replay.py) and skipped."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts

    def step(self, _n: int) -> None:
        try:
            self.parts.donations_service.settle(include_charging=True)
        except Exception:  # keep the loop alive; the next pass tries again
            log.exception("settling charges in doubt failed")
        try:
            self.parts.refunds_service.settle(include_refunding=True)
        except Exception:
            log.exception("settling refunds in doubt failed")
        try:
            self.parts.attendees_service.settle()  # cards on file left mid-setup
            self.parts.pledge_charges.recharge_declined()  # another card on file
        except Exception:
            log.exception("settling cards on file failed")
