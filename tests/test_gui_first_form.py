"""The first form (shown while the station opens) is the full window's skeleton: its amount
field sits where the full window's will, at every size and in both languages, so nothing
jumps under the volunteer's eyes or fingers when the full window takes over."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLineEdit, QMainWindow

from pos_app.api import Station
from pos_app.settings import Receipts, Settings
from pos_app.ui import i18n
from pos_app.ui.app import FirstForm, load_stylesheet
from pos_app.ui.main_window import MainWindow

SIZES = ((1024, 600), (1366, 768), (1920, 1080))


@pytest.fixture
def styled(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    qapp.setStyleSheet(load_stylesheet())  # as the app runs: the skeleton is its metrics
    yield
    qapp.setStyleSheet("")


def place(window: QMainWindow, field: QLineEdit) -> QRect:
    top_left = field.mapTo(window, field.rect().topLeft())
    return QRect(top_left, field.size())


def shown_at(qtbot, window: QMainWindow, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_amount_field_does_not_move_when_the_full_window_takes_over(
    qtbot, station: Station, styled: None, language: str
) -> None:
    assert i18n.install(language)
    try:
        for size in SIZES:
            first = FirstForm(Settings(receipts=Receipts(provider="outbox")))
            shown_at(qtbot, first, size)
            full = MainWindow(station)
            full.confirm_close = lambda _summary: True
            shown_at(qtbot, full, size)
            a, b = place(first, first.amount), place(full, full.form.amount)
            assert (a.x(), a.y(), a.height()) == (b.x(), b.y(), b.height()), (size, a, b)
            # the full form scrolls on a small screen: its scroll bar may take some width
            assert 0 <= a.width() - b.width() <= 20, (size, a, b)
            assert first.amount.placeholderText() == full.form.amount.placeholderText()
            assert first.findChild(type(full.banner), "trainingBanner").text() == (
                full.banner.text()
            )
            first.close()
            full.close()
    finally:
        i18n.uninstall()
