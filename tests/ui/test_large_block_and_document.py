"""Big blocks and documents in the block inspector and the document pane (probe 2026-11-29,
item 1). Opening a block of 60,000 revisions froze the window for 94 s: the pane wrote the
whole block as pretty Ion text with amazon.ion's pure-Python writer and the inspector made
four QTableWidgetItems per revision, all on the GUI thread. These tests count work, never
time it: what runs on the GUI thread must not grow with the size of the value."""

from __future__ import annotations

import threading
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from amazon.ion import simpleion
from amazon.ion.equivalence import ion_equals
from PySide6.QtCore import QCoreApplication

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui import ion_pretty
from ledger_desktop.ui.ion_pretty import is_small, pretty_lines, pretty_text
from ledger_desktop.ui.ion_text_job import PREFIX_CHARS
from ledger_desktop.ui.models import ion_tree
from ledger_desktop.ui.models.ion_tree import IonTreeModel
from ledger_desktop.workers.tasks import running_lanes
from tests.ui.conftest import documents_view, open_workspace

BIG_BLOCK_REVISIONS = 2_000   # over the inline limits, small enough to build in a moment


@pytest.fixture
def big_block_ledger(tmp_path: Path) -> Path:
    """A ledger whose block 2 holds BIG_BLOCK_REVISIONS revisions (about 1.5 MB of text)."""
    path = tmp_path / "bigblock.ledger"
    with Ledger.create(path) as ledger:
        ledger.execute("CREATE TABLE B")
        with ledger.transaction() as tx:
            for i in range(BIG_BLOCK_REVISIONS):
                tx.execute("INSERT INTO B ?", {"I": i, "Memo": "y" * 20})
    return path


@pytest.fixture
def big_doc_ledger(tmp_path: Path) -> Path:
    """One document with a list of 5,000 structs (about 100 KB), as in the probe."""
    path = tmp_path / "bigdoc.ledger"
    with Ledger.create(path) as ledger:
        ledger.execute("CREATE TABLE D")
        ledger.execute("INSERT INTO D ?", {"Id": 1, "Lines": [{"n": i, "amt": f"{i}.00"}
                                                              for i in range(5000)]})
    return path


