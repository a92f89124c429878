"""the event's shared record: stations, donations, refunds, jobs, corrections; views,
row-level security, the change notification, and no deletes

Revision ID: c0001
Revises:
"""

from alembic import op
from sqlalchemy import text

from pos_app.central.roles import CHANNEL, lead_group, station_group

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None

# Every synced table: owned by one station (station_id), with a version that only grows.
TABLES = """
CREATE TABLE tableside.stations (
    role            name PRIMARY KEY,            -- the station's login role
    id              uuid UNIQUE,                 -- its stable id, claimed at first push
    name            text NOT NULL,               -- display name (the station's, once it pushed)
    is_lead         boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_heard      timestamptz,                 -- server time of its last push or heartbeat
    unshared        integer NOT NULL DEFAULT 0,  -- changes it still had to share then
    needs_attention integer NOT NULL DEFAULT 0
);

CREATE TABLE tableside.donations (
    id                uuid PRIMARY KEY,
    station_id        uuid NOT NULL,
    version           bigint NOT NULL,
    amount_cents      bigint NOT NULL CHECK (amount_cents > 0),
    currency          text NOT NULL,
    method            text NOT NULL,
    state             text NOT NULL,
    anonymous         boolean NOT NULL DEFAULT false,
    donor_name        text,                      -- NULL when anonymous
    donor_email       text,                      -- NULL when anonymous
    check_number      text,
    processor         text,
    brand             text,
    last4             text CHECK (last4 ~ '^[0-9]{4}$'),
    payment_intent_id text,
    message           text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    received_at       timestamptz NOT NULL DEFAULT now(),
    -- No card numbers in any text a person typed, in the engine too (13+ digits in a row).
    CONSTRAINT no_card_data CHECK (
        concat_ws(' ', donor_name, donor_email, check_number, message) !~ '[0-9]{13,}'
    )
);
CREATE INDEX donations_station ON tableside.donations (station_id);
CREATE INDEX donations_created ON tableside.donations (created_at);

CREATE TABLE tableside.refunds (
    id           uuid PRIMARY KEY,
    station_id   uuid NOT NULL,
    version      bigint NOT NULL,
    donation_id  uuid NOT NULL,
    kind         text NOT NULL,                  -- refund | void
    state        text NOT NULL,
    amount_cents bigint NOT NULL,
    currency     text NOT NULL,
    reason       text NOT NULL,
    category     text,
    reference    text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT no_card_data CHECK (reason !~ '[0-9]{13,}')
);
CREATE INDEX refunds_station ON tableside.refunds (station_id);

CREATE TABLE tableside.jobs (
    id              uuid PRIMARY KEY,
    station_id      uuid NOT NULL,
    version         bigint NOT NULL,
    kind            text NOT NULL,
    donation_id     uuid,
    state           text NOT NULL,
    attempts        integer NOT NULL,
    problem         text,                         -- plain words, with the fix
    fix             text,
    error_kind      text,
    next_attempt_at timestamptz,
    receipt_number  text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT no_card_data CHECK (coalesce(problem, '') !~ '[0-9]{13,}')
);
CREATE INDEX jobs_station ON tableside.jobs (station_id);
CREATE INDEX jobs_attention ON tableside.jobs (state) WHERE state = 'needs_attention';

-- A lead's data fix for another station's gift (an email correction): the owning station
-- pulls it through its sync job, applies it to its own row, and pushes that row back.
CREATE TABLE tableside.corrections (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    donation_id uuid NOT NULL,
    station_id  uuid NOT NULL,                   -- filled from the gift by a trigger
    field       text NOT NULL CHECK (field IN ('donor_email')),
    value       text NOT NULL CHECK (value !~ '[0-9]{13,}'),
    made_by     name NOT NULL DEFAULT current_user,
    made_at     timestamptz NOT NULL DEFAULT now(),
    applied_at  timestamptz
);
CREATE INDEX corrections_pending ON tableside.corrections (station_id) WHERE applied_at IS NULL;
"""

