"""refunds and voids, the lead PIN

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("donation_id", sa.String(36), sa.ForeignKey("donations.id"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("amount_cents", sa.Integer, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("category", sa.String(32)),
        sa.Column("processor", sa.String(16)),
        sa.Column("payment_intent_id", sa.String(64)),
        sa.Column("idempotency_key", sa.String(64), unique=True),
        sa.Column("reference", sa.String(64)),
        sa.Column("message", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_refunds_donation_id", "refunds", ["donation_id"])
    op.create_index("ix_refunds_state", "refunds", ["state"])
    # One refund or void per gift that is not `failed`: two clicks can't refund twice.
    op.create_index(
        "ux_refunds_live",
        "refunds",
        ["donation_id"],
        unique=True,
        sqlite_where=sa.text("state != 'failed'"),
    )
    op.create_table(
        "lead_pin",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("pin_hash", sa.String(128), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("r", sa.Integer, nullable=False),
        sa.Column("p", sa.Integer, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.Float),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lead_pin")
    op.drop_index("ux_refunds_live", "refunds")
    op.drop_index("ix_refunds_state", "refunds")
    op.drop_index("ix_refunds_donation_id", "refunds")
    op.drop_table("refunds")
