"""Startup: time to the first window on screen, and peak memory, next to a bare PySide6 window.

    .venv/bin/python bench/startup.py [--runs 7] [--platform offscreen]

Each run is a fresh process (`python bench/startup.py --child KIND`), started from here;
the runs of the kinds below are interleaved, the order rotating every round:

  bare      a QApplication and an empty QMainWindow of the app's size (1366x768): the floor
            any PySide6 program pays (interpreter, Qt libraries, platform plugin, fonts);
  tableside the real start-up, `pos-app` as a volunteer launches it (pos_app.cli.main):
            logging, settings, the station (SQLite, migrations check, job queue and its
            threads), the main window, in training mode, on a data dir that already exists;
  first     the same on a new, empty data dir: the laptop's very first start, when the
            migrations create the database.

Time to first window: from just before the process is started (measured here) to the first
paint event of a top-level window in the child (both read time.perf_counter_ns, a clock
shared by all processes on Linux, macOS and Windows). The probe is an application-wide event
filter installed when the child shows its first widget or enters the event loop, whichever
comes first; the child then quits. Peak RSS: the child's ru_maxrss at that first paint
(Linux, macOS; "n/a" on Windows).

Prints medians (and min-max) per kind and the ratios tableside/bare, first/bare. Numbers
only, no thresholds. On a machine without a display, Qt's offscreen platform is used
(no compositor: a real screen adds the window manager's own time to every row alike).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = "FIRST-PAINT"


# --- the child: as little as possible before the measured code -----------------------------


def _child(kind: str) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    class Probe(QObject):
        done = False

        def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
            if (
                not self.done
                and event.type() == QEvent.Type.Paint
                and isinstance(obj, QWidget)
                and obj.isWindow()
            ):
                self.done = True
                now = time.perf_counter_ns()
                rss = _peak_rss_bytes()
                print(f"{MARK} {now} {rss} {type(obj).__name__}", flush=True)
                QTimer.singleShot(0, QApplication.quit)
            return False

    probe = Probe()

    def install() -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(probe)

    orig_show, orig_exec = QWidget.show, QApplication.exec

    def show(self):  # type: ignore[no-untyped-def]
        install()
        return orig_show(self)

    def exec_(*_args):  # type: ignore[no-untyped-def]
        install()
        return orig_exec()

    QWidget.show = show  # type: ignore[method-assign]
    QApplication.exec = exec_  # type: ignore[method-assign]

    if kind == "bare":
        from PySide6.QtWidgets import QMainWindow

        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.setWindowTitle("bare")
        window.resize(1366, 768)
        window.show()
        return app.exec()

    sys.path.insert(0, str(ROOT))
    from pos_app.cli import main

    return main([])


def _peak_rss_bytes() -> int:
    try:
        import resource
    except ImportError:  # Windows
        return -1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes; Linux: KiB


# --- the parent -----------------------------------------------------------------------------


def run_once(kind: str, env: dict[str, str], timeout: float) -> tuple[float, int]:
    """(seconds to first paint, peak RSS bytes) for one fresh child process."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    start = time.perf_counter_ns()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise RuntimeError(f"{kind}: no window within {timeout:.0f} s\n{err[-2000:]}") from None
    for line in out.splitlines():
        if line.startswith(MARK):
            _, painted, rss, _name = line.split()
            return (int(painted) - start) / 1e9, int(rss)
    raise RuntimeError(f"{kind}: exited {proc.returncode} without painting a window\n{err[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="measured runs per kind (default 7)")
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first (default 1)")
    ap.add_argument("--platform", help="QT_QPA_PLATFORM (default: offscreen without a display)")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE as set: every run compiles every module from source",
    )
    ap.add_argument(
        "--quick", action="store_true", help="1 run per kind after the warm-up (the test suite)"
    )
    ap.add_argument("--child", choices=["bare", "tableside"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return _child(args.child)
    if args.quick:
        args.runs, args.warmup = 1, 1

    env = dict(os.environ)
    if args.platform:
        env["QT_QPA_PLATFORM"] = args.platform
    elif not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")) and sys.platform.startswith(
        "linux"
    ):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    platform = env.get("QT_QPA_PLATFORM", "default")
    bytecode = "compiled from source every run (PYTHONDONTWRITEBYTECODE)"
    if not args.no_bytecode:
        # As installed (the PyInstaller build ships bytecode): a .pyc cache, written by the
        # warm-up round into a temporary prefix so the source tree is left alone.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        bytecode = "cached (.pyc in a temporary PYTHONPYCACHEPREFIX, written by the warm-up)"

    import PySide6

    kinds = ["bare", "tableside", "first"]
    labels = {
        "bare": "bare PySide6 window",
        "tableside": "Tableside (existing data)",
        "first": "Tableside (first start, new DB)",
    }
    times: dict[str, list[float]] = {k: [] for k in kinds}
    rss: dict[str, list[int]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory(prefix="tableside-bench-") as tmp:
        existing = Path(tmp) / "data"
        if not args.no_bytecode:
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        first_count = 0

        def measure(kind: str) -> tuple[float, int]:
            nonlocal first_count
            app_env = dict(env, POS_APP_CONFIG=str(Path(tmp) / "no-config.toml"))  # training
            if kind == "bare":
                return run_once("bare", env, args.timeout)
            if kind == "tableside":
                app_env["POS_APP_DATA_DIR"] = str(existing)
                return run_once("tableside", app_env, args.timeout)
            first_count += 1
            fresh = Path(tmp) / f"fresh-{first_count}"
            app_env["POS_APP_DATA_DIR"] = str(fresh)
            return run_once("tableside", app_env, args.timeout)

        rounds = args.warmup + args.runs
        print(
            f"startup: {args.runs} runs per kind (+{args.warmup} warm-up), interleaved; "
            f"Qt platform {platform}; Python {sys.version.split()[0]}, "
            f"PySide6 {PySide6.__version__}\nbytecode: {bytecode}",
            flush=True,
        )
        for i in range(rounds):
            order = kinds[i % len(kinds) :] + kinds[: i % len(kinds)]
            for kind in order:
                if i < args.warmup and args.quick and kind != "tableside":
                    continue  # its warm-up makes the data dir and the .pyc cache bare uses too
                secs, peak = measure(kind)
                if i >= args.warmup:
                    times[kind].append(secs)
                    rss[kind].append(peak)

    def mib(b: float) -> str:
        return "n/a" if b < 0 else f"{b / 2**20:.1f} MiB"

    print(f"{'':34}{'first window: median':>22}{'(min - max)':>20}{'peak RSS':>13}")
    med_t = {k: statistics.median(times[k]) for k in kinds}
    med_r = {k: statistics.median(rss[k]) for k in kinds}
    for k in kinds:
        spread = f"({min(times[k]) * 1e3:.0f} - {max(times[k]) * 1e3:.0f} ms)"
        print(f"{labels[k]:34}{med_t[k] * 1e3:>19.0f} ms{spread:>20}{mib(med_r[k]):>13}")
    for k in ("tableside", "first"):
        print(f"ratio time {k}/bare: {med_t[k] / med_t['bare']:.2f}x")
        if med_r["bare"] > 0 and med_r[k] > 0:  # no peak RSS where getrusage can't tell
            print(f"ratio peak memory {k}/bare: {med_r[k] / med_r['bare']:.2f}x")
    print(
        f"over bare: +{(med_t['tableside'] - med_t['bare']) * 1e3:.0f} ms and "
        f"+{mib(med_r['tableside'] - med_r['bare'])} (existing data); first start "
        f"+{(med_t['first'] - med_t['tableside']) * 1e3:.0f} ms more for a new DB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
