"""`pos-app`: opens the window; subcommands are for IT and event leads."""

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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from pos_app.selftest import run_self_test

        return run_self_test()
    from pos_app.ui.app import run_gui

    return run_gui(args.config)


if __name__ == "__main__":
    sys.exit(main())