FUNCTIONS = """
-- Which station a role is (NULL for anyone else). Definer rights: roles can't read stations.
CREATE FUNCTION tableside.station_of(r name) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, tableside
    AS $$ SELECT id FROM tableside.stations WHERE role = r $$;

-- TLS is required except over loopback or the local socket (inet_client_addr() NULL).
CREATE FUNCTION tableside.transport_ok(is_ssl boolean, addr inet) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT coalesce(is_ssl, false) OR addr IS NULL OR addr << inet '127.0.0.0/8'
                 OR addr = inet '::1' $$;

-- Every push starts here: checks the transport and the station's identity, claims the
-- station's stable id on its first push, and records when it was last heard from.
CREATE FUNCTION tableside.hello(p_id uuid, p_name text, p_unshared integer,
                                p_attention integer) RETURNS timestamptz
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, tableside
    AS $$
DECLARE
    me tableside.stations;
BEGIN
    IF NOT tableside.transport_ok(
        (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), inet_client_addr()) THEN
        RAISE EXCEPTION 'The central store takes connections from other machines only over TLS.'
            USING ERRCODE = '28000', HINT = 'Add ?sslmode=verify-full to [central] url.';
    END IF;
    SELECT * INTO me FROM tableside.stations WHERE role = session_user FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Role % is not a station of this event.', session_user
            USING ERRCODE = '42501', HINT = 'Run pos-app central add-station NAME for it.';
    END IF;
    IF me.id IS NOT NULL AND me.id <> p_id THEN
        RAISE EXCEPTION 'Role % belongs to another station (%).', session_user, me.id
            USING ERRCODE = '42501',
                  HINT = 'Each laptop needs its own role: pos-app central add-station NAME.';
    END IF;
    IF EXISTS (SELECT 1 FROM tableside.stations WHERE id = p_id AND role <> session_user) THEN
        RAISE EXCEPTION 'Station % is already registered under another role.', p_id
            USING ERRCODE = '42501';
    END IF;
    UPDATE tableside.stations
       SET id = p_id, name = coalesce(nullif(btrim(p_name), ''), name), last_heard = now(),
           unshared = greatest(p_unshared, 0), needs_attention = greatest(p_attention, 0)
     WHERE role = session_user;
    RETURN now();
END $$;

-- Screens LISTEN on the channel; one notification per statement, not per row.
CREATE FUNCTION tableside.notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('%(channel)s', TG_TABLE_NAME);
    RETURN NULL;
END $$;

-- Nobody deletes the event's record, the owner included (roles also lack the privilege).
CREATE FUNCTION tableside.refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Rows of the event''s record are never deleted (%).', TG_TABLE_NAME
        USING ERRCODE = '42501';
END $$;

CREATE FUNCTION tableside.correction_owner() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, tableside AS $$
BEGIN
    SELECT station_id INTO NEW.station_id FROM tableside.donations WHERE id = NEW.donation_id;
    IF NEW.station_id IS NULL THEN
        RAISE EXCEPTION 'No gift % in the event''s record.', NEW.donation_id
            USING ERRCODE = '23503';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER correction_owner BEFORE INSERT ON tableside.corrections
    FOR EACH ROW EXECUTE FUNCTION tableside.correction_owner();
"""

