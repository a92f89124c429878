"""The README's screenshots of the gift options and of give again, at three sizes.

    QT_QPA_PLATFORM=offscreen python3 -m uv run --frozen python \\
        packaging/option_screenshots.py resources/screenshots [--language es]

Training mode on a throwaway data folder, with the stylesheet the app loads: a $150 card
gift with the fee covered, in memory of a name with a notice email, and a gala dinner
bought (More options open); then F9's give-again panel with two saved donors found.
With `--language es` the window is in Spanish (volunteer-options-es-*.png, the form
scrolled to the top so the cover-fee sentence shows: the longest line on the form).
Look at every one after a UI change.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QScrollArea  # noqa: E402

SIZES = ((1024, 600), (1366, 768), (1920, 1080))


def main(out: Path, language: str = "en") -> int:
    app = QApplication(sys.argv)
    from pos_app.api import Card, Donor, GiftOptions, Goods, open_station
    from pos_app.payments.simulator import SimulatorProcessor
    from pos_app.ui import i18n
    from pos_app.ui.app import load_stylesheet
    from pos_app.ui.main_window import MainWindow

    app.setStyleSheet(load_stylesheet())
    if not i18n.install(language):
        raise SystemExit(f"no catalogue for {language!r}: run packaging/translations.py")
    tag = "" if language == "en" else f"{language}-"

    def pump(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    out.mkdir(parents=True, exist_ok=True)
    visa = Card("4242424242424242", 12, 2030, "123")
    for width, height in SIZES:
        sim = SimulatorProcessor(latency_ms=0)
        with open_station(data_dir=tempfile.mkdtemp(), processor=sim) as st:
            st.set_goods_items([Goods("Gala dinner", 8500), Goods("Raffle ticket", 500)])
            for name, email in (("Grace Hopper", "grace@example.org"),
                                ("Grace Kelly", "kelly@example.org")):  # fmt: skip
                st.take_card_donation(5000, Donor(name, email), visa, GiftOptions(save_card=True))
            st.start_jobs()
            deadline = time.monotonic() + 20
            while len(st.find_saved_donors("grace")) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            w = MainWindow(st)
            w.confirm_close = lambda _summary: True
            w.resize(width, height)
            w.show()
            pump()
            f = w.form
            f.set_amount(15000)
            f.cover_fee.setChecked(True)
            f.name.setText("Ada Lovelace")
            f.email.setText("ada@example.org")
            f.more.toggle_by_key()
            f.more.kind.setCurrentIndex(2)
            f.more.honoree.setText("Charles Babbage")
            f.more.notice.setText("family@example.org")
            f.more.goods.setCurrentIndex(1)
            f.more.kind.setFocus()
            pump(0.5)
            if tag:  # the top of the form: the cover-fee sentence, wrapped where it must
                f.cover_fee.setFocus()
                w.findChild(QScrollArea, "formScroll").ensureWidgetVisible(f.amount)
                pump(0.5)
            w.grab().save(str(out / f"volunteer-options-{tag}{width}.png"))
            if tag:
                w.close()
                st.stop_jobs()
                pump(0.1)
                continue
            w.next_donor()
            f.amount.setText("100")
            w.open_give_again()
            w.give_again.search.setText("grace")
            pump(1.0)
            w.grab().save(str(out / f"volunteer-give-again-{width}.png"))
            w.close()
            st.stop_jobs()
            pump(0.1)
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path, default=Path("resources/screenshots"))
    ap.add_argument("--language", choices=("en", "es"), default="en")
    args = ap.parse_args()
    raise SystemExit(main(args.out, args.language))
