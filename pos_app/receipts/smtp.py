"""The SMTP sender: smtplib with STARTTLS (certificate verified) and login.

Mapping to the error kinds: no connection, timeouts, drops and 4xx replies are transient;
a 5xx refusal of the recipient is a bad address; failed login, no STARTTLS on offer or a
certificate that can't be verified need IT (permanent). The password comes from the OS
keyring (`smtp_password`) and is handed in, never read from the config.

`timeout` bounds the whole exchange, not each socket operation (smtplib's own timeout): a
server that drips its replies a byte at a time used to hold a receipt job for as long as
it liked. Past the deadline (pos_app/deadline.py) the socket is shut down and the send is
transient: the job retries later.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable

from pos_app import deadline
from pos_app.domain.donor import sendable_email

from .errors import SETTINGS_FIX, SendError, SendPermanent, SendTransient, bad_address
from .message import OutgoingEmail


class _Smtp(smtplib.SMTP):
    """smtplib.SMTP keeping a duplicate of its socket for the deadline's watchdog."""

    watch: socket.socket | None = None

    def connect(self, host: str = "localhost", port: int = 0,
                source_address: tuple[str, int] | None = None) -> tuple[int, bytes]:  # fmt: skip
        self._host = host  # what SMTP(host) would keep: STARTTLS checks the certificate for it
        return super().connect(host, port, source_address)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        self.watch = sock.dup()
        return sock


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
        """Connect, STARTTLS, log in, run `work`, quit, all within `timeout`; every failure
        mapped to a kind."""
        limit = deadline.Deadline(self.timeout)
        smtp = _Smtp(timeout=self.timeout)
        try:
            with deadline.watchdog(limit, lambda: smtp.watch):
                try:
                    code, reply = smtp.connect(self.host, self.port)
                    if code != 220:
                        raise smtplib.SMTPConnectError(code, reply)
                except OSError as exc:  # smtplib's errors are OSErrors too
                    if limit.passed:
                        raise
                    raise SendTransient(
                        "Couldn't reach the email server.",
                        f"{type(exc).__name__} connecting to {self.host}:{self.port}: {exc}",
                        offline=True,
                    ) from None
                smtp.ehlo()
                smtp.starttls(context=self._tls)
                smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self._password)
                work(smtp)
                try:
                    smtp.quit()
                except smtplib.SMTPServerDisconnected:
                    pass
        except SendError:
            raise
        except Exception as exc:  # mapped below; nothing here may escape unclassified
            if limit.passed:
                raise SendTransient(
                    "The email server didn't answer in time.",
                    f"{type(exc).__name__} after the {self.timeout:g} s limit: {exc}"[:400],
                ) from None
            raise self._classify(exc, to_email) from None
        finally:
            smtp.close()
            if smtp.watch is not None:
                smtp.watch.close()

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
