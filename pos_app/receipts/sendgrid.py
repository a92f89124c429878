"""The SendGrid sender: POST /v3/mail/send (API v3) with httpx, to a configurable api_base.

202 means accepted. Mapping to the error kinds: connect failures, timeouts, 5xx and 429
(Retry-After, else X-RateLimit-Reset) are transient; 400 naming the recipient is a bad
address; 401/403 are credentials or an unverified sender; anything else 4xx is permanent.
Every call has a total deadline of `timeout` (pos_app/deadline.py): an API that drips its
answer is a timeout, so transient. A timeout after the request was sent may still have been
accepted: receipts are at-least-once, and the deterministic custom_args let a lead spot a
repeat.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from pos_app import deadline
from pos_app.domain.donor import sendable_email

from .errors import SETTINGS_FIX, SendError, SendPermanent, SendTransient, bad_address
from .message import OutgoingEmail

SEND_PATH = "/v3/mail/send"
CATEGORIES = {"receipt": "donation-receipt", "notice": "dedication-notice",
              "alert": "tableside-alert", "paylink": "pledge-pay-link"}  # fmt: skip


def mail_send_body(email: OutgoingEmail) -> dict[str, Any]:
    """The JSON body, valid against SendGrid's OpenAPI requestBody for /v3/mail/send."""
    to: dict[str, str] = {"email": sendable_email(email.to_email)}
    if email.to_name.strip():
        to["name"] = email.to_name.strip()
    sender: dict[str, str] = {"email": email.from_email}
    if email.from_name.strip():
        sender["name"] = email.from_name.strip()
    return {
        "personalizations": [
            {
                "to": [to],
                "custom_args": {
                    "receipt_number": email.receipt_number,
                    "donation_id": email.donation_id,
                    "kind": email.kind,
                },
            }
        ],
        "from": sender,
        "subject": email.subject,
        "content": [
            {"type": "text/plain", "value": email.text},
            {"type": "text/html", "value": email.html},
        ],
        "headers": dict([email.header]),
        "categories": [CATEGORIES.get(email.kind, email.kind)],
    }


class SendGridSender:
    name = "sendgrid"

    def __init__(
        self,
        api_key: str,
        api_base: str = "https://api.sendgrid.com",
        timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        parts = urlsplit(self.api_base)
        default_port = 443 if parts.scheme == "https" else 80
        self.endpoint: tuple[str, int] | None = (
            (parts.hostname, parts.port or default_port) if parts.hostname else None
        )
        # Each call's total deadline (pos_app/deadline.py); the timeouts below bound only one
        # socket operation each. A `transport` handed in (tests) is used as it is.
        self.timeout = timeout
        self._client = httpx.Client(
            base_url=self.api_base,
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "Tableside/0.1"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport or deadline.http_transport(),
        )

    def send(self, email: OutgoingEmail) -> str:
        try:
            with deadline.within(self.timeout):
                response = self._client.post(SEND_PATH, json=mail_send_body(email))
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise SendTransient(
                "Couldn't reach the email service.",
                f"{type(exc).__name__} {SEND_PATH}",
                offline=True,
            ) from None
        except httpx.TimeoutException as exc:
            raise SendTransient(
                "The email service didn't answer in time.", f"{type(exc).__name__} {SEND_PATH}"
            ) from None
        except httpx.HTTPError as exc:
            raise SendTransient(
                "The connection to the email service dropped.",
                f"{type(exc).__name__} {SEND_PATH}",
            ) from None
        if response.status_code in (200, 202):
            return response.headers.get("X-Message-Id") or f"sendgrid:{email.receipt_number}"
        raise error_from_response(response, email)

    def check_access(self) -> None:
        """A harmless read (the key's scopes) proving the service answers and the key works."""
        try:
            with deadline.within(self.timeout):
                response = self._client.get("/v3/scopes")
        except httpx.HTTPError as exc:
            raise SendTransient(
                "Couldn't reach the email service.",
                f"{type(exc).__name__} GET /v3/scopes",
                offline=True,
            ) from None
        if response.status_code in (401, 403):
            raise SendPermanent(
                "The email service rejected this station's API key. Ask IT to check it.",
                f"HTTP {response.status_code} GET /v3/scopes",
                fix=SETTINGS_FIX,
            )
        if response.status_code != 200:
            raise SendTransient(
                "The email service gave an unexpected answer.",
                f"HTTP {response.status_code} GET /v3/scopes",
            )

    def close(self) -> None:
        self._client.close()


def error_from_response(response: httpx.Response, email: OutgoingEmail) -> SendError:
    status = response.status_code
    errors = _errors(response)
    summary = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors)[:300]
    detail = f"HTTP {status} {SEND_PATH}: {summary}".strip()
    if status == 429:
        return SendTransient(
            "The email service asked Tableside to slow down; trying again shortly.",
            detail,
            retry_after=_retry_after(response),
        )
    if status >= 500 or status == 408:
        return SendTransient("The email service is having trouble; trying again.", detail)
    if status == 400 and any(_about_recipient(e) for e in errors):
        return bad_address(email.to_email, detail)
    if status == 401:
        return SendPermanent(
            "The email service rejected this station's API key. Ask IT to check it.",
            detail,
            fix=SETTINGS_FIX,
        )
    if status == 403:
        return SendPermanent(
            f"The email service won't send from {email.from_email}. Ask IT to verify the "
            "sender address with SendGrid.",
            detail,
            fix=SETTINGS_FIX,
        )
    return SendPermanent(
        "The email service refused the receipt. Ask IT to check the email settings.",
        detail,
        fix=SETTINGS_FIX,
    )


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def _about_recipient(error: dict[str, Any]) -> bool:
    field = str(error.get("field") or "")
    return field.startswith("personalizations") and ".to" in field


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:  # the HTTP-date form
                when = email.utils.parsedate_to_datetime(value)
                return max(0.0, when.timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    reset = response.headers.get("X-RateLimit-Reset")
    if reset:
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            pass
    return None
