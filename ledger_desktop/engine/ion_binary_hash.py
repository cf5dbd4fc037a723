"""Ion Hash (SHA-256) straight from Ion binary, without building amazon.ion value objects.

`simpleion.loads` costs more than hashing the value it returns (about 13 us for a revision's
metadata, 25 us for a small document), so full-journal verification, which only needs the
hash of each stored blob, reads the binary itself: `ion_hash_binary(blob) == ion_hash(loads(blob))`.

The reader follows the Ion 1.0 binary encoding: a version marker, local symbol tables (cached by
their bytes, since documents of one shape share one table), then exactly one value. Scalars are
decoded and re-encoded in the minimal form Ion Hash requires (non-minimal encodings hash like
their minimal form). Anything this reader does not handle itself (shared symbol table imports,
malformed data) is passed to `ion_hash(simpleion.loads(blob))`, which gives the same hash or
amazon.ion's own error.

Two implementations of the reader: the optional C extension `_ionhash_c` (built by
`pip install -e .`; several times faster, SHA-256 included) and the pure-Python one below. The C
one returns None for whatever it leaves to the Python path, so both give the same hashes and
the same errors; `ion_hash_binary_py` is the Python path alone (tests run both).

Strict framing: whenever `ion_hash_binary(blob)` returns a hash,
`ion_framing.check_binary_framing(blob)` passes (containers and annotation wrappers are filled
exactly, local symbol tables are checked before they are read and cached, and the framing check
runs before amazon.ion's reader is given the data), so callers need no separate framing check.
"""

from __future__ import annotations

import hashlib
import os
import struct as _struct
from collections.abc import Callable

from amazon.ion import simpleion
from amazon.ion.exceptions import IonException

from .ion_framing import check_binary_framing
from .ion_hash import (
    _FALSE,
    _TRUE,
    _VAR_INT_1,
    _escape,
    _escape_always,
    _float,
    _int_bytes,
    _symbol,
    _var_int,
    _var_uint,
    ion_hash,
)

__all__ = ["C_EXTENSION", "ion_hash_binary", "ion_hash_binary_py"]

IVM = b"\xe0\x01\x00\xea"
_SYSTEM_SYMBOLS: tuple[str | None, ...] = (
    None, "$ion", "$ion_1_0", "$ion_symbol_table", "name", "version", "imports", "symbols",
    "max_id", "$ion_shared_symbol_table")
_SID_ION_SYMBOL_TABLE, _SID_IMPORTS, _SID_SYMBOLS = 3, 6, 7
_TABLE_CACHE_LIMIT = 1024
_unpack_f32 = _struct.Struct(">f").unpack_from
_unpack_f64 = _struct.Struct(">d").unpack_from
_sha256 = hashlib.sha256


class _Unsupported(Exception):
    """Data this reader leaves to amazon.ion (imports, bad encodings)."""


class _SymbolTable:
    """Symbol texts by SID and, lazily, each symbol's Ion Hash serialization s(symbol)."""

    __slots__ = ("texts", "sers")

    def __init__(self, texts: list[str | None]) -> None:
        self.texts = texts
        self.sers: list[bytes | None] = [None] * len(texts)

    def ser(self, sid: int) -> bytes:
        if sid >= len(self.texts):
            raise _Unsupported(f"symbol ID {sid} is not in the symbol table")
        s = self.sers[sid]
        if s is None:
            text = self.texts[sid]
            if text is None and sid != 0:
                raise _Unsupported(f"symbol ID {sid} has unknown text")
            s = self.sers[sid] = _symbol(text) if text is not None else b"\x0b\x71\x0e"
        return s


_SYSTEM_TABLE = _SymbolTable(list(_SYSTEM_SYMBOLS))
_VERSION_SYMBOL = _symbol("$ion_1_0")
_table_cache: dict[bytes, _SymbolTable] = {}


def _read_var_uint(data: bytes, pos: int) -> tuple[int, int]:
    n = 0
    while True:
        b = data[pos]
        pos += 1
        n = (n << 7) | (b & 0x7F)
        if b & 0x80:
            return n, pos


