"""Event settings the lead changes at the desk (name, goal, station), kept in the DB.

They override the config file's [event] on this laptop; the file itself stays IT's.
"""

from __future__ import annotations

import dataclasses

from pos_app.settings import Event, Settings
from pos_app.store.database import Database
from pos_app.store.models import EventOverride

from .records import InvalidDonation

MAX_GOAL_DOLLARS = 100_000_000


def with_override(db: Database, settings: Settings) -> Settings:
    with db.session() as s:
        row = s.get(EventOverride, 1)
        if row is None:
            return settings
        event = dataclasses.replace(
            settings.event, name=row.name, goal=row.goal, station=row.station
        )
    return dataclasses.replace(settings, event=event)


def check_event(name: str, goal: int, station: str) -> Event:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give the event a name."
    if not station.strip():
        errors["station"] = "Name this station, e.g. Table 3."
    if not 0 <= goal <= MAX_GOAL_DOLLARS:
        errors["goal"] = "The goal must be a whole number of dollars, 0 for none."
    if errors:
        raise InvalidDonation(errors)
    return Event(name=name.strip()[:200], goal=goal, station=station.strip()[:100])


def save_override(db: Database, event: Event) -> None:
    with db.session() as s:
        row = s.get(EventOverride, 1)
        if row is None:
            s.add(EventOverride(id=1, name=event.name, goal=event.goal, station=event.station))
        else:
            row.name, row.goal, row.station = event.name, event.goal, event.station
