"""The README's screenshots of the volunteer's window: five states at three sizes.

    QT_QPA_PLATFORM=offscreen python3 -m uv run --frozen python packaging/screenshots.py \\
        resources/screenshots

Training mode on a throwaway data folder, with the stylesheet the app loads. Look at every
one after a UI change.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

SIZES = ((1024, 600), (1366, 768), (1920, 1080))


def main(out: Path) -> int:
    app = QApplication(sys.argv)
    from pos_app.api import open_station
    from pos_app.payments.simulator import SimulatorProcessor
    from pos_app.ui.app import load_stylesheet
    from pos_app.ui.main_window import MainWindow

    app.setStyleSheet(load_stylesheet())

    def pump(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def typed_gift(w: MainWindow, number: str) -> None:
        f = w.form
        w.next_donor()
        f.set_amount(5000)
        for field, text in ((f.number, number), (f.expiry, "12/30"), (f.cvc, "123"),
                            (f.name, "Ada Lovelace"), (f.email, "ada@example.org")):  # fmt: skip
            field.setText(text)
        w.submit()
        pump(0.8)

    out.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        sim = SimulatorProcessor(latency_ms=0)
        with open_station(data_dir=tempfile.mkdtemp(), processor=sim) as st:
            w = MainWindow(st)
            w.confirm_close = lambda _summary: True
            w.resize(width, height)
            w.show()
            pump()
            w.grab().save(str(out / f"volunteer-empty-{width}.png"))
            w.form.expiry.setText("13/40")
            w.form.email.setText("ada@")
            w.submit()
            pump()
            w.grab().save(str(out / f"volunteer-error-{width}.png"))
            typed_gift(w, "4242424242424242")
            w.grab().save(str(out / f"volunteer-approved-{width}.png"))
            typed_gift(w, "4000000000000002")
            w.grab().save(str(out / f"volunteer-declined-{width}.png"))
            sim.lose_next_response = True
            typed_gift(w, "4242424242424242")
            w.grab().save(str(out / f"volunteer-in-doubt-{width}.png"))
            w.close()
            pump(0.1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots")))
