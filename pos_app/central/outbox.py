"""The station's side of sharing: what is still unshared (the `sync_outbox` markers the
SQLite triggers write, migration 0011), the rows to push for them, and forgetting a marker
once the centre has committed it.

A marker says only "row X of table T changed" with an increasing `seq`; the payload is
built here from the row as it is now. Markers are read before their rows, so a row is
never older than the version it is sent with: if it changed again in between, the newer
data goes out under the older version (the next push sends it again under its own, higher
one, and the centre keeps the highest). Forgetting is by `seq`, so a row changed again
while its push was on the way keeps its new marker and is pushed again.

What leaves the station is the issue's list, no more: amounts, method, brand and last
four, processor references, donor name and email (blank for an anonymous gift), state and
times; each gift job's state and its plain-words problem. Never card data (there is none
to read here), never secrets, never the technical detail of a job's error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pos_app.logs import redact
from pos_app.store.database import Database
from pos_app.store.models import Donation, Job, Refund, SyncOutbox, SyncState


@dataclass(frozen=True)
class Marker:
    seq: int
    tbl: str
    row_id: str


@dataclass
class Batch:
    markers: list[Marker]
    donations: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.donations) + len(self.refunds) + len(self.jobs)


# The centre refuses any text with 13 or more digits in a row (its no_card_data checks): one
# such row would stop the station's whole outbox. So free text is redacted as logs are
# (card numbers, track data, secrets), and what is left of a long digit run (a bank
# reference a lead typed, in a reason) is cut short here rather than refused there.
_LONG_DIGITS = re.compile(r"[0-9]{13,}")


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    return _LONG_DIGITS.sub(lambda m: m.group(0)[:4] + "…" + m.group(0)[-4:], redact(value))


def _last4(value: str | None) -> str | None:
    return value if value is not None and re.fullmatch(r"[0-9]{4}", value) else None


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def donation_row(d: Donation, version: int) -> dict[str, Any]:
    anonymous = bool(d.anonymous)
    return {
        "id": d.id,
        "version": version,
        "amount_cents": d.amount_cents,
        "currency": d.currency,
        "method": d.method,
        "state": d.state,
        "anonymous": anonymous,
        "donor_name": "" if anonymous else _text(d.donor_name),
        "donor_email": "" if anonymous else _text(d.donor_email),
        "check_number": _text(d.check_number),
        "processor": d.processor,
        "brand": d.brand,
        "last4": _last4(d.last4),
        "payment_intent_id": d.payment_intent_id,
        "message": _text(d.message),
        "created_at": _iso(d.created_at),
        "updated_at": _iso(d.updated_at),
    }


def refund_row(r: Refund, version: int) -> dict[str, Any]:
    return {
        "id": r.id,
        "version": version,
        "donation_id": r.donation_id,
        "kind": r.kind,
        "state": r.state,
        "amount_cents": r.amount_cents,
        "currency": r.currency,
        "reason": _text(r.reason) or "",
        "category": r.category,
        "reference": r.reference,
        "created_at": _iso(r.created_at),
        "updated_at": _iso(r.updated_at),
    }


def job_row(j: Job, version: int) -> dict[str, Any]:
    return {
        "id": j.id,
        "version": version,
        "kind": j.kind,
        "donation_id": j.donation_id,
        "state": j.state,
        "attempts": j.attempts,
        "problem": _text(j.last_error),  # plain words (redacted when written, too)
        "fix": j.fix,
        "error_kind": j.error_kind,
        "next_attempt_at": _iso(j.next_attempt_at),
        "receipt_number": j.receipt_number,
        "created_at": _iso(j.created_at),
        "updated_at": _iso(j.updated_at),
    }


_TABLES = {"donations": (Donation, donation_row), "refunds": (Refund, refund_row),
           "jobs": (Job, job_row)}


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    def pending(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(SyncOutbox)) or 0)

    def next_batch(self, limit: int) -> Batch:
        """The oldest `limit` markers and their rows as they are now. A marker whose row is
        gone (or a station job: never shared) comes back with no row; forgetting it is
        then right."""
        with self.db.session() as s:
            markers = [
                Marker(m.seq, m.tbl, m.row_id)
                for m in s.scalars(select(SyncOutbox).order_by(SyncOutbox.seq).limit(limit))
            ]
            batch = Batch(markers)
            for m in markers:  # rows read after their markers: never older than the seq
                model, build = _TABLES.get(m.tbl, (None, None))
                if model is None or build is None:
                    continue
                row = s.get(model, m.row_id)
                if row is None or (model is Job and row.donation_id is None):
                    continue
                getattr(batch, m.tbl).append(build(row, m.seq))
        return batch

    def forget(self, markers: list[Marker], now: dt.datetime) -> None:
        """The centre committed these: drop each marker unless its row changed again."""
        with self.db.session() as s:
            if markers:
                s.execute(delete(SyncOutbox).where(SyncOutbox.seq.in_([m.seq for m in markers])))
            _state(s).last_shared_at = now
            _state(s).last_error = None

    def note_problem(self, message: str | None) -> None:
        with self.db.session() as s:
            _state(s).last_error = message

    def state(self) -> tuple[dt.datetime | None, str | None]:
        """(last shared at, last problem)."""
        with self.db.session() as s:
            row = s.get(SyncState, 1)
            return (row.last_shared_at, row.last_error) if row else (None, None)

    def keep_totals(self, payload: str, as_of: dt.datetime) -> None:
        with self.db.session() as s:
            st = _state(s)
            st.totals_json, st.totals_as_of = payload, as_of

    def last_totals(self) -> tuple[str | None, dt.datetime | None]:
        with self.db.session() as s:
            row = s.get(SyncState, 1)
            return (row.totals_json, row.totals_as_of) if row else (None, None)


def _state(s: Session) -> SyncState:
    row = s.get(SyncState, 1)
    if row is None:
        row = SyncState(id=1)
        s.add(row)
    return row
