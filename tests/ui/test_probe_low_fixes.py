"""Low findings of the app probe: the empty ledger's view area, the filter bar's null, missing
and list operators, the layout at 800×600, and wording."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.dialogs.statement import StatementDialog
from tests.ui.conftest import open_workspace


# -- 1. the empty ledger ----------------------------------------------------------------------
def _new_ledger(tmp_path: Path) -> Path:
    path = tmp_path / "new.ledger"
    Ledger.create(path).close()
    return path


def test_a_new_ledger_shows_what_to_do_instead_of_a_blank_area(qtbot, window, tmp_path):
    ws = open_workspace(qtbot, window, _new_ledger(tmp_path))
    assert ws.view_area.currentWidget() is ws.empty and ws.empty.isVisible()
    assert ws.empty.state == "no tables"
    assert ws.empty.title.text() == "This ledger has no tables yet"
    assert list(ws.empty.buttons) == ["create_table", "import_files", "show_query"]
    assert "drop Ion, JSON, CSV files or a QLDB export here" in ws.empty.drop_hint.text()

    # Run PartiQL opens the editor: the empty state goes, and comes back when it closes
    ws.empty.buttons["show_query"].click()
    query = ws.view("query")
    assert query is not None and ws.view_area.currentWidget() is ws.views
    assert not ws.empty.isVisible()
    assert ws.close_view(ws.views.indexOf(query))
    assert ws.view_area.currentWidget() is ws.empty and ws.empty.state == "no tables"


def test_create_table_from_the_empty_state_opens_the_new_table(qtbot, window, tmp_path):
    ws = open_workspace(qtbot, window, _new_ledger(tmp_path))
    ws.empty.buttons["create_table"].click()
    dlg = [d for d in ws.findChildren(StatementDialog) if d.isVisible()][-1]
    dlg.name_edit.setText("Audit")
    dlg.accept()
    qtbot.wait_until(lambda: ws.view("documents", getattr(ws.table_by_name("Audit"),
                                                          "table_id", None)) is not None,
                     timeout=10000)
    assert ws.view_area.currentWidget() is ws.views
    assert ws.views.tabText(ws.views.currentIndex()) == "Audit"
    # closing its grid: the ledger has a table now, and says how to open it
    ws.close_view(ws.views.currentIndex())
    assert ws.view_area.currentWidget() is ws.empty and ws.empty.state == "no view"
    assert ws.empty.title.text() == "1 table, no view open"


def test_files_dropped_on_the_empty_state_are_imported(qtbot, window, tmp_path, monkeypatch):
    ws = open_workspace(qtbot, window, _new_ledger(tmp_path))
    data = tmp_path / "people.json"
    data.write_text('{"Name": "Ada"}\n')
    imported: list[list[str]] = []
    monkeypatch.setattr(ws, "import_files", lambda paths, table=None: imported.append(paths))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(data))])
    # through the window as a real drop arrives: Qt finds the widget under the point and
    # walks up to one that accepts drops
    where = ws.empty.drop_hint.mapTo(window, QPoint(5, 5))
    handle = window.windowHandle()
    enter = QDragEnterEvent(where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(handle, enter)
    assert enter.isAccepted()
    drop = QDropEvent(where.toPointF(), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(handle, drop)
    assert imported == [[str(data)]]


def test_a_ledger_with_tables_and_no_view_open_says_how_to_open_one(qtbot, window,
                                                                    sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    assert ws.view_area.currentWidget() is ws.views  # the first table opens by itself
    while ws.views.count():
        ws.close_view(0)
    assert ws.view_area.currentWidget() is ws.empty and ws.empty.isVisible()
    assert ws.empty.title.text() == "4 tables, no view open"
    assert "Double-click a table" in ws.empty.message.text()
    ws.empty.buttons["show_chain"].click()
    assert ws.view_area.currentWidget() is ws.views and ws.views.count() == 1


def test_a_ledger_whose_tables_are_all_dropped_says_so(qtbot, window, tmp_path):
    path = _new_ledger(tmp_path)
    with Ledger.open(path) as led:
        led.execute("CREATE TABLE Audit")
        led.execute("DROP TABLE Audit")
    ws = open_workspace(qtbot, window, path)
    assert ws.empty.state == "no tables"
    assert ws.empty.title.text() == "This ledger has no active tables"
    assert "Its only table is dropped" in ws.empty.message.text()


def test_a_read_only_empty_ledger_offers_no_writes(qtbot, window, tmp_path):
    path = _new_ledger(tmp_path)
    window.open_ledger(path, read_only=True)
    ws = window.current_workspace()
    qtbot.wait_until(lambda: ws.ever_loaded, timeout=10000)
    assert not ws.empty.buttons["create_table"].isEnabled()
    assert not ws.empty.buttons["import_files"].isEnabled()
    assert ws.empty.buttons["show_query"].isEnabled()
    assert "read-only" in ws.empty.message.text()


# -- 2. the filter bar: null, missing, and contains on lists and structs -------------------------
_DOCS = """
{k: 1, Tags: ["Classic", "red"], Nothing: null}
{k: 2, Tags: "classic car", Nothing: 5}
{k: 3, Tags: {a: "Classic", b: 5}, Nothing: null.string}
{k: 4, Tags: [1, 2, "x", 2020-01-01T, [nested]], Nothing: "null"}
{k: 5, Tags: null}
{k: 6}
{k: 7, Tags: 5, Nothing: 'NULL'}
{k: 8, Tags: (classic car), Nothing: []}
{k: 9, Tags: classic}
{k: 10, Tags: ["50% off", null, {c: "classic"}]}
"""


def _filter_ledger(tmp_path: Path, strict: bool = False) -> Path:
    from amazon.ion import simpleion

    path = tmp_path / ("strict.ledger" if strict else "filters.ledger")
    with Ledger.create(path, strict=strict) as led:
        led.execute("CREATE TABLE Things")
        for doc in simpleion.loads(_DOCS, single_value=False):
            led.execute("INSERT INTO Things ?", doc)
    return path


def _selected(path: Path, flt) -> tuple[list[int], list[int]]:
    """(what the grid's filter keeps, what its PartiQL selects) of the stored documents."""
    from amazon.ion import simpleion

    with Ledger.open(path) as led:
        docs = [simpleion.loads(simpleion.dumps(d)) for d in led.execute("SELECT * FROM Things")]
        ran = sorted(int(d["k"]) for d in led.execute(flt.partiql("Things")))
    return sorted(int(d["k"]) for d in docs if flt.matches(d)), ran


def test_null_and_missing_operators_select_what_their_partiql_selects(tmp_path):
    from ledger_desktop.ui.models.filters import FieldFilter, parse_literal

    path = _filter_ledger(tmp_path)
    expected = {
        "is null": [1, 3],              # null and null.string; not the text "null"
        "is not null": [2, 4, 7, 8],
        "is missing": [5, 6, 9, 10],
        "is present": [1, 2, 3, 4, 7, 8],
    }
    for op, keys in expected.items():
        flt = FieldFilter("Nothing", op)
        assert _selected(path, flt) == (keys, keys), op
    assert "d.Nothing IS NULL AND d.Nothing IS NOT MISSING" in FieldFilter(
        "Nothing", "is null").partiql("Things")
    assert FieldFilter("Nothing", "is missing").partiql("Things").endswith(
        "WHERE d.Nothing IS MISSING")
    # `= null` selected nothing (x = NULL is unknown in PartiQL): it is `is null`; a bare NULL
    # in any case is the null, quoted it is the text
    for typed in ("null", "NULL", "null.string"):
        flt = FieldFilter("Nothing", "=", parse_literal(typed))
        assert flt.op == "is null" and _selected(path, flt) == ([1, 3], [1, 3])
    assert FieldFilter("Nothing", "!=", parse_literal("null")).op == "is not null"
    assert _selected(path, FieldFilter("Nothing", "=", parse_literal("'NULL'"))) == ([7], [7])
    assert _selected(path, FieldFilter("Nothing", "=", parse_literal('"null"'))) == ([4], [4])
    # the former names still work
    assert FieldFilter("Nothing", "exists").op == "is present"
    assert FieldFilter("Nothing", "missing").op == "is missing"


def test_contains_matches_list_and_struct_elements_and_text_ignoring_case(tmp_path):
    from ledger_desktop.ui.models.filters import FieldFilter, parse_literal

    path = _filter_ledger(tmp_path)
    cases = {
        "classic": [1, 2, 3, 8, 9],   # a list's, a struct's and a sexp's element, text, symbol
        "CLASSIC": [1, 2, 3, 8, 9],
        "red": [1],
        "x": [4],
        "50%": [10],                  # % is text, not a wildcard
        "2": [4],                     # the number 2 in a list (and no text holding "2")
        "5": [3, 10],                 # a struct's 5 and "50% off"; not the number 5 itself
        "nested": [],                 # one level down only
    }
    for typed, keys in cases.items():
        flt = FieldFilter("Tags", "contains", parse_literal(typed))
        assert _selected(path, flt) == (keys, keys), typed
    # mixed types in one field did not stop the query (LOWER refuses anything but text)
    assert "LOWER(d.Tags)" in FieldFilter("Tags", "contains", "c").partiql("Things")


def test_the_filter_partiql_runs_in_a_qldb_strict_ledger(tmp_path):
    from ledger_desktop.ui.models.filters import FieldFilter

    path = _filter_ledger(tmp_path, strict=True)
    for flt in (FieldFilter("Tags", "contains", "classic"), FieldFilter("Tags", "contains", 2),
                FieldFilter("Nothing", "is null"), FieldFilter("Nothing", "is present")):
        grid, ran = _selected(path, flt)
        assert grid == ran and grid, flt


def test_the_filter_bar_turns_equals_null_into_is_null(qtbot, window, tmp_path):
    from tests.ui.conftest import documents_view

    ws = open_workspace(qtbot, window, _filter_ledger(tmp_path))
    view = documents_view(qtbot, ws, "Things")
    view.field.setEditText("Nothing")
    view.op.setCurrentText("=")
    view.value.setText("null")
    view.apply_filter()
    qtbot.wait_until(lambda: view.model.exhausted and not view.model.loading, timeout=10000)
    assert view.op.currentText() == "is null" and not view.value.isEnabled()
    assert sorted(int(view.model.document(r).data["k"]) for r in range(view.model.rowCount())) \
        == [1, 3]
    assert "IS NULL" in view.status.text()
    view.field.setEditText("Tags")
    view.op.setCurrentText("contains")
    assert view.value.isEnabled()
    view.value.setText("classic")
    view.apply_filter()
    qtbot.wait_until(lambda: view.model.exhausted and not view.model.loading, timeout=10000)
    assert sorted(int(view.model.document(r).data["k"]) for r in range(view.model.rowCount())) \
        == [1, 2, 3, 8, 9]


# -- 3. at 800×600 ------------------------------------------------------------------------------
def test_at_800_by_600_the_filter_value_and_table_names_stay_readable(qtbot, window,
                                                                      sample_ledger):
    from PySide6.QtCore import QSize

    from tests.ui.conftest import documents_view

    window.resize(800, 600)
    ws = open_workspace(qtbot, window, sample_ledger)
    view = documents_view(qtbot, ws, "VehicleRegistration")
    qtbot.wait_until(lambda: window.size() == QSize(800, 600), timeout=5000)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= 800 and hint.height() <= 600, hint
    assert view.value.width() >= 120
    # the filter buttons gave way: icons, their names in tooltips, all inside the view
    assert view.bar_buttons.compact
    for button in view.bar_buttons.buttons:
        assert button.text() == "" and button.toolTip() and not button.icon().isNull()
        assert button.mapTo(view, button.rect().bottomRight()).x() <= view.width()
    # the browser keeps names readable; a longer one loses its middle, its tooltip has it
    tree = ws.browser.tree
    assert tree.textElideMode() == Qt.TextElideMode.ElideMiddle
    metrics = tree.fontMetrics()
    tables = ws.browser.model.item(0, 0)
    names = {}
    for row in range(tables.rowCount()):
        item = tables.child(row, 0)
        names[item.text()] = tree.visualRect(item.index()).width()
        assert item.text() in item.toolTip()
    assert names["DriversLicense"] >= metrics.horizontalAdvance("DriversLicense") + 20
    assert names["Person"] >= metrics.horizontalAdvance("Person") + 20
    # the document pane's buttons gave way too: the grid beside it keeps a useful width
    assert view.pane.pane_buttons.compact
    assert view.grid.width() >= 250, view.grid.width()
    # wide again: the buttons say what they do
    window.resize(1280, 800)
    qtbot.wait_until(lambda: not view.bar_buttons.compact, timeout=5000)
    qtbot.wait_until(lambda: not view.pane.pane_buttons.compact, timeout=5000)
    assert view.pane.prove_button.text() == "Prove Against Digest…"
    assert [b.text() for b in view.bar_buttons.buttons] == ["Filter", "Clear",
                                                            "Open as PartiQL"]


# -- 4. wording ------------------------------------------------------------------------------------
def test_one_missing_block_is_named_in_the_singular(sample_ledger):
    import sqlite3

    from ledger_desktop.engine.blocks import block_range
    from ledger_desktop.engine.verify import missing_message, missing_range, verify_ledger
    from ledger_desktop.ui.verify.findings import missing_ranges

    assert missing_message(9, 9) == "block 9 is missing from the journal"
    assert missing_message(9, 11) == "blocks 9..11 are missing from the journal"
    assert block_range(0, 0) == "block 0" and block_range(0, 22) == "blocks 0..22"
    # the UI reads what the engine writes, and the wording of earlier reports
    assert missing_range(missing_message(9, 9)) == (9, 9)
    assert missing_range(missing_message(4, 7)) == (4, 7)
    assert missing_range("blocks 9..9 are missing from the journal") == (9, 9)
    assert missing_range("block 9 fails its hash") is None
    con = sqlite3.connect(sample_ledger)
    con.execute("DELETE FROM revisions WHERE seq=9")
    con.execute("DELETE FROM blocks WHERE seq=9")
    con.commit()
    con.close()
    with Ledger.open(sample_ledger, read_only=True) as led:
        report = verify_ledger(led)
    gap = next(f for f in report.failures if f.check == "chain link")
    assert (gap.seq, gap.message) == (10, "block 9 is missing from the journal")
    assert missing_ranges(report) == [(9, 9)]


def test_an_unknown_offset_change_reads_naturally():
    from amazon.ion import simpleion

    from ledger_desktop.engine.diff import diff

    [change] = diff(simpleion.loads("{t: 2024-01-01T10:00-00:00}"),
                    simpleion.loads("{t: 2024-01-01T10:00Z}"))
    assert "offset unknown (-00:00) → +00:00" in change.note
    assert "unknown offset" not in change.note


def test_opening_a_folder_says_it_is_a_folder(qtbot, window, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    folder = tmp_path / "export"
    folder.mkdir()
    window.open_ledger(folder)
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes, "no message"
    text = boxes[-1].text()
    assert f"{folder} is a folder" in text and "a ledger is a single file" in text
    assert "Import QLDB Export" in text and "No such file" not in text
    assert not boxes[-1].detailedText()  # a user's slip, not a bug: no traceback
    assert window.current_workspace() is None
    for box in boxes:
        box.close()


# -- 5. an export's folder -------------------------------------------------------------------------
def test_a_finished_export_stays_on_screen_with_open_folder(qtbot, window, sample_ledger,
                                                            tmp_path, monkeypatch):
    from ledger_desktop.ui import notice_bar

    opened: list[str] = []

    class Desktop:  # the platform's file manager, not opened in a test
        @staticmethod
        def openUrl(url):  # noqa: N802 - Qt's name
            opened.append(url.toLocalFile())
            return True

    monkeypatch.setattr(notice_bar, "QDesktopServices", Desktop)
    ws = open_workspace(qtbot, window, sample_ledger)
    folder = tmp_path / "exported"
    assert not ws.notice.isVisible()
    task = ws.export_journal(folder, "ion_text")
    qtbot.wait_until(lambda: task.done, timeout=20000)
    assert ws.notice.isVisible()
    assert ws.notice.label.text().startswith("Exported ") and str(folder) in \
        ws.notice.label.text()
    [button] = ws.notice.buttons
    assert button.text() == "Open Folder"
    qtbot.wait(6500)  # longer than the status bar keeps a message
    assert ws.notice.isVisible()
    button.click()
    assert opened == [str(folder)]
    ws.notice.close_button.click()
    assert not ws.notice.isVisible()
