"""The volunteer's window fits a 1024x600 laptop without scrolling, with the app's own
stylesheet, in English and Spanish, empty, with every card field complaining, and after an
approval (when the result panel has the most to say); and nothing a person is about to
click moves when an error shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QScrollArea

from pos_app.api import Station
from pos_app.ui import i18n
from pos_app.ui.app import load_stylesheet
from pos_app.ui.main_window import MainWindow


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[None]:
    qapp.setStyleSheet(load_stylesheet())
    yield
    qapp.setStyleSheet("")


def fits(w: MainWindow) -> list[str]:
    scroll = w.findChild(QScrollArea, "formScroll")
    view = scroll.viewport().size()
    need = w.form.minimumSizeHint()
    problems = []
    if need.height() > view.height():
        problems.append(f"{need.height() - view.height()} px too tall")
    if need.width() > view.width():
        problems.append(f"{need.width() - view.width()} px too wide")
    return problems


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_form_fits_1024x600_in_every_state(
    qtbot, station: Station, styled: None, language: str
) -> None:
    i18n.install(language)
    try:
        w = MainWindow(station)
        w.confirm_close = lambda _summary: True
        qtbot.addWidget(w)
        w.resize(1024, 600)
        w.show()
        qtbot.waitUntil(lambda: w.width() == 1024)
        seen = {"empty": fits(w)}
        w.form.expiry.setText("13/40")
        w.form.email.setText("ada@")
        w.submit()
        seen["errors"] = fits(w)
        w.next_donor()
        f = w.form
        f.set_amount(5000)
        for field, text in ((f.number, "4242424242424242"), (f.expiry, "12/30"),
                            (f.cvc, "123"), (f.name, "Ada Lovelace")):  # fmt: skip
            field.setText(text)
        w.submit()
        qtbot.waitUntil(lambda: w.result.state == "approved" and not w._busy, timeout=10000)
        seen["approved"] = fits(w)
        assert w.width() <= 1024  # nothing (a long banner, say) widened the window
        assert {state: p for state, p in seen.items() if p} == {}
        w.close()
    finally:
        i18n.uninstall()
