"""A data object that cannot be parsed as Ion is named, with its error, and its blocks are
said to be unreadable, not missing (probe-compat-2026-11-29b L1; reliability.md 115).

verify-export reported such an object as a gap ("GAP: blocks 7..8 are missing", the digest
"NOT CHECKED: the export has gaps before the digest's tip") and import-journal said "the
export is missing blocks 7..8": the blocks were there, in an object ion-c could not parse.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.blocks import block_range
from ledger_desktop.engine.exports import ExportObject, export_journal, open_export
from ledger_desktop.engine.ledger import Ledger

from .ledgers import varied_ledger

IVM = b"\xe0\x01\x00\xea"


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> tuple[Path, Path]:
    """A ledger and its saved digest."""
    folder = tmp_path_factory.mktemp("unreadable")
    varied_ledger(folder / "s.ledger").close()
    r = CliRunner().invoke(main, ["digest", str(folder / "s.ledger"), "--save",
                                  str(folder / "d.json")])
    assert r.exit_code == 0, r.output
    return folder / "s.ledger", folder / "d.json"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _break(obj: ExportObject, fmt: str, from_second: bool) -> None:
    """Bytes that are not Ion, at the object's start or at its second block."""
    data = obj.path.read_bytes()
    if fmt == "ion_text":
        at = data.index(b"\n{") + 1 if from_second else 0
        data = data[:at] + b"}" + data[at + 1:]       # a '}' where a block starts
    else:
        at = data.index(IVM, 4) if from_second else 0
        at += len(IVM)
        data = data[:at] + b"\xff" + data[at + 1:]    # a type code Ion binary does not have
    obj.path.write_bytes(data)


def _assert_named(output: str, obj: ExportObject, first: int) -> None:
    assert f"{obj.key}: not readable Ion (IERR_" in output, output
    assert f"{block_range(first, obj.last)} in it could not be read" in output, output
    assert "missing" not in output and "GAP" not in output and "gaps" not in output, output


@pytest.mark.parametrize("fmt", ["ion_text", "ion_binary"])
def test_cli_export_with_an_unparsable_object(tmp_path: Path, source: tuple[Path, Path],
                                             fmt: str) -> None:
    """`ledger export` writes one data object for a small ledger; broken, the report names it
    and says its blocks could not be read; the export holds no readable block."""
    ledger, digest = source
    assert run("export", ledger, tmp_path / "exp", "--format", fmt, "-q").exit_code == 0
    (obj,) = open_export(tmp_path / "exp").objects
    _break(obj, fmt, from_second=False)
    r = run("verify-export", tmp_path / "exp", "--digest", digest, "-q")
    assert r.exit_code == 1 and "RESULT: FAILED" in r.output
    _assert_named(r.output, obj, 0)
    assert (f"NOT CHECKED: {block_range(0, obj.last)}, before the digest's tip, could not be read "
            f"({obj.key}: not readable Ion") in r.output
    r = run("import-journal", tmp_path / "exp", tmp_path / "c.ledger", "-q")
    assert r.exit_code == 1 and "nothing was imported" in r.output
    _assert_named(r.output, obj, 0)
    assert not list(tmp_path.glob("c.ledger*"))


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("from_second", [False, True])
@pytest.mark.parametrize("fmt", ["ion_text", "ion_binary"])
def test_an_unparsable_object_among_others(tmp_path: Path, source: tuple[Path, Path], fmt: str,
                                           from_second: bool, jobs: int) -> None:
    """The object in the middle cannot be parsed (from its first block, or after one block):
    the other objects are checked, the object and its error are named, its blocks are not
    called missing, and import-journal imports nothing."""
    ledger, digest = source
    with Ledger.open(ledger, read_only=True) as led:
        export_journal(led, tmp_path / "exp", fmt=fmt, max_object_bytes=1500)
        count = led.block_count()
    objects = sorted(open_export(tmp_path / "exp").objects, key=lambda o: o.first)
    obj = next(o for o in objects[1:-1] if o.block_count >= 2)
    _break(obj, fmt, from_second)
    first = obj.first + from_second
    r = run("verify-export", tmp_path / "exp", "--digest", digest, "-q", "-j", jobs)
    assert r.exit_code == 1 and "RESULT: FAILED" in r.output
    _assert_named(r.output, obj, first)
    assert f"FIRST FAILURE: block {first}: format check failed: {obj.key}" in r.output
    assert f"NOT CHECKED: {block_range(first, obj.last)}, before the digest's tip" in r.output
    # every other block was read
    assert f"{count - (obj.last - first + 1)} block(s)" in r.output.splitlines()[0]
    r = run("import-journal", tmp_path / "exp", tmp_path / "c.ledger", "-q")
    assert r.exit_code == 1, r.output
    assert r.output.startswith(f"error: block {first}: format check failed: {obj.key}")
    assert r.output.rstrip().endswith("nothing was imported")
    _assert_named(r.output, obj, first)
    assert not list(tmp_path.glob("c.ledger*"))


def test_a_real_gap_beside_an_unreadable_object_is_still_a_gap(tmp_path: Path,
                                                              source: tuple[Path, Path]) -> None:
    """Only the unreadable object's own blocks are taken out of the gaps."""
    ledger, _ = source
    with Ledger.open(ledger, read_only=True) as led:
        export_journal(led, tmp_path / "exp", fmt="ion_text", max_object_bytes=1500)
    objects = sorted(open_export(tmp_path / "exp").objects, key=lambda o: o.first)
    broken, gone = objects[2], objects[3]
    _break(broken, "ion_text", from_second=False)
    gone.path.unlink()
    for m in (tmp_path / "exp").glob("*.manifest"):
        m.unlink()  # no manifest lists the deleted object: its blocks are a gap
    r = run("verify-export", tmp_path / "exp", "-q")
    assert r.exit_code == 1
    gaps = [line for line in r.output.splitlines() if line.startswith("GAP:")]
    assert gaps == [f"GAP: {block_range(gone.first, gone.last)} "
                    f"{'is' if gone.first == gone.last else 'are'} missing"], r.output
    assert (f"{broken.key}: not readable Ion (IERR_INVALID_TOKEN); "
            f"{block_range(broken.first, broken.last)} in it could not be read") in r.output
