"""Plain records of the gala night for the facade and the screens: guests, paddle raises,
pledges. Never ORM objects; built inside the session that read the rows."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from pos_app.domain.cards import BRANDS_BY_KEY
from pos_app.domain.states import CardOnFile, PledgeState
from pos_app.store.models import Attendee, PaddleRaise, Pledge

from .records import InvalidDonation


class PledgeStarted(InvalidDonation):
    """An undo asked for a pledge whose charge has started: it is refunded instead."""


@dataclass(frozen=True)
class AttendeeRecord:
    """A checked-in guest. `card_on_file`: a card is saved for off-session charges
    (`card_state` says more: none | saving | saved | failed, with `message` for people).
    `language`: their receipts' and pay links' language ("en" | "es"), None for the
    event's default."""

    id: str
    paddle: str
    name: str
    email: str
    card_on_file: bool
    card_state: str
    brand: str | None
    last4: str | None
    message: str | None
    created_at: dt.datetime
    language: str | None = None

    @property
    def card_label(self) -> str:
        """"Visa •••• 4242" for the check-in screen ("Paddle 112 · Visa •••• 4242 on file")."""
        if not self.last4:
            return ""
        brand = BRANDS_BY_KEY.get(self.brand or "")
        return f"{brand.label if brand else 'Card'} •••• {self.last4}"

    @classmethod
    def of(cls, row: Attendee) -> AttendeeRecord:
        return cls(
            id=row.id,
            paddle=row.paddle,
            name=row.name,
            email=row.email,
            card_on_file=row.card_state == CardOnFile.SAVED.value,
            card_state=row.card_state,
            brand=row.brand,
            last4=row.last4,
            message=row.message,
            created_at=row.created_at,
            language=row.language,
        )


@dataclass(frozen=True)
class PledgeRecord:
    """One hand up in a paddle raise. `state`: pledged | charging | paid | needs_attention |
    link_sent | expired | undone (domain.states.PledgeState); `message` says why in words
    ("Ask paddle 112 for another card: ...")."""

    id: str
    raise_id: str | None
    paddle: str | None
    amount_cents: int
    state: str
    donation_id: str
    message: str | None
    name: str
    card_on_file: bool  # charged in the background (else it waits for checkout)
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, row: Pledge, name: str = "", card_on_file: bool = False) -> PledgeRecord:
        return cls(
            id=row.id,
            raise_id=row.raise_id,
            paddle=row.paddle,
            amount_cents=row.level_cents,
            state=row.state,
            donation_id=row.donation_id,
            message=row.message,
            name=name,
            card_on_file=card_on_file,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@dataclass(frozen=True)
class PaddleRaiseRecord:
    """A paddle raise and its running totals (undone pledges left out): `by_level` maps
    each level (and any other amount pledged) to how many pledged it, `by_state` counts
    pledges per state."""

    id: str
    title: str
    levels_cents: tuple[int, ...]
    state: str  # open | closed
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    total_cents: int = 0
    count: int = 0
    paid_cents: int = 0
    by_level: dict[int, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return self.state == "open"

    @classmethod
    def of(cls, row: PaddleRaise, pledges: list[Pledge]) -> PaddleRaiseRecord:
        from .paddle_raise import COUNTED_OUT

        levels = tuple(int(c) for c in json.loads(row.levels))
        live = [p for p in pledges if p.state not in COUNTED_OUT]
        by_level = {level: 0 for level in levels}
        by_state: dict[str, int] = {}
        for p in live:
            by_level[p.level_cents] = by_level.get(p.level_cents, 0) + 1
            by_state[p.state] = by_state.get(p.state, 0) + 1
        return cls(
            id=row.id,
            title=row.title,
            levels_cents=levels,
            state=row.state,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            total_cents=sum(p.level_cents for p in live),
            count=len(live),
            paid_cents=sum(p.level_cents for p in live if p.state == PledgeState.PAID.value),
            by_level=by_level,
            by_state=by_state,
        )
