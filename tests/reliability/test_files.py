"""Files the ledger cannot use give a clear error and stay byte-for-byte unchanged; a full disk
commits nothing; a ledger opened read-only (evidence mode) cannot be written by anything."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_desktop.engine.errors import (
    LedgerError,
    LedgerFileError,
    NewerSchemaError,
    NotALedgerError,
    ReadOnlyError,
    StorageError,
    UserError,
)
from ledger_desktop.engine.imports import import_files
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.storage import SCHEMA_VERSION

from .helpers import fingerprint, insert, new_ledger, sql, unchanged_by_reader


@pytest.fixture
def ledger_file(tmp_path: Path) -> Path:
    path = new_ledger(tmp_path / "good.ledger")
    with Ledger.open(path) as led, led.transaction() as tx:
        insert(tx, "T", {"n": 1, "name": "Ann"})
    return path


def _plain_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.execute("INSERT INTO people VALUES ('Ann')")
    conn.commit()
    conn.close()
    return path


def _ledger_id_only(path: Path) -> Path:
    """An SQLite file that claims to be a ledger (application id) but has no ledger inside."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id=1279608658")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    conn.execute("CREATE TABLE x (a)")
    conn.commit()
    conn.close()
    return path


def _newer_schema(path: Path, ledger_file: Path) -> Path:
    shutil.copy(ledger_file, path)
    sql(path, f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    return path


def _truncated(path: Path, ledger_file: Path) -> Path:
    data = ledger_file.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    return path


def _garbled(path: Path, ledger_file: Path) -> Path:
    data = ledger_file.read_bytes()
    path.write_bytes(data[:100] + bytes((b * 7 + 3) & 0xFF for b in data[100:]))
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_FILES = {
    "plain SQLite database": (lambda p, g: _plain_sqlite(p), NotALedgerError),
    "zero-byte file": (lambda p, g: _write(p, b""), NotALedgerError),
    "text file": (lambda p, g: _write(p, b"name,age\nAnn,3\n"), NotALedgerError),
    "SQLite header only": (lambda p, g: _write(p, b"SQLite format 3\x00"), NotALedgerError),
    "ledger id without a ledger": (lambda p, g: _ledger_id_only(p), NotALedgerError),
    "newer schema version": (_newer_schema, NewerSchemaError),
    "truncated ledger": (_truncated, NotALedgerError),
    "garbled ledger": (_garbled, NotALedgerError),
}


@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
@pytest.mark.parametrize("name", list(BAD_FILES))
def test_unusable_file_is_refused_and_unchanged(name: str, read_only: bool, tmp_path: Path,
                                                ledger_file: Path) -> None:
    make, error = BAD_FILES[name]
    path = make(tmp_path / "bad.ledger", ledger_file)
    before = fingerprint(path)
    with pytest.raises(error) as info:
        Ledger.open(path, read_only=read_only).close()
    assert str(path.name) in str(info.value)  # the message names the file
    assert "\n" not in str(info.value)
    assert unchanged_by_reader(before, fingerprint(path))
    if not read_only:
        assert fingerprint(path) == before


def test_newer_schema_message_says_what_to_do(tmp_path: Path, ledger_file: Path) -> None:
    path = _newer_schema(tmp_path / "new.ledger", ledger_file)
    with pytest.raises(NewerSchemaError, match="upgrade"):
        Ledger.open(path)


def test_folder_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotALedgerError):
        Ledger.open(tmp_path)
    with pytest.raises(UserError):
        Ledger.open(tmp_path / "missing.ledger")
    assert not (tmp_path / "missing.ledger").exists()


def test_create_refuses_an_existing_file(ledger_file: Path) -> None:
    before = fingerprint(ledger_file)
    with pytest.raises(UserError):
        Ledger.create(ledger_file)
    assert fingerprint(ledger_file) == before


