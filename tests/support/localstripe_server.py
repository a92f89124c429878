"""Run localstripe on 127.0.0.1 with its known gaps bridged, for tests and bench.

    python tests/support/localstripe_server.py PORT

Bridges (here, in the test peer, never by weakening what the adapter sends):
- Idempotency: Stripe replays the stored response for a reused Idempotency-Key and answers
  400 idempotency_error when the same key comes with other parameters. localstripe ignores
  the header, so a middleware does it.
- `setup_future_usage` and `error_on_requires_action` on PaymentIntent create: localstripe
  rejects them; their values are checked against Stripe's allowed values, then dropped.
- Off-session charges of a saved card that wants 3-D Secure: Stripe answers 402
  card_error `authentication_required`; localstripe answers 200 `requires_action`. Bridged.
- Refunds: localstripe rejects `reason` ("Unexpected reason") and lets a payment be
  refunded again and again. Here `reason` is checked against Stripe's enum and kept on the
  refund (Stripe echoes it), and a refund beyond what is left of the charge is refused
  like Stripe does (400 invalid_request_error, code charge_already_refunded when nothing
  is left, amount_too_large otherwise).
- SetupIntents (check-in keeps a card on file with no charge): Stripe attaches the
  PaymentMethod to the SetupIntent's customer when the confirm succeeds, and a refused card
  leaves the SetupIntent `requires_payment_method` with `last_setup_error`, answering 402
  card_error (decline_code, the setup_intent named). localstripe attaches nothing, cancels
  the SetupIntent and answers an invalid_request_error; bridged. Its SetupIntent also
  lacks `created`, `livemode` and Stripe's nullable fields: filled in as Stripe sends them.
- localstripe pickles its whole store (card numbers included) to /tmp after every write;
  that is switched off so no card data from tests reaches disk.
`GET /_test/stats` reports how many PaymentIntents, customers and refunds were really
created (not replays), and what the store holds (PaymentIntents, charges, readers).

Stripe Terminal (locations, readers, card_present PaymentIntents, the simulated reader's
test helper) is served by the same process: tests/support/terminal_peer.py, installed on
this app; its test controls are under `/_test/terminal/`. Checkout Sessions (pay links),
which localstripe lacks, are tests/support/checkout_peer.py (controls under
`/_test/checkout/`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import sys
import time

import checkout_peer  # noqa: E402 - run as a script: tests/support is on sys.path
import terminal_peer  # noqa: E402
from aiohttp import web
from localstripe import resources, server

resources.Store.dump_to_disk = lambda self: None  # keep card data in memory only

stats = {
    "payment_intents_created": 0,
    "customers_created": 0,
    "refunds_created": 0,
    "setup_intents_created": 0,
    "setup_intents_succeeded": 0,
    "requests": 0,
}
# key -> (fingerprint, status, body, content type)
_idempotency: dict[str, tuple[str, int, bytes, str]] = {}
_inflight: dict[str, asyncio.Lock] = {}

_original_pi_create = resources.PaymentIntent._api_create.__func__


def _pi_create(cls, setup_future_usage=None, error_on_requires_action=None, **data):
    if setup_future_usage not in (None, "", "off_session", "on_session"):
        raise resources.UserError(400, "Invalid setup_future_usage")
    if error_on_requires_action not in (None, "true", "false", True, False):
        raise resources.UserError(400, "Invalid error_on_requires_action")
    obj = _original_pi_create(cls, **data)
    stats["payment_intents_created"] += 1
    if resources.try_convert_to_bool(data.get("off_session")) is True and obj.next_action:
        # Stripe never waits for a donor who isn't there: an off-session confirm of a card
        # that wants 3-D Secure fails at once with 402 authentication_required, and the
        # PaymentIntent goes back to requires_payment_method. localstripe leaves it in
        # requires_action (200), so that answer is made here.
        obj.next_action = None
        obj.payment_method = None
        err = resources.UserError(
            402,
            "Your card was declined. This transaction requires authentication.",
            {"code": "authentication_required", "decline_code": "authentication_required"},
        )
        err.body["error"]["type"] = "card_error"
        err.body["error"]["payment_intent"] = {"id": obj.id, "status": obj.status}
        raise err
    return obj


resources.PaymentIntent._api_create = classmethod(_pi_create)

_original_customer_create = resources.Customer._api_create.__func__


def _customer_create(cls, **data):
    obj = _original_customer_create(cls, **data)
    stats["customers_created"] += 1
    return obj


resources.Customer._api_create = classmethod(_customer_create)

_original_refund_create = resources.Refund._api_create.__func__
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def _refund_create(cls, reason=None, **data):
    if reason is not None and reason not in REFUND_REASONS:
        raise resources.UserError(400, "Invalid reason", {"param": "reason"})
    charge = None
    if isinstance(data.get("payment_intent"), str):
        charge = resources.PaymentIntent._api_retrieve(data["payment_intent"]).latest_charge
    elif isinstance(data.get("charge"), str):
        charge = resources.Charge._api_retrieve(data["charge"])
    if charge is not None:
        amount = resources.try_convert_to_int(data.get("amount"))
        left = charge.amount - charge.amount_refunded
        if left <= 0:
            raise resources.UserError(
                400,
                f"Charge {charge.id} has already been refunded.",
                {"code": "charge_already_refunded"},
            )
        if isinstance(amount, int) and amount > left:
            raise resources.UserError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                {"code": "amount_too_large", "param": "amount"},
            )
    obj = _original_refund_create(cls, **data)
    obj.reason = reason
    stats["refunds_created"] += 1
    return obj


resources.Refund._api_create = classmethod(_refund_create)


_original_setup_init = resources.SetupIntent.__init__


def _setup_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    _original_setup_init(self, *args, **kwargs)
    # what Stripe's SetupIntent always carries (nullable ones as null)
    self.created = int(time.time())
    self.livemode = False
    for name in ("application", "cancellation_reason", "description", "last_setup_error",
                 "latest_attempt", "mandate", "on_behalf_of", "single_use_mandate"):
        setattr(self, name, None)
    self.payment_method_options = {}
    stats["setup_intents_created"] += 1


resources.SetupIntent.__init__ = _setup_init

_original_attach_pm = resources.SetupIntent._attach_pm
# Stripe's test cards refused when a card is to be kept, with the decline code it gives
SETUP_DECLINE_CODES = {
    "4000000000009995": "insufficient_funds",
    "4000000000009987": "lost_card",
    "4000000000009979": "stolen_card",
    "4000000000000069": "expired_card",
}


def _setup_attach_pm(self, pm):  # type: ignore[no-untyped-def]
    try:
        _original_attach_pm(self, pm)
    except resources.UserError as err:
        if err.code != 402:
            raise
        code = SETUP_DECLINE_CODES.get(getattr(pm, "_card_number", ""), "generic_decline")
        error = {"type": "card_error", "code": "card_declined", "decline_code": code,
                 "message": "Your card was declined."}
        self.status, self.payment_method = "requires_payment_method", None
        self.last_setup_error = dict(error)
        err.body["error"].update(error)
        err.body["error"]["setup_intent"] = {"id": self.id, "status": self.status}
        raise
    self.last_setup_error = None
    if self.status == "succeeded":
        stats["setup_intents_succeeded"] += 1
        if self.customer:  # Stripe keeps the card for the SetupIntent's customer
            pm.customer = self.customer


resources.SetupIntent._attach_pm = _setup_attach_pm


@web.middleware
async def idempotency_middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
    if request.path == "/_test/stats":  # answered before localstripe's auth check
        return web.json_response({**stats, **terminal_peer.counts(), **checkout_peer.created})
    if request.path.startswith("/_test/terminal/"):
        return await terminal_peer.test_control(request)
    if request.path.startswith("/_test/checkout/"):
        return await checkout_peer.test_control(request)
    stats["requests"] += 1
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    body = await request.read()  # cached by aiohttp; localstripe reads it again
    fingerprint = hashlib.sha256(request.path.encode() + b"\0" + body).hexdigest()
    lock = _inflight.setdefault(key, asyncio.Lock())
    async with lock:
        seen = _idempotency.get(key)
        if seen is not None:
            if seen[0] != fingerprint:
                return web.json_response(
                    {
                        "error": {
                            "type": "idempotency_error",
                            "message": "Keys for idempotent requests can only be used with "
                            "the same parameters they were first used with.",
                        }
                    },
                    status=400,
                )
            return web.Response(
                status=seen[1],
                body=seen[2],
                content_type=seen[3],
                headers={"Idempotent-Replayed": "true"},
            )
        response = await handler(request)
        # Stripe stores the outcome of any request that reached execution, errors included,
        # except 5xx/429, which may be retried with the same key.
        if response.status < 500 and response.status != 429 and isinstance(response, web.Response):
            _idempotency[key] = (
                fingerprint,
                response.status,
                response.body if isinstance(response.body, bytes) else b"",
                response.content_type,
            )
        return response


def main(port: int) -> None:
    app = server.app
    terminal_peer.install(app, stats)
    checkout_peer.install(app)
    app.middlewares.insert(0, idempotency_middleware)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    print(json.dumps({"listening": sock.getsockname()[1]}), flush=True)
    web.run_app(app, sock=sock, access_log=None, print=None)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
