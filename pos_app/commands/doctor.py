"""`pos-app doctor`: is this laptop ready for tonight? One line per check, with a fix.

Checks: config valid, data dir writable, database migrations current, keyring reachable
and secrets present, the processor's own checks (from its registered spec: for Stripe, a
harmless read with the key and the clock against Stripe's; for Stripe Terminal also the
station's reader: on the account, online and not stuck in an action), email provider reachable with
a working key, queue health, free disk, clock sane; with a `[central] url`, the central
store reachable with this station's login, over TLS, its role, and the sync lag.
`--json` for scripts. A check that
can't be made is a ✗ line with a fix, never a traceback; a reader that stops reading early
(`| head -1`) just stops the output (exit 1). Nothing here charges, sends or migrates anything, and
the database is only ever opened read-only: a file written by a newer Tableside, or one in a
read-only folder, is a ✗ line and stays as it was.

Exit codes, for IT's scripts: 0 ready for the event; 1 not ready (a ✗ line); 3 no ✗ line
but training mode (the simulator takes no real money), so not ready for a real event either.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from pos_app.checks import Check, clock_check
from pos_app.paths import DataPaths, default_config_path
from pos_app.payments import registry
from pos_app.secrets import SecretsError, has_secret, needed_secrets
from pos_app.settings import ConfigError, Settings, load_settings

MIN_FREE_MB = 500

MARKS = {"ok": "✓", "warn": "!", "fail": "✗"}

READY, NOT_READY, TRAINING = 0, 1, 3  # exit codes (2 is the CLI's bad usage)
VERDICTS = {
    READY: "Ready for the event.",
    NOT_READY: "NOT ready: fix the ✗ lines.",
    TRAINING: "Ready for TRAINING MODE only: no real money would be taken "
    "(simulator). NOT ready for a real event.",
}


def run_doctor(config_path: str | None, *, as_json: bool, out: TextIO) -> int:
    checks, training = diagnose_mode(config_path)
    code = NOT_READY if _failed(checks) else TRAINING if training else READY
    if as_json:
        report = {"ok": code == READY, "training": training, "exit": code,
                  "verdict": VERDICTS[code], "checks": [asdict(c) for c in checks]}  # fmt: skip
        json.dump(report, out, indent=2)
        out.write("\n")
    else:
        for c in checks:
            line = f"{MARKS[c.status]} {c.name}: {c.detail}"
            if c.fix:
                line += f"\n    fix: {c.fix}"
            print(line, file=out)
        print(VERDICTS[code], file=out)
    out.flush()  # here, where a closed pipe is handled (pos_app/cli.py), not at exit
    return code


def _failed(checks: list[Check]) -> bool:
    return any(c.status == "fail" for c in checks)


def diagnose(config_path: str | None) -> list[Check]:
    return diagnose_mode(config_path)[0]


def diagnose_mode(config_path: str | None) -> tuple[list[Check], bool]:
    """The checks, and whether the config is training mode (a simulated processor)."""
    checks: list[Check] = []
    settings = _config(config_path, checks)
    paths = DataPaths.resolve()
    checks.append(_data_dir(paths))
    database = _migrations(paths)
    checks.append(database)
    checks.append(_disk(paths))
    if settings is None:
        return checks, False
    checks.append(_keyring(settings))
    checks.extend(_processor(settings))
    receipts = _receipt_details(settings)
    if receipts is not None:
        checks.append(receipts)
    _email(settings, paths, checks)
    checks.append(_queue(paths, readable=database.status != "fail"))
    if settings.central.enabled:  # reachability, TLS, the role, the sync lag
        from .central import doctor_checks

        checks.extend(doctor_checks(settings, paths.db_file))
    if not any(c.name == "clock" for c in checks):  # the processor's own compares clocks
        checks.append(clock_check(None))
    return checks, settings.training


def _config(config_path: str | None, checks: list[Check]) -> Settings | None:
    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        checks.append(Check("config", "fail", str(exc), "correct the named key in the file"))
        return None
    if settings.source is None:
        where = config_path or os.environ.get("POS_APP_CONFIG") or default_config_path()
        checks.append(
            Check(
                "config",
                "warn",
                f"no config file at {where}: TRAINING MODE (simulator, receipts to the outbox)",
                "copy the event's config.toml there (see packaging/README.md)",
            )
        )
    else:
        checks.append(
            Check(
                "config",
                "ok",
                f"{settings.source} ({settings.event.name}, {settings.event.station})",
            )  # fmt: skip
        )
    return settings


def _receipt_details(settings: Settings) -> Check | None:
    """A real event's receipts are tax receipts: they need the organisation's EIN and
    address (IRS Publication 1771), which the receipt leaves out when they aren't set.
    Training receipts say they are not real, so there it is not checked."""
    if settings.training:
        return None
    org = settings.organization
    missing = [
        words
        for value, words in ((org.tax_id, "tax ID (EIN)"), (org.address, "address"))
        if not value.strip()
    ]
    if not missing:
        return Check("receipts", "ok", f"{org.name}, EIN {org.tax_id.strip()}, {org.address}")
    where = settings.source or "the config file"
    keys = " and ".join(
        f'{key} = "{example}"'
        for key, example, value in (
            ("tax_id", "12-3456789", org.tax_id),
            ("address", "12 Main St, Springfield, IL 62701", org.address),
        )
        if not value.strip()
    )
    return Check(
        "receipts",
        "warn",
        f"no {' and no '.join(missing)} for {org.name}: donors' tax receipts need them",
        f"add {keys} under [organization] in {where}",
    )


def _data_dir(paths: DataPaths) -> Check:
    try:
        paths.ensure()
        with tempfile.NamedTemporaryFile(dir=paths.data_dir, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("data dir", "fail", f"{paths.data_dir} is not writable: {exc}",
                     "give this user write access, or set POS_APP_DATA_DIR")  # fmt: skip
    return Check("data dir", "ok", f"{paths.data_dir} is writable; logs in {paths.log_dir}")


def _migrations(paths: DataPaths) -> Check:
    from pos_app.startup import StartupError, explain, unreadable_db
    from pos_app.store.database import build_head, check_openable

    if not paths.db_file.exists():
        return Check("database", "ok", "not created yet; it is made at first start")
    try:
        current = check_openable(paths.db_file)  # read-only; a newer schema is refused
    except StartupError as exc:
        return Check("database", "fail", exc.message, exc.fix)
    except (sqlite3.Error, OSError) as exc:  # a locked or unreadable file is a finding
        plain = explain(exc, paths.data_dir, paths.db_file) or unreadable_db(
            paths.db_file, str(exc)
        )
        return Check("database", "fail", f"{paths.db_file}: {plain.message}", plain.fix)
    head = build_head()
    if current == head:
        return Check("database", "ok", f"schema current ({head})")
    return Check("database", "warn", f"schema {current} is behind {head}",
                 "start Tableside once: migrations run at start, data kept")  # fmt: skip


def _disk(paths: DataPaths) -> Check:
    target = paths.data_dir if paths.data_dir.exists() else Path(tempfile.gettempdir())
    free_mb = shutil.disk_usage(target).free // (1024 * 1024)
    if free_mb < 50:
        return Check("free disk", "fail", f"{free_mb} MB free", "free some disk space")
    if free_mb < MIN_FREE_MB:
        return Check("free disk", "warn", f"only {free_mb} MB free", "free some disk space")
    return Check("free disk", "ok", f"{free_mb:,} MB free")


def _keyring(settings: Settings) -> Check:
    wanted = [secret.name for secret in needed_secrets(settings)]
    if not wanted:
        return Check("keyring", "ok", "no secrets needed by this config")
    try:
        missing = [n for n in wanted if not has_secret(n)]
    except SecretsError as exc:
        return Check("keyring", "fail", str(exc), exc.fix)
    if missing:
        return Check("keyring", "fail", f"missing: {', '.join(missing)}", "run `pos-app configure`")
    return Check("keyring", "ok", f"reachable; {', '.join(wanted)} present")


def _processor(settings: Settings) -> list[Check]:
    """The processor's own checks. They report a missing key as a failed check; anything
    else they raise is still a line here, so one faulty check can't hide the others."""
    spec = registry.get(settings.payments.provider)
    try:
        return spec.doctor_checks(settings)
    except Exception as exc:  # a fault in the check, not in the laptop: still one line
        return [Check("processor", "fail", f"{spec.label} couldn't be checked: {exc!r}",
                      "run `pos-app doctor` again; if it repeats, report this line")]  # fmt: skip


