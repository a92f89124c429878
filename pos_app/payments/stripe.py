"""Stripe adapter: PaymentMethod from the card, then a confirmed PaymentIntent, over httpx.

Every write carries an Idempotency-Key. Failures map to Declined, Transient or Permanent;
`Transient.maybe_charged` is False only when the request certainly never left the laptop.
Error text from Stripe is kept as detail, but never the request body (it holds the card).
Each call has a total deadline of `timeout` (pos_app/deadline.py), so a Stripe that drips
its answer ends the charge in doubt within that time instead of holding the volunteer.
Registered as `stripe` at the bottom, with the key check `pos-app doctor` runs; the
Terminal adapter (stripe_terminal.py) reuses those parts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from pos_app import deadline
from pos_app.checks import Check, clock_check
from pos_app.domain.cards import Card
from pos_app.secrets import STRIPE_KEY, STRIPE_SECRET_KEY, SecretsError, get_secret, stripe_mode

from .base import (
    ChargeRequest,
    ChargeResult,
    Declined,
    PaymentMethod,
    Permanent,
    ProcessorError,
    RefundRequest,
    RefundResult,
    SaveCardRequest,
    SavedCard,
    SetupCardRequest,
    SetupResult,
    Transient,
    decline_message,
    refund_category,
)
from .registry import Capability, ProcessorSpec, register

if TYPE_CHECKING:
    from pos_app.settings import Settings

    from .base import Processor
    from .pay_links import StripePayLinks

log = logging.getLogger(__name__)

STRIPE_VERSION = "2023-08-16"  # the version of ../shared/specs that requests are checked against


def form_encode(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's deepObject form encoding: {"card": {"number": 1}} -> [("card[number]", "1")]."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            pairs.extend(form_encode(value, name))
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    pairs.extend(form_encode(item, f"{name}[{i}]"))
                else:
                    pairs.append((f"{name}[{i}]", _scalar(item)))
        else:
            pairs.append((name, _scalar(value)))
    return pairs


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def payment_intent_params(request: ChargeRequest) -> dict[str, Any]:
    """The PaymentIntent body, a pure function of the persisted request: replays match."""
    params: dict[str, Any] = {
        "amount": request.amount_cents,
        "currency": request.currency,
        "payment_method": request.payment_method_id,
        "payment_method_types": ["card"],
        "confirm": True,
        # A table has no way to run 3-D Secure: fail at once instead of waiting on the donor.
        "error_on_requires_action": True,
        "metadata": {"donation_id": request.donation_id},
    }
    if request.save_card:
        # Real Stripe only lets a card be saved for later gifts if the charge says so; it
        # says so only when the donor agreed (the card networks' stored-credential rules).
        params["setup_future_usage"] = "off_session"
    if request.description:
        params["description"] = request.description
    if request.off_session:
        # A saved card charged without the donor: Stripe answers 402 authentication_required
        # instead of waiting for 3-D Secure; the card is already saved for later use.
        params["customer"] = request.customer_id
        params["off_session"] = True
        del params["error_on_requires_action"]
        params.pop("setup_future_usage", None)
    return params


METADATA_VALUE_MAX = 500  # Stripe's limit on one metadata value


def refund_params(request: RefundRequest) -> dict[str, Any]:
    """The Refund body, a pure function of the persisted request: replays match.

    The amount is always explicit, so a replay can never mean "whatever is left".
    """
    return {
        "payment_intent": request.payment_intent_id,
        "amount": request.amount_cents,
        "reason": request.category or refund_category(request.reason),
        "metadata": {
            "donation_id": request.donation_id,
            "reason": request.reason[:METADATA_VALUE_MAX],
        },
    }


def customer_params(request: SaveCardRequest) -> dict[str, Any]:
    """The Customer body, a pure function of the donation: a replay sends the same bytes."""
    params: dict[str, Any] = {"metadata": {request.metadata_key: request.donation_id}}
    if request.name:
        params["name"] = request.name
    if request.email:
        params["email"] = request.email
    return params


def setup_intent_params(request: SetupCardRequest) -> dict[str, Any]:
    """The SetupIntent body, a pure function of the attendee's stored ids: replays match.
    Created first and confirmed by a second call, so its id is kept before the card is
    offered to the bank."""
    return {
        "customer": request.customer_id,
        "usage": "off_session",  # charged later with nobody at the table (a pledge)
        "payment_method_types": ["card"],
        "metadata": {"attendee_id": request.attendee_id},
    }


def payment_method_params(card: Card) -> dict[str, Any]:
    params: dict[str, Any] = {
        "type": "card",
        "card": {
            "number": card.digits,
            "exp_month": card.exp_month,
            "exp_year": card.exp_year,
            "cvc": card.cvc,
        },
    }
    billing: dict[str, Any] = {}
    if card.postal_code:
        billing["address"] = {"postal_code": card.postal_code.strip()}
    if card.cardholder:
        billing["name"] = card.cardholder
    if billing:
        params["billing_details"] = billing
    return params


class StripeProcessor:
    name = "stripe"
    capabilities = frozenset(
        {Capability.SAVE_CARD, Capability.REFUND, Capability.CARD_ON_FILE, Capability.PAY_LINK}
    )

    def __init__(
        self,
        api_key: str,
        api_base: str = "https://api.stripe.com",
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        # Each call's total deadline (pos_app/deadline.py): the timeouts below bound only
        # one socket operation each. A `transport` handed in (tests) is used as it is.
        self.timeout = timeout
        self._client = httpx.Client(
            base_url=self.api_base,
            auth=(api_key, ""),
            headers={"Stripe-Version": STRIPE_VERSION, "User-Agent": "Tableside/0.1"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport or deadline.http_transport(),
        )
        # Shown before leaving training mode: which account a charge will really hit.
        self.live_mode = api_key.startswith(("sk_live_", "rk_live_"))

    def create_payment_method(self, card: Card, idempotency_key: str) -> PaymentMethod:
        try:
            body = self._post("/v1/payment_methods", payment_method_params(card), idempotency_key)
        except ProcessorError as exc:  # a peer may quote the request (the card) back
            exc.detail = _without_card(exc.detail, card)
            raise
        try:
            c = body["card"]
            if not isinstance(body["id"], str):
                raise TypeError("id")
            # Brand and last four are stored on the gift: from the answer only when they are
            # what Stripe sends (short text), else from the card the volunteer typed.
            brand, last4 = c.get("brand"), c.get("last4")
            return PaymentMethod(
                id=body["id"],
                brand=brand if isinstance(brand, str) and 0 < len(brand) <= 16 else card.brand.key,
                last4=last4 if isinstance(last4, str) and len(last4) == 4 else card.last4,
                exp_month=int(c.get("exp_month") or card.exp_month),
                exp_year=int(c.get("exp_year") or card.exp_year),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise Permanent(
                "The processor sent an answer Tableside doesn't understand.",
                "payment_method response without id/card",
            ) from None

    def charge(self, request: ChargeRequest) -> ChargeResult:
        body = self._post(
            "/v1/payment_intents", payment_intent_params(request), request.idempotency_key
        )
        pi_id = body.get("id")
        if not isinstance(pi_id, str) or not pi_id:  # an approval we could never look up
            raise Transient(
                "The processor's answer was garbled; the charge will be checked again.",
                "payment_intent response without id",
            )
        return _charge_result(pi_id, body)

    def check_charge(self, payment_intent_id: str) -> ChargeResult:
        body = self._get(f"/v1/payment_intents/{payment_intent_id}")
        if body.get("id") != payment_intent_id:
            raise Transient(
                "The processor's answer was garbled; the payment will be checked again.",
                f"payment_intent read returned {_code(body.get('id'))}",
            )
        if body.get("status") == "canceled":
            raise Declined("The bank did not confirm the payment. Nothing was charged.",
                           "canceled", "canceled", f"{_code(payment_intent_id)}: canceled")
        return _charge_result(payment_intent_id, body)

    # ---- saving a card (a background job, never while the donor waits) ----
    def create_customer(self, request: SaveCardRequest) -> str:
        body = self._post(
            "/v1/customers", customer_params(request), f"{request.idempotency_key}-customer"
        )
        customer_id = body.get("id")
        # stored with the donor's saved card: a runaway answer must not land in the DB
        if not isinstance(customer_id, str) or not 0 < len(customer_id) <= ID_MAX:
            raise Transient(
                "The processor's answer was garbled; saving the card will be tried again.",
                "customer response without id",
            )
        return customer_id

    def save_card(self, request: SaveCardRequest) -> SavedCard:
        customer_id = request.customer_id or self.create_customer(request)
        path = f"/v1/payment_methods/{request.payment_method_id}/attach"
        body = self._post(path, {"customer": customer_id}, f"{request.idempotency_key}-attach")
        if body.get("customer") not in (customer_id, None):
            raise Permanent(
                "The card is already saved for someone else.",
                f"{request.payment_method_id} attached to {_code(body.get('customer'))}",
            )
        return SavedCard(customer_id=customer_id, payment_method_id=request.payment_method_id)

    # ---- a card on file with no charge (check-in) ----
    def create_setup_intent(self, request: SetupCardRequest) -> str:
        body = self._post(
            "/v1/setup_intents", setup_intent_params(request), f"{request.idempotency_key}-setup"
        )
        seti = body.get("id")
        if not isinstance(seti, str) or not 0 < len(seti) <= ID_MAX:
            raise Transient(
                "The processor's answer was garbled; saving the card will be tried again.",
                "setup_intent response without id",
            )
        return seti

    def confirm_setup_intent(self, request: SetupCardRequest) -> SetupResult:
        assert request.setup_intent_id
        path = f"/v1/setup_intents/{request.setup_intent_id}/confirm"
        key = f"{request.idempotency_key}-confirm"
        body = self._post(path, {"payment_method": request.payment_method_id}, key)
        status = body.get("status")
        if body.get("id") != request.setup_intent_id or not isinstance(status, str):
            raise Transient(
                "The processor's answer was garbled; saving the card will be checked again.",
                f"setup_intent confirm returned {_code(body.get('id'))}",
            )
        if status in ("succeeded", "requires_action", "processing"):
            return SetupResult(request.setup_intent_id, status, request.payment_method_id)
        err = body.get("last_setup_error") or {}
        code = _code(err.get("decline_code") or err.get("code") or "generic_decline") if (
            isinstance(err, dict)) else "generic_decline"
        raise Declined(decline_message(code), code, code,
                       f"{_code(request.setup_intent_id)}: {_code(status)}")

    def cancel_setup_intent(self, request: SetupCardRequest) -> None:
        """Give up a SetupIntent the table can't finish (the bank wants authentication)."""
        assert request.setup_intent_id
        path = f"/v1/setup_intents/{request.setup_intent_id}/cancel"
        self._post(path, {}, f"{request.idempotency_key}-cancel")

    # ---- giving a payment back ----
    def refund(self, request: RefundRequest) -> RefundResult:
        try:
            body = self._post("/v1/refunds", refund_params(request), request.idempotency_key)
        except Permanent as exc:
            if "charge_already_refunded" in exc.detail:
                exc.message = "This payment has already been refunded at the processor."
            raise
        refund_id, status = body.get("id"), body.get("status")
        if not isinstance(refund_id, str):
            raise Transient(
                "The processor's answer was garbled; the refund will be checked again.",
                "refund response without id",
            )
        if status in ("succeeded", "pending"):
            return RefundResult(refund_id=refund_id, status=status)
        reason = body.get("failure_reason") or ""
        raise Permanent(
            "The processor could not refund this payment. Give the donor the money back "
            "another way, and tell the organisation's treasurer.",
            f"{_code(refund_id)}: status {_code(status)} {_code(reason)}".strip(),
        )

    # ---- a gift paid later, on Stripe's page (pay_links.py) ----
    def pay_links(self) -> StripePayLinks:
        from .pay_links import StripePayLinks

        return StripePayLinks(self)

    def _post(self, path: str, params: Mapping[str, Any], idempotency_key: str) -> dict[str, Any]:
        with transport_errors(path), deadline.within(self.timeout):
            response = self._client.post(
                path,
                data=dict(form_encode(params)),
                headers={"Idempotency-Key": idempotency_key},
            )
        return self._parse(response, path)

    def _parse(self, response: httpx.Response, path: str) -> dict[str, Any]:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            body = None
        status = response.status_code
        if 200 <= status < 300:
            if body is None:
                raise Transient(
                    "The processor's answer was garbled; it will be checked again.",
                    f"HTTP {status} {path}: body is not a JSON object",
                )
            return body
        raise error_from_response(status, body, response.headers.get("Retry-After"), path)

    def _get(self, path: str) -> dict[str, Any]:
        """A read: never charges, so a lost answer is only "ask again"."""
        with transport_errors(path):
            response = self._client.get(path)
        return self._parse(response, path)

    def check_access(self) -> str | None:
        """A harmless read (list one customer) proving the key works; returns the server's
        Date header for a clock check. Raises Transient or Permanent like any call."""
        try:
            with deadline.within(self.timeout):
                response = self._client.get("/v1/customers", params={"limit": 1})
        except httpx.HTTPError as exc:
            raise Transient(
                "Couldn't reach the processor.",
                f"{type(exc).__name__} GET /v1/customers",
                maybe_charged=False,
            ) from None
        self._parse(response, "/v1/customers")
        return response.headers.get("Date")

    def close(self) -> None:
        self._client.close()


