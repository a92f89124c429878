"""The crash-safety protocol that charges, refunds and reader payments share (DESIGN.md).

1. Write the row with a fresh idempotency key (`new_key`) and every parameter of the
   request, and commit, before anything is sent.
2. Claim it: in this process with `Claims` (one charge or refund per gift at a time, also
   before its row exists), and across processes with `claim_row`, one conditional UPDATE
   that moves an unsettled row to its working state, so two settlers never replay the same
   row.
3. Call the processor with no transaction open, through `send`, which says what the answer
   means: done, declined, refused, or, for a transport failure, whether the request may
   have arrived. A failure after it may have arrived, or on a replay, is *in doubt*, never
   failed; so is a refused replay, which says nothing about the first attempt.
4. The caller records the outcome in one transaction. Settling is the same call again with
   the same key, parameters rebuilt from the row: the processor answers with the original
   result and never acts twice.

Each service keeps what is its own: which states a verdict becomes, its messages, and the
steps before the call (the card's token, the reader's PaymentIntent).
"""

from __future__ import annotations

import enum
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session

from pos_app.faults import crashpoint
from pos_app.payments.base import Declined, Permanent, ProcessorError, Transient

T = TypeVar("T")


def new_key(kind: str = "") -> str:
    """A fresh idempotency key, stored on the row before its first request."""
    return f"tableside-{kind + '-' if kind else ''}{uuid.uuid4().hex}"


class Busy(RuntimeError):
    """Someone in this process is already working on that gift."""


class Claims:
    """Which gifts this process is charging or refunding right now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active: set[str] = set()

    def take(self, key: str) -> bool:
        with self._lock:
            if key in self.active:
                return False
            self.active.add(key)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self.active.discard(key)

    @contextmanager
    def held(self, key: str) -> Iterator[None]:
        """Hold `key` for the block; raises Busy when it is already held."""
        if not self.take(key):
            raise Busy(key)
        try:
            yield
        finally:
            self.release(key)


def claim_row(
    s: Session, model: Any, row_id: str, unsettled: Iterable[str], working: str
) -> bool:
    """Move the row from an unsettled state to `working` in one conditional UPDATE; True
    when this session won it (a row already settled, or claimed by another, is not)."""
    moved = s.execute(
        update(model)
        .where(model.id == row_id, model.state.in_(list(unsettled)))
        .values(state=working)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1  # type: ignore[attr-defined]


class Verdict(enum.Enum):
    DONE = "done"
    DECLINED = "declined"  # the card was refused (a charge)
    REFUSED = "refused"  # the request was refused: nothing was done
    NOT_SENT = "not_sent"  # a transport failure before the request can have arrived
    IN_DOUBT = "in_doubt"  # no answer after it may have arrived, or a refused replay


@dataclass(frozen=True)
class Answer(Generic[T]):
    verdict: Verdict
    result: T | None = None
    error: ProcessorError | None = None

    @property
    def refused_replay(self) -> bool:
        """In doubt because a replay was refused (its error is not a transport failure)."""
        return self.verdict is Verdict.IN_DOUBT and not isinstance(self.error, Transient)


def send(
    call: Callable[[], T],
    *,
    maybe_sent: bool,
    crash_after: str,
    refusals: type[ProcessorError] = Permanent,
    declines: bool = True,
) -> Answer[T]:
    """Make the call and say what its answer means. `maybe_sent`: an earlier attempt may
    have reached the processor (a replay). `refusals`: the errors that mean "refused";
    anything else propagates. `declines`: a Declined is a decline (else a refusal).
    `crash_after` names the crash point right after the answer (pos_app/faults.py)."""
    try:
        result = call()
    except Transient as exc:
        crashpoint(crash_after)
        verdict = Verdict.IN_DOUBT if exc.maybe_charged or maybe_sent else Verdict.NOT_SENT
        return Answer(verdict, error=exc)
    except Declined as exc:
        if not declines and not isinstance(exc, refusals):
            raise
        crashpoint(crash_after)
        if declines:
            return Answer(Verdict.DECLINED, error=exc)
        return Answer(Verdict.IN_DOUBT if maybe_sent else Verdict.REFUSED, error=exc)
    except refusals as exc:
        crashpoint(crash_after)
        return Answer(Verdict.IN_DOUBT if maybe_sent else Verdict.REFUSED, error=exc)
    crashpoint(crash_after)
    return Answer(Verdict.DONE, result=result)
