"""A SendGrid v3 Mail Send stand-in on 127.0.0.1 that checks every request against the spec.

Each POST /v3/mail/send body is validated (jsonschema, Draft 2020-12, `$ref`s resolved
within the file, formats checked) against the requestBody schema in SendGrid's own
OpenAPI file, read from ../shared/specs and never copied into the repo. A request that
fails is answered 400 and recorded in `violations`; a valid one is answered 202 with an
X-Message-Id and recorded in `accepted`, unless `script` says otherwise for that request.

`down()` closes the listening socket (connections are refused, like a dropped network) and
`up()` listens again on the same port. `latency` delays each answer (for the bench).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema

SPEC_URI = "urn:sendgrid-mail-v3"
SEND_PATH = "/v3/mail/send"

# (status, headers, body) or None for the normal 202
Reply = tuple[int, dict[str, str], dict[str, Any] | None]
Script = Callable[[dict[str, Any]], Reply | None]


def mail_send_validator(spec_file: Path) -> jsonschema.protocols.Validator:
    doc = json.loads(spec_file.read_text(encoding="utf-8"))
    registry = referencing.Registry().with_resource(
        SPEC_URI,
        referencing.Resource.from_contents(
            doc, default_specification=referencing.jsonschema.DRAFT202012
        ),
    )
    body = doc["paths"][SEND_PATH]["post"]["requestBody"]
    pointer = body["$ref"][1:] if "$ref" in body else "/paths/~1v3~1mail~1send/post/requestBody"
    schema_ptr = f"{pointer}/content/application~1json/schema"
    return jsonschema.Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{schema_ptr}"},
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


class SendGridServer:
    def __init__(self, spec_file: Path, api_key: str = "SG.test-key", latency: float = 0.0):
        self.validator = mail_send_validator(spec_file)
        self.api_key = api_key
        self.latency = latency
        self.script: Script | None = None
        self.on_request: Callable[[dict[str, Any]], None] | None = None
        self.accepted: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- what was sent ----
    def receipt_numbers(self) -> list[str]:
        with self._lock:
            bodies = list(self.accepted)
        return [b["personalizations"][0]["custom_args"]["receipt_number"] for b in bodies]

    # ---- up and down ----
    def up(self) -> None:
        if self._server is not None:
            return
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def down(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def close(self) -> None:
        self.down()

    def __enter__(self) -> SendGridServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- handling ----
    def _handle(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        with self._lock:
            self.requests += 1
        if method != "POST" or path != SEND_PATH:
            return 404, {}, {"errors": [{"message": "not found", "field": None}]}
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {}, {"errors": [{"message": "The provided authorization grant is "
                                         "invalid, expired, or revoked", "field": None}]}
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            self._violation(f"Content-Type {headers.get('content-type')!r}")
            return 400, {}, {"errors": [{"message": "bad content type", "field": None}]}
        try:
            body = json.loads(raw)
        except ValueError as exc:
            self._violation(f"body is not JSON: {exc}")
            return 400, {}, {"errors": [{"message": "invalid JSON", "field": None}]}
        problems = [
            f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
            for e in self.validator.iter_errors(body)
        ]
        if problems:
            self._violation("; ".join(problems))
            return 400, {}, {"errors": [{"message": p, "field": None} for p in problems]}
        if self.on_request is not None:
            self.on_request(body)
        scripted = self.script(body) if self.script is not None else None
        if scripted is not None:
            return scripted
        with self._lock:
            self.accepted.append(body)
        return 202, {"X-Message-Id": uuid.uuid4().hex[:22]}, None

    def _violation(self, text: str) -> None:
        with self._lock:
            self.violations.append(text)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if len(raw) < length:
                    # The client died mid-request (a SIGKILL test): the real service
                    # never sees a request at all, so neither a violation nor an answer.
                    self.close_connection = True
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, body = outer._handle(self.command, self.path, headers, raw)
                if outer.latency:
                    time.sleep(outer.latency)
                payload = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                if payload:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = _any  # noqa: N815 (http.server API)
            do_GET = _any  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        return Handler
