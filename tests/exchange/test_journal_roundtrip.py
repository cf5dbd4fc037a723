"""ledger -> export -> verify-export -> import-journal -> the same digest; failures change nothing."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.blocks import block_range
from ledger_desktop.engine.cancel import CancelToken
from ledger_desktop.engine.errors import (
    Cancelled,
    InputFormatError,
    IntegrityError,
    LedgerError,
    UserError,
)
from ledger_desktop.engine.export_verify import verify_export
from ledger_desktop.engine.exports import export_journal, open_export
from ledger_desktop.engine.ion_values import dumps_binary
from ledger_desktop.engine.journal_import import import_journal
from ledger_desktop.engine.ledger import Ledger

from .ledgers import varied_ledger


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("src") / "source.ledger"
    varied_ledger(path).close()
    return path


@pytest.mark.parametrize("fmt", ["ion_text", "ion_binary"])
def test_round_trip_keeps_the_digest(tmp_path: Path, source: Path, fmt: str) -> None:
    with Ledger.open(source, read_only=True) as ledger:
        digest = ledger.digest()
        blocks = [dumps_binary(ledger.block(i)) for i in range(ledger.block_count())]
        r = export_journal(ledger, tmp_path / "exp", fmt=fmt, max_object_bytes=1500)
    assert len(r.keys) > 2, "small objects: the chain must be checked across files"
    assert r.blocks == len(blocks) and (r.first_seq, r.last_seq) == (0, len(blocks) - 1)
    report = verify_export(tmp_path / "exp", [digest])
    assert report.ok, report.lines()
    assert [d.ok for d in report.digests] == [True]
    res = import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    assert res.digest.digest == digest.digest and res.digest.tip == digest.tip
    with Ledger.open(tmp_path / "copy.ledger") as copy:
        assert copy.ledger_name == "source"
        assert [dumps_binary(copy.block(i)) for i in range(copy.block_count())] == blocks
        assert copy.verify().ok
        assert sorted((t.name, copy.count_documents(t.table_id)) for t in copy.tables()) == [
            ("Person", 5), ("Vehicle", 3)]  # 6 people inserted, 1 deleted
        person = copy.table("Person")
        assert [ix.field for ix in person.indexes] == ["GovId"]
        with copy.transaction() as tx:  # the imported chain takes new transactions
            tx.insert(person.table_id, {"GovId": "new"},
                      tx.begin_statement("INSERT INTO Person ?", [{"GovId": "new"}]))
        assert copy.block_count() == len(blocks) + 1
        assert copy.verify().ok


@pytest.mark.parametrize("damage", ["missing", "truncated"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_missing_or_unreadable_object_fails_the_verification(tmp_path: Path, source: Path,
                                                               damage: str, jobs: int) -> None:
    """A data object the manifest lists but that is missing or cut short was a one-line
    error (exit 2) that stopped everything; it is now a failed check in the report (exit 1),
    and the other objects are still checked. import-journal still refuses such an export."""
    with Ledger.open(source, read_only=True) as ledger:
        export_journal(ledger, tmp_path / "exp", fmt="ion_binary", max_object_bytes=1500)
        count = ledger.block_count()
    objects = sorted(open_export(tmp_path / "exp").objects, key=lambda o: o.first)
    victim = objects[len(objects) // 2]
    if damage == "missing":
        victim.path.unlink()
    else:
        victim.path.write_bytes(victim.path.read_bytes()[:-7])
    report = verify_export(tmp_path / "exp", jobs=jobs)
    assert not report.ok
    failure = next(f for f in report.failures if victim.key in f.message)
    assert failure.check == "format"
    assert ("the data object is missing" if damage == "missing" else "not readable Ion") \
        in failure.message
    # every other object was read and checked
    assert report.blocks >= count - victim.block_count and report.last_seq == count - 1
    result = CliRunner().invoke(main, ["verify-export", str(tmp_path / "exp")])
    assert result.exit_code == 1 and "RESULT: FAILED" in result.output
    with pytest.raises(LedgerError):
        import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    assert not (tmp_path / "copy.ledger").exists()


def test_json_export_verifies_but_cannot_become_a_ledger(tmp_path: Path, source: Path) -> None:
    with Ledger.open(source, read_only=True) as ledger:
        digest = ledger.digest()
        export_journal(ledger, tmp_path / "exp", fmt="json", max_object_bytes=1500)
    report = verify_export(tmp_path / "exp", [digest])
    assert report.ok and report.digests[0].ok is True
    assert report.cannot_check
    with pytest.raises(UserError, match="JSON loses the Ion types"):
        import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    assert not (tmp_path / "copy.ledger").exists()


def _export(source: Path, out: Path, fmt: str = "ion_text") -> list[Path]:
    with Ledger.open(source, read_only=True) as ledger:
        export_journal(ledger, out, fmt=fmt, max_object_bytes=1500)
    return [o.path for o in open_export(out).objects]


def test_gap_is_reported_and_import_leaves_no_file(tmp_path: Path, source: Path) -> None:
    objects = _export(source, tmp_path / "exp")
    missing = objects[1]
    first, last = missing.name.split(".")[1].split("-")
    missing.unlink()
    for m in (tmp_path / "exp").glob("*.manifest"):
        m.unlink()  # manifests lost: the remaining objects are found by name
    report = verify_export(tmp_path / "exp")
    assert report.gaps == [(int(first), int(last))]
    assert not report.ok
    with pytest.raises(IntegrityError, match=f"missing {block_range(int(first), int(last))};"):
        import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    assert not (tmp_path / "copy.ledger").exists()
    assert not list(tmp_path.glob("copy.ledger*"))


def test_an_export_that_did_not_finish_is_refused(tmp_path: Path, source: Path) -> None:
    """A killed export (started manifest, some finished data objects, no completed manifest)
    was read by object names: verify-export said "verified" and import-journal built a ledger
    cut short without a word."""
    objects = _export(source, tmp_path / "exp")
    for m in (tmp_path / "exp").glob("*.completed.manifest"):
        m.unlink()
    objects[-1].unlink()  # the object being written when the process died
    with pytest.raises(InputFormatError, match="did not finish: it has a started manifest but "
                                                "no completed manifest"):
        verify_export(tmp_path / "exp")
    with pytest.raises(InputFormatError, match="did not finish"):
        import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    assert not list(tmp_path.glob("copy.ledger*"))


def test_tampered_document_names_the_first_failing_block(tmp_path: Path, source: Path) -> None:
    objects = _export(source, tmp_path / "exp")
    target = next(p for p in objects if 'name:"P3"' in p.read_text())
    target.write_text(target.read_text().replace('name:"P3"', 'name:"P9"'))
    report = verify_export(tmp_path / "exp")
    first = report.first_failure
    assert first is not None and first.check == "revision hash"
    with Ledger.open(source, read_only=True) as ledger:
        doc_block = next(i for i in range(ledger.block_count())
                         if _has_name(ledger.block(i), "P3"))
    assert first.seq == doc_block
    result = CliRunner().invoke(main, ["verify-export", str(tmp_path / "exp"), "-q"])
    assert result.exit_code == 1
    assert f"FIRST FAILURE: block {doc_block}: revision hash check failed" in result.output
    with pytest.raises(IntegrityError):
        import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    assert not (tmp_path / "copy.ledger").exists()


def _has_name(block, name: str) -> bool:
    return any("data" in r and r["data"].get("name") == name for r in block.get("revisions", []))


def test_broken_link_across_objects(tmp_path: Path, source: Path) -> None:
    objects = _export(source, tmp_path / "exp", "ion_text")
    second = objects[1]
    text = second.read_text()
    prev = text.split("previousBlockHash:{{", 1)[1].split("}}", 1)[0]
    bad = base64.b64encode(bytes(32)).decode()
    second.write_text(text.replace(prev, bad, 1))
    report = verify_export(tmp_path / "exp")
    checks = {f.check for f in report.failures}
    assert "chain link" in checks
    link = next(f for f in report.failures if f.check == "chain link")
    assert "across" in link.message


def test_time_range_export(tmp_path: Path, source: Path) -> None:
    with Ledger.open(source, read_only=True) as ledger:
        from ledger_desktop.engine.ion_values import parse_timestamp

        n = ledger.block_count()
        times = [parse_timestamp(s.block_ts) for s in ledger.block_summaries(0, n - 1)]
        cut = next(i for i in range(1, n) if times[i] > times[0])
        r = export_journal(ledger, tmp_path / "exp", start_time=times[cut])
        digest = ledger.digest()
    assert r.first_seq == cut and r.last_seq == n - 1
    report = verify_export(tmp_path / "exp", [digest])
    assert report.ok and report.digests[0].ok is None  # does not start at block 0
    with pytest.raises(UserError, match=f"starts at block {cut}"):
        import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    with Ledger.open(source, read_only=True) as ledger, pytest.raises(UserError, match="before"):
        export_journal(ledger, tmp_path / "exp2", start_time="2030-01-01T00:00:00Z",
                       end_time="2029-01-01T00:00:00Z")


@pytest.mark.parametrize("start", ["2000T", "2000-01-01T00:00-00:00", "2000-01-01T00:00:00",
                                   "2000-01-01"])
def test_export_bounds_with_no_offset_are_utc(tmp_path: Path, source: Path, start: str) -> None:
    """`--start-time 2000T` (and -00:00) ended `ledger export` in a naive/aware TypeError
    traceback; ISO 8601 without an offset was refused as "not a timestamp"."""
    import datetime as dt

    with Ledger.open(source, read_only=True) as ledger:
        n = ledger.block_count()
        now = dt.datetime.now(dt.UTC).isoformat()
        r = export_journal(ledger, tmp_path / "exp", start_time=start, end_time=now)
        assert (r.first_seq, r.last_seq) == (0, n - 1)
        r = export_journal(ledger, tmp_path / "naive", start_time=dt.datetime(2000, 1, 1))
        assert r.last_seq == n - 1
        with pytest.raises(UserError, match="before the end"):
            export_journal(ledger, tmp_path / "later", start_time="2999T")
        with pytest.raises(UserError, match="not a timestamp: 'yesterday'"):
            export_journal(ledger, tmp_path / "words", start_time="yesterday")


def test_export_bounds_as_qldb_takes_them(tmp_path: Path, source: Path) -> None:
    """An end time in the future was written into the manifest as given; a start before the
    ledger's creation was not moved up to it (QLDB does both); an end before the first block
    wrote an empty export (exit 0) that verify-export then called FAILED."""
    from ledger_desktop.engine.ion_values import dumps_text

    with Ledger.open(source, read_only=True) as ledger:
        created = dumps_text(ledger.block(0)["blockTimestamp"])
        with pytest.raises(UserError, match="the end time 2999-01-01T00:00:00.*in the future"):
            export_journal(ledger, tmp_path / "future", end_time="2999T")
        with pytest.raises(UserError, match=f"no block was committed .* runs from {created}"):
            export_journal(ledger, tmp_path / "empty", end_time="2000T")
        with pytest.raises(UserError, match="no block was committed"):
            export_journal(ledger, tmp_path / "empty2", start_time="2000T", end_time="2001T")
        r = export_journal(ledger, tmp_path / "early", start_time="2000T")
        assert r.first_seq == 0
    assert not (tmp_path / "future").exists() and not (tmp_path / "empty").exists()
    started = next((tmp_path / "early").glob("*.started.manifest")).read_text()
    assert f"inclusiveStartTime:{created}" in started.replace(" ", "")


def test_cancelled_export_removes_its_files(tmp_path: Path, source: Path) -> None:
    token = CancelToken()
    with Ledger.open(source, read_only=True) as ledger, pytest.raises(Cancelled):
        export_journal(ledger, tmp_path / "exp", max_object_bytes=1500, cancel=token,
                       progress=lambda d, t: token.cancel())
    assert not (tmp_path / "exp").exists()


def test_cli_round_trip_with_saved_digest(tmp_path: Path, source: Path) -> None:
    runner = CliRunner()
    digest_file = tmp_path / "digest.json"
    r = runner.invoke(main, ["digest", str(source), "--save", str(digest_file)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["export", str(source), str(tmp_path / "exp"), "--format",
                             "ion_binary", "-q"])
    assert r.exit_code == 0, r.output
    assert "data object(s)" in r.output
    r = runner.invoke(main, ["verify-export", str(tmp_path / "exp"), "--digest", str(digest_file),
                             "-q"])
    assert r.exit_code == 0, r.output
    assert ": OK:" in r.output
    r = runner.invoke(main, ["import-journal", str(tmp_path / "exp"), str(tmp_path / "c.ledger"),
                             "-q"])
    assert r.exit_code == 0, r.output
    r2 = runner.invoke(main, ["digest", str(tmp_path / "c.ledger")])
    r1 = runner.invoke(main, ["digest", str(source)])
    assert r1.output.splitlines()[0] == r2.output.splitlines()[0]
    r = runner.invoke(main, ["verify", str(tmp_path / "c.ledger"), "-q"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["import-journal", str(tmp_path / "exp"), str(tmp_path / "c.ledger")])
    assert r.exit_code == 2 and "already exists" in r.output


def _import_index_before_documents(tmp_path: Path) -> Path:
    """An imported ledger whose table got an index before its first document."""
    with Ledger.create(tmp_path / "s.ledger") as ledger:
        with ledger.transaction() as tx:
            t = tx.create_table("T", tx.begin_statement("CREATE TABLE T"))
        with ledger.transaction() as tx:
            tx.create_index(t, "k", tx.begin_statement("CREATE INDEX ON T (k)"))
        with ledger.transaction() as tx:
            tx.insert(t, {"k": 1}, tx.begin_statement("INSERT INTO T ?", [{"k": 1}]))
        export_journal(ledger, tmp_path / "exp")
    import_journal(tmp_path / "exp", tmp_path / "c.ledger")
    return tmp_path / "c.ledger"


def test_index_created_before_documents_survives_import(tmp_path: Path) -> None:
    with Ledger.open(_import_index_before_documents(tmp_path)) as copy:
        assert [(t.name, copy.count_documents(t.table_id)) for t in copy.tables()] == [("T", 1)]


@pytest.mark.parametrize("damage", ["none", "tamper", "gap", "link"])
def test_parallel_verification_finds_what_sequential_does(tmp_path: Path, source: Path,
                                                          damage: str) -> None:
    objects = _export(source, tmp_path / "exp", "ion_text")
    assert len(objects) > 3
    if damage == "tamper":
        target = next(p for p in objects if 'name:"P3"' in p.read_text())
        target.write_text(target.read_text().replace('name:"P3"', 'name:"P9"'))
    elif damage == "gap":
        objects[2].unlink()
        for m in (tmp_path / "exp").glob("*.manifest"):
            m.unlink()
    elif damage == "link":
        text = objects[1].read_text()
        prev = text.split("previousBlockHash:{{", 1)[1].split("}}", 1)[0]
        objects[1].write_text(text.replace(prev, base64.b64encode(bytes(32)).decode(), 1))
    with Ledger.open(source, read_only=True) as ledger:
        digest = ledger.digest()
    seq = verify_export(tmp_path / "exp", [digest])
    par = verify_export(tmp_path / "exp", [digest], jobs=2)
    assert (par.ok, par.blocks, par.revisions, par.first_seq, par.last_seq, par.gaps) == (
        seq.ok, seq.blocks, seq.revisions, seq.first_seq, seq.last_seq, seq.gaps)
    assert [(d.ok, d.tip) for d in par.digests] == [(d.ok, d.tip) for d in seq.digests]
    assert sorted((f.seq, f.check) for f in par.failures) == sorted(
        (f.seq, f.check) for f in seq.failures)
    if seq.failures:
        assert (par.first_failure.seq, par.first_failure.check) == (
            seq.first_failure.seq, seq.first_failure.check)
    assert (damage == "none") == par.ok


@pytest.mark.parametrize("fmt", ["ion_binary", "json"])
def test_parallel_export_writes_the_same_blocks(tmp_path: Path, source: Path, fmt: str,
                                                monkeypatch) -> None:
    from ledger_desktop.engine import exports

    monkeypatch.setattr(exports, "PARALLEL_MIN_REVISIONS", 2)  # a small ledger, several ranges
    with Ledger.open(source, read_only=True) as ledger:
        one = export_journal(ledger, tmp_path / "one", fmt=fmt)
        two = export_journal(ledger, tmp_path / "two", fmt=fmt, jobs=2)
        digest = ledger.digest()
    assert (two.blocks, two.revisions) == (one.blocks, one.revisions)
    assert len(two.keys) > 1   # ranges written by the workers, in order
    firsts = [int(k.rsplit(".", 2)[1].split("-")[0]) for k in two.keys]
    assert firsts == sorted(firsts) and firsts[0] == 0

    def content(d: Path) -> bytes:
        return b"".join(o.path.read_bytes() for o in open_export(d).objects)

    assert content(tmp_path / "two") == content(tmp_path / "one")
    assert verify_export(tmp_path / "two", [digest], jobs=2).ok


def test_cancelled_parallel_export_removes_its_files(tmp_path: Path, source: Path,
                                                     monkeypatch) -> None:
    from ledger_desktop.engine import exports

    monkeypatch.setattr(exports, "PARALLEL_MIN_REVISIONS", 2)
    token = CancelToken()
    token.cancel()
    with Ledger.open(source, read_only=True) as ledger, pytest.raises(Cancelled):
        export_journal(ledger, tmp_path / "exp", cancel=token, jobs=2)
    assert not (tmp_path / "exp").exists()


def test_verify_export_with_qldb_getdigest_json(tmp_path: Path, source: Path) -> None:
    import json

    with Ledger.open(source, read_only=True) as ledger:
        d = ledger.digest()
        export_journal(ledger, tmp_path / "exp")
    good = tmp_path / "get-digest.json"   # the shape `aws qldb get-digest` prints
    good.write_text(json.dumps({"Digest": base64.b64encode(d.digest).decode(),
                                "DigestTipAddress": {"IonText": d.tip.text()}}))
    bad = tmp_path / "other.json"
    bad.write_text(json.dumps({"Digest": base64.b64encode(bytes(32)).decode(),
                               "DigestTipAddress": {"IonText": d.tip.text()}}))
    runner = CliRunner()
    r = runner.invoke(main, ["verify-export", str(tmp_path / "exp"), "--digest", str(good), "-q"])
    assert r.exit_code == 0 and ": OK:" in r.output, r.output
    r = runner.invoke(main, ["verify-export", str(tmp_path / "exp"), "--digest", str(good),
                             "--digest", str(bad), "-q"])
    assert r.exit_code == 1 and ": MISMATCH:" in r.output and "RESULT: FAILED" in r.output


def test_rebuilt_index_storage_of_an_imported_ledger_matches(tmp_path: Path) -> None:
    with Ledger.open(_import_index_before_documents(tmp_path)) as copy:
        copy.rebuild_index_storage()
        assert [(t.name, copy.count_documents(t.table_id), [i.field for i in t.indexes])
                for t in copy.tables()] == [("T", 1, ["k"])]
        assert copy.verify().ok


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_object_overlapping_from_a_fork_breaks_the_chain(tmp_path: Path, jobs: int) -> None:
    """Two exports in one folder: a ledger's, and a fork's (imported from the ledger's first
    export, then given other commits), whose object overlaps the first and runs one block
    further. In parallel the link into the fork's fresh block was not checked: "verified"."""
    with Ledger.create(tmp_path / "a.ledger") as a:
        a.execute("CREATE TABLE T")
        a.execute("INSERT INTO T ?", {"v": 1})
        export_journal(a, tmp_path / "e1", jobs=1)
    import_journal(tmp_path / "e1", tmp_path / "fork.ledger")
    with Ledger.open(tmp_path / "a.ledger") as a:
        for v in (2, 3):
            a.execute("INSERT INTO T ?", {"v": v})
        export_journal(a, tmp_path / "d", jobs=1)
    with Ledger.open(tmp_path / "fork.ledger") as fork:
        for v in ("forged 1", "forged 2", "forged 3"):
            fork.execute("INSERT INTO T ?", {"v": v})
        export_journal(fork, tmp_path / "d", jobs=1)
    report = verify_export(tmp_path / "d", jobs=jobs)
    assert not report.ok
    first = report.first_failure
    assert (first.seq, first.check) == (report.last_seq, "chain link"), report.lines()


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("value", [b"\x01" * 29, "text"], ids=["29 bytes", "text"])
def test_a_block_hash_of_the_wrong_size_is_a_finding(tmp_path: Path, source: Path, jobs: int,
                                                     value: object) -> None:
    """A 29-byte blockHash (found by the hostile-input property test) went into the digest
    accumulator: "dot needs two 32-byte hashes", a ValueError out of import-journal."""
    from amazon.ion import simpleion

    with Ledger.open(source, read_only=True) as ledger:
        export_journal(ledger, tmp_path / "exp", fmt="ion_text", max_object_bytes=1500)
    obj = sorted(p for p in (tmp_path / "exp").rglob("*.ion") if "manifest" not in p.name)[0]
    blocks = simpleion.loads(obj.read_text(), single_value=False)
    blocks[-1]["blockHash"] = value
    obj.write_text("\n".join(simpleion.dumps(b, binary=False) for b in blocks))
    report = verify_export(tmp_path / "exp", jobs=jobs)
    assert not report.ok
    with pytest.raises(LedgerError):
        import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    assert not (tmp_path / "copy.ledger").exists()


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("edit", ["note", "renamed", "annotated"])
def test_content_no_hash_covers_fails_an_export(tmp_path: Path, source: Path, jobs: int,
                                                edit: str) -> None:
    """A field outside our block layout (the hostile-input property test renamed the
    genesis block's previousBlockHash) passed verify-export, and import-journal stored a
    ledger that then failed verify."""
    from amazon.ion import simpleion

    with Ledger.open(source, read_only=True) as ledger:
        export_journal(ledger, tmp_path / "exp", fmt="ion_text", max_object_bytes=1500)
    obj = sorted(p for p in (tmp_path / "exp").rglob("*.ion") if "manifest" not in p.name)[0]
    blocks = simpleion.loads(obj.read_text(), single_value=False)
    block = blocks[0]
    if edit == "note":
        block["note"] = "forged"
    elif edit == "renamed":
        block["qreviousBlockHash"] = block.pop("previousBlockHash", b"")
    else:
        block["transactionId"].ion_annotations = ("forged",)
    obj.write_text("\n".join(simpleion.dumps(b, binary=False) for b in blocks))
    report = verify_export(tmp_path / "exp", jobs=jobs)
    assert not report.ok
    assert any("no hash covers" in str(f) for f in report.failures), report.lines()
    with pytest.raises(LedgerError):
        import_journal(tmp_path / "exp", tmp_path / "copy.ledger")


