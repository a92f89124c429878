"""The volunteer's window fits a 1024x600 laptop without scrolling, with the app's own
stylesheet, in English and Spanish, empty, with every card field complaining, and after an
approval (when the result panel has the most to say); and nothing a person is about to
click moves when an error shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QScrollArea

from pos_app.api import Donor, Station
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


def cut_in_status_bar(w: MainWindow) -> list[str]:
    """Status bar widgets shown narrower than their text needs."""
    from PySide6.QtWidgets import QLabel, QPushButton

    cut = []
    for child in w.statusBar().findChildren(QLabel) + w.statusBar().findChildren(QPushButton):
        if child.isVisible() and child.text() and child.width() < child.sizeHint().width():
            cut.append(f"{child.text()!r}: {child.width()} of {child.sizeHint().width()} px")
    return cut


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("size", [(1024, 600), (1366, 768), (1920, 1080)])
def test_the_status_bar_shows_every_word_it_shows(
    qtbot, station: Station, styled: None, language: str, size: tuple[int, int]
) -> None:
    """Nothing is cut: on a narrow window the status bar drops the keys from its buttons
    (kept in their tooltips), the goal from the total and, in training, the mode words
    (the banner says it) rather than show half of each."""
    station.record_donation(125000, Donor("Ada Lovelace", "ada@example.org"), "cash")
    i18n.install(language)
    try:
        w = MainWindow(station)
        w.confirm_close = lambda _summary: True
        qtbot.addWidget(w)
        w.resize(*size)
        w.show()
        qtbot.waitUntil(lambda: w.width() == size[0])
        qtbot.waitUntil(lambda: "1,250" in w.totals_label.text(), timeout=10000)
        qtbot.wait(50)  # the status bar's layout after the last text change
        assert cut_in_status_bar(w) == []
        assert "F9" in w.give_again_btn.toolTip() and "F10" in w.check_in_btn.toolTip()
        w.close()
    finally:
        i18n.uninstall()
