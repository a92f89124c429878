"""The volunteer's form by keyboard, measured: every keystroke goes to whatever has the
focus (as on a real keyboard), and the walk counts the navigation keys (keys that aren't the
donor's own data). A keyed $50 card gift with name and email takes at most 3, a cash gift
with a name at most 2, a check at most 3; Enter does the main action from any control;
choosing a method moves the cursor on; an error never moves a field; a message goes when
its field is changed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from pos_app.api import Station
from pos_app.domain.states import Method
from pos_app.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, station: Station) -> Iterator[MainWindow]:
    w = MainWindow(station)
    w.confirm_close = lambda _summary: True
    qtbot.addWidget(w)
    with qtbot.waitActive(w):  # mnemonics and F-keys reach an active window only
        w.show()
        w.activateWindow()
    yield w
    w.close()


class Keyboard:
    """Keys to the focused widget; navigation keys counted, typing not."""

    def __init__(self, qtbot, window: MainWindow) -> None:
        self.qtbot, self.window = qtbot, window
        self.nav_keys: list[str] = []

    def focused(self) -> QWidget:
        w = QApplication.focusWidget()
        assert w is not None, "nothing has the keyboard focus"
        return w

    def nav(self, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier, name: str = "") -> None:
        self.nav_keys.append(name or QKeySequence(key).toString())
        self.qtbot.keyClick(self.focused(), key, modifier)
        self.qtbot.wait(150)  # a mnemonic clicks its button a moment later (animateClick)

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focused(), text)


def wait_state(qtbot, w: MainWindow, state: str) -> None:
    qtbot.waitUntil(lambda: w.result.state == state and not w._busy, timeout=10000)


def test_a_keyed_card_gift_takes_three_navigation_keys(qtbot, window: MainWindow) -> None:
    kb = Keyboard(qtbot, window)
    kb.nav(Qt.Key.Key_F2)  # $50; the cursor goes to the card number
    kb.type("4242424242424242")  # complete and valid: on to the expiry
    kb.type("1230")
    assert window.form.expiry.text() == "12/30"  # shown as a donor reads it
    kb.type("123")  # a complete CVC: past the optional ZIP to the name
    kb.type("Ada Lovelace")
    kb.nav(Qt.Key.Key_Tab)
    kb.type("ada@example.org")
    kb.nav(Qt.Key.Key_Return)
    wait_state(qtbot, window, "approved")
    print(f"\nkeyed $50 card gift: {len(kb.nav_keys)} navigation keys: {kb.nav_keys}")
    assert len(kb.nav_keys) <= 3
    assert window.station.donations()[0].donor_email == "ada@example.org"
    kb.nav(Qt.Key.Key_Return)  # one key to the next donor
    assert window.result.state == "ready" and window.form.amount.hasFocus()


def test_a_cash_gift_with_a_name_takes_two(qtbot, window: MainWindow, station: Station) -> None:
    kb = Keyboard(qtbot, window)
    kb.type("20")
    kb.nav(Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier, "Alt+A")  # cash: on to the name
    assert window.form.method is Method.CASH and window.form.name.hasFocus()
    kb.type("Grace Hopper")
    kb.nav(Qt.Key.Key_Return)
    wait_state(qtbot, window, "recorded")
    print(f"\ncash gift with a name: {len(kb.nav_keys)} navigation keys: {kb.nav_keys}")
    assert len(kb.nav_keys) <= 2
    [d] = station.donations()
    assert (d.method, d.amount_cents, d.donor_name) == ("cash", 2000, "Grace Hopper")


def test_a_check_gift_puts_the_cursor_on_the_check_number(
    qtbot, window: MainWindow, station: Station
) -> None:
    kb = Keyboard(qtbot, window)
    kb.type("75")
    kb.nav(Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier, "Alt+K")
    assert window.form.check_number.hasFocus()
    kb.type("1042")
    kb.nav(Qt.Key.Key_Tab)
    assert window.form.name.hasFocus()
    kb.type("Katherine Johnson")
    kb.nav(Qt.Key.Key_Return)
    wait_state(qtbot, window, "recorded")
    print(f"\ncheck gift with a name: {len(kb.nav_keys)} navigation keys: {kb.nav_keys}")
    assert len(kb.nav_keys) <= 3
    assert station.donations()[0].check_number == "1042"


@pytest.mark.parametrize("control", ["card", "cash", "check", "keyed", "reader"])
def test_enter_on_any_control_does_the_main_action(
    qtbot, window: MainWindow, station: Station, control: str
) -> None:
    f = window.form
    f.amount.setText("30")
    f.method_buttons[Method.CASH].setChecked(True)
    target = {
        "card": f.method_buttons[Method.CARD], "cash": f.method_buttons[Method.CASH],
        "check": f.method_buttons[Method.CHECK], "keyed": f.entry_buttons["keyed"],
        "reader": f.entry_buttons["reader"],
    }[control]  # fmt: skip
    f.method_buttons[Method.CASH].setChecked(True)
    f.entry_box.show()  # the entry choice shows only with Card; Enter works there too
    target.setFocus()
    qtbot.keyClick(target, Qt.Key.Key_Return)
    wait_state(qtbot, window, "recorded")
    assert [d.method for d in station.donations()] == ["cash"]


def test_an_error_moves_nothing_and_goes_when_its_field_changes(
    qtbot, window: MainWindow
) -> None:
    f = window.form
    fields = (f.name, f.email, f.number, f.expiry, f.amount)

    def where() -> list[QRect]:
        return [w.geometry().translated(w.mapTo(window, w.rect().topLeft())) for w in fields]

    before = where()
    qtbot.keyClick(f.amount, Qt.Key.Key_Return)  # nothing typed: every card field complains
    assert f.errors["amount"].text() and f.errors["number"].text()
    assert where() == before  # not a pixel moved
    qtbot.keyClicks(f.amount, "5")
    assert f.errors["amount"].text() == ""  # gone as soon as the amount is typed
    assert f.errors["number"].text()  # the others stay until their own fields change
    assert where() == before


def test_every_field_has_a_visible_label_naming_it(window: MainWindow) -> None:
    f = window.form
    for field in (f.amount, f.number, f.expiry, f.cvc, f.postal, f.name, f.email):
        assert field.accessibleName(), field.placeholderText()
    labels = {lab.text() for lab in f.findChildren(type(f.brand)) if lab.buddy() is not None}
    assert {"Amount", "Card number", "Expiry", "CVC", "ZIP", "Name", "Email"} <= labels
