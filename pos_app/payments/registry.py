"""The processors this app can use, each declared once by its own module.

Everything that differs between processors lives in a `ProcessorSpec` registered by the
processor's file: how to build it from the settings, the secrets it needs, what it can do
(capabilities, declared rather than probed with hasattr), the hosts the connectivity
probe knocks on, its own `pos-app doctor` checks and the status bar's words for it.
`configure`, the Settings tab, `doctor`, the status bar, the settings validation and the
station all ask here, so a new processor is one new file that calls `register()`, plus its
module name in `BUILT_IN` (or, for a plug-in or a test, a `register()` call of its own).

Importing this module is cheap and Qt-free: the built-in processor modules (which bring
httpx) are imported on the first lookup, from the one tuple below.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pos_app.checks import Check
    from pos_app.secrets import Secret
    from pos_app.settings import Settings

    from .base import Processor

# The processors that ship with Tableside, registered by importing their modules.
BUILT_IN = (
    "pos_app.payments.simulator",
    "pos_app.payments.stripe",
    "pos_app.payments.stripe_terminal",
)


class Capability(StrEnum):
    """What a processor instance can do; read from its `capabilities`, never probed."""

    READER = "reader"  # takes cards on a reader: `card_reader()` gives its ReaderProcessor
    TEST_TAPS = "test_taps"  # the reader's donor can be played from the laptop (present())
    SAVE_CARD = "save_card"  # keeps an approved gift's card for later gifts
    CARD_ON_FILE = "card_on_file"  # saves a card with no charge (check-in: a SetupIntent)
    REFUND = "refund"  # gives a payment back
    SIMULATED = "simulated"  # no real money moves: training mode
    PAY_LINK = "pay_link"  # a gift paid later on the processor's page: `pay_links()`


@dataclass(frozen=True)
class ProcessorSpec:
    name: str  # the `[payments] provider` value, and the processor's own `name`
    label: str  # for people: "Stripe Terminal (card reader)"
    mode_label: Callable[[Processor], str]  # the status bar's words for this instance
    factory: Callable[[Settings, Callable[[str], str]], Processor]  # (settings, get_secret)
    capabilities: frozenset[Capability] = frozenset()
    secrets: tuple[Secret, ...] = ()
    # Where the instance talks (host, port). From the instance, not the settings: a
    # processor handed to a station (tests, integrators) may point at another server.
    hosts: Callable[[Processor], list[tuple[str, int]]] = lambda _processor: []
    # Its own `pos-app doctor` lines; a missing key or keyring is a failed Check, never
    # an exception.
    doctor_checks: Callable[[Settings], list[Check]] = lambda _settings: []
    # A problem with the settings this processor needs (None: fine); ConfigError text.
    settings_problem: Callable[[Settings], str | None] = lambda _settings: None

    @property
    def training(self) -> bool:
        return Capability.SIMULATED in self.capabilities


class UnknownProcessor(LookupError):
    """No processor is registered under that name; the message lists those that are."""


_lock = threading.RLock()
_specs: dict[str, ProcessorSpec] = {}
_loaded = False


def register(spec: ProcessorSpec) -> ProcessorSpec:
    """Add a processor. Registering another spec under a taken name is refused, so two
    modules can't silently fight over a provider name."""
    with _lock:
        current = _specs.get(spec.name)
        if current is not None and current is not spec:
            raise ValueError(f"a processor named {spec.name!r} is already registered")
        _specs[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a processor (a test's own, or a plug-in being unloaded)."""
    with _lock:
        _specs.pop(name, None)


def get(name: str) -> ProcessorSpec:
    _load_built_ins()
    with _lock:
        spec = _specs.get(name)
    if spec is None:
        raise UnknownProcessor(
            f"No processor is called {name!r}; the known ones are {', '.join(names())}."
        )
    return spec


def names() -> list[str]:
    _load_built_ins()
    with _lock:
        return sorted(_specs)


def specs() -> list[ProcessorSpec]:
    _load_built_ins()
    with _lock:
        return [_specs[n] for n in sorted(_specs)]


def _load_built_ins() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        for module in BUILT_IN:
            importlib.import_module(module)
        _loaded = True
