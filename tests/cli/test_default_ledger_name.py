"""A ledger's default name comes from its file name and is never blank: `ledger init " .ledger"`
used to create a ledger named " " (regression probe F9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.new_file import default_ledger_name


@pytest.mark.parametrize(("file", "name"), [
    ("dmv.ledger", "dmv"), ("my books.ledger", "my books"), (" .ledger", "ledger"),
    ("   ", "ledger"), ("\t.ledger", "ledger"), ("a\nb.ledger", "a b"), ("  x .ledger", "x")])
def test_default_ledger_name(file: str, name: str) -> None:
    assert default_ledger_name(Path("/some/folder") / file) == name


@pytest.mark.parametrize("file", [" .ledger", "   "])
def test_init_names_a_ledger_whose_file_name_is_blank(tmp_path: Path, file: str) -> None:
    path = tmp_path / file
    r = CliRunner().invoke(main, ["init", str(path)])
    assert r.exit_code == 0, r.output
    assert "created ledger 'ledger'" in r.output
    with Ledger.open(path, read_only=True) as led:
        assert led.ledger_name == "ledger"


def test_the_api_and_the_app_name_a_blank_file_name_too(tmp_path: Path) -> None:
    # Ledger.create is what the app's New Ledger calls
    with Ledger.create(tmp_path / " .ledger") as led:
        assert led.ledger_name == "ledger"


def test_init_keeps_an_explicit_name(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["init", str(tmp_path / " .ledger"), "--name", "books"])
    assert r.exit_code == 0, r.output
    with Ledger.open(tmp_path / " .ledger", read_only=True) as led:
        assert led.ledger_name == "books"


@pytest.mark.parametrize("manifest", ["none", "blank name"])
def test_import_journal_never_takes_a_blank_name(tmp_path: Path, manifest: str) -> None:
    with Ledger.create(tmp_path / "src.ledger") as led:
        led.execute("CREATE TABLE T")
        export_journal(led, tmp_path / "exp")
    started = next((tmp_path / "exp").glob("*.started.manifest"))
    if manifest == "none":  # only the data objects were kept: no ledger name at all
        for m in (tmp_path / "exp").glob("*.manifest"):
            m.unlink()
    else:
        text = started.read_text()
        assert 'ledgerName:"src"' in text, text
        started.write_text(text.replace('ledgerName:"src"', 'ledgerName:"  "'))
    target = tmp_path / " .ledger"
    r = CliRunner().invoke(main, ["import-journal", str(tmp_path / "exp"), str(target), "-q"])
    assert r.exit_code == 0, r.output
    assert "(ledger 'ledger')" in r.output
    with Ledger.open(target, read_only=True) as led:
        assert led.ledger_name == "ledger" and led.verify().ok