def test_import_journal_rebuilds_the_catalog_the_source_has(tmp_path: Path) -> None:
    """The import rebuilds tables and indexes from the recorded statements: a dropped index
    came back, an index created by a statement that starts with a comment was lost, and a
    table undropped by its id stayed dropped (it never held a document, so its id was
    provisional here)."""
    with Ledger.create(tmp_path / "src.ledger") as src:
        src.execute("CREATE TABLE A")
        src.execute("CREATE INDEX ON A (x)")
        src.execute("INSERT INTO A {'x': 1, 'y': 2}")
        x_index = next(ix.index_id for ix in src.table("A").indexes if ix.field == "x")
        src.execute(f'DROP INDEX "{x_index}" ON A WITH (purge = true)')
        src.execute("/* a note */ CREATE INDEX ON A (y)")
        src.execute("-- a table for later\nCREATE TABLE B")
        b_id = src.table("B").table_id
        src.execute("DROP TABLE B")
        src.execute(f"UNDROP TABLE \"{b_id}\"")
        src.execute("create table C")
        src.execute("DROP TABLE C")

        def catalog(led: Ledger) -> list:
            return sorted((t.name, t.status, sorted(ix.field for ix in t.indexes))
                          for t in led.tables(include_inactive=True))

        expected = catalog(src)
        export_journal(src, tmp_path / "exp")
    assert expected == [("A", "ACTIVE", ["y"]), ("B", "ACTIVE", []), ("C", "INACTIVE", [])]
    import_journal(tmp_path / "exp", tmp_path / "copy.ledger")
    with Ledger.open(tmp_path / "copy.ledger") as copy:
        assert catalog(copy) == expected
        assert copy.table("B").table_id == b_id  # the UNDROP statement gave its id
        copy.execute("INSERT INTO B {'b': 1}")
        assert copy.verify().ok


