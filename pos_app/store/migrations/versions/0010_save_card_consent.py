"""save-card consent: each card gift says whether the donor agreed to keep the card; the
lead's default for the form's checkbox

Revision ID: 0010_save_card_consent
Revises: 0009_station_options

Gifts already in the database get NULL: never asked. Their save-card jobs were made when
they were taken; one still unsettled at the upgrade gets none (no consent), but its charge,
sent set up for future use, is replayed exactly as it was sent.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_save_card_consent"
down_revision = "0009_station_options"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("donations") as batch:
        batch.add_column(sa.Column("save_card", sa.Boolean, nullable=True))
    with op.batch_alter_table("station_options") as batch:
        batch.add_column(sa.Column("save_cards", sa.Boolean, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("station_options") as batch:
        batch.drop_column("save_cards")
    with op.batch_alter_table("donations") as batch:
        batch.drop_column("save_card")
