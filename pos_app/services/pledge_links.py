"""Pledges paid by a link: a gift that can't be charged at the table (no card, the processor
out of reach, a decline the donor wants to settle later) is taken as a pledge, and the donor
pays it on the processor's own page (pos_app/payments/pay_links.py).

- `take_pledge` writes the gift (state `pledged`, with its options: the receipt's language,
  a dedication, anonymity, goods, the fee covered), its pledge and a `pay_link` job in one
  transaction.
- The job (`send`, jobs/kinds/pay_link.py; one per gift, queued again to resend) makes the
  Checkout Session for exactly that gift and emails the link through the receipt sender.
  Its key names the pledge, the links sent before and a six-hour block: a retry sends the
  very same request, so Stripe answers with the same session. The session id is kept at
  once; the email is at least once, with a stable Message-ID. The email is written in
  the gift's receipt language from the receipt templates (resources/receipts/paylink*,
  receipts/render.py `render_pay_link`), and Stripe's page opens in that language too
  (the session's `locale`). An open link is sent again
  as it is; a new session is made only after the last one ended.
- A desktop app has no webhook endpoint, so `watch_step` (a background loop) reads each
  open link back: every 30 s for its first quarter hour, every 5 minutes for two hours,
  then every half hour.
- A paid link settles the gift (approved, the payment's id, the receipt job) in one
  transaction; an expired one says so, and the lead sends another (`send_link`).

No card data is stored for a pledge: the donor types the card on Stripe's page.

A pledge's gift is charged one way only. A link goes out only while the gift has not been
charged (`pledged`, or `declined` at the table). A card charge can still start while a link
is out (the lead sends a link, then the guest leaves a card and it is charged on file):
the watch keeps reading such a link (`checkout_url` set: not known ended) after the pledge
is paid on the card. Still open: it is expired at Stripe, so the donor can't pay twice.
Paid meanwhile: the gift stays paid and counted once (on the card); the pledge says "Paid
twice", naming the pay link's payment, and its pay-link job waits in needs attention for
the lead to refund that payment — never counted twice, never dropped. A link settled or
ended has `checkout_url` cleared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from jobs.context import JobContext
from jobs.errors import JobPermanent
from jobs.kinds import pay_link as pay_link_kind
from jobs.ledger import Ledger
from jobs.records import JobState
from pos_app.domain.donor import Donor
from pos_app.domain.gift import NO_OPTIONS, GiftOptions, gift_columns
from pos_app.domain.states import DonationState, Method, PledgeState
from pos_app.faults import crashpoint
from pos_app.payments.pay_links import (
    COMPLETE,
    EXPIRED,
    OPEN,
    PayLink,
    PayLinkRequest,
    PayLinks,
    checkout_locale,
)
from pos_app.payments.registry import Capability
from pos_app.receipts.message import OutgoingEmail
from pos_app.settings import Settings
from pos_app.store.database import Database
from pos_app.store.models import Donation, Job, Pledge, new_id

from .donations import DonationService
from .gala_records import PledgeRecord
from .records import InvalidDonation

log = logging.getLogger(__name__)

BLOCK_S = 6 * 3600  # a retry within this block sends the very same request
LINK_HOURS = 24  # from the start of the block: 18 to 24 hours to pay
CADENCE = ((dt.timedelta(minutes=15), 30.0), (dt.timedelta(hours=2), 300.0))
LATE_S = 1800.0
CHARGEABLE = (DonationState.PLEDGED.value, DonationState.DECLINED.value)
IDLE = (JobState.DONE.value, JobState.DISCARDED.value, JobState.NEEDS_ATTENTION.value)
LINKABLE = (PledgeState.PLEDGED.value, PledgeState.NEEDS_ATTENTION.value,
            PledgeState.LINK_SENT.value, PledgeState.EXPIRED.value)  # fmt: skip
# A pledge whose gift was charged another way (a card on file) while its link was out.
SETTLED_ELSEWHERE = (PledgeState.PAID.value, PledgeState.CHARGING.value)
IN_FLIGHT = (DonationState.CHARGING, DonationState.IN_DOUBT, DonationState.PROCESSING)


@dataclass(frozen=True)
class Checkout:
    """What "charge all open pledges" started: charges on cards on file, pay links, and
    the pledges that need a donor's email before a link can go."""

    charged: int
    links: int
    no_email: int


