"""Offline proof inputs given as files the way users copy them: a quoted path, a `file://`
URL, `~/…`; and a file that is not Ion says where it goes wrong, as pasted text does."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from ledger_desktop.ui.verify.proof_view import ProofView

OK_COLOR = "#2e9d4f"


@pytest.fixture
def spaced(proof_files: Path) -> Path:
    """The sample's block 7, its proof and a digest in a folder whose name has spaces."""
    folder = proof_files / "dir with spaces"
    folder.mkdir()
    for name in ("block.ion", "proof.ion", "digest.json"):
        shutil.copy(proof_files / name, folder / f"my {name}")
    return folder


def _verify(qtbot, request, value: str, proof: str, digest: str, kind: str = "block") -> str:
    view = ProofView(None)
    qtbot.addWidget(view)
    request.addfinalizer(view.shutdown)
    view.off_kind.setCurrentText(kind)
    view.off_value.setPlainText(value)
    view.off_proof.setText(proof)
    view.off_digest.setText(digest)
    view.verify_offline()
    qtbot.wait_until(lambda: "Computing" not in view.status.text(), timeout=10000)
    return view.status.text()


def test_quoted_paths_are_files(qtbot, request, spaced):
    # "Copy path" in file managers and shells gives the name in quotes
    text = _verify(qtbot, request, f'"{spaced / "my block.ion"}"', f"'{spaced / 'my proof.ion'}'",
                   f'"{spaced / "my digest.json"}"')
    assert OK_COLOR in text, text


@pytest.mark.parametrize("escaped", [True, False])
def test_file_urls_are_files(qtbot, request, spaced, escaped):
    def url(name: str) -> str:
        path = str(spaced / name)
        return "file://" + (quote(path) if escaped else path)

    text = _verify(qtbot, request, url("my block.ion"), url("my proof.ion"),
                   url("my digest.json"))
    assert OK_COLOR in text, text


def test_a_home_relative_path_is_expanded(qtbot, request, spaced, monkeypatch):
    monkeypatch.setenv("HOME", str(spaced))
    text = _verify(qtbot, request, "~/my block.ion", "~/my proof.ion", "~/my digest.json")
    assert OK_COLOR in text, text


def test_a_value_file_that_is_not_ion_names_line_and_column(qtbot, request, spaced):
    bad = spaced / "bad rev.ion"
    bad.write_text('{ blockAddress: {strandId: "x", sequenceNo: 3},\n'
                   "  hash: {{ abc }},\n  data: { a: 1 \n")
    text = _verify(qtbot, request, str(bad), str(spaced / "my proof.ion"),
                   str(spaced / "my digest.json"), kind="revision")
    # was "…/bad rev.ion: not valid Ion (IERR_BAD_BASE64_BLOB )"
    assert f"{bad}: not valid Ion (line 2, column " in text, text
    assert "IERR_" not in text


def test_a_proof_file_that_is_not_ion_names_line_and_column(qtbot, request, spaced):
    bad = spaced / "bad proof.ion"
    bad.write_text("[\n  {{ abc }},\n]\n")
    text = _verify(qtbot, request, str(spaced / "my block.ion"), str(bad),
                   str(spaced / "my digest.json"))
    assert f"{bad}: not valid Ion (line 2, column " in text, text


def test_a_quoted_missing_file_says_file_not_found(qtbot, request, spaced):
    missing = spaced / "nope.ion"
    text = _verify(qtbot, request, f'"{missing}"', "", str(spaced / "my digest.json"))
    # was parsed as pasted Ion: "the pasted block: expected an Ion struct"
    assert f"file not found: {missing}" in text, text


def test_the_digests_tip_address_is_held_against_the_proof(qtbot, request, proof_files):
    """As `ledger verify-proof` does (proof_tip): a digest file whose tip address comes before
    the block fails, even though its hash is the right one and the proof folds to it."""
    import json
    import re

    text = _verify(qtbot, request, str(proof_files / "block.ion"),
                   str(proof_files / "proof.ion"), str(proof_files / "digest.json"))
    assert OK_COLOR in text and "digest tip" not in text, text
    digest = json.loads((proof_files / "digest.json").read_text())
    tip = digest["DigestTipAddress"]["IonText"]
    digest["DigestTipAddress"]["IonText"] = re.sub(r"sequenceNo:\d+", "sequenceNo:3", tip)
    relabelled = proof_files / "relabelled.json"
    relabelled.write_text(json.dumps(digest))
    text = _verify(qtbot, request, str(proof_files / "block.ion"),
                   str(proof_files / "proof.ion"), str(relabelled))
    assert OK_COLOR not in text, text
    assert "[FAIL] digest tip: block 7 is after the digest's tip (block 3)" in text, text
    assert "NOT VERIFIED: the proof folds to the digest" in text, text
