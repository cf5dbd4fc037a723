"""The verification centre driven through its widgets: verify a tampered copy and find the
tampered block, live chain colours, report links and saving, saved digests, proofs, Cancel."""

from __future__ import annotations

import json
import threading

import pytest
from PySide6.QtCore import Qt
from tampering import tamper_copy

from ledger_desktop.engine import digest_file
from ledger_desktop.engine.ion_hash import dot
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample
from ledger_desktop.ui.chain import palette as P
from ledger_desktop.ui.chain.context import LedgerViewContext
from ledger_desktop.ui.verify.centre import VerificationCentre
from ledger_desktop.workers.session import LedgerSession

TAMPERED_BLOCK = 12


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("verifyui") / "s.ledger")


@pytest.fixture(scope="module")
def tampered(sample_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("verifyui-bad") / "tampered.ledger"
    doc = tamper_copy(sample_path, path, TAMPERED_BLOCK)
    return path, doc


@pytest.fixture
def open_centre(qtbot, tmp_path):
    made = []

    def make(path, data_dir=None):
        session = LedgerSession(path)
        opened: list[int] = []
        ctx = LedgerViewContext(path, session, data_dir or tmp_path / "data",
                                open_block=opened.append)
        centre = VerificationCentre(ctx)
        centre.opened_blocks = opened
        qtbot.addWidget(centre)
        centre.resize(1200, 900)
        centre.show()
        qtbot.wait_until(lambda: centre.hub.store is not None and centre.chain.model.count > 0)
        made.append((centre, session))
        return centre

    yield make
    for centre, session in made:
        centre.shutdown()
        session.close()


def _verify(qtbot, centre):
    with qtbot.wait_signal(centre.hub.finished, timeout=20000) as sig:
        qtbot.mouseClick(centre.panel.start_button, Qt.MouseButton.LeftButton)
    return sig.args[0]


def test_healthy_sample_verifies_and_status_records_it(qtbot, open_centre, sample_path):
    centre = open_centre(sample_path)
    assert "Never fully verified" in centre.status.text()
    report = _verify(qtbot, centre)
    assert report.ok
    model = centre.chain.model
    assert model.counts()[P.CAT_FAILED] == 0 and model.counts()[P.CAT_UNCHECKED] == 0
    assert "VERIFIED" in centre.panel.report_view.banner.text()
    assert "blocks/s" in centre.panel.speed.text()
    with Ledger.open(sample_path, read_only=True) as led:
        digest_b64 = report.digest_b64
        assert led.block_count() == report.blocks_checked
    assert "Last fully verified" in centre.status.text()
    assert digest_b64[:16] in centre.status.text()


def test_tampered_copy_fails_at_the_tampered_block(qtbot, open_centre, tampered, tmp_path):
    path, doc = tampered
    centre = open_centre(path)
    report = _verify(qtbot, centre)
    assert not report.ok
    assert report.first_failure.seq == TAMPERED_BLOCK
    assert report.first_failure.check == "revision hash"
    # only the changed content fails: the block's hashes and links hold, so the chain is not
    # broken and the later blocks are proven (not "after a break")
    model = centre.chain.model
    assert model.category_of(TAMPERED_BLOCK) == P.CAT_FAILED
    assert all(model.category_of(s) in (P.CAT_VERIFIED, P.CAT_REDACTION)
               for s in range(model.count) if s != TAMPERED_BLOCK)
    view = centre.panel.report_view
    assert f"The revision hash check failed in block {TAMPERED_BLOCK}." in view.banner.text()
    assert "chain breaks" not in view.banner.text()
    docs = [view.revisions.item(r, 0).text() for r in range(view.revisions.rowCount())]
    assert doc in docs
    tables = {view.revisions.item(r, 2).text() for r in range(view.revisions.rowCount())}
    assert all(t.startswith(("Person (", "DriversLicense (", "Vehicle (",
                             "VehicleRegistration (")) for t in tables), tables
    # links: into the chain view and the block inspector
    qtbot.mouseClick(view.open_first, Qt.MouseButton.LeftButton)
    assert centre.opened_blocks == [TAMPERED_BLOCK]
    assert centre.chain.model.selected == TAMPERED_BLOCK
    first, last = centre.chain.visible_range()
    assert first <= TAMPERED_BLOCK < last
    # saved as JSON and HTML
    view.save_json(tmp_path / "r.json")
    view.save_html(tmp_path / "r.html")
    saved = json.loads((tmp_path / "r.json").read_text())
    assert saved["first_failure"]["seq"] == TAMPERED_BLOCK
    assert doc in (tmp_path / "r.html").read_text()
    assert "FAILED" in centre.status.text()
    assert "checks out" not in centre.status.text()


def test_saved_digest_is_loaded_and_checked(qtbot, open_centre, sample_path, tampered,
                                            tmp_path):
    with Ledger.open(sample_path, read_only=True) as led:
        digest = led.digest()
    file = tmp_path / "saved-digest.json"
    digest_file.write_digest(file, digest)
    data = tmp_path / "shared-data"
    centre = open_centre(sample_path, data)
    saved = centre.digests.import_file(file)
    assert saved is not None and centre.digests.table.rowCount() == 1
    assert "Imported" in centre.digests.message.text()
    centre.digests.import_file(file)  # again: nothing is added, and it says so
    assert centre.digests.table.rowCount() == 1
    assert "already in the list" in centre.digests.message.text()
    centre.digests.table.selectRow(0)
    with qtbot.wait_signal(centre.digests.checked, timeout=20000) as sig:
        qtbot.mouseClick(centre.digests.check_button, Qt.MouseButton.LeftButton)
    assert sig.args == [saved.key, True]
    assert "agrees" in centre.digests.table.item(0, 5).text()
    # the tampered copy (same strand) shares the saved digest, and disagrees with it
    bad = open_centre(tampered[0], data)
    qtbot.wait_until(lambda: bad.digests.table.rowCount() == 1)
    bad.digests.table.selectRow(0)
    with qtbot.wait_signal(bad.digests.checked, timeout=20000) as sig:
        qtbot.mouseClick(bad.digests.check_button, Qt.MouseButton.LeftButton)
    assert sig.args == [saved.key, False]
    assert f"block {TAMPERED_BLOCK}" in bad.digests.table.item(0, 5).text()


def test_proof_is_drawn_and_its_steps_recompute(qtbot, open_centre, sample_path):
    with Ledger.open(sample_path, read_only=True) as led:
        seq, doc = led._conn.execute("SELECT seq, doc_id FROM revisions WHERE kind=0 AND seq IN "
                                     "(SELECT seq FROM blocks WHERE n_revisions > 2) "
                                     "ORDER BY seq, idx LIMIT 1").fetchone()
    centre = open_centre(sample_path)
    proof = centre.proof
    proof.set_target(seq, doc)
    with qtbot.wait_signal(proof.proved, timeout=10000) as sig:
        qtbot.mouseClick(proof.prove_button, Qt.MouseButton.LeftButton)
    laid = sig.args[0]
    assert laid.result.ok
    steps = laid.result.steps
    assert len(proof.diagram.step_boxes) == len(steps)
    assert proof.diagram.failing_steps() == []
    for s in steps[1:]:
        assert s.result == dot(s.left, s.right)
    assert {s.name for s in laid.segments} >= {"revisions tree", "entries tree", "digest tree"}
    assert "VERIFIED" in proof.status.text()


def test_tampered_revision_proof_marks_the_failing_step(qtbot, open_centre, sample_path,
                                                        tampered):
    path, doc = tampered
    centre = open_centre(path)
    proof = centre.proof
    proof.set_target(TAMPERED_BLOCK, doc)
    with qtbot.wait_signal(proof.proved, timeout=10000) as sig:
        proof.prove()
    assert not sig.args[0].result.ok
    assert proof.diagram.failing_steps() == [0]


def test_two_saved_digests_relate(qtbot, open_centre, sample_path):
    centre = open_centre(sample_path)
    with Ledger.open(sample_path, read_only=True) as led:
        centre.hub.store.add(led.digest_at(6), "old")
        centre.hub.store.add(led.digest(), "new")
    centre.hub.digests_changed.emit()
    table = centre.digests.table
    assert table.rowCount() == 2
    table.selectAll()
    with qtbot.wait_signal(centre.proof.proved, timeout=10000) as sig:
        qtbot.mouseClick(centre.digests.relate_button, Qt.MouseButton.LeftButton)
    laid = sig.args[0]
    assert laid.result.ok and "block 6" in laid.subject
    assert centre.tabs.currentWidget() is centre.proof


def test_offline_proof_from_pasted_getrevision_json(qtbot, sample_path, request):
    from ledger_desktop.engine.ion_values import dumps_text
    from ledger_desktop.ui.verify.proof_view import ProofView

    with Ledger.open(sample_path, read_only=True) as led:
        seq, doc = led._conn.execute("SELECT seq, doc_id FROM revisions WHERE kind=0 "
                                     "ORDER BY seq DESC LIMIT 1").fetchone()
        digest = led.digest()
        revision, proof = led.get_revision(doc, f"{led.strand_id}:{seq}", digest.tip)
    import base64

    view = ProofView(None)
    qtbot.addWidget(view)
    request.addfinalizer(view.shutdown)
    view.off_value.setPlainText(json.dumps({
        "Revision": {"IonText": dumps_text(revision)},
        "Proof": {"IonText": dumps_text(proof)}}))
    view.off_digest.setText(base64.b64encode(digest.digest).decode())
    with qtbot.wait_signal(view.proved, timeout=10000) as sig:
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    assert sig.args[0].result.ok
    view.off_digest.setText(base64.b64encode(b"\1" * 32).decode())
    with qtbot.wait_signal(view.proved, timeout=10000) as sig:
        view.verify_offline()
    assert not sig.args[0].result.ok
    assert view.diagram.failing_steps() == [len(sig.args[0].result.steps) - 1]
    view.off_digest.setText("")
    view.verify_offline()
    qtbot.wait_until(lambda: "digest" in view.status.text())


@pytest.fixture(scope="module")
def longer_ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("long") / "long.ledger"
    led = Ledger.create(path)
    led.execute("CREATE TABLE T")
    table = led.table("T").table_id
    with led.atomic():
        for i in range(1500):
            with led.transaction() as tx:
                tx.insert(table, {"n": i}, tx.begin_statement("INSERT INTO T ?"))
    led.close()
    return path


def test_cancel_stops_verification_part_way(qtbot, open_centre, longer_ledger, monkeypatch):
    """The worker pauses after its first progress report until the test has pressed Cancel,
    so the cancel deterministically lands in the middle of the journal."""
    import ledger_desktop.ui.verify.hub as hub_module

    gate = threading.Event()
    real = hub_module.verify_ledger

    def gated(led, progress, cancel, **kw):
        def report(done, total):
            progress(done, total)
            gate.wait(10)
        return real(led, progress=report, cancel=cancel, **kw)

    monkeypatch.setattr(hub_module, "verify_ledger", gated)
    centre = open_centre(longer_ledger)
    panel = centre.panel
    with qtbot.wait_signal(centre.hub.progressed, timeout=10000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.isEnabled() and not panel.start_button.isEnabled()
    with qtbot.wait_signal(centre.hub.finished, timeout=10000) as sig:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        gate.set()
    report = sig.args[0]
    assert report.cancelled and 0 < report.blocks_checked < report.block_count, report.summary()
    assert "cancelled" in panel.report_view.banner.text()
    assert panel.start_button.isEnabled()
    counts = centre.chain.model.counts()
    assert counts[P.CAT_UNCHECKED] > 0 and counts[P.CAT_VERIFIED] > 0
    assert "Never fully verified" in centre.status.text()  # a cancelled run is not recorded


def test_an_unexpected_failure_reaches_the_user_as_a_dialog(qtbot, open_centre, sample_path,
                                                            monkeypatch):
    from PySide6.QtWidgets import QApplication, QMessageBox

    import ledger_desktop.ui.verify.hub as hub_module

    def broken(*_a, **_k):
        raise OSError(5, "Input/output error", "s.ledger")

    monkeypatch.setattr(hub_module, "verify_ledger", broken)
    centre = open_centre(sample_path)
    with qtbot.wait_signal(centre.hub.failed, timeout=10000):
        qtbot.mouseClick(centre.panel.start_button, Qt.MouseButton.LeftButton)
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.objectName() == "errorDialog" and w.isVisible()]
    assert boxes and "Input/output error" in boxes[0].text()
    assert "Verification stopped" in centre.panel.speed.text()
    assert centre.panel.start_button.isEnabled()
    for box in boxes:
        box.close()


def test_a_digest_pasted_as_text_is_kept_and_checked(qtbot, open_centre, sample_path,
                                                     tmp_path, monkeypatch):
    import base64

    with Ledger.open(sample_path, read_only=True) as led:
        digest = led.digest()
    centre = open_centre(sample_path, tmp_path / "paste-data")
    # as the QLDB console shows it: labels, the base64 digest and the tip address
    text = (f"Digest\n{base64.b64encode(digest.digest).decode()}\n"
            f"Digest tip address\n{digest.tip.text()}\n")
    errors: list[str] = []
    monkeypatch.setattr("ledger_desktop.ui.verify.digests.error_box",
                        lambda _parent, title, e: errors.append(f"{title}: {e}"))
    assert centre.digests.add_pasted("just some words") is None
    assert errors and "no digest found" in errors[-1]
    saved = centre.digests.add_pasted(text)
    assert saved is not None and saved.digest.tip == digest.tip
    assert centre.digests.table.rowCount() == 1
    centre.digests.table.selectRow(0)
    with qtbot.wait_signal(centre.digests.checked, timeout=20000) as sig:
        qtbot.mouseClick(centre.digests.check_button, Qt.MouseButton.LeftButton)
    assert sig.args == [saved.key, True]


def test_report_banner_without_a_block_names_the_check(qtbot, sample_path, tmp_path):
    """A failure with no block (a digest of another ledger) read "The chain breaks at the
    ledger"."""
    from ledger_desktop.ui.verify.report_view import ReportView

    with Ledger.create(tmp_path / "other.ledger") as other:
        foreign = other.digest()
    with Ledger.open(sample_path, read_only=True) as led:
        report = led.verify(digests=[foreign])
    view = ReportView()
    qtbot.addWidget(view)
    view.set_report(report)
    text = view.banner.text()
    assert text.startswith("VERIFICATION FAILED: 1 problem(s). Saved digest ")
    assert "does not match the journal: the digest is for another ledger (strand)." in text
    assert "chain breaks" not in text


def test_the_proof_view_opens_no_window_of_its_own(qtbot, open_centre, sample_path):
    """Its "Prove from this ledger" box was shown before it had a parent: it flashed up as a
    top-level window and took the keyboard focus from the main window."""
    from PySide6.QtWidgets import QApplication, QGroupBox

    from ledger_desktop.ui.verify import proof_view

    shown: list[str] = []
    real = QGroupBox.setVisible

    def watch(self, visible):
        if visible and self.parent() is None:
            shown.append(self.title())
        real(self, visible)

    QGroupBox.setVisible = watch
    try:
        centre = open_centre(sample_path)  # its proof view has a hub: the box is shown
    finally:
        QGroupBox.setVisible = real
    assert centre.findChild(proof_view.ProofView) is not None
    assert shown == []
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QGroupBox) and w.isVisible()]


