"""`ledger import` / imports.import_files: all formats, all or nothing, precise errors."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from amazon.ion import simpleion
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.cancel import CancelToken
from ledger_desktop.engine.errors import Cancelled, ImportFileError, TableNotFoundError
from ledger_desktop.engine.imports import import_files, preview
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.readers import open_records


@pytest.fixture()
def ledger(tmp_path: Path):
    with Ledger.create(tmp_path / "l.ledger") as led:
        yield led


def files(tmp_path: Path) -> list[Path]:
    a = tmp_path / "a.jsonl"
    a.write_text("\n".join(json.dumps({"n": i, "src": "jsonl"}) for i in range(5)) + "\n")
    b = tmp_path / "b.csv"
    b.write_text("n,src,amt\n5,csv,1.50\n6,csv,2\n")
    c = tmp_path / "c.ion"
    c.write_text("{n: 7, src: ion, when: 2024-01-01T}\n[{n: 8, src: \"ion\"}]")
    d = tmp_path / "d.10n"
    d.write_bytes(simpleion.dumps([{"n": 9, "src": "bin"}], binary=True))
    e = tmp_path / "e.json"
    e.write_text(json.dumps([{"n": 10, "src": "json"}, {"n": 11, "src": "json"}]))
    return [a, b, c, d, e]


def state(ledger: Ledger) -> tuple:
    return ledger.block_count(), ledger.digest().digest, [t.name for t in ledger.tables()]


def test_every_format_into_one_table(tmp_path: Path, ledger: Ledger) -> None:
    seen: list[tuple[int, int]] = []
    before = ledger.block_count()
    r = import_files(ledger, "T", files(tmp_path), create_table=True, batch_size=4,
                     progress=lambda d, t: seen.append((d, t)))
    assert r.documents == 12 and r.created_table
    assert r.per_file[0][1] == 5 and [n for _, n in r.per_file] == [5, 2, 2, 1, 2]
    assert r.blocks == 3 and (r.first_seq, r.last_seq) == (before, before + 2)
    assert ledger.block_count() == before + 3
    t = ledger.table("T")
    docs = sorted((d.data for d in ledger.documents(t.table_id)), key=lambda d: d["n"])
    assert [d["n"] for d in docs] == list(range(12))
    assert docs[5]["amt"] == Decimal("1.50") and docs[6]["amt"] == Decimal("2")
    assert docs[7]["src"].ion_type.name == "SYMBOL" and docs[7]["src"].text == "ion"
    assert docs[8]["src"] == "ion"  # a symbol stays a symbol, a string a string
    block = ledger.block(r.first_seq)
    statements = [str(s["statement"]) for s in block["transactionInfo"]["statements"]]
    assert statements == ["CREATE TABLE T"] + ["INSERT INTO T ?"] * 4
    assert seen and seen[-1][0] == seen[-1][1] == sum(p.stat().st_size for p in files(tmp_path))
    assert ledger.verify().ok


def test_bad_record_in_a_later_file_commits_nothing(tmp_path: Path, ledger: Ledger) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps({"n": i}) for i in range(50)))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"n": 1}\n{"n": 2,}\n')
    before = state(ledger)
    with pytest.raises(ImportFileError) as e:
        import_files(ledger, "T", [good, bad], create_table=True, batch_size=7)
    assert (e.value.file, e.value.line, e.value.column) == (str(bad), 2, 9)
    assert state(ledger) == before
    assert ledger.verify().ok


def test_missing_table_unknown_type_and_missing_file(tmp_path: Path, ledger: Ledger) -> None:
    f = files(tmp_path)[0]
    before = state(ledger)
    with pytest.raises(TableNotFoundError, match="--create-table"):
        import_files(ledger, "Nope", [f])
    (tmp_path / "x.xml").write_text("<a/>")
    with pytest.raises(ImportFileError, match="unknown file type"):
        import_files(ledger, "T", [f, tmp_path / "x.xml"], create_table=True)
    with pytest.raises(ImportFileError, match="no such file"):
        import_files(ledger, "T", [f, tmp_path / "gone.json"], create_table=True)
    assert state(ledger) == before


def test_cancel_and_interrupt_leave_the_ledger_unchanged(tmp_path: Path, ledger: Ledger) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join(json.dumps({"n": i}) for i in range(5000)))
    before = state(ledger)
    token = CancelToken()
    with pytest.raises(Cancelled):
        import_files(ledger, "T", [big], create_table=True, batch_size=100, cancel=token,
                     progress=lambda d, t: token.cancel())
    assert state(ledger) == before

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_files(ledger, "T", [big], create_table=True, batch_size=100, progress=interrupt)
    assert state(ledger) == before
    r = import_files(ledger, "T", [big], create_table=True, batch_size=1000)
    assert r.documents == 5000 and r.blocks == 5


def test_strict_ledger_caps_batches_at_qldb_limit(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "s.ledger", strict=True) as led:
        f = tmp_path / "a.jsonl"
        f.write_text("\n".join(json.dumps({"n": i}) for i in range(100)))
        r = import_files(led, "T", [f], create_table=True, batch_size=1000)
        assert r.blocks == 3  # 40 + 40 + 20: QLDB's 40 documents per transaction


def test_strict_batches_close_before_the_transaction_size_limit(tmp_path: Path) -> None:
    """40 documents of 120 KB each are under the document limit, but over QLDB's 4 MB a
    transaction: the import failed as a whole, naming no record."""
    path = tmp_path / "fat.jsonl"
    path.write_text("".join(json.dumps({"i": i, "s": "x" * 120_000}) + "\n"
                            for i in range(50)))
    with Ledger.create(tmp_path / "s.ledger", strict=True) as led:
        r = import_files(led, "T", [path], create_table=True)
        assert r.documents == 50 and r.blocks >= 2
        assert led.count_documents(led.table("T").table_id) == 50
        assert led.verify().ok


def test_preview(tmp_path: Path) -> None:
    f = files(tmp_path)
    recs = preview(f[0], limit=3)
    assert [r.value["n"] for r in recs] == [0, 1, 2] and [r.line for r in recs] == [1, 2, 3]
    assert preview(f[1], keep_strings=True)[0].value["n"] == "5"
    # a preview infers CSV types from the first rows only; the import reads them all
    big = tmp_path / "big.csv"
    big.write_text("n\n" + "1\n" * 20_000 + "x\n")
    assert preview(big, limit=1)[0].value == {"n": 1}
    with open_records(big) as r:
        assert next(iter(r)).value == {"n": "1"}


def test_cli_import(tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "l.ledger"
    assert runner.invoke(main, ["init", str(path)]).exit_code == 0
    f = files(tmp_path)
    r = runner.invoke(main, ["import", str(path), "T", *map(str, f), "--create-table",
                             "--batch-size", "5", "-q"])
    assert r.exit_code == 0, r.output
    assert "imported 12 document(s) into T (table created) from 5 file(s) in 3 transaction(s)" \
        in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    r = runner.invoke(main, ["import", str(path), "T", str(bad), "-q"])
    assert r.exit_code == 2
    assert f"error: {bad}, line 3: expected 2 fields" in r.output
    assert "Traceback" not in r.output
    r = runner.invoke(main, ["import", str(path), "T", str(f[1]), "--keep-strings", "-q"])
    assert r.exit_code == 0, r.output


def test_ctrl_c_during_cli_import_changes_nothing(tmp_path: Path) -> None:
    """A real SIGINT to a running `ledger import` process: exit 130, the ledger unchanged."""
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "l.ledger"
    with Ledger.create(path) as led:
        before = state(led)
    big = tmp_path / "big.jsonl"
    with open(big, "w") as f:
        for i in range(300_000):
            f.write(f'{{"n": {i}, "s": "some text to make the import take a while"}}\n')
    proc = subprocess.Popen(
        [sys.executable, "-c", "from ledger_desktop.cli import main; main()", "import",
         str(path), "T", str(big), "--create-table", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wal = Path(f"{path}-wal")  # appears when the import opens the ledger to write
    deadline = time.monotonic() + 60
    while not wal.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        proc.wait(timeout=0.5)  # into the import (300,000 documents take far longer)
    except subprocess.TimeoutExpired:
        pass
    assert proc.poll() is None, "the import ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "nothing was changed" in err and "Traceback" not in err
    with Ledger.open(path) as led:
        assert state(led) == before
        assert led.verify().ok
