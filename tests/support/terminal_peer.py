"""Stripe Terminal (server-driven smart readers) inside the bridged localstripe process.

localstripe has no Terminal at all and no `card_present`; this module adds them to the same
aiohttp app (tests/support/localstripe_server.py calls `install`), on top of localstripe's
own objects (card_present payments: tests/support/terminal_payments.py), so a reader
payment is a real localstripe PaymentIntent with a real Charge:
refunds, customers, attaching the generated card and the bridge's idempotency layer all
work on it unchanged. Modelled on Stripe's documented behaviour (API 2023-08-16):

- Locations: create, list, retrieve (`tml_`).
- Readers: register with `registration_code` (`simulated-wpe` makes a simulated WisePOS E;
  any other code is refused), list (filters location, status, device_type), retrieve with
  `status` online/offline and the last `action`.
- `set_reader_display` (succeeds at once), `process_payment_intent` (action `in_progress`),
  `process_setup_intent` (a card kept with no charge: action `in_progress` on a card_present
  SetupIntent that `requires_payment_method`; `customer_consent_collected` is required, as
  in API 2023-08-16, and must be true; when the card is read the action's
  `process_setup_intent.generated_card` names the reusable card, as Stripe's does),
  `cancel_action` (the reader comes back with `action: null`, as Stripe's reference shows).
  A second action while one is in progress: 400 `terminal_reader_busy`; any action on an
  offline reader: 400 `terminal_reader_offline` (both `invalid_request_error`).
- The test helper `present_payment_method` plays the donor (for a payment or a setup alike;
  a setup's card is kept or refused as tests/support/terminal_payments.py describes):
  `card_present[number]` is one of Stripe's test numbers (4242... approves;
  4000000000000002 declines with `card_declined`/`generic_decline`; 4000000000009995
  `insufficient_funds`). On approval the PaymentIntent is `succeeded`, its `latest_charge` carries
  `payment_method_details.card_present` (brand, last4, read_method `contactless_emv`, the
  EMV `receipt`, and `generated_card`: a reusable `card` PaymentMethod, made only when the
  PaymentIntent has `setup_future_usage`); the action goes `succeeded`. On a decline the
  charge fails, the PaymentIntent returns to `requires_payment_method` with
  `last_payment_error` (card_error) and the action goes `failed` with the failure code.
- card_present PaymentIntents: `payment_method_types[]=card_present`, `setup_future_usage`,
  `capture_method`, metadata, description; `confirm` is refused (only a reader confirms
  one). Cancel takes Stripe's `cancellation_reason`, and refuses a succeeded one (400
  `payment_intent_unexpected_state`). `latest_charge` is an id unless expanded.
- A `card_present` PaymentMethod can't be attached to a Customer: 402, as the issue saw
  from Stripe; the `generated_card` attaches like any card.

Test controls (no auth, like `/_test/stats`): `POST /_test/terminal/readers/{id}/status`
with `status=online|offline`; `POST /_test/terminal/readers/{id}/slow_next` with
`seconds=S`: the next presented card is read S seconds later (the helper answers at once
with the action still `in_progress`; `cancel_action` meanwhile stops the read at once). Counts of
PaymentIntents, charges and slow reads (done, moot) are in `/_test/stats` (`counts()`).

Its answers are checked against the spec's response schemas in tests/test_stripe_terminal.py
(the reader, list and location; the PaymentIntent, its charge, the card_present and the
generated PaymentMethods).

No card number is kept beyond what localstripe keeps in memory for the generated card (its
dump to disk is off); the card_present PaymentMethod holds only brand, last4, fingerprint.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import terminal_payments as payments
from aiohttp import web
from localstripe import resources, server
from terminal_payments import error, missing, new_id, unknown

SIMULATED = {"simulated-wpe": "simulated_wisepos_e"}

locations: dict[str, dict[str, Any]] = {}
readers: dict[str, dict[str, Any]] = {}
_slow_next: dict[str, float] = {}
_slow_reads = {"read": 0, "moot": 0}  # slow reads that charged / were cut short
_reading: dict[str, asyncio.Future[None]] = {}  # reader id -> its slow read going on


# ---- readers and locations -----------------------------------------------------------------


def _reader(reader_id: str) -> dict[str, Any]:
    reader = readers.get(reader_id)
    if reader is None:
        raise missing("terminal.reader", reader_id)
    return reader


def _export_reader(reader: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in reader.items() if not k.startswith("_")}
    out["action"] = dict(reader["action"]) if reader["action"] is not None else None
    return out


def _ready(reader: dict[str, Any]) -> None:
    """What every reader action checks first: online, and not in the middle of another."""
    if reader["status"] != "online":
        raise error(
            400,
            "Reader is currently offline, please ensure the reader is powered on "
            "and connected to the internet before retrying your request.",
            "terminal_reader_offline",
        )
    action = reader["action"]
    if action is not None and action["status"] == "in_progress":
        raise error(
            400,
            "Reader is currently busy processing another request, please retry "
            "after the current action has completed.",
            "terminal_reader_busy",
        )


def _list(url: str, items: list[dict[str, Any]], limit: Any) -> dict[str, Any]:
    n = resources.try_convert_to_int(limit) if limit is not None else 10
    if not isinstance(n, int) or not 1 <= n <= 100:
        raise error(400, "Invalid integer: limit", "parameter_invalid_integer", param="limit")
    return {"object": "list", "data": items[:n], "has_more": len(items) > n, "url": url}


async def create_location(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    unknown(data, {"display_name", "address", "metadata", "configuration_overrides", "expand"})
    address = data.get("address")
    if not isinstance(data.get("display_name"), str) or not data["display_name"]:
        raise error(
            400, "Missing required param: display_name.", "parameter_missing", param="display_name"
        )
    if not isinstance(address, dict) or not address.get("country"):
        raise error(
            400,
            "Missing required param: address[country].",
            "parameter_missing",
            param="address[country]",
        )
    fields = ("city", "country", "line1", "line2", "postal_code", "state")
    location = {
        "id": new_id("tml_"),
        "object": "terminal.location",
        "display_name": data["display_name"],
        "address": {f: address.get(f) for f in fields},
        "livemode": False,
        "metadata": dict(data.get("metadata") or {}),
    }
    locations[location["id"]] = location
    return server.json_response(location)


async def list_locations(request: web.Request) -> web.Response:
    q = server.unflatten_data(request.query)
    return server.json_response(
        _list("/v1/terminal/locations", list(locations.values()), q.get("limit"))
    )


async def get_location(request: web.Request) -> web.Response:
    location = locations.get(request.match_info["id"])
    if location is None:
        raise missing("terminal.location", request.match_info["id"])
    return server.json_response(location)


async def register_reader(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    unknown(data, {"registration_code", "label", "location", "metadata", "expand"})
    code = data.get("registration_code")
    if not isinstance(code, str) or not code:
        raise error(
            400,
            "Missing required param: registration_code.",
            "parameter_missing",
            param="registration_code",
        )
    if code not in SIMULATED:
        raise error(
            400,
            "The registration code you entered is invalid or expired. Please try again.",
            param="registration_code",
        )
    location = data.get("location")
    if location is not None and location not in locations:
        raise missing("terminal.location", str(location), param="location")
    reader = {
        "id": new_id("tmr_"),
        "object": "terminal.reader",
        "action": None,
        "device_sw_version": "2.37.2.0",
        "device_type": SIMULATED[code],
        "ip_address": "0.0.0.0",
        "label": data.get("label") or code,
        "livemode": False,
        "location": location,
        "metadata": dict(data.get("metadata") or {}),
        "serial_number": str(uuid.uuid4()),
        "status": "online",
    }
    readers[reader["id"]] = reader
    return server.json_response(_export_reader(reader))


async def list_readers(request: web.Request) -> web.Response:
    q = server.unflatten_data(request.query)
    found = [
        r
        for r in readers.values()
        if all(q.get(f) in (None, r[f]) for f in ("location", "status", "device_type"))
    ]
    data = _list("/v1/terminal/readers", [_export_reader(r) for r in found], q.get("limit"))
    return server.json_response(data)


async def get_reader(request: web.Request) -> web.Response:
    return server.json_response(_export_reader(_reader(request.match_info["id"])))


async def set_reader_display(request: web.Request) -> web.Response:
    reader = _reader(request.match_info["id"])
    data = await server.get_post_data(request) or {}
    unknown(data, {"type", "cart", "expand"})
    _ready(reader)
    cart = data.get("cart")
    if data.get("type") != "cart" or not isinstance(cart, dict):
        raise error(400, "Invalid type: must be cart, with a cart.", param="type")
    items = [
        {
            "amount": resources.try_convert_to_int(i.get("amount")),
            "description": i.get("description"),
            "quantity": resources.try_convert_to_int(i.get("quantity")),
        }
        for i in cart.get("line_items") or []
    ]
    shown = {
        "currency": cart.get("currency"),
        "line_items": items,
        "tax": resources.try_convert_to_int(cart.get("tax")),
        "total": resources.try_convert_to_int(cart.get("total")),
    }
    reader["action"] = {
        "type": "set_reader_display",
        "status": "succeeded",
        "failure_code": None,
        "failure_message": None,
        "set_reader_display": {"type": "cart", "cart": shown},
    }
    return server.json_response(_export_reader(reader))


async def process_payment_intent(request: web.Request) -> web.Response:
    reader = _reader(request.match_info["id"])
    data = await server.get_post_data(request) or {}
    unknown(data, {"payment_intent", "process_config", "expand"})
    _ready(reader)
    pi_id = data.get("payment_intent")
    pi = resources.store.get(f"payment_intent:{pi_id}") if isinstance(pi_id, str) else None
    if pi is None:
        raise missing("payment_intent", str(pi_id), param="payment_intent")
    if not isinstance(pi, payments.CardPresentPaymentIntent):
        raise error(
            400,
            "This PaymentIntent's payment_method_types don't include card_present.",
            "payment_intent_invalid_parameter",
        )
    if pi.status != "requires_payment_method":
        raise error(
            400,
            f"This PaymentIntent's status is {pi.status}; a reader can only "
            "process one that requires_payment_method.",
            "payment_intent_unexpected_state",
        )
    reader["action"] = {
        "type": "process_payment_intent",
        "status": "in_progress",
        "failure_code": None,
        "failure_message": None,
        "process_payment_intent": {"payment_intent": pi.id},
    }
    return server.json_response(_export_reader(reader))


async def process_setup_intent(request: web.Request) -> web.Response:
    reader = _reader(request.match_info["id"])
    data = await server.get_post_data(request) or {}
    unknown(data, {"setup_intent", "customer_consent_collected", "process_config", "expand"})
    consent = data.get("customer_consent_collected")
    if consent is None:
        raise error(400, "Missing required param: customer_consent_collected.",
                    "parameter_missing", param="customer_consent_collected")  # fmt: skip
    if resources.try_convert_to_bool(consent) is not True:
        raise error(
            400,
            "You must collect the customer's consent to save their card "
            "(customer_consent_collected=true) before processing a SetupIntent.",
            "parameter_invalid_empty",
            param="customer_consent_collected",
        )
    _ready(reader)
    si_id = data.get("setup_intent")
    si = resources.store.get(f"setup_intent:{si_id}") if isinstance(si_id, str) else None
    if si is None:
        raise missing("setup_intent", str(si_id), param="setup_intent")
    if not isinstance(si, payments.CardPresentSetupIntent):
        raise error(
            400,
            "This SetupIntent's payment_method_types don't include card_present.",
            "setup_intent_invalid_parameter",
        )
    if si.status != "requires_payment_method":
        raise error(
            400,
            f"This SetupIntent's status is {si.status}; a reader can only "
            "process one that requires_payment_method.",
            "setup_intent_unexpected_state",
        )
    reader["action"] = {
        "type": "process_setup_intent",
        "status": "in_progress",
        "failure_code": None,
        "failure_message": None,
        "process_setup_intent": {"setup_intent": si.id},
    }
    return server.json_response(_export_reader(reader))


async def cancel_action(request: web.Request) -> web.Response:
    reader = _reader(request.match_info["id"])
    data = await server.get_post_data(request) or {}
    unknown(data, {"expand"})
    if reader["status"] != "online":
        _ready(reader)
    reader["action"] = None
    reading = _reading.pop(reader["id"], None)
    if reading is not None and not reading.done():  # the reader stops reading the card
        reading.cancel()
        _slow_reads["moot"] += 1
    return server.json_response(_export_reader(reader))


async def present_payment_method(request: web.Request) -> web.Response:
    reader = _reader(request.match_info["id"])
    data = await server.get_post_data(request) or {}
    unknown(data, {"type", "card_present", "interac_present", "amount_tip", "expand"})
    if not reader["device_type"].startswith("simulated_"):
        raise error(400, "Only simulated readers take a presented payment method.")
    if reader["status"] != "online":
        _ready(reader)
    if data.get("type", "card_present") != "card_present":
        raise error(400, "This reader takes card_present here.", param="type")
    number = (data.get("card_present") or {}).get("number") or "4242424242424242"
    if number not in payments.TEST_NUMBERS:
        raise error(400, "Use one of Stripe's test card numbers.", param="card_present[number]")
    action = reader["action"]
    if (
        action is None
        or action["type"] not in ("process_payment_intent", "process_setup_intent")
        or (action["status"] != "in_progress")
    ):
        raise error(
            400,
            "The reader has no payment in progress to present a card to.",
            "terminal_reader_invalid_state",
        )
    if action["type"] == "process_setup_intent":  # a card kept with no charge
        si = resources.store[f"setup_intent:{action['process_setup_intent']['setup_intent']}"]

        def read() -> None:
            payments.read_card_for_setup(reader, si, number)
    else:
        pi = resources.store[
            f"payment_intent:{action['process_payment_intent']['payment_intent']}"
        ]

        def read() -> None:
            payments.read_card(reader, pi, number)

    delay = _slow_next.pop(reader["id"], 0.0)
    if delay <= 0:
        read()
    else:

        async def later() -> None:
            await asyncio.sleep(delay)
            _reading.pop(reader["id"], None)
            if reader["action"] is action and action["status"] == "in_progress":
                read()
                _slow_reads["read"] += 1
            else:  # the action was replaced while the card was being read: nothing charged
                _slow_reads["moot"] += 1

        _reading[reader["id"]] = asyncio.ensure_future(later())
    return server.json_response(_export_reader(reader))


# ---- test controls, counts, installing -----------------------------------------------------


async def test_control(request: web.Request) -> web.Response:
    """`/_test/terminal/readers/{id}/status|slow_next`: the reader's part tests play."""
    parts = request.path.strip("/").split("/")
    if len(parts) != 5 or parts[1:3] != ["terminal", "readers"] or request.method != "POST":
        return web.json_response({"error": {"message": "no such test control"}}, status=404)
    reader = readers.get(parts[3])
    if reader is None:
        return web.json_response({"error": {"message": "no such reader"}}, status=404)
    data = await server.get_post_data(request) or {}
    if parts[4] == "status" and data.get("status") in ("online", "offline"):
        reader["status"] = data["status"]
    elif parts[4] == "slow_next":
        _slow_next[reader["id"]] = float(data.get("seconds", 1.0))
    else:
        return web.json_response({"error": {"message": "bad test control"}}, status=400)
    return web.json_response(_export_reader(reader))


