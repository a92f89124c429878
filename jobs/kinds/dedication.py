"""The dedication notice job: a short email to the person a donor named ("in memory of
Grace Hopper": tell her family), saying who gave and in whose name, never the amount.

Like a receipt: email has no idempotency, so the sent-marker is checked first and the
notice is delivered at least once; its Message-ID is stable, so a repeat is recognisable.
It goes only for an approved or recorded gift, and an anonymous donor stays anonymous.
A gift taken in training mode is marked "TRAINING — not a real gift", like its receipt.
"""

from __future__ import annotations

import logging

from pos_app.domain.donor import email_error
from pos_app.domain.states import DonationState
from pos_app.receipts.message import OutgoingEmail
from pos_app.store.models import Donation

from ..errors import JobPermanent
from ..ledger import Work
from ..records import JobState
from ..registry import JobKindSpec, register
from .email import EmailJob

log = logging.getLogger(__name__)

NAME = "dedication"


def wants_notice(donation: Donation) -> bool:
    """A gift with a dedication and an address to tell, once it is taken."""
    return bool(
        donation.dedication_kind
        and (donation.dedication_email or "").strip()
        and donation.state in (DonationState.APPROVED.value, DonationState.RECORDED.value)
    )


class DedicationNoticeJob(EmailJob):
    what, crash_prefix = "dedication notice", "notice"

    def compose(self, work: Work) -> OutgoingEmail:
        settings = self.settings()
        with self.db.session() as s:
            d = s.get(Donation, work.donation_id)
            if d is None:
                raise JobPermanent("The gift for this notice is missing.", work.donation_id)
            if not wants_notice(d):
                raise JobPermanent(
                    "This gift has no dedication to announce (or is not taken).",
                    f"donation state {d.state}",
                    fix="discard",
                )
            to_email = (d.dedication_email or "").strip()
            from pos_app.receipts.render import NoticeData, render_notice  # jinja2: when used

            data = NoticeData(
                donor_name=d.donor_name,
                dedication_kind=d.dedication_kind or "honour",
                dedication_name=d.dedication_name or "",
                org_name=settings.organization.name,
                event_name=d.event_name or settings.event.name,  # as when it was taken
                anonymous=bool(d.anonymous),
                language=d.receipt_language or "en",
                training=self.taken_in_training(d),
            )
            donation_id = d.id
        problem = email_error(to_email)
        if problem:
            raise JobPermanent(
                f"The dedication notice can't be sent to {to_email!r}: {problem}",
                "invalid recipient address",
                fix="discard",
            )
        return OutgoingEmail.of(
            render_notice(data),
            to_email=to_email,
            to_name="",
            from_email=settings.receipts.sender,
            from_name=settings.organization.name,
            receipt_number=f"notice-{donation_id[:8]}",
            donation_id=donation_id,
            kind="notice",
        )


SPEC = register(
    JobKindSpec(
        name=NAME,
        label="Dedication notice",
        plural="Dedication notices",
        noun=("dedication notice", "dedication notices"),
        doing="sending the dedication notice",
        delivery="at least once",
        follows_gift=lambda donation, _ctx: wants_notice(donation),
        make_body=lambda ctx: DedicationNoticeJob(ctx),
        permanent_fix="",
        state_words={JobState.DONE: "Sent"},
    )
)
