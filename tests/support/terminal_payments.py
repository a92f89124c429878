"""card_present payments for the Terminal test peer (tests/support/terminal_peer.py), as
localstripe objects in the bridged localstripe process.

A card_present PaymentIntent is a localstripe PaymentIntent (subclassed: Stripe's
`payment_method_types`, `setup_future_usage`, `last_payment_error`, `latest_charge` as an
id unless expanded), and a read card is a localstripe Charge with Stripe's
`payment_method_details.card_present` (brand, last4, read_method, EMV receipt,
`generated_card`), so refunds, customers and the bridge's idempotency layer work on it
unchanged. `middleware` intercepts the localstripe routes that would get card_present
wrong: PaymentIntent create (localstripe has no card_present), cancel (localstripe refuses
`cancellation_reason`), and attaching a card_present PaymentMethod (Stripe refuses it: the
issue saw HTTP 402; the generated card attaches like any card).

A card kept with no charge at check-in (`process_setup_intent`): a card_present SetupIntent
is a localstripe SetupIntent (subclassed: localstripe knows no card_present) created with
Stripe's checks (customer, usage, payment_method_types, metadata); only a reader confirms
it (`confirm` is refused), and cancel takes Stripe's `cancellation_reason` and refuses one
that succeeded (400 setup_intent_unexpected_state). A card read for it (`read_card_for_setup`)
makes a SetupAttempt (`setatt_`, retrievable by expanding `latest_attempt`) whose
`payment_method_details.card_present.generated_card` is a reusable `card` PaymentMethod
attached to the SetupIntent's customer (Stripe attaches it); the SetupIntent is
`succeeded` with `payment_method` the card_present PaymentMethod read. A refused card
leaves the SetupIntent `requires_payment_method` with `last_setup_error` (card_error,
card_declined, its decline_code) and a failed attempt carrying the same `setup_error`.

Only Stripe's test numbers are read (TEST_NUMBERS). The card_present PaymentMethod keeps no
number, only brand, last4 and a fingerprint; the generated card is a localstripe card,
in memory only (localstripe's dump to disk is switched off by localstripe_server.py).
Runs only inside the server process (imported as a top-level module from there).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Stripe's test numbers for card_present: (decline_code or None, brand, funding)
TEST_NUMBERS: dict[str, tuple[str | None, str]] = {
    "4242424242424242": (None, "visa"),
    "4000056655665556": (None, "visa"),
    "5555555555554444": (None, "mastercard"),
    "4000000000000002": ("generic_decline", "visa"),
    "4000000000009995": ("insufficient_funds", "visa"),
    "4000000000000069": ("expired_card", "visa"),
}
EMV = {  # brand -> (application_preferred_name, AID)
    "visa": ("Visa Credit", "A0000000031010"),
    "mastercard": ("Mastercard", "A0000000041010"),
}
DECLINE_WORDS = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "expired_card": "Your card has expired.",
}
CANCEL_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
SETUP_CANCEL_REASONS = ("abandoned", "duplicate", "requested_by_customer")
SETUP_CANCELABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)


def error(status: int, message: str, code: str | None = None, **extra: Any) -> UserError:
    contents: dict[str, Any] = {"code": code} if code else {}
    if code:
        contents["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    contents.update(extra)
    return UserError(status, message, contents)


def missing(kind: str, id_: str, param: str | None = None) -> UserError:
    status = 400 if param else 404
    extra = {"param": param} if param else {}
    return error(status, f"No such {kind}: '{id_}'", "resource_missing", **extra)


def unknown(data: dict[str, Any], allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise error(400, f"Received unknown parameter: {key}", "parameter_unknown", param=key)


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:14]


# ---- card_present objects, as localstripe objects ------------------------------------------


class CardPresentPaymentMethod(resources.PaymentMethod):
    """The card as the reader read it: no number kept, can't be attached to a customer."""

    def __init__(self, brand: str, last4: str, fingerprint: str, read_method: str) -> None:
        resources.StripeObject.__init__(self)  # localstripe's __init__ takes only keyed cards
        exp = dt.date.today().year + 3
        self.type = "card_present"
        self.billing_details = {"address": None, "email": None, "name": None, "phone": None}
        self.card_present = {
            "brand": brand,
            "last4": last4,
            "exp_month": 12,
            "exp_year": exp,
            "fingerprint": fingerprint,
            "funding": "credit",
            "country": "US",
            "read_method": read_method,
            "networks": {"available": [brand], "preferred": None},
        }
        self.customer = None
        self.metadata = {}

    def _charging_is_declined(self) -> bool:
        return False  # the decision was the reader's, made in present_payment_method


