"""Run localstripe on 127.0.0.1 with the gaps DESIGN.md lists bridged, for tests and bench.

    python tests/support/localstripe_server.py PORT

Bridges (here, in the test peer, never by weakening what the adapter sends):
- Idempotency: Stripe replays the stored response for a reused Idempotency-Key and answers
  400 idempotency_error when the same key comes with other parameters. localstripe ignores
  the header, so a middleware does it.
- `setup_future_usage` and `error_on_requires_action` on PaymentIntent create: localstripe
  rejects them; their values are checked against Stripe's allowed values, then dropped.
- localstripe pickles its whole store (card numbers included) to /tmp after every write;
  that is switched off so no card data from tests reaches disk.
`GET /_test/stats` reports how many PaymentIntents were really created (not replays).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import sys

from aiohttp import web
from localstripe import resources, server

resources.Store.dump_to_disk = lambda self: None  # keep card data in memory only

stats = {"payment_intents_created": 0, "customers_created": 0, "requests": 0}
_idempotency: dict[str, tuple[str, int, bytes, str]] = {}  # key -> (fingerprint, status, body, type)
_inflight: dict[str, asyncio.Lock] = {}

_original_pi_create = resources.PaymentIntent._api_create.__func__


def _pi_create(cls, setup_future_usage=None, error_on_requires_action=None, **data):
    if setup_future_usage not in (None, "", "off_session", "on_session"):
        raise resources.UserError(400, "Invalid setup_future_usage")
    if error_on_requires_action not in (None, "true", "false", True, False):
        raise resources.UserError(400, "Invalid error_on_requires_action")
    obj = _original_pi_create(cls, **data)
    stats["payment_intents_created"] += 1
    return obj


resources.PaymentIntent._api_create = classmethod(_pi_create)

_original_customer_create = resources.Customer._api_create.__func__


def _customer_create(cls, **data):
    obj = _original_customer_create(cls, **data)
    stats["customers_created"] += 1
    return obj


resources.Customer._api_create = classmethod(_customer_create)


@web.middleware
async def idempotency_middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
    if request.path == "/_test/stats":  # answered before localstripe's auth check
        return web.json_response(stats)
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
    app.middlewares.insert(0, idempotency_middleware)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    print(json.dumps({"listening": sock.getsockname()[1]}), flush=True)
    web.run_app(app, sock=sock, access_log=None, print=None)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
