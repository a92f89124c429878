"""The two ways sending a receipt can fail, as ARCHITECTURE.md's error kinds.

- SendTransient: network down, timeout, 5xx, 429 (with the server's Retry-After): retry.
- SendPermanent: bad address, bad credentials, a request the server will never take: the
  job waits for a person. `fix` names the action that resolves it (e.g. "fix_email").
`message` is plain words for the event lead; `detail` is technical, for logs and IT.
"""

from __future__ import annotations

SETTINGS_FIX = "check_settings"
EMAIL_FIX = "fix_email"


class SendError(Exception):
    kind = "error"

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class SendTransient(SendError):
    kind = "transient"

    def __init__(
        self,
        message: str,
        detail: str = "",
        *,
        retry_after: float | None = None,
        offline: bool = False,
    ) -> None:
        super().__init__(message, detail)
        self.retry_after = retry_after
        self.offline = offline  # the server was not reached at all


class SendPermanent(SendError):
    kind = "permanent"

    def __init__(self, message: str, detail: str = "", *, fix: str = "") -> None:
        super().__init__(message, detail)
        self.fix = fix  # fix_email | check_settings | ""


def bad_address(address: str, detail: str = "") -> SendPermanent:
    return SendPermanent(
        f"The email address {address!r} can't receive mail. Correct it and send again.",
        detail,
        fix=EMAIL_FIX,
    )
