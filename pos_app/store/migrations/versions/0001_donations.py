"""donations table

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "donations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("amount_cents", sa.Integer, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("donor_name", sa.String(200), nullable=False),
        sa.Column("donor_email", sa.String(254), nullable=False),
        sa.Column("check_number", sa.String(32)),
        sa.Column("station", sa.String(100), nullable=False),
        sa.Column("processor", sa.String(16)),
        sa.Column("idempotency_key", sa.String(64), unique=True),
        sa.Column("payment_method_id", sa.String(64)),
        sa.Column("payment_intent_id", sa.String(64)),
        sa.Column("brand", sa.String(16)),
        sa.Column("last4", sa.String(4)),
        sa.Column("decline_code", sa.String(64)),
        sa.Column("message", sa.Text),
        sa.Column("charge_attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_donations_state", "donations", ["state"])


def downgrade() -> None:
    op.drop_table("donations")
