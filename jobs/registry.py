"""The job kinds: one file per kind (jobs/kinds/), registered here, read by everyone else.

A kind says everything the app needs to know about one sort of background work: its name,
what people call it, how its states read, how it retries, which gift makes it and the body
that does it. The ledger, the runner, the lead's panel, alerts, the CLI and the export ask
the registry, so a new kind is one new file plus `register()` — see ARCHITECTURE.md,
"Adding a job kind". No kind name is spelled outside its own file.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .policy import RetryPolicy
from .records import JobState

if TYPE_CHECKING:
    from pos_app.store.models import Donation

    from .context import JobContext
    from .ledger import Work

# The built-in kinds, in the order a gift's jobs are created. Registration in one place.
BUILTIN = (
    "jobs.kinds.save_card",
    "jobs.kinds.receipt",
    "jobs.kinds.dedication",
    "jobs.kinds.pledge_charge",  # made with a paddle-raise pledge, never by a gift
    "jobs.kinds.pay_link",  # made with a pledge paid by link, or by the lead's resend
    "jobs.kinds.sync",  # the station's standing job: armed by the outbox, never per gift
    "jobs.kinds.alert_email",  # standing too: armed when an [alerts] limit is passed
)

Body = Callable[["Work"], str]


@dataclass(frozen=True)
class JobKindSpec:
    name: str  # stored in jobs.kind (16 characters at most)
    label: str  # "Receipt": the panel's kind column, titles and the export
    plural: str  # "Receipts": the kind filter
    noun: tuple[str, str]  # ("receipt", "receipts"): in sentences (alerts, closing)
    doing: str  # "sending the receipt": "something went wrong while …"
    delivery: str  # "exactly once" (idempotent processor write) | "at least once" (email)
    # Does a gift just recorded (approved or cash/check) get this job? Called inside the
    # gift's transaction; must not touch the network.
    follows_gift: Callable[[Donation, JobContext], bool]
    make_body: Callable[[JobContext], Body]
    numbered: bool = False  # gets a receipt number when created
    # What a lead can do besides retry/discard: "fix_email" (correct the address and send
    # again), "open_result" (result_ref is a file to open).
    actions: frozenset[str] = frozenset()
    permanent_fix: str = "check_settings"  # the fix a permanent failure suggests by default
    state_words: dict[JobState, str] = field(default_factory=dict)  # e.g. done -> "Sent"
    policy: RetryPolicy | None = None  # None: the system's policy ([jobs] max_backoff)

    def state_label(self, state: str) -> str:
        known = JobState(state)
        return self.state_words.get(known, known.label)


_kinds: dict[str, JobKindSpec] = {}
_lock = threading.Lock()
_loaded = False


def register(spec: JobKindSpec) -> JobKindSpec:
    """Add (or replace) a kind. Returns it, so a kind file can keep `SPEC = register(...)`."""
    if not spec.name or len(spec.name) > 16:
        raise ValueError(f"job kind name {spec.name!r} must be 1-16 characters")
    with _lock:
        _kinds[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    with _lock:
        _kinds.pop(name, None)


def _ensure_builtins() -> None:
    global _loaded
    if _loaded:
        return
    for module in BUILTIN:
        importlib.import_module(module)
    _loaded = True


def kinds() -> list[JobKindSpec]:
    """Every registered kind, built-ins first in creation order."""
    _ensure_builtins()
    with _lock:
        return list(_kinds.values())


def get(name: str) -> JobKindSpec:
    """The kind's spec; a row whose kind is no longer registered gets a plain stand-in
    (it shows by its stored name and can be retried or discarded, never crashes a view)."""
    _ensure_builtins()
    with _lock:
        spec = _kinds.get(name)
    return spec or _unknown(name)


def label(name: str) -> str:
    return get(name).label


def _unknown(name: str) -> JobKindSpec:
    def body(_ctx: Any) -> Body:
        def refuse(work: Work) -> str:
            from .errors import JobPermanent

            raise JobPermanent(
                f"Tableside doesn't know the job kind {name!r} any more. Discard this job.",
                f"unregistered job kind {name!r}",
                fix="discard",
            )

        return refuse

    words = name.replace("_", " ")
    return JobKindSpec(
        name=name,
        label=words.capitalize(),
        plural=words.capitalize(),
        noun=(f"{words} job", f"{words} jobs"),
        doing=f"running the {words} job",
        delivery="at least once",
        follows_gift=lambda _d, _c: False,
        make_body=body,
    )
