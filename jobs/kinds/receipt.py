"""The receipt job: email the donor a tax receipt for a taken gift (approved card gift, or
cash/check recorded), numbered when the job is created so a resend keeps its number.

Delivered at least once (kinds/email.py). A bad address waits for the lead ("Save email
and resend": `after_email_change`). A gift taken in training mode (a simulated processor)
gets a receipt marked "TRAINING — not a real receipt" (`taken_in_training`).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.domain.donor import email_error
from pos_app.domain.states import DonationState
from pos_app.receipts.message import OutgoingEmail
from pos_app.store.models import Donation, Job

from ..context import JobContext
from ..errors import JobPermanent
from ..ledger import Ledger, Work
from ..records import JobState
from ..registry import JobKindSpec, register
from .email import EmailJob

log = logging.getLogger(__name__)

NAME = "receipt"
TAKEN = (DonationState.APPROVED.value, DonationState.RECORDED.value)


class ReceiptJob(EmailJob):
    what = crash_prefix = "receipt"

    def compose(self, work: Work) -> OutgoingEmail:
        settings = self.settings()  # as it is now, not as it was at start
        org, event = settings.organization, settings.event
        with self.db.session() as s:
            d = s.get(Donation, work.donation_id)
            if d is None:
                raise JobPermanent("The gift for this receipt is missing.", work.donation_id)
            if d.state not in TAKEN:
                raise JobPermanent(
                    "This gift is not approved, so it gets no receipt.",
                    f"donation state {d.state}",
                    fix="discard",
                )
            to_email, to_name = d.donor_email.strip(), d.donor_name.strip()
            # rendering (jinja2, babel) loads with the first receipt, not at start-up
            from pos_app.receipts.render import ReceiptData, render

            data = ReceiptData(
                receipt_number=work.receipt_number or "",
                donation_id=d.id,
                amount_cents=d.amount_cents,
                currency=d.currency,
                donated_at=d.created_at,
                method=d.method,
                donor_name=to_name,
                donor_email=to_email,
                brand=d.brand,
                last4=d.last4,
                check_number=d.check_number,
                payment_reference=d.payment_intent_id,
                org_name=org.name,
                org_address=org.address,
                tax_id=org.tax_id,
                event_name=d.event_name or event.name,  # as when it was taken
                thanks_text=org.receipt_text,
                # goods belong to the gift that bought them (a ticket); none: nothing was
                # received, whatever the event sells (services/goods.py)
                goods_description=d.goods_description or "",
                goods_value_cents=d.goods_value_cents or 0,
                language=d.receipt_language or "en",
                fee_cents=d.fee_cents or 0,
                dedication_kind=d.dedication_kind or "",
                dedication_name=d.dedication_name or "",
                anonymous=bool(d.anonymous),
                entry_mode=d.entry_mode,
                emv_application=d.emv_application,
                emv_aid=d.emv_aid,
                emv_cvm=d.emv_cvm,
                emv_auth_code=d.emv_auth_code,
                training=self.taken_in_training(d),
            )
        problem = email_error(to_email) if to_email else "There is no email address."
        if problem:
            raise JobPermanent(
                f"The receipt can't be sent to {to_email!r}: {problem} Correct the address "
                "and send again.",
                "invalid recipient address",
                fix="fix_email",
            )
        if not work.receipt_number:
            raise JobPermanent("This receipt has no number.", "receipt_number is NULL")
        return OutgoingEmail.of(
            render(data),
            to_email=to_email,
            to_name=to_name,
            from_email=settings.receipts.sender,
            from_name=org.name,
            receipt_number=work.receipt_number,
            donation_id=d.id,
        )


def follows_gift(donation: Donation, ctx: JobContext) -> bool:
    return bool(donation.donor_email.strip())


def after_email_change(ledger: Ledger, s: Session, donation: Donation) -> str | None:
    """The donor's email was corrected: queue their receipt again (same number), or
    create it if the gift had no email. Returns the job id to enqueue, if any."""
    job = s.scalar(select(Job).where(Job.donation_id == donation.id, Job.kind == NAME))
    if job is None:
        if donation.state in TAKEN:
            return ledger.add(s, donation.id, SPEC)
        return None
    if job.state == JobState.RUNNING.value:
        return None  # it reads the address as it starts; resend later if it went out
    job.state = JobState.QUEUED.value
    job.sent_at = job.next_attempt_at = job.finished_at = None
    job.error_kind = job.fix = job.discard_reason = job.last_error = None
    job.last_error_detail = None
    return job.id


def receipt_states(s: Session) -> dict[str, tuple[str, str | None]]:
    """donation id -> (receipt job state, receipt number), for the bookkeeper's export."""
    rows = s.execute(
        select(Job.donation_id, Job.state, Job.receipt_number).where(Job.kind == NAME)
    ).all()
    return {d: (state, number) for d, state, number in rows}


SPEC = register(
    JobKindSpec(
        name=NAME,
        label="Receipt",
        plural="Receipts",
        noun=("receipt", "receipts"),
        doing="sending the receipt",
        delivery="at least once",
        follows_gift=follows_gift,
        make_body=lambda ctx: ReceiptJob(ctx),
        numbered=True,
        actions=frozenset({"fix_email", "open_result"}),
        permanent_fix="",
        state_words={JobState.DONE: "Sent"},
    )
)
