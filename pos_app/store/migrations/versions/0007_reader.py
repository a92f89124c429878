"""card-present gifts: reader, entry mode, EMV receipt fields, generated card

Revision ID: 0007_reader
Revises: 0005_gala
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_reader"
down_revision = "0005_gala"
branch_labels = None
depends_on = None

COLUMNS = (
    ("reader_id", 64),
    ("setup_future_usage", 16),
    ("entry_mode", 32),
    ("generated_card", 64),
    ("emv_application", 64),
    ("emv_aid", 32),
    ("emv_cvm", 32),
    ("emv_auth_code", 16),
)


def upgrade() -> None:
    with op.batch_alter_table("donations") as batch:
        for name, size in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(size), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("donations") as batch:
        for name, _ in COLUMNS:
            batch.drop_column(name)
