"""`pos-app central init | add-station NAME | status`: IT's side of the event's central store.

    pos-app central init [--admin-url URL]           create or upgrade the central schema
    pos-app central add-station NAME [--lead] [--reset] [--admin-url URL]
                                                     a station's role and one-time password
    pos-app central status [--json] [--admin-url URL]   every station's health

The administrator's connection string (it may hold the password) comes from `--admin-url`
or, better (it then stays out of the shell's history and the process list), the first line
of stdin; at a terminal it is asked for without echo. It is used for the one command and
kept nowhere. `status` without an admin URL logs in as this station (`[central] url` and
the keyring's `central_password`). The work is pos_app/central/admin.py's.

Exit codes: 0 done, 1 the centre refused or couldn't be reached (one plain line with the
fix, never a traceback), 2 bad usage (no admin URL, a bad URL or name).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import parse_qs, urlencode, urlsplit

from pos_app.checks import Check

if TYPE_CHECKING:
    from pos_app.settings import Settings

DONE, FAILED, USAGE = 0, 1, 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    central = sub.add_parser("central", help="IT: set up and watch the event's central store")
    actions = central.add_subparsers(dest="central_action", metavar="ACTION", required=True)
    admin_help = "the administrator's postgresql:// URL (else read from stdin)"
    init = actions.add_parser("init", help="create or upgrade the central schema")
    init.add_argument("--admin-url", help=admin_help)
    add = actions.add_parser("add-station", help="a station's role and one-time password")
    add.add_argument("name", help='the station\'s name, e.g. "Table 4"')
    add.add_argument("--lead", action="store_true", help="a lead's role: reads every station")
    add.add_argument("--reset", action="store_true", help="a new password for an existing role")
    add.add_argument("--admin-url", help=admin_help)
    status = actions.add_parser("status", help="every station's health at the centre")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument("--admin-url", help="log in as the administrator instead")


def run_central(config: str | None, args: argparse.Namespace, *, out: TextIO, err: TextIO,
                stdin: TextIO | None = None) -> int:  # fmt: skip
    from sqlalchemy.exc import DBAPIError

    from pos_app.central.connect import CentralConfigError, CentralError, classify

    stdin = stdin or sys.stdin
    try:
        if args.central_action == "status":
            return _status(config, args, out, err, stdin)
        admin_url = _admin_url(args.admin_url, stdin)
        if admin_url is None:
            print("✗ Give the administrator's postgresql:// URL on stdin or with --admin-url.",
                  file=err)
            return USAGE
        if args.central_action == "init":
            return _init(admin_url, out)
        return _add_station(admin_url, args, out)
    except (CentralConfigError, ValueError) as exc:
        print(f"✗ {exc}", file=err)
        return USAGE
    except DBAPIError as exc:  # from the schema migrations (SQLAlchemy over psycopg)
        _failed(classify(exc.orig or exc), err)
        return FAILED
    except CentralError as exc:
        _failed(exc, err)
        return FAILED
    except Exception as exc:  # psycopg straight from admin.py
        import psycopg

        if not isinstance(exc, psycopg.Error):
            raise
        _failed(classify(exc), err)
        return FAILED


def _failed(exc: object, err: TextIO) -> None:
    message = getattr(exc, "message", str(exc))
    print(f"✗ {message}", file=err)
    detail = getattr(exc, "detail", "")
    if detail:
        print(f"  ({_redact(detail)})", file=err)


def _redact(text: str) -> str:
    from pos_app.logs import redact

    return redact(text)


def _admin_url(given: str | None, stdin: TextIO) -> str | None:
    if given:
        return given.strip()
    if stdin.isatty():
        line = getpass.getpass("Administrator's postgresql:// URL: ")
    else:
        line = stdin.readline()
    return line.strip() or None


def _init(admin_url: str, out: TextIO) -> int:
    from pos_app.central import admin

    revision = admin.init(admin_url)
    target = urlsplit(admin_url)
    print(f"✓ Central store {target.hostname}/{target.path.lstrip('/')} is at schema "
          f"{revision}.", file=out)  # fmt: skip
    print("  Next: `pos-app central add-station NAME` for each station.", file=out)
    return DONE


def station_url(admin_url: str, role: str) -> str:
    """The URL the station puts in `[central] url`: the admin's server and database, the
    station's role, no password, and TLS verified unless the server is this machine."""
    from pos_app.central.connect import SECURE_MODES, parse_url

    target = parse_url(admin_url, allow_password=True)
    sslmode = target.sslmode
    if not target.local and sslmode not in SECURE_MODES:
        sslmode = "verify-full"
    host = f"[{target.host}]" if ":" in target.host else target.host
    params = {"sslmode": sslmode} if sslmode != "prefer" else {}
    # The CA that signs the server's certificate: the station checks it the same way.
    root = parse_qs(urlsplit(admin_url).query).get("sslrootcert")
    if root and sslmode in ("verify-ca", "verify-full"):
        params["sslrootcert"] = root[0]
    query = f"?{urlencode(params)}" if params else ""
    return f"postgresql://{role}@{host}:{target.port}/{target.dbname}{query}"


