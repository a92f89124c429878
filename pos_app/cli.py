"""`pos-app`: opens the window; subcommands are for IT and event leads.

pos-app                     the volunteer's window
pos-app --self-test         offscreen smoke test of an installed build
pos-app configure [--stdin] store secrets in the OS keyring
pos-app doctor [--json]     check this laptop is ready
pos-app jobs [--json]       the background-job ledger; `jobs retry ID|--all` queues again
pos-app health [--json]     the station's health in one line; exit 0 ok, 1 warning, 2 critical
pos-app export PATH [--jobs] donations (or jobs) as CSV for reconciliation
pos-app reader list|register|use   the station's card reader (Stripe Terminal)
pos-app central init|add-station NAME|status   IT: the event's central store

Exit codes: 0 ok, 1 not found / failed, 2 bad usage or config; `doctor` also 3 (ready for
training mode only); `health` 0/1/2 ok/warning/critical and 3 when it can't tell. A
reader that closes the pipe early (`pos-app doctor --json | head -1`) ends the output
quietly: no BrokenPipeError traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pos_app.settings import Settings

from pos_app import __version__

# Subcommands whose parsers import their work (Stripe Terminal, httpx, keyring, central):
# built only when the command line may name them, so the window's start doesn't load them.
HEAVY_COMMANDS = ("reader", "central")


def _needs_full_parser(argv: list[str]) -> bool:
    return any(a in HEAVY_COMMANDS or a in ("-h", "--help") for a in argv)


def build_parser(full: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-app", description="Tableside point of sale")
    parser.add_argument(
        "--config", help="settings file (default: POS_APP_CONFIG or the user config dir)"
    )
    parser.add_argument("--version", action="version", version=f"Tableside {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window offscreen, take a training donation, exit 0 if all works",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    configure = sub.add_parser(
        "configure", help="store this laptop's secrets in the OS keyring (asked without echo)"
    )
    configure.add_argument(
        "--stdin", action="store_true", help="read NAME=VALUE lines from stdin (for scripts)"
    )
    doctor = sub.add_parser("doctor", help="check this laptop is ready: one line per check")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    health = sub.add_parser(
        "health", help="the station's health in one line: exit 0 ok, 1 warning, 2 critical"
    )
    health.add_argument("--json", action="store_true", help="machine-readable output")
    jobs = sub.add_parser("jobs", help="list background jobs (receipts, card saves)")
    jobs.add_argument("--json", action="store_true", help="every job, all fields, as JSON")
    jobs_sub = jobs.add_subparsers(dest="jobs_action", metavar="ACTION")
    retry = jobs_sub.add_parser("retry", help="queue a job again now: ID (or a prefix) or --all")
    retry.add_argument("job_id", nargs="?", help="the job's id, or its first characters")
    retry.add_argument(
        "--all", action="store_true", help="every job that needs attention or waits to retry"
    )
    export = sub.add_parser("export", help="write the donations as CSV for reconciliation")
    export.add_argument("path", help="the CSV file to write")
    export.add_argument("--jobs", action="store_true", help="export the job ledger instead")
    if not full:
        return parser
    from pos_app.commands.reader import add_parser as add_reader

    add_reader(sub)
    from pos_app.commands.central import add_parser as add_central

    add_central(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # Whoever read our output stopped (`| head -1`): not a failure of the checks, but
        # the output is incomplete. Point stdout at devnull so the interpreter's last flush
        # can't raise again (the recipe in Python's signal module docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None) -> int:
    given = sys.argv[1:] if argv is None else argv
    args = build_parser(full=_needs_full_parser(given)).parse_args(given)
    if args.self_test:
        from pos_app.selftest import run_self_test

        return run_self_test()
    if args.command is None:
        from pos_app.ui.app import run_gui

        return run_gui(args.config)
    if args.command == "doctor":  # reports a bad config itself, as one of its checks
        from pos_app.commands.doctor import run_doctor

        return run_doctor(args.config, as_json=args.json, out=sys.stdout)
    if args.command == "central":  # the centre's admin URL and the config's own
        from pos_app.commands.central import run_central

        return run_central(args.config, args, out=sys.stdout, err=sys.stderr)
    if args.command == "health":  # monitoring's exit codes: a bad config is 3, unknown
        from pos_app.commands.health import run_health

        return run_health(args.config, as_json=args.json, out=sys.stdout, err=sys.stderr)
    from pos_app.settings import ConfigError, load_settings
    from pos_app.startup import StartupError

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    if args.command == "configure":
        from pos_app.commands.configure import run_configure

        return run_configure(settings, from_stdin=args.stdin)
    if args.command == "reader":  # the Stripe account and the config file, not the data dir
        from pos_app.commands.reader import run_reader

        return run_reader(settings, args, out=sys.stdout, err=sys.stderr)
    try:
        return _data_command(args, settings)
    except StartupError as exc:  # a busy, unwritable or too-new station: said plainly
        print(f"✗ {exc.message}\n  {exc.fix}", file=sys.stderr)
        if exc.folder is not None:
            print(f"  Folder: {exc.folder}", file=sys.stderr)
        return 1


def _data_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "jobs":
        from pos_app.commands.jobs import run_jobs

        return run_jobs(
            settings,
            action=args.jobs_action,
            job_id=getattr(args, "job_id", None),
            retry_all=getattr(args, "all", False),
            as_json=args.json,
            out=sys.stdout,
            err=sys.stderr,
        )
    if args.command == "export":
        from pos_app.commands.export import run_export

        return run_export(settings, args.path, jobs=args.jobs, out=sys.stdout, err=sys.stderr)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
