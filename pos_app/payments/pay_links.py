"""Pay links: a gift that can't be charged at the table is paid later by the donor, on the
processor's own hosted page (a Stripe Checkout Session for exactly that gift).

A desktop app has no webhook endpoint, so the session is created by a background job
(idempotent: its key derives from the pledge) and then read back until it is paid or has
expired. No card data ever passes through Tableside: the donor types the card on Stripe's
page. `PayLinks` is what a processor with `Capability.PAY_LINK` hands out
(`processor.pay_links()`): `StripePayLinks` over the Stripe adapter's own HTTP client, and
`SimulatedPayLinks` for training mode (links on a `.invalid` host that a drill marks paid).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .base import Permanent, Transient

if TYPE_CHECKING:
    from .stripe import StripeProcessor

OPEN, COMPLETE, EXPIRED = "open", "complete", "expired"
# Stripe allows 30 minutes to 24 hours; a gala's pledges are settled over the next day.
LINK_HOURS = 24
ID_MAX = 255
# The page's language for a gift's receipt language (GiftOptions.receipt_language): the donor
# reads Stripe's page in the language of the email that brought them there. A language
# Stripe's page doesn't have is left to the donor's browser ("auto").
CHECKOUT_LOCALES = {"en": "en", "es": "es"}


def checkout_locale(language: str | None) -> str:
    """Stripe Checkout's `locale` for a receipt language ("" or None: English)."""
    return CHECKOUT_LOCALES.get((language or "en").strip().lower(), "auto")


@dataclass(frozen=True)
class PayLinkRequest:
    pledge_id: str
    donation_id: str
    amount_cents: int
    currency: str
    description: str  # the line the donor sees: "Gift to Riverside Food Bank — Spring Gala"
    customer_email: str
    idempotency_key: str
    success_url: str
    expires_at: dt.datetime  # when the link stops working
    locale: str = "auto"  # the page's language (checkout_locale); auto: the browser's


@dataclass(frozen=True)
class PayLink:
    session_id: str
    url: str | None  # None once complete or expired (Stripe stops giving it)
    status: str  # open | complete | expired
    paid: bool
    amount_cents: int | None
    payment_intent_id: str | None
    expires_at: dt.datetime | None


class PayLinks(Protocol):
    def create(self, request: PayLinkRequest) -> PayLink: ...
    def check(self, session_id: str) -> PayLink: ...
    def expire(self, session_id: str, idempotency_key: str) -> PayLink: ...


def checkout_session_params(request: PayLinkRequest) -> dict[str, Any]:
    """The Checkout Session for exactly one gift: its amount, nothing to adjust, the pledge
    and gift ids in the metadata of the session and of the payment it makes, the page in
    the donor's language."""
    ids = {"pledge_id": request.pledge_id, "donation_id": request.donation_id}
    return {
        "mode": "payment",
        "line_items": [{
            "quantity": 1,
            "price_data": {
                "currency": request.currency,
                "unit_amount": request.amount_cents,
                "product_data": {"name": request.description[:200]},
            },
        }],
        "customer_email": request.customer_email,
        "client_reference_id": request.pledge_id,
        "success_url": request.success_url,
        "expires_at": int(request.expires_at.timestamp()),
        "metadata": ids,
        "payment_intent_data": {"metadata": ids, "description": request.description[:200]},
        "submit_type": "donate",
        "locale": request.locale,
    }  # fmt: skip


def pay_link_from(body: dict[str, Any]) -> PayLink:
    """A Checkout Session as a PayLink; an answer we can't use is a Transient (read it
    again later), never a guess."""
    sid, status = body.get("id"), body.get("status")
    if not isinstance(sid, str) or not 0 < len(sid) <= ID_MAX or status not in (
        OPEN, COMPLETE, EXPIRED
    ):
        raise Transient(
            "The processor's answer about a pay link was garbled; it will be read again.",
            "checkout session without id/status",
        )
    url = body.get("url")
    pi = body.get("payment_intent")
    if isinstance(pi, dict):
        pi = pi.get("id")
    expires = body.get("expires_at")
    total = body.get("amount_total")
    return PayLink(
        session_id=sid,
        url=url if isinstance(url, str) and url.startswith("https://") else None,
        status=status,
        paid=body.get("payment_status") == "paid",
        amount_cents=total if isinstance(total, int) else None,
        payment_intent_id=pi if isinstance(pi, str) and len(pi) <= ID_MAX else None,
        expires_at=dt.datetime.fromtimestamp(expires, dt.UTC) if isinstance(expires, int) else None,
    )