def _email(settings: Settings, paths: DataPaths, checks: list[Check]) -> None:
    from pos_app.receipts.errors import SendError
    from pos_app.receipts.senders import UnavailableSender, make_sender

    provider = settings.receipts.provider
    if provider == "outbox":
        checks.append(
            Check(
                "email",
                "warn",
                f"receipts go to the outbox folder {paths.outbox_dir}",
                "set [receipts] provider to sendgrid or smtp to email donors",
            )
        )
        return
    sender = make_sender(settings.receipts, paths.outbox_dir)
    try:
        if isinstance(sender, UnavailableSender):
            checks.append(Check("email", "fail", sender.reason, "run `pos-app configure`"))
            return
        sender.check_access()  # type: ignore[attr-defined]
    except SendError as exc:
        checks.append(Check("email", "fail", f"{exc.message} ({exc.detail})",
                            "check the network" if exc.kind == "transient"
                            else "check [receipts] and run `pos-app configure`"))  # fmt: skip
        return
    finally:
        sender.close()
    where = settings.receipts.api_base if provider == "sendgrid" else settings.receipts.host
    checks.append(Check("email", "ok", f"{provider} at {where}: reachable, credentials work"))


def _queue(paths: DataPaths, *, readable: bool) -> Check:
    if not paths.db_file.exists():
        return Check("queue", "ok", "empty (no donations yet)")
    if not readable:
        return Check("queue", "warn", "not checked: the database can't be opened (above)")
    from jobs.records import JobState
    from pos_app.store.database import read_only_connection

    try:
        conn = read_only_connection(paths.db_file)
        try:
            rows = conn.execute("select state, count(*) from jobs group by state").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:  # e.g. no jobs table yet in an old schema
        return Check("queue", "warn", f"not checked: {exc}")
    counts = {str(state): int(n) for state, n in rows}
    finished = (JobState.DONE, JobState.DISCARDED)
    pending = sum(n for s, n in counts.items() if s not in finished)
    attention = counts.get(JobState.NEEDS_ATTENTION, 0)
    detail = f"{pending} pending, {attention} need attention, {counts.get(JobState.DONE, 0)} done"
    if attention:
        return Check("queue", "warn", detail, "open the lead desk's Pending jobs panel")
    return Check("queue", "ok", detail)