def _charge_result(pi_id: str, body: dict[str, Any]) -> ChargeResult:
    """A PaymentIntent as a result: approved or with the bank, and what it says it is for
    (checked against the request by the service); a decline or a step the table can't do
    raises."""
    status = body.get("status")
    if status in ("succeeded", "processing"):
        amount = body.get("amount")
        currency = body.get("currency")
        metadata = body.get("metadata")
        ref = metadata.get("donation_id") if isinstance(metadata, dict) else None
        return ChargeResult(
            payment_intent_id=pi_id,
            status=status,
            amount_cents=amount if type(amount) is int else None,
            currency=currency if isinstance(currency, str) else None,
            donation_ref=ref if isinstance(ref, str) else None,
        )
    err = body.get("last_payment_error") or {}
    if not isinstance(err, dict):
        err = {}
    if status == "requires_payment_method" and err:
        # Any JSON may sit in these fields: text, bounded (the codes are stored and shown).
        code = _code(err.get("decline_code") or err.get("code") or "generic_decline")
        raise Declined(
            decline_message(code),
            _code(err.get("code") or ""),
            code,
            f"{_code(pi_id)}: {status}",
        )
    raise Permanent(
        "The card needs a step Tableside can't do at the table. Ask for another card.",
        f"{_code(pi_id)}: unexpected status {_code(status)}",
    )


