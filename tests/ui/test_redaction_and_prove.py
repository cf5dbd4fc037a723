"""A redacted revision says when, by whom and in which block it was redacted (History and
the document pane, with a link to that block); Prove Against Digest… on a revision (History,
the document pane, the block inspector) fills the Proof tab; Save Proof… writes JSON that
`ledger verify-proof` accepts, and a tampered copy of it fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PySide6.QtWidgets import QFileDialog

from ledger_desktop.cli import main as cli
from ledger_desktop.engine import digest_file
from ledger_desktop.engine.ledger import Ledger

from .conftest import documents_view, open_workspace

REDACT = "EXEC REDACT_REVISION ?, ?, ?"


@pytest.fixture
def redacted(tmp_path: Path) -> dict[str, Any]:
    """A ledger whose document's v0 (block 2) is redacted by a later block, with a block
    between them and one after."""
    path = tmp_path / "redacted.ledger"
    with Ledger.create(path) as ledger:
        ledger.execute("CREATE TABLE Person")                            # block 1
        (doc,) = ledger.execute("INSERT INTO Person `{name: \"Ana\", n: 0}`")  # block 2
        doc_id = str(doc["documentId"])
        ledger.execute("UPDATE Person AS p SET p.n = 1")                 # block 3
        ledger.execute("SELECT * FROM Person")                           # block 4
        first = ledger.document_history(doc_id)[0]
        ledger.execute(REDACT, first.address.to_ion(), first.table_id, doc_id)  # block 5
        ledger.execute("UPDATE Person AS p SET p.n = 2")                 # block 6
        history = ledger.document_history(doc_id)
        block = ledger.block(5)
    assert "redactionInfo" in block and history[0].kind == "redacted"
    return {"path": path, "doc_id": doc_id, "redacted_in": 5, "tx_id": str(block["transactionId"]),
            "data_hash": history[0].data_hash, "seqs": [r.address.seq for r in history]}


def _history(qtbot: Any, window: Any, r: dict[str, Any]) -> tuple[Any, Any]:
    ws = open_workspace(qtbot, window, r["path"])
    view = ws.open_history(r["doc_id"])
    qtbot.wait_until(lambda: view.model.rowCount() == 3, timeout=5000)
    return ws, view


def _centre(qtbot: Any, ws: Any) -> Any:
    qtbot.wait_until(lambda: ws.view("verify") is not None, timeout=20000)
    return ws.view("verify")


def test_history_names_the_block_that_redacted_a_revision(qtbot, window, redacted):
    ws, view = _history(qtbot, window, redacted)
    rev = view.model.revisions[0]
    assert rev.kind == "redacted" and rev.redaction is not None
    assert rev.redaction.seq == redacted["redacted_in"]
    view.timeline.selectRow(0)
    pane = view.pane
    text = pane.redaction.text()
    assert 'Redacted in <a href="block:5">block 5</a>' in text, text
    assert redacted["tx_id"] in text and "EXEC REDACT_REVISION ?, ?, ?" in text
    assert pane.data_hash.text() == redacted["data_hash"].hex()  # hex, as the revision hash
    assert not pane.redaction.isHidden() and pane.form.isRowVisible(pane.data_hash)
    assert "redacted in block 5" in pane.ion.text.toPlainText()
    assert "v0 was redacted in block 5" in view.diff_summary.text()
    tip = view.model.data(view.model.index(0, 1), 3)  # ToolTipRole
    assert tip.startswith("redacted in block 5 (transaction ")
    assert view.model.data(view.model.index(0, 1)) == "redacted"  # the column stays short
    # the link opens the block inspector at the redacting block
    pane.redaction.linkActivated.emit("block:5")
    inspector = ws.view("block")
    assert inspector is not None and ws.views.currentWidget() is inspector
    qtbot.wait_until(lambda: inspector.seq == 5 and inspector.block is not None)
    assert "redactionInfo" in inspector.block
    # a revision with data: no redaction rows
    ws.views.setCurrentWidget(view)
    view.timeline.selectRow(1)
    assert not pane.form.isRowVisible(pane.redaction) and pane.data_hash.text() == ""
    # the context menu of the redacted row goes to the redacting block too
    menu = view._context_menu(view.timeline.visualRect(view.model.index(0, 0)).center())
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[:3] == ["Prove Against Digest…", "Go to Block 2", "Go to Redacting Block 5"]
    menu.close()


def _action(menu: Any, text: str) -> Any:
    return next(a for a in menu.actions() if a.text() == text)


def _prove_and_wait(qtbot: Any, proof: Any) -> Any:
    proof.prove_button.click()
    qtbot.wait_until(lambda: "VERIFIED" in proof.status.text(), timeout=10000)
    assert proof.save_button.isEnabled()
    return proof._saveable


def _verify_proof(flag: str, path: Path, digest: str) -> Any:
    return CliRunner().invoke(cli, ["verify-proof", flag, str(path), "--digest", digest])


def test_prove_from_history_then_save_a_proof_the_cli_verifies(qtbot, window, redacted,
                                                               tmp_path):
    ws, view = _history(qtbot, window, redacted)
    doc_id = redacted["doc_id"]
    menu = view._context_menu(view.timeline.visualRect(view.model.index(1, 0)).center())
    _action(menu, "Prove Against Digest…").trigger()
    centre = _centre(qtbot, ws)
    proof = centre.proof
    assert ws.views.currentWidget() is centre and centre.tabs.currentWidget() is proof
    assert proof.kind.currentIndex() == 0 and proof.doc_id.text() == doc_id
    assert proof.block.value() == redacted["seqs"][1] == 3
    assert "Ready to prove" in proof.status.text()
    laid = _prove_and_wait(qtbot, proof)
    assert laid.doc_id == doc_id and laid.seq == 3
    assert not proof.saved_note.isVisible()

    target = tmp_path / "out" / "proof.json"
    target.parent.mkdir()
    with qtbot.wait_signal(proof.save_proof_to(target).succeeded, timeout=10000):
        pass
    assert proof.saved_note.isVisible() and str(target) in proof.saved_note.text()
    assert "ledger verify-proof --revision" in proof.saved_note.text()
    saved = json.loads(target.read_text())
    assert sorted(saved) == ["DigestTipAddress", "Proof", "Revision"]
    assert f"sequenceNo:{laid.against.tip.seq}" in saved["DigestTipAddress"]["IonText"]
    # the CLI's verify-proof takes it, with the base64 digest or a saved digest file
    digest_b64 = digest_file.digest_to_json(laid.against)
    (tmp_path / "digest.json").write_text(digest_b64)
    b64 = json.loads(digest_b64)["Digest"]
    for digest in (b64, str(tmp_path / "digest.json")):
        r = _verify_proof("--revision", target, digest)
        assert r.exit_code == 0 and "VERIFIED" in r.output, r.output
    # ... and the same as `ledger get-revision --json` prints, plus the tip
    r = CliRunner().invoke(cli, ["get-revision", str(redacted["path"]), "--document-id",
                                 doc_id, "--block-address", f"{ws.strand_id}:3",
                                 "--digest-tip-address", laid.against.tip.text(), "--json"])
    assert r.exit_code == 0, r.output
    printed = json.loads(r.output)
    assert printed == {k: v for k, v in saved.items() if k != "DigestTipAddress"}
    # a tampered copy fails: the data changed
    bad = tmp_path / "tampered.json"
    changed = dict(saved, Revision={"IonText": saved["Revision"]["IonText"].replace(
        "n:1", "n:7")})
    assert changed != saved
    bad.write_text(json.dumps(changed))
    r = _verify_proof("--revision", bad, b64)
    assert r.exit_code != 0 and "NOT VERIFIED" in r.output, r.output


def test_a_redacted_revision_and_a_block_prove_and_save_too(qtbot, window, redacted,
                                                            tmp_path):
    ws, view = _history(qtbot, window, redacted)
    view.timeline.selectRow(0)
    view.pane.prove_button.click()  # the pane's button: the redacted v0 in block 2
    proof = _centre(qtbot, ws).proof
    assert (proof.doc_id.text(), proof.block.value()) == (redacted["doc_id"], 2)
    laid = _prove_and_wait(qtbot, proof)
    target = tmp_path / "redacted-proof.json"
    with qtbot.wait_signal(proof.save_proof_to(target).succeeded, timeout=10000):
        pass
    assert "dataHash" in json.loads(target.read_text())["Revision"]["IonText"]
    b64 = json.loads(digest_file.digest_to_json(laid.against))["Digest"]
    assert _verify_proof("--revision", target, b64).exit_code == 0
    # a block: the chain view's way in (no document)
    proof.set_target(5)
    laid = _prove_and_wait(qtbot, proof)
    assert laid.doc_id is None and laid.seq == 5
    target = tmp_path / "block-proof.json"
    with qtbot.wait_signal(proof.save_proof_to(target).succeeded, timeout=10000):
        pass
    assert sorted(json.loads(target.read_text())) == ["Block", "DigestTipAddress", "Proof"]
    r = _verify_proof("--block", target, b64)
    assert r.exit_code == 0 and "VERIFIED" in r.output, r.output
    assert _verify_proof("--revision", target, b64).exit_code != 0  # a block is not one


def test_the_save_dialog_starts_in_the_folder_last_used(qtbot, window, redacted, tmp_path,
                                                        monkeypatch):
    ws, view = _history(qtbot, window, redacted)
    last = tmp_path / "audits"
    last.mkdir()
    ws.ctx.settings.set_last_dir(str(last))
    view.prove(redacted["doc_id"], 3)
    proof = _centre(qtbot, ws).proof
    _prove_and_wait(qtbot, proof)
    asked: list[str] = []
    chosen = tmp_path / "elsewhere" / "p.json"
    chosen.parent.mkdir()

    def fake(_parent: Any, _title: str, start: str, _filter: str) -> tuple[str, str]:
        asked.append(start)
        return str(chosen), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    task = proof.save_proof()
    with qtbot.wait_signal(task.succeeded, timeout=10000):
        pass
    assert Path(asked[0]).parent == last and asked[0].endswith(".json")
    assert chosen.exists() and ws.ctx.settings.last_dir() == str(chosen.parent)
    assert str(chosen) in proof.saved_note.text()


def test_prove_from_the_block_inspector_and_the_documents_pane(qtbot, window, redacted):
    ws = open_workspace(qtbot, window, redacted["path"])
    inspector = ws.open_block(3)
    qtbot.wait_until(lambda: inspector.seq == 3 and inspector.block is not None)
    table = inspector.revisions
    assert table.item(0, 0).text() == redacted["doc_id"]
    menu = inspector._revision_menu(table.visualRect(table.records.index(0, 0)).center())
    _action(menu, "Prove Against Digest…").trigger()
    proof = _centre(qtbot, ws).proof
    assert (proof.doc_id.text(), proof.block.value()) == (redacted["doc_id"], 3)
    _prove_and_wait(qtbot, proof)
    # the documents view's pane: the document's current revision (block 6)
    view = documents_view(qtbot, ws, "Person")
    view.select_row(0)
    qtbot.wait_until(lambda: view.pane.prove_button.isEnabled())
    view.pane.prove_button.click()
    assert (proof.doc_id.text(), proof.block.value()) == (redacted["doc_id"], 6)
    assert ws.views.currentWidget() is ws.view("verify")


def test_a_failed_proof_cannot_be_saved(qtbot, window, redacted):
    ws = open_workspace(qtbot, window, redacted["path"])
    from ledger_desktop.ui.verify.register import prove

    prove(ws, 3, "nosuchdocument")
    proof = _centre(qtbot, ws).proof
    proof.prove_button.click()
    qtbot.wait_until(lambda: "no revision" in proof.status.text(), timeout=10000)
    assert not proof.save_button.isEnabled() and proof.save_proof_to("x.json") is None
