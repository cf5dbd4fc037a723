"""Copy, for every view: Ctrl+C copies what the focused pane has selected, and Copy as Ion, JSON
or CSV copy the selected rows of a grid of values (documents, query results, revisions).

Edit > Copy owns Ctrl+C at the window (so it works in read-only panes, which do not take the
key themselves) and hands it to the focused widget: selected text in a text pane or label, the
selected rows of a grid of values as Ion (as the documents grid always did), the selected
cells of any other grid as tab-separated text. Views that show values offer `copy_grid(grid)`
(Ctrl+C in one of their grids), `copy_rows(fmt)` and `can_copy_rows()` (the Copy as items).
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from typing import Any

from amazon.ion.core import IonType
from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from ..engine.diff import ion_type, is_null
from ..engine.struct_columns import Column
from . import gui_delivery
from .icons import icon
from .ionfmt import as_csv, as_ion, as_json, result_cell_text
from .wording import count

#: the Edit menu's "Copy as" actions and the format each writes
COPY_AS = {"copy_ion": "ion", "copy_json": "json", "copy_csv": "csv"}
#: more rows than this are written in a thread (60,000 rows as Ion took seconds)
SYNC_ROWS = 2_000


def values_text(values: list[Any], fmt: str, columns: list[Column] | None = None) -> str:
    """`values` as Ion text, JSON or CSV (the documents grid's formats). CSV of values that
    are not all structs (SELECT VALUE 5) has one column, "value"."""
    if fmt == "ion":
        return as_ion(values)
    if fmt == "json":
        return as_json(values)
    if columns is None and any(ion_type(v) != IonType.STRUCT or is_null(v) for v in values):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["value"])
        writer.writerows([result_cell_text(v)] for v in values)
        return buf.getvalue()
    return as_csv(values, columns)


def copy_values(owner: QObject, values: list[Any], fmt: str, columns: list[Column] | None,
                done: Callable[[str], None], noun: str = "row") -> str:
    """Put `values` on the clipboard in `fmt`; `done(message)` says so. Returns the text when
    written at once, "" when a thread writes it (many rows) or there is nothing to copy."""
    if not values:
        done("Nothing selected to copy")
        return ""
    what = f"{count(len(values), noun)} as {fmt.upper()}"
    if len(values) <= SYNC_ROWS:
        text = values_text(values, fmt, columns)
        QGuiApplication.clipboard().setText(text)
        done(f"Copied {what}")
        return text

    def arrived(text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        done(f"Copied {what}")

    deliver = gui_delivery.expect(owner, arrived)
    rows = list(values)

    def write() -> None:
        deliver(values_text(rows, fmt, columns))

    done(f"Copying {what}…")
    threading.Thread(target=write, name="copy rows", daemon=True).start()
    return ""


def selected_rows(view: QAbstractItemView) -> list[int]:
    """The rows of the view's selection (row or cell ranges), else its current row."""
    model = view.selectionModel()
    rows: set[int] = set()
    for r in model.selection():
        rows.update(range(r.top(), r.bottom() + 1))
    if not rows and view.currentIndex().isValid():
        rows.add(view.currentIndex().row())
    return sorted(rows)


def cells_text(view: QAbstractItemView) -> str:
    """The selected cells as tab-separated lines (a spreadsheet pastes them as cells), in the
    order shown; else the current cell."""
    model = view.model()
    indexes = view.selectionModel().selectedIndexes() or (
        [view.currentIndex()] if view.currentIndex().isValid() else [])
    rows: dict[int, dict[int, str]] = {}
    for i in indexes:
        rows.setdefault(i.row(), {})[i.column()] = str(
            model.data(i, Qt.ItemDataRole.DisplayRole) or "")
    columns = sorted({c for cells in rows.values() for c in cells})
    return "\n".join("\t".join(cells.get(c, "") for c in columns)
                     for _r, cells in sorted(rows.items()))


def copy_focused(widget: QWidget | None) -> bool:
    """Ctrl+C: copy what `widget` (the focused one) has selected. False: nothing was."""
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        if not widget.textCursor().hasSelection():
            return False
        widget.copy()
        return True
    if isinstance(widget, QLineEdit):
        if not widget.hasSelectedText() or widget.echoMode() != QLineEdit.EchoMode.Normal:
            return False
        widget.copy()
        return True
    if isinstance(widget, QLabel):
        if not widget.hasSelectedText():
            return False
        QGuiApplication.clipboard().setText(widget.selectedText())
        return True
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        owner = widget.parentWidget()
        while owner is not None:  # the view the grid is part of may copy its values
            copy_grid = getattr(owner, "copy_grid", None)
            if copy_grid is not None and copy_grid(widget):
                return True
            owner = owner.parentWidget()
        text = cells_text(widget)
        if not text:
            return False
        QGuiApplication.clipboard().setText(text)
        return True
    return False


def row_menu(grid: QAbstractItemView, pos: QPoint, copy: Callable[[str], Any],
             history: Callable[[], Any] | None, block: Callable[[], Any] | None) -> QMenu:
    """The grids' right-click menu: Revision History, Go to Block (disabled where the row
    names no document or block), then Copy as Ion, JSON, CSV. Shown at `pos`."""
    menu = QMenu(grid)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    act = menu.addAction(icon("history"), "Revision History", history or (lambda: None))
    act.setEnabled(history is not None)
    act = menu.addAction(icon("go-block"), "Go to Block", block or (lambda: None))
    act.setEnabled(block is not None)
    menu.addSeparator()
    for fmt, label in (("ion", "Ion"), ("json", "JSON"), ("csv", "CSV")):
        menu.addAction(icon("copy"), f"Copy as {label}", lambda f=fmt: copy(f))
    menu.popup(grid.viewport().mapToGlobal(pos))
    return menu


def copy_in_window(window: QWidget, say: Callable[[str], None]) -> bool:
    """Edit > Copy (Ctrl+C) in `window`: the focused widget's selection; `say` tells the user
    when nothing was selected (the key did nothing before, silently)."""
    # the window's own focus child: the shortcut fired in this window, which need not be the
    # application's active window (QApplication.focusWidget() may belong to another)
    if copy_focused(window.window().focusWidget()):
        return True
    say("Nothing selected to copy")
    return False
