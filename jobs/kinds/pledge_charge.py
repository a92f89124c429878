"""The pledge charge: a paddle-raise pledge charged on the guest's card on file, in the
background, while the screen shows each one settle.

The body is the paddle-raise service's `charge` (pos_app/services/paddle_raise.py), handed
to the job system as `ctx.services[SERVICE]` by the composition root, so this package never
imports the services. Exactly once: the gift row and its key (derived from the pledge id)
are written before the charge, and every retry replays the same request. Network trouble
and answers not final yet are transient (retried forever, woken when the network is back);
a decline or `authentication_required` waits in needs attention with the words "Ask paddle
112 for another card", and the pledge says the same.
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

NAME = "pledge_charge"
SERVICE = "pledge_charges"  # the key of the charging service in JobContext.services


class Charges(Protocol):
    def charge(self, donation_id: str) -> str: ...


def make_body(ctx: JobContext) -> Body:
    def run(work: Work) -> str:
        service = ctx.service(SERVICE, "charge pledges")
        ref = cast(Charges, service).charge(work.donation_id)
        ctx.ledger.mark_done(work.id, ref)
        return ref

    return run


def add(ledger: Ledger, s: Session, donation_id: str) -> str:
    """The pledge's charge job, inside the transaction that records the pledge."""
    return ledger.add(s, donation_id, SPEC)


SPEC = register(
    JobKindSpec(
        name=NAME,
        label="Pledge charge",
        plural="Pledge charges",
        noun=("pledge charge", "pledge charges"),
        doing="charging the pledge on the card on file",
        delivery="exactly once",
        follows_gift=lambda _d, _ctx: False,  # made with the pledge, never by a gift
        make_body=make_body,
        permanent_fix="discard",
        state_words={JobState.DONE: "Charged"},
    )
)
