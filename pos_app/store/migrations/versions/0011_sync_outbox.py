"""sync outbox: what this station still has to share with the central store

Revision ID: 0011_sync_outbox
Revises: 0010_save_card_consent

`sync_outbox` holds one small marker per changed row ("row X of table T changed"), written
by SQLite triggers inside the very transaction that changed the row, so a committed gift,
refund or job state always has its marker, whichever code path (or process: the CLI) wrote
it. A marker is replaced, not added to, when its row changes again; its `seq`
(AUTOINCREMENT: never reused, even after deletes) is the version pushed to the centre, so
later changes always carry higher versions. The payload is built at push time from the row
as it is then (jobs/kinds/sync.py).

Rows already here are marked too: a station that is given a central store later shares
everything it took before.

`jobs.donation_id` becomes nullable: the standing sync job belongs to the station, not to a
gift (one row, a partial unique index keeps it one). Station-level jobs are not shared, so
the sync job's own comings and goings never make markers (or it would sync itself forever).

`sync_state` is one row: when something was last shared, the last problem, and the event's
totals as last read from the centre (shown as "last known" while it can't be reached).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_sync_outbox"
down_revision = "0010_save_card_consent"
branch_labels = None
depends_on = None

SHARED = {"donations": "", "refunds": "", "jobs": "WHEN NEW.donation_id IS NOT NULL"}


JOBS = """CREATE TABLE jobs_new (
    id VARCHAR(36) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    donation_id VARCHAR(36){null},
    state VARCHAR(16) NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at DATETIME,
    last_error TEXT,
    last_error_detail TEXT,
    error_kind VARCHAR(16),
    fix VARCHAR(32),
    receipt_number VARCHAR(32),
    result_ref VARCHAR(255),
    sent_at DATETIME,
    discard_reason TEXT,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    started_at DATETIME,
    finished_at DATETIME,
    PRIMARY KEY (id),
    FOREIGN KEY(donation_id) REFERENCES donations (id),
    UNIQUE (receipt_number)
)"""
JOB_INDEXES = (
    "CREATE INDEX ix_jobs_state ON jobs (state)",
    "CREATE INDEX ix_jobs_donation_id ON jobs (donation_id)",
    "CREATE UNIQUE INDEX ux_jobs_donation_kind ON jobs (donation_id, kind)",
    "CREATE INDEX ix_jobs_updated_at ON jobs (updated_at)",
    "CREATE INDEX ix_jobs_created_kind ON jobs (created_at, kind)",
    "CREATE INDEX ix_jobs_state_created ON jobs (state, created_at)",
)


def _rebuild_jobs(*, donation_nullable: bool) -> None:
    """SQLite can't change a column's NULL rule in place. Written out rather than through
    Alembic's batch mode, whose rebuilt DDL lists the constraints in a different order
    from run to run (a resumed first start must build the same schema as a fresh one)."""
    op.execute(JOBS.format(null="" if donation_nullable else " NOT NULL"))
    op.execute("INSERT INTO jobs_new SELECT id, kind, donation_id, state, attempts, "
               "next_attempt_at, last_error, last_error_detail, error_kind, fix, "
               "receipt_number, result_ref, sent_at, discard_reason, created_at, updated_at, "
               "started_at, finished_at FROM jobs")
    op.execute("DROP TABLE jobs")
    op.execute("ALTER TABLE jobs_new RENAME TO jobs")
    for ddl in JOB_INDEXES:
        op.execute(ddl)


def upgrade() -> None:
    op.create_table(
        "sync_outbox",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("tbl", sa.String(16), nullable=False),
        sa.Column("row_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("tbl", "row_id", name="ux_sync_outbox_row"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("last_shared_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("totals_json", sa.Text),
        sa.Column("totals_as_of", sa.DateTime(timezone=True)),
    )
    _rebuild_jobs(donation_nullable=True)
    op.create_index(
        "ux_jobs_station_kind",
        "jobs",
        ["kind"],
        unique=True,
        sqlite_where=sa.text("donation_id IS NULL"),
    )
    for table, when in SHARED.items():
        for verb in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER sync_outbox_{table}_{verb.lower()} AFTER {verb} ON {table} "
                f"{when} BEGIN INSERT OR REPLACE INTO sync_outbox (tbl, row_id) "
                f"VALUES ('{table}', NEW.id); END"
            )
    # What was here before: donations first, then refunds, then jobs (the centre's order).
    op.execute(
        "INSERT INTO sync_outbox (tbl, row_id) SELECT 'donations', id FROM donations "
        "ORDER BY created_at"
    )
    op.execute(
        "INSERT INTO sync_outbox (tbl, row_id) SELECT 'refunds', id FROM refunds "
        "ORDER BY created_at"
    )
    op.execute(
        "INSERT INTO sync_outbox (tbl, row_id) SELECT 'jobs', id FROM jobs "
        "WHERE donation_id IS NOT NULL ORDER BY created_at"
    )


def downgrade() -> None:
    for table in SHARED:
        for verb in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS sync_outbox_{table}_{verb}")
    op.execute("DELETE FROM jobs WHERE donation_id IS NULL")
    op.drop_index("ux_jobs_station_kind", "jobs")
    _rebuild_jobs(donation_nullable=False)
    op.drop_table("sync_state")
    op.drop_table("sync_outbox")