def _read_var_int(data: bytes, pos: int) -> tuple[int, bool, int]:
    """(value, negative, next) - `negative` keeps the sign of a negative zero (-00:00)."""
    b = data[pos]
    pos += 1
    negative = bool(b & 0x40)
    n = b & 0x3F
    while not b & 0x80:
        b = data[pos]
        pos += 1
        n = (n << 7) | (b & 0x7F)
    return (-n if negative else n), negative, pos


def _read_int(raw: bytes) -> tuple[int, bool]:
    """Ion Int (signed magnitude) -> (magnitude, negative); empty means positive zero."""
    if not raw:
        return 0, False
    negative = bool(raw[0] & 0x80)
    mag = int.from_bytes(raw, "big")
    if negative:
        mag &= ~(0x80 << (8 * (len(raw) - 1)))
    return mag, negative


def _length(data: bytes, pos: int, low: int) -> tuple[int, int]:
    if low == 14:
        return _read_var_uint(data, pos)
    return low, pos


def _header(data: bytes, pos: int) -> tuple[int, int, int, int]:
    """(type, low nibble, body start, body end) of the value at `pos`, by the framing rules:
    booleans and nulls have no body; a VarUInt length follows for low nibble 14 and for a
    struct with low nibble 1."""
    td = data[pos]
    t, low = td >> 4, td & 0x0F
    if t == 1 or low == 15:
        return t, low, pos + 1, pos + 1
    if low == 14 or (t == 13 and low == 1):
        length, start = _read_var_uint(data, pos + 1)
        return t, low, start, start + length
    return t, low, pos + 1, pos + 1 + low


# --- scalars ------------------------------------------------------------------------------------

def _decimal(raw: bytes) -> bytes:
    if not raw:
        return b"\x0b\x50\x0e"
    exponent, _neg_exp, pos = _read_var_int(raw, 0)
    mag, negative = _read_int(raw[pos:])
    if exponent == 0 and mag == 0 and not negative:
        return b"\x0b\x50\x0e"
    return b"\x0b\x50" + _escape(_var_int(exponent) + _int_bytes(mag, negative)) + b"\x0e"


def _fraction(raw: bytes, pos: int) -> bytes:
    """Normalised fractional seconds from raw[pos:] (exponent VarInt, coefficient Int)."""
    exponent, _neg, pos = _read_var_int(raw, pos)
    mag, negative = _read_int(raw[pos:])
    if negative and mag:
        raise _Unsupported("negative fractional seconds")
    if mag:
        return _var_int(exponent) + _int_bytes(mag, False)
    return _var_int(exponent) if exponent < 0 else b""


def _timestamp(raw: bytes) -> bytes:
    """Offset, UTC fields and fraction; the fields are re-encoded only when not minimal."""
    n = len(raw)
    # Common shape: 1-byte offset, 2-byte year, 1-byte month and day (and hour, minute,
    # second): already minimal, so the bytes are the representation.
    if (n >= 5 and raw[0] & 0x80 and raw[1] and not raw[1] & 0x80 and raw[2] & 0x80
            and raw[3] & 0x80 and raw[4] & 0x80):
        if n == 5:  # a date: no offset
            return b"\x0b\x60" + _escape(b"\xc0" + raw[1:]) + b"\x0e"
        if n >= 7 and raw[5] & 0x80 and raw[6] & 0x80:
            if n == 7:
                return b"\x0b\x60" + _escape(raw) + b"\x0e"
            if raw[7] & 0x80:
                if n == 8:
                    return b"\x0b\x60" + _escape(raw) + b"\x0e"
                return b"\x0b\x60" + _escape(raw[:8] + _fraction(raw, 8)) + b"\x0e"
    return _timestamp_general(raw)


