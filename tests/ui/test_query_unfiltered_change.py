"""An UPDATE or DELETE without WHERE asks before it commits, naming the table and how many
documents it changes; the statement kind comes from the engine's PartiQL parser, on the writer
lane (never the GUI thread). And every statement's status names the block that recorded it.

Such a statement used to commit at once: in an append-only ledger it cannot be taken back.
"""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QApplication, QMessageBox

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui import statement_kind
from ledger_desktop.ui.statement_kind import unfiltered_change

from .conftest import open_workspace
from .test_close_confirm import CANCEL, Answer

OK = QMessageBox.StandardButton.Ok


def _people(path) -> int:
    with Ledger.open(path, read_only=True) as led:
        return led.count_documents(led.table("Person").table_id)


def _blocks(path) -> int:
    with Ledger.open(path, read_only=True) as led:
        return led.block_count()


class AnswerNotAgain(Answer):
    """Ticks "Don't ask again", then answers with `button`."""

    def _poll(self) -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is not None and box.checkBox() is not None:
            box.checkBox().setChecked(True)
        super()._poll()


def _run(qtbot, view, text: str):
    view.editor.setPlainText(text)
    return view.run()


def test_the_parser_tells_unfiltered_changes_apart():
    assert unfiltered_change("DELETE FROM Person") == statement_kind.UnfilteredChange(
        "DELETE", "Person")
    assert unfiltered_change('UPDATE "Person" AS p SET p.x = 1').table == "Person"
    assert unfiltered_change("FROM Person AS p SET p.x = 1").kind == "UPDATE"
    assert unfiltered_change("UPDATE Person REMOVE x").kind == "UPDATE"
    # a regex is fooled by these; the parser is not
    assert unfiltered_change("DELETE FROM Person -- WHERE GovId = 'x'") is not None
    assert unfiltered_change("DELETE FROM Person AS p WHERE p.GovId = 'x'") is None
    assert unfiltered_change("FROM Person AS p WHERE p.GovId = 'x' SET p.x = 1") is None
    assert unfiltered_change("SELECT * FROM Person -- DELETE FROM Person") is None
    assert unfiltered_change("EXPLAIN DELETE FROM Person") is None
    assert unfiltered_change("DELETE FROM") is None  # does not parse: running it says why


def test_delete_without_where_asks_and_cancel_commits_nothing(qtbot, window, sample_ledger,
                                                              monkeypatch):
    threads: list[threading.Thread] = []
    parse = statement_kind.unfiltered_change

    def on_which_thread(text: str):
        threads.append(threading.current_thread())
        return parse(text)

    monkeypatch.setattr("ledger_desktop.ui.views.query.unfiltered_change", on_which_thread)
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    people, blocks = _people(sample_ledger), _blocks(sample_ledger)
    answer = Answer(CANCEL)
    task = _run(qtbot, view, "DELETE FROM Person")
    qtbot.wait_until(lambda: bool(answer.texts), timeout=10000)
    assert task.done
    assert f"deletes all {people} documents of Person" in answer.texts[0]
    assert "commits at once" in answer.texts[0]
    assert threads and threading.main_thread() not in threads  # parsed on the lane
    qtbot.wait_until(lambda: view.status.text().startswith("Not run"), timeout=3000)
    assert "nothing was committed" in view.status.text()
    assert _people(sample_ledger) == people and _blocks(sample_ledger) == blocks
    # with a WHERE: no question, it runs at once
    answer = Answer(CANCEL)
    with qtbot.wait_signal(view.finished, timeout=10000):
        _run(qtbot, view, "DELETE FROM Person AS p WHERE p.GovId = 'no such id'")
    answer.stop()
    assert answer.texts == []


def test_update_without_where_runs_after_ok_and_dont_ask_again_sticks(qtbot, window,
                                                                      sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    people = _people(sample_ledger)
    menu_action = window.actions_by_id["confirm_unfiltered"]
    assert menu_action.isCheckable() and menu_action.isChecked()
    answer = AnswerNotAgain(OK)
    with qtbot.wait_signal(view.finished, timeout=10000):
        _run(qtbot, view, "UPDATE Person AS p SET p.Checked = true")
    assert f"changes all {people} documents of Person" in answer.texts[0]
    assert "recorded as block" in view.status.text()
    with Ledger.open(sample_ledger, read_only=True) as led:
        docs = led.documents(led.table("Person").table_id)
        assert docs and all(bool(d.data["Checked"]) for d in docs)
    # not asked again, and the Query menu's check mark says so (it turns the question back on)
    assert not window.ctx.settings.confirm_unfiltered_change()
    assert not menu_action.isChecked()
    answer = Answer(CANCEL)
    with qtbot.wait_signal(view.finished, timeout=10000):
        _run(qtbot, view, "UPDATE Person AS p SET p.Checked = false")
    answer.stop()
    assert answer.texts == []
    menu_action.trigger()
    assert window.ctx.settings.confirm_unfiltered_change()


def test_no_question_inside_an_open_transaction(qtbot, window, sample_ledger):
    """Nothing commits before Commit, which Abort undoes: the transaction is the safety."""
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    view.trigger("begin_tx")
    qtbot.wait_until(lambda: view.tx_open, timeout=5000)
    answer = Answer(CANCEL)
    with qtbot.wait_signal(view.finished, timeout=10000):
        _run(qtbot, view, "DELETE FROM Person")
    answer.stop()
    assert answer.texts == []
    end = view.end(False)
    qtbot.wait_until(lambda: end.done, timeout=10000)
    assert _people(sample_ledger) > 0


def test_every_statement_says_which_block_recorded_it(qtbot, window, sample_ledger):
    """A SELECT appends a block too (as QLDB records every statement): the status says so."""
    ws = open_workspace(qtbot, window, sample_ledger)
    view = ws.open_query()
    with qtbot.wait_signal(view.finished, timeout=10000):
        _run(qtbot, view, "SELECT * FROM Vehicle")
    tip = _blocks(sample_ledger) - 1
    assert view.status.text().endswith(f"· recorded as block {tip}")
    # and the ledger's status line counts that block at once, not at the next reload
    qtbot.wait_until(lambda: f"tip sequenceNo {tip}" in ws.status.text(), timeout=5000)
    # so does the browser's Journal row, in the same step (the reload timer held off)
    from ledger_desktop.workers.session import WriteSummary

    journal = ws.browser.model.item(ws.browser.model.rowCount() - 1, 1)
    assert journal.text() == f"{tip + 1} blocks"
    ws.changed(WriteSummary(blocks=tip + 7, new_blocks=6, documents=False))
    ws._refresh_timer.stop()
    assert journal.text() == f"{tip + 7} blocks" and f"tip sequenceNo {tip + 6}" in \
        ws.status.text()
    ws.reload()  # the file's own count again
    qtbot.wait_until(lambda: ws.browser.model.item(ws.browser.model.rowCount() - 1, 1).text()
                     == f"{tip + 1} blocks", timeout=5000)
    # an explicit transaction: one block at Commit, named then
    view.trigger("begin_tx")
    qtbot.wait_until(lambda: view.tx_open, timeout=5000)
    with qtbot.wait_signal(view.finished, timeout=10000):
        _run(qtbot, view, "SELECT * FROM Person")
    assert "recorded as block" not in view.status.text()
    end = view.end(True)
    qtbot.wait_until(lambda: end.done, timeout=10000)
    assert view.status.text().endswith(f"recorded as block {tip + 1}")
