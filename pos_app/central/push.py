"""Talking to the central store as a station: push a batch through `tableside.push` (the
definer function of migration c0002) and read the event's totals from its views.

One push is one PostgreSQL transaction: `hello` (transport, identity, last heard, how much
is left to share once this batch is in) then `push`; the caller forgets its markers only
after the commit returned. A commit whose answer is lost is simply pushed again later, and
the versions make that harmless. Failures come out as `CentralError` with their kind
(connect.classify): network trouble is transient, refused logins, missing privileges and
an old schema are permanent, with the fix in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .connect import classify, connect
from .outbox import Batch

if TYPE_CHECKING:
    import psycopg
else:
    from .connect import psycopg  # imported at first use


@dataclass(frozen=True)
class StationTotal:
    station_id: str | None
    station_name: str
    method: str
    gifts: int
    raised_cents: int


@dataclass(frozen=True)
class StationHealth:
    """A station as the centre last heard from it (tableside.station_health)."""

    station_id: str
    name: str
    last_heard: str | None  # ISO time, None: never
    unshared: int  # changes the station still had to share when last heard
    needs_attention: int


@dataclass(frozen=True)
class RecentGift:
    """A gift for the projector's ticker (tableside.recent_gifts): a first name at most,
    nothing for an anonymous gift."""

    display_name: str | None
    amount_cents: int
    station_name: str


@dataclass(frozen=True)
class EventTotals:
    """The whole event as the centre sees it, and when. `live` is False for the last
    totals this station read, shown while the centre can't be reached."""

    gifts: int
    raised_cents: int
    refunded_cents: int
    voided_cents: int
    in_doubt: int
    as_of: dt.datetime
    live: bool
    by_station: list[StationTotal] = field(default_factory=list)
    stations: list[StationHealth] = field(default_factory=list)
    recent: list[RecentGift] = field(default_factory=list)
    # cents raised per quarter hour (ISO start, cents), oldest first, gaps left out
    by_quarter: list[tuple[str, int]] = field(default_factory=list)

    def by_method(self) -> dict[str, int]:
        """Cents raised per method at every table."""
        out: dict[str, int] = {}
        for t in self.by_station:
            out[t.method] = out.get(t.method, 0) + t.raised_cents
        return out

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any], *, live: bool) -> EventTotals:
        return cls(
            gifts=int(raw["gifts"]),
            raised_cents=int(raw["raised_cents"]),
            refunded_cents=int(raw["refunded_cents"]),
            voided_cents=int(raw["voided_cents"]),
            in_doubt=int(raw["in_doubt"]),
            as_of=dt.datetime.fromisoformat(raw["as_of"]),
            live=live,
            by_station=[StationTotal(**s) for s in raw.get("by_station", [])],
            stations=[StationHealth(**s) for s in raw.get("stations", [])],
            recent=[RecentGift(**g) for g in raw.get("recent", [])],
            by_quarter=[(str(t), int(c)) for t, c in raw.get("by_quarter", [])],
        )


@dataclass(frozen=True)
class Login:
    url: str
    password: str
    station_id: str
    station_name: str


def push(login: Login, batch: Batch, *, left_after: int, attention: int) -> int:
    """Push one batch in one transaction; returns the rows the centre took (older or
    replayed versions are not counted). Raises CentralError."""
    from psycopg.types.json import Jsonb

    try:
        with connect(login.url, login.password) as conn:
            conn.execute(
                "SELECT tableside.hello(%s, %s, %s, %s)",
                (login.station_id, login.station_name, left_after, attention),
            )
            row = conn.execute(
                "SELECT tableside.push(%s, %s, %s)",
                (Jsonb(batch.donations), Jsonb(batch.refunds), Jsonb(batch.jobs)),
            ).fetchone()
            # leaving the block commits; an exception in the commit propagates
        return int(row[0]) if row else 0
    except psycopg.Error as exc:
        raise classify(exc) from None


def beat(login: Login, *, left: int, attention: int) -> None:
    """Say this station is alive (last heard, how much it still has to share) with nothing
    to push. Raises CentralError."""
    try:
        with connect(login.url, login.password) as conn:
            conn.execute(
                "SELECT tableside.hello(%s, %s, %s, %s)",
                (login.station_id, login.station_name, left, attention),
            )
    except psycopg.Error as exc:
        raise classify(exc) from None


@dataclass(frozen=True)
class Correction:
    """A lead's data fix, made at any station, for one of this station's gifts."""

    id: str
    donation_id: str
    field: str  # donor_email
    value: str


def corrections(login: Login) -> list[Correction]:
    """The fixes leads made to this station's gifts that it hasn't applied yet, oldest
    first. Raises CentralError."""
    try:
        with connect(login.url, login.password, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT id, donation_id, field, value FROM tableside.corrections "
                "WHERE applied_at IS NULL "
                "AND station_id = tableside.station_of(current_user) ORDER BY made_at"
            ).fetchall()
    except psycopg.Error as exc:
        raise classify(exc) from None
    return [Correction(str(r[0]), str(r[1]), r[2], r[3]) for r in rows]


def mark_applied(login: Login, ids: list[str]) -> None:
    """After the station committed them. Raises CentralError."""
    if not ids:
        return
    try:
        with connect(login.url, login.password) as conn:
            conn.execute(
                "UPDATE tableside.corrections SET applied_at = now() "
                "WHERE id = ANY(%s::uuid[]) AND applied_at IS NULL",
                (ids,),
            )
    except psycopg.Error as exc:
        raise classify(exc) from None