def error_from_response(
    status: int, body: dict[str, Any] | None, retry_after: str | None, path: str
) -> ProcessorError:
    err = (body or {}).get("error") or {}
    if not isinstance(err, dict):
        err = {}
    etype, code = _code(err.get("type", "")), _code(err.get("code", ""))
    detail = f"HTTP {status} {path}: {etype} {code} {str(err.get('message', ''))[:300]}".strip()
    if status == 402 or etype == "card_error":
        dcode = _code(err.get("decline_code") or code or "generic_decline")
        return Declined(decline_message(dcode), code, dcode, detail)
    if status in (408, 409, 429) or status >= 500:  # 408: a timeout on the way, like ours
        return Transient(
            "The processor is busy; trying again.", detail, retry_after=_seconds(retry_after)
        )
    if status in (401, 403):
        return Permanent("The processor rejected this station's key. Ask IT to check it.", detail)
    if etype == "idempotency_error":
        return Permanent("The processor refused a retry with changed details.", detail)
    return Permanent("The processor refused the request.", detail)


CODE_MAX = 64  # Stripe's codes are short words; anything longer is not one of them
ID_MAX = 255  # Stripe's object ids are at most 255 characters


def _code(value: Any) -> str:
    """An error or decline code from the answer as bounded text, whatever JSON it was: it
    goes into details, logs and the donation row, so a runaway answer must not."""
    return str(value)[:CODE_MAX]


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _without_card(text: str, card: Card) -> str:
    """The text with this card's number and CVC taken out (a peer may quote them back)."""
    if card.digits:
        text = text.replace(card.digits, "[card]")
    if card.cvc:
        text = re.sub(rf"(?<!\d){re.escape(card.cvc)}(?!\d)", "[cvc]", text)
    return text


