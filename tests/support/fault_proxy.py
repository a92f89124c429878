"""A fault-injecting HTTP/1.1 proxy on 127.0.0.1, put in front of the processor or the email
service for the chaos tests (the Stripe adapter and the SendGrid sender take an `api_base`).

    with FaultProxy(upstream_url, seed=7, rate=0.2, flavor="stripe", hang_s=1.5) as proxy:
        StripeProcessor(key, api_base=proxy.url, timeout=1.0)

For each request a seeded RNG decides whether to inject a fault and which one:

- `drop_before`  read the request, close the connection; nothing is forwarded;
- `drop_after`   forward it, read the upstream's answer, then close the connection: the
                 processor acted, the app never heard;
- `error_500`    answer 500 (in the upstream's error format) without forwarding;
- `rate_429`     answer 429 with `Retry-After` without forwarding;
- `hang_before`  hold the request past the client's timeout, then close; nothing forwarded;
- `hang_after`   forward it, then hold the answer past the client's timeout and close;
- `drip_after`   forward it, send the answer's status line, then the rest (headers and
                 body: a 202 has no body) one byte every `drip_s` seconds, for at most
                 `hang_s`: no single read ever times out, only a deadline on the whole
                 call ends it. Not in the default weights.

`rewrite(method, path, body)`, when set, may change a forwarded JSON answer on its way
back (return the new body, or None to leave it): a processor that answers for another
amount, or says `processing`, made from a real upstream's real answer.

Everything else is forwarded byte for byte: the method, path, body and every end-to-end
header, so an `Idempotency-Key` reaches the upstream unchanged and a replay meets the
bridged localstripe's idempotency layer (same key: the stored answer again; same key with
other parameters: 400 idempotency_error). Hop-by-hop headers are dropped and the upstream is
asked to close after each answer; the client side keeps its connection alive (httpx pools).

`counts` holds how many of each fault were injected (and `forwarded`, `requests`);
`by_path` the same per path. The RNG is seeded, so the sequence of decisions is fixed; which
request meets which decision still depends on the order requests arrive in.
`rate` can be changed at any time (0 turns faults off); `paths`, when set, limits faults to
requests on those paths (as `_path_kind` names them, e.g. "/v1/payment_intents"). The server
runs on its own event loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

FAULTS = ("drop_before", "drop_after", "error_500", "rate_429", "hang_before", "hang_after",
          "drip_after")
DEFAULT_FAULTS = FAULTS[:6]  # a drip holds a connection for hang_s: chosen explicitly
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "host",
}
MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024 * 1024
REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway"}

ERROR_BODIES = {
    "stripe": {
        500: {"error": {"type": "api_error", "message": "An unknown error occurred (proxy)."}},
        429: {"error": {"type": "invalid_request_error", "code": "rate_limit",
                        "message": "Too many requests hit the API too quickly (proxy)."}},
        502: {"error": {"type": "api_error", "message": "Upstream unreachable (proxy)."}},
    },
    "sendgrid": {
        500: {"errors": [{"message": "Internal server error (proxy).", "field": None}]},
        429: {"errors": [{"message": "Too many requests (proxy).", "field": None}]},
        502: {"errors": [{"message": "Upstream unreachable (proxy).", "field": None}]},
    },
}


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes
    keep_alive: bool

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


@dataclass
class Response:
    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class BadMessage(Exception):
    pass


async def _read_head(reader: asyncio.StreamReader) -> list[str] | None:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None  # the peer closed between requests
        raise BadMessage("connection closed mid-head") from None
    except asyncio.LimitOverrunError:
        raise BadMessage("head too large") from None
    return raw.decode("latin-1").split("\r\n")[:-2]


def _parse_headers(lines: list[str]) -> list[tuple[str, str]]:
    headers = []
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep:
            raise BadMessage(f"bad header line {line!r}")
        headers.append((name.strip(), value.strip()))
    return headers


async def _read_body(
    reader: asyncio.StreamReader, headers: list[tuple[str, str]], *, to_eof: bool
) -> bytes:
    lookup = {k.lower(): v for k, v in headers}
    if "chunked" in lookup.get("transfer-encoding", "").lower():
        chunks = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    if "content-length" in lookup:
        length = int(lookup["content-length"])
        if length > MAX_BODY:
            raise BadMessage("body too large")
        return await reader.readexactly(length) if length else b""
    return await reader.read(MAX_BODY) if to_eof else b""


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    lines = await _read_head(reader)
    if lines is None:
        return None
    try:
        method, target, version = lines[0].split(" ", 2)
    except ValueError:
        raise BadMessage(f"bad request line {lines[0]!r}") from None
    headers = _parse_headers(lines[1:])
    body = await _read_body(reader, headers, to_eof=False)
    conn = next((v.lower() for k, v in headers if k.lower() == "connection"), "")
    keep_alive = "close" not in conn and (version == "HTTP/1.1" or "keep-alive" in conn)
    return Request(method, target, version, headers, body, keep_alive)


def _encode_response(resp: Response, keep_alive: bool) -> bytes:
    head = [f"HTTP/1.1 {resp.status} {resp.reason}"]
    head += [f"{k}: {v}" for k, v in resp.headers if k.lower() not in HOP_BY_HOP]
    head.append(f"Content-Length: {len(resp.body)}")
    head.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + resp.body


class FaultProxy:
    def __init__(
        self,
        upstream: str,
        *,
        seed: int = 0,
        rate: float = 0.0,
        flavor: str = "stripe",
        hang_s: float = 2.0,
        drip_s: float = 0.5,
        retry_after: str = "1",
        weights: dict[str, float] | None = None,
        name: str = "",
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be http://host:port, not {upstream!r}")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.name = name or flavor
        self.rate = rate
        self.paths: set[str] | None = None
        self.flavor = flavor
        self.hang_s = hang_s
        self.drip_s = drip_s
        self.retry_after = retry_after
        self.weights = dict(weights or {f: 1.0 for f in DEFAULT_FAULTS})
        unknown = set(self.weights) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}")
        self._rng = random.Random(seed)
        self.rewrite: Callable[[str, str, dict], dict | None] | None = None
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.by_path: Counter[tuple[str, str]] = Counter()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._conns: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"proxy-{self.name}",
                                        daemon=True)
        self._thread.start()
        self._call(self._start())

    # ---- life cycle ----
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=MAX_HEAD)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for w in list(self._conns):
            w.transport.abort()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def close(self) -> None:
        if not self._loop.is_running():
            return
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- what happened ----
    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)

    def faults_injected(self) -> dict[str, int]:
        with self._lock:
            return {f: self.counts.get(f, 0) for f in FAULTS}

    def _count(self, what: str, path: str) -> None:
        with self._lock:
            self.counts[what] += 1
            self.by_path[(what, path)] += 1

    def _pick(self) -> str | None:
        with self._lock:
            rate = self.rate
            draw = self._rng.random()
            if draw >= rate or rate <= 0:
                return None
            names = [f for f in FAULTS if self.weights.get(f, 0) > 0]
            return self._rng.choices(names, [self.weights[f] for f in names])[0]

    # ---- serving ----
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._conns.add(writer)
        try:
            while True:
                try:
                    req = await read_request(reader)
                except (BadMessage, ValueError, asyncio.IncompleteReadError):
                    return
                if req is None:
                    return
                path = _path_kind(req.path)
                self._count("requests", path)
                fault = self._pick() if self.paths is None or path in self.paths else None
                if fault is not None:
                    self._count(fault, path)
                if fault == "drop_before":
                    writer.transport.abort()
                    return
                if fault == "hang_before":
                    await asyncio.sleep(self.hang_s)
                    writer.transport.abort()
                    return
                if fault in ("error_500", "rate_429"):
                    status = 500 if fault == "error_500" else 429
                    extra = [("Retry-After", self.retry_after)] if status == 429 else []
                    resp = self._error(status, extra)
                else:
                    resp = self._rewritten(req, await self._forward(req))
                    self._count("forwarded", path)
                    if fault == "drop_after":
                        writer.transport.abort()
                        return
                    if fault == "hang_after":
                        await asyncio.sleep(self.hang_s)
                        writer.transport.abort()
                        return
                    if fault == "drip_after":
                        await self._drip(writer, _encode_response(resp, False))
                        return
                writer.write(_encode_response(resp, req.keep_alive))
                await writer.drain()
                if not req.keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            self._conns.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    def _rewritten(self, req: Request, resp: Response) -> Response:
        if self.rewrite is None:
            return resp
        try:
            body = json.loads(resp.body)
        except ValueError:
            return resp
        new = self.rewrite(req.method, req.path, body) if isinstance(body, dict) else None
        if new is None:
            return resp
        headers = [(k, v) for k, v in resp.headers if k.lower() != "content-encoding"]
        return Response(resp.status, resp.reason, headers, json.dumps(new).encode())

    async def _drip(self, writer: asyncio.StreamWriter, raw: bytes) -> None:
        status, _, rest = raw.partition(b"\r\n")
        writer.write(status + b"\r\n")
        await writer.drain()
        end = self._loop.time() + self.hang_s
        for i in range(len(rest)):
            if self._loop.time() >= end or writer.transport.is_closing():
                break
            await asyncio.sleep(self.drip_s)
            writer.write(rest[i : i + 1])
            await writer.drain()
        writer.transport.abort()

    def _error(self, status: int, extra: list[tuple[str, str]] | None = None) -> Response:
        body = json.dumps(ERROR_BODIES[self.flavor][status]).encode()
        headers = [("Content-Type", "application/json"), *(extra or [])]
        return Response(status, REASONS[status], headers, body)

    async def _forward(self, req: Request) -> Response:
        try:
            r, w = await asyncio.open_connection(self.upstream_host, self.upstream_port,
                                                 limit=MAX_HEAD)
        except OSError:
            return self._error(502)
        try:
            head = [f"{req.method} {req.target} HTTP/1.1",
                    f"Host: {self.upstream_host}:{self.upstream_port}"]
            head += [f"{k}: {v}" for k, v in req.headers if k.lower() not in HOP_BY_HOP]
            head += [f"Content-Length: {len(req.body)}", "Connection: close"]
            w.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + req.body)
            await w.drain()
            lines = await _read_head(r)
            if lines is None:
                return self._error(502)
            _version, status, *reason = lines[0].split(" ", 2)
            headers = _parse_headers(lines[1:])
            body = await _read_body(r, headers, to_eof=True)
            return Response(int(status), reason[0] if reason else "", headers, body)
        except (OSError, BadMessage, ValueError, asyncio.IncompleteReadError):
            return self._error(502)
        finally:
            w.close()


def _path_kind(path: str) -> str:
    """/v1/payment_methods/pm_123/attach -> /v1/payment_methods/{id}/attach"""
    parts = path.split("/")
    return "/".join("{id}" if "_" in p and p[:3] in ("pm_", "pi_", "cus", "re_") else p
                    for p in parts)
