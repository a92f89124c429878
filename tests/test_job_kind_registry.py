"""A new job kind is one file plus a registration: here a thank-you note, written to the
outbox, is registered by the test alone (no edit to the core), and every place that shows
jobs — the ledger, the runner, the lead's panel and its kind filter, alerts and the
closing summary, the CLI table and the CSV export — knows it by its own label."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from support.jobwait import wait_for

from jobs import registry
from jobs.context import JobContext
from jobs.ledger import Work
from jobs.records import JobState
from jobs.registry import JobKindSpec
from pos_app.api import Donor, Station
from pos_app.cli import main
from pos_app.receipts.message import OutgoingEmail
from pos_app.receipts.render import RenderedReceipt
from pos_app.store.models import Donation
from pos_app.ui.jobs_model import COL_KIND, COL_STATE
from pos_app.ui.jobs_panel import JobsPanel
from pos_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.timeout(60)

NAME = "thank_you"


class ThankYouNote:
    """The test kind's body: a short note from the organisation, through the sender."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx

    def __call__(self, work: Work) -> str:
        settings = self.ctx.settings()
        with self.ctx.db.session() as s:
            d = s.get(Donation, work.donation_id)
            assert d is not None
            to, name = d.donor_email, d.donor_name
        note = RenderedReceipt(
            subject=f"Thank you from {settings.organization.name}",
            text=f"Dear {name}, thank you for coming to {settings.event.name}.",
            html=f"<p>Dear {name}, thank you for coming.</p>",
        )
        ref = self.ctx.sender.send(
            OutgoingEmail.of(
                note,
                to_email=to,
                to_name=name,
                from_email=settings.receipts.sender,
                from_name=settings.organization.name,
                receipt_number=f"thanks-{work.donation_id[:8]}",
                donation_id=work.donation_id,
            )
        )
        self.ctx.ledger.mark_done(work.id, ref, sent=True)
        return ref


@pytest.fixture
def thank_you() -> Iterator[JobKindSpec]:
    spec = registry.register(
        JobKindSpec(
            name=NAME,
            label="Thank-you note",
            plural="Thank-you notes",
            noun=("thank-you note", "thank-you notes"),
            doing="writing the thank-you note",
            delivery="at least once",
            follows_gift=lambda d, _ctx: d.method != "card" and bool(d.donor_email),
            make_body=ThankYouNote,
            state_words={JobState.DONE: "Written"},
        )
    )
    yield spec
    registry.unregister(NAME)


def test_a_registered_kind_is_everywhere(
    thank_you: JobKindSpec, station: Station, data_dir: Path, tmp_path: Path, qtbot,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gift = station.record_donation(2000, Donor("Ada Lovelace", "ada@example.org"), "cash")
    jobs = {j.kind: j for j in station.jobs(gift.donation_id)}
    assert set(jobs) == {"receipt", NAME}  # created with the gift, beside the receipt
    assert jobs[NAME].kind_label == "Thank-you note"
    # Not run yet: closing now names it in its own words.
    assert "1 thank-you note" in (station.closing_summary() or "")

    station.start_jobs()
    done = wait_for(
        lambda: station.job(jobs[NAME].id).state == JobState.DONE, why="the note to be written"
    )
    assert done
    note = station.job(jobs[NAME].id)
    assert note.state_label == "Written"
    written = list(station.paths.outbox_dir.rglob("*thanks-*.eml"))
    assert len(written) == 1
    msg = message_from_bytes(written[0].read_bytes())
    assert msg["To"].endswith("<ada@example.org>") and "Thank you from" in msg["Subject"]

    # The lead's panel: its own label, its own filter entry, its own state word.
    tasks = TaskRunner()
    panel = JobsPanel(station, tasks)
    qtbot.addWidget(panel)
    panel.start()
    qtbot.waitUntil(lambda: panel.model.row_of(note.id) is not None, timeout=10_000)
    labels = [panel.kind_filter.itemText(i) for i in range(panel.kind_filter.count())]
    assert "Thank-you notes" in labels
    panel.state_filter.setCurrentIndex(0)  # all jobs, finished ones too
    panel.kind_filter.setCurrentIndex(labels.index("Thank-you notes"))
    assert panel.proxy.rowCount() == 1
    assert panel.proxy.index(0, COL_KIND).data() == "Thank-you note"
    assert panel.proxy.index(0, COL_STATE).data().endswith("Written")
    panel.table.selectRow(0)
    assert panel.detail_title.text().startswith("Thank-you note for Ada Lovelace")
    assert not panel.email_btn.isEnabled()  # the kind declares no "fix_email" action
    panel.stop()
    tasks.shutdown()

    # The bookkeeper's export.
    out = tmp_path / "jobs.csv"
    station.export_jobs_csv(out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        kinds = {row["Kind"] for row in csv.DictReader(f)}
    assert kinds == {"Receipt", "Thank-you note"}

    # IT's table, from the CLI beside the open station.
    assert main(["jobs"]) == 0
    assert "Thank-you note" in capsys.readouterr().out


def test_a_kind_that_fails_says_so_in_its_own_words(
    thank_you: JobKindSpec, station: Station
) -> None:
    def broken(_ctx: JobContext):  # type: ignore[no-untyped-def]
        def run(_work: Work) -> str:
            raise ZeroDivisionError("a bug in the note")

        return run

    registry.register(
        JobKindSpec(**{**thank_you.__dict__, "make_body": broken})  # same kind, buggy body
    )
    gift = station.record_donation(1000, Donor("Bo", "bo@example.org"), "check", "1001")
    note = next(j for j in station.jobs(gift.donation_id) if j.kind == NAME)
    station.start_jobs()
    failed = wait_for(
        lambda: (j := station.job(note.id)).state == JobState.NEEDS_ATTENTION and j,
        why="the buggy note to need attention",
    )
    assert "while writing the thank-you note" in (failed.last_error or "")
    alerts = [a.message for a in station.alerts()]
    assert "1 job needs attention" in alerts


def test_a_row_of_a_kind_no_longer_registered_is_shown_not_crashed(
    thank_you: JobKindSpec, station: Station
) -> None:
    gift = station.record_donation(1000, Donor("Cy", "cy@example.org"), "cash")
    registry.unregister(NAME)
    note = next(j for j in station.jobs(gift.donation_id) if j.kind == NAME)
    assert note.kind_label == "Thank you"
    station.start_jobs()
    stuck = wait_for(
        lambda: (j := station.job(note.id)).state == JobState.NEEDS_ATTENTION and j,
        why="the orphaned job to wait for a person",
    )
    assert "doesn't know the job kind" in (stuck.last_error or "")
