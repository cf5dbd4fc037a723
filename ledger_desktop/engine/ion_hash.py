"""Amazon Ion Hash 1.0 (SHA-256) and QLDB's hash combinators: `dot`, Merkle roots and proofs.

Written from the Ion Hash specification (amazon-ion/ion-hash `docs/spec.md`, summarised in
`shared/docs/qldb-format.md` section 3). Every value is turned into its Ion Hash
serialization `s(v)`; `H(v) = SHA256(s(v))`. Struct fields are hashed one by one, sorted and
escaped, so the same serializer is built once per hash function by `make_ion_hasher`: the
module-level SHA-256 instance is the engine's hot path, other instances (MD5, identity) serve
the conformance suite.

Values are what `amazon.ion.simpleion` loads (IonPy* types with `.ion_type` and
`.ion_annotations`) or plain Python values (dict, list/tuple, str, int, bool, float, Decimal,
bytes, None, datetime/Timestamp, SymbolToken).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import os
import struct as _struct
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from amazon.ion import simpleion
from amazon.ion.core import IonType, Timestamp, TimestampPrecision
from amazon.ion.exceptions import IonException
from amazon.ion.simple_types import (
    IonPyBool,
    IonPyBytes,
    IonPyDecimal,
    IonPyDict,
    IonPyFloat,
    IonPyInt,
    IonPyList,
    IonPyNull,
    IonPyStdDict,
    IonPySymbol,
    IonPyText,
    IonPyTimestamp,
)
from amazon.ion.symbols import SymbolToken

from .ion_values import dumps_binary, loads, too_deep

__all__ = [
    "HASH_SIZE",
    "commit_digest",
    "dot",
    "fold",
    "hash_value",
    "ion_hash",
    "ion_hash_py",
    "make_ion_hasher",
    "merkle_path",
    "merkle_root",
    "merkle_root_py",
    "statement_hash",
]

HASH_SIZE = 32


class _HashObject(Protocol):
    def digest(self) -> bytes: ...


NewHash = Callable[[bytes], _HashObject]
"""A hashlib-style constructor: `new_hash(data).digest()` is the hash of `data`."""


# --- byte-level building blocks -------------------------------------------------------------

def _escape(data: bytes) -> bytes:
    """Prefix every marker byte (0x0B, 0x0E, 0x0C) with 0x0C; C-level replaces, no byte loop."""
    if 11 in data or 12 in data or 14 in data:  # 0x0B, 0x0C, 0x0E
        return (data.replace(b"\x0c", b"\x0c\x0c")
                .replace(b"\x0b", b"\x0c\x0b")
                .replace(b"\x0e", b"\x0c\x0e"))
    return data


def _escape_always(data: bytes) -> bytes:
    """As `_escape`, for data that nearly always holds a marker byte (concatenated hashes)."""
    return (data.replace(b"\x0c", b"\x0c\x0c")
            .replace(b"\x0b", b"\x0c\x0b")
            .replace(b"\x0e", b"\x0c\x0e"))


def _uint_bytes(n: int) -> bytes:
    """Minimal big-endian magnitude (zero has no bytes)."""
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def _var_uint(n: int) -> bytes:
    if n < 0x80:
        return bytes((n | 0x80,))
    out = [n & 0x7F | 0x80]
    n >>= 7
    while n:
        out.append(n & 0x7F)
        n >>= 7
    out.reverse()
    return bytes(out)


def _var_int_slow(n: int) -> bytes:
    mag = -n if n < 0 else n
    groups = [mag & 0x7F]
    mag >>= 7
    while mag:
        groups.append(mag & 0x7F)
        mag >>= 7
    if groups[-1] & 0x40:  # no room for the sign bit in the first byte
        groups.append(0)
    groups.reverse()
    if n < 0:
        groups[0] |= 0x40
    groups[-1] |= 0x80
    return bytes(groups)


# One-byte VarInts for -63..63 (decimal exponents and fraction exponents nearly always fit).
_VAR_INT_1 = {n: _var_int_slow(n) for n in range(-63, 64)}


def _var_int(n: int) -> bytes:
    """Ion VarInt: sign in bit 6 of the first byte, end flag on the last byte."""
    small = _VAR_INT_1.get(n)
    return small if small is not None else _var_int_slow(n)


def _int_bytes(mag: int, negative: bool) -> bytes:
    """Ion Int (signed magnitude): the fewest bytes that leave the top bit for the sign;
    a positive zero has no bytes, a negative zero is 0x80."""
    if mag == 0:
        return b"\x80" if negative else b""
    n = (mag.bit_length() + 8) >> 3
    if negative:
        mag |= 1 << (n * 8 - 1)
    return mag.to_bytes(n, "big")


def _symbol_text_bytes(token: Any) -> bytes | None:
    """UTF-8 of a symbol's text, or None for symbol zero; unknown non-zero SIDs are refused."""
    if isinstance(token, str):
        return token.encode("utf-8")
    text = getattr(token, "text", None)
    if text is not None:
        return text.encode("utf-8")
    sid = getattr(token, "sid", None) if token is not None else 0
    if sid in (0, None):
        return None
    raise ValueError(f"cannot hash a symbol with unknown text (SID {sid})")