VIEWS = """
-- What counts towards the total, exactly as on a station (services/totals.py).
CREATE VIEW tableside.counted AS
    SELECT d.*, s.name AS station_name
      FROM tableside.donations d LEFT JOIN tableside.stations s ON s.id = d.station_id
     WHERE d.state IN ('approved', 'recorded');

CREATE VIEW tableside.event_totals AS
    SELECT (SELECT count(*) FROM tableside.counted)::bigint AS gifts,
           (SELECT coalesce(sum(amount_cents), 0) FROM tableside.counted)::bigint AS raised_cents,
           (SELECT count(*) FROM tableside.donations
             WHERE state IN ('charging', 'in_doubt'))::bigint AS in_doubt,
           (SELECT coalesce(sum(amount_cents), 0) FROM tableside.refunds
             WHERE state = 'refunded')::bigint AS refunded_cents,
           (SELECT count(*) FROM tableside.refunds WHERE state = 'refunded')::bigint AS refunds,
           (SELECT coalesce(sum(amount_cents), 0) FROM tableside.refunds
             WHERE state = 'voided')::bigint AS voided_cents,
           (SELECT count(*) FROM tableside.refunds WHERE state = 'voided')::bigint AS voided,
           (SELECT count(*) FROM tableside.refunds
             WHERE state IN ('refunding', 'in_doubt'))::bigint AS refunds_in_doubt,
           now() AS as_of;

CREATE VIEW tableside.raised_by_station_method AS
    SELECT station_id, max(station_name) AS station_name, method,
           count(*)::bigint AS gifts, sum(amount_cents)::bigint AS raised_cents
      FROM tableside.counted GROUP BY station_id, method;

CREATE VIEW tableside.gifts_by_minute AS
    SELECT date_trunc('minute', created_at) AS minute, count(*)::bigint AS gifts,
           sum(amount_cents)::bigint AS raised_cents
      FROM tableside.counted GROUP BY 1;

CREATE VIEW tableside.station_health AS
    SELECT s.id, s.name, s.is_lead, s.last_heard, s.unshared, s.needs_attention,
           now() - s.last_heard AS silent_for,
           (SELECT count(*) FROM tableside.counted c WHERE c.station_id = s.id)::bigint AS gifts,
           (SELECT coalesce(sum(amount_cents), 0) FROM tableside.counted c
             WHERE c.station_id = s.id)::bigint AS raised_cents
      FROM tableside.stations s;

-- For the projector's ticker: first name only, and nothing at all for an anonymous gift.
CREATE VIEW tableside.recent_gifts AS
    SELECT id, created_at, amount_cents, currency, method, station_name,
           CASE WHEN anonymous OR coalesce(btrim(donor_name), '') = '' THEN NULL
                ELSE split_part(btrim(donor_name), ' ', 1) END AS display_name
      FROM tableside.counted ORDER BY created_at DESC LIMIT 50;

-- A station's own detail: its rows only, whatever columns the table privileges hide.
CREATE VIEW tableside.my_donations AS
    SELECT * FROM tableside.donations WHERE station_id = tableside.station_of(current_user);
CREATE VIEW tableside.my_jobs AS
    SELECT * FROM tableside.jobs WHERE station_id = tableside.station_of(current_user);

-- The lead's list of what needs a human, every station (the invoker's rights and policies
-- apply: only a lead can read it).
CREATE VIEW tableside.needs_attention WITH (security_invoker = true) AS
    SELECT j.id, j.station_id, s.name AS station_name, j.kind, j.donation_id, j.problem,
           j.fix, j.attempts, j.updated_at, d.donor_name, d.donor_email, d.amount_cents,
           d.currency, d.anonymous
      FROM tableside.jobs j
      LEFT JOIN tableside.donations d ON d.id = j.donation_id
      LEFT JOIN tableside.station_health s ON s.id = j.station_id
     WHERE j.state = 'needs_attention';
"""