# ---------------------------------------------------------------------------------- evidence mode
def _every_write(led: Ledger, tmp_path: Path) -> dict[str, object]:
    """Try each way of writing; returns what each attempt raised."""
    table_id = led.table("T").table_id
    doc = led.documents(table_id)[0]
    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps({"n": 9}) + "\n")
    attempts = {
        "PartiQL INSERT": lambda: led.execute("INSERT INTO T ?", {"n": 2}),
        "PartiQL UPDATE": lambda: led.execute("UPDATE T SET n = 5"),
        "PartiQL DDL": lambda: led.execute("CREATE TABLE U"),
        "transaction()": lambda: led.transaction().__enter__(),
        "begin()": lambda: led.begin(),
        "execute_lambda": lambda: led.execute_lambda(lambda tx: tx.update(
            doc.doc_id, {"n": 3}, tx.begin_statement("UPDATE"))),
        "atomic()": lambda: led.atomic().__enter__(),
        "set_strict": lambda: led.set_strict(True),
        "rebuild_index_storage": lambda: led.rebuild_index_storage(),
        "append_foreign_block": lambda: led.append_foreign_block(led.block(1)),
        "import_files": lambda: import_files(led, "T", [data]),
        "raw SQL on the connection": lambda: led._conn.execute(
            "UPDATE meta SET value='x' WHERE key='ledger_name'"),
    }
    raised: dict[str, object] = {}
    for name, attempt in attempts.items():
        try:
            attempt()
            raised[name] = None
        except (LedgerError, sqlite3.Error) as e:
            raised[name] = e
    return raised


def test_read_only_ledger_cannot_be_written(ledger_file: Path, tmp_path: Path) -> None:
    before = fingerprint(ledger_file)
    with Ledger.open(ledger_file, read_only=True) as led:
        digest = led.digest()
        raised = _every_write(led, tmp_path)
        # Reading, proving and verifying work and write nothing.
        assert led.verify().ok
        led.get_block(led.tip(), led.tip())
        led.document_history(led.documents(led.table("T").table_id)[0].doc_id)
        assert led.digest().digest == digest.digest
    not_refused = [name for name, e in raised.items() if e is None]
    assert not not_refused, f"writes accepted in read-only mode: {not_refused}"
    for name, e in raised.items():
        if name != "raw SQL on the connection":
            assert isinstance(e, ReadOnlyError), (name, e)
    assert isinstance(raised["raw SQL on the connection"], sqlite3.OperationalError)
    assert unchanged_by_reader(before, fingerprint(ledger_file))


def test_read_only_mode_sees_a_writers_commits(ledger_file: Path) -> None:
    """Evidence mode alongside a live writer: reads new commits, writes nothing itself."""
    with Ledger.open(ledger_file, read_only=True) as reader, Ledger.open(ledger_file) as writer:
        before = reader.block_count()
        writer.execute("INSERT INTO T ?", {"n": 7})
        assert reader.block_count() == before + 1
        assert reader.verify().ok


# ---------------------------------------------------------------------------------- small mounts
@pytest.fixture
def small_mount(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs (needs mount rights: root in a container); skipped where not allowed."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    try:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)],
                           capture_output=True, timeout=30)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        pytest.skip("no mount command")
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)


def _fill_until_full(led: Ledger) -> int:
    """Commit ever more documents until the disk is full; returns how many committed."""
    for i in range(100_000):
        try:
            led.execute("INSERT INTO T ?", {"n": i, "pad": "x" * 4000})
        except StorageError as e:
            assert "full" in str(e)
            return i
    raise AssertionError("the disk never filled up")


def _full_disk_checks(led: Ledger, tmp_path: Path) -> None:
    digest = led.digest()
    committed = led.block_count()
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps({"n": i, "pad": "y" * 3000}) + "\n" for i in range(300)))
    for batch in (7, 1000):  # many blocks in one SQLite transaction, or one big block
        with pytest.raises(StorageError):
            import_files(led, "T", [rows], batch_size=batch)
        assert led.digest().digest == digest.digest and led.block_count() == committed
    report = led.verify()
    assert report.ok, report.summary()


def test_full_disk_on_a_small_filesystem(small_mount: Path, tmp_path: Path) -> None:
    path = new_ledger(small_mount / "full.ledger")
    with Ledger.open(path) as led:
        assert _fill_until_full(led) > 0
        _full_disk_checks(led, tmp_path)
    with Ledger.open(path) as led:  # reopens after the failures, and verifies
        assert led.verify().ok


def test_full_disk_via_sqlite_page_limit(tmp_path: Path) -> None:
    """SQLite's max_page_count makes the same 'disk full' error on any machine."""
    path = new_ledger(tmp_path / "limited.ledger")
    with Ledger.open(path) as led:
        pages = led._conn.execute("PRAGMA page_count").fetchone()[0]
        led._conn.execute(f"PRAGMA max_page_count={pages + 40}")
        assert _fill_until_full(led) > 0
        _full_disk_checks(led, tmp_path)
        led._conn.execute("PRAGMA max_page_count=1073741823")
        led.execute("INSERT INTO T ?", {"n": -1})  # usable again once there is room
        assert led.verify().ok


