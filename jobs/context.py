"""What a job kind gets to work with: built once by the job system, handed to every kind.

Settings are read through `settings()` at the moment of use, so a change the lead makes
at the desk reaches the next job without a restart (pos_app/live_settings.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pos_app.payments.base import Processor
from pos_app.receipts.senders import Sender
from pos_app.settings import Settings
from pos_app.store.database import Database

from .errors import JobPermanent
from .ledger import Ledger


@dataclass(frozen=True)
class JobContext:
    db: Database
    ledger: Ledger
    processor: Processor
    sender: Sender
    settings: Callable[[], Settings]
    save_cards: bool  # the processor can keep a card for later gifts
    # Services a kind's body calls, handed in by the composition root under the name the
    # kind's file declares (the pledge charge's); jobs/ never imports pos_app.services.
    services: dict[str, object] = field(default_factory=dict)

    def service(self, name: str, doing: str) -> object:
        """The service `name` a kind's body calls. A station that never runs jobs (a CLI
        command's) has none: reaching here without one is a bug, said as a job that needs a
        restart ("This station can't <doing> right now")."""
        found = self.services.get(name)
        if found is None:
            raise JobPermanent(
                f"This station can't {doing} right now. Restart Tableside.",
                f"no {name} service in the job context",
                fix="retry",
            )
        return found
