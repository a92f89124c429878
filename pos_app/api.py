"""The stable facade: what the GUI, integrators and tests use, with no Qt.

    with open_station() as station:
        outcome = station.take_card_donation(5000, Donor("Ada", "ada@example.org"),
                                             Card("4242424242424242", 12, 2030, "123"))

`Outcome.status` is approved | declined | in_doubt | failed | recorded ("failed" means
certainly not charged). Invalid input raises `InvalidDonation` with per-field messages.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from jobs.records import JobRecord, JobSummary
from jobs.system import JobSystem
from pos_app.domain.cards import Card
from pos_app.domain.donor import Donor
from pos_app.paths import DataPaths
from pos_app.payments.base import Processor
from pos_app.receipts.senders import Sender, make_sender
from pos_app.services.donations import DonationService
from pos_app.services.jobs import JobService
from pos_app.services.records import DonationRecord, InvalidDonation, Outcome, Totals
from pos_app.services.totals import event_totals
from pos_app.settings import ConfigError, Settings, load_settings
from pos_app.store.database import Database

__all__ = [
    "Card",
    "ConfigError",
    "DonationRecord",
    "Donor",
    "InvalidDonation",
    "JobRecord",
    "JobSummary",
    "Outcome",
    "Station",
    "Totals",
    "open_station",
]

log = logging.getLogger(__name__)

SETTLE_INTERVAL_S = 5.0


def make_processor(settings: Settings) -> Processor:
    p = settings.payments
    if p.provider == "simulator":
        from pos_app.payments.simulator import SimulatorProcessor

        return SimulatorProcessor(latency_ms=p.simulator_latency_ms)
    from pos_app.payments.stripe import StripeProcessor
    from pos_app.secrets import STRIPE_SECRET_KEY, get_secret

    return StripeProcessor(get_secret(STRIPE_SECRET_KEY), api_base=p.api_base, timeout=p.timeout)


def probe_targets(processor: Processor, sender: Sender) -> list[tuple[str, int]]:
    """Hosts the background jobs talk to: what the connectivity probe knocks on."""
    from urllib.parse import urlsplit

    targets = []
    if sender.endpoint:
        targets.append(sender.endpoint)
    base = getattr(processor, "api_base", None)
    parts = urlsplit(base) if isinstance(base, str) else None
    if parts is not None and parts.hostname:
        default_port = 443 if parts.scheme == "https" else 80
        targets.append((parts.hostname, parts.port or default_port))
    return targets


class Station:
    """One laptop's till: the database, the processor, and the background work."""

    def __init__(
        self,
        settings: Settings,
        paths: DataPaths,
        processor: Processor | None = None,
        sender: Sender | None = None,
    ) -> None:
        from pos_app.logs import setup_logging

        self.settings = settings
        self.paths = paths
        paths.ensure()
        self.log_file = setup_logging(paths.log_dir)
        self.db = Database(paths.db_file)
        self.processor = processor or make_processor(settings)
        self.donations_service = DonationService(
            self.db,
            self.processor,
            currency=settings.payments.currency,
            station=settings.event.station,
            max_amount_cents=settings.payments.max_amount * 100,
        )
        self.settle_interval = SETTLE_INTERVAL_S
        self.sender = sender or make_sender(settings.receipts, paths.outbox_dir)
        self.jobs_system = JobSystem(
            self.db,
            paths.queue_file,
            settings,
            self.processor,
            self.sender,
            probe_targets=probe_targets(self.processor, self.sender),
        )
        self.jobs_service = JobService(self.db, self.jobs_system)
        # The transactional outbox: ledger rows commit with the gift, then go to Huey.
        self.donations_service.on_recorded = self.jobs_system.on_recorded
        self.donations_service.after_commit = self.jobs_system.after_commit
        self._stop = threading.Event()
        self._settler: threading.Thread | None = None
        log.info(
            "station open: %s, processor %s, data %s",
            settings.event.station,
            self.processor.name,
            paths.data_dir,
        )

    # ---- context manager ----
    def __enter__(self) -> Station:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def training(self) -> bool:
        return self.processor.name == "simulator"

    # ---- taking donations ----
    def take_card_donation(self, amount_cents: int, donor: Donor, card: Card) -> Outcome:
        return self.donations_service.take_card(amount_cents, donor, card)

    def retry_charge(self, donation_id: str) -> Outcome:
        return self.donations_service.retry(donation_id)

    def forget_card(self, donation_id: str | None = None) -> None:
        self.donations_service.forget_card(donation_id)

    def record_donation(
        self, amount_cents: int, donor: Donor, method: str, check_number: str = ""
    ) -> Outcome:
        return self.donations_service.record(amount_cents, donor, method, check_number)

    def validate(self, amount_cents: int, donor: Donor, card: Card | None = None) -> None:
        self.donations_service.validate(amount_cents, donor, card)

    def settle_in_doubt(self, *, include_charging: bool = False) -> list[Outcome]:
        """Replay unsettled charges; at start-up include rows a crash left in `charging`."""
        return self.donations_service.settle(include_charging=include_charging)

    # ---- reading ----
    def donations(self) -> list[DonationRecord]:
        return self.donations_service.list()

    def donation(self, donation_id: str) -> DonationRecord:
        return self.donations_service.get(donation_id)

    def outcome(self, donation_id: str) -> Outcome:
        """The donation's result as the volunteer should hear it now (e.g. once settled)."""
        return self.donations_service.outcome_of(donation_id)

    # ---- background jobs (save card, receipt) ----
    def jobs(self, donation_id: str | None = None) -> list[JobRecord]:
        """The job ledger, oldest first: what is waiting, retrying, failed and why."""
        return self.jobs_service.list(donation_id)

    def job(self, job_id: str) -> JobRecord:
        return self.jobs_service.get(job_id)

    def job_summary(self) -> JobSummary:
        """Online/offline and job counts for the status bar; one small query."""
        return self.jobs_service.summary()

    def retry_job(self, job_id: str) -> JobRecord:
        """Run a job again now (needs attention, waiting to retry, or discarded)."""
        return self.jobs_service.retry(job_id)

    def discard_job(self, job_id: str, reason: str) -> JobRecord:
        return self.jobs_service.discard(job_id, reason)

    def update_donor_email(self, donation_id: str, email: str) -> list[JobRecord]:
        """Correct a donor's email and (re)send the receipt, same receipt number."""
        return self.jobs_service.update_donor_email(donation_id, email)

    def totals(self) -> Totals:
        return event_totals(self.db, self.settings.event.goal)

    # ---- background work ----
    def start_jobs(self) -> None:
        """Start background work: settle what a crash left and keep settling; run jobs."""
        self.jobs_system.start()
        if self._settler is not None:
            return
        self._stop.clear()
        self._settler = threading.Thread(target=self._settle_loop, name="settler", daemon=True)
        self._settler.start()

    def stop_jobs(self, timeout: float = 10.0) -> None:
        """Stop within about `timeout` s; a job still running is run again at next start."""
        self._stop.set()
        if self._settler is not None:
            self._settler.join(timeout)
            self._settler = None
        self.jobs_system.stop(timeout=min(timeout, 5.0))

    def _settle_loop(self) -> None:
        include_charging = True
        while not self._stop.is_set():
            try:
                self.settle_in_doubt(include_charging=include_charging)
                include_charging = False
            except Exception:  # keep the loop alive; the next pass tries again
                log.exception("settling charges in doubt failed")
            self._stop.wait(self.settle_interval)

    def close(self) -> None:
        self.stop_jobs()
        self.jobs_system.close()
        self.forget_card()
        self.processor.close()
        self.db.close()
        log.info("station closed")


def open_station(
    config_path: str | Path | None = None,
    *,
    data_dir: str | Path | None = None,
    processor: Processor | None = None,
    sender: Sender | None = None,
) -> Station:
    """Open this laptop's station. Raises ConfigError for an unusable config."""
    settings = load_settings(config_path)
    return Station(settings, DataPaths.resolve(data_dir), processor=processor, sender=sender)
