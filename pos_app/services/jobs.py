"""Use-cases on background jobs for the event lead: list, retry, discard, fix an email.

Fixing a donor's email is the usual way out of a receipt stuck in needs-attention: the
address is checked, saved on the gift, and the receipt (same number) is queued again;
a gift that had no email gets its receipt job now.
"""

from __future__ import annotations

import datetime as dt

from jobs.kinds import receipt
from jobs.records import ACTIONABLE, JobRecord, JobSummary
from jobs.system import JobSystem
from pos_app.domain.donor import email_error
from pos_app.store.database import Database
from pos_app.store.models import Donation

from .records import InvalidDonation


class JobService:
    def __init__(self, db: Database, system: JobSystem) -> None:
        self.db = db
        self.system = system

    def list(
        self, donation_id: str | None = None, changed_since: dt.datetime | None = None,
        finished_limit: int | None = None,
    ) -> list[JobRecord]:  # fmt: skip
        return self.system.records(donation_id, changed_since, finished_limit)

    def get(self, job_id: str) -> JobRecord:
        return self.system.record(job_id)

    def summary(self) -> JobSummary:
        return self.system.summary()

    def retry(self, job_id: str) -> JobRecord:
        self.system.retry(job_id)
        return self.get(job_id)

    def discard(self, job_id: str, reason: str) -> JobRecord:
        self.system.discard(job_id, reason)
        return self.get(job_id)

    def discard_unstarted(self, donation_id: str, why: str) -> None:
        """A refunded or voided gift gets no receipt and keeps no saved card."""
        for job in self.list(donation_id):
            if job.state in ACTIONABLE:
                self.system.discard(job.id, why)

    def update_donor_email(self, donation_id: str, email: str) -> list[JobRecord]:
        """Correct the address and (re)send the receipt. Raises InvalidDonation, KeyError."""
        email = email.strip()
        problem = email_error(email) if email else "Enter the donor's email address."
        if problem:
            raise InvalidDonation({"email": problem})
        with self.db.session() as s:
            donation = s.get(Donation, donation_id)
            if donation is None:
                raise KeyError(donation_id)
            donation.donor_email = email
            job_id = receipt.after_email_change(self.system.ledger, s, donation)
        self.system.after_commit([job_id] if job_id else [])
        return self.list(donation_id)
