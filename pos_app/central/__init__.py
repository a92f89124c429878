"""The event's shared record in PostgreSQL: schema, roles, security, push and read-back.

No Qt here. Each station keeps its own SQLite and pushes its own rows (an outbox filled by
SQLite triggers in the same transaction as every change) to a central PostgreSQL as a
background job; the lead desk and the event screen read the event's picture from views.
Security lives in the engine: one role per station, row-level security, no deletes.
See ARCHITECTURE.md ("Central store") and packaging/README.md for IT's set-up.
"""
