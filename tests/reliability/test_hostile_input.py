"""Hostile input: PartiQL, import files, QLDB exports, digest and proof files, `verify-proof`.

Property-based (hypothesis): whatever the input, the engine returns or raises one of its own
documented errors (`LedgerError` subclasses) — never another exception, never a hang — and a
failed write commits nothing (the digest is unchanged). Each property has a fast variant in
the default run and a long one behind `-m slow`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from amazon.ion import simpleion
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger_desktop.cli import main as cli
from ledger_desktop.engine import digest_file, proofs
from ledger_desktop.engine.errors import LedgerError
from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.imports import import_files
from ledger_desktop.engine.ion_framing import check_binary_framing
from ledger_desktop.engine.ion_hash import ion_hash
from ledger_desktop.engine.ion_values import dumps_binary, dumps_text, loads, struct
from ledger_desktop.engine.journal_import import import_journal
from ledger_desktop.engine.ledger import Ledger

from .helpers import new_ledger, subprocess_env

FAST, MANY = 40, 500
# Every property gets a thread-based timeout: a hang inside a C extension cannot be
# interrupted by a signal, but the thread method still fails the run instead of blocking CI.
pytestmark = pytest.mark.timeout(240, method="thread")


def properties(strategy: st.SearchStrategy, check: Callable[[Any], None]):
    """A fast test and a long (slow-marked) test of one property."""
    def make(examples: int):
        # print_blob: a failure prints the @reproduce_failure line that replays its example
        # (the examples are random per run and no database keeps them)
        @settings(max_examples=examples, deadline=None, database=None, print_blob=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(strategy)
        def test(value: Any) -> None:
            check(value)
        return test
    return make(FAST), pytest.mark.slow(make(MANY))


# ---------------------------------------------------------------------------------- strategies
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 200), max_value=2 ** 200),
    st.floats(allow_nan=False), st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.text(max_size=40), st.binary(max_size=40))
ion_documents = st.dictionaries(
    st.text(min_size=1, max_size=20),
    st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.text(min_size=1, max_size=12), inner, max_size=4),
                 max_leaves=20),
    max_size=6)


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with one hostile edit: a flipped bit, a cut, an insertion or a deletion."""
    if not data:
        return draw(st.binary(max_size=64))
    i = draw(st.integers(0, len(data) - 1))
    op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "set"]))
    if op == "flip":
        return data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1:]
    if op == "truncate":
        return data[:i]
    if op == "insert":
        return data[:i] + draw(st.binary(min_size=1, max_size=8)) + data[i:]
    if op == "delete":
        return data[:i] + data[i + draw(st.integers(1, 8)):]
    return data[:i] + bytes([draw(st.sampled_from([0x00, 0x0E, 0x8E, 0x8F, 0xEE, 0xFF]))]) \
        + data[i + 1:]


def ion_binary_of(docs: list[dict[str, Any]]) -> bytes:
    return b"".join(dumps_binary(d) if i == 0 else dumps_binary(d)[4:]
                    for i, d in enumerate(docs))


hostile_ion_binary = st.lists(ion_documents, min_size=1, max_size=3).map(ion_binary_of).flatmap(
    mutated)

# ---------------------------------------------------------------------------------- Ion framing
HANG_TRIGGER = "e00100eaeea98183dea587bea28f8f656e7472696573486173684c6973748e8f7472616e736163" \
               "74696f6e496e666fd68a21018b2102"


