"""The C extension's `block_facts(blob)` equals the reference `block_facts_py(blob)` on every
input, or returns None: on the bodies real commits write (where it must answer), on generated
bodies of every shape the reference reads (repeated and missing fields, annotations, symbols
for strings, nulls, other types, timestamps of every precision, offset and fraction), on
bodies written byte by byte (padding, symbols sharing a text, raw timestamp encodings), and on
damaged real bodies (byte changes, truncations), where it must never crash."""

from __future__ import annotations

import base64
import datetime as _dt
import json
import sqlite3
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ion_hash_properties import scalars, timestamps

from ledger_desktop.engine.block_facts import block_facts_py
from ledger_desktop.engine.ion_hash import C_HASH_VALUE
from ledger_desktop.engine.ion_values import dumps_binary, dumps_text, loads
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample

if C_HASH_VALUE:
    from ledger_desktop.engine._ionhash_c import block_facts
else:  # pragma: no cover - without the extension there is nothing to compare
    block_facts = None

pytestmark = pytest.mark.skipif(block_facts is None, reason="C extension not built or disabled")
SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
TYPES = (str, int, str, str, bytes, bytes, bytes, list, bytes, tuple, (bytes, type(None)), dict)


def reference(blob: bytes) -> Any:
    """block_facts_py(blob), or the type of the exception it raised."""
    try:
        return block_facts_py(blob)
    except Exception as e:  # noqa: BLE001 - the exception type is the outcome
        return type(e)


def assert_same(got: Any, ref: Any) -> None:
    """Equal, and of the same types item by item (str, not a str subclass...)."""
    assert got == ref
    assert type(got) is tuple and len(got) == 12
    for item, want, types in zip(got, ref, TYPES, strict=True):
        assert type(item) is type(want)
        assert isinstance(item, types)
    assert all(type(h) is bytes for h in got[7])
    assert all(type(h) is bytes for h in got[9]) and len(got[9]) == 2
    assert all(type(k) is str and type(v) is str for k, v in got[11].items())


def check(blob: bytes, must_answer: bool = False) -> Any:
    """C returns None or the reference; with `must_answer`, the reference's answer."""
    got = block_facts(blob)
    ref = reference(blob)
    if got is not None:
        assert_same(got, ref)
    elif must_answer:
        assert ref is None or isinstance(ref, type), f"C declined what the reference answers: {ref}"
    return ref


# --- real bodies --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_blocks(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[int, bytes, bool]]:
    """(seq, body, holds redactionInfo) of the DMV sample and more: multi-document
    transactions, parameters, updates, deletes, several statements, text with Ion Hash marker
    bytes and non-ASCII characters."""
    path = build_sample(tmp_path_factory.mktemp("facts") / "dmv.ledger")
    with Ledger.open(path) as led:
        led.execute("CREATE TABLE Claims")
        led.execute("INSERT INTO Claims ?", {"n": 1, "t": "é\u000b\U0001F600"})
        led.execute("INSERT INTO Claims ?", [{"n": i, "k": i % 3} for i in range(2, 9)])
        led.execute("INSERT INTO Claims << {'n': 20}, {'n': 21} >>")
        led.execute("UPDATE Claims SET k = ? WHERE n = ?", 7, 2)
        led.execute("DELETE FROM Claims WHERE n = ?", 3)
        led.execute("DELETE FROM Claims WHERE k = 1")
        with led.transaction() as tx:
            tx.execute("INSERT INTO Claims VALUE {'n': 30, 's': 'x\u000e\u000c'}")
            tx.execute("UPDATE Claims SET k = 9 WHERE n = 20")
            tx.execute("SELECT * FROM Claims WHERE n = 'é'")
        led.execute("CREATE TABLE Other_2")
        led.execute("INSERT INTO Other_2 ?", {"ü": [1, 2, {"x": None}]})
    c = sqlite3.connect(path)
    rows = c.execute("SELECT seq, body, has_redaction FROM blocks ORDER BY seq").fetchall()
    c.close()
    assert any(flag for _, _, flag in rows), "the sample redacts a revision"
    # a block whose revision was redacted keeps its body; the redacting one holds redactionInfo
    return [(seq, bytes(body), "redactionInfo" in loads(body)) for seq, body, _ in rows]


def test_every_real_block_is_answered(real_blocks: list[tuple[int, bytes, bool]]) -> None:
    answered = 0
    shapes = set()
    assert any(redaction for _, _, redaction in real_blocks)
    for seq, body, redaction in real_blocks:
        ref = block_facts_py(body)
        got = block_facts(body)
        if redaction:
            assert ref is None and got is None, seq
            continue
        assert ref is not None, seq  # the reference reads our own blocks
        assert got is not None, seq
        assert_same(got, ref)
        assert got[1] == seq and got[3].endswith("Z") and len(got[3]) == 24
        answered += 1
        shapes.add((len(got[11]), got[6] == b"", got[10] is None))
    assert answered >= 25
    # the genesis block (no previous hash), blocks without documents, with one and with several
    assert {n for n, _, _ in shapes} >= {0, 1, 2} and any(first for _, first, _ in shapes)