def _timestamp_general(raw: bytes) -> bytes:
    offset, unknown, pos = _read_var_int(raw, 0)
    end = len(raw)
    fields: list[int] = []
    while pos < end and len(fields) < 6:
        value, pos = _read_var_uint(raw, pos)
        fields.append(value)
    if len(fields) == 4:
        raise _Unsupported("timestamp with an hour but no minute")
    if len(fields) < 4:
        head = b"\xc0"  # dates carry no offset
    elif unknown and offset == 0:
        head = b"\xc0"
    else:
        head = _VAR_INT_1.get(offset) or _var_int(offset)
    rep = head + b"".join([_var_uint(f) for f in fields])
    if pos < end:
        if len(fields) < 6:
            raise _Unsupported("fractional seconds without seconds")
        rep += _fraction(raw, pos)
    return b"\x0b\x60" + _escape(rep) + b"\x0e"


_NULLS = [b"\x0b" + bytes((t << 4 | 0x0F,)) + b"\x0e" for t in range(15)]
_NULLS[3] = _NULLS[2]  # a negative-int null is null.int


# --- values -------------------------------------------------------------------------------------

def _value(data: bytes, pos: int, table: _SymbolTable) -> tuple[bytes, int]:
    """s(value) for the value starting at `pos`, and the position after it."""
    td = data[pos]
    pos += 1
    t = td >> 4
    low = td & 0x0F
    if low == 15:
        if t >= 14:
            raise _Unsupported("reserved type code")
        return _NULLS[t], pos
    if t == 8:  # string
        length, pos = _length(data, pos, low)
        end = pos + length
        raw = data[pos:end]
        raw.decode("utf-8")  # refuse invalid text as amazon.ion would
        if 11 in raw or 12 in raw or 14 in raw:
            raw = _escape_always(raw)
        return b"\x0b\x80" + raw + b"\x0e", end
    if t == 13:
        return _struct_value(data, pos, low, table)
    if t == 2 or t == 3:
        length, pos = _length(data, pos, low)
        end = pos + length
        mag = data[pos:end].lstrip(b"\x00")
        if t == 3 and not mag:
            raise _Unsupported("negative zero int")
        return (b"\x0b\x20" if t == 2 else b"\x0b\x30") + _escape(mag) + b"\x0e", end
    if t == 7:  # symbol
        length, pos = _length(data, pos, low)
        end = pos + length
        return table.ser(int.from_bytes(data[pos:end], "big")), end
    if t == 11 or t == 12:  # list, sexp
        length, pos = _length(data, pos, low)
        end = pos + length
        parts = [b"\x0b\xb0" if t == 11 else b"\x0b\xc0"]
        while pos < end:
            if data[pos] >> 4 == 0 and data[pos] != 0x0F:
                pos = _skip_padding(data, pos)
                continue
            s, pos = _value(data, pos, table)
            parts.append(s)
        if pos != end:
            raise _Unsupported("container length mismatch")
        parts.append(b"\x0e")
        return b"".join(parts), end
    if t == 6:
        length, pos = _length(data, pos, low)
        end = pos + length
        return _timestamp(data[pos:end]), end
    if t == 5:
        length, pos = _length(data, pos, low)
        end = pos + length
        return _decimal(data[pos:end]), end
    if t == 1:
        if low > 1:
            raise _Unsupported("bad bool")
        return (_TRUE if low else _FALSE), pos
    if t == 10 or t == 9:  # blob, clob
        length, pos = _length(data, pos, low)
        end = pos + length
        return (b"\x0b\xa0" if t == 10 else b"\x0b\x90") + _escape(data[pos:end]) + b"\x0e", end
    if t == 4:
        if low == 0:
            return b"\x0b\x40\x0e", pos
        if low == 8:
            return _float(_unpack_f64(data, pos)[0]), pos + 8
        if low == 4:
            return _float(_unpack_f32(data, pos)[0]), pos + 4
        raise _Unsupported("bad float length")
    if t == 14:
        return _annotated(data, pos, low, table)
    raise _Unsupported(f"type code {t} with length code {low} here")


def _skip_padding(data: bytes, pos: int) -> int:
    length, nxt = _length(data, pos + 1, data[pos] & 0x0F)
    return nxt + length


