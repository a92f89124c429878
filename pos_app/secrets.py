"""Secrets in the OS keyring under the service `tableside`; never in files or the DB.

Where no keyring backend exists, say so and how to fix it; never fall back to plaintext.
Also which secrets a config needs and their names for people, here below the CLI and the
UI so that `configure`, the Settings tab, `doctor` and the station share one answer: the
processor's part comes from its registered spec (pos_app/payments/registry.py), the
receipts part from the small table below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pos_app.settings import Settings

# keyring (and its backends' imports) is loaded on first use, not at start-up: a station in
# training mode never reads a secret, and its first window should not wait for it.

SERVICE = "tableside"
STRIPE_SECRET_KEY = "stripe_secret_key"
SENDGRID_API_KEY = "sendgrid_api_key"
SMTP_PASSWORD = "smtp_password"
CENTRAL_PASSWORD = "central_password"

NO_BACKEND_FIX = (
    "on Linux, install and unlock a Secret Service (e.g. gnome-keyring or KeePassXC with "
    "Secret Service enabled), or set PYTHON_KEYRING_BACKEND to a keyring backend IT has "
    "approved."
)
NO_BACKEND_HELP = (
    "No OS keyring is available on this computer, so Tableside can't read or store its "
    f"secrets (it never keeps them in plain files). Fix: {NO_BACKEND_FIX}"
)
CONFIGURE_FIX = "run `pos-app configure`"


class SecretsError(RuntimeError):
    """A secret can't be had; the message says what to do, `fix` just the remedy."""

    def __init__(self, message: str, fix: str = CONFIGURE_FIX) -> None:
        super().__init__(message)
        self.fix = fix


def stripe_mode(key: str) -> str:
    """Which Stripe account a key charges, in words: said whenever a key is stored."""
    if key.startswith(("sk_live_", "rk_live_")):
        return "LIVE: real cards will be charged real money"
    if key.startswith(("sk_test_", "rk_test_")):
        return "TEST mode: no real money moves"
    return "unrecognised key format (expected sk_test_… or sk_live_…)"


@dataclass(frozen=True)
class Secret:
    name: str  # the keyring entry, and NAME in `pos-app configure --stdin`
    label: str  # what a person is asked for
    describe: Callable[[str], str] | None = None  # what a stored value means, e.g. LIVE

    def stored_note(self, value: str) -> str:
        """What follows "stored NAME" (e.g. " — TEST mode: …"), or nothing."""
        return f" — {self.describe(value)}" if self.describe else ""


STRIPE_KEY = Secret(STRIPE_SECRET_KEY, "Stripe secret key (sk_test_… or sk_live_…)", stripe_mode)
# Receipts senders are not in a registry yet; their secrets are this one small table.
RECEIPTS_SECRETS: dict[str, tuple[Secret, ...]] = {
    "sendgrid": (Secret(SENDGRID_API_KEY, "SendGrid API key"),),
    "smtp": (Secret(SMTP_PASSWORD, "SMTP password"),),
}


# The station's own password at the central store (`pos-app central add-station` prints it).
CENTRAL_SECRET = Secret(CENTRAL_PASSWORD, "Central store password (from add-station)")


def needed_secrets(settings: Settings) -> list[Secret]:
    """The secrets this config's processor, receipts provider and central store need, in
    asking order."""
    from pos_app.payments import registry

    spec = registry.get(settings.payments.provider)
    central = (CENTRAL_SECRET,) if settings.central.enabled else ()
    return [*spec.secrets, *RECEIPTS_SECRETS.get(settings.receipts.provider, ()), *central]


def known_secrets() -> dict[str, Secret]:
    """Every secret any registered processor or receipts provider may need, by name."""
    from pos_app.payments import registry

    known: dict[str, Secret] = {}
    for spec in registry.specs():
        known.update((s.name, s) for s in spec.secrets)
    for group in RECEIPTS_SECRETS.values():
        known.update((s.name, s) for s in group)
    known[CENTRAL_SECRET.name] = CENTRAL_SECRET
    return known


def _backend_ok() -> bool:
    import keyring
    from keyring.backends import fail

    return not isinstance(keyring.get_keyring(), fail.Keyring)


def _no_backend() -> SecretsError:
    return SecretsError(NO_BACKEND_HELP, NO_BACKEND_FIX)


def get_secret(name: str) -> str:
    if not _backend_ok():
        raise _no_backend()
    import keyring
    import keyring.errors

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
        raise _no_backend()
    import keyring
    import keyring.errors

    try:
        return bool(keyring.get_password(SERVICE, name))
    except keyring.errors.KeyringError as exc:
        raise SecretsError(f"The OS keyring refused to answer for '{name}': {exc}") from None


def set_secret(name: str, value: str) -> None:
    if not _backend_ok():
        raise _no_backend()
    import keyring
    import keyring.errors

    try:
        keyring.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as exc:
        raise SecretsError(f"The OS keyring refused to store '{name}': {exc}") from None