@contextlib.contextmanager
def transport_errors(path: str) -> Iterator[None]:
    """httpx's failures as our kinds: nothing connected is certainly not charged (offline);
    a timeout or a dropped connection after sending may have been acted on. A call's total
    deadline (pos_app/deadline.py) passing surfaces here as httpx's own timeout, so it
    means "may have acted" too: a charge then is in doubt until a replay settles it."""
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise Transient(
            "Couldn't reach the processor.",
            f"{type(exc).__name__} {path}",
            maybe_charged=False,
            offline=True,
        ) from None
    except httpx.TimeoutException as exc:
        raise Transient(
            "The processor didn't answer in time.", f"{type(exc).__name__} {path}"
        ) from None
    except httpx.HTTPError as exc:
        raise Transient(
            "The connection to the processor dropped.", f"{type(exc).__name__} {path}"
        ) from None


# ---- the registration: what the rest of the app knows about Stripe ----


def stripe_hosts(processor: Processor) -> list[tuple[str, int]]:
    """Where the adapter talks. A stand-in by the same name (the command line's) talks
    nowhere, so it has no api_base."""
    if not isinstance(processor, StripeProcessor):
        return []
    parts = urlsplit(processor.api_base)
    if not parts.hostname:
        return []
    return [(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))]


def stripe_mode_label(processor: Processor) -> str:
    if isinstance(processor, StripeProcessor) and processor.live_mode:
        return "Stripe LIVE — real charges"
    return "Stripe TEST mode"


