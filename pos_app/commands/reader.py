"""`pos-app reader`: the station's card reader, for IT.

    pos-app reader list [--json]        the account's readers; * marks this station's
    pos-app reader register CODE --label "Table 3" [--location ID] [address flags]
    pos-app reader use READER_ID        make it this station's reader (writes the config)

`register` takes the code the reader shows (Settings, Generate pairing code), or
`simulated-wpe` on a test key for a simulated reader. A reader belongs to a Terminal
location; with none on the account one is made for the event, from `--line1 --city
--state --postal-code --country` (asked for when typed at a terminal). In training mode
`list` shows the training reader. Exit codes: 0 ok, 1 failed or not found (Stripe refused,
the network is down), 2 bad usage or config (no key, training mode, missing address).
The work is in services/reader_setup.py, shared with the pos_app.api facade.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from pos_app.payments.card_present import ReaderInfo
from pos_app.services.reader_setup import (
    ADDRESS_PARTS,
    AddressNeeded,
    ReaderList,
    ReaderSetupError,
    address_from,
    describe,
    list_readers,
    register_reader,
    use_reader,
)
from pos_app.settings import Settings

COLUMNS = ("", "ID", "LABEL", "NETWORK", "ACTION", "DEVICE")
ADDRESS_WORDS = {
    "line1": "Street address",
    "city": "City",
    "state": "State or province (e.g. CA)",
    "postal_code": "ZIP or postal code",
    "country": "Country (two letters, e.g. US)",
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `reader` subcommand, for cli.build_parser."""
    reader = sub.add_parser("reader", help="list, register or pick this station's card reader")
    actions = reader.add_subparsers(dest="reader_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the account's readers; * marks this station's")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    register = actions.add_parser("register", help="register a reader by the code it shows")
    register.add_argument("code", help="the reader's registration code, e.g. simulated-wpe")
    register.add_argument("--label", required=True, help='what to call it, e.g. "Table 3"')
    register.add_argument("--location", help="an existing Terminal location id (tml_...)")
    for part in ADDRESS_PARTS:
        flag, words = f"--{part.replace('_', '-')}", ADDRESS_WORDS[part]
        register.add_argument(flag, dest=part, help=f"for a new location: {words}")
    use = actions.add_parser("use", help="make a reader this station's (writes the config)")
    use.add_argument("reader_id", help="the reader's id from `pos-app reader list` (tmr_...)")


def run_reader(
    settings: Settings,
    args: argparse.Namespace,
    *,
    out: TextIO,
    err: TextIO,
    stdin: TextIO | None = None,
) -> int:
    try:
        if args.reader_action == "list":
            return _list(list_readers(settings), args.json, out)
        if args.reader_action == "register":
            return _register(settings, args, out, err, stdin or sys.stdin)
        return _use(settings, args.reader_id, out)
    except ReaderSetupError as exc:
        print(f"✗ {exc.message}", file=err)
        if exc.fix and exc.fix not in exc.message:
            print(f"  fix: {exc.fix}", file=err)
        return exc.exit_code


def _list(found: ReaderList, as_json: bool, out: TextIO) -> int:
    if as_json:
        rows = [{**describe(r), "in_use": r.id == found.station_reader} for r in found.readers]
        report = {"training": found.training, "station_reader": found.station_reader or None,
                  "readers": rows}  # fmt: skip
        json.dump(report, out, indent=2)
        out.write("\n")
        return 0
    if not found.readers:
        print("No readers on this Stripe account yet: register one with "
              '`pos-app reader register CODE --label "Table 3"`.', file=out)  # fmt: skip
        return 0
    rows = [_row(r, r.id == found.station_reader) for r in found.readers]
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    for row in [COLUMNS, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(),
              file=out)  # fmt: skip
    print(_footer(found), file=out)
    return 0


def _row(r: ReaderInfo, mine: bool) -> tuple[str, ...]:
    return ("*" if mine else "", r.id, r.label, r.status or "unknown", r.action or "idle",
            r.device_type)  # fmt: skip


def _footer(found: ReaderList) -> str:
    if found.training:
        return "TRAINING MODE: the training reader takes no real money."
    if not found.station_reader:
        return "This station has no reader yet: pick one with `pos-app reader use ID`."
    if not found.station_reader_found:
        return (f"✗ This station's reader {found.station_reader} is not on this account: "
                "pick one with `pos-app reader use ID`.")  # fmt: skip
    return f"* this station's reader ({found.station_reader})."


def _register(
    settings: Settings, args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO
) -> int:
    given = {p: getattr(args, p) for p in ADDRESS_PARTS}
    try:
        done = register_reader(settings, args.code, args.label, location=args.location,
                               address=address_from(given))  # fmt: skip
    except AddressNeeded as need:
        if not stdin.isatty():
            raise
        print(f"{need.message}", file=err)
        if settings.organization.address.strip():  # free text: a hint, not parsed
            print(f"(The receipts give the organisation's address as: "
                  f"{settings.organization.address.strip()})", file=err)  # fmt: skip
        for part in need.missing:
            print(f"{ADDRESS_WORDS[part]}: ", end="", file=err, flush=True)
            given[part] = stdin.readline().strip()
        done = register_reader(settings, args.code, args.label, location=args.location,
                               address=address_from(given))  # fmt: skip
    r = done.reader
    made = " (new location)" if done.location_created else ""
    where = done.location_id + (f" {done.location_name!r}" if done.location_name else "")
    status = r.status or "status unknown"
    print(f"✓ registered {r.id} {r.label!r} ({r.device_type or 'reader'}, {status}) "
          f"at location {where}{made}.", file=out)  # fmt: skip
    print(f"  Next: pos-app reader use {r.id}", file=out)
    return 0


def _use(settings: Settings, reader_id: str, out: TextIO) -> int:
    info = use_reader(settings, reader_id)
    status = info.status or "status unknown"
    print(f"✓ this station now takes cards on {info.id} {info.label!r} ({status}); "
          f"written to {settings.source}.", file=out)  # fmt: skip
    print("  Next: pos-app doctor (and restart Tableside if it is open).", file=out)
    return 0