def _symbol(token: Any) -> bytes:
    """s(symbol) for a field name, annotation or symbol value."""
    raw = _symbol_text_bytes(token)
    if raw is None:
        return b"\x0b\x71\x0e"  # symbol zero: Q=1, no representation
    return b"\x0b\x70" + _escape(raw) + b"\x0e"


# --- scalar representations -----------------------------------------------------------------

_POS_ZERO_FLOAT = b"\x00" * 8
_NAN = b"\x7f\xf8\x00\x00\x00\x00\x00\x00"
_pack_double = _struct.Struct(">d").pack


def _float(v: float) -> bytes:
    raw = _pack_double(v)
    if raw == _POS_ZERO_FLOAT:
        return b"\x0b\x40\x0e"
    if v != v:  # every NaN hashes as the canonical quiet NaN
        raw = _NAN
    return b"\x0b\x40" + _escape(raw) + b"\x0e"


def _digits_value(digits: tuple[int, ...]) -> int:
    """The integer a Decimal's digit tuple spells (exact; no context rounding)."""
    if len(digits) > 18:
        return int("".join(map(str, digits)))
    n = 0
    for d in digits:
        n = n * 10 + d
    return n


def _decimal(v: Decimal) -> bytes:
    sign, digits, exponent = v.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"cannot hash a non-finite decimal: {v}")
    coefficient = _digits_value(digits)
    if exponent == 0 and coefficient == 0 and not sign:
        return b"\x0b\x50\x0e"  # 0d0 has no representation
    rep = _var_int(exponent) + _int_bytes(coefficient, bool(sign))
    return b"\x0b\x50" + _escape(rep) + b"\x0e"


def _int(v: int) -> bytes:
    if v >= 0:
        return b"\x0b\x20" + _escape(_uint_bytes(v)) + b"\x0e"
    return b"\x0b\x30" + _escape(_uint_bytes(-v)) + b"\x0e"


_SMALL_INTS = [_int(i) for i in range(1024)]


def _fraction(ts: _dt.datetime) -> bytes:
    """Fractional seconds as VarInt exponent + Int coefficient (spec: zero coefficient
    dropped, a negative exponent kept, so `.000` differs from no fraction at all)."""
    digits = getattr(ts, "fractional_precision", None)
    if digits is None:
        digits = 6  # what amazon.ion writes for a plain datetime
    frac = getattr(ts, "fractional_seconds", None)
    if frac is None or digits < 6:
        # Up to microseconds the datetime fields say it all (amazon.ion keeps them in step).
        if digits == 0:
            return b""
        coefficient = ts.microsecond // _POW10[6 - digits]
        if not coefficient:
            return _VAR_INT_1[-digits]
        return _VAR_INT_1[-digits] + coefficient.to_bytes((coefficient.bit_length() + 8) >> 3,
                                                            "big")
    _sign, digits_t, exponent = frac.as_tuple()
    coefficient = _digits_value(digits_t)
    if coefficient == 0:
        return _var_int(exponent) if exponent < 0 else b""
    return _var_int(exponent) + _int_bytes(coefficient, False)


_POW10 = [10 ** i for i in range(7)]
_UTC_Z = 0x80  # VarInt 0: known offset +00:00
_UNKNOWN_OFFSET = 0xC0  # VarInt -0: -00:00
_MONTH = TimestampPrecision.MONTH
_DAY = TimestampPrecision.DAY
_MINUTE = TimestampPrecision.MINUTE
_SECOND = TimestampPrecision.SECOND


