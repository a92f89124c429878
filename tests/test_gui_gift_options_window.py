"""Every gift option in the volunteer's window, by keyboard, through the real window and the
real station: cover the fee (Alt+F), in honour / in memory of with a notice email, anonymous
and the item bought (More options, Alt+O), checked on the recorded gift and on the receipt a
real SMTP server (aiosmtpd on loopback) got. Goods belong to the gift that bought them: a
follow-up gift with no item picked has no goods, whatever the event sells."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from support.a11y import name_of, unnamed_controls
from support.job_fixtures import (  # noqa: F401
    FROM,
    StationFactory,
    event_settings,
    make_station,
    smtp_keyring,
    smtp_server,
)
from support.jobwait import wait_settled
from support.memory_keyring import MemoryKeyring
from support.smtp_server import SmtpServer
from test_gui_keyboard import Keyboard, wait_state

from pos_app.api import Goods, Station
from pos_app.domain.states import Method
from pos_app.settings import Event, Fees, Receipts
from pos_app.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(120)
DISCLOSURE = "Quid pro quo disclosure (IRS Publication 1771):"
NO_GOODS = "No goods or services were provided in exchange for this contribution."


def smtp_settings(server: SmtpServer, **kw: object):  # type: ignore[no-untyped-def]
    receipts = Receipts(
        provider="smtp", sender=FROM, host="127.0.0.1", port=server.port,
        username=server.username, timeout=5.0, ca_file=str(server.cert_file),
    )  # fmt: skip
    return event_settings(receipts=receipts, **kw)


@pytest.fixture
def open_window(qtbot) -> Iterator:  # type: ignore[type-arg]
    opened: list[MainWindow] = []

    def make(station: Station) -> MainWindow:
        w = MainWindow(station)
        w.confirm_close = lambda _summary: True
        qtbot.addWidget(w)
        with qtbot.waitActive(w):  # shortcuts reach an active window only
            w.show()
            w.activateWindow()
        opened.append(w)
        return w

    yield make
    for w in opened:
        w.close()


def type_card(kb: Keyboard, name: str = "Ada Lovelace", email: str = "ada@example.org") -> None:
    """From the card number: the card moves on by itself to the name."""
    kb.type("4242424242424242")
    kb.type("1230")
    kb.type("123")
    kb.type(name)
    kb.nav(Qt.Key.Key_Tab)
    kb.type(email)


def receipt_text(server: SmtpServer, to: str) -> str:
    (msg,) = [m for m in server.received() if to in str(m["To"]) and m["X-Tableside-Receipt"]]
    return " ".join(msg.get_body(("plain",)).get_content().split())


def test_cover_the_fee_by_keyboard_reaches_the_gift_and_the_receipt(
    qtbot, open_window, make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    st = make_station(settings=smtp_settings(smtp_server))
    w = open_window(st)
    f = w.form
    fee = st.fee_for(5000)
    assert not f.cover_fee.isChecked()  # [fees] cover_by_default is off
    kb = Keyboard(qtbot, w)
    kb.nav(Qt.Key.Key_F2)
    words = f"Add ${fee / 100:.2f} so all of your $50 goes to Riverside Food Bank"
    assert f.cover_fee.isVisible() and f.cover_fee.accessibleName() == words
    kb.nav(Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier, "Alt+F")
    assert f.cover_fee.isChecked()
    assert w.action.text() == f"Charge ${(5000 + fee) / 100:.2f}"  # what the card pays
    type_card(kb)
    kb.nav(Qt.Key.Key_Return)
    wait_state(qtbot, w, "approved")
    (d,) = st.donations()
    assert (d.amount_cents, d.fee_cents, d.gift_cents) == (5000 + fee, fee, 5000)
    kb.nav(Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier, "Alt+O")  # a finished gift: no
    assert not f.more.is_open
    kb.nav(Qt.Key.Key_Return)  # next donor: the box is back to its default
    assert not f.cover_fee.isChecked()
    f.set_amount(2000)
    kb.nav(Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier, "Alt+A")  # cash: no fee to cover
    assert not f.cover_fee.isVisible()
    kb.nav(Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier, "Alt+F")
    assert not f.cover_fee.isChecked() and f.gift_options().cover_fee is False
    st.start_jobs()
    wait_settled(st)
    text = receipt_text(smtp_server, "ada@example.org")
    assert f"$50.00 gift + ${fee / 100:.2f} you added to cover the processing fee" in text


def test_cover_by_default_comes_from_the_config(
    open_window, make_station: StationFactory,  # noqa: F811
) -> None:
    st = make_station(settings=event_settings(fees=Fees(cover_by_default=True, cause="the pantry")))
    w = open_window(st)
    assert w.form.cover_fee.isChecked()
    w.form.set_amount(10000)
    assert w.form.cover_fee.accessibleName().endswith("all of your $100 goes to the pantry")
    w.form.cover_fee.setChecked(False)
    w.next_donor()
    assert w.form.cover_fee.isChecked()


def test_in_memory_of_with_a_notice_by_keyboard_and_the_notice_has_no_amount(
    qtbot, open_window, make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    st = make_station(settings=smtp_settings(smtp_server))
    w = open_window(st)
    f = w.form
    kb = Keyboard(qtbot, w)
    kb.type("123.45")
    kb.nav(Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier, "Alt+O")  # More options
    assert f.more.is_open and f.more.kind.hasFocus()
    kb.nav(Qt.Key.Key_Down)
    kb.nav(Qt.Key.Key_Down)  # In memory of
    kb.nav(Qt.Key.Key_Tab)
    kb.type("Grace Hopper")
    kb.nav(Qt.Key.Key_Tab)
    kb.type("family@example.org")
    assert [x.accessibleName() for x in (f.more.kind, f.more.honoree, f.more.notice)] == [
        "Dedication", "Name of the person honoured or remembered", "Tell by email"
    ]
    f.number.setFocus()
    type_card(kb)
    kb.nav(Qt.Key.Key_Return)
    wait_state(qtbot, w, "approved")
    (d,) = st.donations()
    assert (d.dedication_kind, d.dedication_name) == ("memory", "Grace Hopper")
    kb.nav(Qt.Key.Key_Return)  # the next donor starts with no dedication, row closed
    assert not f.more.is_open and f.more.dedication() == ("", "", "")
    st.start_jobs()
    jobs = wait_settled(st)
    assert sorted(j.kind for j in jobs) == ["dedication", "receipt"]  # the card: not asked
    (notice,) = [m for m in smtp_server.received() if str(m["To"]) == "family@example.org"]
    text = notice.get_body(("plain",)).get_content()
    assert "Ada Lovelace has made a gift" in text and "$" not in text and "123.45" not in text
    assert "In memory of Grace Hopper" in receipt_text(smtp_server, "ada@example.org")


def test_anonymous_by_keyboard_is_nameless_on_the_lists(
    qtbot, open_window, station: Station, tmp_path: Path
) -> None:
    w = open_window(station)
    f = w.form
    kb = Keyboard(qtbot, w)
    kb.type("40")
    kb.nav(Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier, "Alt+A")
    kb.type("Grace Secret")
    kb.nav(Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier, "Alt+O")
    for _ in range(4):  # kind, name, email (off until a kind is chosen: skipped), item, anon
        if f.more.anonymous.hasFocus():
            break
        kb.nav(Qt.Key.Key_Tab)
    assert f.more.anonymous.hasFocus()
    kb.nav(Qt.Key.Key_Space)
    assert "Anonymous" in f.more.toggle.accessibleDescription() or f.more.anonymous.isChecked()
    kb.nav(Qt.Key.Key_Return)  # Enter on the checkbox records the gift
    wait_state(qtbot, w, "recorded")
    (d,) = station.donations()
    assert d.anonymous and d.donor_name == "" and d.method == "cash"
    station.export_donations_csv(tmp_path / "night.csv")
    assert "Grace Secret" not in (tmp_path / "night.csv").read_text(encoding="utf-8-sig")


def pick_item(kb: Keyboard, w: MainWindow, index: int) -> None:
    """Alt+O, then Tab to the item box and Down `index` times."""
    if not w.form.more.is_open:
        kb.nav(Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier, "Alt+O")
    while not w.form.more.goods.hasFocus():
        kb.nav(Qt.Key.Key_Tab)
    for _ in range(index):
        kb.nav(Qt.Key.Key_Down)


def test_goods_from_the_leads_list_over_and_under_75_and_none_on_a_follow_up_gift(
    qtbot, open_window, make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring, tmp_path: Path,  # noqa: F811
) -> None:
    # The config still says every gift is a $40 dinner: it only seeds the lead's list now.
    event = Event(name="Spring Gala", goal=25000, station="Table 3",
                  goods_description="Gala dinner", goods_value=40)  # fmt: skip
    st = make_station(settings=smtp_settings(smtp_server, event=event))
    assert st.goods_items() == [Goods("Gala dinner", 4000)]
    st.set_goods_items([Goods("Gala dinner", 8500), Goods("Raffle ticket", 500)])
    w = open_window(st)
    w.poll()
    qtbot.waitUntil(lambda: w.form.more.goods.count() == 3)
    assert w.form.more.goods.itemText(1) == "Gala dinner — worth $85.00"
    kb = Keyboard(qtbot, w)
    gifts = (("150", "k@example.org", 1), ("50", "r@example.org", 2), ("25", "f@example.org", 0))
    for amount, email, item in gifts:
        kb.type(amount)
        kb.nav(Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier, "Alt+A")
        kb.type("Kay")
        kb.nav(Qt.Key.Key_Tab)
        kb.type(email)
        if item:
            pick_item(kb, w, item)
        kb.nav(Qt.Key.Key_Return)
        wait_state(qtbot, w, "recorded")
        kb.nav(Qt.Key.Key_Return)  # next donor: nothing picked again
        assert w.form.more.item() is None
    by_email = {d.donor_email: d for d in st.donations()}
    assert by_email["k@example.org"].goods_value_cents == 8500
    assert by_email["r@example.org"].goods_description == "Raffle ticket"
    assert (by_email["f@example.org"].goods_description,
            by_email["f@example.org"].goods_value_cents) == (None, 0)  # fmt: skip
    st.start_jobs()
    wait_settled(st)
    over = receipt_text(smtp_server, "k@example.org")
    assert DISCLOSURE in over and "Value of goods or services received: $85.00" in over
    assert "Deductible amount: $65.00" in over
    under = receipt_text(smtp_server, "r@example.org")
    assert DISCLOSURE not in under
    assert "Raffle ticket with an estimated fair market value of $5.00" in under
    follow_up = receipt_text(smtp_server, "f@example.org")
    assert NO_GOODS in follow_up and "Gala dinner" not in follow_up and "$40" not in follow_up
    assert "Deductible amount: $25.00" in follow_up
    t = st.totals()
    assert (t.raised_cents, t.goods_cents, t.fees_cents) == (22500, 9000, 0)
    st.export_donations_csv(tmp_path / "night.csv")
    with (tmp_path / "night.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["Email"]: r for r in csv.DictReader(fh)}
    assert (rows["k@example.org"]["Goods received"], rows["k@example.org"]["Goods value"],
            rows["k@example.org"]["Deductible"]) == ("Gala dinner", "85.00", "65.00")  # fmt: skip
    assert (rows["f@example.org"]["Goods value"], rows["f@example.org"]["Deductible"]) == (
        "0.00", "25.00")


def test_nothing_typed_is_lost_on_an_error_and_the_row_opens_to_show_it(
    qtbot, open_window, station: Station
) -> None:
    w = open_window(station)
    f = w.form
    f.amount.setText("40")
    f.method_buttons[Method.CASH].setChecked(True)
    f.name.setText("Ada")
    f.more.set_open(True)
    f.more.honoree.setEnabled(True)
    f.more.honoree.setText("Grace Hopper")  # a name with no "in honour/memory of"
    f.more.anonymous.setChecked(True)
    f.more.set_open(False)
    w.submit()
    assert f.more.is_open and f.errors["dedication_kind"].text()
    assert f.more.kind.hasFocus()
    assert station.donations() == []
    assert (f.name.text(), f.more.honoree.text(), f.more.anonymous.isChecked()) == (
        "Ada", "Grace Hopper", True)
    f.more.kind.setCurrentIndex(1)  # in honour of: the message goes, the gift goes through
    assert not f.errors["dedication_kind"].text()
    w.submit()
    wait_state(qtbot, w, "recorded")
    (d,) = station.donations()
    assert (d.dedication_kind, d.dedication_name, d.anonymous) == ("honour", "Grace Hopper", True)


def test_every_option_has_a_name_and_tab_reaches_them_in_order(
    qtbot, open_window, station: Station
) -> None:
    station.set_goods_items([Goods("Gala dinner", 4000)])
    w = open_window(station)
    f = w.form
    f.more.set_open(True)
    f.more.kind.setCurrentIndex(1)
    for control in (f.cover_fee, f.save_card, f.more.kind, f.more.honoree, f.more.notice,
                    f.more.goods, f.more.anonymous, f.language, f.more.toggle):  # fmt: skip
        assert name_of(control), control.objectName()
    assert unnamed_controls(w) == []
    f.email.setFocus()
    order = []
    for _ in range(9):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget().objectName())
    assert order[:8] == [
        "coverFee", "saveCard", "dedicationKind", "dedicationName", "dedicationEmail",
        "goodsItem", "anonymous", "receiptLanguage",
    ]  # fmt: skip


def test_on_the_reader_the_donor_is_asked_for_the_gift_plus_the_fee(
    qtbot, open_window, station: Station
) -> None:
    station.reader_service.poll_s = 0.01
    w = open_window(station)
    f = w.form
    f.choose_entry("reader")
    f.set_amount(5000)
    f.cover_fee.setChecked(True)
    paid = 5000 + station.fee_for(5000)
    assert w.action.text() == f"Charge ${paid / 100:.2f} on the reader"
    w.submit()
    qtbot.waitUntil(lambda: station.reader_service.reader._action.status == "in_progress")
    assert f"${paid / 100:.2f}" in w.result.heading.text()
    station.present_on_reader("approve")
    wait_state(qtbot, w, "approved")
    (d,) = station.donations()
    assert (d.amount_cents, d.fee_cents) == (paid, paid - 5000)


@pytest.mark.parametrize("language", ["en", "es"])
def test_at_1024x600_every_option_is_reachable_and_nothing_is_cut_sideways(
    qtbot, open_window, station: Station, language: str
) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QScrollArea

    from pos_app.ui import i18n
    from pos_app.ui.app import load_stylesheet

    app = QApplication.instance()
    app.setStyleSheet(load_stylesheet())
    i18n.install(language)
    try:
        station.set_goods_items([Goods("Gala dinner", 8500)])
        w = open_window(station)
        w.resize(1024, 600)
        qtbot.waitUntil(lambda: w.width() == 1024)
        f = w.form
        qtbot.keyClick(f.amount, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
        assert f.more.is_open
        qtbot.wait(100)  # the block scrolls into view, the scroll bar comes
        scroll = w.findChild(QScrollArea, "formScroll")
        view = scroll.viewport()
        assert f.minimumSizeHint().width() <= view.width()  # open: it scrolls, never sideways
        for control in (f.cover_fee, f.more.toggle, f.more.kind, f.more.honoree, f.more.notice,
                        f.more.goods, f.more.anonymous, f.language):  # fmt: skip
            scroll.ensureWidgetVisible(control, 0, 0)
            qtbot.wait(10)
            where = QRect(control.mapTo(view, control.rect().topLeft()), control.size())
            assert view.rect().contains(where), (control.objectName(), where, view.rect())
    finally:
        i18n.uninstall()
        app.setStyleSheet("")


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", [(1024, 600), (1366, 768), (1920, 1080)], ids=str)
def test_the_cover_fee_sentence_is_never_cut(
    qtbot, open_window, station: Station, language: str, size: tuple[int, int]
) -> None:
    """"Sumar $3.69 para que sus $150 lleguen completos a …" is longer than the form is wide
    at 1024x600: it wraps onto a second line, whole, rather than being cut."""
    from PySide6.QtWidgets import QScrollArea

    from pos_app.ui import i18n
    from pos_app.ui.app import load_stylesheet

    app = QApplication.instance()
    app.setStyleSheet(load_stylesheet())
    i18n.install(language)
    try:
        w = open_window(station)
        w.resize(*size)
        qtbot.waitUntil(lambda: w.width() == size[0])
        f = w.form
        f.set_amount(15000)
        fee = f.cover_fee
        start = {"es": "Sumar $3.69 para que sus $150 lleguen completos a ",
                 "en": "Add $3.69 so all of your $150 goes to "}[language]  # fmt: skip
        assert fee.sentence().startswith(start) and fee.sentence().endswith("(Alt+F)")
        qtbot.waitUntil(lambda: fee.height() >= fee.heightForWidth(fee.width()))
        words = fee.words
        assert words.wordWrap() and words.isVisible()
        assert words.height() >= words.heightForWidth(words.width())  # every line shown
        assert fee.rect().contains(words.geometry()), (words.geometry(), fee.rect())
        one_line = words.fontMetrics().horizontalAdvance(fee.sentence())
        if one_line > words.width():  # too long for one line (Spanish at 1024): two
            assert words.height() >= 2 * words.fontMetrics().lineSpacing()
        view = w.findChild(QScrollArea, "formScroll").viewport()
        left = fee.mapTo(view, fee.rect().topLeft()).x()
        assert 0 <= left and left + fee.width() <= view.width()  # never past the form's edge
        was = fee.isChecked()
        qtbot.mouseClick(fee, Qt.MouseButton.LeftButton, pos=words.geometry().center())
        assert fee.isChecked() is not was  # a click on the words ticks it, as on a checkbox
    finally:
        i18n.uninstall()
        app.setStyleSheet("")


def test_a_spanish_receipt_for_a_ticket_chosen_by_keyboard(
    qtbot, open_window, make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    st = make_station(settings=smtp_settings(smtp_server))
    st.set_goods_items([Goods("una cena de gala", 8500)])
    w = open_window(st)
    w.poll()
    qtbot.waitUntil(lambda: w.form.more.goods.count() == 2)
    kb = Keyboard(qtbot, w)
    kb.type("150")
    kb.nav(Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier, "Alt+A")
    kb.type("Luis")
    kb.nav(Qt.Key.Key_Tab)
    kb.type("luis@example.org")
    pick_item(kb, w, 1)
    while not w.form.language.hasFocus():
        kb.nav(Qt.Key.Key_Tab)
    kb.nav(Qt.Key.Key_Down)  # Español
    assert w.form.more.summary.text() == "" and w.form.language.currentData() == "es"
    kb.nav(Qt.Key.Key_Return)
    wait_state(qtbot, w, "recorded")
    st.start_jobs()
    wait_settled(st)
    text = receipt_text(smtp_server, "luis@example.org")
    assert "Valor de los bienes o servicios recibidos: $85.00" in text
    assert "Importe deducible: $65.00" in text and "Publicación 1771" in text
