"""Connecting to the central PostgreSQL, and what its failures mean for a job.

TLS: a connection to anything but this machine must say `sslmode=require`, `verify-ca` or
`verify-full` (verify-full is what the guide tells IT to use); the server checks it too
(`tableside.hello`). Failures map to the error kinds of ARCHITECTURE.md: can't connect,
connection lost, server shutting down or busy -> transient; refused login, missing
privilege, row-level security, missing schema -> permanent, with the fix in words. So is a
TLS setup a person has to put right (a certificate this station can't verify, one for
another host name, a missing CA file, a server without TLS, a server turning away this
connection): retrying can't help, and "can't reach" would send IT to look at the network.

The URL goes to libpq whole, so its TLS parameters (`sslrootcert`, `sslcert`, `sslkey`,
`sslcrl`, ...) apply as written.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit


class Later:
    """A module imported at its first use: psycopg (and libpq) is ~200 ms and several MiB a
    station without a central store never needs, and one with it needs only once the sync
    job or the watcher connects, after the first window is up."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        import importlib

        return getattr(importlib.import_module(self._name), attr)


if TYPE_CHECKING:
    import psycopg
else:
    psycopg = Later("psycopg")

CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 15_000  # every push has a total deadline, never a hang
SECURE_MODES = ("require", "verify-ca", "verify-full")


class CentralError(Exception):
    """A central-store failure with its kind (transient | permanent) and the fix."""

    def __init__(self, kind: str, message: str, detail: str = "", fix: str = "") -> None:
        super().__init__(message)
        self.kind, self.message, self.detail, self.fix = kind, message, detail, fix
        self.offline = kind == "transient"


class CentralConfigError(ValueError):
    """The `[central] url` is unusable; the message says why and how to fix it."""


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    port: int
    user: str
    dbname: str
    local: bool
    sslmode: str


