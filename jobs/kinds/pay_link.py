"""The pay link: make a Stripe Checkout Session for exactly one pledged gift and email the
link to the donor (a desktop app has no webhook: the pay-link watch reads it back).

The body is the pledge-link service's `send` (pos_app/services/pledge_links.py), handed to
the job system as `ctx.services[SERVICE]` by the composition root, so this package never
imports the services. The session's key comes from the pledge, the links sent before and a
six-hour block, so a retry makes no second session; the email is at least once with a
stable Message-ID.
Network trouble is transient; a processor without pay links, a missing success page or a
missing email waits for a person with the fix in words. One job per pledged gift: sending
the link again (the lead) queues it again.
"""

from __future__ import annotations

import logging
from typing import Protocol, cast

from sqlalchemy.orm import Session

from ..context import JobContext
from ..ledger import Ledger, Work
from ..records import JobState
from ..registry import Body, JobKindSpec, register

log = logging.getLogger(__name__)

NAME = "pay_link"
SERVICE = "pledge_links"  # the key of the pledge-link service in JobContext.services


class Sends(Protocol):
    def send(self, job_id: str, donation_id: str) -> str: ...


def make_body(ctx: JobContext) -> Body:
    def run(work: Work) -> str:
        service = ctx.service(SERVICE, "send pay links")
        ref = cast(Sends, service).send(work.id, work.donation_id)
        ctx.ledger.mark_done(work.id, ref, sent=True)
        return ref

    return run


def add(ledger: Ledger, s: Session, donation_id: str) -> str:
    """A pay link for the pledge's gift, inside the caller's transaction."""
    return ledger.add(s, donation_id, SPEC)


SPEC = register(
    JobKindSpec(
        name=NAME,
        label="Pay link",
        plural="Pay links",
        noun=("pay link", "pay links"),
        doing="emailing the donor a link to pay the pledge",
        delivery="at least once",
        follows_gift=lambda _d, _ctx: False,  # made with the pledge or by the lead
        make_body=make_body,
        permanent_fix="check_settings",
        state_words={JobState.DONE: "Sent"},
    )
)
