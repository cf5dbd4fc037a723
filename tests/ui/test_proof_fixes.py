"""The proof window and offline proof inputs: a resize settles at once (no scroll-bar loop);
a long verdict and several notes wrap above the path instead of running off its right edge or
over each other; a mistyped path or text that is not Ion gets a message naming what the user
gave."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject

from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.ui.verify.proof_diagram import ProofDiagram
from ledger_desktop.ui.verify.proof_view import ProofView


class _ResizeCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.count += 1
        return False


def _laid_proof(sample_ledger):
    """The laid-out proof of the sample's revision in block 12 against the current digest."""
    import sqlite3

    from ledger_desktop.engine.proof_layout import revision_proof

    conn = sqlite3.connect(sample_ledger)
    (doc_id,) = conn.execute("SELECT doc_id FROM revisions WHERE seq=12 AND kind=0").fetchone()
    conn.close()
    with Ledger.open(sample_ledger, read_only=True) as led:
        return revision_proof(led, doc_id, 12, led.digest())


def test_resizing_the_proof_diagram_settles_promptly(qtbot, sample_ledger):
    laid = _laid_proof(sample_ledger)
    diagram = ProofDiagram()
    qtbot.addWidget(diagram)
    diagram.set_proof(laid)
    diagram.resize(700, 450)
    diagram.show()
    qtbot.wait_exposed(diagram)
    counter = _ResizeCounter()
    diagram.viewport().installEventFilter(counter)  # the view refits when its viewport resizes
    # Sweep the heights around the one where the fitted path is as tall as the view: there
    # the vertical bar used to come and go with each refit (a resize loop, GUI frozen 5 s).
    rect = diagram.scene().sceneRect()
    middle = int(rect.height() * diagram.width() / rect.width())
    for h in range(middle - 40, middle + 40):
        counter.count = 0
        t0 = time.monotonic()
        diagram.resize(700, h)
        qtbot.wait(1)
        elapsed = time.monotonic() - t0
        assert counter.count <= 3, (h, counter.count, elapsed)
    # the whole width of the path still fits: never a horizontal bar
    assert diagram.scene().sceneRect().width() * diagram.transform().m11() \
        <= diagram.viewport().width()
    assert not diagram.horizontalScrollBar().isVisible()


def test_a_long_verdict_and_notes_wrap_above_the_path(qtbot, sample_ledger):
    laid = _laid_proof(sample_ledger)
    laid.result.message += " — " + "the digest's tip was checked against the proof " * 6
    laid.notes += [f"note {i}: " + "the journal still folds to the older digest " * 4
                   for i in range(3)]
    diagram = ProofDiagram()
    qtbot.addWidget(diagram)
    diagram.set_proof(laid)
    width = diagram.scene().sceneRect().width()
    texts = [item.toPlainText() for item in diagram.heading]
    assert texts[1] == laid.result.message and texts[2:] == laid.notes  # every note, in full
    bottom = 0.0
    for item in diagram.heading:
        rect = item.sceneBoundingRect()
        assert rect.top() >= bottom  # one under the other, never over each other
        assert rect.right() <= width and item.document().size().width() <= width
        bottom = rect.bottom()
    assert diagram.heading[1].sceneBoundingRect().height() > 25  # the verdict wrapped
    assert diagram.step_boxes[0].sceneBoundingRect().top() > bottom  # the path below them


def test_a_mistyped_value_path_says_file_not_found(qtbot, proof_files, request):
    view = ProofView(None)
    qtbot.addWidget(view)
    request.addfinalizer(view.shutdown)
    missing = str(proof_files / "nonexist.ion")
    view.off_value.setPlainText(missing)
    view.off_proof.setText(str(proof_files / "proof.ion"))
    view.off_digest.setText(str(proof_files / "digest.json"))
    view.verify_offline()
    qtbot.wait_until(lambda: "Computing" not in view.status.text())
    # it was parsed as pasted Ion: "/tmp/tmpXXXX/pasted-revision: not valid Ion (…)"
    assert f"file not found: {missing}" in view.status.text()
    assert "pasted-" not in view.status.text()


def test_pasted_text_that_is_not_ion_names_the_line_and_column(qtbot, proof_files, request):
    view = ProofView(None)
    qtbot.addWidget(view)
    request.addfinalizer(view.shutdown)
    view.off_value.setPlainText("{blockAddress: {strandId: \"x\"},\n  data: [1 2]}")
    view.off_proof.setText(str(proof_files / "proof.ion"))
    view.off_digest.setText(str(proof_files / "digest.json"))
    view.verify_offline()
    qtbot.wait_until(lambda: "Computing" not in view.status.text())
    text = view.status.text()
    assert "the pasted revision is not valid Ion (line 2, column " in text, text
    assert "pasted-revision" not in text and "/tmp" not in text
