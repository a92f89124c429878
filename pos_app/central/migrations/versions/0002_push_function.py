"""the push function: a station upserts its own rows by id with a version that only grows

Revision ID: c0002
Revises: c0001

Why a function: `INSERT ... ON CONFLICT DO UPDATE` reads `excluded.*` and the target row,
which needs SELECT on every column it names; stations may read only (id, station_id,
version) of the tables, by design (donor detail stays with the leads). So the upsert runs
here, with the owner's rights (SECURITY DEFINER, a fixed search_path), after checking who
calls: the login role (`session_user`, as `hello` does) must be a station that has said
hello, and every row must be that station's. A row is written only when its version is
higher than the stored one, so a replayed or reordered batch changes nothing. The
function keeps the store's own promises as well: an anonymous gift keeps no donor name or
email, and the no-card-data checks of the tables still apply.

Stations lose their direct INSERT/UPDATE on the tables: the function is the one way in,
so no station can lower a version or skip these checks.
"""

from alembic import op
from sqlalchemy import text

from pos_app.central.roles import station_group

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None

PUSH = """
CREATE FUNCTION tableside.push(p_donations jsonb, p_refunds jsonb, p_jobs jsonb)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, tableside
    AS $$
DECLARE
    me uuid := tableside.station_of(session_user);
    written integer := 0;
    n integer;
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'Role % is not a station of this event (or has not said hello).',
            session_user
            USING ERRCODE = '42501', HINT = 'Run pos-app central add-station NAME for it.';
    END IF;
    -- Every row must be the caller's: a payload naming another station is refused whole.
    IF EXISTS (
        SELECT 1 FROM (SELECT jsonb_array_elements(coalesce(p_donations, '[]'))
                       UNION ALL SELECT jsonb_array_elements(coalesce(p_refunds, '[]'))
                       UNION ALL SELECT jsonb_array_elements(coalesce(p_jobs, '[]'))) AS e(r)
         WHERE r ? 'station_id' AND (r->>'station_id')::uuid IS DISTINCT FROM me)
    THEN
        RAISE EXCEPTION 'A station pushes only its own rows.' USING ERRCODE = '42501';
    END IF;
    IF EXISTS (
        SELECT 1 FROM tableside.donations t
          JOIN jsonb_to_recordset(coalesce(p_donations, '[]')) AS x(id uuid) USING (id)
         WHERE t.station_id <> me
        UNION ALL
        SELECT 1 FROM tableside.refunds t
          JOIN jsonb_to_recordset(coalesce(p_refunds, '[]')) AS x(id uuid) USING (id)
         WHERE t.station_id <> me
        UNION ALL
        SELECT 1 FROM tableside.jobs t
          JOIN jsonb_to_recordset(coalesce(p_jobs, '[]')) AS x(id uuid) USING (id)
         WHERE t.station_id <> me)
    THEN
        RAISE EXCEPTION 'Another station''s row can''t be overwritten.' USING ERRCODE = '42501';
    END IF;

    INSERT INTO tableside.donations AS t (id, station_id, version, amount_cents, currency,
        method, state, anonymous, donor_name, donor_email, check_number, processor, brand,
        last4, payment_intent_id, message, created_at, updated_at)
    SELECT DISTINCT ON (x.id) x.id, me, x.version, x.amount_cents, x.currency, x.method,
           x.state, coalesce(x.anonymous, false),
           CASE WHEN coalesce(x.anonymous, false) THEN NULL ELSE nullif(x.donor_name, '') END,
           CASE WHEN coalesce(x.anonymous, false) THEN NULL ELSE nullif(x.donor_email, '') END,
           x.check_number, x.processor, x.brand, x.last4, x.payment_intent_id, x.message,
           x.created_at, x.updated_at
      FROM jsonb_to_recordset(coalesce(p_donations, '[]')) AS x(id uuid, version bigint,
           amount_cents bigint, currency text, method text, state text, anonymous boolean,
           donor_name text, donor_email text, check_number text, processor text, brand text,
           last4 text, payment_intent_id text, message text, created_at timestamptz,
           updated_at timestamptz)
     ORDER BY x.id, x.version DESC
    ON CONFLICT (id) DO UPDATE SET version = excluded.version,
        amount_cents = excluded.amount_cents, currency = excluded.currency,
        method = excluded.method, state = excluded.state, anonymous = excluded.anonymous,
        donor_name = excluded.donor_name, donor_email = excluded.donor_email,
        check_number = excluded.check_number, processor = excluded.processor,
        brand = excluded.brand, last4 = excluded.last4,
        payment_intent_id = excluded.payment_intent_id, message = excluded.message,
        created_at = excluded.created_at, updated_at = excluded.updated_at, received_at = now()
     WHERE excluded.version > t.version AND t.station_id = me;
    GET DIAGNOSTICS n = ROW_COUNT;
    written := written + n;

    INSERT INTO tableside.refunds AS t (id, station_id, version, donation_id, kind, state,
        amount_cents, currency, reason, category, reference, created_at, updated_at)
    SELECT DISTINCT ON (x.id) x.id, me, x.version, x.donation_id, x.kind, x.state,
           x.amount_cents, x.currency, x.reason, x.category, x.reference, x.created_at,
           x.updated_at
      FROM jsonb_to_recordset(coalesce(p_refunds, '[]')) AS x(id uuid, version bigint,
           donation_id uuid, kind text, state text, amount_cents bigint, currency text,
           reason text, category text, reference text, created_at timestamptz,
           updated_at timestamptz)
     ORDER BY x.id, x.version DESC
    ON CONFLICT (id) DO UPDATE SET version = excluded.version,
        donation_id = excluded.donation_id, kind = excluded.kind, state = excluded.state,
        amount_cents = excluded.amount_cents, currency = excluded.currency,
        reason = excluded.reason, category = excluded.category,
        reference = excluded.reference, created_at = excluded.created_at,
        updated_at = excluded.updated_at, received_at = now()
     WHERE excluded.version > t.version AND t.station_id = me;
    GET DIAGNOSTICS n = ROW_COUNT;
    written := written + n;

    INSERT INTO tableside.jobs AS t (id, station_id, version, kind, donation_id, state,
        attempts, problem, fix, error_kind, next_attempt_at, receipt_number, created_at,
        updated_at)
    SELECT DISTINCT ON (x.id) x.id, me, x.version, x.kind, x.donation_id, x.state,
           x.attempts, x.problem, x.fix, x.error_kind, x.next_attempt_at, x.receipt_number,
           x.created_at, x.updated_at
      FROM jsonb_to_recordset(coalesce(p_jobs, '[]')) AS x(id uuid, version bigint,
           kind text, donation_id uuid, state text, attempts integer, problem text, fix text,
           error_kind text, next_attempt_at timestamptz, receipt_number text,
           created_at timestamptz, updated_at timestamptz)
     ORDER BY x.id, x.version DESC
    ON CONFLICT (id) DO UPDATE SET version = excluded.version, kind = excluded.kind,
        donation_id = excluded.donation_id, state = excluded.state,
        attempts = excluded.attempts, problem = excluded.problem, fix = excluded.fix,
        error_kind = excluded.error_kind, next_attempt_at = excluded.next_attempt_at,
        receipt_number = excluded.receipt_number, created_at = excluded.created_at,
        updated_at = excluded.updated_at, received_at = now()
     WHERE excluded.version > t.version AND t.station_id = me;
    GET DIAGNOSTICS n = ROW_COUNT;
    written := written + n;
    RETURN written;
END $$;
REVOKE ALL ON FUNCTION tableside.push(jsonb, jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tableside.push(jsonb, jsonb, jsonb) TO {station};
REVOKE INSERT, UPDATE ON tableside.donations, tableside.refunds, tableside.jobs FROM {station};
"""


def upgrade() -> None:
    bind = op.get_bind()
    dbname = bind.execute(text("SELECT current_database()")).scalar_one()
    # Straight to psycopg with no parameters: `%` in the SQL stays what it is.
    bind.connection.driver_connection.execute(
        PUSH.replace("{station}", f'"{station_group(dbname)}"')
    )


def downgrade() -> None:
    bind = op.get_bind()
    dbname = bind.execute(text("SELECT current_database()")).scalar_one()
    station = f'"{station_group(dbname)}"'
    op.execute("DROP FUNCTION tableside.push(jsonb, jsonb, jsonb)")
    op.execute(
        "GRANT INSERT, UPDATE ON tableside.donations, tableside.refunds, tableside.jobs "
        f"TO {station}"
    )
