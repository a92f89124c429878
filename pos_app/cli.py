"""`pos-app`: opens the window; subcommands are for IT and event leads.

pos-app                     the volunteer's window
pos-app --self-test         offscreen smoke test of an installed build
pos-app configure [--stdin] store secrets in the OS keyring
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-app", description="Tableside point of sale")
    parser.add_argument(
        "--config", help="settings file (default: POS_APP_CONFIG or the user config dir)"
    )
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from pos_app.selftest import run_self_test

        return run_self_test()
    if args.command is None:
        from pos_app.ui.app import run_gui

        return run_gui(args.config)
    if args.command == "doctor":  # reports a bad config itself, as one of its checks
        from pos_app.commands.doctor import run_doctor

        return run_doctor(args.config, as_json=args.json, out=sys.stdout)
    from pos_app.settings import ConfigError, load_settings

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    if args.command == "configure":
        from pos_app.commands.configure import run_configure

        return run_configure(settings, from_stdin=args.stdin)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