def _struct_value(data: bytes, pos: int, low: int, table: _SymbolTable) -> tuple[bytes, int]:
    if low == 1:  # sorted struct: the length follows
        length, pos = _read_var_uint(data, pos)
    else:
        length, pos = _length(data, pos, low)
    end = pos + length
    hashes = []
    append = hashes.append
    sers = table.sers
    while pos < end:
        b = data[pos]
        pos += 1
        if b & 0x80:
            sid = b & 0x7F
        else:
            sid, pos = _read_var_uint(data, pos - 1)
        td = data[pos]
        if td >> 4 == 0 and td != 0x0F:  # padding in place of a field
            pos = _skip_padding(data, pos)
            continue
        t = td >> 4
        low = td & 0x0F
        # The common field types are handled here rather than through _value.
        if low < 14 and t == 8:  # short string
            nxt = pos + 1 + low
            raw = data[pos + 1:nxt]
            raw.decode("utf-8")
            if 11 in raw or 12 in raw or 14 in raw:
                raw = _escape_always(raw)
            s = b"\x0b\x80" + raw + b"\x0e"
            pos = nxt
        elif low < 14 and t == 2:  # small positive int
            nxt = pos + 1 + low
            s = b"\x0b\x20" + _escape(data[pos + 1:nxt].lstrip(b"\x00")) + b"\x0e"
            pos = nxt
        elif low < 14 and t == 6:  # timestamp
            nxt = pos + 1 + low
            s = _timestamp(data[pos + 1:nxt])
            pos = nxt
        elif t == 13 and low != 15:  # nested struct
            s, pos = _struct_value(data, pos + 1, low, table)
        else:
            s, pos = _value(data, pos, table)
        try:
            prefix = sers[sid] or table.ser(sid)
        except IndexError:
            prefix = table.ser(sid)  # raises: the SID is not in the table
        append(_sha256(prefix + s).digest())
    if pos != end:
        raise _Unsupported("struct length mismatch")
    if not hashes:
        return b"\x0b\xd0\x0e", end
    hashes.sort()
    return b"\x0b\xd0" + _escape_always(b"".join(hashes)) + b"\x0e", end


def _annotated(data: bytes, pos: int, low: int, table: _SymbolTable) -> tuple[bytes, int]:
    length, pos = _length(data, pos, low)
    end = pos + length
    annot_length, pos = _read_var_uint(data, pos)
    if not annot_length:
        raise _Unsupported("annotation wrapper without annotations")
    annot_end = pos + annot_length
    parts = [b"\x0b\xe0"]
    while pos < annot_end:
        sid, pos = _read_var_uint(data, pos)
        parts.append(table.ser(sid))
    if pos != annot_end:  # the value starts where the annotations' length says
        raise _Unsupported("annotation overruns its length")
    s, pos = _value(data, pos, table)
    if pos != end:
        raise _Unsupported("annotation wrapper length mismatch")
    parts.append(s)
    parts.append(b"\x0e")
    return b"".join(parts), end


# --- symbol tables and the stream ---------------------------------------------------------------

def _local_table(data: bytes, start: int, pos: int, end: int,
                 current: _SymbolTable) -> _SymbolTable:
    """Read the local symbol table struct (fields `imports` and `symbols`) at `pos` in the
    annotation wrapper data[start:end]. The wrapper's framing is checked (as
    check_binary_framing would) before it is read and cached: the cache key is its bytes."""
    if end > len(data):
        raise _Unsupported("symbol table runs past the data")
    key = data[start:end]
    cached = _table_cache.get(key) if current is _SYSTEM_TABLE else None
    if cached is not None:
        return cached
    try:
        check_binary_framing(key)
    except IonException as e:
        raise _Unsupported(f"symbol table framing: {e}") from None
    t, low, p, stop = _header(data, pos)
    if t != 13 or low == 15:
        raise _Unsupported("symbol table is not a struct")
    if stop != end:
        raise _Unsupported("symbol table wrapper holds more than the struct")
    texts = list(_SYSTEM_SYMBOLS)
    appended: list[str | None] = []
    while p < stop:
        sid, p = _read_var_uint(data, p)
        vt, vlow, vp, vend = _header(data, p)
        p = vend
        if vlow == 15:
            continue
        if sid == _SID_IMPORTS:
            if vt == 7 and int.from_bytes(data[vp:vend], "big") == _SID_ION_SYMBOL_TABLE:
                texts = list(current.texts)  # append to the current table
            elif vt != 11 or vend != vp:
                raise _Unsupported("shared symbol table imports")
        elif sid == _SID_SYMBOLS and vt == 11:
            q = vp
            while q < vend:
                st, slow, sp, send = _header(data, q)
                if st == 8 and slow != 15:
                    appended.append(data[sp:send].decode("utf-8"))
                else:
                    appended.append(None)
                q = send
    table = _SymbolTable(texts + appended)
    if current is _SYSTEM_TABLE:
        if len(_table_cache) >= _TABLE_CACHE_LIMIT:
            _table_cache.clear()
        _table_cache[key] = table
    return table


