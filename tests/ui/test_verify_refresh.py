"""F5 (View > Refresh) shows another program's commits in the Verification view: the chain
grows and a digest taken before them says it is outdated. Only the app's own writes used to
reload the chain; F5 reloaded the browser and the status line alone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ledger_desktop.engine.ledger import Ledger

from .conftest import open_workspace


def _commit_elsewhere(path, n: int = 1) -> None:
    """Commits through a connection of its own, as the CLI or another app would."""
    with Ledger.open(path) as led:
        for i in range(n):
            led.execute(f"INSERT INTO Person {{'FirstName': 'Other{i}', 'GovId': 'O{i}'}}")


def _centre_with_digest(qtbot, window, path):
    ws = open_workspace(qtbot, window, path)
    window.trigger("show_chain")
    centre = ws.view("verify")
    qtbot.wait_until(lambda: centre.chain.model.count == ws.block_count, timeout=10000)
    with qtbot.wait_signal(centre.digests.get_digest().finished, timeout=10000):
        pass
    assert "Outdated" not in centre.digests.current_label.text()
    return ws, centre


def test_f5_in_the_verification_view_shows_another_programs_commits(qtbot, window,
                                                                    sample_ledger):
    ws, centre = _centre_with_digest(qtbot, window, sample_ledger)
    before = centre.chain.model.count
    _commit_elsewhere(sample_ledger)
    assert ws.views.currentWidget() is centre
    window.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is window, timeout=2000)
    QTest.keyClick(centre.chain.search, Qt.Key.Key_F5)  # a real F5 from inside the view
    qtbot.wait_until(lambda: centre.chain.model.count == before + 1, timeout=10000)
    qtbot.wait_until(lambda: "Outdated" in centre.digests.current_label.text(),
                     timeout=5000)
    assert f"block {before}" in centre.digests.current_label.text()
    qtbot.wait_until(lambda: ws.block_count == before + 1, timeout=5000)  # and the catalog


def test_a_reload_from_another_view_updates_the_chain_too(qtbot, window, sample_ledger):
    ws, centre = _centre_with_digest(qtbot, window, sample_ledger)
    before = centre.chain.model.count
    ws.open_table(ws.table_by_name("Person"))  # the grid is current, not the chain
    _commit_elsewhere(sample_ledger, 2)
    window.trigger("refresh")
    qtbot.wait_until(lambda: centre.chain.model.count == before + 2, timeout=10000)
    qtbot.wait_until(lambda: "Outdated" in centre.digests.current_label.text(),
                     timeout=5000)


def test_the_apps_own_write_reads_the_chain_once(qtbot, window, sample_ledger, monkeypatch):
    """catalog_changed() after the app's own write finds the count already read by refresh():
    the chain's columns are not loaded twice."""
    ws, centre = _centre_with_digest(qtbot, window, sample_ledger)
    before = centre.chain.model.count
    reloads: list[int] = []
    real = centre.chain.reload
    monkeypatch.setattr(centre.chain, "reload", lambda: (reloads.append(1), real())[1])
    task = ws.execute_statement("INSERT INTO Person {'FirstName': 'Own', 'GovId': 'OWN'}")
    qtbot.wait_until(lambda: task.done, timeout=10000)
    qtbot.wait_until(lambda: ws.block_count == before + 1, timeout=10000)
    qtbot.wait_until(lambda: centre.chain.model.count == before + 1, timeout=10000)
    qtbot.wait(100)
    assert len(reloads) == 1
