"""Choosing the receipt sender from settings, and the protocol every sender follows.

A missing email secret must not stop the till: the station opens, and each receipt job
waits in needs-attention saying what IT has to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from pos_app.secrets import SENDGRID_API_KEY, SMTP_PASSWORD, SecretsError, get_secret
from pos_app.settings import Receipts

from .errors import SendPermanent
from .message import OutgoingEmail


class Sender(Protocol):
    name: str
    endpoint: tuple[str, int] | None  # host and port to probe for connectivity

    def send(self, email: OutgoingEmail) -> str:
        """Hand the receipt over; return a reference. Raises SendTransient/SendPermanent."""
        ...

    def close(self) -> None: ...


class UnavailableSender:
    """Stands in when the configured sender can't be built (e.g. no secret in the keyring)."""

    endpoint: tuple[str, int] | None = None

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def send(self, email: OutgoingEmail) -> str:
        raise SendPermanent(self.reason, f"{self.name} sender unavailable", fix="check_settings")

    def close(self) -> None:
        pass


def make_sender(receipts: Receipts, outbox_dir: Path) -> Sender:
    if receipts.provider == "outbox":
        from .outbox import OutboxSender

        return OutboxSender(outbox_dir)
    try:
        if receipts.provider == "sendgrid":
            from .sendgrid import SendGridSender

            return SendGridSender(
                get_secret(SENDGRID_API_KEY), api_base=receipts.api_base, timeout=receipts.timeout
            )
        from .smtp import SmtpSender

        if not receipts.host.strip():
            return UnavailableSender(
                "smtp", "No SMTP server is configured ([receipts] host). Ask IT to set it."
            )
        password = get_secret(SMTP_PASSWORD) if receipts.username else ""
        return SmtpSender(
            receipts.host,
            receipts.port,
            username=receipts.username,
            password=password,
            timeout=receipts.timeout,
            ca_file=receipts.ca_file,
        )
    except SecretsError as exc:
        return UnavailableSender(receipts.provider, str(exc))
