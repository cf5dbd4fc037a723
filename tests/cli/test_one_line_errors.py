"""Whatever goes wrong, a command prints one `error:` line and exits 2: never a traceback, and
never exit 1, which means a failed verification (docs/reliability.md 70)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample

ZERO_DIGEST = base64.b64encode(bytes(32)).decode()


def _one_error_line(res, code: int = 2) -> str:
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    return lines[0]


def test_a_revision_too_deep_for_the_hasher_is_one_line(tmp_path: Path) -> None:
    # A revision file from elsewhere (not a ledger of ours, which stores 100 levels at most).
    n = 3000
    rev = tmp_path / "rev.ion"
    rev.write_text('{blockAddress:{strandId:"AAAAAAAAAAAAAAAAAAAAAA",sequenceNo:3},'
                   'hash:{{' + "A" * 43 + '=}},data:{a:' + "[" * n + "]" * n + '},'
                   'metadata:{id:"BBBBBBBBBBBBBBBBBBBBBB",version:0,txTime:2020-01-01T00:00Z,'
                   'txId:"CCCCCCCCCCCCCCCCCCCCCC"}}')
    proof = tmp_path / "proof.ion"
    proof.write_text("[]")
    res = CliRunner().invoke(main, ["verify-proof", "--revision", str(rev), "--proof",
                                    str(proof), "--digest", ZERO_DIGEST])
    line = _one_error_line(res)
    assert "nested too deeply" in line or "nesting" in line.lower()


def test_an_unexpected_engine_error_is_one_line(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = build_sample(tmp_path / "s.ledger")

    def broken(self: Ledger) -> None:
        raise KeyError("tip")

    monkeypatch.setattr(Ledger, "digest", broken)
    monkeypatch.delenv("LEDGER_TRACEBACK", raising=False)
    line = _one_error_line(CliRunner().invoke(main, ["digest", str(path)]))
    assert "unexpected error (KeyError: 'tip')" in line
    assert "LEDGER_TRACEBACK=1" in line


def test_the_traceback_is_there_when_asked_for(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = build_sample(tmp_path / "s.ledger")
    monkeypatch.setattr(Ledger, "digest", lambda self: {}["tip"])
    monkeypatch.setenv("LEDGER_TRACEBACK", "1")
    res = CliRunner().invoke(main, ["digest", str(path)])
    assert isinstance(res.exception, KeyError)


def test_usage_errors_still_come_from_click(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["digest"])
    assert res.exit_code == 2
    assert "unexpected error" not in res.output


def test_a_digest_that_cannot_be_saved_is_not_printed(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """On a full disk `digest --save` printed the digest, then failed: a script reading
    standard output got a digest that was never saved."""
    import errno

    from ledger_desktop.engine import digest_file

    path = build_sample(tmp_path / "s.ledger")

    def full(target, *_a, **_k) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(digest_file, "write_digest", full)
    res = CliRunner().invoke(main, ["digest", str(path), "--save", str(tmp_path / "d.json")])
    assert _one_error_line(res).endswith("d.json: No space left on device")
    assert "digest:" not in res.output