class GuiThreadWrites:
    """Records the values of more than BIG nodes that amazon.ion's `dumps` is asked to write
    on the GUI (main) thread. Cells write scalars there, which is fine."""

    BIG = 200

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.big: list[Any] = []
        real = simpleion.dumps

        def spy(obj: Any, *args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is threading.main_thread() and \
                    not is_small(obj, self.BIG):
                self.big.append(obj)
            return real(obj, *args, **kwargs)

        monkeypatch.setattr(simpleion, "dumps", spy)


def big_value(n: int = 60_000) -> Any:
    return simpleion.loads(simpleion.dumps({"name": "x", "items": [{"i": i, "s": "abc"}
                                                                   for i in range(n)]}))


# -- the writer --------------------------------------------------------------------------------
ODD_VALUES = [
    "a::{ 'x y': [1, b::2, (+ 1 a::[] {}), {}], 'null': null.list, c: d::e::(), f: \"s\\n\", "
    "g: {{aGVsbG8=}}, h: {{\"clob\"}}, i: 'sym bol', j: 1.5e0, k: 2.50, l: x, m: [[]], "
    "r: 1, r: 2, t: 2020-01-01T00:00:00.000-08:00, u: null.struct, v: 'true' }",
    "[]", "{}", "()", "null", "x::null.list", "5", '"text"', "'$12'", "[[[1]], {a: {b: {}}}]",
]


@pytest.mark.parametrize("text", ODD_VALUES)
def test_pretty_text_reads_back_as_the_same_value(text):
    value = simpleion.loads(text)
    written = pretty_text(value)
    assert ion_equals(simpleion.loads(written), value)
    assert simpleion.dumps(simpleion.loads(written), binary=False) == \
        simpleion.dumps(value, binary=False)


def test_pretty_text_is_laid_out_one_member_per_line():
    assert pretty_text(simpleion.loads("{a: [1, 2], b: x::{}}")) == \
        "{\n  a: [\n    1,\n    2\n  ],\n  b: x::{}\n}"


def test_is_small_never_lists_a_container_bigger_than_its_budget(monkeypatch):
    listed: list[int] = []
    real = ion_pretty.children
    monkeypatch.setattr(ion_pretty, "children",
                        lambda v: listed.append(len(v)) or real(v))
    assert not is_small(big_value(), 1_000)
    assert max(listed, default=0) <= 1_000
    assert is_small(simpleion.loads("{a: [1, 2, {b: 3}]}"), 1_000)
    assert not is_small("x" * 1_000_000, 1_000)  # a long string counts by its length


# -- the tree ----------------------------------------------------------------------------------
def test_the_tree_makes_only_the_nodes_asked_for(monkeypatch, qtmodeltester):
    made = [0]
    real_init = ion_tree._Node.__init__

    def counting_init(self, *args, **kwargs):
        made[0] += 1
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(ion_tree._Node, "__init__", counting_init)
    texts: list[Any] = []
    real_cell = ion_tree.cell_text
    monkeypatch.setattr(ion_tree, "cell_text", lambda v: texts.append(v) or real_cell(v))
    model = IonTreeModel()
    model.set_value(big_value(), "big")
    group_rows = getattr(ion_tree, "GROUP_ROWS", 1_000)
    root = model.index(0, 0)
    items = model.index(1, 0, root)
    assert model.data(items) == "items"
    # 60,000 members are shown as 60 groups; none of the members is made until asked for
    assert model.rowCount(items) == 60_000 // group_rows
    assert made[0] < 100
    group = model.index(59, 0, items)
    assert model.data(group) == "[59000 … 59999]"
    assert model.data(model.index(59, 1, items)) == "1,000 items"
    assert model.rowCount(group) == group_rows
    last = model.index(group_rows - 1, 0, group)
    assert model.data(last) == "[59999]"
    assert model.rowCount(last) == 2 and model.data(model.index(0, 1, last)) == "59999"
    assert made[0] < 100 + group_rows + 10
    # a cell's text is written when that cell is asked for, not for its siblings
    assert len(texts) == 1
    assert model.parent(last) == group and model.parent(group) == items
    small = IonTreeModel()
    small.set_value(simpleion.loads("{a: [" + ", ".join(map(str, range(2_500))) + "]}"))
    qtmodeltester.check(small, force_py=True)


# -- the Ion view ------------------------------------------------------------------------------
def test_set_value_of_a_big_value_writes_no_text_on_the_gui_thread(qtbot, monkeypatch,
                                                                    tmp_path):
    from ledger_desktop.ui.views.document_pane import IonView

    value = big_value(20_000)  # some 700 KB of text
    writes = GuiThreadWrites(monkeypatch)
    view = IonView()
    qtbot.addWidget(view)
    view.show()
    view.set_value(value, "big")
    assert writes.big == []
    assert view.text_pending  # written only once its tab is shown
    assert view.tree_model.rowCount() == 1
    with qtbot.wait_signal(view.text_ready, timeout=20000):
        view.setCurrentWidget(view.text_page)
    assert writes.big == []  # the thread wrote it
    text = view.text.toPlainText()
    assert PREFIX_CHARS * 0.9 < len(text) <= PREFIX_CHARS
    assert "\n".join(islice(pretty_lines(value), text.count("\n") + 2)).startswith(text + "\n")
    assert not view.note_bar.isHidden() and "first 256 KB" in view.note.text()
    # Save as Ion writes all of it, off the GUI thread (on a lane of its own here)
    task = view.save_text_to(tmp_path / "big.ion")
    qtbot.wait_until(lambda: task.done, timeout=60000)
    assert task.error is None and writes.big == []
    assert ion_equals(simpleion.loads((tmp_path / "big.ion").read_text()), value)
    assert "Saved" in view.note.text()
    qtbot.wait_until(lambda: not running_lanes(), timeout=10000)


def test_a_newer_value_wins_over_text_still_being_written(qtbot):
    from ledger_desktop.ui.views.document_pane import IonView

    view = IonView()
    qtbot.addWidget(view)
    view.show()
    view.setCurrentWidget(view.text_page)
    view.set_value(big_value(), "first")  # its thread starts at once: the tab is shown
    second = big_value(5_000)
    with qtbot.wait_signal(view.text_ready, timeout=20000):
        view.set_value(second, "second")
    assert not view.text_pending
    assert view.text.toPlainText() == pretty_text(second)
    assert view.note_bar.isHidden()  # 5,000 members fit: all of it is shown
    # the first thread, stopped, ends and delivers nothing
    qtbot.wait_until(lambda: not [t for t in threading.enumerate() if t.name == "ion-text"])
    QCoreApplication.processEvents()
    assert view.text.toPlainText() == pretty_text(second)


def test_the_same_value_again_is_not_laid_out_again(qtbot):
    from ledger_desktop.ui.views.document_pane import IonView

    view = IonView()
    qtbot.addWidget(view)
    value = simpleion.loads("{a: 1}")
    view.set_value(value, "doc")
    with qtbot.assert_not_emitted(view.tree_model.modelReset):
        view.set_value(value, "doc")
    assert simpleion.loads(view.text.toPlainText()) == value


# -- in the app --------------------------------------------------------------------------------
def test_inspector_of_a_big_block_makes_cells_only_for_rows_shown(qtbot, window, monkeypatch,
                                                                  big_block_ledger, tmp_path):
    from ledger_desktop.ui.views import block_inspector

    asked: list[int] = []
    real_cell = getattr(block_inspector, "_revision_cell", None)
    monkeypatch.setattr(block_inspector, "_revision_cell",
                        lambda r, c: asked.append(c) or real_cell(r, c), raising=False)
    writes = GuiThreadWrites(monkeypatch)
    ws = open_workspace(qtbot, window, big_block_ledger)
    with Ledger.open(big_block_ledger, read_only=True) as ledger:
        block = ledger.block(2)
    inspector = ws.open_block(2)
    qtbot.wait_until(lambda: inspector.block is not None and inspector.seq == 2, timeout=10000)
    assert writes.big == []  # the block was not written out here
    revisions = inspector.revisions
    assert revisions.rowCount() == BIG_BLOCK_REVISIONS
    inspector.tabs.setCurrentWidget(revisions)
    revisions.scrollToBottom()
    revisions.viewport().repaint()
    # the columns' widths and the rows on screen: a few hundred cells, not 4 x 2,000
    assert 0 < len(asked) < 1_000
    last = block["revisions"][-1]
    assert revisions.item(BIG_BLOCK_REVISIONS - 1, 0).text() == str(last["metadata"]["id"])
    assert revisions.item(BIG_BLOCK_REVISIONS - 1, 3).text() == bytes(last["hash"]).hex()
    opened: list[str] = []
    monkeypatch.setattr(ws, "open_history", opened.append)
    revisions.doubleClicked.emit(revisions.model().index(BIG_BLOCK_REVISIONS - 1, 2))
    assert opened == [str(last["metadata"]["id"])]  # a revision's row opens its history
    # The block as Ion: the first 256 KB once the tab is shown; Save as Ion writes it all
    inspector.tabs.setCurrentWidget(inspector.ion)
    with qtbot.wait_signal(inspector.ion.text_ready, timeout=20000):
        inspector.ion.setCurrentWidget(inspector.ion.text_page)
    shown = inspector.ion.text.toPlainText()
    assert shown.startswith("{\n  blockAddress: {") and len(shown) <= PREFIX_CHARS
    assert not inspector.ion.note_bar.isHidden()
    task = inspector.ion.save_text_to(tmp_path / "block.ion")
    qtbot.wait_until(lambda: task.done, timeout=60000)
    assert task.error is None
    assert ion_equals(simpleion.loads((tmp_path / "block.ion").read_text()), block)
    assert writes.big == []


def test_selecting_a_big_document_writes_its_text_off_the_gui_thread(qtbot, window,
                                                                     monkeypatch,
                                                                     big_doc_ledger):
    writes = GuiThreadWrites(monkeypatch)
    ws = open_workspace(qtbot, window, big_doc_ledger)
    view = documents_view(qtbot, ws, "D")
    view.select_row(0)
    pane = view.pane
    qtbot.wait_until(lambda: pane.fields["hash"].text() != "", timeout=5000)
    assert writes.big == []
    model = pane.ion.tree_model
    lines = model.index(1, 0, model.index(0, 0))
    assert model.data(lines) == "Lines" and model.rowCount(lines) == 5  # groups of 1,000
    with qtbot.wait_signal(pane.ion.text_ready, timeout=20000):
        pane.ion.setCurrentWidget(pane.ion.text_page)
    doc = view.model.document(0)
    assert ion_equals(simpleion.loads(pane.ion.text.toPlainText()), doc.data)
    assert pane.ion.note_bar.isHidden()  # about 100 KB: all of it is shown
    assert writes.big == []
