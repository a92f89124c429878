"""The job system's own failure: a job that can't succeed as things stand.

Integrations raise their own error kinds (payments' Declined/Transient/Permanent,
receipts' SendTransient/SendPermanent); a job body raises `JobPermanent` for what only a
person can fix (a missing gift, a bad address). The runner maps all of them.
"""

from __future__ import annotations


class JobPermanent(Exception):
    """The job can't succeed as things stand; a person has to act."""

    kind = "permanent"

    def __init__(self, message: str, detail: str = "", fix: str = "") -> None:
        super().__init__(message)
        self.message, self.detail, self.fix = message, detail, fix
