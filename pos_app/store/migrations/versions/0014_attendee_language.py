"""attendee language: the language a guest's receipts and pay links are written in, chosen
at check-in

Revision ID: 0014_attendee_language
Revises: 0013_goods_items

NULL (every guest already checked in) means the event's default receipt language. A
pledge made for the guest copies it onto its gift's `receipt_language`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_attendee_language"
down_revision = "0013_goods_items"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attendees") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attendees") as batch:
        batch.drop_column("language")
