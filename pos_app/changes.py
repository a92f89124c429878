"""Change notices: after every committed write, whoever shows data hears what changed.

The store reports each commit's written tables (and the row ids it knows, see
`store/database.py`); `ChangeFeed.tables_written` turns that into a small, Qt-free
`Change` — which topics (a gift, a job, the settings) and which ids — and hands it to every
subscriber on the thread that committed. The GUI subscribes once per screen through
`ui/live.py`, which carries the notice to the GUI thread with one queued signal; screens
refresh only what a notice names. A slow timer stays as the fallback for writes made by
another process (`pos-app jobs retry` beside the window), which no feed here can see.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger(__name__)


class Topic(StrEnum):
    GIFT = "gift"  # a donation or its refund was written
    JOB = "job"  # a background job changed state
    SETTINGS = "settings"  # the event's name, goal or station name changed
    NETWORK = "network"  # online/offline flipped
    EVENT = "event"  # the event changed at some station (the central store said so)
    GALA = "gala"  # a guest checked in, a paddle raise or a pledge was written


# Which table's rows make which topic; tables not named here (counters, the lead PIN)
# change nothing anyone watches.
TABLE_TOPICS: dict[str, Topic] = {
    "donations": Topic.GIFT,
    "refunds": Topic.GIFT,
    "jobs": Topic.JOB,
    "attendees": Topic.GALA,
    "paddle_raises": Topic.GALA,
    "pledges": Topic.GALA,
}
# Settings are announced by the live settings source once the new ones are in place
# (services/event_settings.py), not at the commit, which comes before the swap.


@dataclass(frozen=True)
class Change:
    topics: frozenset[Topic]
    ids: frozenset[str] = frozenset()  # row ids the writer knew; empty: "some rows"

    def __contains__(self, topic: object) -> bool:
        return topic in self.topics

    def merged(self, other: Change) -> Change:
        return Change(self.topics | other.topics, self.ids | other.ids)

    @classmethod
    def of(cls, *topics: Topic, ids: Iterable[str] = ()) -> Change:
        return cls(frozenset(topics), frozenset(ids))


Subscriber = Callable[[Change], None]


class ChangeFeed:
    """Thread-safe publish/subscribe. Subscribers run on the publishing thread and must be
    quick (the GUI's only appends to a buffer and pokes a queued signal); one that raises
    is logged and the others still hear."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []
        self.published = 0

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Returns the call that unsubscribes (safe to call twice)."""
        with self._lock:
            self._subscribers.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._subscribers:
                    self._subscribers.remove(fn)

        return unsubscribe

    def publish(self, change: Change) -> None:
        if not change.topics:
            return
        with self._lock:
            subscribers = list(self._subscribers)
            self.published += 1
        for fn in subscribers:
            try:
                fn(change)
            except Exception:
                log.exception("a change subscriber failed")

    def tables_written(self, written: Mapping[str, set[str]]) -> None:
        """The store's commit hook: {table: ids written} -> one Change."""
        topics = {TABLE_TOPICS[t] for t in written if t in TABLE_TOPICS}
        if topics:
            ids = {i for t, rows in written.items() if t in TABLE_TOPICS for i in rows}
            self.publish(Change(frozenset(topics), frozenset(ids)))