def test_not_bytes_is_a_type_error() -> None:
    for value in ("\xe0\x01\x00\xea", bytearray(b"\xe0\x01\x00\xea"), None, 5,
                  memoryview(b"\xe0\x01\x00\xea")):
        with pytest.raises(TypeError):
            block_facts(value)


# --- generated bodies (Ion text read by amazon.ion, written as binary) ---------------------------

def ion_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def ion_symbol(s: str) -> str:
    return "'" + json.dumps(s, ensure_ascii=False)[1:-1].replace("'", "\\'") + "'"


def ion_blob(b: bytes) -> str:
    return "{{" + base64.b64encode(b).decode() + "}}"


def ion_struct(fields: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{ion_symbol(k)}: {v}" for k, v in fields) + "}"


# Ion Hash marker bytes, a quote, non-ASCII and non-BMP text; names like the real ones too
texts = st.one_of(
    st.text(alphabet=st.sampled_from("aZ09 _\x00\x0b\x0c\x0e'\"\\é\u20ac\U0001F600"), max_size=10),
    st.from_regex(r"[A-Za-z0-9]{22}", fullmatch=True))
blobs = st.binary(max_size=40)


def odd_case(n: int, one_in: int) -> st.SearchStrategy[int]:
    """One of n odd cases (0..n-1) about once in `one_in` draws, -1 otherwise. Hypothesis
    favours the ends of a range, so the odd cases are taken from its middle."""
    return st.integers(0, n * one_in).map(lambda i: i - n * (one_in // 2)
                                          if 0 <= i - n * (one_in // 2) < n else -1)


def usually(normal: st.SearchStrategy, *odd: st.SearchStrategy) -> st.SearchStrategy:
    """`normal` most of the time, one of the `odd` ones otherwise (a body has many fields)."""
    return odd_case(1, 24).flatmap(lambda i: st.one_of(*odd) if i == 0 else normal)


strings = usually(texts.map(ion_string), texts.map(ion_symbol), st.just("null.string"),
                  st.just("null"), texts.map(lambda s: "a::" + ion_string(s)), st.just("5"),
                  st.text(alphabet="abc XYZ019", max_size=6).map(lambda s: '{{"' + s + '"}}'))
hashes = usually(blobs.map(ion_blob), st.just("null.blob"), blobs.map(lambda b: "a::" + ion_blob(b)),
                 texts.map(ion_string), st.just('{{"clob"}}'))


@st.composite
def plain_values(draw: st.DrawFn, depth: int = 0) -> str:
    """Values a body may hold anywhere that C reads as amazon.ion does (so must answer for)."""
    leaves = st.one_of(
        texts.map(ion_string), texts.map(ion_symbol), st.integers(-2**70, 2**70).map(str),
        blobs.map(ion_blob), st.booleans().map(lambda b: "true" if b else "false"),
        timestamps().map(dumps_text), st.sampled_from(["null", "null.int", "null.struct", "$0"]),
        st.floats(width=64).map(dumps_text), st.floats(width=32).map(dumps_text),
        st.decimals(allow_nan=False, allow_infinity=False, places=3,
                    min_value=-10**9, max_value=10**9).map(dumps_text),
        texts.map(lambda s: "ann::" + ion_string(s)))
    if depth >= 2:
        return draw(leaves)
    kind = draw(st.integers(0, 5))
    if kind == 0:
        items = draw(st.lists(plain_values(depth + 1), max_size=3))
        return "[" + ", ".join(items) + "]"
    if kind == 1:
        fields = draw(st.lists(st.tuples(texts, plain_values(depth + 1)), max_size=3))
        return ion_struct(fields)
    return draw(leaves)


@st.composite
def documents(draw: st.DrawFn) -> str:
    ids = draw(st.lists(texts, max_size=4, unique=True))
    if ids and draw(odd_case(1, 10)) == 0:
        ids.append(ids[0])  # a repeated document id
    entries = []
    for doc_id in ids:
        fields = [("tableName", draw(texts.map(ion_string))), ("tableId", draw(strings)),
                  ("statements", "[" + ", ".join(map(str, draw(st.lists(st.integers(0, 9),
                                                                       max_size=3)))) + "]")]
        odd = draw(odd_case(4, 4))
        if odd == 0:
            fields.pop(1)  # no tableId
        elif odd == 1:
            fields.append(("tableId", draw(strings)))
        elif odd == 2:
            fields.append(("tableName", draw(texts.map(ion_string))))  # repeated, not tableId
        elif odd == 3:
            fields.append(("$0", "1"))
        fields = draw(st.permutations(fields))
        entry = ion_struct(fields)
        entry = draw(usually(st.just(entry), st.just("null.struct"), st.just("a::" + entry),
                             st.just("[]"), st.just(ion_string(doc_id))))
        entries.append((doc_id, entry))
    return ion_struct(entries)


@st.composite
def transaction_infos(draw: st.DrawFn) -> str:
    statements = [ion_struct([("statement", draw(texts.map(ion_string))),
                              ("startTime", dumps_text(draw(timestamps()))),
                              ("statementDigest", draw(blobs.map(ion_blob)))])
                  for _ in range(draw(st.integers(0, 2)))]
    fields = [("statements", "[" + ", ".join(statements) + "]")]
    docs = draw(usually(documents(), st.just("null.struct"), st.just("[]"),
                        documents().map(lambda d: "a::" + d)))
    n_docs = (1, 0, 2)[draw(odd_case(2, 6)) + 1]
    fields += [("documents", docs)] * n_docs
    fields += draw(st.lists(st.tuples(texts, plain_values()), max_size=2))
    info = ion_struct(draw(st.permutations(fields)))
    return draw(usually(st.just(info), st.just("null.struct"), st.just("a::" + info),
                        st.just("[1, 2]"), st.just('"info"'), st.just("{}")))


@st.composite
def block_bodies(draw: st.DrawFn) -> tuple[str, bool]:
    """Ion text of a block body, and whether C may decline it though the reference answers
    (a sequence number past 64 bits, an extra value C does not read: see block_facts)."""
    may_decline = False
    seq = draw(usually(st.integers(0, 2**64 - 1), st.integers(2**64, 2**80), st.integers(-50, -1),
                       st.just("null.int"), st.just("a::1"), st.just("1.5")))
    if isinstance(seq, int):
        may_decline = seq >= 2**64
        seq = str(seq)
    address = [("strandId", draw(strings)), ("sequenceNo", seq)]
    address += draw(st.lists(st.tuples(texts, plain_values()), max_size=2))
    odd = draw(odd_case(2, 8))
    if odd == 0:
        address.pop(draw(st.integers(0, 1)))
    elif odd == 1:
        address.append(draw(st.sampled_from(address)))
    address_text = ion_struct(draw(st.permutations(address)))
    ts = dumps_text(draw(timestamps()))
    fields = [
        ("blockAddress", draw(usually(st.just(address_text), st.just("null.struct"),
                                      st.just("a::" + address_text), st.just("[]")))),
        ("transactionId", draw(strings)),
        ("blockTimestamp", draw(usually(st.just(ts), st.just(ion_string(ts)),
                                        st.just("null.timestamp"), st.just("a::" + ts)))),
        ("blockHash", draw(hashes)), ("entriesHash", draw(hashes)),
        ("entriesHashList", "[" + ", ".join(draw(st.lists(hashes, max_size=4))) + "]"),
    ]
    if draw(st.booleans()):
        fields.append(("previousBlockHash", draw(hashes)))
    if draw(st.integers(0, 3)):
        fields.append(("transactionInfo", draw(transaction_infos())))
    if draw(odd_case(1, 6)) == 0:  # fields outside the layout: both decline
        fields += draw(st.lists(st.tuples(texts, plain_values()), min_size=1, max_size=2))
    if draw(odd_case(1, 10)) == 0:
        # decimals of 34 digits, floats, symbols, annotations: C may decline some
        fields.append(("extra", dumps_text(draw(scalars))))
        may_decline = True
    odd = draw(odd_case(5, 4))
    if odd == 0:
        fields.pop(draw(st.integers(0, len(fields) - 1)))
    elif odd == 1:
        fields.append(draw(st.sampled_from(fields)))
    elif odd == 2:
        fields.append(("redactionInfo", "{revisions: []}"))
    elif odd == 3:  # a sexp of hashes
        fields[5] = ("entriesHashList", "(" + fields[5][1][1:-1].replace(",", " ") + ")")
    elif odd == 4:
        fields.append(("$0", "1"))
    body = ion_struct(draw(st.permutations(fields)))
    if draw(odd_case(1, 20)) == 0:
        body = "a::" + body
    return body, may_decline


@SETTINGS
@given(block_bodies())
def test_generated_bodies(case: tuple[str, bool]) -> None:
    text, may_decline = case
    value = loads(text)
    ref = check(dumps_binary(value), must_answer=not may_decline)
    if ref is not None and not isinstance(ref, type):
        assert ref[3] == dumps_text(value["blockTimestamp"])


def test_generated_bodies_are_often_answered() -> None:
    """The generator yields answered bodies often enough for the comparisons to mean much.
    Derandomized: this is a property of the generator, not of one draw (a random draw failed
    it in one full run)."""
    answered = []

    @settings(SETTINGS, max_examples=150, database=None, derandomize=True)
    @given(block_bodies())
    def run(case: tuple[str, bool]) -> None:
        got = block_facts(dumps_binary(loads(case[0])))
        if got is not None:
            answered.append(got)

    run()
    assert len(answered) > 20
    assert any(got[11] for got in answered) and any(got[10] is None for got in answered)


# --- bodies written byte by byte ----------------------------------------------------------------

IVM = b"\xe0\x01\x00\xea"


def var_uint(n: int, zero_groups: int = 0) -> bytes:
    """VarUInt, with `zero_groups` leading zero groups (not minimal) if asked."""
    out = [0x80 | (n & 0x7F)]
    n >>= 7
    while n:
        out.insert(0, n & 0x7F)
        n >>= 7
    return bytes(zero_groups) + bytes(out)


def var_int(mag: int, negative: bool = False, zero_groups: int = 0) -> bytes:
    out = []
    while True:
        out.insert(0, mag & 0x7F)
        mag >>= 7
        if not mag:
            break
    if out[0] & 0x40:
        out.insert(0, 0)
    out = [0] * zero_groups + out
    out[0] |= 0x40 if negative else 0
    out[-1] |= 0x80
    return bytes(out)


def value(t: int, body: bytes, long_form: bool = False) -> bytes:
    """A value of type `t`; a 1-byte struct body and `long_form` take a VarUInt length."""
    if len(body) < 14 and not long_form and not (t == 13 and len(body) == 1):
        return bytes([t << 4 | len(body)]) + body
    return bytes([t << 4 | 14]) + var_uint(len(body)) + body


def pad(n: int) -> bytes:
    """NOP padding of 1 <= n <= 130 bytes."""
    if n <= 14:
        return bytes([n - 1]) + bytes(n - 1)
    return b"\x0e" + var_uint(n - 3) + bytes(n - 3)


def struct(fields: list[tuple[int, bytes]], sorted_form: bool = False) -> bytes:
    body = b"".join(var_uint(sid) + v for sid, v in fields)
    if sorted_form and body:
        return b"\xd1" + var_uint(len(body)) + body
    return value(13, body)


def annotated(sids: list[int], v: bytes) -> bytes:
    ann = b"".join(var_uint(s) for s in sids)
    return value(14, var_uint(len(ann)) + ann + v)


def symbol_table(names: list[str], append: bool = False) -> bytes:
    fields = [(7, value(11, b"".join(value(8, n.encode()) for n in names)))]
    if append:
        fields.insert(0, (6, b"\x71\x03"))  # imports: $ion_symbol_table
    return annotated([3], struct(fields))


def string(s: str) -> bytes:
    return value(8, s.encode())


def uint(n: int, lead: int = 0) -> bytes:
    return value(2, bytes(lead) + (n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""))


NAMES = ["blockAddress", "strandId", "sequenceNo", "transactionId", "blockTimestamp",
         "blockHash", "entriesHash", "previousBlockHash", "entriesHashList", "transactionInfo",
         "documents", "tableId", "tableName", "statements"]

UTC_MS = var_int(0) + var_uint(2026) + bytes([0x8B, 0x9B, 0x90, 0xBB, 0x90]) + b"\xc3\x75"


@st.composite
def raw_timestamps(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A timestamp's body bytes, and whether it is a form C reads (and so must answer for
    when amazon.ion reads it): minimal encodings, 0-9 fraction digits, no negative zero."""
    plain = True
    offset = draw(st.one_of(st.sampled_from([0, 1, 59, 60, 330, 1439, 1440, 2000]),
                            st.integers(0, 1500)))
    negative = draw(st.booleans())
    zero_groups = [0] * 8
    if draw(odd_case(1, 10)) == 0:  # not minimal: ion-c reads, refuses or misreads these
        zero_groups[draw(st.integers(0, 7))] = draw(st.integers(1, 2))
        plain = False
    raw = var_int(offset, negative, zero_groups[0])
    nf = draw(st.sampled_from([6, 5, 3, 2, 1, 4]))
    fields = [draw(st.one_of(st.integers(1, 9999), st.sampled_from([0, 1, 9999, 10000]))),
              draw(st.integers(0, 13)), draw(st.integers(0, 32)), draw(st.integers(0, 24)),
              draw(st.integers(0, 60)), draw(st.integers(0, 60))][:nf]
    raw += b"".join(var_uint(f, zero_groups[1 + i]) for i, f in enumerate(fields))
    plain = plain and nf != 4 and offset < 1440 and _valid_time(fields, offset, negative)
    if nf == 6 and draw(st.booleans()):
        exponent = draw(st.integers(-12, 3))
        exp_negative = exponent < 0 or (exponent == 0 and draw(odd_case(1, 4)) == 0)
        raw += var_int(-exponent if exponent < 0 else exponent, exp_negative, zero_groups[7])
        kind = draw(odd_case(3, 5))
        if kind == 0:
            raw += draw(st.binary(max_size=6))  # any bytes, negative (zero) ones too
            plain = False
        elif kind == 1:
            raw += b"\x80"  # negative zero
            plain = False
        else:
            coefficient = 0
            if kind != 2:  # else zero without bytes
                digits = -exponent if exponent < 0 else 1
                coefficient = draw(st.integers(0, 10 ** min(digits, 10) + 5))
                raw += coefficient.to_bytes((coefficient.bit_length() + 8) // 8, "big")
            # 1-9 digits, a fraction below 1; or an exponent of 0 with a zero coefficient
            plain = plain and ((-9 <= exponent < 0 and coefficient < 10 ** -exponent)
                               or (exponent == 0 and not exp_negative and not coefficient))
    return raw, plain


def _valid_time(fields: list[int], offset: int, negative: bool) -> bool:
    """Fields of a real date and time whose local time (UTC + offset) is in years 1-9999."""
    year, month, day, hour, minute, second = (*fields, *(1, 1, 0, 0, 0)[len(fields) - 1:])
    try:
        utc = _dt.datetime(year, month, day, hour, minute, second)
        if len(fields) >= 5:
            utc + _dt.timedelta(minutes=-offset if negative else offset)
    except (ValueError, OverflowError):
        return False
    return True


def body_of(ts: bytes = UTC_MS, *, names: list[str] = NAMES, prefix: bytes = b"",
            sid: dict[str, int] | None = None, pads: dict[str, int] | None = None,
            sorted_form: bool = False, replace: dict[str, bytes | None] | None = None,
            documents: list[tuple[str, str]] | None = None, extra: bytes = b"",
            pad_sid: int = 0) -> bytes:
    """A block body; `sid` picks the SID of a name (else its first), `pads` puts padding of
    that many bytes into the named struct or list ("top", "address", "entries", "info",
    "documents", "entry"), `replace` gives a field (of the body, the address or a document
    entry) another value, or drops it (None)."""
    sid = sid or {}
    pads = pads or {}
    replace = replace or {}

    def s(name: str) -> int:
        return sid.get(name, 10 + names.index(name))

    def field(name: str, default: bytes) -> list[tuple[int, bytes]]:
        v = replace.get(name, default)
        return [] if v is None else [(s(name), v)]

    def padded(where: str, fields: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
        n = pads.get(where)
        return fields if not n else [*fields[:1], (pad_sid, pad(n)), *fields[1:]]

    entry_fields = [(s("tableName"), string("T")), *field("tableId", string("Tid1234")),
                    (s("statements"), value(11, uint(0)))]
    docs = [(s(d) if d in names else s("tableName"), struct(padded("entry", entry_fields),
                                                           sorted_form))
            for d, _ in (documents or [])]
    info = struct(padded("info", [(s("statements"), value(11, b"")),
                                  *field("documents", struct(padded("documents", docs)))]),
                  sorted_form)
    entries = b"".join(value(10, bytes([i]) * 32) for i in range(3))
    if pads.get("entries"):
        entries = pad(pads["entries"]) + entries
    address = struct(padded("address", [*field("strandId", string("Strand01")),
                                        *field("sequenceNo", uint(5))]), sorted_form)
    fields = [*field("blockAddress", address), *field("transactionId", string("Tx\x0b01")),
              *field("blockTimestamp", value(6, ts)),
              *field("blockHash", value(10, b"\x0b" * 32)),
              *field("entriesHash", value(10, b"\x0e" * 32)),
              *field("previousBlockHash", value(10, b"\x0c" * 32)),
              *field("entriesHashList", value(11, entries)), *field("transactionInfo", info)]
    if extra:
        fields.append((s("tableName"), extra))
    return IVM + (prefix or symbol_table(names)) + struct(padded("top", fields), sorted_form)


BLOBS = b"".join(value(10, bytes([i]) * 32) for i in range(3))


@pytest.mark.parametrize(("name", "raw"), [
    ("sequenceNo", value(3, b"\x05")), ("sequenceNo", b"\x2f"), ("sequenceNo", string("5")),
    ("sequenceNo", annotated([10], uint(5))), ("sequenceNo", value(5, b"\x80\x05")),
    ("sequenceNo", None), ("strandId", None), ("strandId", b"\x71\x0a"), ("strandId", b"\x8f"),
    ("strandId", annotated([10], string("s"))), ("transactionId", b"\x71\x0a"),
    ("transactionId", b"\x8f"), ("transactionId", None), ("transactionId", value(9, b"tx")),
    ("blockTimestamp", b"\x6f"), ("blockTimestamp", string("2026T")), ("blockTimestamp", None),
    ("blockTimestamp", annotated([10], value(6, UTC_MS))), ("blockHash", b"\xaf"),
    ("blockHash", value(9, b"h")), ("blockHash", None), ("entriesHash", string("h")),
    ("entriesHash", None), ("previousBlockHash", b"\xaf"),
    ("previousBlockHash", annotated([10], value(10, b"h"))), ("entriesHashList", b"\xbf"),
    ("entriesHashList", value(12, BLOBS)), ("entriesHashList", value(11, BLOBS + string("h"))),
    ("entriesHashList", value(11, BLOBS + annotated([10], value(10, b"h")))),
    ("entriesHashList", None), ("blockAddress", b"\xdf"), ("blockAddress", value(11, b"")),
    ("blockAddress", annotated([10], struct([(11, string("s")), (12, uint(1))]))),
    ("transactionInfo", b"\xdf"), ("transactionInfo", value(11, b"")),
    ("transactionInfo", string("info")), ("tableId", None), ("tableId", b"\x71\x0a"),
    ("tableId", b"\x8f"), ("documents", b"\xdf"), ("documents", value(11, b"")),
])
def test_a_field_of_another_shape_is_declined(name: str, raw: bytes | None) -> None:
    blob = body_of(replace={name: raw}, documents=[("blockAddress", "t")])
    assert block_facts(blob) is None
    check(blob)


@pytest.mark.parametrize(("name", "raw"), [
    ("sequenceNo", uint(2**64 - 1)), ("sequenceNo", uint(0)), ("sequenceNo", uint(7, lead=3)),
    ("sequenceNo", b"\x20"), ("previousBlockHash", None), ("transactionInfo", None),
    ("blockHash", value(10, b"")), ("entriesHashList", value(11, b"")), ("documents", None),
    ("documents", b"\xd0"), ("strandId", string("")), ("transactionId", value(8, b"x" * 300)),
])
def test_other_plain_values_are_answered(name: str, raw: bytes | None) -> None:
    check(body_of(replace={name: raw}, documents=[("blockAddress", "t")]), must_answer=True)


def test_a_sequence_number_past_64_bits_is_declined() -> None:
    blob = body_of(replace={"sequenceNo": uint(2**64)})
    assert block_facts(blob) is None and block_facts_py(blob)[1] == 2**64


def test_byte_written_body_is_answered() -> None:
    """The writer above writes what the reference reads, and C answers it."""
    ref = check(body_of(), must_answer=True)
    assert ref[:4] == ("Strand01", 5, "Tx\x0b01", "2026-11-27T16:59:16.117Z")
    assert ref[11] == {}


@SETTINGS
@given(raw_timestamps())
def test_raw_timestamps(case: tuple[bytes, bool]) -> None:
    raw, plain = case
    ref = check(body_of(raw), must_answer=plain)
    if ref is not None and not isinstance(ref, type):
        assert ref[3] == dumps_text(loads(IVM + value(6, raw)))


# amazon.ion's text for each precision, offset and fraction form C writes
TIMESTAMP_TEXTS = [
    (var_int(0) + var_uint(2026), "2026T"),
    (var_int(0, True) + var_uint(2026) + b"\x8b", "2026-11T"),
    (var_int(300) + var_uint(2026) + b"\x8b\x9b", "2026-11-27"),
    (var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb", "2026-11-27T16:59Z"),
    (var_int(0, True) + var_uint(2026) + b"\x8b\x9b\x90\xbb", "2026-11-27T16:59-00:00"),
    (var_int(300, True) + var_uint(2026) + b"\x81\x81\x83\x80\x80", "2025-12-31T22:00:00-05:00"),
    (var_int(330) + var_uint(2024) + b"\x82\x9c\x94\xbb\x80", "2024-02-29T02:29:00+05:30"),
    (var_int(1439) + var_uint(9999) + b"\x8c\x9f\x80\x80\x80", "9999-12-31T23:59:00+23:59"),
    (var_int(0) + var_uint(1) + b"\x81\x81\x80\x80\x80\xc9\x00", "0001-01-01T00:00:00.000000000Z"),
    (var_int(0) + var_uint(99) + b"\x81\x81\x80\x80\x80\xc1", "0099-01-01T00:00:00.0Z"),
    (var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb\x90\xc3\x75", "2026-11-27T16:59:16.117Z"),
    (var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb\x90\xc6\x05", "2026-11-27T16:59:16.000005Z"),
    (var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb\x90\xc9\x3b\x9a\xc9\xff",
     "2026-11-27T16:59:16.999999999Z"),
    (var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb\x90\x80", "2026-11-27T16:59:16Z"),
    (var_int(0) + var_uint(2000) + b"\x82\x9d", "2000-02-29"),
    (var_int(0) + var_uint(2024) + b"\x82\x9d\x97\xbb\xbb", "2024-02-29T23:59:59Z"),
    (var_int(60) + var_uint(2023) + b"\x8c\x9f\x97\xbb", "2024-01-01T00:59+01:00"),
]


@pytest.mark.parametrize(("raw", "text"), TIMESTAMP_TEXTS)
def test_timestamp_texts(raw: bytes, text: str) -> None:
    ref = check(body_of(raw), must_answer=True)
    assert ref[3] == text


@pytest.mark.parametrize("raw", [
    var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb\x90\xc3\x80",  # negative zero fraction
    var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb\x90\xca\x07",  # 10 digits: ion-c cuts
    var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb\x90\x82\x01",  # positive exponent
    var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb\x90\xc2\x64",  # a fraction of 1
    var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb\x00\x90",  # seconds read as 00 by ion-c
    var_int(0) + var_uint(2026) + b"\x8d\x9b",  # month 13
    var_int(0) + var_uint(2026) + b"\x82\x9d",  # 2026-02-29
    var_int(0) + var_uint(2026) + b"\x8b\x9b\x98\x80",  # 24:00 (ion-c: the next day)
    var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbc",  # minute 60 (ion-c: the next hour)
    var_int(0) + var_uint(2026) + b"\x8b\x9b\x90\xbb\xbc",  # second 60
    var_int(0) + var_uint(2100) + b"\x82\x9d",  # 2100-02-29
    var_int(0) + var_uint(1900) + b"\x82\x9d\x80\x80",  # 1900-02-29T00:00Z
    var_int(0) + var_uint(0) + b"\x81\x81",  # year 0
    var_int(0) + var_uint(10000),  # year 10000
    var_int(5, zero_groups=2) + var_uint(2026) + b"\x8b\x9b\x90\xbb",  # ion-c refuses it
    var_int(0) + var_uint(2026, zero_groups=1) + b"\x8b\x9b",  # ion-c refuses it
    var_int(0, zero_groups=1) + var_uint(2026) + b"\x8b\x9b\x90\xbb",  # read as Z, but odd
    var_int(1440) + var_uint(2026) + b"\x8b\x9b\x90\xbb",  # offset of a day
    var_int(60, True) + var_uint(1) + b"\x81\x81\x80\x80",  # local time in year 0
    var_int(0) + var_uint(2026) + b"\x8b\x9b\x90",  # an hour without minutes
])
def test_timestamps_declined(raw: bytes) -> None:
    assert block_facts(body_of(raw)) is None
    check(body_of(raw))


@st.composite
def raw_bodies(draw: st.DrawFn) -> tuple[bytes, bool]:
    """Bodies with padding, SIDs sharing a text, appended symbol tables, sorted structs,
    non-minimal ints, documents, and values ion-c reads otherwise or refuses; whether C must
    answer when the reference does."""
    plain = True
    names = list(NAMES)
    sid: dict[str, int] = {}
    doubled = draw(st.lists(st.sampled_from(NAMES), max_size=3))
    for name in doubled:  # a second SID with the same text, used instead of the first
        names.append(name)
        sid[name] = 10 + len(names) - 1
    prefix = b""
    if draw(st.booleans()):  # two tables, the second appending to the first
        cut = draw(st.integers(0, len(names)))
        prefix = symbol_table(names[:cut]) + symbol_table(names[cut:], append=True)
    pads = {where: draw(st.integers(1, 40))
            for where in draw(st.lists(st.sampled_from(["top", "address", "entries", "info",
                                                        "documents", "entry"]), max_size=3))}
    doc_ids = draw(st.lists(st.sampled_from(["d1", "d2", "d\x0b3", "dé4"]), max_size=3))
    names += [d for d in doc_ids if d not in names]
    seq = uint(draw(st.integers(0, 2**64 - 1)), lead=draw(st.integers(0, 2)))
    extra = b""
    kind = draw(odd_case(6, 3))
    if kind == 0:  # an annotation on an annotation (ion-c refuses it)
        extra = annotated([12], annotated([13], uint(1)))
    elif kind == 1:  # an empty sorted struct (ion-c refuses it)
        extra = b"\xd1\x80"
    elif kind == 2:  # a decimal exponent ion-c reads otherwise or refuses
        extra = value(5, var_int(draw(st.integers(6000, 7000))) + b"\x05")
        plain = False
    elif kind == 3:  # an invalid date
        extra = value(6, var_int(0) + var_uint(2026) + b"\x8d")
    elif kind == 4:  # a symbol with unknown text, a field named $0
        extra = struct([(0, b"\x71\x00")])
    elif kind == 5:  # a deep list
        extra = b"\xb0"
        for _ in range(draw(st.integers(90, 110))):
            extra = value(11, extra)
        plain = False
    documents = [(d, "t") for d in doc_ids]
    blob = body_of(names=names, prefix=prefix, sid=sid, pads=pads,
                   sorted_form=draw(st.booleans()), replace={"sequenceNo": seq},
                   documents=documents, extra=extra)
    return blob, plain


@SETTINGS
@given(raw_bodies())
def test_raw_bodies(case: tuple[bytes, bool]) -> None:
    blob, plain = case
    check(blob, must_answer=plain)


def test_padding_shared_texts_appended_tables_and_sorted_structs_are_answered() -> None:
    names = [*NAMES, "d1", "d\x0b2", "blockHash", "tableId"]
    prefix = symbol_table(names[:5]) + symbol_table(names[5:], append=True)
    blob = body_of(names=names, prefix=prefix, sorted_form=True,
                   replace={"sequenceNo": uint(2**64 - 1, lead=2)},
                   sid={"blockHash": 10 + len(NAMES) + 2, "tableId": 10 + len(NAMES) + 3},
                   pads={"top": 3, "address": 20, "entries": 15, "info": 1, "documents": 2,
                         "entry": 14},
                   documents=[("d1", "t"), ("d\x0b2", "t")])
    ref = check(blob, must_answer=True)
    assert ref[1] == 2**64 - 1 and ref[11] == {"d1": "Tid1234", "d\x0b2": "Tid1234"}
    # the same text under two SIDs is one name: repeated
    twice = body_of(names=names, documents=[("d1", "t")], extra=b"\x80",
                    sid={"tableName": 10 + len(NAMES) + 2})
    assert block_facts(twice) is None and block_facts_py(twice) is None


@pytest.mark.parametrize("pad_sid", [0, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**40, 2**56])
def test_a_padding_field_named_by_a_sid_over_32_bits_is_refused_as_ion_c_refuses_it(
        pad_sid: int) -> None:
    """ion-c reads a field's SID as a 32-bit VarUInt into a signed SID and fails on more than
    2^31 - 1, even for padding that names nothing; C skipped such padding and answered (found by
    test_every_single_byte_change_and_truncation once in about 300 runs: a changed length
    turned hash bytes into a padding field with a 57-bit SID)."""
    blob = body_of(pads={"top": 3}, pad_sid=pad_sid)
    ref = check(blob)
    fits = pad_sid < 2**31
    assert (ref is not None and not isinstance(ref, type)) == fits
    assert (block_facts(blob) is not None) == fits


# --- damaged real bodies ------------------------------------------------------------------------

def _samples(real_blocks: list[tuple[int, bytes, bool]]) -> list[bytes]:
    """The genesis block, a block with one document, the one with the most documents."""
    plain = [body for _, body, redaction in real_blocks if not redaction]
    one = next(b for b in plain if len(block_facts(b)[11]) == 1)
    most = max(plain, key=lambda b: len(block_facts(b)[11]))
    return [plain[0], one, most]


def test_every_single_byte_change_and_truncation(real_blocks: list[tuple[int, bytes, bool]]
                                                 ) -> None:
    answered = declined = 0
    for body in _samples(real_blocks):
        for i in range(len(body) + 1):
            variants = [body[:i], body[:i] + body[i + 1:]]
            if i < len(body):
                b = body[i]
                variants += [body[:i] + bytes([x]) + body[i + 1:]
                             for x in {0x00, 0xFF, 0x0E, 0x8E, 0xDE, 0xEE, b ^ 0x01, b ^ 0x40,
                                       b ^ 0x80, (b + 1) & 0xFF} - {b}]
            for blob in variants:
                if check(blob) is None:
                    declined += 1
                elif block_facts(blob) is not None:
                    answered += 1
    # many changes keep a readable body (in strings, hashes, symbol texts): both still answer
    assert answered > 500 and declined > 500


@SETTINGS
@given(st.data())
def test_random_damage(real_blocks: list[tuple[int, bytes, bool]], data: st.DataObject) -> None:
    body = bytearray(data.draw(st.sampled_from([b for _, b, _ in real_blocks])))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(body)))
        kind = data.draw(st.integers(0, 3))
        if kind == 0 and i < len(body):
            body[i] = data.draw(st.integers(0, 255))
        elif kind == 1:
            body[i:i] = data.draw(st.binary(min_size=1, max_size=4))
        elif kind == 2:
            del body[i:i + data.draw(st.integers(1, 8))]
        else:
            del body[i:]
    check(bytes(body))


@pytest.mark.parametrize("tail", [b"\x00", b"\x0e\x81\x00", IVM, IVM + symbol_table(["x"]),
                                  b"\x20", b"\xd0", symbol_table(["x"])])
def test_nothing_may_follow_the_struct(tail: bytes) -> None:
    """After the struct: not padding (the reference splits no fields then), nor a version
    marker, a symbol table or a value (amazon.ion reads two values)."""
    body = body_of(documents=[("blockAddress", "t")])
    assert block_facts(body) is not None
    check(body + tail)
    assert block_facts(body + tail) is None


@pytest.mark.parametrize("blob", [
    b"", IVM, IVM + b"\xd0", IVM + b"\xde", IVM + b"\xde\x00\x00\x00\x00\x00\x00\x00\x00\x81",
    IVM + b"\xde\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\xff" + bytes(20), IVM + b"\xee\xff",
    IVM + b"\xd3\x8a\x6e\xff", IVM + bytes(1000), IVM * 50, b"\xe0\x01\x00\xeb\xd0",
])
def test_hostile_fragments(blob: bytes) -> None:
    assert block_facts(blob) is None


def test_large_and_deep_bodies_are_quick() -> None:
    """Many documents, many top-level fields, deep nesting: answered, no recursion limit."""
    docs = [(f"d{i}", "t") for i in range(5000)]
    names = [*NAMES, *(d for d, _ in docs)]
    many = body_of(names=names, documents=docs)
    deep = b"\xb0"
    for _ in range(5000):
        deep = value(11, deep)
    assert len(check(many, must_answer=True)[11]) == 5000
    assert block_facts(body_of(extra=deep)) is None
    # 100,000 top-level fields of one name: C declines past a few dozen, the reference on the
    # repeated name
    wide = IVM + symbol_table(NAMES) + struct([(10, b"\x20")] * 100000)
    assert block_facts(wide) is None


def _table(fields: list[tuple[int, bytes]], annotations: tuple[int, ...] = (3,)) -> bytes:
    return annotated(list(annotations), struct(fields))


_SYMBOLS = value(11, b"".join(string(n) for n in NAMES))


@pytest.mark.parametrize("table", [
    _table([(7, b"\xbf"), (7, _SYMBOLS)]),  # amazon.ion refuses it, hash_binary reads it
    _table([(7, _SYMBOLS), (8, uint(3))]),  # max_id
    _table([(4, string("x")), (7, _SYMBOLS)]),  # name
    _table([(7, _SYMBOLS)], annotations=(3, 4)),
    _table([(6, b"\xb0"), (7, _SYMBOLS)]),  # imports: []
    _table([(0, b"\x00"), (7, _SYMBOLS)]),  # padding
    _table([(6, b"\x72\x00\x03"), (7, _SYMBOLS)]),  # imports: $ion_symbol_table, 2 bytes
    _table([(7, value(11, b"".join(string(n) for n in NAMES[:-1]) + b"\x20"))]),  # not text
])
def test_unusual_symbol_tables_are_declined(table: bytes) -> None:
    """Only the tables the writers write: other forms amazon.ion reads by rules of its own."""
    blob = body_of(prefix=table)
    assert block_facts(blob) is None
    check(blob)
