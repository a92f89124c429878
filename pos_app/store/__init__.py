"""Persistence: SQLAlchemy 2.0 models, the engine and sessions, Alembic migrations."""