def _small_objects(tmp_path: Path, source: Path) -> tuple[Path, list[Path], object]:
    with Ledger.open(source, read_only=True) as ledger:
        digest = ledger.digest()
        export_journal(ledger, tmp_path / "exp", fmt="ion_text", max_object_bytes=4000)
    objs = sorted((p for p in (tmp_path / "exp").rglob("*.ion") if "manifest" not in p.name),
                  key=lambda p: int(p.name.split(".")[-2].split("-")[0]))
    return tmp_path / "exp", objs, digest


def test_one_process_and_parallel_report_the_same(tmp_path: Path, source: Path) -> None:
    """A block missing inside an object: the parallel path dropped the GAP line and said the
    export ended before the digest's tip; a value that is not a block stopped the one-process
    walk (later objects and the digest went unchecked) and named no block."""
    from amazon.ion import simpleion

    exp, objs, digest = _small_objects(tmp_path, source)
    assert len(objs) >= 4
    gap_obj = next(o for o in objs[:-2]
                   if len(simpleion.loads(o.read_text(), single_value=False)) >= 3)
    blocks = simpleion.loads(gap_obj.read_text(), single_value=False)
    missing = int(blocks[1]["blockAddress"]["sequenceNo"])
    gap_obj.write_text("\n".join(simpleion.dumps(b, binary=False)
                                 for i, b in enumerate(blocks) if i != 1))
    with objs[objs.index(gap_obj) + 1].open("a") as f:
        f.write("\n{a: 1}\n")  # not a block, at the end of an object
    one = verify_export(exp, [digest], jobs=1)
    two = verify_export(exp, [digest], jobs=2)
    for r in (one, two):
        assert not r.ok
        assert (missing, missing) in r.gaps, r.lines()
        assert r.blocks == one.blocks and r.last_seq == one.last_seq  # later objects read
        assert any("not a block" in str(f) and f.seq is not None for f in r.failures)
        assert "the export holds no blocks" not in r.notes
        assert [d.message for d in r.digests] == ["the export has gaps before the digest's tip"]


def test_export_bounds_below_the_microsecond(tmp_path: Path, source: Path) -> None:
    """A bound 100 ns after block 0's time was cut to the microsecond: --end-time exported no
    block (block 0 is before it), --start-time included block 0 (it is before it)."""
    from ledger_desktop.engine.ion_values import dumps_text

    with Ledger.open(source, read_only=True) as ledger:
        t0 = dumps_text(ledger.block(0)["blockTimestamp"])  # milliseconds, e.g. ….877Z
        after = t0.replace("Z", "0001Z")                    # 100 ns later
        same_ms = sum(1 for i in range(ledger.block_count())
                      if dumps_text(ledger.block(i)["blockTimestamp"]) == t0)
        r = export_journal(ledger, tmp_path / "end", end_time=after)
        assert (r.blocks, r.first_seq) == (same_ms, 0)
        r2 = export_journal(ledger, tmp_path / "start", start_time=after)
        assert r2.first_seq == same_ms
