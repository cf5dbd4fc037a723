"""Ion binary written around stored Ion binary: documents copied byte for byte, not re-encoded.

An Ion binary export block or stream record embeds revision data that the ledger already holds
as Ion binary (`IVM + local symbol table + one value`). Decoding it with amazon.ion and encoding
it again costs most of an export (about 30 us a document); copying its value bytes costs almost
nothing, provided every symbol ID in those bytes means the same text in the new context.

That holds when the enclosing value's local symbol table starts with exactly the document's
symbols, in the same order: IDs 1-9 are the system symbols everywhere, and the document's local
IDs 10.. then name the same texts. So:

- a stream record (one top-level value per document) gets a symbol table of the document's
  symbols followed by the record's own field names, written here;
- an export block (one top-level value for all its documents) can embed every document whose
  symbol list is a prefix of one common list (documents of one shape, the common case); the
  rest of the block is written by amazon.ion after that list, which it interns first, in order
  (checked on its output, never assumed). Any other block is written the usual way.

Every read here is bounds-checked; anything unexpected (shared symbol table imports, several
values in a blob, lengths that do not fit, symbols without text) makes the caller fall back to
decoding and re-encoding, which gives the same Ion.
"""

from __future__ import annotations

from typing import Any

from amazon.ion import simpleion
from amazon.ion.exceptions import IonException
from amazon.ion.simpleion import IonPyValueModel
from amazon.ion.symbols import SymbolToken

from . import storage
from .blocks import as_blob
from .ion_framing import IVM, check_binary_framing, framed_by_c
from .ion_values import ion_c_alters, loads_bare

#: The system symbol table of Ion 1.0 (SIDs 1-9).
SYSTEM_SIDS = {"$ion": 1, "$ion_1_0": 2, "$ion_symbol_table": 3, "name": 4, "version": 5,
               "imports": 6, "symbols": 7, "max_id": 8, "$ion_shared_symbol_table": 9}
_SYSTEM_TEXTS = {sid: text for text, sid in SYSTEM_SIDS.items()}
_SID_SYMBOL_TABLE, _SID_IMPORTS, _SID_SYMBOLS = 3, 6, 7
_CACHE_LIMIT = 4096
#: Only tables up to this size are cached (a block body's table, with one symbol per document
#: id, is large and never seen again).
_CACHED_TABLE_BYTES = 4096


class Unsupported(Exception):
    """Data this module leaves to amazon.ion."""


# ---------------------------------------------------------------------------- reading


def _var_uint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    value = 0
    while pos < end:
        b = data[pos]
        pos += 1
        value = (value << 7) | (b & 0x7F)
        if b & 0x80:
            return value, pos
    raise Unsupported("a VarUInt runs past its container")


