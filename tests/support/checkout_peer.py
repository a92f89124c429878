"""Stripe Checkout Sessions for the bridged localstripe (which has none), as Stripe
documents them for `mode=payment` with inline `price_data`: create, retrieve, expire.

- Create checks what Stripe checks for this use: `mode`, at least one line item with
  `price_data` (currency, a positive `unit_amount`, `product_data[name]`) and a quantity,
  `success_url`, `expires_at` between 30 minutes and 24 hours from now, `submit_type` and
  `locale` in Stripe's enums, and no unknown parameter. The session keeps its `locale`
  (null when none was sent), as Stripe's does. The session answers `status=open`,
  `payment_status=unpaid`, a `url` on checkout.stripe.com and `amount_total`.
- Retrieve answers `expired` (and no `url`) once `expires_at` has passed, like Stripe.
- Expire works only on an open session (400 otherwise, Stripe's words).
- Idempotency is the bridge's own middleware (localstripe_server.py), as for every POST.

Test controls (the donor's part, no auth): `POST /_test/checkout/sessions/{id}/pay` makes a
real localstripe PaymentIntent for the session's amount with the session's
`payment_intent_data[metadata]`, confirmed with a test card (`card=` a test number, default
4242…), and completes the session (`payment_status=paid`, `payment_intent`);
`POST /_test/checkout/sessions/{id}/age` moves `expires_at` into the past (time passing).
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from localstripe import resources, server
from terminal_payments import error, missing, new_id, unknown

MIN_S, MAX_S = 30 * 60, 24 * 3600
SUBMIT_TYPES = ("auto", "book", "donate", "pay")
LOCALES = (  # Stripe's enum for a Checkout Session's locale (API 2023-08-16)
    "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil",
    "fr", "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl",
    "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
)
ALLOWED = {
    "mode", "line_items", "success_url", "cancel_url", "customer_email",
    "client_reference_id", "metadata", "payment_intent_data", "expires_at", "submit_type",
    "payment_method_types", "locale", "expand",
}  # fmt: skip

sessions: dict[str, dict[str, Any]] = {}
created = {"checkout_sessions_created": 0, "checkout_sessions_paid": 0}


def _int(value: Any, param: str) -> int:
    n = resources.try_convert_to_int(value)
    if not isinstance(n, int):
        raise error(400, f"Invalid integer: {value}", "parameter_invalid_integer", param=param)
    return n


def _line_total(items: Any) -> tuple[int, str]:
    if not isinstance(items, list) or not items:
        raise error(400, "Missing required param: line_items.", "parameter_missing",
                    param="line_items")  # fmt: skip
    total, currency = 0, ""
    for n, item in enumerate(items):
        where = f"line_items[{n}]"
        data = item.get("price_data") if isinstance(item, dict) else None
        if not isinstance(data, dict):
            raise error(400, f"Missing required param: {where}[price_data].",
                        "parameter_missing", param=f"{where}[price_data]")  # fmt: skip
        amount = _int(data.get("unit_amount"), f"{where}[price_data][unit_amount]")
        quantity = _int(item.get("quantity"), f"{where}[quantity]")
        name = (data.get("product_data") or {}).get("name")
        if amount <= 0 or quantity <= 0 or not name or not data.get("currency"):
            raise error(400, f"Invalid {where}: a positive unit_amount and quantity, a "
                        "currency and product_data[name] are required.",
                        "parameter_invalid_integer", param=where)  # fmt: skip
        total += amount * quantity
        currency = str(data["currency"]).lower()
    return total, currency


async def create_session(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    unknown(data, ALLOWED)
    if data.get("mode") != "payment":
        raise error(400, "This bridge serves mode=payment only.", "parameter_invalid_empty",
                    param="mode")  # fmt: skip
    if not data.get("success_url"):
        raise error(400, "Missing required param: success_url.", "parameter_missing",
                    param="success_url")  # fmt: skip
    total, currency = _line_total(data.get("line_items"))
    now = int(time.time())
    expires = _int(data.get("expires_at", now + MAX_S), "expires_at")
    if not now + MIN_S - 5 <= expires <= now + MAX_S + 5:
        raise error(400, "The `expires_at` timestamp must be between 30 minutes and 24 hours "
                    "from Checkout Session creation.", "parameter_invalid_integer",
                    param="expires_at")  # fmt: skip
    if data.get("submit_type", "auto") not in SUBMIT_TYPES:
        raise error(400, "Invalid submit_type", "parameter_invalid_empty", param="submit_type")
    if data.get("locale", "auto") not in LOCALES:
        raise error(400, f"Invalid locale: must be one of {', '.join(LOCALES)}",
                    "parameter_invalid_empty", param="locale")  # fmt: skip
    sid = new_id("cs_test_")
    pi_data = data.get("payment_intent_data") or {}
    session = {
        "id": sid, "object": "checkout.session", "mode": "payment", "livemode": False,
        "created": now, "expires_at": expires, "status": "open", "payment_status": "unpaid",
        "amount_subtotal": total, "amount_total": total, "currency": currency,
        "url": f"https://checkout.stripe.com/c/pay/{sid}", "payment_intent": None,
        "customer_email": data.get("customer_email"),
        "client_reference_id": data.get("client_reference_id"),
        "metadata": data.get("metadata") or {}, "success_url": data["success_url"],
        "cancel_url": data.get("cancel_url"), "payment_method_types": ["card"],
        "submit_type": data.get("submit_type", "auto"), "locale": data.get("locale"),
        "automatic_tax": {"enabled": False, "status": None}, "custom_fields": [],
        "custom_text": {"shipping_address": None, "submit": None,
                        "terms_of_service_acceptance": None},
        "shipping_options": [],
        "_pi_metadata": pi_data.get("metadata") or {},
        "_pi_description": pi_data.get("description"),
    }  # fmt: skip
    sessions[sid] = session
    created["checkout_sessions_created"] += 1
    return web.json_response(_export(session))


def _session(sid: str) -> dict[str, Any]:
    session = sessions.get(sid)
    if session is None:
        raise missing("checkout.session", sid)
    if session["status"] == "open" and session["expires_at"] <= time.time():
        session.update(status="expired", url=None)
    return session


def _export(session: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in session.items() if not k.startswith("_")}


async def get_session(request: web.Request) -> web.Response:
    return web.json_response(_export(_session(request.match_info["id"])))


async def expire_session(request: web.Request) -> web.Response:
    session = _session(request.match_info["id"])
    if session["status"] != "open":
        raise error(400, "Only Checkout Sessions with a status in [\"open\"] can be expired.",
                    "checkout_session_expired" if session["status"] == "expired" else None)
    session.update(status="expired", url=None)
    return web.json_response(_export(session))


async def test_control(request: web.Request) -> web.Response:
    parts = request.path.strip("/").split("/")
    if len(parts) != 5 or parts[1:3] != ["checkout", "sessions"] or request.method != "POST":
        return web.json_response({"error": {"message": "no such test control"}}, status=404)
    session = sessions.get(parts[3])
    if session is None:
        return web.json_response({"error": {"message": "no such session"}}, status=404)
    _session(parts[3])  # expired by the clock first
    data = await server.get_post_data(request) or {}
    if parts[4] == "age":
        session.update(expires_at=int(time.time()) - 1)
        _session(parts[3])
    elif parts[4] == "pay" and session["status"] == "open":
        pm = resources.PaymentMethod._api_create(type="card", card={
            "number": str(data.get("card", "4242424242424242")), "exp_month": "12",
            "exp_year": str(time.gmtime().tm_year + 2), "cvc": "123"})  # fmt: skip
        pi = resources.PaymentIntent._api_create(
            amount=session["amount_total"], currency=session["currency"],
            payment_method=pm.id, metadata=session["_pi_metadata"], confirm=True,
        )  # fmt: skip
        if pi.status == "succeeded":
            session.update(status="complete", payment_status="paid", url=None,
                           payment_intent=pi.id)  # fmt: skip
            created["checkout_sessions_paid"] += 1
    elif parts[4] != "pay":
        return web.json_response({"error": {"message": "bad test control"}}, status=400)
    return web.json_response(_export(session))


def install(app: web.Application) -> None:
    for method, path, handler in (
        ("POST", "/v1/checkout/sessions", create_session),
        ("GET", "/v1/checkout/sessions/{id}", get_session),
        ("POST", "/v1/checkout/sessions/{id}/expire", expire_session),
    ):
        app.router.add_route(method, path, handler)
