"""Plain data handed to the facade, the CLI and the GUI: never ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pos_app.store.models import Donation


@dataclass(frozen=True)
class Outcome:
    """The result of taking a donation, as the volunteer should hear it."""

    status: str  # approved | declined | in_doubt | failed | recorded
    donation_id: str | None
    message: str
    amount_cents: int = 0
    currency: str = "usd"
    brand: str | None = None
    last4: str | None = None
    reference: str | None = None  # processor payment id
    can_retry: bool = False  # Retry reuses the same idempotency key


@dataclass(frozen=True)
class DonationRecord:
    id: str
    amount_cents: int
    currency: str
    method: str
    status: str
    donor_name: str
    donor_email: str
    check_number: str | None
    station: str
    brand: str | None
    last4: str | None
    payment_method_id: str | None
    payment_intent_id: str | None
    message: str | None
    charge_attempts: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, row: Donation) -> DonationRecord:
        return cls(
            id=row.id,
            amount_cents=row.amount_cents,
            currency=row.currency,
            method=row.method,
            status=row.state,
            donor_name=row.donor_name,
            donor_email=row.donor_email,
            check_number=row.check_number,
            station=row.station,
            brand=row.brand,
            last4=row.last4,
            payment_method_id=row.payment_method_id,
            payment_intent_id=row.payment_intent_id,
            message=row.message,
            charge_attempts=row.charge_attempts,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@dataclass(frozen=True)
class Totals:
    raised_cents: int = 0
    gifts: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    goal_cents: int = 0
    in_doubt: int = 0

    @property
    def average_cents(self) -> int:
        return self.raised_cents // self.gifts if self.gifts else 0


class InvalidDonation(ValueError):
    """Input that failed the local checks. `errors` maps field name -> plain message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