def _header(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(type code, body start, body end) of the value at `pos`, bounds-checked."""
    if pos >= end:
        raise Unsupported("no value")
    td = data[pos]
    pos += 1
    t, ln = td >> 4, td & 0x0F
    if t == 1 or ln == 15:            # booleans and typed nulls have no body
        return t, pos, pos
    if ln == 14 or (t == 13 and ln == 1):
        ln, pos = _var_uint(data, pos, end)
    if pos + ln > end:
        raise Unsupported("a value runs past its container")
    return t, pos, pos + ln


def _is_symbol_table(data: bytes, pos: int, end: int) -> tuple[bool, int]:
    """(whether the top-level value at `pos` is a local symbol table, where it ends)."""
    t, start, stop = _header(data, pos, end)
    if t != 14:
        return False, stop
    annot_len, p = _var_uint(data, start, stop)
    if annot_len < 1 or p + annot_len >= stop:
        raise Unsupported("malformed annotation wrapper")
    first, _ = _var_uint(data, p, p + annot_len)
    return first == _SID_SYMBOL_TABLE, stop


def is_symbol_table(value: bytes) -> bool:
    """Whether one encoded top-level value is a local symbol table (False if malformed)."""
    try:
        return _is_symbol_table(value, 0, len(value))[0]
    except Unsupported:
        return False


def split_blob(blob: bytes) -> tuple[bytes, int]:
    """(local symbol table bytes, or b"", offset of the value) of `IVM [table] value`.

    Raises Unsupported unless the blob is exactly that: one version marker, at most one local
    symbol table, and one value reaching the end of the blob.
    """
    n = len(blob)
    if blob[:4] != IVM:
        raise Unsupported("no version marker")
    table = b""
    pos = 4
    is_table, stop = _is_symbol_table(blob, pos, n)
    if is_table:
        table, pos = blob[pos:stop], stop
        is_table, stop = _is_symbol_table(blob, pos, n)
        if is_table:
            raise Unsupported("a second symbol table")
    if blob[pos] == 0xE0 or stop != n:
        raise Unsupported("more than one value")
    return table, pos


_tables: dict[bytes, tuple[str, ...]] = {}


def table_symbols(table: bytes) -> tuple[str, ...]:
    """The symbol texts a local symbol table (from `split_blob`) defines, from SID 10 on."""
    if not table:
        return ()
    cached = _tables.get(table)
    if cached is None:
        cached = tuple(_read_symbols(table, None))
        if len(table) <= _CACHED_TABLE_BYTES:
            if len(_tables) >= _CACHE_LIMIT:
                _tables.clear()
            _tables[table] = cached
    return cached


def _read_symbols(data: bytes, limit: int | None, pos: int = 0) -> list[str]:
    """The `symbols` of the symbol table at `pos` (the first `limit` of them, when given)."""
    _, start, stop = _header(data, pos, len(data))
    annot_len, p = _var_uint(data, start, stop)
    t, s, e = _header(data, p + annot_len, stop)
    if t != 13 or e != stop:
        raise Unsupported("a symbol table that is not one struct")
    out: list[str] | None = None
    while s < e:
        sid, s = _var_uint(data, s, e)
        ft, fs, fe = _header(data, s, e)
        if sid == _SID_IMPORTS:
            raise Unsupported("symbol table imports")
        if sid == _SID_SYMBOLS:
            if out is not None or ft != 11 or data[s] & 0x0F == 15:
                raise Unsupported("malformed symbols list")
            out = []
            while fs < fe and (limit is None or len(out) < limit):
                it, i_s, i_e = _header(data, fs, fe)
                if it != 8 or data[fs] & 0x0F == 15:
                    raise Unsupported("a symbol without text")
                try:
                    out.append(data[i_s:i_e].decode("utf-8"))
                except UnicodeDecodeError:
                    raise Unsupported("a symbol that is not UTF-8") from None
                fs = i_e
            if limit is not None and len(out) >= limit:
                return out
        s = fe
    return out or []


# ---------------------------------------------------------------------------- writing


def var_uint(n: int) -> bytes:
    if n < 128:
        return _SMALL_VAR_UINT[n]
    out = [0x80 | (n & 0x7F)]
    n >>= 7
    while n:
        out.append(n & 0x7F)
        n >>= 7
    return bytes(reversed(out))


_SMALL_VAR_UINT = [bytes([0x80 | i]) for i in range(128)]


def _typed(t: int, body: bytes) -> bytes:
    n = len(body)
    if n < 14:
        return bytes([t << 4 | n]) + body
    return bytes([t << 4 | 14]) + var_uint(n) + body


def enc_string(s: str) -> bytes:
    return _typed(8, s.encode("utf-8"))


def enc_blob(b: bytes) -> bytes:
    return _typed(10, b)


def enc_int(n: int) -> bytes:
    if n == 0:
        return b"\x20"
    t = 2 if n > 0 else 3
    n = abs(n)
    return _typed(t, n.to_bytes((n.bit_length() + 7) // 8, "big"))


def enc_struct(fields: bytes) -> bytes:
    """A struct from its encoded fields (each a field name SID VarUInt and a value)."""
    n = len(fields)
    if n < 14:  # L=1 would mean a sorted struct with a length VarUInt; n is never 1 here
        return bytes([0xD0 | n]) + fields
    return b"\xde" + var_uint(n) + fields


def enc_list(items: bytes) -> bytes:
    return _typed(11, items)


def enc_symbol_table(symbols: list[str]) -> bytes:
    """`$ion_symbol_table::{symbols:[...]}`."""
    table = enc_struct(b"\x87" + enc_list(b"".join(enc_string(s) for s in symbols)))
    return _typed(14, b"\x81\x83" + table)


def scalar_bytes(value: Any) -> bytes:
    """The Ion binary of a value that needs no symbol table (e.g. a timestamp), without IVM."""
    data = simpleion.dumps(value, binary=True)
    if data[:4] != IVM or data[4] >> 4 == 14:
        raise Unsupported("a value that needs a symbol table")
    return data[4:]


class SymbolIds:
    """Symbol IDs for a context whose local symbols are `symbols` (from SID 10)."""

    def __init__(self, symbols: list[str] | tuple[str, ...]) -> None:
        self.sids: dict[str, int] = {}
        for i, s in enumerate(symbols):
            self.sids.setdefault(s, 10 + i)
        self._fields: dict[str, bytes] = {}

    def field(self, name: str) -> bytes:
        """The VarUInt field name of `name` (system SIDs win, as every writer uses them)."""
        f = self._fields.get(name)
        if f is None:
            f = self._fields[name] = var_uint(SYSTEM_SIDS.get(name) or self.sids[name])
        return f

    def text(self, sid: int, local: tuple[str, ...]) -> str:
        """The text of `sid` in a context whose local symbols are `local`."""
        if 1 <= sid <= 9:
            return _SYSTEM_TEXTS[sid]
        if 10 <= sid < 10 + len(local):
            return local[sid - 10]
        raise Unsupported(f"symbol ${sid} has no text")


def local_symbols_needed(base: tuple[str, ...], names: tuple[str, ...]) -> list[str]:
    """`base` followed by those `names` that neither it nor the system table defines."""
    have = set(base)
    out = list(base)
    for n in names:
        if n not in have and n not in SYSTEM_SIDS:
            have.add(n)
            out.append(n)
    return out


def dumps_after_symbols(symbols: list[str], value: Any) -> tuple[bytes, bytes] | None:
    """amazon.ion's Ion binary of `value` with local symbols `symbols` first, in order.

    Returns (symbol table bytes, value bytes), or None when amazon.ion did not intern them as
    asked (then symbol IDs of embedded bytes would not line up).
    """
    out = simpleion.dumps([[SymbolToken(s, None) for s in symbols], value], binary=True,
                          sequence_as_stream=True)
    try:
        n = len(out)
        if out[:4] != IVM:
            return None
        is_table, table_end = _is_symbol_table(out, 4, n)
        if not is_table:
            return None
        if _read_symbols(out, len(symbols), 4) != symbols:
            return None
        _, _, first_end = _header(out, table_end, n)          # the symbol list: dropped
        if _is_symbol_table(out, first_end, n)[0]:
            return None
        _, _, value_end = _header(out, first_end, n)
        if value_end != n:
            return None
        return out[4:table_end], out[first_end:]
    except Unsupported:
        return None


def struct_body(value: bytes) -> bytes:
    """The fields of an encoded struct (header dropped)."""
    t, s, e = _header(value, 0, len(value))
    if t != 13 or e != len(value) or value[0] & 0x0F == 15:
        raise Unsupported("not a struct")
    return value[s:e]


# ---------------------------------------------------------------------------- blocks, records

_REV_FIELDS = ("revisions", "blockAddress", "strandId", "sequenceNo", "hash", "data", "dataHash",
               "metadata", "id", "version", "txTime", "txId")
_RECORD_FIELDS = ("qldbStreamArn", "recordType", "payload", "tableInfo", "tableName", "tableId",
                  "revision", *_REV_FIELDS[1:])


class _Revisions:
    """Encodes the revisions of one block (our own rows: metadata derived from the columns)."""

    def __init__(self, ids: SymbolIds, strand_id: str, seq: int, tx_id: str, tx_time: bytes):
        f = ids.field
        self.f_hash, self.f_data, self.f_data_hash = f("hash"), f("data"), f("dataHash")
        self.f_metadata, self.f_id, self.f_version = f("metadata"), f("id"), f("version")
        self.address = f("blockAddress") + enc_struct(
            f("strandId") + enc_string(strand_id) + f("sequenceNo") + enc_int(seq))
        self.meta_tail = f("txTime") + tx_time + f("txId") + enc_string(tx_id)

    def encode(self, row: tuple, value: bytes) -> bytes:
        """`journal_reads.revision_bare` of `row` in Ion binary; `value`: its data's bytes."""
        kind = row[5]
        h = self.f_hash + enc_blob(as_blob(row[6]))
        if kind == storage.KIND_HASH_ONLY or kind == storage.KIND_SYSTEM:
            return enc_struct(h)
        doc_id, version = row[2], row[3]
        if type(doc_id) is not str or type(version) is not int:
            raise Unsupported("unexpected revision columns")
        fields = [self.address, h]
        if kind == storage.KIND_DATA:
            fields += (self.f_data, value)
        elif kind == storage.KIND_REDACTED:
            fields += (self.f_data_hash, enc_blob(as_blob(row[9])))
        fields += (self.f_metadata, enc_struct(self.f_id + enc_string(doc_id) + self.f_version
                                               + enc_int(version) + self.meta_tail))
        return enc_struct(b"".join(fields))


def _data_parts(row: tuple) -> tuple[tuple[str, ...], bytes]:
    """(symbols, value bytes) of a revision row's data; ((), b"") for rows without data."""
    if row[7] is not None:
        raise Unsupported("stored metadata (an imported block)")
    if row[5] != storage.KIND_DATA:
        return (), b""
    blob = bytes(row[8])
    table, offset = split_blob(blob)
    return table_symbols(table), blob[offset:]


def block_binary(strand_id: str, stored: Any, envelope: dict[str, Any], rev_rows: list[tuple]
                 ) -> bytes | None:
    """`dumps_binary(assemble_block_bare(...))` with document data copied, not re-encoded;
    `stored`, `envelope`: `journal_reads.block_envelope_bare` of the block's body.

    None when the block does not qualify (documents of different shapes, imported rows,
    anything unexpected): the caller then writes it the usual way.
    """
    if not rev_rows:
        return None
    try:
        parts = [_data_parts(r) for r in rev_rows]
        base: tuple[str, ...] = ()
        for syms, _ in parts:
            if len(syms) > len(base):
                if syms[:len(base)] != base:
                    return None
                base = syms
            elif base[:len(syms)] != syms:
                return None
        symbols = local_symbols_needed(base, _REV_FIELDS)
        dumped = dumps_after_symbols(symbols, envelope)
        if dumped is None:
            return None
        table, value = dumped
        ids = SymbolIds(symbols)
        tx_id = stored["transactionId"]
        if type(tx_id) is not str:
            return None
        revs = _Revisions(ids, strand_id, rev_rows[0][0], tx_id,
                          scalar_bytes(stored["blockTimestamp"]))
        encoded = b"".join([revs.encode(r, v) for r, (_, v) in zip(rev_rows, parts, strict=True)])
        return IVM + table + enc_struct(struct_body(value) + ids.field("revisions")
                                        + enc_list(encoded))
    except (Unsupported, KeyError, TypeError):
        return None


_record_tables: dict[tuple[str, ...], tuple[bytes, SymbolIds]] = {}


def _record_table(base: tuple[str, ...]) -> tuple[bytes, SymbolIds]:
    cached = _record_tables.get(base)
    if cached is None:
        symbols = local_symbols_needed(base, _RECORD_FIELDS)
        cached = (enc_symbol_table(symbols), SymbolIds(symbols))
        if len(_record_tables) >= _CACHE_LIMIT:
            _record_tables.clear()
        _record_tables[base] = cached
    return cached


class RecordWriter:
    """Stream records of one block in Ion binary, stored bytes copied rather than re-encoded."""

    def __init__(self, arn: str, strand_id: str, seq: int, tx_id: str, tx_time: Any) -> None:
        self.arn, self.strand_id, self.seq, self.tx_id = arn, strand_id, seq, tx_id
        self.tx_time = scalar_bytes(tx_time)
        # per document symbol list: (table, ids, record head up to `payload`, revisions)
        self._shapes: dict[tuple[str, ...], tuple[bytes, SymbolIds, bytes, _Revisions]] = {}
        self._table_info: dict[tuple[tuple[str, ...], str, str], bytes] = {}

    def _shape(self, syms: tuple[str, ...]) -> tuple[bytes, SymbolIds, bytes, _Revisions]:
        shape = self._shapes.get(syms)
        if shape is None:
            table, ids = _record_table(syms)
            f = ids.field
            head = (f("qldbStreamArn") + enc_string(self.arn) + f("recordType")
                    + enc_string("REVISION_DETAILS") + f("payload"))
            revs = _Revisions(ids, self.strand_id, self.seq, self.tx_id, self.tx_time)
            shape = self._shapes[syms] = (IVM + table, ids, head, revs)
        return shape

    def record(self, row: tuple, info: Any) -> bytes | None:
        """The REVISION_DETAILS record of a user revision row (`info`: its
        transactionInfo.documents entry or None); None when it does not qualify (write it the
        usual way)."""
        try:
            syms, value = _data_parts(row)
            start, ids, head, revs = self._shape(syms)
            payload = b""
            if info is not None:
                name, table_id = info["tableName"], info["tableId"]
                if type(name) is not str or type(table_id) is not str:
                    return None
                key = (syms, name, table_id)
                payload = self._table_info.get(key, b"")
                if not payload:
                    f = ids.field
                    payload = self._table_info[key] = f("tableInfo") + enc_struct(
                        f("tableName") + enc_string(name) + f("tableId") + enc_string(table_id))
            payload += ids.field("revision") + revs.encode(row, value)
            return start + enc_struct(head + enc_struct(payload))
        except (Unsupported, KeyError, TypeError):
            return None


_SUMMARY_FIELDS = ("qldbStreamArn", "recordType", "payload", "revisionSummaries", "hash",
                   "documentId")


def summary_record(arn: str, body: bytes, field_order: tuple[str, ...],
                   summaries: list[tuple[bytes, str | None]]) -> bytes | None:
    """The BLOCK_SUMMARY record of a block: the stored body's fields copied byte for byte.

    `field_order`: the known fields, first and in this order (the others follow as stored,
    `revisions` dropped); `summaries`: (revision hash, document id or None) in order. None
    when the body does not qualify (a repeated field name, anything unexpected).
    """
    try:
        table, offset = split_blob(body)
        local = table_symbols(table)
        t, s, e = _header(body, offset, len(body))
        if t != 13 or body[offset] & 0x0F == 15:
            return None
        probe = SymbolIds(())
        fields: dict[str, bytes] = {}
        while s < e:
            start = s
            sid, s = _var_uint(body, s, e)
            _, _, s = _header(body, s, e)
            name = probe.text(sid, local)
            if name in fields:
                return None
            fields[name] = body[start:s]
        symbols = local_symbols_needed(local, _SUMMARY_FIELDS)
        ids = SymbolIds(symbols)
        ordered = [fields[n] for n in field_order if n in fields]
        ordered += [v for n, v in fields.items() if n not in field_order and n != "revisions"]
        f_hash, f_doc = ids.field("hash"), ids.field("documentId")
        items = [enc_struct(f_hash + enc_blob(h) if doc is None else
                            f_hash + enc_blob(h) + f_doc + enc_string(doc))
                 for h, doc in summaries]
        payload = enc_struct(b"".join(ordered) + ids.field("revisionSummaries")
                             + enc_list(b"".join(items)))
        f = ids.field
        return IVM + enc_symbol_table(symbols) + enc_struct(
            f("qldbStreamArn") + enc_string(arn) + f("recordType") + enc_string("BLOCK_SUMMARY")
            + f("payload") + payload)
    except (Unsupported, TypeError):
        return None


# ---------------------------------------------------------------------------- many blobs at once

_framed_tables: set[bytes] = set()

# Ion Hash in C (None without it or with LEDGER_DESKTOP_NO_C_EXT=1): when it returns a hash,
# check_binary_framing(data) passes.
_framed_by_c = framed_by_c


def _check_framing(blob: bytes) -> bool:
    """Whether `blob` is framing-checked and reads as exactly one value after its version
    marker (False: read it on its own, the usual way).

    The C Ion hasher, where built, returns a hash only for one value after a version marker
    (symbol tables and padding aside) that `check_binary_framing` accepts. Without it, the
    blob must be `IVM [table] value` (`split_blob`); the check walks top-level values one
    after another, so checking the table and the value separately is the same check, and
    documents of one shape share their table's bytes, which are checked once.
    """
    if _framed_by_c is not None and _framed_by_c(blob) is not None:
        return True
    try:
        table, offset = split_blob(blob)
    except Unsupported:
        return False
    if table and table not in _framed_tables:
        check_binary_framing(table)
        if len(table) <= _CACHED_TABLE_BYTES:
            if len(_framed_tables) >= _CACHE_LIMIT:
                _framed_tables.clear()
            _framed_tables.add(table)
    check_binary_framing(blob[offset:])
    return True


def loads_many_bare(blobs: list[bytes], known_readable: bool = False) -> list[Any]:
    """`[ion_values.loads_bare(b) for b in blobs]`, framing-checked, in one amazon.ion call.

    Each blob is `IVM [symbol table] value` (checked), and a version marker resets the symbol
    table, so their concatenation reads back as exactly one value per blob; amazon.ion's
    per-call cost (about half of parsing a small document) is paid once. Other blobs are read
    one by one.
    """
    good = [i for i, b in enumerate(blobs) if _check_framing(b)]
    values: list[Any] = [None] * len(blobs)
    if good:
        joined = b"".join([blobs[i] for i in good])
        try:
            # One walk of them all: a value ion-c would change (ion_values.ion_c_alters)
            # sends them one by one to loads_bare.
            if not known_readable and ion_c_alters(joined):
                raise IonException("a value ion-c would change")
            parsed = simpleion.loads(joined, single_value=False,
                                     value_model=IonPyValueModel.MAY_BE_BARE)
        except IonException:
            parsed, good = [], []
        if len(parsed) == len(good) and good:
            for i, v in zip(good, parsed, strict=True):
                values[i] = v
        else:  # pragma: no cover - each was checked to hold one value
            good = []
    if len(good) < len(blobs):
        ok = set(good)
        for i, b in enumerate(blobs):
            if i not in ok:
                values[i] = loads_bare(b)
    return values


# ---------------------------------------------------------------------------- hashing blocks

_META_NAMES = frozenset(("id", "txTime", "txId"))
#: Revision values are hashed under at most this many local symbols (the C hasher reads the
#: table it is given on every call; a block's whole table, one symbol per document id, is far
#: too long to read per revision).
_HASH_TABLE_SYMBOLS = 512


def revision_hashes(blob: bytes) -> list[tuple[bytes, bytes | None] | None] | None:
    """(H(metadata), H(data) or None) of each revision of the block in `blob` (`IVM table
    block`), read from the binary by the C Ion hasher; None entries (or None) where it cannot.

    Each value is hashed under the first K symbols of the block's own table, K covering the
    metadata field names (documents' symbols come first in our exports): a symbol ID below
    10+K means the same text there as in the block, and one beyond K makes the hasher give
    up (None), so a hash returned is the hash of the value as the block defines it. Repeated
    `revisions`, `data` or `metadata` fields, annotations or anything unexpected give None.
    """
    if _framed_by_c is None:
        return None
    try:
        table, offset = split_blob(blob)
        symbols = table_symbols(table)
        k = 0
        for i, s in enumerate(symbols[:_HASH_TABLE_SYMBOLS]):
            if s in _META_NAMES:
                k = i + 1
        prefix = IVM + enc_symbol_table(list(symbols[:k]))
        ids = SymbolIds(())
        t, s, e = _header(blob, offset, len(blob))
        if t != 13 or blob[offset] & 0x0F == 15:
            return None
        revisions = None
        while s < e:
            sid, s = _var_uint(blob, s, e)
            vs = s
            _, _, s = _header(blob, s, e)
            if ids.text(sid, symbols) == "revisions":
                if revisions is not None:
                    return None
                revisions = (vs, s)
        if revisions is None or blob[revisions[0]] >> 4 != 11 or blob[revisions[0]] & 0x0F == 15:
            return None
        _, ls, le = _header(blob, revisions[0], revisions[1])
        out: list[tuple[bytes, bytes | None] | None] = []
        while ls < le:
            rt, rs, re_ = _header(blob, ls, le)
            out.append(_revision_hashes(blob, rt, blob[ls] & 0x0F == 15, rs, re_, symbols,
                                        prefix, ids))
            ls = re_
        return out
    except Unsupported:
        return None


def _revision_hashes(blob: bytes, t: int, null: bool, s: int, e: int,
                     symbols: tuple[str, ...], prefix: bytes, ids: SymbolIds
                     ) -> tuple[bytes, bytes | None] | None:
    if t != 13 or null:
        return None
    found: dict[str, bytes] = {}
    while s < e:
        sid, s = _var_uint(blob, s, e)
        vs = s
        _, _, s = _header(blob, s, e)
        name = ids.text(sid, symbols)
        if name in ("data", "metadata"):
            if name in found:
                return None
            found[name] = blob[vs:s]
    if "metadata" not in found:
        return None
    hm = _framed_by_c(prefix + found["metadata"])
    if hm is None:
        return None
    if "data" not in found:
        return hm, None
    hd = _framed_by_c(prefix + found["data"])
    return None if hd is None else (hm, hd)