def counts() -> dict[str, int]:
    """What really exists in the store, keyed or card present (replays make nothing)."""
    keys = list(resources.store.keys())
    charges = [resources.store[k] for k in keys if k.startswith("charge:")]
    return {
        "payment_intents": sum(k.startswith("payment_intent:") for k in keys),
        "card_present_payment_intents": sum(
            isinstance(resources.store[k], payments.CardPresentPaymentIntent) for k in keys
        ),
        "charges": len(charges),
        "card_present_setup_intents": sum(
            isinstance(resources.store[k], payments.CardPresentSetupIntent) for k in keys
        ),
        "card_present_setups_succeeded": sum(
            isinstance(resources.store[k], payments.CardPresentSetupIntent)
            and resources.store[k].status == "succeeded"
            for k in keys
        ),
        "charges_succeeded": sum(c.status == "succeeded" for c in charges),
        "readers": len(readers),
        "locations": len(locations),
        "slow_reads_done": _slow_reads["read"],
        "slow_reads_moot": _slow_reads["moot"],
    }


def install(app: web.Application, stats: dict[str, int]) -> None:
    """Add the Terminal routes and the card_present interceptions to localstripe's app
    (inside its auth check, inside the bridge's idempotency layer)."""
    routes = [
        ("POST", "/v1/terminal/locations", create_location),
        ("GET", "/v1/terminal/locations", list_locations),
        ("GET", "/v1/terminal/locations/{id}", get_location),
        ("POST", "/v1/terminal/readers", register_reader),
        ("GET", "/v1/terminal/readers", list_readers),
        ("GET", "/v1/terminal/readers/{id}", get_reader),
        ("POST", "/v1/terminal/readers/{id}/set_reader_display", set_reader_display),
        ("POST", "/v1/terminal/readers/{id}/process_payment_intent", process_payment_intent),
        ("POST", "/v1/terminal/readers/{id}/process_setup_intent", process_setup_intent),
        ("POST", "/v1/terminal/readers/{id}/cancel_action", cancel_action),
        (
            "POST",
            "/v1/test_helpers/terminal/readers/{id}/present_payment_method",
            present_payment_method,
        ),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    after_auth = app.middlewares.index(server.auth_middleware) + 1
    app.middlewares.insert(after_auth, payments.middleware(stats))
