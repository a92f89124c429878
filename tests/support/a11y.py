"""What a screen reader would meet: every visible, enabled control that takes the keyboard
focus must have an accessible name (its text, a label's buddy, or a name set on it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget


def name_of(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def unnamed_controls(root: QWidget) -> list[str]:
    """Each focusable control with no accessible name, as 'Class#objectName (tooltip)'."""
    found = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible() or not w.isEnabled():
            continue
        if w.focusPolicy() == Qt.FocusPolicy.NoFocus or w.isWindow() and w is not root:
            continue
        if w.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if not name_of(w):
            found.append(f"{type(w).__name__}#{w.objectName()} ({w.toolTip()[:40]})")
    return found
