"""Saved digests (probe B 11): Remove asks first; a full verification fills the Check column;
the same digest added again keeps where it came from; Save to File also keeps it in the list.
Report and digest save dialogs start in the folder last used and say where they saved (24)."""

from __future__ import annotations

import base64
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from ledger_desktop.engine import digest_file
from ledger_desktop.engine.ledger import Ledger
from tests.ui.conftest import open_workspace

from .test_close_confirm import Answer


def _digests(qtbot, window, path):
    ws = open_workspace(qtbot, window, path)
    ws.trigger("get_digest")
    qtbot.wait_until(lambda: ws.view("verify") is not None, timeout=10000)
    centre = ws.view("verify")
    qtbot.wait_until(lambda: centre.digests.current is not None
                     and centre.hub.store is not None, timeout=10000)
    return ws, centre


def test_remove_asks_first_and_cancel_keeps_the_digest(qtbot, window, sample_ledger):
    _ws, centre = _digests(qtbot, window, sample_ledger)
    digests = centre.digests
    saved = digests.add_pasted(f"{base64.b64encode(digests.current.digest).decode()}\n"
                               f"{digests.current.tip.text()}")
    assert saved is not None and digests.table.rowCount() == 1
    # Remove as its button calls it (the list's own refresh may clear a selection made here
    # before it lands, so the button is not clicked: that made the test order-dependent)
    answer = Answer("Cancel")
    assert not digests.remove(saved)
    assert "only copy" in answer.asked and saved.b64 in answer.asked
    assert digests.table.rowCount() == 1 and len(digests.hub.saved_digests()) == 1
    answer = Answer("Remove")
    assert digests.remove(saved)
    assert answer.asked
    assert digests.table.rowCount() == 0 and digests.hub.saved_digests() == []
    assert "Removed" in digests.message.text()


def test_a_full_verification_fills_the_check_column(qtbot, window, sample_ledger):
    _ws, centre = _digests(qtbot, window, sample_ledger)
    digests = centre.digests
    saved = digests.keep_current()
    assert saved is not None and digests.table.item(0, 5).text() == ""
    assert centre.panel.with_digests.isChecked()
    with qtbot.wait_signal(centre.hub.finished, timeout=20000) as sig:
        centre.panel.start()
    assert [dc.ok for dc in sig.args[0].digest_checks] == [True]
    assert "agrees" in digests.table.item(0, 5).text()


def test_the_same_digest_again_keeps_its_source(qtbot, window, sample_ledger, tmp_path):
    """Pasting a digest that came from aws-getdigest.json relabelled it "pasted text"."""
    with Ledger.open(sample_ledger, read_only=True) as led:
        digest = led.digest()
    file = tmp_path / "aws-getdigest.json"
    digest_file.write_digest(file, digest)
    _ws, centre = _digests(qtbot, window, sample_ledger)
    digests = centre.digests
    assert digests.import_file(file) is not None
    assert digests.table.item(0, 4).text() == "aws-getdigest.json"
    again = digests.add_pasted(f"{base64.b64encode(digest.digest).decode()}\n"
                               f"{digest.tip.text()}")
    assert again is not None and again.source == str(file)
    assert digests.table.rowCount() == 1
    assert digests.table.item(0, 0).text() == "aws-getdigest.json"
    assert digests.table.item(0, 4).text() == "aws-getdigest.json"
    assert "already in the list" in digests.message.text()
    assert "aws-getdigest.json" in digests.message.text()
    digests.keep_current()  # the same tip and value, taken from the ledger: kept as it was
    assert digests.hub.saved_digests()[0].source == str(file)


def test_save_to_file_keeps_the_digest_in_the_list_and_starts_in_the_last_folder(
        qtbot, window, ctx, sample_ledger, tmp_path, monkeypatch):
    folder = tmp_path / "audits"
    folder.mkdir()
    ctx.settings.set_last_dir(str(folder))
    asked: list[str] = []

    def save_name(_parent, _title, start, _filter, *_a, **_k):
        asked.append(start)
        return str(folder / "given.json"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    _ws, centre = _digests(qtbot, window, sample_ledger)
    digests = centre.digests
    digests.save_button.click()
    assert Path(asked[0]).parent == folder  # not a bare name (the working directory)
    assert (folder / "given.json").is_file()
    assert digests.table.rowCount() == 1
    assert digests.table.item(0, 4).text() == "given.json"
    assert "also in the list" in digests.message.text()
    # so "Also check the saved digests" checks it
    with qtbot.wait_signal(centre.hub.finished, timeout=20000) as sig:
        centre.panel.start()
    assert len(sig.args[0].digest_checks) == 1 and sig.args[0].digest_checks[0].ok


def test_report_save_starts_in_the_last_folder_and_says_where(qtbot, window, ctx,
                                                              sample_ledger, tmp_path,
                                                              monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    ctx.settings.set_last_dir(str(folder))
    asked: list[str] = []

    def save_name(_parent, _title, start, _filter, *_a, **_k):
        asked.append(start)
        return str(folder / "out" / Path(start).name), ""

    (folder / "out").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    ws = open_workspace(qtbot, window, sample_ledger)
    ws.trigger("verify_journal")
    qtbot.wait_until(lambda: ws.view("verify") is not None, timeout=10000)
    centre = ws.view("verify")
    qtbot.wait_until(lambda: centre.hub.report is not None, timeout=20000)
    view = centre.panel.report_view
    qtbot.wait_until(lambda: view.report is not None, timeout=5000)
    view.save_html_button.click()
    assert Path(asked[0]).parent == folder
    saved = folder / "out" / "sample-verification.html"
    assert saved.is_file()
    assert "Saved the report to" in view.saved_note.text()
    assert str(saved.resolve()) in view.saved_note.text()
    assert "Open folder" in view.saved_note.text()
    view.save_json_button.click()  # the next dialog starts where the last file went
    assert Path(asked[1]).parent == folder / "out"
