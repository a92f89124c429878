"""alert notices: which alert conditions are on, and the alert emails owed to people

Revision ID: 0012_alert_notices
Revises: 0011_sync_outbox

`alert_state` is one row per condition (backlog, oldest, needs_attention): whether it is
past its limit now, whether people were told about this episode, and when they last were
(the quiet period counts from there). Kept here, not in memory, so a restart neither
re-sends an alert already sent nor forgets an all-clear it owes.

`alert_notices` is the alert emails' outbox: one row per email owed (an alert or an
all-clear, to one address), written in the same transaction as the state change; the
standing alert-email job sends each and marks it sent (jobs/kinds/alert_email.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_alert_notices"
down_revision = "0011_sync_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_state",
        sa.Column("condition", sa.String(16), primary_key=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("notified", sa.Boolean, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True)),
        sa.Column("alerted_at", sa.DateTime(timezone=True)),
        sa.Column("words", sa.Text),
    )
    op.create_table(
        "alert_notices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("condition", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),  # alert | clear
        sa.Column("to_email", sa.String(320), nullable=False),
        sa.Column("words", sa.Text, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("ref", sa.String(255)),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_alert_notices_sent_at", "alert_notices", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_notices_sent_at", "alert_notices")
    op.drop_table("alert_notices")
    op.drop_table("alert_state")
