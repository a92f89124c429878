"""Alert emails to the lead and IT (`[alerts] email_to`), through a real SMTP server.

A receipt to an address the server refuses waits in needs-attention: past the limit, so
the lead and IT each get one alert; a restart sends nothing again; once the lead fixes the
address the receipt goes and each gets one all-clear. The quiet period is proved on the
recording function itself with explicit times (no clock is waited on).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.crash import env, kill_at_crashpoint  # noqa: F401
from support.job_fixtures import (  # noqa: F401
    StationFactory,
    event_settings,
    make_station,
    smtp_keyring,
    smtp_server,
)
from support.jobwait import wait_for, wait_state
from support.memory_keyring import MemoryKeyring
from support.smtp_server import SmtpServer

from jobs.kinds import alert_email
from jobs.kinds.alert_email import alert_notices, alert_state, record
from pos_app.api import Donor, Station
from pos_app.settings import Alerts, ConfigError, Receipts, load_settings
from pos_app.store.models import Job

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
TO = ["lead@riverside.example", "it@riverside.example"]
FROM = "receipts@riverside.example"


def alerting_station(make: StationFactory, server: SmtpServer) -> Station:
    receipts = Receipts(provider="smtp", sender=FROM, host="127.0.0.1", port=server.port,
                        username=server.username, timeout=5.0, ca_file=str(server.cert_file))
    limits = Alerts(backlog=0, oldest_minutes=0, needs_attention=1, email_to=TO)
    return make(settings=event_settings(receipts=receipts, alerts=limits))


def alert_mail(server: SmtpServer) -> list[tuple[str, str]]:
    """(To, 'alert' | 'clear') of every alert email the server took, in order."""
    out = []
    for m in server.received():
        subject = str(m["Subject"])
        if subject.startswith("Tableside alert"):
            out.append((str(m["To"]), "alert"))
        elif subject.startswith("Tableside all clear"):
            out.append((str(m["To"]), "clear"))
    return out


def notices(st: Station) -> int:
    with st.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(alert_notices)) or 0)


def standing_state(st: Station) -> str | None:
    """The station's one alert-email job (it belongs to no gift)."""
    with st.db.session() as s:
        return s.scalar(select(Job.state).where(Job.kind == alert_email.NAME,
                                                Job.donation_id.is_(None)))


def words(st: Station, condition: str) -> str | None:
    with st.db.session() as s:
        return s.scalar(select(alert_state.c.words).where(alert_state.c.condition == condition))


