"""The lead's goods list in Settings: items and tickets with their fair market value, saved
in the station's DB, reaching the volunteer's form at once (a settings notice) and kept
across a restart; the config's old `[event] goods_value` only seeds the list."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from support.job_fixtures import StationFactory, event_settings, make_station  # noqa: F401
from test_gui_settings import open_settings

from pos_app.api import Goods, InvalidDonation, Station
from pos_app.paths import DataPaths
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.settings import Event
from pos_app.ui.main_window import MainWindow


def test_the_lead_keeps_the_list_and_the_form_offers_it_at_once(
    qtbot, station: Station, data_dir: Path
) -> None:
    volunteer = MainWindow(station)
    volunteer.confirm_close = lambda _summary: True
    qtbot.addWidget(volunteer)
    volunteer.show()
    assert volunteer.form.more.goods.count() == 1  # "Nothing bought": nothing to pick
    assert not volunteer.form.more.goods.isEnabled()
    w, tasks = open_settings(qtbot, station)
    tab = w.settings_tab
    assert tab.goods_table.rowCount() == 0
    qtbot.mouseClick(tab.add_goods_btn, Qt.MouseButton.LeftButton)
    tab.goods_table.item(0, 0).setText("Gala dinner")
    tab.goods_table.item(0, 1).setText("85")
    tab.add_goods_row("Raffle ticket", "five")
    qtbot.mouseClick(tab.save_goods_btn, Qt.MouseButton.LeftButton)
    assert "Item 2" in tab.goods_feedback.text()  # said in words, nothing saved
    assert station.goods_items() == []
    tab.goods_table.item(1, 1).setText("$5.00")
    qtbot.mouseClick(tab.save_goods_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.goods_feedback.text().startswith("Saved"), timeout=10000)
    assert station.goods_items() == [Goods("Gala dinner", 8500), Goods("Raffle ticket", 500)]
    goods = volunteer.form.more.goods
    qtbot.waitUntil(lambda: goods.count() == 3, timeout=10000)  # pushed, not polled
    assert [goods.itemText(i) for i in range(3)] == [
        "Nothing bought", "Gala dinner — worth $85.00", "Raffle ticket — worth $5.00"
    ]
    with pytest.raises(InvalidDonation) as err:
        station.set_goods_items([Goods("", 100)])
    assert set(err.value.errors) == {"goods_1"}
    w.close()
    volunteer.close()
    tasks.shutdown()
    station.close()
    with Station(event_settings(), DataPaths.resolve(data_dir),
                 processor=SimulatorProcessor()) as again:  # fmt: skip
        assert [g.description for g in again.goods_items()] == ["Gala dinner", "Raffle ticket"]


def test_the_old_config_key_seeds_the_list_until_the_lead_saves_one(
    make_station: StationFactory,  # noqa: F811
) -> None:
    event = Event(name="Gala", goods_description="Gala dinner", goods_value=40.0)
    st = make_station(settings=event_settings(event=event))
    assert st.goods_items() == [Goods("Gala dinner", 4000)]
    st.set_goods_items([])  # the lead says nothing is sold: none offered, even with the key
    assert st.goods_items() == []