SECURITY = """
ALTER TABLE tableside.donations ENABLE ROW LEVEL SECURITY;
ALTER TABLE tableside.refunds ENABLE ROW LEVEL SECURITY;
ALTER TABLE tableside.jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE tableside.corrections ENABLE ROW LEVEL SECURITY;
ALTER TABLE tableside.stations ENABLE ROW LEVEL SECURITY;

REVOKE ALL ON SCHEMA tableside FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA tableside FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tableside FROM PUBLIC;
GRANT USAGE ON SCHEMA tableside TO {station}, {lead};
GRANT SELECT ON tableside.alembic_version TO {station}, {lead};  -- doctor compares it
GRANT EXECUTE ON FUNCTION tableside.station_of(name), tableside.transport_ok(boolean, inet),
    tableside.hello(uuid, text, integer, integer) TO {station}, {lead};

-- Stations write their own rows. They may read back only what an upsert needs to compare
-- versions (id, station_id, version): donor detail of the table is out of reach even for
-- their own rows, which they read through my_donations / my_jobs.
GRANT INSERT, UPDATE ON tableside.donations, tableside.refunds, tableside.jobs TO {station};
GRANT SELECT (id, station_id, version)
    ON tableside.donations, tableside.refunds, tableside.jobs TO {station};
GRANT SELECT ON tableside.event_totals, tableside.raised_by_station_method,
    tableside.gifts_by_minute, tableside.station_health, tableside.recent_gifts,
    tableside.my_donations, tableside.my_jobs TO {station}, {lead};
GRANT SELECT (id, donation_id, station_id, field, value, made_at, applied_at),
    UPDATE (applied_at) ON tableside.corrections TO {station};

-- Leads read every station's detail and write data fixes (corrections), nothing else.
GRANT SELECT ON tableside.donations, tableside.refunds, tableside.jobs,
    tableside.corrections, tableside.needs_attention TO {lead};
GRANT INSERT (donation_id, field, value) ON tableside.corrections TO {lead};

CREATE POLICY own_or_lead ON tableside.donations FOR SELECT
    USING (station_id = (SELECT tableside.station_of(current_user))
           OR pg_has_role(current_user, '{lead}', 'MEMBER'));
CREATE POLICY own_insert ON tableside.donations FOR INSERT
    WITH CHECK (station_id = (SELECT tableside.station_of(current_user)));
CREATE POLICY own_update ON tableside.donations FOR UPDATE
    USING (station_id = (SELECT tableside.station_of(current_user)))
    WITH CHECK (station_id = (SELECT tableside.station_of(current_user)));

CREATE POLICY own_or_lead ON tableside.refunds FOR SELECT
    USING (station_id = (SELECT tableside.station_of(current_user))
           OR pg_has_role(current_user, '{lead}', 'MEMBER'));
CREATE POLICY own_insert ON tableside.refunds FOR INSERT
    WITH CHECK (station_id = (SELECT tableside.station_of(current_user)));
CREATE POLICY own_update ON tableside.refunds FOR UPDATE
    USING (station_id = (SELECT tableside.station_of(current_user)))
    WITH CHECK (station_id = (SELECT tableside.station_of(current_user)));

CREATE POLICY own_or_lead ON tableside.jobs FOR SELECT
    USING (station_id = (SELECT tableside.station_of(current_user))
           OR pg_has_role(current_user, '{lead}', 'MEMBER'));
CREATE POLICY own_insert ON tableside.jobs FOR INSERT
    WITH CHECK (station_id = (SELECT tableside.station_of(current_user)));
CREATE POLICY own_update ON tableside.jobs FOR UPDATE
    USING (station_id = (SELECT tableside.station_of(current_user)))
    WITH CHECK (station_id = (SELECT tableside.station_of(current_user)));

CREATE POLICY own_or_lead ON tableside.corrections FOR SELECT
    USING (station_id = (SELECT tableside.station_of(current_user))
           OR pg_has_role(current_user, '{lead}', 'MEMBER'));
CREATE POLICY lead_insert ON tableside.corrections FOR INSERT
    WITH CHECK (pg_has_role(current_user, '{lead}', 'MEMBER'));
CREATE POLICY own_applied ON tableside.corrections FOR UPDATE
    USING (station_id = (SELECT tableside.station_of(current_user)))
    WITH CHECK (station_id = (SELECT tableside.station_of(current_user)));
"""

TRIGGERS = """
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE ON tableside.{t}
    FOR EACH STATEMENT EXECUTE FUNCTION tableside.notify_change();
CREATE TRIGGER no_delete BEFORE DELETE ON tableside.{t}
    FOR EACH ROW EXECUTE FUNCTION tableside.refuse_delete();
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON tableside.{t}
    FOR EACH STATEMENT EXECUTE FUNCTION tableside.refuse_delete();
"""


def _ensure_role(name: str) -> str:
    # Roles are cluster-wide: another event's database may already have made them.
    return (
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
        f"'{name}') THEN CREATE ROLE \"{name}\" NOLOGIN; END IF; END $$;"
    )


def _run(bind, script: str) -> None:  # type: ignore[no-untyped-def]
    # Straight to psycopg with no parameters: `%` in the SQL stays what it is.
    bind.connection.driver_connection.execute(script)


def upgrade() -> None:
    bind = op.get_bind()
    dbname = bind.execute(text("SELECT current_database()")).scalar_one()
    station, lead = station_group(dbname), lead_group(dbname)
    _run(bind, _ensure_role(station))
    _run(bind, _ensure_role(lead))
    # A lead desk is a station too: it pushes its own gifts like any other.
    _run(bind, f'GRANT "{station}" TO "{lead}"')
    _run(bind, TABLES)
    _run(bind, FUNCTIONS.replace("%(channel)s", CHANNEL))
    _run(bind, VIEWS)
    _run(bind, SECURITY.format(station=station, lead=lead))
    for table in ("stations", "donations", "refunds", "jobs", "corrections"):
        _run(bind, TRIGGERS.format(t=table))


def downgrade() -> None:
    op.execute("DROP SCHEMA tableside CASCADE")