# The last timestamp seen, its representation and its serialisation, kept by identity (the
# value is held, so its id is not reused): a commit hashes its block time three times (header,
# metadata, usually the statement's start too, since now_timestamp reuses one value per
# millisecond) and writes it into the block body.
_last_timestamp: list[Any] = [object(), b"", b""]  # nothing is this placeholder


def _timestamp_parts(ts: _dt.datetime) -> list[Any]:
    last = _last_timestamp
    if ts is not last[0]:
        rep = timestamp_rep(ts)
        last[0], last[1], last[2] = ts, rep, b"\x0b\x60" + _escape(rep) + b"\x0e"
    return last


def _timestamp(ts: _dt.datetime) -> bytes:
    """s(timestamp)."""
    return _timestamp_parts(ts)[2]


def timestamp_rep(ts: _dt.datetime) -> bytes:
    """The Ion binary representation of a timestamp (its bytes after the type descriptor and
    length), as Ion Hash serialises it: offset, then the UTC instant's fields down to the
    precision, then the fraction."""
    precision = getattr(ts, "precision", None)
    if precision is None:
        precision = _SECOND  # a plain datetime: amazon.ion writes it to the second
    if precision < _MINUTE:
        # Dates carry no offset (-00:00); the fields are the date as written.
        year = ts.year
        if precision >= _DAY and year >= 128:
            rep = bytes((0xC0, year >> 7, year & 0x7F | 0x80, ts.month | 0x80, ts.day | 0x80))
            return rep
        rep = b"\xc0" + _var_uint(year)
        if precision >= _MONTH:
            rep += bytes((ts.month | 0x80, ts.day | 0x80)) if precision >= _DAY \
                else bytes((ts.month | 0x80,))
        return rep
    offset = ts.utcoffset()
    utc = ts
    if offset is None:
        off = _UNKNOWN_OFFSET
    elif not offset:
        off = _UTC_Z
    else:
        off = -1
        try:
            utc = _dt.datetime(ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second) - offset
        except OverflowError:  # Ion binary holds the UTC instant, in years 1-9999
            raise ValueError(f"the timestamp {ts.isoformat()} is before year 1 or after year "
                             "9999 in UTC, which Ion cannot represent") from None
    year = utc.year
    if precision >= _SECOND:
        fields = (utc.month | 0x80, utc.day | 0x80, utc.hour | 0x80, utc.minute | 0x80,
                  utc.second | 0x80)
    else:
        fields = (utc.month | 0x80, utc.day | 0x80, utc.hour | 0x80, utc.minute | 0x80)
    if off >= 0 and year >= 128:
        rep = bytes((off, year >> 7, year & 0x7F | 0x80) + fields)
    else:
        head = bytes((off,)) if off >= 0 else _var_int(int(offset.total_seconds()) // 60)
        rep = head + _var_uint(year) + bytes(fields)
    if precision >= _SECOND:
        rep += _fraction(ts)
    return rep


_SYMBOL_TYPE = IonType.SYMBOL
_STRING_TYPE = IonType.STRING
_SEXP_TYPE = IonType.SEXP
_CLOB_TYPE = IonType.CLOB
_BOOL_TYPE = IonType.BOOL
_NULL_TQ = {
    IonType.NULL: b"\x0b\x0f\x0e",
    IonType.BOOL: b"\x0b\x1f\x0e",
    IonType.INT: b"\x0b\x2f\x0e",
    IonType.FLOAT: b"\x0b\x4f\x0e",
    IonType.DECIMAL: b"\x0b\x5f\x0e",
    IonType.TIMESTAMP: b"\x0b\x6f\x0e",
    IonType.SYMBOL: b"\x0b\x7f\x0e",
    IonType.STRING: b"\x0b\x8f\x0e",
    IonType.CLOB: b"\x0b\x9f\x0e",
    IonType.BLOB: b"\x0b\xaf\x0e",
    IonType.LIST: b"\x0b\xbf\x0e",
    IonType.SEXP: b"\x0b\xcf\x0e",
    IonType.STRUCT: b"\x0b\xdf\x0e",
}
_TRUE, _FALSE = b"\x0b\x11\x0e", b"\x0b\x10\x0e"
_FIELD_PREFIX_LIMIT = 8192  # bound the field-name cache so memory stays flat


# --- the serializer, built once per hash function -------------------------------------------

def make_ion_hasher(new_hash: NewHash) -> Callable[[Any], bytes]:
    """An Ion Hash function for `new_hash` (a hashlib-style constructor such as
    `hashlib.md5`): the returned callable maps an Ion value to `new_hash(s(value)).digest()`."""
    field_prefix: dict[Any, bytes] = {}
    string_prefix: dict[Any, bytes] = {}  # s(name) + the string type byte

    def annotated(annotations: Iterable[Any], plain: bytes) -> bytes:
        return (b"\x0b\xe0" + b"".join([_symbol(a) for a in annotations]) + plain + b"\x0e")

    def ser(v: Any) -> bytes:
        f = dispatch.get(type(v))
        return f(v) if f is not None else ser_other(v)

    def prefix_of(k: Any) -> bytes:
        """s(field name as a symbol), cached per name; the cache is bounded so memory stays
        flat however many distinct names a journal holds."""
        p = _symbol(k)
        if isinstance(k, str):
            if len(field_prefix) >= _FIELD_PREFIX_LIMIT:
                field_prefix.clear()
                string_prefix.clear()
            field_prefix[k] = p
            string_prefix[k] = p + b"\x0b\x80"
        return p

    def ser_struct_items(items: Iterable[tuple[Any, Any]]) -> bytes:
        hashes = []
        append = hashes.append
        get_prefix = field_prefix.get
        get = dispatch.get
        for k, x in items:
            p = get_prefix(k) or prefix_of(k)
            f = get(type(x))
            append(new_hash(p + (f(x) if f is not None else ser_other(x))).digest())
        if not hashes:
            return b"\x0b\xd0\x0e"
        hashes.sort()
        return b"\x0b\xd0" + _escape_always(b"".join(hashes)) + b"\x0e"

    def ser_ionpy_dict(v: IonPyDict) -> bytes:
        # The hot path. amazon.ion keeps {name: [values]} (duplicate names included);
        # walking that store directly avoids the per-item generator of iteritems().
        store = getattr(v, "_IonPyDict__store", None)
        if store is None:
            plain = ser_struct_items(v.iteritems())
        else:
            hashes = []
            append = hashes.append
            get_prefix = field_prefix.get
            get_string_prefix = string_prefix.get
            get = dispatch.get
            for k, xs in store.items():
                p = get_prefix(k) or prefix_of(k)
                for x in xs:
                    tx = type(x)
                    if tx is IonPyText and x.ion_type == _STRING_TYPE and not x.ion_annotations:
                        # strings are most fields: inlined, with s(name) + string TQ cached
                        raw = x.encode("utf-8")
                        if 11 in raw or 12 in raw or 14 in raw:
                            raw = _escape_always(raw)
                        sp = get_string_prefix(k) or p + b"\x0b\x80"
                        append(new_hash(sp + raw + b"\x0e").digest())
                        continue
                    f = get(tx)
                    append(new_hash(p + (f(x) if f is not None else ser_other(x))).digest())
            if hashes:
                hashes.sort()
                plain = b"\x0b\xd0" + _escape_always(b"".join(hashes)) + b"\x0e"
            else:
                plain = b"\x0b\xd0\x0e"
        ann = v.ion_annotations
        return annotated(ann, plain) if ann else plain

    def ser_std_dict(v: dict) -> bytes:
        plain = ser_struct_items(v.items())
        ann = getattr(v, "ion_annotations", None)
        return annotated(ann, plain) if ann else plain

    def ser_sequence(tq: bytes, v: Iterable[Any]) -> bytes:
        get = dispatch.get
        parts = [tq]
        for x in v:
            f = get(type(x))
            parts.append(f(x) if f is not None else ser_other(x))
        parts.append(b"\x0e")
        return b"".join(parts)

    def ser_ionpy_list(v: IonPyList) -> bytes:
        plain = ser_sequence(b"\x0b\xc0" if v.ion_type == _SEXP_TYPE else b"\x0b\xb0", v)
        ann = v.ion_annotations
        return annotated(ann, plain) if ann else plain

    def ser_list(v: list | tuple) -> bytes:
        return ser_sequence(b"\x0b\xb0", v)

    def ser_ionpy_text(v: IonPyText) -> bytes:
        raw = v.encode("utf-8")
        if 11 in raw or 12 in raw or 14 in raw:  # int membership is a fast memchr
            raw = _escape_always(raw)
        ann = v.ion_annotations
        if v.ion_type == _SYMBOL_TYPE:
            plain = b"\x0b\x70" + raw + b"\x0e"
        else:
            plain = b"\x0b\x80" + raw + b"\x0e"
        return annotated(ann, plain) if ann else plain

    def ser_str(v: str) -> bytes:
        raw = v.encode("utf-8")
        if 11 in raw or 12 in raw or 14 in raw:  # int membership is a fast memchr
            raw = _escape_always(raw)
        return b"\x0b\x80" + raw + b"\x0e"

    def ser_ionpy_symbol(v: IonPySymbol) -> bytes:
        plain = _symbol(v)
        ann = v.ion_annotations
        return annotated(ann, plain) if ann else plain

    def ser_ionpy_int(v: IonPyInt) -> bytes:
        if v.ion_type == _BOOL_TYPE:
            plain = _TRUE if v else _FALSE
        else:
            plain = _SMALL_INTS[v] if 0 <= v < 1024 else _int(v)
        ann = v.ion_annotations
        return annotated(ann, plain) if ann else plain

    def ser_int(v: int) -> bytes:
        return _SMALL_INTS[v] if 0 <= v < 1024 else _int(v)

    def ser_ionpy_bool(v: IonPyBool) -> bytes:
        plain = _TRUE if v else _FALSE
        ann = v.ion_annotations
        return annotated(ann, plain) if ann else plain

    def ser_bool(v: bool) -> bytes:
        return _TRUE if v else _FALSE

    def ser_ionpy_decimal(v: IonPyDecimal) -> bytes:
        plain = _decimal(v)
        ann = v.ion_annotations
        return annotated(ann, plain) if ann else plain

    def ser_ionpy_float(v: IonPyFloat) -> bytes:
        plain = _float(v)
        ann = v.ion_annotations
        return annotated(ann, plain) if ann else plain

    def ser_ionpy_timestamp(v: IonPyTimestamp) -> bytes:
        plain = _timestamp(v)
        ann = v.ion_annotations
        return annotated(ann, plain) if ann else plain

    def ser_ionpy_bytes(v: IonPyBytes) -> bytes:
        tq = b"\x0b\x90" if v.ion_type == _CLOB_TYPE else b"\x0b\xa0"
        plain = tq + _escape(bytes(v)) + b"\x0e"
        ann = v.ion_annotations
        return annotated(ann, plain) if ann else plain

    def ser_bytes(v: bytes | bytearray | memoryview) -> bytes:
        return b"\x0b\xa0" + _escape(bytes(v)) + b"\x0e"

    def ser_ionpy_null(v: IonPyNull) -> bytes:
        plain = _NULL_TQ[v.ion_type]
        ann = v.ion_annotations
        return annotated(ann, plain) if ann else plain

    def ser_none(_v: None) -> bytes:
        return b"\x0b\x0f\x0e"

    def ser_other(v: Any) -> bytes:
        """Subclasses and less common types, by isinstance (the dict above is exact-type)."""
        if isinstance(v, IonPyNull):
            return ser_ionpy_null(v)
        if isinstance(v, bool):
            return ser_bool(v)
        if isinstance(v, SymbolToken):
            return ser_ionpy_symbol(v) if hasattr(v, "ion_annotations") else _symbol(v)
        if isinstance(v, IonPyDict):
            return ser_ionpy_dict(v)
        if isinstance(v, dict):
            return ser_std_dict(v)
        if isinstance(v, (list, tuple)):
            return ser_ionpy_list(v) if hasattr(v, "ion_type") else ser_list(v)
        if isinstance(v, str):
            return ser_ionpy_text(v) if hasattr(v, "ion_type") else ser_str(v)
        if isinstance(v, int):
            return ser_ionpy_int(v) if hasattr(v, "ion_type") else ser_int(v)
        if isinstance(v, float):
            return ser_ionpy_float(v) if hasattr(v, "ion_type") else _float(v)
        if isinstance(v, Decimal):
            return ser_ionpy_decimal(v) if hasattr(v, "ion_type") else _decimal(v)
        if isinstance(v, _dt.datetime):
            return ser_ionpy_timestamp(v) if hasattr(v, "ion_annotations") else _timestamp(v)
        if isinstance(v, (bytes, bytearray, memoryview)):
            return ser_ionpy_bytes(v) if hasattr(v, "ion_type") else ser_bytes(v)
        raise TypeError(f"cannot Ion-hash a value of type {type(v).__name__}")

    dispatch: dict[type, Callable[[Any], bytes]] = {
        IonPyDict: ser_ionpy_dict,
        IonPyStdDict: ser_std_dict,
        dict: ser_std_dict,
        IonPyList: ser_ionpy_list,
        list: ser_list,
        tuple: ser_list,
        IonPyText: ser_ionpy_text,
        str: ser_str,
        IonPySymbol: ser_ionpy_symbol,
        SymbolToken: _symbol,
        IonPyInt: ser_ionpy_int,
        int: ser_int,
        IonPyBool: ser_ionpy_bool,
        bool: ser_bool,
        IonPyDecimal: ser_ionpy_decimal,
        Decimal: _decimal,
        IonPyFloat: ser_ionpy_float,
        float: _float,
        IonPyTimestamp: ser_ionpy_timestamp,
        Timestamp: _timestamp,
        _dt.datetime: _timestamp,
        IonPyBytes: ser_ionpy_bytes,
        bytes: ser_bytes,
        bytearray: ser_bytes,
        IonPyNull: ser_ionpy_null,
        type(None): ser_none,
    }

    def hash_value(value: Any) -> bytes:
        f = dispatch.get(type(value))
        return new_hash(f(value) if f is not None else ser_other(value)).digest()

    hash_value.serialize = ser  # type: ignore[attr-defined]  # s(v), for tests and tools
    return hash_value


ion_hash: Callable[[Any], bytes] = make_ion_hasher(hashlib.sha256)
ion_hash.__doc__ = "Ion Hash with SHA-256 of one Ion value (32 bytes): QLDB's H(v)."


# --- QLDB's combinators ---------------------------------------------------------------------

_FLIP = bytes(b ^ 0x80 for b in range(256))  # unsigned order of flipped bytes == signed order
_sha256 = hashlib.sha256


def dot_py(a: bytes, b: bytes) -> bytes:
    """QLDB's combiner: an empty side passes the other through; otherwise SHA-256 of the two
    hashes, the smaller first, compared as signed bytes from the last byte to the first."""
    if not a:
        return bytes(b)
    if not b:
        return bytes(a)
    if len(a) != HASH_SIZE or len(b) != HASH_SIZE:
        raise ValueError(f"dot needs two {HASH_SIZE}-byte hashes, got {len(a)} and {len(b)} bytes")
    # The last bytes decide all but 1 in 256 comparisons: compare them as signed first.
    x, y = a[31], b[31]
    first = ((x ^ 0x80) < (y ^ 0x80) if x != y
             else a[::-1].translate(_FLIP) <= b[::-1].translate(_FLIP))
    return _sha256(a + b if first else b + a).digest()


# The C extension's versions, when built (setup.py); LEDGER_DESKTOP_NO_C_EXT=1 compares against
# the Python ones. `hash_value` is `ion_hash` computed in C for the light values a commit builds
# (light_values.py) and plain containers and scalars; anything else goes through `serialize`.
dot: Callable[[bytes, bytes], bytes] = dot_py
ion_hash_py = ion_hash
hash_value: Callable[[Any], bytes] = ion_hash
C_HASH_VALUE = False
if not os.environ.get("LEDGER_DESKTOP_NO_C_EXT"):
    try:
        from . import _ionhash_c
    except ImportError:  # no compiler where it was installed
        pass
    else:
        from .light_values import Blob, Int, List, Struct, Text

        _ionhash_c.set_light_types(Struct, Text, Int, Blob, List,
                                   ion_hash_py.serialize)  # type: ignore[attr-defined]
        _ionhash_c.set_ionpy_types(IonPyDict, IonPyList, IonPyText, IonPyInt, IonPyBytes,
                                   {m.name: m for m in IonType})
        _ionhash_c.set_document_types(IonPyNull, IonPyBool, IonPyFloat, IonPyDecimal,
                                      IonPyTimestamp, IonPySymbol, SymbolToken, Decimal,
                                      {m.name: m for m in IonType})
        dot = _ionhash_c.dot
        # IonPy values without annotations are hashed in C too, so this is ion_hash itself;
        # ion_hash_py stays the reference the tests compare it with.
        hash_value = ion_hash = _ionhash_c.hash_value
        C_HASH_VALUE = True


def _timestamp_rep_or_none(v: Any) -> bytes | None:
    """For write_light: a timestamp's representation, None for any other value."""
    if v is _last_timestamp[0]:
        return _last_timestamp[1]
    if not isinstance(v, _dt.datetime) or getattr(v, "ion_annotations", None):
        return None
    return _timestamp_parts(v)[1]


def write_light(value: Any) -> bytes | None:
    """Ion binary of a value made of light values (light_values.py), plain dict/list/str/int/
    bytes and timestamps, written by the C extension: what amazon.ion writes for it, byte for
    byte (tests/engine/test_write_light.py), several times faster (bench/bench_commit_parts.py).
    None when the C extension is not in use or the value holds anything else; the caller then
    uses amazon.ion."""
    if not C_HASH_VALUE:
        return None
    return _ionhash_c.write_value(value, _timestamp_rep_or_none)


def _timestamp_rep_of_document(v: Any) -> bytes | None:
    """For write_document: a timestamp's representation whatever its annotations (the C writer
    writes those), None for anything else. Not remembered as the last timestamp: that one is
    the commit's block time."""
    if not isinstance(v, _dt.datetime):
        return None
    # Where amazon.ion's writer and timestamp_rep part, left to amazon.ion: a Timestamp without
    # precision (written as a plain datetime), fractions past 9 digits (cut), offsets that are
    # not whole minutes (cut), instants outside years 1-9999 (an error).
    if getattr(v, "precision", _SECOND) is None:
        return None
    fraction = getattr(v, "fractional_seconds", None)
    if fraction is not None and fraction.as_tuple().exponent < -9:
        return None
    offset = v.utcoffset()
    if offset is not None and (offset.seconds % 60 or offset.microseconds):
        return None
    if v is _last_timestamp[0]:
        return _last_timestamp[1]
    try:
        return timestamp_rep(v)
    except OverflowError:
        return None


def write_document_c(value: Any) -> bytes | None:
    """Ion binary of a document (amazon.ion's IonPy values as `ion_values.loads` returns them,
    annotations and repeated field names included, light values, plain Python values) written
    by the C extension: what `ion_values.dumps_binary` writes, byte for byte
    (tests/engine/test_write_document.py). None when the C extension is not in use or the value
    holds something it leaves to amazon.ion (see write_document)."""
    if not C_HASH_VALUE:
        return None
    return _ionhash_c.write_document(value, _timestamp_rep_of_document)


def write_document(value: Any) -> bytes:
    """`ion_values.dumps_binary(value)`, written by the C extension where it can (several times
    faster: bench/bench_commit_parts.py), by amazon.ion otherwise: C extension disabled or not
    built, or values the C writer leaves to it (decimals of more than 34 digits or exponents
    outside -6176..6111, NaN and infinite decimals, ints wider than MAX_INT_BITS, symbols and
    annotations known only by SID, a top-level $ion_1_0 symbol or $ion_symbol_table:: value,
    timestamps _timestamp_rep_of_document leaves, nesting deeper than 100, tuples and other
    Python types, None as a field name, and values amazon.ion rejects, so that it raises its
    own errors). Text that is not Unicode (a lone surrogate) raises UnicodeEncodeError, where
    amazon.ion raises SystemError or, for a field name, never returns."""
    if C_HASH_VALUE:
        data = _ionhash_c.write_document(value, _timestamp_rep_of_document)
        if data is not None:
            return data
    return write_document_amazon_ion(value)


def _exact_binary(value: Any) -> bytes:
    """amazon.ion's Ion binary of `value`, by its pure-Python writer when ion-c's changes a
    value (a timestamp with more than 9 fractional digits, a decimal of more than 34 digits
    or with an exponent near ion-c's limit): the bytes must hash as the value does, or a
    stored revision would not verify. Paid only on write_document's fallback path."""
    from .ion_binary_hash import ion_hash_binary

    if not _beyond_ion_c(value):
        return dumps_binary(value)
    want = ion_hash(value)
    buf = io.BytesIO()
    simpleion.dump_python(value, buf, binary=True)
    data = buf.getvalue()
    if ion_hash_binary(data) != want:
        raise ValueError("amazon.ion cannot write it as Ion binary that keeps its values (a "
                         "timestamp or decimal beyond what its writers hold)")
    return data


def _beyond_ion_c(v: Any) -> bool:
    """Whether `v` holds a scalar ion-c's writer changes: a decimal of more than 34 digits or
    with an exponent outside -6176..6111, a timestamp with more than 9 fractional digits."""
    if isinstance(v, Decimal):
        t = v.as_tuple()
        return isinstance(t.exponent, int) and (len(t.digits) > 34 or not
                                                -6176 <= t.exponent <= 6111)
    if isinstance(v, _dt.datetime):  # only a precision of seconds writes the fraction
        fs = getattr(v, "fractional_seconds", None)
        return (getattr(v, "precision", None) == TimestampPrecision.SECOND
                and isinstance(fs, Decimal) and isinstance(e := fs.as_tuple().exponent, int)
                and e < -9)
    if isinstance(v, dict | IonPyDict):
        return any(_beyond_ion_c(x) for x in v.values())
    if isinstance(v, list | tuple):
        return any(_beyond_ion_c(x) for x in v)
    return False


def write_document_amazon_ion(value: Any) -> bytes:
    """amazon.ion's Ion binary of a document, refused when amazon.ion cannot read it back.

    Stored, such bytes would make every read of the document, and every query scanning its
    table, fail. amazon.ion writes decimals beyond ion-c's range (`1d6145`) but cannot read
    them; without the C writer it also mis-sizes a timestamp whose
    local and UTC years fall on either side of 127/128 (`0128-01-01T00:00+23:59`), which the C
    writer gets right. The read-back is paid only on this path: values the C writer leaves to
    amazon.ion, or every document without the C extension. A value nested deeper than
    MAX_NESTING is refused before either (the C writer leaves those to this path)."""
    why = too_deep(value)
    if why is not None:
        raise ValueError(why)
    data = _exact_binary(value)
    try:
        loads(data)
    except IonException as e:
        cause = (": decimals beyond ion-c's range (magnitudes above about 1E+6145 or below "
                 "1E-6176) do this") if _has_extreme_decimal(value) else ""
        raise ValueError(f"amazon.ion writes it as Ion binary that it cannot read back "
                         f"({str(e).strip()}){cause}") from None
    return data


def _has_extreme_decimal(value: Any) -> bool:
    """Whether `value` holds a decimal ion-c cannot read (the usual cause of a failed
    read-back; the message names it only then)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Decimal):
            if v.is_finite() and v != 0 and not -6176 <= v.adjusted() <= 6144:
                return True
        elif hasattr(v, "items"):
            stack.extend(x for _k, x in v.items())
        elif isinstance(v, list | tuple):
            stack.extend(v)
    return False


def merkle_root_py(hashes: Sequence[bytes]) -> bytes:
    """Pairwise `dot` level by level, an unpaired last hash carried up; empty list -> b"".
    The reference: `merkle_root` is the C version where the extension is in use, which hands
    anything but lists and tuples of 32-byte bytes/bytearrays back to this one."""
    level = list(hashes)
    if not level:
        return b""
    while len(level) > 1:
        nxt = [dot_py(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


merkle_root: Callable[[Sequence[bytes]], bytes] = merkle_root_py
if C_HASH_VALUE:
    _ionhash_c.set_fallbacks(merkle_root=merkle_root_py)
    merkle_root = _ionhash_c.merkle_root


def merkle_path(hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Sibling hashes, bottom-up, so that `fold(hashes[index], path) == merkle_root(hashes)`.
    A level where the node is carried up unpaired contributes nothing."""
    if not 0 <= index < len(hashes):
        raise IndexError(f"leaf index {index} is outside 0..{len(hashes) - 1}")
    level = list(hashes)
    path: list[bytes] = []
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        nxt = [dot(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
        index //= 2
    return path


def fold(h: bytes, proof: Iterable[bytes]) -> bytes:
    """Apply `h = dot(h, p)` for each proof hash in order."""
    for p in proof:
        h = dot(h, p)
    return h


_ion_string_hash = ion_hash


def statement_hash(text: str, params: Sequence[Any] = ()) -> bytes:
    """H(statement text as an Ion string), then `dot` with H(param) for each parameter."""
    h = _ion_string_hash(str(text))
    for p in params:
        h = dot(h, ion_hash(p))
    return h


def commit_digest(tx_id: str, statements: Iterable[tuple[str, Sequence[Any]]]) -> bytes:
    """A transaction's CommitDigest: H(txId as an Ion string) dot each statement hash."""
    digest = ion_hash(str(tx_id))
    for text, params in statements:
        digest = dot(digest, statement_hash(text, params))
    return digest
