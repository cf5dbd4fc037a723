"""One Python call per painted cell instead of one per role (see DocumentsModel.multiData)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

PAINT_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                         Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole,
                         Qt.ItemDataRole.FontRole})


class OneCallPerCell:
    """Mixin for item models: answer a delegate's roles in one `multiData` call."""

    def multiData(self, index: Any, span: Any) -> None:  # noqa: N802 - Qt's name
        valid = index.isValid()
        for item in span:
            # Every entry is written, None included: delegates reuse the span across cells,
            # so an entry left alone would keep the previous cell's value (its colour...).
            role = item.role()
            item.setData(self.data(index, role) if valid and role in PAINT_ROLES  # type: ignore[attr-defined]
                         else None)
