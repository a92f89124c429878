"""The lead desk's screens: one file per screen, registered here, shown as tabs.

A screen is a QWidget with `start()` (unlocked and visible: read and follow changes) and
`stop()` (locked or hidden: read nothing). The lead window builds every registered screen
for its audience in `order`, and locks and unlocks them all in one place, so a new screen
is one new file plus `register()` — see ARCHITECTURE.md, "Adding a screen".
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from pos_app.api import Station

    from .live import LiveChanges
    from .tasks import TaskRunner

# The built-in screens; importing each registers it.
BUILTIN = (
    "pos_app.ui.jobs_panel",
    "pos_app.ui.desk",
    "pos_app.ui.tables_screen",
    "pos_app.ui.paddle_raise_screen",
    "pos_app.ui.pledges_screen",
    "pos_app.ui.settings_tab",
)


class LiveScreen(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


@dataclass(frozen=True)
class Screen:
    key: str  # the lead window's attribute-free handle: window.screen("jobs")
    title: str  # the tab's text
    factory: Callable[[Station, TaskRunner, LiveChanges], QWidget]
    audience: str = "lead"  # only the lead desk so far; a projector screen would add one
    order: int = 100
    shown_for: Callable[[Station], bool] | None = None  # None: every station


_screens: dict[str, Screen] = {}
_loaded = False


def register(screen: Screen) -> Screen:
    _screens[screen.key] = screen
    return screen


def unregister(key: str) -> None:
    _screens.pop(key, None)


def screens(audience: str = "lead") -> list[Screen]:
    global _loaded
    if not _loaded:
        for module in BUILTIN:
            importlib.import_module(module)
        _loaded = True
    return sorted((s for s in _screens.values() if s.audience == audience), key=lambda s: s.order)
