"""The lead's Settings tab: event settings kept in the DB, secrets into the OS keyring."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from support.job_fixtures import StationFactory, event_settings, make_station  # noqa: F401
from support.memory_keyring import memory_keyring
from test_gui_lead_desk import set_pin

from pos_app.api import Station, open_station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.secrets import SERVICE, STRIPE_SECRET_KEY
from pos_app.settings import Payments
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.tasks import TaskRunner


def open_settings(qtbot, station: Station) -> tuple[LeadWindow, TaskRunner]:
    tasks = TaskRunner()
    w = LeadWindow(station, tasks)
    qtbot.addWidget(w)
    w.show()
    set_pin(qtbot, w)
    w.tabs.setCurrentWidget(w.settings_tab)
    return w, tasks


def test_event_settings_are_saved_and_survive_a_restart(
    qtbot, station: Station, data_dir: Path
):
    w, tasks = open_settings(qtbot, station)
    tab = w.settings_tab
    tab.event_name.clear()
    qtbot.keyClicks(tab.event_name, "Spring Gala")
    tab.goal.setValue(25000)
    tab.station_name.clear()
    qtbot.mouseClick(tab.save_event_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.event_feedback.text() != "Saving…")
    assert "station" in tab.event_feedback.text().lower()  # empty station name refused
    qtbot.keyClicks(tab.station_name, "Table 3")
    qtbot.mouseClick(tab.save_event_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.event_feedback.text().startswith("Saved"))
    assert station.settings.event.name == "Spring Gala"
    assert station.totals().goal_cents == 2_500_000
    w.close()
    tasks.shutdown()
    station.close()
    with open_station(data_dir=data_dir, processor=SimulatorProcessor()) as again:
        assert (again.settings.event.name, again.settings.event.station) == (
            "Spring Gala",
            "Table 3",
        )


def test_secrets_go_to_the_keyring_and_leave_the_widget(
    qtbot, make_station: StationFactory  # noqa: F811
):
    st = make_station(settings=event_settings(payments=Payments(provider="stripe")))
    with memory_keyring() as ring:
        w, tasks = open_settings(qtbot, st)
        tab = w.settings_tab
        field = tab.secret_fields[STRIPE_SECRET_KEY]
        qtbot.keyClicks(field, "sk_test_settings123456")
        qtbot.mouseClick(tab.save_secrets_btn, Qt.MouseButton.LeftButton)
        assert field.text() == ""
        qtbot.waitUntil(lambda: "Stored" in tab.secret_feedback.text())
        assert "TEST mode" in tab.secret_feedback.text()
        assert ring.get_password(SERVICE, STRIPE_SECRET_KEY) == "sk_test_settings123456"
        w.close()
        tasks.shutdown()