class CardPresentPaymentIntent(resources.PaymentIntent):
    def __init__(
        self,
        payment_method_types: list[str],
        setup_future_usage: str | None,
        description: str | None,
        **data: Any,
    ) -> None:
        super().__init__(**data)
        self.payment_method_types = payment_method_types
        self.setup_future_usage = setup_future_usage
        self.description = description
        self.cancellation_reason: str | None = None
        self.canceled_at: int | None = None
        self.confirmation_method = "automatic"
        self._decline: dict[str, Any] | None = None

    @property
    def last_payment_error(self) -> dict[str, Any] | None:  # type: ignore[override]
        return self._decline if self.status in ("requires_payment_method", "canceled") else None

    def _export(self, expand: list[str] | None = None) -> dict[str, Any]:
        obj = super()._export(expand=expand)
        if "latest_charge" not in (expand or []) and isinstance(obj.get("latest_charge"), dict):
            obj["latest_charge"] = obj["latest_charge"]["id"]  # Stripe: an id unless expanded
        obj.pop("charges", None)  # not on a PaymentIntent since 2022-11-15
        return obj


def _card_present_details(
    pi: CardPresentPaymentIntent,
    pm: CardPresentPaymentMethod,
    generated: str | None,
    auth_code: str,
) -> dict[str, Any]:
    card = pm.card_present
    app_name, aid = EMV.get(card["brand"], ("Credit", "A0000000000000"))
    return {
        "type": "card_present",
        "card_present": {
            "amount_authorized": pi.amount,
            "brand": card["brand"],
            "cardholder_name": None,
            "country": "US",
            "emv_auth_data": "8A023030",
            "exp_month": card["exp_month"],
            "exp_year": card["exp_year"],
            "fingerprint": card["fingerprint"],
            "funding": "credit",
            "generated_card": generated,
            "incremental_authorization_supported": False,
            "last4": card["last4"],
            "network": card["brand"],
            "overcapture_supported": False,
            "read_method": card["read_method"],
            "receipt": {
                "account_type": "credit",
                "application_cryptogram": "0AB1C2D3E4F5A6B7",
                "application_preferred_name": app_name,
                "authorization_code": auth_code or None,
                "authorization_response_code": "3030",
                "cardholder_verification_method": "none",
                "dedicated_file_name": aid,
                "terminal_verification_results": "0000000000",
                "transaction_status_information": "0000",
            },
        },
    }


def read_card(reader: dict[str, Any], pi: CardPresentPaymentIntent, number: str) -> None:
    """The donor's card meets the reader: charge it (or decline) and settle the action."""
    action = reader["action"]
    if pi.status != "requires_payment_method":
        action.update(
            status="failed",
            failure_code="payment_intent_unexpected_state",
            failure_message=f"The PaymentIntent is {pi.status}.",
        )
        return
    decline, brand = TEST_NUMBERS[number]
    fingerprint = hashlib.sha256(number.encode()).hexdigest()[:16]
    pm = CardPresentPaymentMethod(brand, number[-4:], fingerprint, "contactless_emv")
    charge = resources.Charge(amount=pi.amount, currency=pi.currency, source=pm.id)
    charge.payment_intent = pi.id
    # fields Stripe's charge has and localstripe's lacks (the spec requires them)
    charge.amount_captured, charge.disputed = 0, False
    charge.billing_details = {"address": None, "email": None, "name": None, "phone": None}
    charge.metadata = dict(pi.metadata)
    pi.latest_charge = charge
    if decline is not None:
        charge._set_auth_failure()
        words = DECLINE_WORDS[decline]
        charge.failure_message = words
        charge.payment_method_details = _card_present_details(pi, pm, None, "")
        pi._decline = {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": decline,
            "message": words,
            "charge": charge.id,
            "payment_method": pm._export(),
        }
        pi.payment_method = None
        action.update(status="failed", failure_code="card_declined", failure_message=words)
        return
    generated = None
    if pi.setup_future_usage:
        exp = str(dt.date.today().year + 3)
        card = resources.PaymentMethod(
            type="card", card={"number": number, "exp_month": "12", "exp_year": exp, "cvc": "123"}
        )
        card.card["brand"], card.card["country"] = brand, "US"
        generated = card.id
    auth_code = hashlib.sha256(pi.id.encode()).hexdigest()[:6].upper()
    charge.payment_method_details = _card_present_details(pi, pm, generated, auth_code)
    if generated is not None:
        card.card["generated_from"] = {
            "charge": charge.id,
            "setup_attempt": None,
            "payment_method_details": charge.payment_method_details,
        }
    pi.payment_method = pm.id
    charge._initialize_charge(pi._on_success)
    charge.amount_captured = pi.amount if charge.captured else 0
    action.update(status="succeeded")


# ---- a card kept with no charge: card_present SetupIntents ---------------------------------


