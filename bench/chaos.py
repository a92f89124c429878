"""The long chaos soak: many donations, many SIGKILLs, faults at the processor and the email
service; then everything settles with faults off and is checked (tests/support/chaos.py).

    .venv/bin/python bench/chaos.py --donations 500 --kills 30 [--seed N] [--fault-rate 0.15]
    .venv/bin/python bench/chaos.py --quick   # a handful of gifts, one kill: the test suite's

Prints the numbers (donations, kills, faults injected by type, duplicates, losses) and exits
1 if anything was lost, charged twice, left unsettled, found on disk or readable by others.
Needs ../shared/specs (the SendGrid fake validates every request against SendGrid's spec).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/support

from support.chaos import ChaosConfig, report_json, run_chaos  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--donations", type=int, default=500)
    ap.add_argument("--kills", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--fault-rate", type=float, default=0.15, help="per request, per proxy")
    ap.add_argument("--timeout", type=float, default=1.0, help="the clients' timeout, s")
    ap.add_argument("--keep", action="store_true", help="keep the work dir (data, logs)")
    ap.add_argument("--json", type=Path, help="also write the report as JSON here")
    ap.add_argument(
        "--quick", action="store_true",
        help="6 gifts, 1 kill, no disk/clock/second-station/reader faults (the test suite; "
        "tests/test_chaos.py runs the full short chaos)",
    )
    args = ap.parse_args(argv)

    config = ChaosConfig(
        donations=args.donations,
        kills=args.kills,
        seed=args.seed,
        fault_rate=args.fault_rate,
        timeout=args.timeout,
        hang_s=args.timeout * 1.5,
    )
    if args.quick:
        config = dataclasses.replace(
            config, donations=6, kills=1, disk_full=0, clock_jumps=0, second_process=0,
            reader=False, reader_offline=0,
        )
    workdir = Path(tempfile.mkdtemp(prefix="tableside-chaos-"))
    try:
        report = run_chaos(config, workdir, log=lambda s: print(s, flush=True))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("\n".join(report.lines()))
    approved = report.local.get("approved", 0)
    # every approved gift's receipt accepted once: 1.00x; repeats show above it
    accepted = report.receipts_accepted / max(approved, 1)
    print(f"ratio receipts accepted/approved gifts: {accepted:.2f}x")
    if args.keep:
        print(f"work dir kept: {workdir}")
    if args.json:
        args.json.write_text(report_json(report), encoding="utf-8")
    print("RESULT:", "OK" if report.ok else "FAILED")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
