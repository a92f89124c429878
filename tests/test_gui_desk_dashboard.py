"""The lead desk read at a glance, through pytest-qt with the app's stylesheet: it opens
fitting the screen it is on and every control is on a 1024x600 screen (locked, each tab,
empty and busy); the raised figure, the thermometer's label where it reads, a chart with
labelled axes, the queue's health as a symbol and a word besides the colour, an average
rounded to the cent, empty lists that say why; the Settings tab's save-card default."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QWidget,
)
from test_gui_lead_desk import set_pin

from jobs.records import JobSummary
from pos_app.api import Card, Donor, Station
from pos_app.ui.app import load_stylesheet
from pos_app.ui.charts import GiftsChart, Thermometer, nice_step, whole_money
from pos_app.ui.donations_model import COL_DONOR
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.queue_health import health
from pos_app.ui.tasks import TaskRunner

CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[None]:
    qapp.setStyleSheet(load_stylesheet())
    yield
    qapp.setStyleSheet("")


@pytest.fixture
def tasks() -> Iterator[TaskRunner]:
    t = TaskRunner()
    yield t
    t.shutdown()


def open_lead(qtbot, station: Station, tasks: TaskRunner, screen: QRect) -> LeadWindow:
    w = LeadWindow(station, tasks)
    qtbot.addWidget(w)
    w.fit_screen(screen)
    w.show()
    return w


def off_window(w: QWidget) -> list[str]:
    """Visible controls not wholly inside the window (a button past its right edge)."""
    inside = w.rect()
    found = []
    for c in w.findChildren(QWidget):
        if not c.isVisible() or not isinstance(c, (QAbstractButton, QLineEdit, QComboBox,
                                                   QAbstractSpinBox)):  # fmt: skip
            continue
        rect = QRect(c.mapTo(w, c.rect().topLeft()), c.size())
        if not inside.contains(rect):
            found.append(f"{type(c).__name__} {getattr(c, 'text', lambda: '')()!r} at {rect}")
    return found


def busy(station: Station) -> None:
    for i, name in enumerate(("Ada Lovelace", "Grace Hopper", "Katherine Johnson")):
        station.take_card_donation(5000 + 2000 * i, Donor(name, f"{i}@example.org"), CARD)
    station.record_donation(2500, Donor("Sam Cash", "sam@example.org"), "cash")


@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)], ids=["1024x600", "1366x768"])
def test_the_desk_fits_the_screen_it_opens_on(
    qtbot, station: Station, tasks: TaskRunner, styled: None, size: tuple[int, int]
) -> None:
    width, height = size
    w = open_lead(qtbot, station, tasks, QRect(0, 0, width, height))
    qtbot.waitUntil(lambda: w.gate.button.isEnabled())
    seen = {"locked": off_window(w)}
    set_pin(qtbot, w)
    for state in ("empty", "busy"):
        if state == "busy":
            busy(station)
            qtbot.waitUntil(lambda: len(w.desk.model.records()) == 4)
        for key, screen in w.screens.items():
            w.tabs.setCurrentWidget(screen)
            qtbot.waitUntil(lambda: w.tabs.currentWidget().isVisible())
            seen[f"{key} {state}"] = off_window(w)
    screen = QRect(0, 0, width, height)
    assert screen.contains(w.frameGeometry()), (w.frameGeometry(), screen)  # title bar too
    assert w.width() >= width - 16 and w.height() >= height - 48  # and it uses the room
    assert w.minimumSizeHint().width() <= w.width()  # no control made it grow
    assert w.minimumSizeHint().height() <= w.height()
    assert {where: controls for where, controls in seen.items() if controls} == {}
    w.close()


def test_a_bigger_screen_gets_a_bigger_window_within_it(
    qtbot, station: Station, tasks: TaskRunner
) -> None:
    w = open_lead(qtbot, station, tasks, QRect(0, 0, 1920, 1040))
    assert w.width() > 1280 and w.height() > 740
    assert QRect(0, 0, 1920, 1040).contains(w.frameGeometry())
    qtbot.waitUntil(lambda: w.gate.button.isEnabled())
    w.close()


def test_the_dashboard_reads_in_two_seconds(
    qtbot, station: Station, tasks: TaskRunner, styled: None
) -> None:
    station.update_event("Spring Gala", 1000, "Table 3")  # a $1,000 goal
    w = open_lead(qtbot, station, tasks, QRect(0, 0, 1366, 768))
    set_pin(qtbot, w)
    desk = w.desk
    qtbot.waitUntil(lambda: desk.loads >= 1)
    assert w.tabs.currentWidget() is desk  # the dashboard is the first thing a lead sees
    assert desk.empty.isVisible() and "No gifts yet" in desk.empty.text()
    assert desk.health.text().startswith("● All good")
    for amount in (5000, 5000, 7000):  # $170.00 over 3 gifts
        station.record_donation(amount, Donor("Guest", ""), "cash")
    qtbot.waitUntil(lambda: "3 gifts" in desk.stats.text())
    assert "average $56.67" in desk.stats.text()  # rounded half up, not cut to $56.66
    assert desk.raised.text() == "Raised $170.00 of $1,000.00"
    assert desk.table.isVisible() and not desk.empty.isVisible()
    assert desk.thermometer.label() == "17% of $1,000"
    header = desk.table.horizontalHeader()
    assert header.sectionResizeMode(COL_DONOR) == QHeaderView.ResizeMode.Stretch
    assert sum(header.sectionSize(c) for c in range(header.count())) <= desk.table.width()
    desk.search.setText("nobody like this")
    qtbot.waitUntil(lambda: "No donation matches" in desk.empty.text())
    assert desk.empty.isVisible() and not desk.table.isVisible()
    w.close()


def test_the_thermometer_writes_its_label_where_it_reads(qtbot) -> None:
    t = Thermometer()
    qtbot.addWidget(t)
    t.resize(500, 56)
    t.set_values(5000, 100_000, "usd")  # 5%: a sliver of green
    assert t.label() == "5% of $1,000"
    assert not t.text_inside(120, 500)  # on the grey, beside the green
    t.set_values(80_000, 100_000, "usd")
    assert t.text_inside(120, 500)  # inside the wide green, in white
    t.set_values(0, 0, "usd")
    assert t.label() == "No goal set"
    assert not t.grab().isNull()


def test_the_chart_has_a_dollars_axis_and_a_time_axis(qtbot) -> None:
    chart = GiftsChart()
    qtbot.addWidget(chart)
    chart.resize(600, 200)
    start = dt.datetime(2026, 5, 1, 19, 0, tzinfo=dt.UTC)
    points = [(start + dt.timedelta(minutes=15 * i), c) for i, c in
              enumerate((12_500, 0, 31_000, 7_500))]  # fmt: skip
    chart.set_points(points, "usd")
    assert chart.ticks() == [0, 10_000, 20_000, 30_000, 40_000]  # $0 … $400, round steps
    assert [whole_money(t, "usd") for t in chart.ticks()[:2]] == ["$0", "$100"]
    assert nice_step(31_000) == 10_000 and nice_step(0) == 100
    assert "best $310.00" in chart.accessibleDescription()
    assert not chart.grab().isNull()


@pytest.mark.parametrize(
    ("summary", "level", "start"),
    [
        (JobSummary(True, None, None, 0, 0), "ok", "● All good — nothing waiting"),
        (JobSummary(True, None, None, 3, 0), "ok", "● All good — 3 jobs sending"),
        (JobSummary(True, None, None, 1, 0, retrying=1), "wait", "◆ Retrying — 1 job"),
        (JobSummary(False, None, None, 2, 0), "wait", "◆ Offline — 2 jobs wait"),
        (JobSummary(True, None, None, 2, 1), "bad", "▲ Needs you — 1 job needs attention"),
    ],
)
def test_the_queue_health_is_a_word_and_a_symbol_not_only_a_colour(
    summary: JobSummary, level: str, start: str
) -> None:
    got_level, sentence = health(summary)
    assert got_level == level and sentence.startswith(start)
    assert "(s)" not in sentence


def test_the_save_card_default_lives_in_settings(
    qtbot, station: Station, tasks: TaskRunner
) -> None:
    w = open_lead(qtbot, station, tasks, QRect(0, 0, 1366, 768))
    set_pin(qtbot, w)
    w.tabs.setCurrentWidget(w.settings_tab)
    tab = w.settings_tab
    box = tab.save_cards
    assert box.isVisible() and box.text() == "Tick 'save this card' on the form by default"
    assert not box.isChecked() and station.save_cards_default is False  # opt-in: off
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(10, box.height() // 2))
    qtbot.waitUntil(lambda: tab.cards_feedback.text() not in ("", "Saving…"))
    assert tab.cards_feedback.text().startswith("Saved"), tab.cards_feedback.text()
    assert station.save_cards_default is True
    station.set_save_cards_default(False)  # another station or the CLI: shown here too
    qtbot.waitUntil(lambda: not box.isChecked())
    assert tab.goal.buttonSymbols() == QAbstractSpinBox.ButtonSymbols.NoButtons
    assert tab.goal.lineEdit().width() > 100  # the amount shows (no broken arrows)
    w.close()
