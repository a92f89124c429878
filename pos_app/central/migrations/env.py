"""Alembic environment of the central store: its own script location and version table
(`tableside.alembic_version`), run on the connection `pos-app central init` hands over."""

from alembic import context
from sqlalchemy import text

connection = context.config.attributes["connection"]
connection.execute(text("CREATE SCHEMA IF NOT EXISTS tableside"))
context.configure(
    connection=connection,
    version_table_schema="tableside",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
