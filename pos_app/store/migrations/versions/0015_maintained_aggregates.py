"""maintained aggregates: the desk's totals, chart and job counts kept by triggers

Revision ID: 0015_maintained_aggregates
Revises: 0014_attendee_language

The lead desk and the status bar read the totals, the gifts-over-time chart and the job
counts every few seconds. Summed from the rows (even from covering indexes) they cost what
the night's size costs: 43x slower at 100,000 gifts than at 1,000. Here the sums are kept
up to date instead, by SQLite triggers inside the very transaction that writes the row
(the style of 0011's sync outbox), so a committed gift always has its sums and a killed
process can't leave them out of step; whichever code path or process wrote the row.

- `donation_totals`: per (state, method): gifts, amount, fee and goods cents;
- `gift_minutes`: per (state, UTC minute of created_at): gifts and amount cents (the chart
  buckets these in local time at read time, so a time-zone change needs no rewrite);
- `refund_totals`: per state: refunds and amount cents;
- `job_state_counts`: per state: jobs.

Keyed by state, not by "counts in the totals": which states count is the reader's business
(services/totals.py), so the triggers never need to change with it. A row is never removed
when its sums go back to 0; readers skip rows with no gifts. An insert adds the new row, a
delete takes the old one away, an update that changes a summed or keyed column does both.

Rows already here are summed once, in this migration's transaction.
"""

from alembic import op

revision = "0015_maintained_aggregates"
down_revision = "0014_attendee_language"
branch_labels = None
depends_on = None

TABLES = (
    """CREATE TABLE donation_totals (
    state VARCHAR(16) NOT NULL,
    method VARCHAR(8) NOT NULL,
    gifts INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    fee_cents INTEGER NOT NULL,
    goods_cents INTEGER NOT NULL,
    PRIMARY KEY (state, method)
) WITHOUT ROWID""",
    """CREATE TABLE gift_minutes (
    state VARCHAR(16) NOT NULL,
    minute INTEGER NOT NULL,
    gifts INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (state, minute)
) WITHOUT ROWID""",
    """CREATE TABLE refund_totals (
    state VARCHAR(16) NOT NULL,
    refunds INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (state)
) WITHOUT ROWID""",
    """CREATE TABLE job_state_counts (
    state VARCHAR(16) NOT NULL,
    jobs INTEGER NOT NULL,
    PRIMARY KEY (state)
) WITHOUT ROWID""",
)


def minute(row: str) -> str:
    """The UTC minute (seconds since the epoch // 60, floored) of `row`.created_at."""
    s = f"CAST(strftime('%s', {row}.created_at) AS INTEGER)"
    return f"(({s}) - ((({s}) % 60) + 60) % 60) / 60"


def _add(row: str) -> str:
    """Statements that add `row` (NEW) to the sums."""
    return f"""
    INSERT INTO donation_totals (state, method, gifts, amount_cents, fee_cents, goods_cents)
    VALUES ({row}.state, {row}.method, 1, coalesce({row}.amount_cents, 0),
            coalesce({row}.fee_cents, 0), coalesce({row}.goods_value_cents, 0))
    ON CONFLICT (state, method) DO UPDATE SET gifts = gifts + 1,
        amount_cents = amount_cents + excluded.amount_cents,
        fee_cents = fee_cents + excluded.fee_cents,
        goods_cents = goods_cents + excluded.goods_cents;
    INSERT INTO gift_minutes (state, minute, gifts, amount_cents)
    VALUES ({row}.state, {minute(row)}, 1, coalesce({row}.amount_cents, 0))
    ON CONFLICT (state, minute) DO UPDATE SET gifts = gifts + 1,
        amount_cents = amount_cents + excluded.amount_cents;"""


def _take(row: str) -> str:
    """Statements that take `row` (OLD) away from the sums."""
    return f"""
    UPDATE donation_totals SET gifts = gifts - 1,
        amount_cents = amount_cents - coalesce({row}.amount_cents, 0),
        fee_cents = fee_cents - coalesce({row}.fee_cents, 0),
        goods_cents = goods_cents - coalesce({row}.goods_value_cents, 0)
    WHERE state = {row}.state AND method = {row}.method;
    UPDATE gift_minutes SET gifts = gifts - 1,
        amount_cents = amount_cents - coalesce({row}.amount_cents, 0)
    WHERE state = {row}.state AND minute = {minute(row)};"""


