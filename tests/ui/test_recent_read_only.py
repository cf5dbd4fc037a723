"""A ledger opened read-only reopens read-only from Recent ledgers (probe 2026-11-29c, item
12): evidence clicked in the Start tab's list or File > Open Recent opened for writing, where
any statement, SELECT included, appends a block to it."""

from __future__ import annotations

import shutil

from tests.ui.conftest import open_workspace


def test_recent_evidence_reopens_read_only(qtbot, window, ctx, sample_ledger, tmp_path):
    evidence = tmp_path / "evidence.ledger"
    shutil.copy(sample_ledger, evidence)
    window.open_ledger(evidence, read_only=True)
    ws = window.current_workspace()
    qtbot.wait_until(lambda: ws.ever_loaded)
    window.close_tab(window.tabs.indexOf(ws))
    qtbot.wait_until(lambda: not window.workspaces())

    path = str(evidence.resolve())
    assert window.welcome.recent.item(0).text().startswith("evidence.ledger (read-only)")
    window._fill_recent_menu()
    assert window.recent_menu.actions()[0].text() == path + " (read-only)"
    window.welcome.open_recent.emit(path)  # the Start tab's list
    again = window.current_workspace()
    qtbot.wait_until(lambda: again.ever_loaded)
    assert again.read_only
    window.close_tab(window.tabs.indexOf(again))
    qtbot.wait_until(lambda: not window.workspaces())

    # opened for writing on purpose (File > Open): Recent forgets the mark
    open_workspace(qtbot, window, evidence)
    assert not ctx.settings.recent_read_only(path)
    window._fill_recent_menu()
    assert window.recent_menu.actions()[0].text() == path


def test_read_only_recent_ledgers_are_not_offered_for_an_import(qtbot, window, ctx,
                                                                sample_ledger, tmp_path):
    from ledger_desktop.ui.dialogs.import_target import ImportTargetDialog

    evidence = tmp_path / "evidence.ledger"
    shutil.copy(sample_ledger, evidence)
    ctx.settings.add_recent(sample_ledger)
    ctx.settings.add_recent(evidence, read_only=True)
    data = tmp_path / "rows.jsonl"
    data.write_text('{"a": 1}\n')
    window.opener.ask_import_target([str(data)])
    dialog = next(w for w in window.findChildren(ImportTargetDialog))
    listed = [dialog.ledgers.item(i).text() for i in range(dialog.ledgers.count())]
    assert len(listed) == 1 and listed[0].startswith("sample.ledger")
    dialog.reject()
