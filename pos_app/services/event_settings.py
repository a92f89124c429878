"""The one live settings source, and the event settings the lead changes at the desk.

`LiveSettings` holds the settings the station runs with: the config file's, with the
lead's changes (name, goal, station name, whether cards may be typed beside a reader, and
whether the save-card box starts ticked; kept in the DB, they win over the file on this
laptop) laid over them, and the lead's goods list (services/goods.py). Whoever needs a
setting reads it at the moment of use (call the source), so a rename at the desk reaches
the next receipt, the window titles and the totals at once; a change is announced as a
`settings` notice (pos_app/changes.py) after it is in place. The station's stable id
(`station_id`) is made once, at first start.
"""

from __future__ import annotations

import dataclasses
import threading

from pos_app.changes import Change, ChangeFeed, Topic
from pos_app.settings import Event, Settings
from pos_app.store.database import Database
from pos_app.store.models import EventOverride, StationIdentity, StationOptions

from . import goods as goods_list
from .goods import Goods
from .records import InvalidDonation

MAX_GOAL_DOLLARS = 100_000_000


class LiveSettings:
    def __init__(self, db: Database, settings: Settings, feed: ChangeFeed) -> None:
        self.db, self.feed = db, feed
        self._lock = threading.Lock()
        self._settings = with_override(db, settings)
        self._goods = goods_list.read_goods(db, settings)

    def __call__(self) -> Settings:
        return self._settings  # one reference read: always a whole, consistent Settings

    @property
    def current(self) -> Settings:
        return self._settings

    def update_event(self, name: str, goal: int, station: str) -> Settings:
        """Check, keep in the DB, then swap; raises InvalidDonation with per-field messages."""
        with self._lock:
            event = check_event(self._settings.event, name, goal, station)
            save_override(self.db, event)
            self._settings = dataclasses.replace(self._settings, event=event)
        self.feed.publish(Change.of(Topic.SETTINGS))
        return self._settings

    def goods(self) -> list[Goods]:
        """The lead's list of things a gift may buy (services/goods.py), as it is now."""
        return list(self._goods)

    def set_goods(self, items: list[Goods]) -> list[Goods]:
        """Replace the goods list (checked; InvalidDonation per row), then announce it."""
        with self._lock:
            self._goods = goods_list.save_goods(self.db, items)
        self.feed.publish(Change.of(Topic.SETTINGS))
        return list(self._goods)

    def set_keyed_entry(self, allowed: bool) -> Settings:
        """The lead allows (or stops) typing card numbers on this station; kept in the DB."""
        value = "on" if allowed else "off"
        return self._set_option("keyed_entry", value)

    def set_save_cards_default(self, ticked: bool) -> Settings:
        """The lead's default for the form's save-card box; kept in the DB. Each gift
        still stores the donor's own answer."""
        if not isinstance(ticked, bool):
            raise InvalidDonation({"save_cards_default": "Choose on or off."})
        return self._set_option("save_cards_default", ticked, column="save_cards")

    def _set_option(self, name: str, value: object, *, column: str | None = None) -> Settings:
        """One `[payments]` choice of the lead's: the station_options row, then the swap."""
        with self._lock:
            with self.db.session() as s:
                row = s.get(StationOptions, 1)
                if row is None:
                    row = StationOptions(id=1)
                    s.add(row)
                setattr(row, column or name, value)
            payments = dataclasses.replace(self._settings.payments, **{name: value})
            self._settings = dataclasses.replace(self._settings, payments=payments)
        self.feed.publish(Change.of(Topic.SETTINGS))
        return self._settings


def with_override(db: Database, settings: Settings) -> Settings:
    with db.session() as s:
        row = s.get(EventOverride, 1)
        if row is not None:
            event = dataclasses.replace(
                settings.event, name=row.name, goal=row.goal, station=row.station
            )
            settings = dataclasses.replace(settings, event=event)
        options = s.get(StationOptions, 1)
        if options is not None:
            chosen: dict[str, object] = {}
            if options.keyed_entry:
                chosen["keyed_entry"] = options.keyed_entry
            if options.save_cards is not None:
                chosen["save_cards_default"] = options.save_cards
            payments = dataclasses.replace(settings.payments, **chosen)
            settings = dataclasses.replace(settings, payments=payments)
    return settings


def check_event(current: Event, name: str, goal: int, station: str) -> Event:
    """The event with the lead's changes; everything else kept as is."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give the event a name."
    if not station.strip():
        errors["station"] = "Name this station, e.g. Table 3."
    if not 0 <= goal <= MAX_GOAL_DOLLARS:
        errors["goal"] = "The goal must be a whole number of dollars, 0 for none."
    if errors:
        raise InvalidDonation(errors)
    return dataclasses.replace(
        current, name=name.strip()[:200], goal=goal, station=station.strip()[:100]
    )


def save_override(db: Database, event: Event) -> None:
    with db.session() as s:
        row = s.get(EventOverride, 1)
        if row is None:
            s.add(EventOverride(id=1, name=event.name, goal=event.goal, station=event.station))
        else:
            row.name, row.goal, row.station = event.name, event.goal, event.station


def station_id(db: Database, *, create: bool = True) -> str | None:
    """This laptop's stable id (a UUID), made at first start; None if not made yet and
    `create` is off (a read-only command beside the window)."""
    with db.session() as s:
        row = s.get(StationIdentity, 1)
        if row is None:
            if not create:
                return None
            row = StationIdentity(id=1)
            s.add(row)
            s.flush()
        return row.station_id
