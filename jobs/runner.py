"""Run one job: claim it in the ledger, run its body, map the failure to an error kind.

- transient -> retry_scheduled after the policy's delay (Retry-After honoured), forever;
- declined (the processor refused to keep a card) and permanent -> needs_attention;
- anything unexpected (a bug) -> needs_attention too, so it never spins in a retry loop.
Every outcome also tells the connectivity tracker whether a server was reached.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from pos_app.logs import redact
from pos_app.store.disk import disk_full

from .connectivity import Connectivity
from .ledger import Ledger, Work
from .policy import RetryPolicy
from .registry import get as kind_of

log = logging.getLogger(__name__)

Handler = Callable[[Work], str]


class JobRunner:
    def __init__(
        self,
        ledger: Ledger,
        body_for: Callable[[str], Handler],
        policy: RetryPolicy,
        connectivity: Connectivity,
    ) -> None:
        self.ledger = ledger
        self.body_for = body_for
        self.policy = policy
        self.connectivity = connectivity
        self._lock = threading.Lock()
        self._active: set[str] = set()

    def active_ids(self) -> set[str]:
        with self._lock:
            return set(self._active)

    def run(self, job_id: str) -> float | None:
        """Run the job if it is due; return seconds until its retry, or None."""
        with self._lock:
            if job_id in self._active:
                return None
            self._active.add(job_id)
        try:
            work = self.ledger.claim(job_id)
            if work is None:
                return None  # done, discarded, waiting for a person, or a stale copy
            try:
                self.body_for(work.kind)(work)
            except Exception as exc:
                return self._failed(work, exc)
            self.connectivity.reached()
            return None
        finally:
            with self._lock:
                self._active.discard(job_id)

    def _failed(self, work: Work, exc: Exception) -> float | None:
        kind = getattr(exc, "kind", None)
        message = str(getattr(exc, "message", "") or exc)
        detail = str(getattr(exc, "detail", "") or type(exc).__name__)
        if kind is None and disk_full(exc):
            # Not a bug and nothing a person must decide: it works again once there is
            # room. (If even this can't be written, the row stays `running` and the ledger
            # sync puts it back.)
            kind, message = "transient", "The laptop's disk is full: free space."
            detail = f"{type(exc).__name__}: disk full"
        if kind == "transient":
            if getattr(exc, "offline", False):
                self.connectivity.unreachable()
            else:
                self.connectivity.reached()
            policy = kind_of(work.kind).policy or self.policy
            delay = policy.delay(work.attempts, getattr(exc, "retry_after", None))
            if "again" not in message.lower():
                message = f"{message} Trying again automatically."
            self.ledger.mark_retry(work.id, delay, message, detail)
            log.info(
                "job %s (%s) attempt %d: transient, retry in %.1fs: %s",
                work.id, work.kind, work.attempts, delay, redact(detail),
            )
            return delay
        if kind == "declined":
            self.connectivity.reached()
            message = (
                f"The processor wouldn't save this card: {message} The gift itself is approved; "
                "discard this job or ask the donor for another card next time."
            )
            fix = "discard"
        elif kind == "permanent":
            self.connectivity.reached()
            fix = getattr(exc, "fix", "") or kind_of(work.kind).permanent_fix
        else:
            log.exception("job %s (%s) failed unexpectedly", work.id, work.kind)
            what = kind_of(work.kind).doing
            message = f"Something unexpected went wrong while {what}. Try again, or tell IT."
            detail = f"{type(exc).__name__}: {exc}"
            fix = "retry"
        self.ledger.mark_needs_attention(work.id, message, detail, fix)
        log.info("job %s (%s): needs attention: %s", work.id, work.kind, redact(detail))
        return None
