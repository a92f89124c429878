"""Which screen a window is on, asked without `QWidget.screen()`.

PySide applies shiboken's return-value heuristic to `QWidget.screen()` (a const getter
returning a QObject): the QScreen it returns becomes a Python child of the widget's wrapper.
The QScreen belongs to the application, not to the window. When the window's wrapper then
dies inside a garbage collection (a window in a reference cycle: a bound method in a
connection, a test frame kept by a caught exception), shiboken releases that child wrapper
as if Python owned it and deletes the application's QScreen. The next top-level QWidget
then crashes in its constructor (QWidget::screen -> QGuiApplication::screenAt -> the
deleted QScreen). Static QGuiApplication calls have no `self` to attach the screen to, so
they leave the wrapper free.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget


def screen_of(window: QWidget) -> QScreen:
    """The screen under the middle of `window` (a top-level widget, shown or not), else
    the primary screen: what `QWidget.screen()` answers, minus the heuristic above."""
    # a window's geometry is in screen coordinates
    return QGuiApplication.screenAt(window.geometry().center()) or QGuiApplication.primaryScreen()
