"""Ledger > Compact Ledger File: runs off the GUI thread on the writer lane, keeps the digest,
and the workspace keeps working on the compacted file."""

from __future__ import annotations

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.actions import spec
from tests.ui.conftest import open_workspace


def test_compact_from_the_app(qtbot, window, sample_ledger):
    with Ledger.open(sample_ledger, read_only=True) as led:
        before = led.digest()
    ws = open_workspace(qtbot, window, sample_ledger)
    assert spec("compact_ledger").menu == "ledger"
    results = []
    task = ws.compact_ledger()
    task.succeeded.connect(results.append)
    qtbot.wait_until(lambda: task.done, timeout=20000)
    assert results and results[0].bytes_after > 0
    with Ledger.open(sample_ledger, read_only=True) as led:
        after = led.digest()
        assert led.verify().ok
    assert (after.digest, after.tip) == (before.digest, before.tip)
    statement = ws.execute_statement("INSERT INTO Person `{FirstName: 'After'}`")
    qtbot.wait_until(lambda: statement.done, timeout=10000)
    with Ledger.open(sample_ledger, read_only=True) as led:
        assert led.block_count() == before.tip.seq + 2


def test_the_menu_action_asks_first(qtbot, window, sample_ledger, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    ws = open_workspace(qtbot, window, sample_ledger)
    asked = []

    def answer(choice):
        def question(_parent, _title, text, *_args):
            asked.append(text)
            return choice
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    assert ws.do_compact_ledger() is None
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Ok))
    task = ws.do_compact_ledger()
    qtbot.wait_until(lambda: task.done, timeout=20000)
    assert len(asked) == 2 and "digest" in asked[0] and "free disk space" in asked[0]
