"""indexes for every hot read: live views, the desk's aggregates and paged lists

Revision ID: 0005
Revises: 0004

Why each one (the queries are in tests/test_query_plans.py, which fails on a full scan):
- jobs.updated_at: the panel asks "what changed since my last look" every second;
- jobs (created_at, kind): the ledger read oldest first without a sort of the whole table;
- jobs (state, created_at): counts by state and the oldest waiting job from the index alone;
- donations (created_at, id) / updated_at, refunds.updated_at: the desk's newest-first
  pages (keyset, no OFFSET) and its "anything changed?" check;
- donations (state, method, amount_cents) and (state, created_at, amount_cents): the totals
  and the gifts-over-time chart summed from covering indexes, never the rows.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_jobs_updated_at", "jobs", ["updated_at"]),
    ("ix_jobs_created_kind", "jobs", ["created_at", "kind"]),
    ("ix_jobs_state_created", "jobs", ["state", "created_at"]),
    ("ix_donations_created_at", "donations", ["created_at", "id"]),
    ("ix_donations_updated_at", "donations", ["updated_at"]),
    ("ix_donations_state_method_amount", "donations", ["state", "method", "amount_cents"]),
    ("ix_donations_state_created_amount", "donations", ["state", "created_at", "amount_cents"]),
    ("ix_refunds_updated_at", "refunds", ["updated_at"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