def _add_station(admin_url: str, args: argparse.Namespace, out: TextIO) -> int:
    from pos_app.central import admin

    new = admin.add_station(admin_url, args.name, lead=args.lead, reset=args.reset)
    kind = "lead" if new.lead else "station"
    print(f"✓ {kind.capitalize()} \"{new.name}\": role {new.role}", file=out)
    print(f"  One-time password (shown once, not kept anywhere): {new.password}", file=out)
    print("  On that laptop:", file=out)
    print(f"    in the config file, [central] url = \"{station_url(admin_url, new.role)}\"",
          file=out)
    print("    then `pos-app configure` and give it as central_password.", file=out)
    return DONE


def _status(config: str | None, args: argparse.Namespace, out: TextIO, err: TextIO,
            stdin: TextIO) -> int:  # fmt: skip
    from pos_app.central import admin
    from pos_app.domain.money import format_cents

    if args.admin_url:
        revision, stations = admin.status(args.admin_url.strip())
    else:
        from pos_app.secrets import CENTRAL_PASSWORD, SecretsError, get_secret
        from pos_app.settings import ConfigError, load_settings

        try:
            settings = load_settings(config)
        except ConfigError as exc:
            print(f"✗ {exc}", file=err)
            return USAGE
        if not settings.central.enabled:
            print("✗ No central store is set for this station ([central] url is empty). "
                  "Set it, or give --admin-url.", file=err)  # fmt: skip
            return USAGE
        try:
            password = get_secret(CENTRAL_PASSWORD)
        except SecretsError as exc:
            print(f"✗ {exc}", file=err)
            return FAILED
        revision, stations = admin.status(settings.central.url, password)
    if args.json:
        json.dump({"schema": revision, "stations": [
            {"name": s.name, "station_id": s.station_id, "lead": s.lead,
             "last_heard": s.last_heard.isoformat() if s.last_heard else None,
             "unshared": s.unshared, "needs_attention": s.needs_attention, "gifts": s.gifts,
             "raised_cents": s.raised_cents} for s in stations]}, out, indent=2)  # fmt: skip
        out.write("\n")
        return DONE
    print(f"Central schema {revision}; {len(stations)} station(s).", file=out)
    for s in stations:
        heard = s.last_heard.astimezone().strftime("%H:%M") if s.last_heard else "never"
        role = " (lead)" if s.lead else ""
        print(f"  {s.name}{role} · last heard {heard} · {s.unshared} not yet shared · "
              f"{s.needs_attention} need attention · {s.gifts} gifts, "
              f"{format_cents(s.raised_cents, 'usd')}", file=out)  # fmt: skip
    return DONE


# ---- `pos-app doctor`'s central checks (when [central] url is set) ---------------------
SYNC_LAG_WARN_S = 300  # changes waiting longer than this to be shared: say so


