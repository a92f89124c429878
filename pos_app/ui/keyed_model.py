"""A table model of plain records keyed by their `id`, updated in place.

`apply(records)` appends unseen records and emits `dataChanged` only for rows whose record
changed; nothing is looked up by row position alone, so late results land on the right row.
Subclasses say how a record is shown and sorted.
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
        new = []
        last = len(self.headers) - 1
        for r in records:
            key = r.id  # type: ignore[attr-defined]
            row = self._pos.get(key)
            if row is None:
                new.append(r)
            elif self._rows[key] != r:
                self._rows[key] = r
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))
        if new:
            first = len(self._ids)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for r in new:
                key = r.id  # type: ignore[attr-defined]
                self._pos[key] = len(self._ids)
                self._ids.append(key)
                self._rows[key] = r
            self.endInsertRows()

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
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
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
