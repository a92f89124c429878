"""A table model of plain records keyed by their `id`, updated in place.

`apply(records)` appends unseen records and emits `dataChanged` only for rows whose record
changed; nothing is looked up by row position alone, so late results land on the right row.
Subclasses say how a record is shown and sorted, and may place new rows differently (the
desk's paged list puts new gifts on top) with the same row bookkeeping underneath.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
RECORD_ROLE = Qt.ItemDataRole.UserRole + 3

R = TypeVar("R")

Index = QModelIndex | QPersistentModelIndex


class KeyedRecordsModel(QAbstractTableModel, Generic[R]):
    headers: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._ids: list[str] = []
        self._rows: dict[str, R] = {}
        self._pos: dict[str, int] = {}

    # ---- how records look: override ----
    def display(self, record: R, column: int) -> str:
        raise NotImplementedError

    def sort_key(self, record: R, column: int) -> Any:
        return self.display(record, column).lower()

    def foreground(self, record: R, column: int) -> Any:
        return None

    def tooltip(self, record: R, column: int) -> str | None:
        return None

    # ---- updates ----
    def apply(self, records: list[R]) -> None:
        self.append(self.update_known(records))

    def update_known(self, records: list[R]) -> list[R]:
        """Replace the rows already shown (one `dataChanged` per run of changed rows) and
        return the records not shown yet, for the caller to place."""
        changed: list[int] = []
        unseen: list[R] = []
        for r in records:
            key = r.id  # type: ignore[attr-defined]
            row = self._pos.get(key)
            if row is None:
                unseen.append(r)
            elif self._rows[key] != r:
                self._rows[key] = r
                changed.append(row)
        last = len(self.headers) - 1
        for first, end in _runs(sorted(changed)):
            self.dataChanged.emit(self.index(first, 0), self.index(end, last))
        return unseen

    def append(self, records: list[R]) -> None:
        """Unseen records as new rows at the bottom."""
        if not records:
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
        for r in records:
            key = r.id  # type: ignore[attr-defined]
            self._pos[key] = len(self._ids)
            self._ids.append(key)
            self._rows[key] = r
        self.endInsertRows()

    def prepend(self, records: list[R]) -> None:
        """Unseen records as new rows on top, in the order given."""
        if not records:
            return
        self.beginInsertRows(QModelIndex(), 0, len(records) - 1)
        self._ids[:0] = [r.id for r in records]  # type: ignore[attr-defined]
        for r in records:
            self._rows[r.id] = r  # type: ignore[attr-defined]
        self._pos = {key: i for i, key in enumerate(self._ids)}
        self.endInsertRows()

    def clear(self) -> None:
        """Forget every row (inside the caller's beginResetModel/endResetModel)."""
        self._ids, self._rows, self._pos = [], {}, {}

    def record(self, key: str) -> R | None:
        return self._rows.get(key)

    def row_of(self, key: str) -> int | None:
        return self._pos.get(key)

    def records(self) -> list[R]:
        return [self._rows[i] for i in self._ids]

    # ---- Qt model API ----
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.headers[section])
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        r = self._rows[self._ids[index.row()]]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(r, col)
        if role == ID_ROLE:
            return r.id  # type: ignore[attr-defined]
        if role == RECORD_ROLE:
            return r
        if role == SORT_ROLE:
            return self.sort_key(r, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(r, col)
        return None


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) ranges: one dataChanged per run."""
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        elif not out or r != out[-1][1]:
            out.append((r, r))
    return out
