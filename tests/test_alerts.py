"""Alerts (volunteer banner, lead alerts) against their `[alerts]` thresholds, and the
closing summary that says what happens to unfinished work."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update

from jobs.records import JobSummary
from pos_app.api import Card, Donor, Station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.services.alerts import PendingWork, alerts, closing_summary
from pos_app.services.records import Alert
from pos_app.settings import Alerts, ConfigError, load_settings
from pos_app.store.models import Job

NOW = dt.datetime(2026, 5, 1, 19, 30, tzinfo=dt.UTC)
ONLINE = JobSummary(online=True, online_since=NOW, offline_since=None, pending=0,
                    needs_attention=0)


def offline(since: dt.datetime) -> JobSummary:
    return JobSummary(online=False, online_since=None, offline_since=since, pending=0,
                      needs_attention=0)


def keyed(found: list) -> dict[str, tuple[str, str, str]]:
    return {a.key: (a.level, a.audience, a.message) for a in found}


# ---- settings -------------------------------------------------------------------------


def test_alert_defaults_are_documented_values() -> None:
    a = Alerts()
    assert (a.backlog, a.oldest_minutes, a.needs_attention) == (25, 15, 1)


def test_alerts_section_loads_and_is_checked(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[alerts]\nbacklog = 40\noldest_minutes = 5\nneeds_attention = 0\n")
    a = load_settings(cfg).alerts
    assert (a.backlog, a.oldest_minutes, a.needs_attention) == (40, 5, 0)
    cfg.write_text("[alerts]\nbacklog = -1\n")
    with pytest.raises(ConfigError, match="alerts.backlog"):
        load_settings(cfg)
    cfg.write_text("[alerts]\nbacklogg = 3\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_settings(cfg)


# ---- the rules, on plain data ---------------------------------------------------------


def test_nothing_pending_means_no_alerts_and_no_closing_words() -> None:
    assert alerts(PendingWork(), ONLINE, Alerts(), charges_need_network=True, now=NOW) == []
    assert closing_summary(PendingWork()) is None


def test_offline_with_receipts_queued_calms_the_volunteer() -> None:
    since = dt.datetime(2026, 5, 1, 14, 2).astimezone()
    work = PendingWork(waiting={"receipt": 3}, oldest_waiting=NOW)
    (a,) = alerts(work, offline(since), Alerts(), charges_need_network=True, now=NOW)
    assert (a.level, a.audience, a.key, a.since) == ("info", "volunteer", "offline", since)
    assert a.message == "Receipts are queued — network offline since 14:02; nothing is lost"


def test_offline_with_nothing_queued_says_what_still_works() -> None:
    since = dt.datetime(2026, 5, 1, 14, 2).astimezone()
    (a,) = alerts(PendingWork(), offline(since), Alerts(), charges_need_network=True, now=NOW)
    assert a.audience == "volunteer" and "cash and checks are fine" in a.message
    # Training mode: the simulator needs no network, so there is nothing to say.
    assert alerts(PendingWork(), offline(since), Alerts(), charges_need_network=False,
                  now=NOW) == []


@pytest.mark.parametrize(
    "attention, limit, expected",
    [(0, 1, None), (1, 1, "1 job needs attention"), (3, 1, "3 jobs need attention"),
     (2, 3, None), (5, 0, None)],
)
def test_needs_attention_threshold(
    attention: int, limit: int, expected: str | None
) -> None:
    work = PendingWork(needs_attention=attention, attention_since=NOW)
    found = keyed(alerts(work, ONLINE, Alerts(needs_attention=limit),
                         charges_need_network=True, now=NOW))
    if expected is None:
        assert "needs_attention" not in found
    else:
        assert found["needs_attention"] == ("warning", "lead", expected)


@pytest.mark.parametrize("waiting, shown", [(24, False), (25, True), (40, True)])
def test_backlog_threshold(waiting: int, shown: bool) -> None:
    work = PendingWork(waiting={"receipt": waiting - 4, "save_card": 4}, oldest_waiting=NOW)
    found = keyed(alerts(work, ONLINE, Alerts(), charges_need_network=True, now=NOW))
    assert ("backlog" in found) == shown
    if shown:
        assert found["backlog"] == ("warning", "lead", f"Backlog of {waiting} jobs")


@pytest.mark.parametrize("minutes, shown", [(14, False), (15, True), (22, True)])
def test_oldest_job_threshold(minutes: int, shown: bool) -> None:
    oldest = NOW - dt.timedelta(minutes=minutes, seconds=30)
    work = PendingWork(waiting={"receipt": 1}, oldest_waiting=oldest)
    found = alerts(work, ONLINE, Alerts(), charges_need_network=True, now=NOW)
    by_key = {a.key: a for a in found}
    assert ("oldest" in by_key) == shown
    if shown:
        a = by_key["oldest"]
        assert a.message == f"Oldest waiting job is {minutes} minutes old"
        assert a.since == oldest and a.audience == "lead"
    assert alerts(work, ONLINE, Alerts(oldest_minutes=0), charges_need_network=True,
                  now=NOW) == []


def test_money_still_being_checked_is_the_leads_business() -> None:
    work = PendingWork(charges_in_doubt=1, refunds_in_doubt=2)
    found = keyed(alerts(work, ONLINE, Alerts(), charges_need_network=True, now=NOW))
    assert found["in_doubt"] == (
        "warning", "lead", "1 charge and 2 refunds are still being checked with the processor",
    )


def test_closing_summary_words() -> None:
    work = PendingWork(waiting={"receipt": 12, "save_card": 3}, charges_in_doubt=1)
    assert closing_summary(work) == (
        "12 receipts and 3 card saves will be finished next time Tableside starts; "
        "1 charge is still being checked."
    )
    assert closing_summary(PendingWork(waiting={"save_card": 1}, needs_attention=2)) == (
        "1 card save will be finished next time Tableside starts; 2 jobs need attention "
        "and will wait in the jobs panel."
    )
    assert closing_summary(PendingWork(refunds_in_doubt=2)) == (
        "2 refunds are still being checked."
    )


# ---- through the station, from the real ledger ---------------------------------------------


def test_station_alerts_and_closing_from_the_ledger(
    station: Station, simulator: SimulatorProcessor
) -> None:
    assert station.alerts() == [] and station.closing_summary() is None
    for i in range(2):
        station.record_donation(1000, Donor(f"D{i}", f"d{i}@example.org"), "cash")
    assert station.alerts() == []  # queued receipts while online are business as usual
    assert station.closing_summary() == (
        "2 receipts will be finished next time Tableside starts."
    )
    simulator.lose_next_response = True
    exp = dt.date.today().year + 3
    o = station.take_card_donation(5000, Donor("E", ""), Card("4242424242424242", 12, exp, "123"))
    assert o.status == "in_doubt"
    (first, *_rest) = station.jobs()
    with station.db.session() as s:
        s.execute(update(Job).where(Job.id == first.id).values(state="needs_attention"))
    found = keyed(station.alerts())
    assert found["needs_attention"] == ("warning", "lead", "1 job needs attention")
    assert "1 charge is still being checked" in found["in_doubt"][2]
    assert station.closing_summary() == (
        "1 receipt will be finished next time Tableside starts; 1 charge is still being "
        "checked; 1 job needs attention and will wait in the jobs panel."
    )


# ---- the desktop notification (ui/tray.py) --------------------------------------------


def lead_alert(key: str, message: str = "") -> Alert:
    return Alert("warning", "lead", message or key, None, key)


def test_a_notification_only_when_an_alert_starts() -> None:
    from pos_app.ui.tray import AlertNotifier

    n = AlertNotifier()
    offline_banner = Alert("info", "volunteer", "Receipts are queued", None, "offline")
    assert n.started([offline_banner]) == []  # the volunteer's banner is no lead alert
    assert [a.key for a in n.started([lead_alert("backlog")])] == ["backlog"]
    assert n.started([lead_alert("backlog", "Backlog of 30 jobs")]) == []  # still showing
    both = [lead_alert("backlog"), lead_alert("needs_attention")]
    assert [a.key for a in n.started(both)] == ["needs_attention"]
    assert n.started([]) == []
    assert [a.key for a in n.started([lead_alert("backlog")])] == ["backlog"]  # came back


def test_the_window_feeds_its_status_to_the_tray(qtbot, station: Station) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QSystemTrayIcon

    from pos_app.ui.main_window import MainWindow

    main = MainWindow(station)
    main.confirm_close = lambda _summary: True  # type: ignore[method-assign]
    qtbot.addWidget(main)
    assert (main.tray.icon is None) == (not QSystemTrayIcon.isSystemTrayAvailable())
    qtbot.waitUntil(lambda: main.status.loads >= 1)
    assert main.tray.notifier.showing == set()
    station.record_donation(1000, Donor("D", "d@example.org"), "cash")
    (job,) = station.jobs()
    with station.db.session() as s:
        s.execute(update(Job).where(Job.id == job.id).values(state="needs_attention"))
    main.poll()
    qtbot.waitUntil(lambda: main.tray.notifier.showing == {"needs_attention"})
    assert [a.key for a in main.tray.announced] == ["needs_attention"]
    assert main.tray.announcements == 1
    loads = main.status.loads
    main.poll()
    qtbot.waitUntil(lambda: main.status.loads > loads)
    assert main.tray.announcements == 1  # still showing: not announced again
    main.close()
