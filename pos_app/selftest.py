"""`pos-app --self-test`: prove an installed build works, with nothing but its own files.

Opens the main window offscreen on a throwaway data dir, takes a training-mode card
donation through the simulator by typing into the window as a volunteer would, checks it
was approved and saved, and exits 0 (1 on any failure, with the reason on stderr).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def run_self_test() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="tableside-selftest-") as tmp:
        os.environ["POS_APP_DATA_DIR"] = tmp
        os.environ["POS_APP_CONFIG"] = os.path.join(tmp, "no-config.toml")
        try:
            return _run()
        except Exception as exc:  # report, never a bare traceback for IT
            print(f"self-test FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1


def _run() -> int:
    import gc

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from pos_app.api import open_station
    from pos_app.payments.simulator import SimulatorProcessor
    from pos_app.ui.app import make_app
    from pos_app.ui.main_window import MainWindow

    app = make_app([])
    if gc.isenabled():
        print("self-test FAILED: automatic garbage collection is still on", file=sys.stderr)
        return 1
    with open_station(processor=SimulatorProcessor(latency_ms=0)) as station:
        window = MainWindow(station)
        window.confirm_close = lambda _summary: True  # the card-save job may still be pending
        window.show()
        QTest.keyClicks(window.form.amount, "25")
        QTest.keyClicks(window.form.number, "4242424242424242")
        QTest.keyClicks(window.form.expiry, "12/30")
        QTest.keyClicks(window.form.cvc, "123")
        QTest.keyClick(window.form.cvc, Qt.Key.Key_Return)
        deadline = time.monotonic() + 30
        while window.result.state in ("busy", "ready") and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        state = window.result.state
        window.close()
        donations = station.donations()
    if state != "approved" or [d.status for d in donations] != ["approved"]:
        print(f"self-test FAILED: window shows {state!r}, donations {donations}", file=sys.stderr)
        return 1
    print("self-test passed: window opened, training donation approved and saved")
    return 0