class CardPresentSetupIntent(resources.SetupIntent):
    """A SetupIntent a reader confirms (`process_setup_intent`)."""

    def __init__(self, customer: str | None, usage: str, metadata: dict[str, Any],
                 description: str | None) -> None:  # fmt: skip
        super().__init__(customer=customer, usage=usage, metadata=metadata)
        self.payment_method_types = ["card_present"]
        self.description = description
        self.payment_method_options = {"card_present": {}}


class SetupAttempt(resources.StripeObject):
    """One card read for a SetupIntent (Stripe's `setup_attempt`)."""

    object = "setup_attempt"
    _id_prefix = "setatt_"

    def __init__(self, si: CardPresentSetupIntent, pm: CardPresentPaymentMethod,
                 generated: str | None, error: dict[str, Any] | None) -> None:  # fmt: skip
        super().__init__()
        self.application = None
        self.attach_to_self = False
        self.customer = si.customer
        self.flow_directions = None
        self.on_behalf_of = None
        self.payment_method = pm.id
        self.payment_method_details = {
            "type": "card_present",
            "card_present": {"generated_card": generated},
        }
        self.setup_error = error
        self.setup_intent = si.id
        self.status = "failed" if error else "succeeded"
        self.usage = si.usage


def read_card_for_setup(reader: dict[str, Any], si: CardPresentSetupIntent, number: str) -> None:
    """The guest's card meets the reader for a SetupIntent: keep it (a generated card for
    the customer) or refuse it, and settle the action."""
    action = reader["action"]
    if si.status != "requires_payment_method":
        action.update(
            status="failed",
            failure_code="setup_intent_unexpected_state",
            failure_message=f"The SetupIntent is {si.status}.",
        )
        return
    decline, brand = TEST_NUMBERS[number]
    fingerprint = hashlib.sha256(number.encode()).hexdigest()[:16]
    pm = CardPresentPaymentMethod(brand, number[-4:], fingerprint, "contactless_emv")
    if decline is not None:
        words = DECLINE_WORDS[decline]
        err = {"type": "card_error", "code": "card_declined", "decline_code": decline,
               "message": words}  # fmt: skip
        attempt = SetupAttempt(si, pm, None, dict(err))
        si.latest_attempt, si.last_setup_error = attempt.id, dict(err)
        si.payment_method = None
        action.update(status="failed", failure_code="card_declined", failure_message=words)
        return
    exp = str(dt.date.today().year + 3)
    card = resources.PaymentMethod(
        type="card", card={"number": number, "exp_month": "12", "exp_year": exp, "cvc": "123"}
    )
    card.card["brand"], card.card["country"] = brand, "US"
    card.customer = si.customer  # a SetupIntent with a customer keeps the card for them
    attempt = SetupAttempt(si, pm, card.id, None)
    card.card["generated_from"] = {
        "charge": None,
        "payment_method_details": None,
        "setup_attempt": attempt.id,
    }
    si.status, si.payment_method, si.latest_attempt = "succeeded", pm.id, attempt.id
    si.last_setup_error, si.next_action = None, None
    action.update(status="succeeded")
    action["process_setup_intent"]["generated_card"] = card.id


async def _create_card_present_setup(request: web.Request) -> web.Response:
    data = dict(await server.get_post_data(request) or {})
    unknown(data, {"customer", "usage", "payment_method_types", "metadata", "description",
                   "expand"})  # fmt: skip
    types = data.get("payment_method_types")
    if not isinstance(types, list) or set(types) != {"card_present"}:
        raise error(400, "The peer takes payment_method_types card_present only.",
                    param="payment_method_types")  # fmt: skip
    usage = data.get("usage", "off_session")
    if usage not in ("off_session", "on_session"):
        raise error(400, "Invalid usage: must be one of off_session, on_session", param="usage")
    customer = data.get("customer")
    if customer is not None and (
        not isinstance(customer, str) or resources.store.get(f"customer:{customer}") is None
    ):
        raise missing("customer", str(customer), param="customer")
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise error(400, "Invalid metadata", param="metadata")
    si = CardPresentSetupIntent(customer, usage, metadata, data.get("description"))
    return server.json_response(si._export(expand=data.get("expand")))


async def _cancel_card_present_setup(
    request: web.Request, si: CardPresentSetupIntent
) -> web.Response:
    data = await server.get_post_data(request) or {}
    unknown(data, {"cancellation_reason", "expand"})
    reason = data.get("cancellation_reason")
    if reason is not None and reason not in SETUP_CANCEL_REASONS:
        raise error(400, "Invalid cancellation_reason", param="cancellation_reason")
    if si.status not in SETUP_CANCELABLE:
        raise error(
            400,
            "You cannot cancel this SetupIntent because it has a status of "
            f"{si.status}. Only a SetupIntent with one of the following statuses "
            f"may be canceled: {', '.join(SETUP_CANCELABLE)}.",
            "setup_intent_unexpected_state",
        )
    si.status, si.cancellation_reason, si.next_action = "canceled", reason, None
    return server.json_response(si._export(expand=data.get("expand")))


