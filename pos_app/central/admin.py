"""IT's side of the central store: create its schema (its own Alembic migrations), add a
station's role with a one-time password, and report each station's state.

Passwords are hashed on this machine (libpq's SCRAM-SHA-256) before they are sent, so the
clear text never reaches the server's statement log. A role is created without any
privilege of its own; it gets them only as a member of the event's station (or lead) group.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from .connect import classify, connect, parse_url
from .roles import SCHEMA, lead_group, station_group, station_role

MIGRATIONS = Path(__file__).with_name("migrations")


def _engine_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else url


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def init(admin_url: str) -> str:
    """Bring the central schema to head (idempotent). Returns the revision."""
    parse_url(admin_url, allow_password=True)
    engine = create_engine(_engine_url(admin_url), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table_schema": SCHEMA})
            return ctx.get_current_revision() or ""
    finally:
        engine.dispose()


@dataclass(frozen=True)
class NewStation:
    name: str
    role: str
    password: str  # shown once; goes into the station's keyring as central_password
    lead: bool


def add_station(
    admin_url: str, name: str, *, lead: bool = False, reset: bool = False
) -> NewStation:
    """Create the station's login role in the event's group; `reset` gives a new password."""
    name = " ".join(name.split())
    if not name:
        raise ValueError('Give the station a name, e.g. "Table 4".')
    password = secrets.token_urlsafe(24)
    with connect(admin_url, admin=True) as conn:
        dbname = conn.info.dbname
        role = station_role(dbname, name)
        hashed = conn.pgconn.encrypt_password(
            password.encode(), role.encode(), b"scram-sha-256"
        ).decode()
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if exists and not reset:
            raise ValueError(
                f"A station role {role} already exists. Use --reset to give it a new password."
            )
        verb = "ALTER" if exists else "CREATE"
        # INHERIT: the role's privileges are its group's; it has none of its own.
        conn.execute(
            sql.SQL(verb + " ROLE {} WITH LOGIN INHERIT PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(hashed)
            )
        )
        group = lead_group(dbname) if lead else station_group(dbname)
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(role)))
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(dbname), sql.Identifier(role)
            )
        )
        conn.execute(
            "INSERT INTO tableside.stations (role, name, is_lead) VALUES (%s, %s, %s) "
            "ON CONFLICT (role) DO UPDATE SET is_lead = excluded.is_lead",
            (role, name, lead),
        )
    return NewStation(name, role, password, lead)


@dataclass(frozen=True)
class StationState:
    name: str
    station_id: str | None
    lead: bool
    last_heard: dt.datetime | None
    unshared: int
    needs_attention: int
    gifts: int
    raised_cents: int


def status(url: str, password: str | None = None) -> tuple[str, list[StationState]]:
    """(schema revision, every station's health). Works for the admin and any station."""
    try:
        with connect(url, password, admin=password is None) as conn:
            rev = conn.execute(f"SELECT version_num FROM {SCHEMA}.alembic_version").fetchone()
            rows = conn.execute(
                "SELECT name, id, is_lead, last_heard, unshared, needs_attention, gifts, "
                "raised_cents FROM tableside.station_health ORDER BY name"
            ).fetchall()
    except psycopg.Error as exc:
        raise classify(exc) from None
    return (rev[0] if rev else ""), [
        StationState(
            name=r[0],
            station_id=str(r[1]) if r[1] else None,
            lead=bool(r[2]),
            last_heard=r[3],
            unshared=int(r[4]),
            needs_attention=int(r[5]),
            gifts=int(r[6]),
            raised_cents=int(r[7]),
        )
        for r in rows
    ]
