"""Every script in bench/ runs in the suite: `python bench/NAME.py --quick` (a few
iterations, small sizes) must finish, exit 0 and print its ratio line(s), `ratio ...: 1.23x`.
A benchmark nobody runs rots (bench/charge_path.py did, within a week).

Numbers only: no timing is asserted here, as in every bench. The scripts are found with a
glob, so a new bench is run without being listed; the list below is checked against it so
one can't disappear unnoticed either.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.chaos import SPEC
from support.pg_server import find_bindir

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
FOUND = sorted(p.stem for p in BENCH.glob("*.py"))
KNOWN = [
    "chaos", "charge_path", "drain", "gift", "growth", "panel", "reader", "soak", "startup",
    "sync",
]  # fmt: skip
RATIO = re.compile(r"^ratio .*: [0-9.]+x$")

# What a script needs that a machine may lack (the same skips as the tests of those parts).
NEEDS = {
    "sync": pytest.mark.skipif(
        find_bindir() is None,
        reason="no PostgreSQL server binaries (bash packaging/bootstrap.sh --tests)",
    ),
    "chaos": pytest.mark.skipif(
        not SPEC.exists(), reason=f"SendGrid's OpenAPI spec is not at {SPEC}"
    ),
}

pytestmark = [pytest.mark.slow]


def test_every_bench_is_known() -> None:
    """The parametrized test below runs what the glob finds; this keeps the list honest."""
    assert FOUND == KNOWN


def run_quick(name: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_APP_")}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    done = subprocess.run(
        [sys.executable, str(BENCH / f"{name}.py"), "--quick"],
        capture_output=True, text=True, timeout=240, env=env, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert any(RATIO.match(line) for line in lines), done.stdout + done.stderr
    return lines


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=NEEDS[n]) if n in NEEDS else n for n in FOUND]
)
def test_quick_run_prints_its_ratio(name: str) -> None:
    lines = run_quick(name)
    if name == "sync":  # its figures, in the order it prints them
        assert any(
            re.search(r"ours: take_card_donation returned -> approved central\s+\d", line)
            for line in lines
        ), lines
        assert re.fullmatch(r"ratio catch-up ours/bare: \d+(\.\d+)?x", lines[-1]), lines
    if name == "growth":  # one line per figure per size, then a ratio per figure
        assert [line for line in lines if line.startswith("ratio ")] == [
            line for line in lines if RATIO.match(line)
        ]
        assert any(line.startswith("ratio totals 5k/1k: ") for line in lines), lines
        assert any(line.startswith("ratio card_gift_desk_p50 5k/1k: ") for line in lines), lines
