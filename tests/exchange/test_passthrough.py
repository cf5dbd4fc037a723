"""The fast paths of export and stream write exactly what the value-based paths write.

Exports and streams read blocks as bare values (amazon.ion's MAY_BE_BARE model, blobs parsed in
one call) and, in Ion binary, copy stored document bytes instead of re-encoding them
(`ion_passthrough`). Each is compared here with the reference path (IonPy values from
`journal_reads.assemble_block`, written by amazon.ion) for every Ion type, for documents of one
shape, of shapes whose symbols extend each other, of unrelated shapes, and for imported blocks
(stored metadata); then whole round trips run through every format.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from amazon.ion import simpleion
from amazon.ion.exceptions import IonException
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_desktop.engine import ion_passthrough as ip
from ledger_desktop.engine.export_verify import verify_export
from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.ion_hash import ion_hash
from ledger_desktop.engine.ion_values import dumps_binary, dumps_text, loads_bare
from ledger_desktop.engine.journal_import import import_journal
from ledger_desktop.engine.journal_reads import (
    assemble_block,
    assemble_block_bare,
    block_envelope_bare,
    iter_block_rows,
)
from ledger_desktop.engine.json_down import to_json
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.stream_sinks import FileSink, iter_file_records
from ledger_desktop.engine.streams import (
    Checkpoint,
    block_record_bytes,
    block_records,
    encode_record,
    rebuild_blocks,
    run_stream,
)

from .ledgers import varied_ledger

#: Every Ion type, typed nulls, annotations, symbols that need quoting, a repeated field name,
#: non-BMP text, lengths on both sides of the one-byte length limit.
EVERY_TYPE = (
    r'''{str:"h\u00e9llo \U0001F600 \"q\" \\ \n\t\x01", sym: 'a symbol', sym2: abc,'''
    r''' qsym: 'null', i: -123456789012345678901234567890, big: 18446744073709551616, zero: 0,'''
    r''' dec: -0.00, dec2: 1.5d-20, dec3: 12345678901234567890.123, f: 1.5e0, fnan: nan,'''
    r''' finf: +inf, fninf: -inf, fneg0: -0e0, t1: 2024T, t2: 2024-05T, t3: 2024-05-01,'''
    r''' t4: 2024-05-01T10:00+05:30, t5: 2024-05-01T10:00:00.123456-08:00,'''
    r''' t6: 2024-05-01T10:00:00.000Z, t7: 2024-05-01T10:00:00-00:00, b: {{aGVsbG8=}},'''
    r''' eb: {{}}, c: {{"clob\x01\x7f"}}, n: null, ni: null.int, ns: null.struct,'''
    r''' nl: null.list, nsym: null.symbol, nts: null.timestamp, bool: true, bf: false,'''
    r''' l: [1, "two", three, [4]], s: (+ a (b c)), e: {}, el: [], es: (),'''
    r''' nested: {x: {y: {z: [1, {w: null.decimal}]}}}, ann: a::b::{c: d::1}, annl: x::[1],'''
    r''' anns: y::z, annn: q::null.int, 'field with space': 1, '': 2, '$ion': 3, dup: 1,'''
    r''' dup: 2, s13: "abcdefghijklm", s14: "abcdefghijklmn", long: "''' + "x" * 300 + '"}')


def _insert(ledger: Ledger, table: str, docs: list[Any]) -> None:
    with ledger.transaction() as tx:
        tid = tx.table(table).table_id
        for d in docs:
            tx.insert(tid, d, tx.begin_statement(f"INSERT INTO {table} ?", [d]))


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """varied_ledger plus blocks of one shape, of extending shapes and of unrelated shapes."""
    path = tmp_path_factory.mktemp("pt") / "source.ledger"
    ledger = varied_ledger(path)
    with ledger.transaction() as tx:
        tx.create_table("T", tx.begin_statement("CREATE TABLE T"))
    doc = simpleion.loads(EVERY_TYPE)
    _insert(ledger, "T", [doc, doc, doc])                                  # one shape
    _insert(ledger, "T", [{"a": 1}, {"a": 2, "b": "x"}, {"a": 3}, {}])     # prefixes
    _insert(ledger, "T", [{"a": 1}, {"zz": 2}, doc])                       # unrelated
    _insert(ledger, "T", [{f"k{i}": i for i in range(200)}])               # SIDs past 127
    ledger.close()
    return path


def _reference(ledger: Ledger, body: bytes, revs: list[tuple]) -> Any:
    return assemble_block(ledger.strand_id, body, revs)


def test_bare_blocks_write_the_same_ion_and_json(source: Path) -> None:
    with Ledger.open(source, read_only=True) as ledger:
        for _seq, body, revs in iter_block_rows(ledger):
            ref = _reference(ledger, body, revs)
            bare = assemble_block_bare(ledger.strand_id, body, revs)
            assert dumps_text(bare) == dumps_text(ref)
            assert dumps_text(simpleion.loads(dumps_binary(bare))) == \
                dumps_text(simpleion.loads(dumps_binary(ref)))
            assert to_json(bare) == to_json(ref)
            assert ion_hash(bare) == ion_hash(ref)


def test_block_binary_reads_back_as_the_same_block(source: Path) -> None:
    fast = []
    with Ledger.open(source, read_only=True) as ledger:
        for seq, body, revs in iter_block_rows(ledger):
            if not revs:
                continue
            data = ip.block_binary(ledger.strand_id, *block_envelope_bare(body), revs)
            if data is None:
                continue
            fast.append(seq)
            ref = _reference(ledger, body, revs)
            got = simpleion.loads(data)
            assert dumps_text(got) == dumps_text(ref), seq
            assert ion_hash(got) == ion_hash(ref), seq
        last = ledger.block_count() - 1
    # one shape, extending shapes and wide documents copy their bytes; unrelated shapes do not
    assert {last - 3, last - 2, last} <= set(fast) and last - 1 not in fast


def test_stream_records_are_the_same(source: Path) -> None:
    arn = "arn:aws:qldb:local:000000000000:stream/source/s"
    with Ledger.open(source, read_only=True) as ledger:
        for _seq, body, revs in iter_block_rows(ledger):
            records = block_records(arn, _reference(ledger, body, revs))
            key, got = block_record_bytes(arn, ledger.strand_id, body, revs, "ion_binary")
            assert [dumps_text(simpleion.loads(g)) for g in got] == \
                [dumps_text(r) for r in records]
            _, got_json = block_record_bytes(arn, ledger.strand_id, body, revs, "json")
            assert got_json == [encode_record(r, "json") for r in records]
            assert key == str(_reference(ledger, body, revs)["transactionId"])


@pytest.mark.parametrize("fmt", ["ion_text", "ion_binary"])
def test_every_type_round_trips_and_reexports_identically(tmp_path: Path, source: Path,
                                                          fmt: str) -> None:
    """export -> verify -> import-journal (stored metadata: the imported rows take the
    fallback paths) -> export again: the same blocks and digest."""
    with Ledger.open(source, read_only=True) as ledger:
        digest = ledger.digest()
        blocks = [dumps_text(ledger.block(i)) for i in range(ledger.block_count())]
        export_journal(ledger, tmp_path / "a", fmt=fmt, max_object_bytes=4000)
    assert verify_export(tmp_path / "a", [digest]).ok
    res = import_journal(tmp_path / "a", tmp_path / "copy.ledger")
    assert res.digest.digest == digest.digest
    with Ledger.open(tmp_path / "copy.ledger", read_only=True) as copy:
        assert [dumps_text(copy.block(i)) for i in range(copy.block_count())] == blocks
        export_journal(copy, tmp_path / "b", fmt=fmt)
        arn = "arn:aws:qldb:local:000000000000:stream/copy/s"
        for _seq, body, revs in iter_block_rows(copy):
            records = block_records(arn, assemble_block(copy.strand_id, body, revs))
            _, got = block_record_bytes(arn, copy.strand_id, body, revs, "ion_binary")
            assert [dumps_text(simpleion.loads(g)) for g in got] == \
                [dumps_text(r) for r in records]
    report = verify_export(tmp_path / "b", [digest])
    assert report.ok, report.lines()
    res = import_journal(tmp_path / "b", tmp_path / "copy2.ledger")
    assert res.digest.digest == digest.digest


def test_json_export_of_every_type_verifies(tmp_path: Path, source: Path) -> None:
    with Ledger.open(source, read_only=True) as ledger:
        digest = ledger.digest()
        export_journal(ledger, tmp_path / "j", fmt="json")
    report = verify_export(tmp_path / "j", [digest])
    assert report.ok, report.lines()


@pytest.mark.parametrize("fmt", ["ion_binary", "json"])
def test_streamed_records_rebuild_every_block(tmp_path: Path, source: Path, fmt: str) -> None:
    with Ledger.open(source, read_only=True) as ledger:
        cp = Checkpoint.load(tmp_path / "cp.json", fmt)
        sink = FileSink(tmp_path / "out", cp.stream_id, fmt)
        run_stream(ledger, sink, cp, batch_records=7)
        sink.close()
        records = list(iter_file_records(tmp_path / "out"))
        if fmt == "json":
            assert len(records) == sum(1 + sum(1 for r in revs if r[5] not in (3, 4))
                                       for _s, _b, revs in iter_block_rows(ledger)) + 2
            return
        rebuilt = rebuild_blocks(records)
        assert [dumps_text(b) for b in rebuilt] == \
            [dumps_text(ledger.block(i)) for i in range(ledger.block_count())]


# ---------------------------------------------------------------------------- the pieces


def _blob(text: str) -> bytes:
    return dumps_binary(simpleion.loads(text))


def test_loads_many_bare_equals_loads_bare_one_by_one() -> None:
    blobs = [_blob(EVERY_TYPE), _blob("{a:1}"), _blob("{a:2,b:c}"), _blob("{}"), _blob("5"),
             _blob("x::y"), _blob(EVERY_TYPE), _blob("'$ion_symbol_table'::{a:b}")]
    many = ip.loads_many_bare(blobs)
    one = [loads_bare(b) for b in blobs]
    assert [dumps_text(v) for v in many] == [dumps_text(v) for v in one]


def test_loads_many_bare_reads_odd_blobs_one_by_one() -> None:
    two_values = _blob("{a:1}") + _blob("{b:2}")[4:]
    with pytest.raises(IonException):  # as loads_bare: one value expected
        ip.loads_many_bare([_blob("{a:1}"), two_values])
    with pytest.raises(IonException):
        ip.loads_many_bare([_blob("{a:1}")[:-1]])


HANG_TRIGGER = "e00100eaeea98183dea587bea28f8f656e7472696573486173684c6973748e8f7472616e736163" \
               "74696f6e496e666fd68a21018b2102"


def test_the_value_that_hung_the_c_extension_is_refused() -> None:
    code = ("from ledger_desktop.engine.ion_passthrough import loads_many_bare\n"
            "from amazon.ion.exceptions import IonException\n"
            f"try:\n    loads_many_bare([bytes.fromhex('{HANG_TRIGGER}')])\n"
            "except IonException as e:\n    print('refused', e)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert r.returncode == 0 and r.stdout.startswith("refused"), r.stderr


def test_split_blob_accepts_one_table_and_one_value_only() -> None:
    blob = _blob("{a:b}")
    table, offset = ip.split_blob(blob)
    assert sorted(ip.table_symbols(table)) == ["a", "b"]
    assert blob[offset:] and table == blob[4:offset]
    assert ip.split_blob(_blob("5")) == (b"", 4)
    for bad in (blob[4:], blob + blob[4:], blob[:-1], blob + b"\xe0\x01\x00\xea",
                blob[:offset] + blob[4:]):
        with pytest.raises(ip.Unsupported):
            ip.split_blob(bad)
    imports = _blob("$ion_symbol_table::{imports:[{name:\"x\",version:1,max_id:2}]}")
    with pytest.raises(ip.Unsupported):
        ip.table_symbols(imports[4:])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(-(2 ** 70), 2 ** 70), st.text(max_size=300),
                          st.binary(max_size=300)), max_size=30))
def test_encoders_write_what_amazon_ion_reads(values: list[Any]) -> None:
    ids = ip.SymbolIds([f"f{i}" for i in range(len(values))])
    fields = b""
    for i, v in enumerate(values):
        enc = ip.enc_int(v) if isinstance(v, int) else \
            ip.enc_string(v) if isinstance(v, str) else ip.enc_blob(v)
        fields += ids.field(f"f{i}") + enc
    table = ip.enc_symbol_table([f"f{i}" for i in range(len(values))])
    data = ip.IVM + table + ip.enc_struct(fields) + ip.enc_list(b"".join(
        ip.enc_int(v) for v in values if isinstance(v, int)))
    struct_value, list_value = simpleion.loads(data, single_value=False)
    assert [struct_value[f"f{i}"] for i in range(len(values))] == values
    assert list(list_value) == [v for v in values if isinstance(v, int)]


# ---------------------------------------------------------------------------- verify-export


def _tampered(block: Any) -> list[Any]:
    """Copies of a block (bare values, as verify-export reads them), each changed once."""
    out = []

    def copy() -> Any:
        return simpleion.loads(dumps_binary(block),
                               value_model=simpleion.IonPyValueModel.MAY_BE_BARE)

    for field in ("blockHash", "entriesHash", "previousBlockHash"):
        if field in block:
            b = copy()
            b[field] = bytes(32)
            out.append(b)
            b = copy()
            del b[field]
            out.append(b)
    b = copy()
    b["entriesHashList"] = list(b["entriesHashList"])[::-1]
    out.append(b)
    b = copy()
    b["entriesHashList"] = list(b["entriesHashList"])[:-1]
    out.append(b)
    b = copy()
    b["transactionId"] = "X" + str(b["transactionId"])
    out.append(b)
    if "transactionInfo" in block:
        b = copy()
        b["transactionInfo"]["statements"][0]["statement"] = "SELECT 1"
        out.append(b)
        b = copy()
        del b["transactionInfo"]
        out.append(b)
    for i, rev in enumerate(block.get("revisions", [])):
        b = copy()
        b["revisions"][i]["hash"] = bytes(32)
        out.append(b)
        if "data" in rev:
            b = copy()
            b["revisions"][i]["data"] = {"changed": 1}
            out.append(b)
        if "metadata" in rev:
            b = copy()
            b["revisions"][i]["metadata"]["version"] = 99
            out.append(b)
            # the same instant or text in another Ion type or precision hashes differently
            meta_text = dumps_text(rev["metadata"])
            for old, new in (("Z}", "+00:00}"), ("Z,", "-00:00,"), ("Z}", "0Z}"),
                             ("Z,", "0Z,"), ("id:\"", "id:'"), ("version:", "version:x::")):
                changed = meta_text.replace(old, new, 1)
                if old == "id:\"":
                    changed = changed.replace('",version', "',version", 1)
                if changed == meta_text:
                    continue
                try:
                    meta = simpleion.loads(changed,
                                           value_model=simpleion.IonPyValueModel.MAY_BE_BARE)
                except IonException:
                    continue
                b = copy()
                b["revisions"][i]["metadata"] = meta
                out.append(b)
        b = copy()
        del b["revisions"][i]
        out.append(b)
    return out


def test_sound_blocks_shortcut_agrees_with_check_block(source: Path) -> None:
    from ledger_desktop.engine.blocks import check_block
    from ledger_desktop.engine.export_verify import _own_layout, _sound

    tried = 0
    with Ledger.open(source, read_only=True) as ledger:
        for i in range(ledger.block_count()):
            block = simpleion.loads(dumps_binary(ledger.block(i)),
                                    value_model=simpleion.IonPyValueModel.MAY_BE_BARE)
            assert _sound(block, _own_layout(block)) and not check_block(block, own_layout=True)
            for bad in _tampered(block):
                own = _own_layout(bad)
                failures = check_block(bad, own_layout=own)
                assert _sound(bad, own) == (not failures), (i, failures)
                tried += 1
    assert tried > 100


# ---------------------------------------------------------------------------- framing in C


@pytest.fixture(scope="module")
def binary_object(source: Path, tmp_path_factory) -> bytes:
    d = tmp_path_factory.mktemp("bin")
    with Ledger.open(source, read_only=True) as ledger:
        r = export_journal(ledger, d / "x", fmt="ion_binary", max_object_bytes=3000)
    return (d / "x" / r.keys[1]).read_bytes()


def _framing_outcomes(data: bytes) -> tuple[str | None, str | None]:
    import io

    from ledger_desktop.engine.exports import _check_stream_framing
    from ledger_desktop.engine.ion_framing import check_stream_framing

    out: list[str | None] = []
    for check in (check_stream_framing, _check_stream_framing):
        try:
            check(io.BytesIO(data))
            out.append(None)
        except IonException:
            out.append("refused")
    return out[0], out[1]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_c_framing_check_refuses_exactly_what_the_python_check_refuses(binary_object: bytes,
                                                                       data: Any) -> None:
    i = data.draw(st.integers(0, len(binary_object) - 1))
    op = data.draw(st.sampled_from(["flip", "truncate", "insert", "delete", "set"]))
    b = binary_object
    if op == "flip":
        b = b[:i] + bytes([b[i] ^ (1 << data.draw(st.integers(0, 7)))]) + b[i + 1:]
    elif op == "truncate":
        b = b[:i]
    elif op == "insert":
        b = b[:i] + data.draw(st.binary(min_size=1, max_size=8)) + b[i:]
    elif op == "delete":
        b = b[:i] + b[i + data.draw(st.integers(1, 8)):]
    else:
        b = b[:i] + bytes([data.draw(st.sampled_from([0x00, 0x0E, 0x8E, 0x8F, 0xEE, 0xFF]))]) \
            + b[i + 1:]
    python, c = _framing_outcomes(b)
    assert python == c


def test_c_framing_check_accepts_whole_objects_and_refuses_the_hang_trigger(
        binary_object: bytes) -> None:
    assert _framing_outcomes(binary_object) == (None, None)
    assert _framing_outcomes(binary_object + bytes.fromhex(HANG_TRIGGER)) == \
        ("refused", "refused")


def test_c_framing_check_covers_our_blocks_without_the_python_walk(
        binary_object: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from ledger_desktop.engine import exports

    if exports.framed_by_c is None:
        pytest.skip("the C Ion hasher is not built")

    def refuse(data: bytes) -> None:
        raise AssertionError("the Python framing walk ran")

    monkeypatch.setattr(exports, "check_binary_framing", refuse)
    exports._check_stream_framing(io.BytesIO(binary_object))


# ---------------------------------------------------------------------------- file import


def test_json_import_stores_the_ion_of_the_plain_values(tmp_path: Path) -> None:
    """The JSON reader yields light values (for amazon.ion's writer); what is stored, hashed
    and indexed is exactly what the plain decoded values give."""
    import json
    from decimal import Decimal

    from ledger_desktop.engine.imports import import_files
    from ledger_desktop.engine.ion_binary_hash import ion_hash_binary
    from ledger_desktop.engine.readers.json_reader import DECODER, JsonLinesReader

    docs = [{"s": "x\u00e9\U0001F600", "i": -3, "big": 2 ** 70, "d": 1.50, "f": 1e300,
             "t": True, "n": None, "l": ["a", 1, {"k": "v"}, []], "o": {"p": {"q": "r"}},
             "": "empty name", "dup": 1}, {}, {"only": "one"}]
    lines = [json.dumps(d) for d in docs]  # (a repeated key is an error: test_readers)
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plain = json.JSONDecoder(parse_float=lambda t: float(t) if "e" in t or "E" in t
                             else Decimal(t))
    with JsonLinesReader(path) as reader:
        for rec, line in zip(reader, lines, strict=True):
            assert rec.value == DECODER.decode(line)
            assert dumps_binary(rec.value) == dumps_binary(plain.decode(line))
            assert ion_hash(rec.value) == ion_hash(plain.decode(line))
    with Ledger.create(tmp_path / "l.ledger") as ledger:
        with ledger.transaction() as tx:
            t = tx.create_table("T", tx.begin_statement("CREATE TABLE T"))
            tx.create_index(t, "s", tx.begin_statement("CREATE INDEX ON T (s)"))
        import_files(ledger, "T", [path])
        stored = [bytes(r[0]) for r in ledger._conn.execute(
            "SELECT data FROM revisions WHERE kind = 0 ORDER BY seq, idx")]
        assert [ion_hash_binary(b) for b in stored] == \
            [ion_hash(plain.decode(line)) for line in lines]
        assert ledger.verify().ok
        rows = list(ledger.execute("SELECT * FROM T WHERE s = ?", "x\u00e9\U0001F600"))
        assert len(rows) == 1  # through the index on s


# ---------------------------------------------------------------------------- hashes from binary


@pytest.fixture(scope="module")
def binary_export(source: Path, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("binx") / "x"
    with Ledger.open(source, read_only=True) as ledger:
        export_journal(ledger, d, fmt="ion_binary", max_object_bytes=3000)
    return d


def _blocks_with_bytes(d: Path) -> list[tuple[Any, bytes | None]]:
    from ledger_desktop.engine.exports import iter_object_blocks_with_bytes, open_export

    src = open_export(d)
    return [pair for o in src.objects for pair in iter_object_blocks_with_bytes(o, src.format)]


def test_blocks_with_bytes_read_as_the_streamed_blocks(binary_export: Path,
                                                       tmp_path: Path) -> None:
    from ledger_desktop.engine.exports import iter_object_blocks, open_export

    src = open_export(binary_export)
    streamed = [dumps_text(b) for o in src.objects for b in iter_object_blocks(o, src.format)]
    pairs = _blocks_with_bytes(binary_export)
    assert [dumps_text(b) for b, _ in pairs] == streamed
    assert all(raw is not None and dumps_text(simpleion.loads(raw)) == dumps_text(b)
               for b, raw in pairs)
    # one symbol table for several blocks: not our layout, read the usual way
    one = tmp_path / "x"
    shutil.copytree(binary_export, one)
    obj = next(p for p in sorted(one.rglob("*.ion")) if "manifest" not in p.name)
    values = simpleion.loads(obj.read_bytes(), single_value=False)
    obj.write_bytes(simpleion.dumps(values, binary=True, sequence_as_stream=True))
    pairs = _blocks_with_bytes(one)
    assert [dumps_text(b) for b, _ in pairs] == streamed
    assert any(raw is None for _, raw in pairs)
    assert verify_export(one).ok


def test_revision_hashes_from_binary_equal_ion_hash(binary_export: Path) -> None:
    if ip._framed_by_c is None:
        pytest.skip("revision hashes from stored bytes need the C Ion hasher")
    hashed = 0
    for block, raw in _blocks_with_bytes(binary_export):
        hashes = ip.revision_hashes(raw)
        revisions = block.get("revisions", [])
        if hashes is None:
            continue
        assert len(hashes) == len(revisions)
        for rev, h in zip(revisions, hashes, strict=True):
            if h is None:
                continue
            assert h[0] == ion_hash(rev["metadata"])
            assert h[1] == (ion_hash(rev["data"]) if "data" in rev else None)
            hashed += 1
    assert hashed >= 20


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_sound_with_binary_hashes_agrees_with_check_block(binary_export: Path,
                                                          data: Any) -> None:
    """Byte edits of a block's Ion binary: accepted by the shortcut (hashes read from the
    bytes) exactly when check_block finds nothing in the value parsed from the same bytes."""
    from ledger_desktop.engine.blocks import check_block
    from ledger_desktop.engine.export_verify import _own_layout, _sound
    from ledger_desktop.engine.ion_framing import check_binary_framing

    pairs = [(b, raw) for b, raw in _blocks_with_bytes(binary_export) if b.get("revisions")]
    _, raw = data.draw(st.sampled_from(pairs))
    i = data.draw(st.integers(4, len(raw) - 1))
    if data.draw(st.booleans()):
        bad = raw[:i] + bytes([raw[i] ^ (1 << data.draw(st.integers(0, 7)))]) + raw[i + 1:]
    else:
        bad = raw[:i] + bytes([data.draw(st.integers(0, 255))]) + raw[i + 1:]
    try:
        check_binary_framing(bad)
        block = simpleion.loads(bad, value_model=simpleion.IonPyValueModel.MAY_BE_BARE)
    except (IonException, ValueError):
        return
    own = _own_layout(block)
    assert _sound(block, own, ip.revision_hashes(bad)) == (not check_block(block,
                                                                           own_layout=own))
