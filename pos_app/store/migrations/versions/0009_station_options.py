"""station options: the lead's choice of keyed card entry beside a reader

Revision ID: 0009_station_options
Revises: 0008_live_settings
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_station_options"
down_revision = "0008_live_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station_options",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("keyed_entry", sa.String(8), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("station_options")
