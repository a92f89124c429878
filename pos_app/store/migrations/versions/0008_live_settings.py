"""live settings: the event's name kept on each gift; the station's stable id

Revision ID: 0008_live_settings
Revises: 0007_reader
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_live_settings"
down_revision = "0007_reader"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("donations") as batch:
        batch.add_column(sa.Column("event_name", sa.String(200), nullable=True))
    op.create_table(
        "station_identity",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("station_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("station_identity")
    with op.batch_alter_table("donations") as batch:
        batch.drop_column("event_name")