def is_local(host: str) -> bool:
    if not host or host.startswith("/") or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_url(url: str, *, allow_password: bool = False) -> Target:
    """Check a `postgresql://` URL. Raises CentralConfigError with the fix.

    A station's URL never holds its password (the keyring does); an administrator's,
    given once on stdin to `pos-app central init`, may."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise CentralConfigError(
            "The central URL must start with postgresql:// "
            "(e.g. postgresql://ts_gala_table_4@db.example.org/gala?sslmode=verify-full)."
        )
    if parts.password and not allow_password:
        raise CentralConfigError(
            "The central URL must not hold a password: store it in the OS keyring as "
            "central_password (`pos-app configure`)."
        )
    query = parse_qs(parts.query)
    host = parts.hostname or (query.get("host", [""])[0])
    sslmode = query.get("sslmode", ["prefer"])[0]
    local = is_local(host)
    if not local and sslmode not in SECURE_MODES:
        raise CentralConfigError(
            f"The central store at {host} must be reached over TLS: add "
            "?sslmode=verify-full to [central] url."
        )
    return Target(
        url=url,
        host=host or "localhost",
        port=parts.port or 5432,
        user=parts.username or "",
        dbname=(parts.path or "/").lstrip("/"),
        local=local,
        sslmode=sslmode,
    )


def connect(
    url: str,
    password: str | None = None,
    *,
    autocommit: bool = False,
    admin: bool = False,
) -> psycopg.Connection:
    """Open a connection with deadlines; raises CentralError (transient or permanent)."""
    target = parse_url(url, allow_password=admin)
    kwargs: dict[str, object] = {
        "connect_timeout": CONNECT_TIMEOUT_S,
        "application_name": "tableside",
        "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
        "autocommit": autocommit,
    }
    if password is not None:
        kwargs["password"] = password
    try:
        return psycopg.connect(target.url, **kwargs)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        raise classify(exc) from None


def classify(exc: BaseException) -> CentralError:
    """What a psycopg failure means for the sync job."""
    if isinstance(exc, CentralError):
        return exc
    state = getattr(exc, "sqlstate", None) or ""
    text = " ".join(str(exc).split())[:500]
    refused = _refused_setup(text)
    if refused is not None:
        return CentralError("permanent", refused, text, "check_connection")
    diag = getattr(exc, "diag", None)
    hint = getattr(diag, "message_hint", None) if diag is not None else None
    if state in ("28P01", "28000") or "password authentication failed" in text:
        return CentralError(
            "permanent",
            "The central store refused this station's login."
            + (f" {hint}" if hint else " Check the role in [central] url and the password "
               "(`pos-app configure`, central_password)."),
            text,
            "check_settings",
        )
    if state == "42501" or isinstance(exc, psycopg.errors.InsufficientPrivilege):
        primary = getattr(diag, "message_primary", None) if diag is not None else None
        return CentralError(
            "permanent",
            f"The central store refused this station's change: {primary or text}"
            + (f" {hint}" if hint else " Ask IT to check this station's role "
               "(`pos-app central status`)."),
            text,
            "check_settings",
        )
    if state[:2] in ("42", "3F") or isinstance(exc, psycopg.errors.UndefinedTable):
        return CentralError(
            "permanent",
            "The central store's schema is missing or older than this Tableside. "
            "Ask IT to run `pos-app central init` against it.",
            text,
            "check_settings",
        )
    if state[:2] in ("22", "23"):
        return CentralError(
            "permanent",
            "The central store rejected a row from this station as invalid. Tell IT.",
            text,
            "check_settings",
        )
    return CentralError(
        "transient",
        "Can't reach the central store; gifts are kept here and shared when it is back.",
        text or type(exc).__name__,
    )


_WRONG_HOST = re.compile(
    r'server certificate (?:for "(?P<names>[^"]*)"(?: \((?P<more>and \d+ other names?)\))? )?'
    r'does not match host name "(?P<host>[^"]*)"'
)
_NO_ROOT = re.compile(r'(?:root certificate file|could not read root certificate file) "([^"]*)"')
_CA_FIX = (
    "Ask IT for the event's CA certificate file, keep it on this laptop and point "
    "sslrootcert at it in [central] url (e.g. ?sslmode=verify-full&sslrootcert=/path/to/ca.pem)."
)


def _refused_setup(text: str) -> str | None:
    """Plain words for a connection libpq or the server refused as set up (TLS, pg_hba),
    or None when the failure is something else."""
    if "certificate verify failed" in text:
        return (
            "The central store's certificate didn't pass this station's check: it isn't "
            "signed by the certificate authority in sslrootcert, or it is out of date. "
            + _CA_FIX
        )
    if m := _WRONG_HOST.search(text):
        if m["names"]:
            more = f" ({m['more']})" if m["more"] else ""
            said = f"is for {m['names']}{more}, not for {m['host']}"
        else:
            said = f"doesn't name {m['host']}"
        return (
            f"The central store's certificate {said}, the host in [central] url. Use the "
            "host name on its certificate in [central] url (ask IT); keep sslmode=verify-full."
        )
    if m := _NO_ROOT.search(text):
        return (
            "This station can't check the central store's certificate: the CA certificate "
            f"file {m[1]} is missing or unreadable. " + _CA_FIX
        )
    if "server does not support SSL" in text:
        return (
            "The central store doesn't offer TLS, but [central] url asks for it (sslmode). "
            "Ask IT to turn TLS on at the server (ssl = on)."
        )
    if "no pg_hba.conf entry" in text:
        if "no encryption" in text:
            return (
                "The central store accepts only encrypted connections: add "
                "?sslmode=verify-full (and sslrootcert, if IT gave you a CA certificate) to "
                "[central] url."
            )
        return (
            "The central store doesn't let this station's role in from this machine (no "
            "pg_hba.conf entry for it). Ask IT to allow it."
        )
    return None


def secure_transport(conn: psycopg.Connection) -> bool:
    """True when this connection is encrypted (or local, where TLS adds nothing)."""
    info = conn.pgconn
    if info.ssl_in_use:
        return True
    host = conn.info.host
    return is_local(host)