def test_a_report_cancelled_after_the_blocks_says_so(qtbot):
    from ledger_desktop.engine.verify import VerifyReport
    from ledger_desktop.ui.verify.report_view import ReportView

    view = ReportView()
    qtbot.addWidget(view)
    report = VerifyReport(ledger="x", strand_id="s", block_count=12, blocks_checked=12,
                          cancelled=True, ok=False)
    view.set_report(report)
    assert "after all 12 blocks" in view.banner.text()
    report.blocks_checked = 5
    view.set_report(report)
    assert "after 5 of 12 blocks" in view.banner.text()
    # the run stopped before the tip: no "Tip None · digest None"
    assert "None" not in view.facts.text()
    assert "tip not reached" in view.facts.text()


def _damaged_copy(src, dst, column: str, seq: int) -> None:
    """Copy `src` to `dst` with one bit of block `seq`'s stored `column` flipped."""
    import shutil
    import sqlite3

    shutil.copyfile(src, dst)
    conn = sqlite3.connect(dst)
    try:
        (h,) = conn.execute(f"SELECT {column} FROM blocks WHERE seq=?", (seq,)).fetchone()
        h = bytearray(h)
        h[0] ^= 1
        conn.execute(f"UPDATE blocks SET {column}=? WHERE seq=?", (bytes(h), seq))
        conn.commit()
    finally:
        conn.close()