# ---- interceptions of localstripe's own routes ---------------------------------------------


async def _create_card_present(request: web.Request, stats: dict[str, int]) -> web.Response:
    data = dict(await server.get_post_data(request) or {})
    unknown(
        data,
        {
            "amount",
            "currency",
            "payment_method_types",
            "setup_future_usage",
            "capture_method",
            "metadata",
            "description",
            "expand",
        },
    )
    types = data.pop("payment_method_types")
    if not isinstance(types, list) or not set(types) <= {"card_present"}:
        raise error(
            400,
            "The peer takes payment_method_types card_present only.",
            param="payment_method_types",
        )
    sfu = data.pop("setup_future_usage", None)
    if sfu not in (None, "on_session", "off_session"):
        raise error(400, "Invalid setup_future_usage", param="setup_future_usage")
    capture = data.get("capture_method", "automatic")
    if capture not in ("automatic", "manual", "automatic_async"):
        raise error(400, "Invalid capture_method", param="capture_method")
    data["capture_method"] = capture
    expand = data.pop("expand", None)
    pi = CardPresentPaymentIntent(types, sfu, data.pop("description", None), **data)
    stats["payment_intents_created"] += 1
    return server.json_response(pi._export(expand=expand))


async def _cancel_card_present(request: web.Request, pi: CardPresentPaymentIntent) -> web.Response:
    data = await server.get_post_data(request) or {}
    unknown(data, {"cancellation_reason", "expand"})
    reason = data.get("cancellation_reason")
    if reason is not None and reason not in CANCEL_REASONS:
        raise error(400, "Invalid cancellation_reason", param="cancellation_reason")
    if pi.status not in CANCELABLE:
        raise error(
            400,
            "You cannot cancel this PaymentIntent because it has a status of "
            f"{pi.status}. Only a PaymentIntent with one of the following statuses "
            f"may be canceled: {', '.join(CANCELABLE)}.",
            "payment_intent_unexpected_state",
        )
    pi._canceled, pi.cancellation_reason, pi.canceled_at = True, reason, int(time.time())
    return server.json_response(pi._export())


def middleware(stats: dict[str, int]) -> Callable[..., Awaitable[web.StreamResponse]]:
    """card_present where localstripe's own routes would refuse it or get it wrong."""

    @web.middleware
    async def card_present(request: web.Request, handler: Handler) -> web.StreamResponse:
        parts = request.path.strip("/").split("/")
        if request.method != "POST" or parts[:2] not in (
            ["v1", "payment_intents"],
            ["v1", "payment_methods"],
            ["v1", "setup_intents"],
        ):
            return await handler(request)
        if parts == ["v1", "setup_intents"]:
            data = await server.get_post_data(request) or {}
            if "card_present" in (data.get("payment_method_types") or []):
                return await _create_card_present_setup(request)
        elif len(parts) == 4 and parts[1] == "setup_intents":
            si = resources.store.get(f"setup_intent:{parts[2]}")
            if isinstance(si, CardPresentSetupIntent) and parts[3] == "cancel":
                return await _cancel_card_present_setup(request, si)
            if isinstance(si, CardPresentSetupIntent) and parts[3] == "confirm":
                raise error(
                    400,
                    "A card_present SetupIntent is confirmed by a reader "
                    "(process_setup_intent), not through this endpoint.",
                    "setup_intent_invalid_parameter",
                )
        elif parts == ["v1", "payment_intents"]:
            data = await server.get_post_data(request) or {}
            if "card_present" in (data.get("payment_method_types") or []):
                return await _create_card_present(request, stats)
        elif len(parts) == 4 and parts[1] == "payment_intents" and parts[3] == "cancel":
            pi = resources.store.get(f"payment_intent:{parts[2]}")
            if isinstance(pi, CardPresentPaymentIntent):
                return await _cancel_card_present(request, pi)
        elif len(parts) == 4 and parts[1] == "payment_methods" and parts[3] == "attach":
            if isinstance(
                resources.store.get(f"payment_method:{parts[2]}"), CardPresentPaymentMethod
            ):
                raise error(
                    402,
                    "A card_present PaymentMethod can't be attached to a "
                    "Customer. Attach the charge's generated_card "
                    "(payment_method_details.card_present.generated_card).",
                    param="payment_method",
                )
        return await handler(request)

    return card_present