def read_totals(login: Login) -> EventTotals:
    """The event-wide totals, live. Raises CentralError."""
    try:
        with connect(login.url, login.password, autocommit=True) as conn:
            t = conn.execute(
                "SELECT gifts, raised_cents, refunded_cents, voided_cents, in_doubt, as_of "
                "FROM tableside.event_totals"
            ).fetchone()
            by = conn.execute(
                "SELECT station_id, station_name, method, gifts, raised_cents "
                "FROM tableside.raised_by_station_method ORDER BY station_name, method"
            ).fetchall()
            health = conn.execute(
                "SELECT id, name, last_heard, unshared, needs_attention "
                "FROM tableside.station_health ORDER BY name"  # a lead's desk is a table too
            ).fetchall()
            recent = conn.execute(
                "SELECT display_name, amount_cents, station_name "
                "FROM tableside.recent_gifts LIMIT 8"
            ).fetchall()
            quarters = conn.execute(  # the desk's chart: the last day, per quarter hour
                "SELECT to_timestamp(floor(extract(epoch FROM minute) / 900) * 900) AS q, "
                "sum(raised_cents) FROM tableside.gifts_by_minute "
                "WHERE minute > now() - interval '24 hours' GROUP BY q ORDER BY q"
            ).fetchall()
    except psycopg.Error as exc:
        raise classify(exc) from None
    assert t is not None  # a view of aggregates always has its one row
    return EventTotals(
        gifts=int(t[0]),
        raised_cents=int(t[1]),
        refunded_cents=int(t[2]),
        voided_cents=int(t[3]),
        in_doubt=int(t[4]),
        as_of=t[5].astimezone(dt.UTC),
        live=True,
        by_station=[
            StationTotal(str(r[0]) if r[0] else None, r[1] or "", r[2], int(r[3]), int(r[4]))
            for r in by
        ],
        stations=[
            StationHealth(str(h[0]), h[1] or "", h[2].astimezone(dt.UTC).isoformat()
                          if h[2] else None, int(h[3] or 0), int(h[4] or 0))
            for h in health
        ],  # fmt: skip
        recent=[RecentGift(g[0], int(g[1]), g[2] or "") for g in recent],
        by_quarter=[(q[0].astimezone(dt.UTC).isoformat(), int(q[1])) for q in quarters],
    )


@dataclass(frozen=True)
class RemoteJob:
    """A job that needs a person at some station, as the centre holds it (the lead's
    `tableside.needs_attention` view). `correction_sent`: a lead's email fix for its gift
    waits for the owning station to apply it (ISO time it was made)."""

    id: str
    station_id: str
    station_name: str
    kind: str
    donation_id: str | None
    problem: str
    fix: str | None
    attempts: int
    updated_at: str  # ISO time
    donor_name: str | None  # None for an anonymous gift
    donor_email: str | None
    amount_cents: int | None
    currency: str | None
    correction_sent: str | None


def read_attention(login: Login) -> list[RemoteJob] | None:
    """Every station's jobs that need a person, newest first; None for a station's login
    (only a lead's reads every station's problems). Raises CentralError."""
    try:
        with connect(login.url, login.password, autocommit=True) as conn:
            lead = conn.execute(
                "SELECT has_table_privilege('tableside.needs_attention', 'SELECT')"
            ).fetchone()
            if not (lead and lead[0]):
                return None
            rows = conn.execute(
                "SELECT n.id, n.station_id, coalesce(n.station_name, ''), n.kind, "
                "n.donation_id, coalesce(n.problem, ''), n.fix, n.attempts, n.updated_at, "
                "CASE WHEN n.anonymous THEN NULL ELSE n.donor_name END, "
                "CASE WHEN n.anonymous THEN NULL ELSE n.donor_email END, "
                "n.amount_cents, n.currency, "
                "(SELECT max(c.made_at) FROM tableside.corrections c "
                "  WHERE c.donation_id = n.donation_id AND c.applied_at IS NULL) "
                "FROM tableside.needs_attention n ORDER BY n.updated_at DESC LIMIT 500"
            ).fetchall()
    except psycopg.Error as exc:
        raise classify(exc) from None
    return [
        RemoteJob(
            id=str(r[0]), station_id=str(r[1]), station_name=r[2], kind=r[3],
            donation_id=str(r[4]) if r[4] else None, problem=r[5], fix=r[6],
            attempts=int(r[7]), updated_at=r[8].astimezone(dt.UTC).isoformat(),
            donor_name=r[9], donor_email=r[10],
            amount_cents=int(r[11]) if r[11] is not None else None, currency=r[12],
            correction_sent=r[13].astimezone(dt.UTC).isoformat() if r[13] else None,
        )
        for r in rows
    ]  # fmt: skip


def send_correction(login: Login, donation_id: str, field_name: str, value: str) -> None:
    """Record a lead's data fix for a gift of any station; the owning station applies it
    when it next shares (its heartbeat: within a minute). A lead's login only (CentralError,
    permanent, for a station's). Raises CentralError."""
    try:
        with connect(login.url, login.password) as conn:
            conn.execute(
                "INSERT INTO tableside.corrections (donation_id, field, value) "
                "VALUES (%s, %s, %s)",
                (donation_id, field_name, value),
            )
    except psycopg.Error as exc:
        raise classify(exc) from None
