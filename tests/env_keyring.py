"""A keyring backend for CLI tests that run `python -m pos_app` as a child process.

The child is pointed at it with PYTHON_KEYRING_BACKEND=env_keyring.EnvKeyring (and this
folder on PYTHONPATH); it reads the secrets the test put in TABLESIDE_TEST_KEYRING as
JSON ("service/name" -> value), so the app reads its key through keyring as it always
does. Kept tiny: the child imports it at start-up.
"""

from __future__ import annotations

import json
import os

from keyring.backend import KeyringBackend

SECRETS_VAR = "TABLESIDE_TEST_KEYRING"


class EnvKeyring(KeyringBackend):
    """Read-only: the secrets a test handed the child through its environment."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        found: dict[str, str] = json.loads(os.environ.get(SECRETS_VAR, "{}"))
        return found.get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError("the test keyring is read-only")

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError("the test keyring is read-only")