def check_every(sent_at: dt.datetime, now: dt.datetime) -> float:
    """Seconds between two looks at a link sent at `sent_at`: often while the donor is
    likely paying (the first minutes), then less and less."""
    age = now - sent_at
    return next((every for limit, every in CADENCE if age < limit), LATE_S)


class PledgeLinkService:
    def __init__(
        self,
        db: Database,
        donations: DonationService,
        ledger: Ledger,
        enqueue: Callable[[list[str]], None],
        context: JobContext,
    ) -> None:
        self.db, self.donations, self.ledger = db, donations, ledger
        self.enqueue = enqueue  # ledger ids to Huey, after the commit
        self.context = context  # the processor, the sender, the settings (as the jobs see them)
        self._checked: dict[str, float] = {}  # pledge id -> monotonic time of the last look
        self._lock = threading.Lock()
        self.interval = 5.0

    @property
    def settings(self) -> Settings:
        return self.context.settings()

    def links(self) -> PayLinks:
        processor = self.context.processor
        if Capability.PAY_LINK not in processor.capabilities:
            raise JobPermanent(
                "This processor can't make pay links. Collect the pledge another way.",
                f"{processor.name} has no pay links", fix="discard",
            )  # fmt: skip
        return processor.pay_links()  # type: ignore[attr-defined, no-any-return]

    # ---- the volunteer takes a pledge ---------------------------------------------------
    def take_pledge(
        self, amount_cents: int, donor: Donor, options: GiftOptions = NO_OPTIONS
    ) -> PledgeRecord:
        """A pledge paid by a link the donor gets by email. Raises InvalidDonation."""
        svc = self.donations
        errors: dict[str, str] = {}
        try:
            svc.validate(amount_cents, donor, options=options)
        except InvalidDonation as exc:
            errors.update(exc.errors)
        if not donor.email.strip():
            errors.setdefault("email", "The pay link goes by email: enter the donor's email.")
        if errors:
            raise InvalidDonation(errors)
        # The gift's options stay with it: the receipt's language (which is also the pay
        # link's), a dedication, anonymity, goods, the fee covered. No card is kept.
        options = dataclasses.replace(options, save_card=False)
        fee = svc.fee_for(amount_cents, options)
        amount_cents += fee
        with self.db.session() as s:
            donation = Donation(
                id=new_id(), amount_cents=amount_cents, currency=svc.currency,
                method=Method.CARD.value, state=DonationState.PLEDGED.value,
                donor_name=donor.name.strip(), donor_email=donor.email.strip(),
                **svc.taken_here(), charge_attempts=0, **gift_columns(options, fee),
                message="Pledged: the donor pays by the link in their email.",
            )  # fmt: skip
            s.add(donation)
            s.flush()
            pledge = Pledge(id=new_id(), raise_id=None, donation_id=donation.id, paddle=None,
                            level_cents=amount_cents, state=PledgeState.PLEDGED.value,
                            message="Sending the pay link…")  # fmt: skip
            s.add(pledge)
            s.flush()
            job_id = pay_link_kind.add(self.ledger, s, donation.id)
            record = PledgeRecord.of(pledge, donation.donor_name)
        self.enqueue([job_id])
        log.info("pledge %s taken for a pay link (%d cents)", record.id, amount_cents)
        return record

    def send_link(self, pledge_id: str) -> str | None:
        """Send (or send again) the pay link of a pledge not charged yet; returns the job id,
        or None when one is already on its way. Raises KeyError, InvalidDonation."""
        with self.db.session() as s:
            pledge = s.get(Pledge, pledge_id)
            if pledge is None:
                raise KeyError(pledge_id)
            donation = s.get(Donation, pledge.donation_id)
            assert donation is not None
            if pledge.state not in LINKABLE or donation.state not in CHARGEABLE:
                raise InvalidDonation({"pledge": f"This pledge is {pledge.state}: no pay link."})
            if not donation.donor_email:
                raise InvalidDonation({"email": "The pay link goes by email: add the donor's "
                                                "email first."})  # fmt: skip
            job = s.scalar(select(Job).where(Job.donation_id == donation.id,
                                             Job.kind == pay_link_kind.NAME))  # fmt: skip
            if job is None:
                job_id = pay_link_kind.add(self.ledger, s, donation.id)
            else:  # one pay-link job per gift: it goes again (a finished or parked one)
                again = s.execute(
                    update(Job)
                    .where(Job.id == job.id, Job.state.in_(IDLE))
                    .values(state=JobState.QUEUED.value, attempts=0, next_attempt_at=None,
                            last_error=None, last_error_detail=None, error_kind=None,
                            fix=None, discard_reason=None, finished_at=None,
                            updated_at=dt.datetime.now(dt.UTC))
                ).rowcount  # fmt: skip
                if not again:
                    return None  # on its way already
                job_id = job.id
        self.enqueue([job_id])
        return job_id

    def checkout(self, charge_on_file: Callable[[str], bool]) -> Checkout:
        """The end of the night: every pledge still waiting is charged on its guest's card
        on file (its background job), or sent a pay link. Safe to start twice and across a
        restart: a charge or a link already on its way is not started again, and a pledge
        no longer waiting is left alone."""
        with self.db.session() as s:
            waiting = list(s.scalars(
                select(Pledge.id).where(Pledge.state == PledgeState.PLEDGED.value)
                .order_by(Pledge.created_at)
            ))  # fmt: skip
        charged = links = no_email = 0
        for n, pledge_id in enumerate(waiting):
            if n:
                crashpoint("checkout_mid_run")  # some started, the rest not yet
            if charge_on_file(pledge_id):
                charged += 1
                continue
            try:
                if self.send_link(pledge_id) is not None:
                    links += 1
            except InvalidDonation:
                no_email += 1
        log.info("checkout: %d charged on file, %d pay links, %d without an email",
                 charged, links, no_email)  # fmt: skip
        return Checkout(charged, links, no_email)

    # ---- the job: make the link and email it --------------------------------------------
    def send(self, job_id: str, donation_id: str) -> str:
        links = self.links()
        with self.db.session() as s:
            pledge = s.scalar(select(Pledge).where(Pledge.donation_id == donation_id))
            donation = s.get(Donation, donation_id)
            if pledge is None or donation is None:
                raise JobPermanent("The pledge for this pay link is missing.", donation_id,
                                   fix="discard")  # fmt: skip
            if pledge.state not in LINKABLE or donation.state not in CHARGEABLE:
                return f"no link: the pledge is {pledge.state}"
            if not donation.donor_email:
                raise JobPermanent("The pay link goes by email: add the donor's email.",
                                   "no donor email", fix="fix_email")  # fmt: skip
            pledge_id, sid, sends = pledge.id, pledge.checkout_session_id, pledge.link_sends
            gift = (donation.amount_cents, donation.currency, donation.donor_email,
                    donation.donor_name, donation.receipt_language or "en")  # fmt: skip
        link = links.check(sid) if sid else None
        if link is not None and link.status == COMPLETE and link.paid:
            self._settle(pledge_id, link)
            return f"paid already ({link.session_id})"
        if link is None or link.status != OPEN or link.url is None:
            link = links.create(
                self._request(pledge_id, sends, donation_id, *gift[:3], language=gift[4])
            )
            with self.db.session() as s:  # kept before the email: a retry reuses it
                s.execute(update(Pledge).where(Pledge.id == pledge_id).values(
                    checkout_session_id=link.session_id, checkout_url=link.url))  # fmt: skip
        crashpoint("paylink_before_email")
        self.context.sender.send(self._email(pledge_id, sends, link, *gift))
        crashpoint("paylink_after_email")
        until = link.expires_at.astimezone().strftime("%a %H:%M") if link.expires_at else ""
        with self.db.session() as s:
            s.execute(
                update(Pledge)
                .where(Pledge.id == pledge_id, Pledge.state.in_(LINKABLE))
                .values(state=PledgeState.LINK_SENT.value, link_sends=Pledge.link_sends + 1,
                        message=f"Pay link sent to {gift[2]}; it works until {until}.")
            )  # fmt: skip
        with self._lock:
            self._checked.pop(pledge_id, None)
        return f"pay link sent ({link.session_id})"

    def _request(self, pledge_id: str, sends: int, donation_id: str, cents: int,
                 currency: str, email: str, *, language: str) -> PayLinkRequest:  # fmt: skip
        """The key names the pledge, how many links it was sent before (a new session
        only after the last one ended) and the six-hour block (a retry sends the very
        same request, `expires_at` included). The page is in the gift's receipt
        language, like the email."""
        now = dt.datetime.now(dt.UTC)
        block = int(now.timestamp()) // BLOCK_S
        start = dt.datetime.fromtimestamp(block * BLOCK_S, dt.UTC)
        event, org = self.settings.event, self.settings.organization
        success_url = self.settings.pledges.success_url
        if not success_url:
            if Capability.SIMULATED not in self.context.processor.capabilities:
                raise JobPermanent(
                    "Pay links need the page donors see after paying: set [pledges] "
                    "success_url to your organisation's thank-you page (IT).",
                    "[pledges] success_url empty", fix="check_settings",
                )  # fmt: skip
            success_url = "https://pay.tableside.invalid/thank-you"  # training: nobody pays
        return PayLinkRequest(
            pledge_id=pledge_id, donation_id=donation_id, amount_cents=cents,
            currency=currency, description=f"Gift to {org.name} — {event.name}",
            customer_email=email, idempotency_key=f"tableside-paylink-{pledge_id}-{sends}-{block}",
            success_url=success_url,
            expires_at=start + dt.timedelta(hours=LINK_HOURS),
            locale=checkout_locale(language),
        )  # fmt: skip

    def _email(self, pledge_id: str, sends: int, link: PayLink, cents: int, currency: str,
               email: str, name: str, language: str) -> OutgoingEmail:  # fmt: skip
        """The link's email, in the gift's receipt language, from the receipt templates
        (resources/receipts/paylink*, receipts/render.py)."""
        from pos_app.receipts.render import PayLinkData, render_pay_link  # jinja2: when used

        org, event = self.settings.organization.name, self.settings.event.name
        rendered = render_pay_link(PayLinkData(
            amount_cents=cents, currency=currency, url=link.url or "", donor_name=name,
            org_name=org, event_name=event, expires_at=link.expires_at, language=language,
            training=Capability.SIMULATED in self.context.processor.capabilities,
        ))  # fmt: skip
        return OutgoingEmail.of(
            rendered, to_email=email, to_name=name, from_email=self.settings.receipts.sender,
            from_name=org, receipt_number=f"LINK-{pledge_id[:8]}-{sends + 1}",
            donation_id=pledge_id, kind="paylink",
        )  # fmt: skip

    # ---- reading links back --------------------------------------------------------------
    def watch_step(self, _n: int) -> None:
        """The background loop's pass: look at each sent link that is due."""
        import time

        with self.db.session() as s:
            sent = s.execute(
                select(Pledge.id, Pledge.checkout_session_id, Pledge.updated_at, Pledge.state)
                .where(Pledge.checkout_session_id.is_not(None),
                       or_(Pledge.state == PledgeState.LINK_SENT.value,
                           # charged another way while its link was out: still payable?
                           and_(Pledge.checkout_url.is_not(None),
                                Pledge.state.in_(SETTLED_ELSEWHERE))))
            ).all()  # fmt: skip
        if not sent:
            return
        now, mono = dt.datetime.now(dt.UTC), time.monotonic()
        try:
            links = self.links()
        except JobPermanent:
            return
        for pledge_id, sid, sent_at, state in sent:
            with self._lock:
                last = self._checked.get(pledge_id)
            if last is not None and mono - last < check_every(sent_at, now):
                continue
            with self._lock:
                self._checked[pledge_id] = mono
            try:
                link = links.check(sid)
            except Exception as exc:  # the network, a garbled answer: the next look
                log.info("pay link %s not read: %s", sid, getattr(exc, "message", exc))
                continue
            if link.status == COMPLETE and link.paid:
                self._settle(pledge_id, link)
            elif link.status == EXPIRED or (link.status == COMPLETE and not link.paid):
                self._expired(pledge_id, sid)
            elif state == PledgeState.PAID.value:  # open, the gift paid on a card
                self._void(links, pledge_id, sid)
            # charging on a card: left open until its answer (a decline needs the link)

    def check_now(self) -> None:
        """Look at every sent link at once (the lead asked, or a test)."""
        with self._lock:
            self._checked.clear()
        self.watch_step(0)

    def _settle(self, pledge_id: str, link: PayLink) -> None:
        """Paid on the donor's page: the gift is approved with the payment's id and gets its
        follow-up jobs (the receipt), in one transaction. A gift already charged another
        way (a card on file) stays counted once, and the second payment goes to the lead
        (`_paid_twice`). A card charge still waiting for its answer: looked at again
        later."""
        job_ids: list[str] = []
        with self.db.session() as s:
            pledge = s.get(Pledge, pledge_id)
            if pledge is None:
                return
            gift = s.get(Donation, pledge.donation_id)
            if gift is None:
                return
            if gift.payment_intent_id == link.payment_intent_id and (
                link.payment_intent_id or pledge.state == PledgeState.PAID.value
            ):
                pledge.checkout_url = None  # this link's payment is the gift's: done
                return
            won = s.execute(
                update(Donation)
                .where(Donation.id == pledge.donation_id, Donation.state.in_(CHARGEABLE))
                .values(state=DonationState.APPROVED.value,
                        processor=self.context.processor.name,
                        payment_intent_id=link.payment_intent_id,
                        message="Paid by the pay link.")
                .execution_options(synchronize_session=False)
            ).rowcount  # fmt: skip
            if not won:  # charged another way meanwhile
                s.refresh(gift)
                if DonationState(gift.state) in IN_FLIGHT:
                    return  # the card's answer first: a decline leaves the link to pay it
                self._paid_twice(s, pledge, gift, link)
                return
            pledge.state, pledge.message = PledgeState.PAID.value, "Paid by the pay link."
            pledge.checkout_url = None
            donation = s.get(Donation, pledge.donation_id)
            assert donation is not None
            s.refresh(donation)
            job_ids = self.ledger.jobs_for(s, donation, self.context)
        self.enqueue(job_ids)
        log.info("pledge %s paid by link %s", pledge_id, link.session_id)

    def _paid_twice(self, s: Session, pledge: Pledge, gift: Donation, link: PayLink) -> None:
        """The link paid after the gift was charged on a card: the gift stays paid and
        counted once (on the card); the link's payment goes to the lead, to refund. The
        pledge says so, and its pay-link job waits in needs attention (the jobs panel, the
        desk's alerts and the closing summary count it) until the lead discards it once
        refunded. No idle job to hold it (one running): the pledge itself needs attention."""
        pi = link.payment_intent_id or link.session_id
        words = (f"Paid twice: on the card ({gift.payment_intent_id or 'charged'}) and by the "
                 f"pay link ({pi}). The gift is counted once, on the card: refund the pay "
                 f"link's payment {pi} in the Stripe Dashboard, then discard this.")  # fmt: skip
        pledge.message, pledge.checkout_url = words, None  # seen: the watch stops here
        parked = s.execute(
            update(Job)
            .where(Job.donation_id == gift.id, Job.kind == pay_link_kind.NAME,
                   Job.state.in_(IDLE))
            .values(state=JobState.NEEDS_ATTENTION.value, last_error=words,
                    last_error_detail=f"pledge {pledge.id}: session {link.session_id} paid "
                                      f"({pi}) after gift {gift.id} was charged",
                    error_kind="permanent", fix="discard", discard_reason=None,
                    updated_at=dt.datetime.now(dt.UTC))
        ).rowcount  # fmt: skip
        if not parked:
            pledge.state = PledgeState.NEEDS_ATTENTION.value
        log.warning("pledge %s paid twice: gift %s, link %s payment %s", pledge.id,
                    gift.payment_intent_id, link.session_id, pi)  # fmt: skip

    def _void(self, links: PayLinks, pledge_id: str, session_id: str) -> None:
        """A link still open for a pledge charged another way: expired at the processor
        (its own key), so the donor can't pay it too. Refused (paid a moment ago) or no
        answer: the next look settles it."""
        try:
            ended = links.expire(session_id, f"tableside-paylink-void-{session_id}")
        except Exception as exc:
            log.info("pay link %s not voided yet: %s", session_id, getattr(exc, "message", exc))
            return
        if ended.status == EXPIRED:
            self._expired(pledge_id, session_id)
            log.info("pledge %s: its pay link %s voided (paid another way)", pledge_id,
                     session_id)  # fmt: skip
        elif ended.status == COMPLETE and ended.paid:
            self._settle(pledge_id, ended)

    def _expired(self, pledge_id: str, session_id: str) -> None:
        """The link `session_id` ended unpaid (a newer link of the pledge is left alone)."""
        this_link = (Pledge.id == pledge_id, Pledge.checkout_session_id == session_id)
        with self.db.session() as s:
            s.execute(  # a pledge paid another way keeps its state: the link just ended
                update(Pledge)
                .where(*this_link, Pledge.state != PledgeState.LINK_SENT.value)
                .values(checkout_url=None)
            )
            s.execute(
                update(Pledge)
                .where(*this_link, Pledge.state == PledgeState.LINK_SENT.value)
                .values(state=PledgeState.EXPIRED.value, checkout_url=None,
                        message="The pay link expired unpaid: send another, or ask the donor.")
            )  # fmt: skip