class StripePayLinks:
    """Checkout Sessions over the Stripe adapter's client (keys, deadlines, error mapping)."""

    def __init__(self, processor: StripeProcessor) -> None:
        self.processor = processor

    def create(self, request: PayLinkRequest) -> PayLink:
        body = self.processor._post(
            "/v1/checkout/sessions", checkout_session_params(request), request.idempotency_key
        )
        link = pay_link_from(body)
        if link.status == OPEN and link.url is None:
            raise Permanent(
                "The processor made the pay link without a page to send the donor to.",
                f"{link.session_id}: no url",
            )
        return link

    def check(self, session_id: str) -> PayLink:
        link = pay_link_from(self.processor._get(f"/v1/checkout/sessions/{session_id}"))
        if link.session_id != session_id:
            raise Transient("The processor's answer about a pay link was garbled.",
                            f"asked {session_id}, got {link.session_id}")  # fmt: skip
        return link

    def expire(self, session_id: str, idempotency_key: str) -> PayLink:
        return pay_link_from(self.processor._post(
            f"/v1/checkout/sessions/{session_id}/expire", {}, idempotency_key))  # fmt: skip


class SimulatedPayLinks:
    """Training mode's pay links: the same answers, on a link nobody can pay for real. A
    drill (or a test) calls `pay(session_id)` for the donor; `expire_all_due(now)` is the
    clock passing the link's end."""

    def __init__(self, network_down: Callable[[], bool] = lambda: False) -> None:
        self._lock = threading.Lock()
        self.sessions: dict[str, PayLink] = {}
        self._keys: dict[str, tuple[PayLinkRequest, str]] = {}
        self.network_down = network_down  # the simulator's own switch

    def _reachable(self) -> None:
        if self.network_down():
            raise Transient("Can't reach the processor.", "simulated network down",
                            maybe_charged=False)  # fmt: skip

    def create(self, request: PayLinkRequest) -> PayLink:
        self._reachable()
        with self._lock:
            seen = self._keys.get(request.idempotency_key)
            if seen is not None:
                if seen[0] != request:
                    raise Permanent("The same pay link was asked for twice with other details.",
                                    "idempotency_error")  # fmt: skip
                return self.sessions[seen[1]]
            sid = f"cs_test_sim_{uuid.uuid4().hex[:20]}"
            link = PayLink(sid, f"https://pay.tableside.invalid/{sid}", OPEN, False,
                           request.amount_cents, None, request.expires_at)  # fmt: skip
            self.sessions[sid] = link
            self._keys[request.idempotency_key] = (request, sid)
            return link

    def check(self, session_id: str) -> PayLink:
        self._reachable()
        with self._lock:
            link = self.sessions.get(session_id)
        if link is None:
            raise Permanent("The processor doesn't know this pay link.", session_id)
        if link.status == OPEN and link.expires_at and link.expires_at <= dt.datetime.now(dt.UTC):
            return self._end(session_id, EXPIRED)
        return link

    def expire(self, session_id: str, idempotency_key: str) -> PayLink:
        self._reachable()
        link = self.check(session_id)
        return self._end(session_id, EXPIRED) if link.status == OPEN else link

    def pay(self, session_id: str) -> PayLink:
        """The donor paid on the hosted page."""
        with self._lock:
            link = self.sessions[session_id]
            if link.status != OPEN:
                return link
            paid = dataclasses.replace(link, url=None, status=COMPLETE, paid=True,
                                       payment_intent_id=f"pi_sim_{uuid.uuid4().hex[:20]}")
            self.sessions[session_id] = paid
            return paid

    def _end(self, session_id: str, status: str) -> PayLink:
        with self._lock:
            ended = dataclasses.replace(self.sessions[session_id], url=None, status=status)
            self.sessions[session_id] = ended
            return ended
