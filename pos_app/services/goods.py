"""The goods list: what a donor may buy with a gift (a dinner ticket, an auction item) and
its fair market value, kept by the lead (Settings). The volunteer picks one item, or none,
per gift; the gift copies its description and value (GiftOptions.goods_*), so the receipt
states the value of what was bought and the deductible part (IRS Pub 1771).

Until the lead saves a list, the config's `[event] goods_description` / `goods_value` is
offered as the one item (older configs keep working); it is no longer put on every gift.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from pos_app.domain.cards import contains_card_data
from pos_app.settings import Settings
from pos_app.store.database import Database
from pos_app.store.models import GoodsItem, StationOptions

from .records import InvalidDonation

MAX_ITEMS = 20
MAX_VALUE_CENTS = 100_000_000


@dataclass(frozen=True)
class Goods:
    """One item of the list: what it is and what it is worth (cents)."""

    description: str
    value_cents: int


def from_config(settings: Settings) -> list[Goods]:
    event = settings.event
    cents = round(event.goods_value * 100)
    if cents <= 0 and not event.goods_description.strip():
        return []
    return [Goods(event.goods_description.strip(), max(0, cents))]  # "" reads "goods or services"


def read_goods(db: Database, settings: Settings) -> list[Goods]:
    """The lead's list in order; the config's item while none was ever saved."""
    with db.session() as s:
        options = s.get(StationOptions, 1)
        if options is None or not options.goods_saved:
            return from_config(settings)
        rows = s.scalars(select(GoodsItem).order_by(GoodsItem.position)).all()
        return [Goods(r.description, r.value_cents) for r in rows]


def check_goods(items: list[Goods]) -> list[Goods]:
    """Trimmed items, or InvalidDonation with a message per row (`goods_<n>`, from 1)."""
    errors: dict[str, str] = {}
    out: list[Goods] = []
    if len(items) > MAX_ITEMS:
        raise InvalidDonation({"goods": f"Keep the list short: {MAX_ITEMS} items at most."})
    for n, item in enumerate(items, start=1):
        text = item.description.strip()
        if not text:
            errors[f"goods_{n}"] = f"Item {n}: say what it is, e.g. Gala dinner."
        elif len(text) > 200:
            errors[f"goods_{n}"] = f"Item {n}: the description is too long."
        elif contains_card_data(text):
            errors[f"goods_{n}"] = f"Item {n}: that looks like card data, not a description."
        elif not isinstance(item.value_cents, int) or not 0 <= item.value_cents <= MAX_VALUE_CENTS:
            errors[f"goods_{n}"] = f"Item {n}: the value must be 0 or more dollars."
        out.append(Goods(text, item.value_cents))
    if errors:
        raise InvalidDonation(errors)
    return out


def save_goods(db: Database, items: list[Goods]) -> list[Goods]:
    """Replace the list in one transaction (checked first)."""
    items = check_goods(items)
    with db.session() as s:
        s.execute(delete(GoodsItem))
        for position, item in enumerate(items):
            s.add(GoodsItem(position=position, description=item.description,
                            value_cents=item.value_cents))  # fmt: skip
        options = s.get(StationOptions, 1)
        if options is None:
            options = StationOptions(id=1)
            s.add(options)
        options.goods_saved = True
    return items