def test_a_saved_digest_that_disagrees_is_named_and_fails_no_block(qtbot, open_centre,
                                                                    sample_path, tmp_path):
    """It read "The chain breaks at block 22" and painted block 22 failed and the blocks after
    it unprovable, although every block checked out."""
    from ledger_desktop.engine.model import Digest

    with Ledger.open(sample_path, read_only=True) as led:
        good = led.digest()
    wrong = Digest(bytes([good.digest[0] ^ 1]) + good.digest[1:], good.tip)
    wrong_file = tmp_path / "wrong_digest.json"
    digest_file.write_digest(wrong_file, wrong)
    centre = open_centre(sample_path, tmp_path / "wrong-data")
    saved = centre.digests.import_file(wrong_file)
    assert saved is not None
    assert centre.panel.with_digests.isChecked()
    report = _verify(qtbot, centre)
    assert not report.ok and report.failed_blocks == [good.tip.seq]  # the engine's view
    view = centre.panel.report_view
    text = view.banner.text()
    assert "chain breaks" not in text and "check failed in block" not in text
    assert (f"Saved digest {saved.b64[:8]}… (wrong_digest.json, tip {good.tip.seq}) does not "
            "match the journal") in text
    assert f"Every one of the {report.blocks_checked} blocks checks out" in text
    counts = centre.chain.model.counts()
    assert counts[P.CAT_FAILED] == 0 and counts[P.CAT_AFTER_BREAK] == 0
    assert counts[P.CAT_UNCHECKED] == 0
    assert not view.revisions.isVisible() and not view.open_first.isVisible()
    assert view.digests.isVisible() and view.digests.rowCount() == 1
    # the status line does not leave it at "FAILED" either
    status = centre.status.text()
    assert "the journal checks out" in status and "saved digest does NOT match" in status


def test_a_broken_chain_link_is_a_chain_break(qtbot, open_centre, sample_path, tmp_path):
    bad = tmp_path / "broken-link.ledger"
    _damaged_copy(sample_path, bad, "block_hash", TAMPERED_BLOCK)
    centre = open_centre(bad)
    report = _verify(qtbot, centre)
    assert not report.ok
    text = centre.panel.report_view.banner.text()
    assert f"The chain breaks at block {TAMPERED_BLOCK} (the block hash check)." in text
    model = centre.chain.model
    assert model.category_of(TAMPERED_BLOCK) == P.CAT_FAILED
    assert all(model.category_of(s) in (P.CAT_VERIFIED, P.CAT_REDACTION)
               for s in range(TAMPERED_BLOCK))
    assert all(model.category_of(s) in (P.CAT_AFTER_BREAK, P.CAT_FAILED)
               for s in range(TAMPERED_BLOCK + 1, model.count))
