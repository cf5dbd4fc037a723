"""A path a command cannot create or write is one line and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.sample import build_sample


@pytest.mark.parametrize("args", [
    ["export", "{ledger}", "{blocker}/out"],
    ["stream", "{ledger}", "--to", "file:{blocker}/out"],
    ["digest", "{ledger}", "--save", "{blocker}/d.json"],
])
def test_an_unwritable_path_is_one_line(tmp_path: Path, args: list[str]) -> None:
    ledger = build_sample(tmp_path / "s.ledger")
    blocker = tmp_path / "a-file"  # a file where a folder is needed
    blocker.write_text("x")
    argv = [a.format(ledger=ledger, blocker=blocker) for a in args]
    res = CliRunner().invoke(main, argv)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("error:")
    assert "Not a directory" in last or "a-file is not a folder" in last
    assert blocker.read_text() == "x"