def _refund_add(row: str) -> str:
    return f"""
    INSERT INTO refund_totals (state, refunds, amount_cents)
    VALUES ({row}.state, 1, coalesce({row}.amount_cents, 0))
    ON CONFLICT (state) DO UPDATE SET refunds = refunds + 1,
        amount_cents = amount_cents + excluded.amount_cents;"""


def _refund_take(row: str) -> str:
    return f"""
    UPDATE refund_totals SET refunds = refunds - 1,
        amount_cents = amount_cents - coalesce({row}.amount_cents, 0)
    WHERE state = {row}.state;"""


def _job_add(row: str) -> str:
    return f"""
    INSERT INTO job_state_counts (state, jobs) VALUES ({row}.state, 1)
    ON CONFLICT (state) DO UPDATE SET jobs = jobs + 1;"""


def _job_take(row: str) -> str:
    return f"""
    UPDATE job_state_counts SET jobs = jobs - 1 WHERE state = {row}.state;"""


def _changed(*columns: str) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


DONATION_KEYS = ("state", "method", "amount_cents", "fee_cents", "goods_value_cents",
                 "created_at")  # fmt: skip
REFUND_KEYS = ("state", "amount_cents")

# name: (table, event, body)
TRIGGERS = {
    "aggregates_donations_insert": ("donations", "INSERT", _add("NEW")),
    "aggregates_donations_update": (
        "donations",
        f"UPDATE OF {', '.join(DONATION_KEYS)}",
        _take("OLD") + _add("NEW"),
        _changed(*DONATION_KEYS),
    ),
    "aggregates_donations_delete": ("donations", "DELETE", _take("OLD")),
    "aggregates_refunds_insert": ("refunds", "INSERT", _refund_add("NEW")),
    "aggregates_refunds_update": (
        "refunds",
        f"UPDATE OF {', '.join(REFUND_KEYS)}",
        _refund_take("OLD") + _refund_add("NEW"),
        _changed(*REFUND_KEYS),
    ),
    "aggregates_refunds_delete": ("refunds", "DELETE", _refund_take("OLD")),
    "aggregates_jobs_insert": ("jobs", "INSERT", _job_add("NEW")),
    "aggregates_jobs_update": (
        "jobs",
        "UPDATE OF state",
        _job_take("OLD") + _job_add("NEW"),
        _changed("state"),
    ),
    "aggregates_jobs_delete": ("jobs", "DELETE", _job_take("OLD")),
}

BACKFILL = (
    """INSERT INTO donation_totals (state, method, gifts, amount_cents, fee_cents, goods_cents)
    SELECT state, method, count(*), coalesce(sum(amount_cents), 0),
           coalesce(sum(fee_cents), 0), coalesce(sum(goods_value_cents), 0)
    FROM donations GROUP BY state, method""",
    f"""INSERT INTO gift_minutes (state, minute, gifts, amount_cents)
    SELECT state, {minute("donations")} AS m, count(*), coalesce(sum(amount_cents), 0)
    FROM donations GROUP BY state, m""",
    """INSERT INTO refund_totals (state, refunds, amount_cents)
    SELECT state, count(*), coalesce(sum(amount_cents), 0) FROM refunds GROUP BY state""",
    """INSERT INTO job_state_counts (state, jobs)
    SELECT state, count(*) FROM jobs GROUP BY state""",
)


def upgrade() -> None:
    for ddl in TABLES:
        op.execute(ddl)
    for name, (table, event, body, *when) in TRIGGERS.items():
        condition = f" WHEN {when[0]}" if when else ""
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table}{condition} BEGIN{body}\nEND")
    for sql in BACKFILL:
        op.execute(sql)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("job_state_counts", "refund_totals", "gift_minutes", "donation_totals"):
        op.execute(f"DROP TABLE {table}")
