"""The verification centre inside the app: Verify menu, block inspector links, status line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from tampering import tamper_copy

from .conftest import open_workspace


def test_verify_menu_finds_tampering_and_links_to_the_block_inspector(qtbot, window,
                                                                      sample_ledger, tmp_path):
    bad = tmp_path / "tampered.ledger"
    doc = tamper_copy(sample_ledger, bad, 12)
    ws = open_workspace(qtbot, window, bad)
    status = ws.verification_status
    qtbot.wait_until(lambda: "Never fully verified" in status.text())
    menu_texts = [a.text() for a in window.menus["verify"].actions()]
    assert "&Verify Journal" in menu_texts and "Hash &Chain" in menu_texts
    window.actions_by_id["verify_journal"].trigger()
    centre = ws.view("verify")
    assert centre is not None and ws.views.currentWidget() is centre
    qtbot.wait_until(lambda: centre.hub.report is not None, timeout=20000)
    report = centre.hub.report
    assert report.first_failure.seq == 12
    assert doc in [r.document_id for r in report.first_failure.revisions]
    assert "FAILED" in status.text()
    # "Open block" in the report opens the app's block inspector at the failing block
    qtbot.mouseClick(centre.panel.report_view.open_first, Qt.MouseButton.LeftButton)
    inspector = ws.view("block")
    assert inspector is not None and ws.views.currentWidget() is inspector
    # ... on its Revisions tab, the failing revision selected and the failure named (it
    # opened on Statements with no hint of what failed)
    qtbot.wait_until(lambda: inspector.seq == 12 and inspector.block is not None)
    qtbot.wait_until(lambda: inspector.tabs.currentWidget() is inspector.revisions)
    assert not inspector.failure_note.isHidden()
    assert "revision hash check failed" in inspector.failure_note.text()
    selected = {i.row() for i in inspector.revisions.selectedIndexes()}
    assert [inspector.revisions.item(r, 0).text() for r in selected] == [doc]
    # clicking a block in the chain view does the same
    chain = centre.chain
    ws.views.setCurrentWidget(centre)
    chain.show_range(0, 20)
    qtbot.wait_until(lambda: chain.item.visible_range()[1] <= 22)
    chain.plot.grab()
    with qtbot.wait_signal(chain.block_activated) as sig:
        qtbot.mouseClick(chain.plot.viewport(), Qt.MouseButton.LeftButton,
                         pos=chain.block_center(5))
    assert sig.args == [5]
    assert ws.views.currentWidget() is inspector


def test_status_line_after_a_healthy_verification(qtbot, window, sample_ledger):
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.trigger("verify_journal")
    centre = ws.view("verify")
    qtbot.wait_until(lambda: centre.hub.report is not None, timeout=20000)
    assert centre.hub.report.ok
    assert "Last fully verified" in ws.verification_status.text()
    assert centre.hub.report.digest_b64[:16] in ws.verification_status.text()
    # reopening the ledger shows the same record (kept outside the ledger file)
    window.close_tab(window.tabs.indexOf(ws))
    ws2 = open_workspace(qtbot, window, sample_ledger)
    qtbot.wait_until(lambda: "Last fully verified" in ws2.verification_status.text())


def test_proof_files_verify_with_no_ledger_open(qtbot, window, proof_files):
    import base64

    from ledger_desktop.ui.verify.proof_view import ProofView

    tmp_path = proof_files
    assert window.current_workspace() is None
    window.actions_by_id["verify_files"].trigger()
    dialog = window.findChild(QDialog, "proofFilesDialog")
    view = dialog.findChild(ProofView)
    view.off_kind.setCurrentText("block")
    view.off_value.setPlainText(str(tmp_path / "block.ion"))
    view.off_proof.setText(str(tmp_path / "proof.ion"))
    view.off_digest.setText(str(tmp_path / "digest.json"))
    with qtbot.wait_signal(view.proved, timeout=10000) as sig:
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    assert sig.args[0].result.ok
    view.off_digest.setText(base64.b64encode(b"\2" * 32).decode())
    with qtbot.wait_signal(view.proved, timeout=10000) as sig:
        view.verify_offline()
    assert not sig.args[0].result.ok
    dialog.close()


def test_after_new_commits_the_digest_is_marked_outdated_and_the_chain_grows(
        qtbot, window, sample_ledger):
    """The "Current digest" box kept showing the old tip's digest as if current, and the
    chain view of the whole journal cut off the new blocks."""
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.trigger("get_digest")
    centre = ws.view("verify")
    digests, chain = centre.digests, centre.chain
    qtbot.wait_until(lambda: digests.current is not None and chain.model.count > 0)
    tip = digests.current.tip.seq
    assert chain.model.count == tip + 1
    assert "Outdated" not in digests.current_label.text()
    view = ws.open_query()
    for vin in ("NEW-1", "NEW-2"):
        view.editor.setPlainText(f"INSERT INTO Vehicle {{'VIN': '{vin}'}}")
        with qtbot.wait_signal(view.finished, timeout=20000):
            view.run()
    qtbot.wait_until(lambda: chain.model.count == tip + 3, timeout=10000)
    assert "Outdated" in digests.current_label.text()
    assert f"grown to block {tip + 2}" in digests.current_label.text()
    left, right = chain.vb.viewRange()[0]
    assert left <= 0 and right >= tip + 2   # the new blocks are in view
    # a fresh digest is current again
    with qtbot.wait_signal(digests.get_digest().succeeded, timeout=10000):
        pass
    assert "Outdated" not in digests.current_label.text()
    assert digests.current.tip.seq == tip + 2


def test_a_cancelled_digest_check_says_so(qtbot, window, sample_ledger):
    """Cancelling "Check" left "Checking the journal against the digest at block N…" on
    screen for good (docs/reliability.md 74)."""
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.trigger("get_digest")
    digests = ws.view("verify").digests
    qtbot.wait_until(lambda: digests.current is not None)
    saved = digests.keep_current()
    hub = digests.hub
    qtbot.wait_until(lambda: not hub.running, timeout=20000)
    # cancelled before it starts (the hub's `failed` path) and while it runs (`finished`)
    for cancel_at_once in (True, False):
        task = digests.check(saved)
        assert "Checking the journal" in digests.message.text()
        if cancel_at_once:
            task.cancel()
        else:
            qtbot.wait_until(lambda: hub.progress is not None, timeout=20000)
            hub.cancel()
        qtbot.wait_until(lambda: not hub.running, timeout=20000)
        qtbot.wait_until(lambda: "Checking" not in digests.message.text(), timeout=5000)
        text = digests.message.text()
        if cancel_at_once:
            assert text == f"Digest at block {saved.digest.tip.seq}: check cancelled."
        else:  # a journal this small may finish before the cancel arrives
            assert "check cancelled" in text or "agrees" in text, text
