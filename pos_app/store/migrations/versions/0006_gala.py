"""gala: receipt language, fee covered, dedications, fair market value, anonymous gifts;
check-in (attendees with paddle numbers and saved cards), paddle raises and pledges

Revision ID: 0005_gala
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_gala"
down_revision = "0005"
branch_labels = None
depends_on = None

def donation_columns() -> tuple[sa.Column, ...]:
    """Fresh Column objects each call (a Column can belong to one table only)."""
    return (
        sa.Column("receipt_language", sa.String(8)),
        sa.Column("fee_cents", sa.Integer, nullable=False, server_default="0"),
        sa.Column("dedication_kind", sa.String(8)),
        sa.Column("dedication_name", sa.String(200)),
        sa.Column("dedication_email", sa.String(254)),
        sa.Column("anonymous", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("goods_description", sa.String(200)),
        sa.Column("goods_value_cents", sa.Integer),
        sa.Column("customer_id", sa.String(64)),
        sa.Column("off_session", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("paddle", sa.String(8)),
    )


def upgrade() -> None:
    with op.batch_alter_table("donations") as batch:
        for column in donation_columns():
            batch.add_column(column)
    op.create_table(
        "attendees",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("paddle", sa.String(8), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("processor", sa.String(16)),
        sa.Column("customer_id", sa.String(64)),
        sa.Column("payment_method_id", sa.String(64)),
        sa.Column("setup_intent_id", sa.String(64)),
        sa.Column("idempotency_key", sa.String(64), unique=True),
        sa.Column("brand", sa.String(16)),
        sa.Column("last4", sa.String(4)),
        sa.Column("card_state", sa.String(16), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_attendees_email", "attendees", ["email"])
    op.create_table(
        "paddle_raises",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("levels", sa.Text, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "pledges",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("raise_id", sa.String(36), sa.ForeignKey("paddle_raises.id")),
        sa.Column("donation_id", sa.String(36), sa.ForeignKey("donations.id"), nullable=False),
        sa.Column("paddle", sa.String(8)),
        sa.Column("level_cents", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("checkout_session_id", sa.String(255)),
        sa.Column("checkout_url", sa.Text),
        sa.Column("link_sends", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pledges_raise_id", "pledges", ["raise_id"])
    op.create_index("ix_pledges_state", "pledges", ["state"])
    op.create_index("ux_pledges_donation", "pledges", ["donation_id"], unique=True)


def downgrade() -> None:
    op.drop_table("pledges")
    op.drop_table("paddle_raises")
    op.drop_table("attendees")
    with op.batch_alter_table("donations") as batch:
        for column in reversed(donation_columns()):
            batch.drop_column(column.name)
