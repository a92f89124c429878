"""The SMTP sender: smtplib with STARTTLS (certificate verified) and login.

Mapping to the error kinds: no connection, timeouts, drops and 4xx replies are transient;
a 5xx refusal of the recipient is a bad address; failed login, no STARTTLS on offer or a
certificate that can't be verified need IT (permanent). The password comes from the OS
keyring (`smtp_password`) and is handed in, never read from the config.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable

from pos_app.domain.donor import sendable_email

from .errors import SETTINGS_FIX, SendError, SendPermanent, SendTransient, bad_address
from .message import OutgoingEmail


class SmtpSender:
    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int = 587,
        username: str = "",
        password: str = "",
        timeout: float = 20.0,
        ca_file: str = "",
    ) -> None:
        self.host, self.port = host, port
        self.username, self._password = username, password
        self.timeout = timeout
        self.endpoint: tuple[str, int] | None = (host, port)
        self._tls = ssl.create_default_context(cafile=ca_file or None)

    def send(self, email: OutgoingEmail) -> str:
        message = email.to_mime()  # raises a bad address rather than build a broken header
        self._session(
            lambda smtp: smtp.send_message(
                message, from_addr=email.from_email, to_addrs=[sendable_email(email.to_email)]
            ),
            email.to_email,
        )
        return email.message_id

    def check_access(self) -> None:
        """Connect, STARTTLS and log in, then quit: what a receipt needs, without sending."""
        self._session(lambda _smtp: None, "")

    def _session(self, work: Callable[[smtplib.SMTP], object], to_email: str) -> None:
        """Connect, STARTTLS, log in, run `work`, quit; every failure mapped to a kind."""
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (ConnectionRefusedError, socket.gaierror, TimeoutError, OSError) as exc:
            raise SendTransient(
                "Couldn't reach the email server.",
                f"{type(exc).__name__} connecting to {self.host}:{self.port}: {exc}",
                offline=True,
            ) from None
        try:
            with smtp:
                smtp.ehlo()
                smtp.starttls(context=self._tls)
                smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self._password)
                work(smtp)
        except SendError:
            raise
        except Exception as exc:  # mapped below; nothing here may escape unclassified
            raise self._classify(exc, to_email) from None

    def _classify(self, exc: Exception, to_email: str) -> SendError:
        detail = f"{type(exc).__name__}: {exc}"[:400]
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            code = next(iter(exc.recipients.values()), (550, b""))[0]
            if code >= 500:
                return bad_address(to_email, detail)
            return SendTransient("The email server is busy; trying again.", detail)
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return SendPermanent(
                "The email server doesn't offer a secure connection (STARTTLS). Ask IT.",
                detail,
                fix=SETTINGS_FIX,
            )
        if isinstance(exc, smtplib.SMTPAuthenticationError) and exc.smtp_code >= 500:
            return SendPermanent(
                "The email server rejected the username or password. Ask IT to check them.",
                detail,
                fix=SETTINGS_FIX,
            )
        if isinstance(exc, smtplib.SMTPResponseException):
            if exc.smtp_code >= 500:
                return SendPermanent(
                    "The email server refused the receipt. Ask IT to check the email settings.",
                    detail,
                    fix=SETTINGS_FIX,
                )
            return SendTransient("The email server is busy; trying again.", detail)
        if isinstance(exc, ssl.SSLCertVerificationError):
            return SendPermanent(
                "The email server's certificate can't be verified. Ask IT to check it.",
                detail,
                fix=SETTINGS_FIX,
            )
        if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
            return SendTransient("The connection to the email server dropped.", detail)
        if isinstance(exc, smtplib.SMTPException):
            return SendTransient("The email server gave an unexpected answer.", detail)
        return SendPermanent("Sending the receipt failed unexpectedly.", detail)

    def close(self) -> None:
        pass
