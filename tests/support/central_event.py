"""A fresh event on the session's PostgreSQL: its own database, schema and roles.

The `pg` server is shared by every test of a worker, so the stations other tests added
are in its default event. A test that reads the whole event (every table's health, what
needs attention anywhere) takes an event of its own: roles carry the database's name, so
two events on one server never see each other's stations (pos_app/central/roles.py)."""

from __future__ import annotations

import dataclasses
import uuid

import psycopg
from psycopg import sql

from pos_app.central import admin
from support.pg_server import PgServer


def fresh_event(pg: PgServer) -> PgServer:
    """The same server, pointed at a new database with the central schema in it."""
    name = f"ev_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg.admin_url, autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
            sql.Identifier(name), sql.Identifier(pg.admin)))
    event = dataclasses.replace(pg, dbname=name)
    admin.init(event.admin_url)
    return event
