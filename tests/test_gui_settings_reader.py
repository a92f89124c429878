"""The lead's Settings tab on a card-reader station asks for the Stripe key, as `configure`
does (both read pos_app/secrets.py's needed_secrets, from the processor's registered spec)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from support.job_fixtures import StationFactory, event_settings, make_station  # noqa: F401
from support.memory_keyring import memory_keyring
from test_gui_settings import open_settings

from pos_app.secrets import SERVICE, STRIPE_SECRET_KEY
from pos_app.settings import Payments


def test_reader_station_settings_tab_stores_the_stripe_key(
    qtbot,
    make_station: StationFactory,  # noqa: F811
) -> None:
    payments = Payments(provider="stripe_terminal", reader="tmr_table3")
    st = make_station(settings=event_settings(payments=payments))
    with memory_keyring() as ring:
        w, tasks = open_settings(qtbot, st)
        tab = w.settings_tab
        assert list(tab.secret_fields) == [STRIPE_SECRET_KEY]
        qtbot.keyClicks(tab.secret_fields[STRIPE_SECRET_KEY], "sk_test_reader123456")
        qtbot.mouseClick(tab.save_secrets_btn, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Stored" in tab.secret_feedback.text())
        assert ring.get_password(SERVICE, STRIPE_SECRET_KEY) == "sk_test_reader123456"
        w.close()
        tasks.shutdown()