def test_one_alert_per_person_no_resend_after_restart_then_one_all_clear(
    make_station: StationFactory, smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    st = alerting_station(make_station, smtp_server)
    first = st.record_donation(2000, Donor("Cy", "bounce@example.org"), "cash")
    st.start_jobs()
    wait_state(st, st.jobs(first.donation_id)[0].id, "needs_attention")
    wait_for(lambda: len(alert_mail(smtp_server)) == 2, why="an alert to each address")
    assert sorted(alert_mail(smtp_server)) == sorted((to, "alert") for to in TO)
    alert = next(m for m in smtp_server.received() if "alert" in str(m["Subject"]))
    assert str(alert["Subject"]) == "Tableside alert — Table 3: 1 job needs attention"
    text = alert.get_body(("plain",)).get_content()
    assert "Table 3 at Spring Gala needs a look: 1 job needs attention" in text
    assert "bounce@" not in text  # the alert names no donor
    assert alert["X-Tableside-Alert"] and alert["X-Tableside-Receipt"] is None
    assert str(alert["Message-ID"]).strip().startswith("<alert.ALERT-")  # never taken for a receipt
    st.close()

    # A restart: the condition is still on (now two receipts wait); nothing is owed again.
    st = alerting_station(make_station, smtp_server)
    second = st.record_donation(3000, Donor("Di", "bounce2@example.org"), "cash")
    st.start_jobs()
    wait_state(st, st.jobs(second.donation_id)[0].id, "needs_attention")
    wait_for(lambda: words(st, "needs_attention") == "2 jobs need attention",
             why="the watch looked again after the restart")
    assert notices(st) == 2
    assert len(alert_mail(smtp_server)) == 2

    # The lead fixes both addresses: the receipts go and each person hears "all clear" once.
    st.update_donor_email(first.donation_id, "cy@example.org")
    st.update_donor_email(second.donation_id, "di@example.org")
    wait_for(lambda: len(alert_mail(smtp_server)) == 4, why="an all-clear to each address")
    assert sorted(alert_mail(smtp_server)[2:]) == sorted((to, "clear") for to in TO)
    wait_for(lambda: standing_state(st) == "done", why="the alert-email job finished")
    assert notices(st) == 4
    ids = [str(m["Message-ID"]) for m in smtp_server.received()]
    assert len(ids) == len(set(ids))


def test_one_alert_per_condition_per_quiet_period(station: Station) -> None:
    t0 = dt.datetime(2026, 5, 1, 19, 0, tzinfo=dt.UTC)
    minute = dt.timedelta(minutes=1)

    def step(over: dict[str, str], at: dt.datetime) -> str | None:
        return record(station.db, over, to=TO, quiet_minutes=15, at=at)

    def owed() -> list[tuple[str, str]]:
        with station.db.session() as s:
            rows = s.execute(select(alert_notices.c.condition, alert_notices.c.kind)
                             .order_by(alert_notices.c.id)).all()
        return [(c, k) for c, k in rows[::2]]  # one per address: count the lead's

    job_id = step({"backlog": "Backlog of 30 jobs"}, t0)
    assert job_id is not None and standing_state(station) == "queued"
    step({"backlog": "Backlog of 31 jobs", "oldest": "Oldest waiting job is 16 minutes old"},
         t0 + minute)
    assert owed() == [("backlog", "alert"), ("oldest", "alert")]
    step({"oldest": "Oldest waiting job is 17 minutes old"}, t0 + 2 * minute)
    assert owed()[-1] == ("backlog", "clear")
    step({"backlog": "Backlog of 26 jobs", "oldest": "x"}, t0 + 5 * minute)  # flaps back on
    step({"oldest": "x"}, t0 + 6 * minute)  # and off: not mailed, so no all-clear either
    step({"backlog": "Backlog of 40 jobs", "oldest": "x"}, t0 + 10 * minute)
    assert len(owed()) == 3  # still within the quiet period of the first alert
    step({"backlog": "Backlog of 40 jobs", "oldest": "x"}, t0 + 15 * minute)  # on past it
    step({}, t0 + 16 * minute)
    assert owed()[3:] == [("backlog", "alert"), ("backlog", "clear"), ("oldest", "clear")]
    assert notices(station) == 2 * 6


def test_alert_settings_are_checked(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[alerts]\nemail_to = ["lead@x.example", "it@x.example"]\n'
                   "quiet_minutes = 30\n")
    a = load_settings(cfg).alerts
    assert (a.email_to, a.quiet_minutes) == (["lead@x.example", "it@x.example"], 30)
    assert (Alerts().email_to, Alerts().quiet_minutes) == ([], 15)
    for bad, words_ in (('email_to = "lead@x.example"', "must be a list"),
                        ('email_to = ["lead at x"]', "isn't an email address"),
                        ("email_to = [3]", "isn't an email address"),
                        ("quiet_minutes = 0", "at least 1")):
        cfg.write_text(f"[alerts]\n{bad}\n")
        with pytest.raises(ConfigError, match=words_):
            load_settings(cfg)


# ---- SIGKILL while an alert is being sent --------------------------------------------------

ALERT_STATION = Path(__file__).parent / "support" / "alert_station.py"


@pytest.mark.parametrize("point, copies", [("alert_before_send", 1), ("alert_after_send", 2)])
def test_killed_mid_send_the_alert_goes_once_or_once_more_with_the_same_id(
    smtp_server: SmtpServer, env: dict[str, str], data_dir: Path, tmp_path: Path,  # noqa: F811
    point: str, copies: int,
) -> None:
    cfg = tmp_path / "alerts.toml"
    cfg.write_text('[event]\nstation = "Table 3"\n[receipts]\nfrom = "receipts@riverside.example"'
                   '\n[alerts]\nbacklog = 0\noldest_minutes = 0\nneeds_attention = 1\n'
                   'email_to = ["lead@riverside.example"]\n')
    args = [sys.executable, str(ALERT_STATION), str(cfg), str(data_dir), str(smtp_server.port),
            str(smtp_server.cert_file), smtp_server.password]
    kill_at_crashpoint([*args, "attention"], env, point, 60)
    restarted = subprocess.run([*args, "run"], env=env, capture_output=True, text=True,
                               timeout=90)
    assert restarted.stdout.strip() == "done", restarted.stderr[-2000:]
    alerts = [m for m in smtp_server.received() if "alert" in str(m["Subject"])]
    assert len(alerts) == copies  # at least once; a kill after the hand-over: once more
    assert len({str(m["Message-ID"]) for m in alerts}) == 1  # the same email, by its id


def test_a_refused_alert_job_is_tried_again_once_per_quiet_period(station: Station) -> None:
    job_id = record(station.db, {"backlog": "Backlog of 30 jobs"}, to=TO, quiet_minutes=15)
    assert job_id is not None
    # what the runner writes when the sender refuses (a wrong SMTP password)
    assert station.jobs_system.ledger.claim(job_id) is not None
    station.jobs_system.ledger.mark_needs_attention(
        job_id, "The email server refused the login.", "535", "check_settings")
    with station.db.session() as s:
        parked_at = s.scalar(select(Job.updated_at).where(Job.id == job_id))
    assert parked_at is not None
    soon = record(station.db, {"backlog": "Backlog of 31 jobs"}, to=TO, quiet_minutes=15,
                  at=parked_at + dt.timedelta(minutes=14))
    assert soon is None and standing_state(station) == "needs_attention"
    later = record(station.db, {"backlog": "Backlog of 32 jobs"}, to=TO, quiet_minutes=15,
                   at=parked_at + dt.timedelta(minutes=15))
    assert later == job_id and standing_state(station) == "queued"
    assert notices(station) == 2  # still the one alert per address, owed until it goes