def stripe_doctor_checks(
    settings: Settings,
    build: Callable[[str], StripeProcessor] | None = None,
    more: Callable[[StripeProcessor], list[Check]] = lambda _processor: [],
) -> list[Check]:
    """The key from the keyring, then a harmless read with it (no charge), then the clock
    against Stripe's. `build` makes the adapter from the key; `more` adds checks that
    need a working key (the Terminal's reader)."""
    p = settings.payments
    try:
        key = get_secret(STRIPE_SECRET_KEY)
    except SecretsError as exc:
        return [Check("processor", "fail", f"not checked: {exc}", exc.fix)]
    processor = (build or (lambda k: StripeProcessor(k, api_base=p.api_base, timeout=10.0)))(key)
    try:
        date = processor.check_access()
        works = f"Stripe at {p.api_base}: key works, {stripe_mode(key)}"
        checks = [Check("processor", "ok", works), *more(processor)]
    except ProcessorError as exc:
        fix = "check the network" if exc.kind == "transient" else "run `pos-app configure`"
        return [Check("processor", "fail", f"{exc.message} ({exc.detail})", fix)]
    finally:
        processor.close()
    return [*checks, clock_check(date)]


SPEC = register(
    ProcessorSpec(
        name=StripeProcessor.name,
        label="Stripe (cards typed in)",
        mode_label=stripe_mode_label,
        factory=lambda settings, secret: StripeProcessor(
            secret(STRIPE_SECRET_KEY),
            api_base=settings.payments.api_base,
            timeout=settings.payments.timeout,
        ),
        capabilities=StripeProcessor.capabilities,
        secrets=(STRIPE_KEY,),
        hosts=stripe_hosts,
        doctor_checks=stripe_doctor_checks,
    )
)
