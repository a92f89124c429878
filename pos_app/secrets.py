"""Secrets in the OS keyring under the service `tableside`; never in files or the DB.

Where no keyring backend exists, say so and how to fix it; never fall back to plaintext.
"""

from __future__ import annotations

import keyring
import keyring.errors
from keyring.backends import fail

SERVICE = "tableside"
STRIPE_SECRET_KEY = "stripe_secret_key"
SENDGRID_API_KEY = "sendgrid_api_key"
SMTP_PASSWORD = "smtp_password"

NO_BACKEND_HELP = (
    "No OS keyring is available on this computer, so Tableside can't read or store its "
    "secrets (it never keeps them in plain files). Fix: on Linux, install and unlock a "
    "Secret Service (e.g. gnome-keyring or KeePassXC with Secret Service enabled), or set "
    "PYTHON_KEYRING_BACKEND to a keyring backend IT has approved."
)


class SecretsError(RuntimeError):
    """A secret can't be had; the message says what to do."""


def _backend_ok() -> bool:
    return not isinstance(keyring.get_keyring(), fail.Keyring)


def get_secret(name: str) -> str:
    if not _backend_ok():
        raise SecretsError(NO_BACKEND_HELP)
    try:
        value = keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError as exc:
        raise SecretsError(f"The OS keyring refused to give '{name}': {exc}") from None
    if not value:
        raise SecretsError(
            f"The secret '{name}' is not in the OS keyring (service '{SERVICE}'). "
            "Run `pos-app configure` to store it."
        )
    return value


def has_secret(name: str) -> bool:
    if not _backend_ok():
        raise SecretsError(NO_BACKEND_HELP)
    try:
        return bool(keyring.get_password(SERVICE, name))
    except keyring.errors.KeyringError as exc:
        raise SecretsError(f"The OS keyring refused to answer for '{name}': {exc}") from None


def set_secret(name: str, value: str) -> None:
    if not _backend_ok():
        raise SecretsError(NO_BACKEND_HELP)
    try:
        keyring.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as exc:
        raise SecretsError(f"The OS keyring refused to store '{name}': {exc}") from None
