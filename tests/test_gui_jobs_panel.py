"""The pending-jobs panel through pytest-qt, driven by real job states from the real queue:
an SMTP server (aiosmtpd) that is down then up, a bounced address fixed and resent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.utils import parseaddr

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView
from support.job_fixtures import (  # noqa: F401
    StationFactory,
    make_station,
    smtp_keyring,
    smtp_server,
    smtp_station,
)
from support.jobwait import wait_for
from support.memory_keyring import MemoryKeyring
from support.smtp_server import SmtpServer

from pos_app.api import Card, Donor, GiftOptions, Station
from pos_app.ui.jobs_model import COL_ERROR
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


YES = GiftOptions(save_card=True)  # the donor agreed: the card is saved by a job too


def test_panel_follows_real_jobs_and_fixes_a_bad_address(
    qtbot, panel: JobsPanel, station_smtp: Station, smtp_server: SmtpServer  # noqa: F811
):
    st = station_smtp
    smtp_server.down()
    st.start_jobs()
    st.take_card_donation(5000, Donor("Jane Donor", "jane@example.org"), CARD, YES)
    st.record_donation(2000, Donor("Bo Bounce", "bounce@example.org"), "cash")
    st.record_donation(1000, Donor("No Email", ""), "cash")  # no email: no receipt job

    qtbot.waitUntil(lambda: states(panel).get(("Jane Donor", "receipt")) == "retry_scheduled",
                    timeout=20000)  # fmt: skip
    qtbot.waitUntil(lambda: states(panel).get(("Jane Donor", "save_card")) == "done")
    assert ("No Email", "receipt") not in states(panel)
    # Between tries a receipt is "running" for a moment: wait for the summary to say both.
    qtbot.waitUntil(
        lambda: "Offline" in panel.summary.text() and "retrying" in panel.summary.text(),
        timeout=20000,
    )

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
    assert "Gift of $20.00 at" in panel.detail.facts.text()
    assert bounce.id in panel.detail_text.toPlainText()  # ids: only in the detail for IT
    cells = [panel.proxy.index(r, c).data() for r in range(panel.proxy.rowCount())
             for c in range(panel.proxy.columnCount())]  # fmt: skip
    assert not [c for c in cells if bounce.id in c or bounce.donation_id in c]
    # the problem column takes the room left, and its whole text is in the tooltip
    header = panel.table.horizontalHeader()
    assert header.sectionResizeMode(COL_ERROR) == QHeaderView.ResizeMode.Stretch
    problem = panel.proxy.index(0, COL_ERROR)
    assert problem.data(Qt.ItemDataRole.ToolTipRole) == problem.data() == bounce.last_error
    assert panel.retry_btn.isEnabled() and panel.discard_btn.isEnabled()
    assert not panel.open_btn.isEnabled()  # sent by SMTP: no file to show
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
    st.take_card_donation(5000, Donor("Jane Donor", "jane@example.org"), CARD, YES)
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


@pytest.fixture
def outbox_panel(qtbot, station: Station) -> Iterator[JobsPanel]:
    tasks = TaskRunner()
    p = JobsPanel(station, tasks)
    qtbot.addWidget(p)
    p.resize(1200, 600)
    p.show()
    p.start()
    yield p
    p.stop()
    tasks.shutdown()


def test_empty_tables_say_what_they_mean_and_done_jobs_offer_no_retry(
    qtbot, outbox_panel: JobsPanel, station: Station
):
    panel = outbox_panel
    qtbot.waitUntil(lambda: panel.loads >= 1)
    assert panel.empty.isVisible() and panel.empty.text().startswith("No jobs yet")
    assert not panel.retry_all_btn.isEnabled()
    station.start_jobs()
    gift = station.record_donation(2000, Donor("Ada Lovelace", "ada@example.org"), "cash")
    qtbot.waitUntil(lambda: [r.state for r in panel.model.records()] == ["done"], timeout=20000)
    # "Not finished" is empty, and says that all is done rather than nothing at all
    assert panel.empty.isVisible() and not panel.table.isVisible()
    assert panel.empty.text() == "All jobs are done — nothing waiting"
    assert panel.health.text() == "● All good — nothing waiting"
    panel.state_filter.setCurrentText("All jobs")
    assert panel.table.isVisible() and panel.proxy.rowCount() == 1
    [job] = station.jobs(gift.donation_id)
    panel.select_job(job.id)
    assert not panel.retry_btn.isEnabled() and not panel.discard_btn.isEnabled()
    assert not panel.retry_all_btn.isEnabled()


def test_a_sent_receipt_is_shown_inside_the_app(
    qtbot, outbox_panel: JobsPanel, station: Station
):
    panel = outbox_panel
    station.start_jobs()
    gift = station.record_donation(4200, Donor("Ada Lovelace", "ada@example.org"), "cash")
    qtbot.waitUntil(lambda: [r.state for r in panel.model.records()] == ["done"], timeout=20000)
    panel.state_filter.setCurrentText("All jobs")
    [job] = station.jobs(gift.donation_id)
    panel.select_job(job.id)
    assert panel.open_btn.isEnabled() and panel.open_btn.text() == "Show receipt"
    qtbot.mouseClick(panel.open_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.detail.receipt_dialog is not None)
    dialog = panel.detail.receipt_dialog
    assert dialog.isVisible() and not dialog.isModal()
    assert "$42.00" in dialog.text() and "Ada" in dialog.text()
    assert dialog.body.isReadOnly()
    assert panel.feedback.text() == "Showing the receipt sent to Ada Lovelace <ada@example.org>."
    dialog.close()


def test_retry_says_what_it_did_in_plain_words(
    qtbot, panel: JobsPanel, station_smtp: Station, smtp_server: SmtpServer  # noqa: F811
):
    smtp_server.down()
    station_smtp.start_jobs()
    station_smtp.record_donation(2000, Donor("Sam Cash", "sam@example.org"), "cash")
    qtbot.waitUntil(lambda: states(panel).get(("Sam Cash", "receipt")) == "retry_scheduled",
                    timeout=20000)  # fmt: skip
    assert panel.health.text().startswith(("◆", "▲"))
    [job] = panel.model.records()
    panel.select_job(job.id)
    assert panel.retry_btn.isEnabled()
    smtp_server.up()
    qtbot.mouseClick(panel.retry_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.feedback.text().startswith("Sent"))
    assert panel.feedback.text() == (
        "Sent the receipt for Sam Cash back to the queue: it runs now."
    )
    assert "(s)" not in panel.feedback.text()


def test_a_long_night_lists_what_needs_doing_and_only_the_newest_finished(
    qtbot, station_smtp: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The panel's full read follows the work, not the night's total: every job still to
    do or needing a person, the newest FINISHED_SHOWN finished ones, and the counts for
    all of them with a line saying where the rest are."""
    import pos_app.ui.jobs_panel as jobs_panel

    monkeypatch.setattr(jobs_panel, "FINISHED_SHOWN", 2)
    st = station_smtp
    st.start_jobs()
    for n in range(4):
        st.record_donation(1000 + n, Donor(f"Done {n}", f"d{n}@example.org"), "cash")
    wait_for(lambda: [j.state for j in st.jobs()] == ["done"] * 4, why="four receipts sent")
    st.stop_jobs()
    st.record_donation(2000, Donor("Still Waiting", "w@example.org"), "cash")  # queued
    newest = [j.id for j in sorted(st.jobs(), key=lambda j: j.updated_at) if j.state == "done"]
    tasks = TaskRunner()
    p = JobsPanel(st, tasks)
    qtbot.addWidget(p)
    p.show()
    p.start()
    try:
        qtbot.waitUntil(lambda: len(p.model.records()) == 3, timeout=10000)
        listed = {r.id: r.state for r in p.model.records()}
        assert sorted(s for s in listed.values()) == ["done", "done", "queued"]
        assert {i for i, s in listed.items() if s == "done"} == set(newest[-2:])
        qtbot.waitUntil(lambda: "4 done" in p.summary.text(), timeout=10000)
        assert "the latest 2 finished listed; Export jobs… has them all" in p.summary.text()
    finally:
        p.stop()
        tasks.shutdown()
