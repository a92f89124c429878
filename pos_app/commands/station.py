"""Opening the station for a command-line tool: no window, no job consumer, no secrets.

The commands read and change the ledger and the DB only. A job queued again goes into the
shared queue file, where the running app's consumer (or the next start) picks it up. The
processor and the email sender are stand-ins that refuse every call, so a command never
charges, sends or needs the OS keyring (often unreachable over SSH).

Reading commands (`jobs`, `export`) work beside an open window: they read the DB without
migrating it and leave the window's queue alone. Commands that write (`jobs retry`) take
the station's lock like a window would, so with the window open they refuse
(`StationBusy`, "Tableside is already open on this laptop": do it from the lead desk).
"""

from __future__ import annotations

from pos_app.api import Station
from pos_app.paths import DataPaths
from pos_app.payments.base import Permanent
from pos_app.payments.registry import Capability
from pos_app.receipts.senders import UnavailableSender
from pos_app.settings import Settings
from pos_app.station_lock import COMMAND

NOT_HERE = "Not available from the command line; the Tableside window does this."


class CommandLineProcessor:
    """Stands in for the processor: knows its name, makes no calls, declares it can do
    nothing (so no reader, no saved cards, no refunds are offered through it)."""

    capabilities: frozenset[Capability] = frozenset()

    def __init__(self, name: str) -> None:
        self.name = name

    def _refuse(self, *_args: object) -> None:
        raise Permanent(NOT_HERE, "command-line station")

    create_payment_method = charge = create_customer = save_card = refund = _refuse

    def close(self) -> None:
        pass


def open_command_station(settings: Settings, *, writes: bool = False) -> Station:
    return Station(
        settings,
        DataPaths.resolve(),
        processor=CommandLineProcessor(settings.payments.provider),  # type: ignore[arg-type]
        sender=UnavailableSender(settings.receipts.provider, NOT_HERE),
        role=COMMAND,
        read_only=not writes,
    )