def test_ledger_on_read_only_storage(small_mount: Path, ledger_file: Path) -> None:
    path = small_mount / "evidence.ledger"
    shutil.copy(ledger_file, path)
    r = subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], capture_output=True,
                       timeout=30)
    if r.returncode != 0:
        pytest.skip("cannot remount read-only here")
    before = fingerprint(path)
    with pytest.raises(LedgerFileError, match="read-only"):
        Ledger.open(path)
    with Ledger.open(path, read_only=True) as led:
        assert led.verify().ok
        with pytest.raises(ReadOnlyError):
            led.execute("INSERT INTO T ?", {"n": 1})
    assert fingerprint(path) == before
    assert sorted(os.listdir(small_mount)) == ["evidence.ledger"]


def test_compact_on_a_full_disk_rolls_back(small_mount: Path, monkeypatch) -> None:
    """VACUUM's write-back through the WAL needs about the file's size again: on a disk
    without it (the up-front space check bypassed) it fails and leaves the file as it was."""
    from ledger_desktop.engine import compact as compact_mod

    path = new_ledger(small_mount / "big.ledger")
    with Ledger.open(path) as led:
        i = 0
        while path.stat().st_size < 280 * 1024:
            led.execute("INSERT INTO T ?", {"n": i, "pad": "x" * 2000})
            i += 1
            if i % 3 == 0:  # keep the WAL small: the file itself must fill most of the disk
                led._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        led._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        digest, blocks = led.digest().digest, led.block_count()
    monkeypatch.setattr(compact_mod, "_check_space", lambda *a: None)
    with pytest.raises(StorageError, match="rolled back"):
        compact_mod.compact(path)
    with Ledger.open(path) as led:
        assert (led.digest().digest, led.block_count()) == (digest, blocks)
        assert led.verify().ok
        led.execute("INSERT INTO T ?", {"n": -1})  # still takes commits


# ------------------------------------------------------------------------------- damaged pages
@pytest.fixture(scope="module")
def sample_path(tmp_path_factory) -> Path:
    from ledger_desktop.engine.sample import build_sample

    return build_sample(tmp_path_factory.mktemp("sample") / "dmv.ledger")


@pytest.mark.parametrize("command", [["verify", "-q"], ["digest"], ["info"],
                                     ["query", "SELECT * FROM Person"]])
def test_damaged_pages_are_one_line_not_a_traceback(command: list[str], tmp_path: Path,
                                                    sample_path: Path) -> None:
    """A page overwritten with noise made SQLite raise 'database disk image is malformed'
    from reads the commands did not expect to fail: a traceback. Each page in turn."""
    from click.testing import CliRunner

    from ledger_desktop.cli import main

    data = sample_path.read_bytes()
    pages = len(data) // 4096
    codes = set()
    for page in range(1, pages):
        damaged = bytearray(data)
        damaged[page * 4096:(page + 1) * 4096] = bytes((page * 31 + i * 7) & 0xFF
                                                       for i in range(4096))
        path = tmp_path / f"p{page}.ledger"
        path.write_bytes(bytes(damaged))
        result = CliRunner().invoke(main, [command[0], str(path), *command[1:]])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            page, result.output)
        codes.add(result.exit_code)
        if result.exit_code != 0:
            assert result.output.strip(), page
    # some pages are in use by what the command reads: they are reported, not skipped
    assert codes - {0}


@pytest.mark.parametrize("version", [1, 0, -1])
@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_a_schema_version_its_tables_do_not_match_is_refused(version: int, read_only: bool,
                                                             tmp_path: Path,
                                                             ledger_file: Path) -> None:
    """A schema-2 file with user_version lowered: read as schema 1, `digest` and `get-block`
    crashed on the missing merkle table; opened for writing, the migration failed midway."""
    path = tmp_path / "lowered.ledger"
    shutil.copy(ledger_file, path)
    sql(path, f"PRAGMA user_version={version}")
    before = fingerprint(path)
    with pytest.raises(NotALedgerError, match=f"do not match the schema version it states "
                                              rf"\({version}\)"):
        Ledger.open(path, read_only=read_only).close()
    assert unchanged_by_reader(before, fingerprint(path))