def doctor_checks(settings: Settings, db_file: Path) -> list[Check]:
    """Reachability and login, TLS, the role (a station or lead of this event's database,
    and the centre's schema current), and the sync lag from this laptop's own database.
    Read-only everywhere: nothing is pushed, nothing migrated."""
    from pos_app.central import admin
    from pos_app.central.connect import CentralError, connect, parse_url, secure_transport
    from pos_app.central.roles import SCHEMA, lead_group, station_group
    from pos_app.secrets import CENTRAL_PASSWORD, SecretsError, get_secret

    target = parse_url(settings.central.url)  # load_settings already checked it
    where = f"{target.host}:{target.port}/{target.dbname}"
    checks = [_sync_lag(db_file)]
    try:
        password = get_secret(CENTRAL_PASSWORD)
    except SecretsError as exc:
        return [Check("central", "fail", f"{where}: {exc}", "run `pos-app configure`"), *checks]
    try:
        with connect(settings.central.url, password, autocommit=True) as conn:
            secure = secure_transport(conn)
            tls = conn.pgconn.ssl_in_use
            dbname = conn.info.dbname
            member = conn.execute(
                "SELECT pg_has_role(current_user, %s, 'member'), "
                "pg_has_role(current_user, %s, 'member')",
                (station_group(dbname), lead_group(dbname)),
            ).fetchone()
            row = conn.execute(f"SELECT version_num FROM {SCHEMA}.alembic_version").fetchone()
    except CentralError as exc:
        if exc.kind == "transient":
            fix = "check the network and the host in [central] url"
        elif exc.fix == "check_connection":  # TLS or pg_hba: the message says what to change
            fix = "change [central] url as said above, or ask IT (`pos-app central status`)"
        else:
            fix = "check [central] url's role and run `pos-app configure` (central_password)"
        name = "central TLS" if exc.fix == "check_connection" else "central"
        return [Check(name, "fail", f"{where}: {exc.message}", fix), *checks]
    except Exception as exc:  # psycopg: a missing group or schema is a finding, not a crash
        return [Check("central", "fail", f"{where}: {' '.join(str(exc).split())[:200]}",
                      "ask IT to run `pos-app central init` against it"), *checks]
    found = [Check("central", "ok", f"{where}: reachable, logged in as {target.user}")]
    if tls:
        found.append(Check("central TLS", "ok", f"encrypted ({target.sslmode})"))
    elif secure:
        found.append(Check("central TLS", "ok", "this machine's server: no network to encrypt"))
    else:
        found.append(Check("central TLS", "fail", "the connection is not encrypted",
                           "add ?sslmode=verify-full to [central] url"))
    is_station, is_lead = (bool(member[0]), bool(member[1])) if member else (False, False)
    head, revision = admin.head_revision(), (row[0] if row else "")
    if not (is_station or is_lead):
        found.append(Check("central role", "fail",
                           f"{target.user} is no station or lead of {dbname}",
                           "`pos-app central add-station NAME` gives a station its role"))
    elif revision != head:
        found.append(Check("central role", "fail", f"the centre's schema is {revision or 'none'}"
                           f", this Tableside needs {head}",
                           "run `pos-app central init` against it (IT)"))
    else:
        what = "lead" if is_lead else "station"
        found.append(Check("central role", "ok", f"{target.user}: a {what} of {dbname}, "
                           f"schema {revision}"))
    return found + checks


def _sync_lag(db_file: Path) -> Check:
    import datetime as dt
    import sqlite3

    from pos_app.store.database import read_only_connection

    if not db_file.exists():
        return Check("sync", "ok", "nothing to share yet (no database)")
    try:
        conn = read_only_connection(db_file)
        try:
            pending = conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]
            row = conn.execute("SELECT last_shared_at, last_error FROM sync_state").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:  # an older schema: the window's first start adds the tables
        return Check("sync", "warn", f"not checked: {exc}", "start Tableside once")
    last = dt.datetime.fromisoformat(row[0]).replace(tzinfo=dt.UTC) if row and row[0] else None
    problem = row[1] if row else None
    if not pending:
        return Check("sync", "ok", "everything shared" + (
            f" (last at {last.astimezone():%H:%M})" if last else ""))
    lag = (dt.datetime.now(dt.UTC) - last).total_seconds() if last else None
    detail = f"{pending} change(s) not yet shared" + (
        f", last shared {int(lag // 60)} min ago" if lag is not None else ", never shared")
    if problem or lag is None or lag > SYNC_LAG_WARN_S:
        return Check("sync", "warn", detail + (f": {problem}" if problem else ""),
                     "open Tableside: it shares in the background (lead desk: Retry)")
    return Check("sync", "ok", detail)
