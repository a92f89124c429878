"""job ledger, donor tokens, counters

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("donation_id", sa.String(36), sa.ForeignKey("donations.id"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("last_error_detail", sa.Text),
        sa.Column("error_kind", sa.String(16)),
        sa.Column("fix", sa.String(32)),
        sa.Column("receipt_number", sa.String(32), unique=True),
        sa.Column("result_ref", sa.String(255)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("discard_reason", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_jobs_state", "jobs", ["state"])
    op.create_index("ix_jobs_donation_id", "jobs", ["donation_id"])
    # At most one job of each kind per donation: a replayed approval can't double them.
    op.create_index("ux_jobs_donation_kind", "jobs", ["donation_id", "kind"], unique=True)
    op.create_table(
        "donor_tokens",
        sa.Column("donation_id", sa.String(36), sa.ForeignKey("donations.id"), primary_key=True),
        sa.Column("processor", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("payment_method_id", sa.String(64), nullable=False),
        sa.Column("brand", sa.String(16)),
        sa.Column("last4", sa.String(4)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("counters")
    op.drop_table("donor_tokens")
    op.drop_index("ux_jobs_donation_kind", "jobs")
    op.drop_index("ix_jobs_donation_id", "jobs")
    op.drop_index("ix_jobs_state", "jobs")
    op.drop_table("jobs")
