"""The pending-jobs panel through pytest-qt, driven by real job states from the real queue:
an SMTP server (aiosmtpd) that is down then up, a bounced address fixed and resent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.utils import parseaddr

import pytest
from PySide6.QtCore import Qt
from support.job_fixtures import (  # noqa: F401
    StationFactory,
    make_station,
    smtp_keyring,
    smtp_server,
    smtp_station,
)
from support.memory_keyring import MemoryKeyring
from support.smtp_server import SmtpServer

from pos_app.api import Card, Donor, Station
from pos_app.ui.jobs_panel import JobsPanel
from pos_app.ui.tasks import TaskRunner

CARD = Card("4242424242424242", 12, dt.date.today().year + 2, "123")
pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def station_smtp(
    make_station: StationFactory,  # noqa: F811
    smtp_server: SmtpServer,  # noqa: F811
    smtp_keyring: MemoryKeyring,  # noqa: F811
) -> Station:
    return smtp_station(make_station, smtp_server)


@pytest.fixture
def panel(qtbot, station_smtp: Station) -> Iterator[JobsPanel]:
    tasks = TaskRunner()
    p = JobsPanel(station_smtp, tasks)
    qtbot.addWidget(p)
    p.resize(1200, 600)
    p.show()
    p.start()
    yield p
    p.stop()
    tasks.shutdown()


def states(p: JobsPanel) -> dict[tuple[str, str], str]:
    return {(r.donor_name, r.kind): r.state for r in p.model.records()}


def test_panel_follows_real_jobs_and_fixes_a_bad_address(
    qtbot, panel: JobsPanel, station_smtp: Station, smtp_server: SmtpServer  # noqa: F811
):
    st = station_smtp
    smtp_server.down()
    st.start_jobs()
    st.take_card_donation(5000, Donor("Jane Donor", "jane@example.org"), CARD)
    st.record_donation(2000, Donor("Bo Bounce", "bounce@example.org"), "cash")
    st.record_donation(1000, Donor("No Email", ""), "cash")  # no email: no receipt job

    qtbot.waitUntil(lambda: states(panel).get(("Jane Donor", "receipt")) == "retry_scheduled",
                    timeout=20000)  # fmt: skip
    qtbot.waitUntil(lambda: states(panel).get(("Jane Donor", "save_card")) == "done")
    assert ("No Email", "receipt") not in states(panel)
    qtbot.waitUntil(lambda: "Offline" in panel.summary.text(), timeout=20000)
    assert "retrying" in panel.summary.text()

    smtp_server.up()
    qtbot.waitUntil(lambda: states(panel).get(("Jane Donor", "receipt")) == "done", timeout=30000)
    qtbot.waitUntil(
        lambda: states(panel).get(("Bo Bounce", "receipt")) == "needs_attention", timeout=30000
    )
    qtbot.waitUntil(lambda: "Online" in panel.summary.text(), timeout=20000)

    # filter to what needs a human, select it, read why, fix the address and resend
    panel.state_filter.setCurrentText("Needs attention")
    assert panel.proxy.rowCount() == 1
    [bounce] = [r for r in panel.model.records() if r.donor_name == "Bo Bounce"]
    panel.select_job(bounce.id)
    assert "Bo Bounce" in panel.detail_title.text()
    assert panel.detail_error.text()  # the plain-words reason
    assert bounce.id in panel.detail_text.toPlainText()
    assert panel.email_edit.text() == "bounce@example.org"
    panel.email_edit.clear()
    qtbot.keyClicks(panel.email_edit, "bo@example.org")
    qtbot.mouseClick(panel.email_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: states(panel).get(("Bo Bounce", "receipt")) == "done", timeout=30000)
    sent_to = [parseaddr(str(m["To"]))[1] for m in smtp_server.received()]
    assert "bo@example.org" in sent_to and sent_to.count("jane@example.org") == 1


def test_discard_needs_a_reason_and_keeps_it(
    qtbot, panel: JobsPanel, station_smtp: Station, smtp_server: SmtpServer  # noqa: F811
):
    st = station_smtp
    st.start_jobs()
    st.record_donation(2000, Donor("Bo Bounce", "bounce@example.org"), "cash")
    qtbot.waitUntil(
        lambda: states(panel).get(("Bo Bounce", "receipt")) == "needs_attention", timeout=30000
    )
    [job] = panel.model.records()
    panel.select_job(job.id)
    qtbot.mouseClick(panel.discard_btn, Qt.MouseButton.LeftButton)
    assert "Give a reason" in panel.feedback.text()
    assert st.job(job.id).state == "needs_attention"
    qtbot.keyClicks(panel.discard_reason, "Donor asked for no receipt")
    qtbot.mouseClick(panel.discard_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: states(panel).get(("Bo Bounce", "receipt")) == "discarded")
    assert st.job(job.id).discard_reason == "Donor asked for no receipt"
    panel.state_filter.setCurrentText("Discarded")
    assert panel.proxy.rowCount() == 1


def test_search_and_kind_filter(qtbot, panel: JobsPanel, station_smtp: Station):
    st = station_smtp
    st.take_card_donation(5000, Donor("Jane Donor", "jane@example.org"), CARD)
    st.record_donation(2000, Donor("Sam Cash", "sam@example.org"), "cash")
    qtbot.waitUntil(lambda: len(panel.model.records()) == 3)
    panel.state_filter.setCurrentText("All jobs")
    panel.kind_filter.setCurrentText("Receipts")
    assert panel.proxy.rowCount() == 2
    qtbot.keyClicks(panel.search, "sam@")
    assert panel.proxy.rowCount() == 1


def test_a_card_typed_into_a_discard_reason_is_not_kept(
    qtbot, panel: JobsPanel, station_smtp: Station
):
    st = station_smtp
    st.start_jobs()
    st.record_donation(2000, Donor("Bo Bounce", "bounce@example.org"), "cash")
    qtbot.waitUntil(
        lambda: states(panel).get(("Bo Bounce", "receipt")) == "needs_attention", timeout=30000
    )
    [job] = panel.model.records()
    panel.select_job(job.id)
    qtbot.keyClicks(panel.discard_reason, "oops 4242 4242 4242 4242 typed here")
    qtbot.mouseClick(panel.discard_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: st.job(job.id).state == "discarded")
    reason = st.job(job.id).discard_reason or ""
    assert "4242 4242 4242 4242" not in reason and "•••• 4242" in reason
