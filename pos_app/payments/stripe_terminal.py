"""Stripe Terminal, server-driven: a smart reader (WisePOS E, S700) driven over the REST API.

The card never touches the laptop: Tableside creates a card_present PaymentIntent, hands
it to the reader (`process_payment_intent`), and reads the reader's action and the
PaymentIntent until the donor's tap, chip or swipe settles it. Keyed entry (the fallback a
lead may switch on) and refunds, customers and card saving are the keyed adapter's,
inherited: one account, one key.

Every write carries an Idempotency-Key derived from the gift's own key, so a replay after a
crash or a lost answer reaches the same PaymentIntent and never makes a second one.
Reader errors (offline, busy) become ReaderUnavailable; network failures Transient.
Answers become plain, bounded data in payments/terminal_answers.py (a PaymentIntent with
the amount, currency and gift it says it is for, which the reader service checks before
approving). Saving a reader gift's card saves the charge's generated card (Stripe refuses
the card_present one): jobs/kinds/save_card.py. Registered as `stripe_terminal` at the
bottom: the Stripe key, and a doctor check that the reader is online.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from pos_app import deadline
from pos_app.checks import Check
from pos_app.secrets import STRIPE_KEY, STRIPE_SECRET_KEY

from .base import Permanent, ProcessorError, Transient
from .card_present import (
    BUSY_MESSAGE,
    OFFLINE_MESSAGE,
    PRESENT_APPROVE,
    PRESENT_DECLINE,
    PRESENT_REMOVED,
    CardPresentPayment,
    CardPresentSetup,
    ReaderAction,
    ReaderChargeRequest,
    ReaderInfo,
    ReaderSetupRequest,
    ReaderUnavailable,
)
from .registry import Capability, ProcessorSpec, register
from .stripe import (
    StripeProcessor,
    _code,
    error_from_response,
    form_encode,
    stripe_doctor_checks,
    stripe_hosts,
    stripe_mode_label,
    transport_errors,
)
from .terminal_answers import parse_action, parse_payment, parse_setup, reader_info

if TYPE_CHECKING:
    from pos_app.settings import Settings

    from .base import Processor

log = logging.getLogger(__name__)

# Stripe's test cards for the simulated reader's present_payment_method helper.
TEST_APPROVE_CARD = "4242424242424242"
TEST_DECLINE_CARD = "4000000000000002"


def reader_payment_intent_params(request: ReaderChargeRequest) -> dict[str, Any]:
    """The PaymentIntent body, a pure function of the persisted request: replays match."""
    params: dict[str, Any] = {
        "amount": request.amount_cents,
        "currency": request.currency,
        "payment_method_types": ["card_present"],
        "capture_method": "automatic",
        "metadata": {"donation_id": request.donation_id},
    }
    if request.setup_future_usage:
        # Stripe then attaches a reusable card (generated_card) to the charge.
        params["setup_future_usage"] = request.setup_future_usage
    if request.description:
        params["description"] = request.description
    return params


def reader_setup_params(request: ReaderSetupRequest) -> dict[str, Any]:
    """The card_present SetupIntent body, a pure function of the attendee's stored ids:
    replays match. Kept for charges with nobody at the table (a pledge): off_session."""
    return {
        "customer": request.customer_id,
        "usage": "off_session",
        "payment_method_types": ["card_present"],
        "metadata": {"attendee_id": request.attendee_id},
    }


def display_params(request: ReaderChargeRequest, line: str) -> dict[str, Any]:
    return {
        "type": "cart",
        "cart": {
            "currency": request.currency,
            "line_items": [{"description": line, "amount": request.amount_cents, "quantity": 1}],
            "total": request.amount_cents,
        },
    }


class StripeTerminalProcessor(StripeProcessor):
    name = "stripe_terminal"
    capabilities = StripeProcessor.capabilities | {Capability.READER}

    def __init__(
        self,
        api_key: str,
        reader_id: str,
        api_base: str = "https://api.stripe.com",
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(api_key, api_base=api_base, timeout=timeout, transport=transport)
        self.reader_id = reader_id
        self.test_mode = not self.live_mode
        if self.test_mode:  # Stripe's simulated readers take a tap only under a test key
            self.capabilities = self.capabilities | {Capability.TEST_TAPS}

    def card_reader(self) -> StripeTerminalProcessor:
        return self

    # ---- one gift on the reader ----
    def create_reader_payment(self, request: ReaderChargeRequest, timeout: float) -> str:
        body = self._call(
            "POST",
            "/v1/payment_intents",
            reader_payment_intent_params(request),
            request.idempotency_key,
            timeout,
        )
        pi_id = body.get("id")
        if not isinstance(pi_id, str) or not pi_id.startswith("pi_"):
            raise Transient(
                "The processor's answer was garbled; the payment will be checked again.",
                "payment_intent response without id",
            )
        return pi_id

    def show_amount(self, request: ReaderChargeRequest, timeout: float, attempt: int = 1) -> None:
        from pos_app.domain.money import format_cents

        line = f"Donation {format_cents(request.amount_cents, request.currency)}"
        self._reader_post(
            "set_reader_display",
            display_params(request, line),
            _step_key(request, "display", attempt),
            timeout,
        )

    def process(
        self, request: ReaderChargeRequest, payment_intent_id: str, timeout: float, attempt: int = 1
    ) -> None:
        body = self._reader_post(
            "process_payment_intent",
            {"payment_intent": payment_intent_id},
            _step_key(request, "process", attempt),
            timeout,
        )
        action = parse_action(body)
        if action.payment_intent_id not in (None, payment_intent_id):
            raise ReaderUnavailable(BUSY_MESSAGE, "terminal_reader_busy", "action for another PI")

    def reader_action(self, timeout: float) -> ReaderAction:
        return parse_action(
            self._call("GET", f"/v1/terminal/readers/{self.reader_id}", {}, None, timeout)
        )

    def payment(self, payment_intent_id: str, timeout: float) -> CardPresentPayment:
        body = self._call(
            "GET",
            f"/v1/payment_intents/{payment_intent_id}",
            {"expand": ["latest_charge"]},
            None,
            timeout,
        )
        return parse_payment(body)

    def cancel_reader_action(self, timeout: float) -> None:
        # Cancelling twice is harmless, so each attempt has its own key.
        self._reader_post("cancel_action", {}, f"tableside-cancel-{uuid.uuid4().hex}", timeout)

    def cancel_payment(
        self, request: ReaderChargeRequest, payment_intent_id: str, timeout: float
    ) -> CardPresentPayment:
        try:
            self._call(
                "POST",
                f"/v1/payment_intents/{payment_intent_id}/cancel",
                {"cancellation_reason": "abandoned"},
                f"{request.idempotency_key}-cancel",
                timeout,
            )
        except Permanent as exc:  # e.g. it succeeded first: the state below says so
            log.info("cancel of %s refused: %s", payment_intent_id, exc.detail)
        return self.payment(payment_intent_id, timeout)

    # ---- a card kept with no charge (check-in) ----
    def create_reader_setup(self, request: ReaderSetupRequest, timeout: float) -> str:
        body = self._call("POST", "/v1/setup_intents", reader_setup_params(request),
                          f"{request.idempotency_key}-setup", timeout)  # fmt: skip
        seti = body.get("id")
        if not isinstance(seti, str) or not seti.startswith("seti_") or len(seti) > 64:
            raise Transient(
                "The processor's answer was garbled; the card will be checked again.",
                "setup_intent response without id",
            )
        return seti

    def process_setup(
        self, request: ReaderSetupRequest, setup_intent_id: str, timeout: float
    ) -> None:
        # API 2023-08-16 requires customer_consent_collected: the volunteer asked the guest
        # (the check-in window says the card is kept for the night's pledges).
        body = self._reader_post(
            "process_setup_intent",
            {"setup_intent": setup_intent_id, "customer_consent_collected": True},
            f"{request.idempotency_key}-process",
            timeout,
        )
        action = parse_action(body)
        if action.setup_intent_id not in (None, setup_intent_id):
            raise ReaderUnavailable(BUSY_MESSAGE, "terminal_reader_busy", "action for another SI")

    def setup(self, setup_intent_id: str, timeout: float) -> CardPresentSetup:
        body = self._call(
            "GET",
            f"/v1/setup_intents/{setup_intent_id}",
            {"expand": ["latest_attempt", "payment_method"]},
            None,
            timeout,
        )
        return parse_setup(body)

    def cancel_setup(
        self, request: ReaderSetupRequest, setup_intent_id: str, timeout: float
    ) -> CardPresentSetup:
        try:
            self._call(
                "POST",
                f"/v1/setup_intents/{setup_intent_id}/cancel",
                {"cancellation_reason": "abandoned"},
                f"{request.idempotency_key}-cancel",
                timeout,
            )
        except Permanent as exc:  # e.g. it succeeded first: the state below says so
            log.info("cancel of %s refused: %s", setup_intent_id, exc.detail)
        return self.setup(setup_intent_id, timeout)

    def present(self, kind: str) -> None:
        """Test mode only: the simulated reader's donor, through Stripe's test helper (for
        a payment or a setup on the reader alike)."""
        if not self.test_mode:
            raise Permanent("Simulated taps only work with a test key.", "live key")
        if kind == PRESENT_REMOVED:
            self.cancel_reader_action(self._timeout)  # the nearest Stripe has: the tap stops
            return
        number = {PRESENT_APPROVE: TEST_APPROVE_CARD, PRESENT_DECLINE: TEST_DECLINE_CARD}[kind]
        self._call(
            "POST",
            f"/v1/test_helpers/terminal/readers/{self.reader_id}/present_payment_method",
            {"type": "card_present", "card_present": {"number": number}},
            f"tableside-present-{uuid.uuid4().hex}",
            self._timeout,
        )

    # ---- set-up: locations and readers (not yet reachable from the CLI; issue 20) ----
    def readers(self) -> list[ReaderInfo]:
        body = self._call("GET", "/v1/terminal/readers", {"limit": 100}, None, self._timeout)
        return [reader_info(r) for r in body.get("data") or [] if isinstance(r, Mapping)]

    def locations(self) -> list[dict[str, Any]]:
        body = self._call("GET", "/v1/terminal/locations", {"limit": 100}, None, self._timeout)
        return [r for r in body.get("data") or [] if isinstance(r, Mapping)]

    def create_location(self, display_name: str, address: Mapping[str, str]) -> str:
        body = self._call(
            "POST",
            "/v1/terminal/locations",
            {"display_name": display_name, "address": dict(address)},
            f"tableside-location-{uuid.uuid4().hex}",
            self._timeout,
        )
        return str(body.get("id"))

    def register_reader(self, code: str, label: str, location: str) -> ReaderInfo:
        body = self._call(
            "POST",
            "/v1/terminal/readers",
            {"registration_code": code, "label": label, "location": location},
            f"tableside-register-{uuid.uuid4().hex}",
            self._timeout,
        )
        return reader_info(body)

    def reader(self, reader_id: str | None = None) -> ReaderInfo:
        rid = reader_id or self.reader_id
        return reader_info(
            self._call("GET", f"/v1/terminal/readers/{rid}", {}, None, self._timeout)
        )

    # ---- HTTP ----
    @property
    def _timeout(self) -> float:
        return float(self._client.timeout.read or 30.0)

    def _reader_post(
        self, what: str, params: Mapping[str, Any], key: str, timeout: float
    ) -> dict[str, Any]:
        path = f"/v1/terminal/readers/{self.reader_id}/{what}"
        return self._call("POST", path, params, key, timeout)

    def _call(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any],
        key: str | None,
        timeout: float,
    ) -> dict[str, Any]:
        t = httpx.Timeout(max(timeout, 0.05), connect=min(max(timeout, 0.05), 5.0))
        with transport_errors(path), deadline.within(max(timeout, 0.05)):
            if method == "GET":
                response = self._client.get(path, params=form_encode(params), timeout=t)
            else:
                response = self._client.post(
                    path,
                    data=dict(form_encode(params)),
                    headers={"Idempotency-Key": key or f"tableside-{uuid.uuid4().hex}"},
                    timeout=t,
                )
        if response.status_code >= 400:
            raise _reader_error(response, path)
        return self._parse(response, path)


def _step_key(request: ReaderChargeRequest, step: str, attempt: int) -> str:
    """A reader step's Idempotency-Key, derived from the gift's; a second attempt (after a
    stale action was cleared off the reader) is a request of its own."""
    suffix = step if attempt == 1 else f"{step}-{attempt}"
    return f"{request.idempotency_key}-{suffix}"


def _reader_error(response: httpx.Response, path: str) -> ProcessorError:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    body = body if isinstance(body, dict) else None
    err = (body or {}).get("error")
    code = _code(err.get("code", "")) if isinstance(err, dict) else ""
    detail = f"HTTP {response.status_code} {path}: {code}"
    if code == "terminal_reader_offline":
        return ReaderUnavailable(OFFLINE_MESSAGE, code, detail)
    if code == "terminal_reader_busy":
        return ReaderUnavailable(BUSY_MESSAGE, code, detail)
    if code == "terminal_reader_timeout":
        # The reader didn't answer Stripe in time: the action may or may not have started.
        return Transient("The reader didn't answer in time.", detail)
    return error_from_response(
        response.status_code, body, response.headers.get("Retry-After"), path
    )


# ---- the registration ----


def _reader_check(processor: StripeProcessor) -> list[Check]:
    """Registered on this key's account, online, and idle: a reader stuck in an action
    refuses the next gift (terminal_reader_busy), so that is a ✗ line tonight, not later."""
    assert isinstance(processor, StripeTerminalProcessor)
    rid = processor.reader_id
    try:
        info = processor.reader()
    except ProcessorError as exc:
        missing = "404" in exc.detail or "resource_missing" in exc.detail
        what = "is not registered on this Stripe account" if missing else exc.message
        return [Check("reader", "fail", f"{rid} {what} ({exc.detail})",
                      "run `pos-app reader list` and pick this station's reader with "
                      "`pos-app reader use READER_ID` (or register it: see README)")]  # fmt: skip
    name = f"{info.label or info.id} ({info.id})"
    if info.status != "online":
        return [Check("reader", "fail", f"{name} is {info.status or 'unknown'}",
                      "turn the reader on and join it to the venue's Wi-Fi")]  # fmt: skip
    if info.action and info.action.endswith("in_progress"):
        return [Check("reader", "fail", f"{name} is busy: {info.action}",
                      "finish or cancel the payment on the reader's screen; if it stays "
                      "busy, restart the reader")]  # fmt: skip
    return [Check("reader", "ok", f"{name}, {info.device_type}: online and idle")]


def _doctor_checks(settings: Settings) -> list[Check]:
    p = settings.payments
    return stripe_doctor_checks(
        settings,
        lambda key: StripeTerminalProcessor(key, p.reader, api_base=p.api_base, timeout=10.0),
        _reader_check,
    )


def _mode_label(processor: Processor) -> str:
    if not isinstance(processor, StripeTerminalProcessor):
        return stripe_mode_label(processor)
    return f"{stripe_mode_label(processor)} — reader {processor.reader_id}"


def _settings_problem(settings: Settings) -> str | None:
    if settings.payments.reader:
        return None
    return (
        "'payments.reader' must name the reader (tmr_...) for stripe_terminal; its id is on "
        "the Stripe Dashboard's Terminal page."
    )


SPEC = register(
    ProcessorSpec(
        name=StripeTerminalProcessor.name,
        label="Stripe Terminal (card reader)",
        mode_label=_mode_label,
        factory=lambda settings, secret: StripeTerminalProcessor(
            secret(STRIPE_SECRET_KEY),
            settings.payments.reader,
            api_base=settings.payments.api_base,
            timeout=settings.payments.timeout,
        ),
        capabilities=StripeTerminalProcessor.capabilities,
        secrets=(STRIPE_KEY,),
        hosts=stripe_hosts,
        doctor_checks=_doctor_checks,
        settings_problem=_settings_problem,
    )
)
