"""`pos-app configure`: store this laptop's secrets in the OS keyring.

Interactive: asks for each secret the config needs, without echo; Enter keeps the stored
one. Scripted: `--stdin` reads `NAME=VALUE` lines, e.g.
`printf 'stripe_secret_key=%s\\n' "$KEY" | pos-app configure --stdin`.
Secrets never touch a file; with no keyring backend it says so and exits 3. Which secrets
a config needs comes from pos_app/secrets.py (the processor's from its registered spec).
"""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from pos_app.payments import registry
from pos_app.secrets import (
    Secret,
    SecretsError,
    has_secret,
    known_secrets,
    needed_secrets,
    set_secret,
)
from pos_app.settings import Settings


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
        processor = registry.get(settings.payments.provider).label
        print(
            f"This config needs no secrets: {processor}; receipts go to the "
            f"{settings.receipts.provider}. Set a [payments] or [receipts] provider that "
            "needs one first.",
            file=out,
        )
        return 0
    try:
        values = _read_stdin(stdin, wanted) if from_stdin else _ask(wanted, out)
    except ValueError as exc:
        print(f"Nothing stored: {exc}", file=out)
        return 2
    try:
        known = known_secrets()
        for name, value in values.items():
            set_secret(name, value)
            extra = known[name].stored_note(value)
            print(f"✓ stored {name} ({_tail(value)}) in the OS keyring{extra}", file=out)
        missing = [s for s in wanted if not has_secret(s.name)]
    except SecretsError as exc:
        print(f"✗ {exc}", file=out)
        return 3
    for secret in missing:
        print(f"✗ {secret.name} is still missing: {secret.label}", file=out)
    return 1 if missing else 0


def _read_stdin(stdin: TextIO, wanted: list[Secret]) -> dict[str, str]:
    """Any secret a registered processor or receipts provider knows is accepted, so IT
    can provision a laptop before its config changes provider."""
    known = known_secrets()
    values: dict[str, str] = {}
    for n, line in enumerate(stdin.read().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or name not in known:
            raise ValueError(
                f"line {n} of stdin should be NAME=VALUE with NAME one of {', '.join(known)}."
            )
        if not value.strip():
            raise ValueError(f"line {n} of stdin has an empty value for {name}.")
        values[name] = value.strip()
    return values


def _ask(wanted: list[Secret], out: TextIO) -> dict[str, str]:
    values: dict[str, str] = {}
    for secret in wanted:
        keep = " (Enter keeps the stored one)" if _safe_has(secret.name) else ""
        value = getpass.getpass(f"{secret.label}{keep}: ").strip()
        if value:
            values[secret.name] = value
    return values


def _safe_has(name: str) -> bool:
    try:
        return has_secret(name)
    except SecretsError:
        return False
