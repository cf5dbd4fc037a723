"""How a grid cell's kind of value looks: colour, font and alignment (ionfmt.cell's kinds).

A string and the number or null it reads like must not look alike: nulls are grey italics,
numbers are right-aligned in the link colour, symbols in a colour of their own. The roles are
built once per palette and looked up per cell: the grid asks on every paint.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

from ..ionfmt import NULL, NUMBER, SYMBOL

Role = Qt.ItemDataRole
STYLE_ROLES = frozenset({Role.ForegroundRole, Role.FontRole, Role.TextAlignmentRole})
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

#: tampered rows (a failed verification names them): a translucent red, readable on light
#: and dark palettes alike
TAMPERED_BACKGROUND = QColor(214, 48, 49, 70)

_table: dict[int, dict[int, Any]] = {}
_palette_key: int | None = None


def _build(palette: QPalette) -> dict[int, dict[int, Any]]:
    italic = QFont()
    italic.setItalic(True)
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    fg, font, align = (int(r) for r in (Role.ForegroundRole, Role.FontRole,
                                        Role.TextAlignmentRole))
    return {  # int keys: multiData gets each role as an int
        NULL: {fg: palette.color(QPalette.ColorRole.PlaceholderText), font: italic},
        NUMBER: {fg: palette.color(QPalette.ColorRole.Link), align: _RIGHT},
        SYMBOL: {fg: QColor("#c39be0" if dark else "#7d3c98")},
    }


_NONE: dict[int, Any] = {}


def roles_for(kind: int) -> dict[int, Any]:
    """role -> value for a cell of `kind` (a role it lacks: the view's default). One look per
    painted cell: the palette's key is checked here, not once per role."""
    global _table, _palette_key
    key = QGuiApplication.palette().cacheKey()
    if key != _palette_key:  # built again when the light/dark scheme changes
        _table, _palette_key = _build(QGuiApplication.palette()), key
    return _table.get(kind, _NONE)


def style(kind: int, role: int) -> Any:
    """The value of `role` for a cell of `kind` (None: the view's default)."""
    return roles_for(kind).get(int(role))
