"""`pos-app configure`: store this laptop's secrets in the OS keyring.

Interactive: asks for each secret the config needs, without echo; Enter keeps the stored
one. Scripted: `--stdin` reads `NAME=VALUE` lines, e.g.
`printf 'stripe_secret_key=%s\\n' "$KEY" | pos-app configure --stdin`.
Secrets never touch a file; with no keyring backend it says so and exits 3.
"""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from pos_app.secrets import (
    SENDGRID_API_KEY,
    SMTP_PASSWORD,
    STRIPE_SECRET_KEY,
    SecretsError,
    has_secret,
    set_secret,
)
from pos_app.settings import Settings

LABELS = {
    STRIPE_SECRET_KEY: "Stripe secret key (sk_test_… or sk_live_…)",
    SENDGRID_API_KEY: "SendGrid API key",
    SMTP_PASSWORD: "SMTP password",
}


def needed_secrets(settings: Settings) -> list[str]:
    names = []
    if settings.payments.provider == "stripe":
        names.append(STRIPE_SECRET_KEY)
    if settings.receipts.provider == "sendgrid":
        names.append(SENDGRID_API_KEY)
    if settings.receipts.provider == "smtp":
        names.append(SMTP_PASSWORD)
    return names


def stripe_mode(key: str) -> str:
    if key.startswith(("sk_live_", "rk_live_")):
        return "LIVE: real cards will be charged real money"
    if key.startswith(("sk_test_", "rk_test_")):
        return "TEST mode: no real money moves"
    return "unrecognised key format (expected sk_test_… or sk_live_…)"


def _tail(value: str) -> str:
    return f"…{value[-4:]}" if len(value) > 8 else "…"


def run_configure(
    settings: Settings,
    *,
    from_stdin: bool,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    stdin, out = stdin or sys.stdin, out or sys.stdout
    wanted = needed_secrets(settings)
    if not wanted:
        print(
            "This config needs no secrets (training mode: simulator and outbox). "
            'Set [payments] provider = "stripe" or a receipts provider first.',
            file=out,
        )
        return 0
    try:
        values = _read_stdin(stdin, wanted) if from_stdin else _ask(wanted, out)
    except ValueError as exc:
        print(f"Nothing stored: {exc}", file=out)
        return 2
    try:
        for name, value in values.items():
            set_secret(name, value)
            extra = f" — {stripe_mode(value)}" if name == STRIPE_SECRET_KEY else ""
            print(f"✓ stored {name} ({_tail(value)}) in the OS keyring{extra}", file=out)
        missing = [n for n in wanted if not has_secret(n)]
    except SecretsError as exc:
        print(f"✗ {exc}", file=out)
        return 3
    for name in missing:
        print(f"✗ {name} is still missing: {LABELS[name]}", file=out)
    return 1 if missing else 0


def _read_stdin(stdin: TextIO, wanted: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for n, line in enumerate(stdin.read().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or name not in LABELS:
            raise ValueError(
                f"line {n} of stdin should be NAME=VALUE with NAME one of {', '.join(LABELS)}."
            )
        if not value.strip():
            raise ValueError(f"line {n} of stdin has an empty value for {name}.")
        values[name] = value.strip()
    return values


def _ask(wanted: list[str], out: TextIO) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in wanted:
        keep = " (Enter keeps the stored one)" if _safe_has(name) else ""
        value = getpass.getpass(f"{LABELS[name]}{keep}: ").strip()
        if value:
            values[name] = value
    return values


def _safe_has(name: str) -> bool:
    try:
        return has_secret(name)
    except SecretsError:
        return False
