"""The desk's donations list is windowed: pages are read as they scroll into view, search
runs in SQL over every gift, and a new gift lands on top without reloading the list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pos_app.api import Donor, Station
from pos_app.ui.desk import EventDesk
from pos_app.ui.tasks import TaskRunner

PAGE = 5
N = 60  # more than the view shows, so some pages wait until scrolled to


@pytest.fixture
def tasks() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


@pytest.fixture
def desk(qtbot, station: Station, tasks: TaskRunner) -> Iterator[EventDesk]:
    for i in range(N):
        station.record_donation(1000 + i, Donor(f"Donor {i:02d}", f"d{i}@example.org"), "cash")
    d = EventDesk(station, tasks)
    d.model.page_size = PAGE
    d.model.set_query(limit=PAGE)
    qtbot.addWidget(d)
    yield d
    d.stop()


def settled(m) -> bool:  # type: ignore[no-untyped-def]
    return m.pages >= 1 and not m._fetching


def test_pages_are_fetched_as_they_scroll_into_view(qtbot, desk: EventDesk) -> None:
    m = desk.model
    qtbot.waitUntil(lambda: settled(m))
    shown = len(m.records())
    # the view asks for pages until its viewport is full, not for every gift
    assert PAGE <= shown < N and shown % PAGE == 0 and m.canFetchMore()
    assert [r.donor_name for r in m.records()[:2]] == [f"Donor {N - 1:02d}", f"Donor {N - 2:02d}"]
    desk.table.scrollToBottom()
    qtbot.waitUntil(lambda: settled(m) and len(m.records()) > shown)
    while m.canFetchMore():
        m.fetchMore()
        qtbot.waitUntil(lambda: settled(m))
    assert len(m.records()) == N
    assert len({r.id for r in m.records()}) == N  # keyset pages never overlap


def test_search_and_sort_run_over_every_gift(qtbot, desk: EventDesk) -> None:
    m = desk.model
    qtbot.waitUntil(lambda: settled(m))
    desk.search.setText("donor 01")
    qtbot.waitUntil(lambda: [r.donor_name for r in m.records()] == ["Donor 01"])
    desk.search.clear()
    qtbot.waitUntil(lambda: settled(m) and len(m.records()) >= PAGE)
    m.sort(2)  # amount, smallest first: from rows not loaded yet
    qtbot.waitUntil(lambda: settled(m) and m.records()[0].amount_cents == 1000)


def test_a_new_gift_goes_on_top_and_a_change_lands_in_place(
    qtbot, desk: EventDesk, station: Station
) -> None:
    m = desk.model
    desk.start()
    qtbot.waitUntil(lambda: settled(m) and desk.loads >= 1)
    before = len(m.records())
    new = station.record_donation(9900, Donor("Late Donor", ""), "cash")
    desk.refresh()
    qtbot.waitUntil(lambda: m.records()[0].id == new.donation_id)
    assert new.donation_id
    station.refund(new.donation_id, "wrong amount typed")
    desk.refresh()
    qtbot.waitUntil(lambda: m.records()[0].status == "voided")
    assert len(m.records()) == before + 1