def test_the_value_that_hung_the_c_extension_is_refused() -> None:
    """A symbol-table string length made into a typed null: ion-c skipped past EOF forever."""
    code = ("import sys; from ledger_desktop.engine.ion_values import loads\n"
            "from amazon.ion.exceptions import IonException\n"
            f"try:\n    loads(bytes.fromhex('{HANG_TRIGGER}'))\n"
            "except IonException as e:\n    print('refused', e)\n")
    r = subprocess.run([sys.executable, "-c", code], env=subprocess_env(), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("refused"), r.stderr


def _framing_accepts_valid(doc: dict[str, Any]) -> None:
    data = dumps_binary(doc)
    check_binary_framing(data)
    assert ion_hash(loads(data)) == ion_hash(simpleion.loads(data))


test_framing_accepts_every_valid_value, test_framing_accepts_every_valid_value_many = \
    properties(ion_documents, _framing_accepts_valid)


# ---------------------------------------------------------------------------------- file import
@pytest.fixture(scope="module")
def import_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_ledger(tmp_path_factory.mktemp("import") / "target.ledger")


def _import_check(target: Path, name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_bytes(content)
        with Ledger.open(target) as led:
            digest, blocks = led.digest().digest, led.block_count()
            try:
                result = import_files(led, "T", [path], batch_size=2)
            except LedgerError:
                assert led.digest().digest == digest and led.block_count() == blocks
                return
            assert led.count_documents(led.table("T").table_id) >= result.documents


def _json_text(docs: list[dict[str, Any]]) -> str:
    def plain(v: Any) -> Any:
        if isinstance(v, bytes):
            return v.hex()
        if isinstance(v, Decimal):
            return float(v)
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v
    return json.dumps([plain(d) for d in docs])


hostile_files = st.one_of(
    st.tuples(st.just("data.10n"), hostile_ion_binary),
    st.tuples(st.just("data.ion"), st.lists(ion_documents, max_size=3).map(
        lambda ds: "\n".join(dumps_text(d) for d in ds).encode()).flatmap(mutated)),
    st.tuples(st.just("data.json"), st.lists(ion_documents, max_size=3).map(
        lambda ds: _json_text(ds).encode()).flatmap(mutated)),
    st.tuples(st.just("data.jsonl"), st.lists(ion_documents, max_size=3).map(
        lambda ds: "\n".join(json.dumps(json.loads(_json_text([d]))[0]) for d in ds).encode()
    ).flatmap(mutated)),
    st.tuples(st.just("data.csv"), st.lists(st.lists(st.text(max_size=8), min_size=1,
                                                     max_size=4), min_size=1, max_size=5).map(
        lambda rows: "\n".join(",".join(r) for r in rows).encode()).flatmap(mutated)),
    st.tuples(st.sampled_from(["data.ion", "data.json", "data.jsonl", "data.csv", "data.10n"]),
              st.binary(max_size=200)),
)


@pytest.fixture(scope="module")
def import_properties(import_target: Path):
    return properties(hostile_files, lambda f: _import_check(import_target, *f))


def test_import_of_hostile_files(import_properties) -> None:
    import_properties[0]()


@pytest.mark.slow
def test_import_of_hostile_files_many(import_properties) -> None:
    import_properties[1]()


DEEP = 100_000


@pytest.mark.parametrize("name, content", [
    ("deep.json", b'{"a":' + b"[" * DEEP + b"]" * DEEP + b"}"),
    ("deep.jsonl", b'{"a":' + b"[" * DEEP + b"]" * DEEP + b"}\n"),
    ("deep.ion", b"{a:" + b"[" * DEEP + b"]" * DEEP + b"}"),
    ("deep-structs.ion", b"{a:" * 20_000 + b"1" + b"}" * 20_000),
    ("invalid-utf8.json", b'{"a": "\xff\xfe"}'),
    ("invalid-utf8.csv", b"a,b\n\xff,1\n"),
    ("invalid-utf8.ion", b'{a: "\xc3\x28"}'),
    ("lone-surrogate.json", b'{"a": "\\ud800"}'),
    ("huge-value.csv", b"a\n" + b"x" * (65 * 1024 * 1024) + b"\n"),
    ("huge-int.ion", b"{a: " + b"9" * 100_000 + b"}"),
    ("unclosed-string.jsonl", b'{"a": "' + b"x" * 1_000_000),
    ("symbol-id-out-of-range.ion", b"{a: $99999}"),
    ("symbol-table-tricks.ion", b"$ion_symbol_table::{imports:[{name:\"missing\",version:1,"
                                b"max_id:10}]} {a: $10}"),
    ("version-marker-tricks.ion", b"$ion_1_1 {a: 1}"),
    ("symbol-table-imports-binary.10n",
     bytes.fromhex("e00100eaee8e8183de8a86be87de8584816142b7") + b"\xd3\x8a\x21\x01"),
    ("truncated.10n", bytes.fromhex(HANG_TRIGGER)[:30]),
    ("hang-trigger.10n", bytes.fromhex(HANG_TRIGGER)),
])
def test_import_of_crafted_files(import_target: Path, name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_bytes(content)
        with Ledger.open(import_target) as led:
            digest = led.digest().digest
            with pytest.raises(LedgerError):
                import_files(led, "T", [path])
            assert led.digest().digest == digest


# ---------------------------------------------------------------------------------- QLDB exports
@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("exports")
    path = new_ledger(root / "source.ledger")
    with Ledger.open(path) as led:
        for i in range(4):
            led.execute("INSERT INTO T ?", {"n": i, "name": f"P{i}"})
        return {fmt: export_journal(led, root / fmt, fmt=fmt, max_object_bytes=800).directory
                for fmt in ("ion_binary", "ion_text")}


def _journal_import_check(source: Path, edit: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory() as d:
        work = Path(d) / "export"
        shutil.copytree(source, work)
        edit(work)
        target = Path(d) / "imported.ledger"
        try:
            result = import_journal(work, target)
        except LedgerError:
            assert not target.exists(), "a failed import left a ledger file behind"
            return
        with Ledger.open(target, read_only=True) as led:
            assert led.verify().ok
            assert result.blocks == led.block_count()


def _mutate_object(choice: tuple[int, bytes]) -> Callable[[Path], None]:
    which, replacement = choice

    def edit(work: Path) -> None:
        objects = sorted(p for p in work.rglob("*") if p.is_file() and "manifest" not in p.name)
        objects[which % len(objects)].write_bytes(replacement)
    return edit


@pytest.fixture(scope="module")
def journal_properties(exports: dict[str, Path]):
    data = {fmt: sorted(p.read_bytes() for p in d.rglob("*") if p.is_file()
                        and "manifest" not in p.name) for fmt, d in exports.items()}
    strategy = st.sampled_from(["ion_binary", "ion_text"]).flatmap(
        lambda fmt: st.tuples(st.just(fmt), st.integers(0, 20).flatmap(
            lambda i: st.tuples(st.just(i), mutated(data[fmt][i % len(data[fmt])])))))
    return properties(strategy, lambda v: _journal_import_check(exports[v[0]],
                                                                _mutate_object(v[1])))


def test_journal_import_of_damaged_exports(journal_properties) -> None:
    journal_properties[0]()


@pytest.mark.slow
def test_journal_import_of_damaged_exports_many(journal_properties) -> None:
    journal_properties[1]()


TRAVERSALS = ["../outside/{name}", "../../{name}", "/etc/{name}", "/tmp/../{name}",
              "a/../../{name}", "C:\\\\{name}", "..\\\\{name}", "{name}\x00.ion", "",
              "./../{name}", "%2e%2e/{name}"]


@pytest.mark.parametrize("key", TRAVERSALS)
def test_manifest_path_traversal_is_refused(exports: dict[str, Path], key: str,
                                            tmp_path: Path) -> None:
    source = exports["ion_text"]
    work = tmp_path / "export"
    shutil.copytree(source, work)
    obj = next(p for p in work.rglob("*.ion") if "manifest" not in p.name)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(obj, outside / obj.name)  # a tempting target outside the export
    manifest = next(work.glob("*.completed.manifest"))
    manifest.write_text(dumps_text(struct(("keys", [key.format(name=obj.name)]))))
    with pytest.raises(LedgerError):
        import_journal(work, tmp_path / "imported.ledger")
    assert not (tmp_path / "imported.ledger").exists()


hostile_manifests = st.one_of(
    st.binary(max_size=100),
    st.lists(st.text(max_size=30), max_size=4).map(
        lambda keys: dumps_text(struct(("keys", keys))).encode()),
    st.lists(st.text(alphabet="./\\:aA0%\x00", max_size=20), max_size=4).map(
        lambda keys: json.dumps({"keys": keys}).encode()),
    st.lists(st.text(max_size=10), max_size=3).map(
        lambda keys: dumps_binary(struct(("keys", keys)))).flatmap(mutated),
)


def _manifest_check(source: Path, content: bytes) -> None:
    def edit(work: Path) -> None:
        next(work.glob("*.completed.manifest")).write_bytes(content)
    _journal_import_check(source, edit)


@pytest.fixture(scope="module")
def manifest_properties(exports: dict[str, Path]):
    return properties(hostile_manifests, lambda c: _manifest_check(exports["ion_binary"], c))


def test_hostile_manifests(manifest_properties) -> None:
    manifest_properties[0]()


@pytest.mark.slow
def test_hostile_manifests_many(manifest_properties) -> None:
    manifest_properties[1]()


# ---------------------------------------------------------------------------------- digests
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=20), inner,
                                                                 max_size=4), max_leaves=10)
digest_like = st.fixed_dictionaries({}, optional={
    "Digest": st.one_of(st.text(max_size=60), st.binary(min_size=0, max_size=40).map(
        lambda b: __import__("base64").b64encode(b).decode()), json_values),
    "DigestTipAddress": st.one_of(json_values, st.fixed_dictionaries({"IonText": st.one_of(
        st.text(max_size=60), st.just('{strandId:"A",sequenceNo:-1}'),
        st.just('{strandId:"A",sequenceNo:99999999999999999999999}'),
        st.just("[1,2]"), st.just("{{aGk=}}"))})),
    "LedgerName": json_values, "DigestTime": json_values})
hostile_digests = st.one_of(
    digest_like.map(lambda d: json.dumps(d).encode()),
    digest_like.map(lambda d: json.dumps(d).encode()).flatmap(mutated),
    st.binary(max_size=200))


def _digest_check(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "digest.json"
        path.write_bytes(content)
        for arg in (str(path), content.decode("utf-8", errors="replace")):
            try:
                d_ = digest_file.read_digest(arg)
            except LedgerError:
                continue
            assert len(d_.digest) == 32 and d_.tip.seq >= 0


test_hostile_digest_files, test_hostile_digest_files_many = properties(hostile_digests,
                                                                       _digest_check)


# ---------------------------------------------------------------------------------- proofs
@pytest.fixture(scope="module")
def proof_material(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Real GetRevision / GetBlock JSON responses and a digest, to mutate."""
    path = new_ledger(tmp_path_factory.mktemp("proofs") / "p.ledger")
    with Ledger.open(path) as led:
        led.execute("INSERT INTO T ?", {"n": 1, "name": "Ann"})
        tip = led.tip()
        doc = led.documents(led.table("T").table_id)[0]
        revision, rproof = led.get_revision(doc.doc_id, tip, tip)
        block, bproof = led.get_block(tip, tip)
        digest = led.digest()

    def response(kind: str, value: Any, proof: list[bytes]) -> bytes:
        return json.dumps({kind: {"IonText": dumps_text(value)},
                           "Proof": {"IonText": dumps_text(proof)}}).encode()
    return {"Revision": response("Revision", revision, rproof),
            "Block": response("Block", block, bproof),
            "revision.ion": dumps_text(revision).encode(),
            "block.10n": dumps_binary(block),
            "proof": dumps_text(rproof).encode(),
            "digest": digest_file.digest_to_json(digest).encode()}


def _proof_check(material: dict[str, bytes], choice: tuple[str, bytes]) -> None:
    kind_key, content = choice
    kind = "Block" if kind_key.lower().startswith("block") else "Revision"
    digest = digest_file.read_digest(material["digest"].decode()).digest
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "input"
        path.write_bytes(content)
        try:
            value, proof = proofs.parse_value_input(path, kind)
            verify = proofs.verify_block if kind == "Block" else proofs.verify_revision
            result = verify(value, proof or [], digest)
            assert isinstance(result.ok, bool) and result.render()
        except LedgerError:
            pass
        try:
            assert all(len(h) == 32 for h in proofs.read_proof_file(path))
        except LedgerError:
            pass


@pytest.fixture(scope="module")
def proof_properties(proof_material: dict[str, bytes]):
    keys = ["Revision", "Block", "revision.ion", "block.10n"]
    strategy = st.sampled_from(keys).flatmap(lambda k: st.tuples(
        st.just(k), st.one_of(mutated(proof_material[k]), st.binary(max_size=100))))
    return properties(strategy, lambda c: _proof_check(proof_material, c))


def test_hostile_proof_inputs(proof_properties) -> None:
    proof_properties[0]()


@pytest.mark.slow
def test_hostile_proof_inputs_many(proof_properties) -> None:
    proof_properties[1]()


def test_unmodified_proof_material_verifies(proof_material: dict[str, bytes]) -> None:
    """The mutation targets are real, verifying inputs (so the properties test something)."""
    digest = digest_file.read_digest(proof_material["digest"].decode()).digest
    with tempfile.TemporaryDirectory() as d:
        for kind in ("Revision", "Block"):
            path = Path(d) / kind
            path.write_bytes(proof_material[kind])
            value, proof = proofs.parse_value_input(path, kind)
            verify = proofs.verify_block if kind == "Block" else proofs.verify_revision
            assert verify(value, proof, digest).ok


def _cli_check(material: dict[str, bytes], choice: tuple[str, str, bytes]) -> None:
    kind, target, content = choice
    with tempfile.TemporaryDirectory() as d:
        files = {"input": material[kind], "digest": material["digest"]}
        files[target] = content
        for name, data in files.items():
            (Path(d) / name).write_bytes(data)
        option = "--block" if kind == "Block" else "--revision"
        result = CliRunner().invoke(cli, ["verify-proof", option, str(Path(d) / "input"),
                                          "--digest", str(Path(d) / "digest")])
        assert result.exit_code in (0, 1, 2), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)
        assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def cli_properties(proof_material: dict[str, bytes]):
    strategy = st.tuples(st.sampled_from(["Revision", "Block"]),
                         st.sampled_from(["input", "digest"])).flatmap(
        lambda kt: st.tuples(st.just(kt[0]), st.just(kt[1]), st.one_of(
            mutated(proof_material[kt[0]] if kt[1] == "input" else proof_material["digest"]),
            st.binary(max_size=80))))
    return properties(strategy, lambda c: _cli_check(proof_material, c))


def test_verify_proof_cli_on_hostile_files(cli_properties) -> None:
    cli_properties[0]()


@pytest.mark.slow
def test_verify_proof_cli_on_hostile_files_many(cli_properties) -> None:
    cli_properties[1]()


# ---------------------------------------------------------------------------------- PartiQL
TOKENS = ["SELECT", "*", "FROM", "T", "WHERE", "INSERT", "INTO", "VALUE", "UPDATE", "SET",
          "DELETE", "CREATE", "TABLE", "INDEX", "ON", "DROP", "UNDROP", "REMOVE", "AS", "AT",
          "BY", "history", "(", ")", "[", "]", "{", "}", "<<", ">>", ",", ".", ":", "?", "=",
          "<>", "<", ">=", "AND", "OR", "NOT", "IN", "IS", "NULL", "MISSING", "LIKE", "BETWEEN",
          "'a'", "'%'", "1", "-1", "1.5", "1e308", "`{a:1}`", "`[`", "n", "r", "r.n", "x.*",
          "COUNT(*)", "SUM(n)", "CAST(n AS STRING)", "EXISTS", "SELECT VALUE", "_ql_committed_T",
          "information_schema.user_tables", "\"T\"", "'", "\"", "`", "--", "/*", "\x00", "é",
          "\ud7ff", "9" * 400, "'" + "x" * 5000 + "'"]
statements = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join),
    st.text(max_size=120),
    st.sampled_from(["SELECT * FROM T WHERE n = 1", "INSERT INTO T ?", "UPDATE T SET n = 2",
                     "SELECT * FROM history(T)", "DELETE FROM T WHERE n = -5"]).flatmap(
        lambda s: st.integers(0, len(s)).flatmap(lambda i: st.text(max_size=5).map(
            lambda t: s[:i] + t + s[i:]))),
)
params = st.lists(st.one_of(scalars, ion_documents), max_size=2)


@pytest.fixture(scope="module")
def partiql_ledger(tmp_path_factory: pytest.TempPathFactory):
    path = new_ledger(tmp_path_factory.mktemp("partiql") / "q.ledger")
    led = Ledger.open(path)
    led.execute("INSERT INTO T ?", {"n": 1, "name": "Ann"})
    yield led
    assert led.verify().ok
    led.close()


def _partiql_check(led: Ledger, case: tuple[str, list[Any]]) -> None:
    statement, args = case
    digest = led.digest().digest
    try:
        led.execute(statement, *args)
    except LedgerError:
        assert led.digest().digest == digest, "a failed statement committed a block"


@pytest.fixture(scope="module")
def partiql_properties(partiql_ledger: Ledger):
    return properties(st.tuples(statements, params), lambda c: _partiql_check(partiql_ledger, c))


def test_partiql_on_hostile_statements(partiql_properties) -> None:
    partiql_properties[0]()


@pytest.mark.slow
def test_partiql_on_hostile_statements_many(partiql_properties) -> None:
    partiql_properties[1]()


@pytest.mark.parametrize("statement", [
    "SELECT * FROM T WHERE " + "(" * 100_000 + "1" + ")" * 100_000,
    "SELECT " + "-" * 100_000 + "1 FROM T",
    "SELECT * FROM T WHERE n = `" + "[" * 100_000 + "]" * 100_000 + "`",
    "SELECT * FROM T WHERE " + " AND ".join(["n = 1"] * 20_000),
    "INSERT INTO T " + "{'a':" * 5_000 + "1" + "}" * 5_000,
    "INSERT INTO T {'s': '" + "x" * (2 * 1024 * 1024) + "'}",
    "SELECT * FROM T WHERE n = `$ion_symbol_table::{imports:[{name:\"x\",max_id:5}]} $10`",
    "SELECT * FROM T WHERE n = `{{" + "A" * 1001 + "}}`",
    "SELECT * FROM T WHERE name = '\udcff'",
])
def test_partiql_extreme_statements(partiql_ledger: Ledger, statement: str) -> None:
    _partiql_check(partiql_ledger, (statement, []))


@pytest.mark.slow
def test_partiql_string_over_the_document_limit(partiql_ledger: Ledger) -> None:
    """65 MiB in one literal: refused by the document size limit, nothing committed."""
    digest = partiql_ledger.digest().digest
    with pytest.raises(LedgerError):
        partiql_ledger.execute("INSERT INTO T {'s': '" + "x" * (65 * 1024 * 1024) + "'}")
    assert partiql_ledger.digest().digest == digest


@pytest.mark.parametrize("text", [b"'\x8b'", b"{t:'\x8b'}", b"'\x8b'::1", b"{'\xff\xfe':1}"])
def test_ion_text_with_bytes_that_are_not_utf8_is_an_error_not_a_crash(text: bytes,
                                                                     tmp_path: Path) -> None:
    """amazon.ion's C reader segfaults on a quoted symbol holding bytes that are not UTF-8
    (found by the journal-import property test); every path that hands it Ion text as bytes
    checks the encoding first. Run in a child process: a regression would kill pytest."""
    obj = tmp_path / "exp" / "S" / "S.0-0.ion"
    obj.parent.mkdir(parents=True)
    obj.write_bytes(b"{a:1}\n" + text)
    code = (
        "import sys\n"
        "from ledger_desktop.engine.ion_values import loads, loads_all, loads_bare\n"
        "from ledger_desktop.engine.export_verify import verify_export\n"
        "from amazon.ion.exceptions import IonException\n"
        f"data = {text!r}\n"
        "for f in (loads, loads_all, loads_bare):\n"
        "    try:\n"
        "        f(data)\n"
        "        sys.exit('read without an error')\n"
        "    except IonException as e:\n"
        "        assert 'UTF-8' in str(e), e\n"
        f"report = verify_export({str(obj.parent.parent)!r})\n"
        "assert not report.ok and 'UTF-8' in str(report.failures[0]), report.lines()\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=Path(__file__).resolve().parents[2])
    assert r.returncode == 0, r.stderr[-2000:]
