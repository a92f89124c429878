"""What every emailing job kind shares: delivered at least once, never silently twice.

Email APIs have no idempotency keys. So the sent-marker is checked first (a job whose email
went out but whose ledger row wasn't finished is just finished), the email carries a stable
Message-ID, and the row is marked sent in the transaction right after the hand-over. A kind
says only what to send (`compose`); a kill between the send and the mark resends once.
A gift taken in training mode is said to be one (`taken_in_training`), in every email.
"""

from __future__ import annotations

import logging

from pos_app.faults import crashpoint
from pos_app.payments import registry
from pos_app.payments.registry import Capability
from pos_app.receipts.message import OutgoingEmail
from pos_app.store.models import Donation

from ..context import JobContext
from ..ledger import Work

log = logging.getLogger(__name__)


class EmailJob:
    what = "email"  # in the log line: "receipt R-00001 sent via smtp"
    crash_prefix = "email"  # crash points <prefix>_before_send / _after_send (tests kill there)

    def __init__(self, ctx: JobContext) -> None:
        self.db, self.ledger, self.sender, self.settings = (
            ctx.db, ctx.ledger, ctx.sender, ctx.settings
        )
        self.processor = ctx.processor

    def taken_in_training(self, donation: Donation) -> bool:
        """A card gift by the processor it was charged with (a training gift still queued
        when the station went live stays training); cash and check by the station's."""
        if donation.processor:
            try:
                return registry.get(donation.processor).training
            except registry.UnknownProcessor:
                pass  # a processor handed in by an integrator or a test: the station's says
        return Capability.SIMULATED in self.processor.capabilities

    def compose(self, work: Work) -> OutgoingEmail:
        """Read the gift and the settings as they are now; raise JobPermanent for what only
        a person can fix (a missing gift, a bad address)."""
        raise NotImplementedError

    def __call__(self, work: Work) -> str:
        if work.sent_at is not None:  # the sent-marker: already handed over
            self.ledger.mark_done(work.id)
            return work.result_ref or ""
        email = self.compose(work)
        crashpoint(f"{self.crash_prefix}_before_send")
        ref = self.sender.send(email)
        crashpoint(f"{self.crash_prefix}_after_send")
        self.ledger.mark_done(work.id, ref, sent=True)
        log.info("job %s: %s %s sent via %s", work.id, self.what, email.receipt_number,
                 self.sender.name)
        return ref
