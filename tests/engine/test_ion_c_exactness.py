"""Values amazon.ion's C reader and writer (ion-c) change are kept exactly: timestamps with
more than 9 fractional digits, decimals of more than 34 digits, exponents near ion-c's limit
(docs/reliability.md 91). Their Ion Hash must be QLDB's, from parse to store to export."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from amazon.ion import simpleion
from amazon.ion.exceptions import IonException
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.engine.export_verify import verify_export
from ledger_desktop.engine.exports import export_journal
from ledger_desktop.engine.ion_binary_hash import ion_hash_binary
from ledger_desktop.engine.ion_hash import ion_hash, write_document
from ledger_desktop.engine.ion_values import (
    dumps_text,
    ion_c_alters,
    load_python,
    loads,
)
from ledger_desktop.engine.journal_import import import_journal
from ledger_desktop.engine.ledger import Ledger

LONG_FRACTION = "2007-02-23T12:14:33.12345678901Z"   # ion-c: .000000000
TEN_DIGITS = "2007-02-23T12:14:33.1234567890Z"       # ion-c: refused
WIDE_DECIMAL = "1." + "0" * 40                       # ion-c: 34 digits
HIGH_EXPONENT = "1d6144"                             # ion-c: 1.000...E+6144
TRICKY = [LONG_FRACTION, TEN_DIGITS, WIDE_DECIMAL, HIGH_EXPONENT, "1" + "0" * 60 + "."]
DOC = (f"{{t: {LONG_FRACTION}, u: {TEN_DIGITS}, d: {WIDE_DECIMAL}, e: [{HIGH_EXPONENT}], "
       "plain: 1.5}")


def reference(text: str) -> bytes:
    """The hash of the value as amazon.ion's pure-Python reader reads it (exactly)."""
    return ion_hash(load_python(text))


@pytest.mark.parametrize("text", TRICKY)
def test_ion_c_really_changes_these(text):
    """The premise: were ion-c used, the hash would differ (or the read fail)."""
    try:
        changed = ion_hash(simpleion.loads(text)) != reference(text)
    except Exception:
        changed = True
    assert changed


@pytest.mark.parametrize("text", TRICKY)
def test_loads_and_write_document_keep_the_value(text):
    value = loads(text)
    assert ion_hash(value) == reference(text)
    stored = write_document(value)
    assert ion_hash_binary(stored) == reference(text)
    assert ion_hash(loads(stored)) == reference(text)
    assert ion_hash(loads(stored)) is not None  # queries can read it (ion-c or fallback)


def test_the_fraction_digits_survive():
    assert str(loads(LONG_FRACTION).fractional_seconds) == "0.12345678901"


@pytest.mark.parametrize("text,alters", [
    ("1d6144", True), ("{a:-1.5d1234}", True), (LONG_FRACTION, True), (WIDE_DECIMAL, True),
    ('"d1234"', False), ("{{d1234}}", False), ("abc_d1234", False), ("{a:1.5}", False),
    ("[1d123]", False), ("2007-02-23T12:14:33.123456789Z", False),
    ("{f: 0.30000000000000004e0, g: 8885.123456789012e0}", False),  # floats: ion-c keeps them
    ("{a: 1.1234567890123}", False), ("1." + "0" * 33, False), ("1." + "0" * 34, True),
    # base64 in a blob that looks like an exponent (a block's hashes): not a decimal
    ("{h:{{78D4723LAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=}}}", False),
    ("{h:{{ AAAA/+78D4723L }}}", False), ("{h:{{78d4723L}}, d: 1d6144}", True),
    ('{a:"{{", b:1d6144}', True), ('{{"clob 1d6144"}}', True)])
def test_only_text_that_could_hold_one_goes_to_the_python_reader(text, alters):
    assert ion_c_alters(text) is alters
    assert ion_c_alters(text.encode()) is alters


@pytest.mark.parametrize("cp", [0x1D800, 0x1DBFF, 0x1DC00, 0x1DFFF, 0x2D800, 0x10DFFF])
def test_escapes_ion_c_refuses_go_to_the_python_reader(cp):
    """ion-c refuses a `\\U` escape whose low 16 bits look like a UTF-16 surrogate
    (IERR_INVALID_UTF8), and amazon.ion's Python writer writes such characters so: a value
    with one and a 35-digit decimal came back from our own text output unreadable."""
    text = f'{{s: "a\\U{cp:08x}b", d: {WIDE_DECIMAL}}}'
    with pytest.raises(IonException):  # the premise
        simpleion.loads(f'"\\U{cp:08x}"')
    assert ion_c_alters(text) and ion_c_alters(text.encode())
    assert ion_c_alters(f'"\\U{cp:08X}"')
    assert str(loads(text)["s"]) == f"a{chr(cp)}b"
    assert ion_c_alters(f'"\\U{cp + 0x800:08x}"') is (cp & 0xFFFF < 0xD800)  # past DFFF: read
    value = loads(f'{{s: "{chr(cp)}", d: {WIDE_DECIMAL}}}')
    again = loads(dumps_text(value))  # through the Python writer, which escapes it
    assert ion_hash(again) == ion_hash(value)