def _hash_binary_fast(data: bytes) -> bytes:
    """The reader itself; raises `_Unsupported` (or IndexError on truncated data)."""
    if data[:4] != IVM:
        raise _Unsupported("no Ion binary version marker")
    pos, end = 4, len(data)
    table = _SYSTEM_TABLE
    found: bytes | None = None
    while pos < end:
        td = data[pos]
        if td == 0xE0 and data[pos:pos + 4] == IVM:
            table, pos = _SYSTEM_TABLE, pos + 4
            continue
        if td >> 4 == 0 and td != 0x0F:
            pos = _skip_padding(data, pos)
            continue
        if td >> 4 == 14 and td != 0xEF:  # is it `$ion_symbol_table::{...}`?
            length, p = _length(data, pos + 1, td & 0x0F)
            wrapper_end = p + length
            annot_length, ap = _read_var_uint(data, p)
            first_sid, _ = _read_var_uint(data, ap)
            value_at = ap + annot_length
            if first_sid == _SID_ION_SYMBOL_TABLE and data[value_at] >> 4 == 13:
                table = _local_table(data, pos, value_at, wrapper_end, table)
                pos = wrapper_end
                continue
        if found is not None:
            raise _Unsupported("more than one top-level value")
        found, pos = _value(data, pos, table)
        if found == _VERSION_SYMBOL and td >> 4 == 7:
            raise _Unsupported("a top-level $ion_1_0 is a version marker to amazon.ion")
    if found is None:
        raise _Unsupported("no value")
    if pos != end:
        raise _Unsupported("trailing bytes")
    return _sha256(found).digest()


def ion_hash_binary_py(data: bytes) -> bytes:
    """`ion_hash_binary` by the pure-Python reader alone (the path without the C extension)."""
    data = bytes(data)
    try:
        return _hash_binary_fast(data)
    except (_Unsupported, IndexError, UnicodeDecodeError, _struct.error, RecursionError):
        pass
    try:
        check_binary_framing(data)  # malformed binary can hang or crash amazon.ion's reader
        value = simpleion.loads(data)
    except IonException as e:
        raise ValueError(f"not a single Ion binary value: {e}".strip()) from e
    return ion_hash(value)


_c_hash_binary: Callable[[bytes], bytes | None] | None = None
if not os.environ.get("LEDGER_DESKTOP_NO_C_EXT"):  # set to compare against the Python path
    try:
        from ._ionhash_c import hash_binary as _c_hash_binary
    except ImportError:  # no compiler where it was installed: the Python path alone
        pass

C_EXTENSION = _c_hash_binary is not None
"""Whether the C extension is in use."""


def ion_hash_binary(data: bytes) -> bytes:
    """Ion Hash (SHA-256) of the single Ion value encoded in `data` (Ion binary with its
    version marker); equal to `ion_hash(simpleion.loads(data))`, several times faster.

    Raises ValueError for data that is not a single Ion value. Whenever it returns a hash,
    `ion_framing.check_binary_framing(data)` passes: no separate framing check is needed."""
    if _c_hash_binary is not None:
        h = _c_hash_binary(data)
        if h is not None:
            return h
    return ion_hash_binary_py(data)
