"""The desk's donations list as a windowed Qt model: rows are fetched a page at a time as
they scroll into view (`canFetchMore` / `fetchMore`), never "all donations".

Searching and sorting happen in SQL (a new query resets the model and fetches its first
page). Live changes arrive keyed by id: a row already shown is updated in place, a new
gift goes on top of the newest-first list. A page that comes back for an older query
(the lead typed again meanwhile) is dropped by its generation number. The rows keyed by id,
their roles and in-place updates are KeyedRecordsModel's; this adds the paging and where new
gifts go.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from pos_app.domain.money import format_cents
from pos_app.services.desk_reads import PageQuery
from pos_app.services.records import DonationRecord

from .keyed_model import KeyedRecordsModel
from .result_panel import card_label

COL_TIME, COL_DONOR, COL_AMOUNT, COL_METHOD, COL_CARD, COL_STATUS = range(6)
SORTS = {COL_TIME: "time", COL_DONOR: "donor", COL_AMOUNT: "amount", COL_METHOD: "method",
         COL_STATUS: "status"}  # fmt: skip
STATUS_LABELS = {  # a symbol beside each word: colour is never the only signal
    "approved": "✓ " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Approved"),
    "recorded": "✓ " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Recorded"),
    "declined": "✕ " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Declined"),
    "failed": "! " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Not charged"),
    "in_doubt": "? " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Checking"),
    "processing": "… " + QT_TRANSLATE_NOOP("PagedDonationsModel", "With the bank"),
    "mismatch": "⚠ " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Answer didn't match"),
    "charging": "… " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Charging"),
    "refunded": "↩ " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Refunded"),
    "refunding": "↩ " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Refunding"),
    "voided": "– " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Voided"),
    "pledged": "✉ " + QT_TRANSLATE_NOOP("PagedDonationsModel", "Pledged"),
}
HEADERS = (
    QT_TRANSLATE_NOOP("PagedDonationsModel", "Time"),
    QT_TRANSLATE_NOOP("PagedDonationsModel", "Donor"),
    QT_TRANSLATE_NOOP("PagedDonationsModel", "Amount"),
    QT_TRANSLATE_NOOP("PagedDonationsModel", "Method"),
    QT_TRANSLATE_NOOP("PagedDonationsModel", "Card"),
    QT_TRANSLATE_NOOP("PagedDonationsModel", "Status"),
)
METHODS = {
    "card": QT_TRANSLATE_NOOP("PagedDonationsModel", "Card"),
    "cash": QT_TRANSLATE_NOOP("PagedDonationsModel", "Cash"),
    "check": QT_TRANSLATE_NOOP("PagedDonationsModel", "Check"),
}


def status_label(status: str) -> str:
    """'✓ Approved': the symbol, then the word in the window's language."""
    label = STATUS_LABELS.get(status)
    if label is None:
        return status
    symbol, word = label.split(" ", 1)
    return f"{symbol} {QCoreApplication.translate('PagedDonationsModel', word)}"


Index = QModelIndex | QPersistentModelIndex
# (generation, query) -> asks for that page off the GUI thread; the answer comes back
# through `add_page(generation, query, rows)`.
Fetcher = Callable[[int, PageQuery], None]


class PagedDonationsModel(KeyedRecordsModel[DonationRecord]):
    headers = HEADERS

    def __init__(self, fetch: Fetcher | None = None, page_size: int = 200) -> None:
        super().__init__()
        self.fetch = fetch
        self.page_size = page_size
        self.query = PageQuery(limit=page_size)
        self.generation = 0
        self._fetching = False
        self._exhausted = False
        self.pages = 0  # pages received for the current query

    # ---- what to show ----
    def display(self, d: DonationRecord, col: int) -> str:
        if col == COL_TIME:
            return d.created_at.astimezone().strftime("%H:%M:%S")
        if col == COL_DONOR:
            return d.donor_name or d.donor_email or self.tr("(anonymous)")
        if col == COL_AMOUNT:
            return format_cents(d.amount_cents, d.currency)
        if col == COL_METHOD:
            return self.tr(METHODS[d.method]) if d.method in METHODS else d.method
        if col == COL_CARD:
            return card_label(d.brand, d.last4) if d.method == "card" else ""
        if col == COL_STATUS:
            return status_label(d.status)
        return ""

    def tooltip(self, d: DonationRecord, col: int) -> str | None:
        """The full text of a cell the column may elide; the donor's email beside the name."""
        if col == COL_DONOR and d.donor_name and d.donor_email:
            return f"{d.donor_name} <{d.donor_email}>"
        return self.display(d, col) or None

    # ---- the query ----
    def set_query(self, **changes: Any) -> None:
        """A new search or sort: start over from its first page."""
        query = dataclasses.replace(self.query, offset=0, after=None, **changes)
        if query == self.query and self.pages:
            return
        self.beginResetModel()
        self.query = query
        self.generation += 1
        self.clear()
        self._fetching = self._exhausted = False
        self.pages = 0
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent) or self.fetch is None:
            return
        self._fetching = True
        q = self.query
        if q.sort == "time" and self._ids:
            last = self._rows[self._ids[-1]]
            q = dataclasses.replace(q, after=(last.created_at, last.id))
        elif self._ids:
            q = dataclasses.replace(q, offset=len(self._ids))
        self.fetch(self.generation, q)

    def add_page(self, generation: int, rows: list[DonationRecord]) -> None:
        if generation != self.generation:
            return  # an answer to a query the lead has moved on from
        self._fetching = False
        self.pages += 1
        self._exhausted = len(rows) < self.query.limit
        self.append([r for r in rows if r.id not in self._pos])

    def page_failed(self, generation: int) -> None:
        if generation == self.generation:
            self._fetching = False

    # ---- live changes ----
    def apply(self, records: list[DonationRecord]) -> None:
        """Changed or new donations, keyed by id: in place, or on top of the default list."""
        new = self.update_known(records)
        q = self.query
        if not new or not self.pages or q.search or q.sort != "time" or not q.descending:
            # Shown when the lead searches or sorts again; the default view gets them now.
            return
        top = self._rows[self._ids[0]] if self._ids else None
        newer = sorted(
            (r for r in new if top is None or (r.created_at, r.id) > (top.created_at, top.id)),
            key=lambda r: (r.created_at, r.id),
            reverse=True,
        )
        self.prepend(newer)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks sort in SQL, over every donation, not just the rows loaded."""
        self.set_query(
            sort=SORTS.get(column, "time"),
            descending=order == Qt.SortOrder.DescendingOrder,
        )