def test_binary_is_judged_by_the_c_walk():
    plain = write_document(loads("{a: 1.5, t: 2007-02-23T12:14:33.123Z}"))
    assert not ion_c_alters(plain)
    assert ion_c_alters(write_document(loads(LONG_FRACTION)))
    assert not ion_c_alters(b"\xe0\x01\x00\xea\x21")  # malformed: left to ion-c's error


@pytest.fixture
def tricky_ledger(tmp_path: Path) -> Ledger:
    led = Ledger.create(tmp_path / "t.ledger")
    led.execute("CREATE TABLE T")
    led.execute(f"INSERT INTO T `{DOC}`")
    yield led
    led.close()


def _one_stream(directory: Path) -> None:
    """Rewrite an Ion binary export's data objects as QLDB lays them out (one symbol table
    for the whole object), so the import reads them as whole streams."""
    for obj in directory.rglob("*.ion"):
        if obj.name.endswith("manifest"):
            continue
        values = list(simpleion.load_python(io.BytesIO(obj.read_bytes()), single_value=False))
        buf = io.BytesIO()
        simpleion.dump_python(values, buf, binary=True, sequence_as_stream=True)
        obj.write_bytes(buf.getvalue())


@pytest.mark.parametrize("fmt", ["ion_text", "ion_binary", "qldb_binary"])
def test_export_and_import_keep_every_hash(tricky_ledger, tmp_path, fmt):
    assert tricky_ledger.verify().ok
    digest = tricky_ledger.digest()
    out = tmp_path / "export"
    export_journal(tricky_ledger, out, fmt="ion_text" if fmt == "ion_text" else "ion_binary")
    if fmt == "qldb_binary":
        _one_stream(out)
    assert verify_export(out, [digest]).ok
    copy = tmp_path / "copy.ledger"
    import_journal(out, copy)
    with Ledger.open(copy) as led:
        assert led.verify().ok
        assert led.digest().digest == digest.digest


def test_verify_proof_of_such_a_revision(tricky_ledger, tmp_path):
    """A GetRevision of a document holding them verifies against the digest."""
    path = str(tricky_ledger.path)
    tricky_ledger.close()
    run = CliRunner().invoke
    r = run(main, ["digest", path, "--save", str(tmp_path / "d.json")])
    assert r.exit_code == 0, r.output
    tip = json.loads((tmp_path / "d.json").read_text())
    with Ledger.open(path, read_only=True) as led:
        d = led.documents(led.table("T").table_id)[0]
        addr = f'{{strandId:"{led.strand_id}",sequenceNo:{d.block_seq}}}'
    r = run(main, ["get-revision", path, "--document-id", d.doc_id, "--block-address", addr,
                   "--digest-tip-address", tip["DigestTipAddress"]["IonText"]])
    assert r.exit_code == 0, r.output
    rev_text = re.search(r"^revision: (.*)$", r.output, re.M).group(1)
    assert "33.12345678901" in rev_text
    proof = re.search(r"^proof: (.*)$", r.output, re.M).group(1)
    (tmp_path / "rev.json").write_text(json.dumps(
        {"Revision": {"IonText": rev_text}, "Proof": {"IonText": proof}}))
    r = run(main, ["verify-proof", "--revision", str(tmp_path / "rev.json"),
                   "--digest", tip["Digest"]])
    assert r.exit_code == 0 and "VERIFIED" in r.output, r.output


def test_queries_show_and_parameters_keep_such_values(tricky_ledger):
    """A query read the stored value back with ion-c (`.000000000` for an 11-digit fraction);
    a `?` parameter and TO_TIMESTAMP parsed their text with it (the value stored changed)."""
    (row,) = tricky_ledger.execute("SELECT t, d, e FROM T")
    assert str(row["t"].fractional_seconds) == "0.12345678901"
    assert ion_hash(row["d"]) == reference(WIDE_DECIMAL)
    assert ion_hash(row["e"][0]) == reference(HIGH_EXPONENT)
    from ledger_desktop.engine.query.params import parse_param

    tricky_ledger.execute("INSERT INTO T ?", loads(f"{{p: {LONG_FRACTION}}}"))
    tricky_ledger.execute("INSERT INTO T {'q': ?}", parse_param(LONG_FRACTION))
    tricky_ledger.execute(f"INSERT INTO T {{'r': TO_TIMESTAMP('{LONG_FRACTION}')}}")
    for name in ("p", "q", "r"):
        (v,) = tricky_ledger.execute(f"SELECT VALUE x.{name} FROM T AS x WHERE x.{name} "
                                     "IS NOT MISSING")
        assert ion_hash(v) == reference(LONG_FRACTION), name
