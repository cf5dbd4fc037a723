"""Read a few fields of a stored document straight from its Ion binary, without decoding the rest.

A full scan with a filter (`WHERE v.Color = 'Red'`) parses every document into amazon.ion
values although the predicate reads two fields; that parse (and the framing check that guards
it) costs most of the scan. `peek(blob, tree)` walks the one top-level struct of a stored blob,
skips the fields the query does not name by their lengths, and decodes only the named ones.

`tree` maps a field name to None (the whole value is needed) or to a nested tree (only some
fields of that value are needed, as in `v.Owners.PrimaryOwner.PersonId`). The result is a plain
dict of the named fields present in the document (a repeated name keeps its last value, as
`IonPyDict[name]` does); a nested tree gives a nested dict of the same kind when the value is
a struct. Scalars come back as plain Python values that the query evaluator treats exactly as
the IonPy values `simpleion.loads` gives (str, int, bool, float, Decimal), symbols as
IonPySymbol, typed nulls as IonPyNull, timestamps and lobs through `simpleion.loads` of that
scalar alone (which needs no symbol table).

Anything else - a wanted value that is a list, sexp, whole struct or annotated, a shared symbol
table import, NOP padding, several top-level values, a symbol ID without text, an invalid
encoding, or any length that does not fit its container - returns None, and the caller decodes
the whole document the usual way (with `ion_values.loads` and its framing check). Every read
is bounds-checked against its container; skipped fields are checked only for fitting their
struct (their insides are not looked at: that is the point).
"""

from __future__ import annotations

import struct as _struct
from decimal import Decimal
from typing import Any

from amazon.ion import simpleion
from amazon.ion.core import IonType
from amazon.ion.exceptions import IonException
from amazon.ion.simple_types import IonPyNull, IonPySymbol

from .ion_framing import IVM, _var_uint, check_framing

__all__ = ["peek", "Tree"]

Tree = dict[str, "Tree | None"]

_SYSTEM_SYMBOLS: tuple[str | None, ...] = (
    None, "$ion", "$ion_1_0", "$ion_symbol_table", "name", "version", "imports", "symbols",
    "max_id", "$ion_shared_symbol_table")
_SID_ION_SYMBOL_TABLE, _SID_SYMBOLS = 3, 7
_TABLE_CACHE_LIMIT = 1024
_unpack_f32 = _struct.Struct(">f").unpack_from
_unpack_f64 = _struct.Struct(">d").unpack_from
# Ion binary type code -> the IonType of its typed null (3, negative int, is null.int).
_NULL_TYPES = (IonType.NULL, IonType.BOOL, IonType.INT, IonType.INT, IonType.FLOAT,
               IonType.DECIMAL, IonType.TIMESTAMP, IonType.SYMBOL, IonType.STRING,
               IonType.CLOB, IonType.BLOB, IonType.LIST, IonType.SEXP, IonType.STRUCT)


class _Fallback(Exception):
    """Data this reader leaves to a full decode."""


_FALLBACK = _Fallback()
_ABSENT = object()
# What a value that is not a struct (nor an annotated one) stands for when the query only
# looks fields up in it: like any scalar, list or null, it has no fields, so a lookup by name
# gives MISSING (`get_field` catches the TypeError), and it is never used otherwise.
_NOT_A_STRUCT: tuple = ()
_table_cache: dict[bytes, tuple[str | None, ...]] = {}


def peek(blob: bytes, tree: Tree) -> dict[str, Any] | None:
    """The fields of `tree` found in the document `blob` (Ion binary), or None when the blob
    is not a plain struct this reader handles (decode it fully instead)."""
    try:
        return _peek(blob, tree)
    except (_Fallback, IndexError, ValueError, OverflowError, IonException):
        return None  # amazon.ion reads it (and reports what is wrong with it)


def _header(data: bytes, pos: int, end: int) -> tuple[int, int, int, int]:
    """(type code, low nibble, body start, body end) of the value at `pos`."""
    td = data[pos]
    pos += 1
    t, low = td >> 4, td & 0x0F
    if low == 15 or t == 1:
        return t, low, pos, pos
    ln = low
    if low == 14 or (t == 13 and low == 1):
        ln, pos = _var_uint(data, pos, end)
    vend = pos + ln
    if vend > end:
        raise _FALLBACK
    return t, low, pos, vend


def _peek(data: bytes, tree: Tree) -> dict[str, Any] | None:
    end = len(data)
    if data[:4] != IVM:
        raise _FALLBACK
    pos = 4
    texts: tuple[str | None, ...] = _SYSTEM_SYMBOLS
    while True:
        if pos >= end:
            raise _FALLBACK  # no value at all
        start = pos
        t, ln, body, vend = _header(data, pos, end)
        if t == 14:
            # Only a local symbol table may be annotated at the top level here.
            key = data[start:vend]
            cached = _table_cache.get(key)
            if cached is None:
                cached = _symbol_table(data, body, vend)
                if len(_table_cache) >= _TABLE_CACHE_LIMIT:
                    _table_cache.clear()
                _table_cache[key] = cached
            texts = cached
            pos = vend
            continue
        if t != 13 or ln == 15 or vend != end:
            raise _FALLBACK  # not one plain struct filling the rest of the data
        out: dict[str, Any] = {}
        _struct_fields(data, body, vend, texts, tree, out)
        return out


def _symbol_table(data: bytes, pos: int, end: int) -> tuple[str | None, ...]:
    """The symbols of a local symbol table `$ion_symbol_table::{symbols: [...]}` (no imports)
    following the system table; anything else falls back."""
    annot_len, pos = _var_uint(data, pos, end)
    annot_end = pos + annot_len
    if annot_end >= end:
        raise _FALLBACK
    sid, pos = _var_uint(data, pos, annot_end)
    if sid != _SID_ION_SYMBOL_TABLE or pos != annot_end:
        raise _FALLBACK
    t, ln, body, vend = _header(data, pos, end)
    if t != 13 or ln == 15 or vend != end:
        raise _FALLBACK
    symbols: list[str | None] = list(_SYSTEM_SYMBOLS)
    seen = False
    pos = body
    while pos < vend:
        field, pos = _var_uint(data, pos, vend)
        if pos >= vend:
            raise _FALLBACK
        t, ln, lbody, lend = _header(data, pos, vend)
        if field != _SID_SYMBOLS or seen or t != 11 or ln == 15:
            raise _FALLBACK  # imports, repeated or unusual fields: left to amazon.ion
        seen = True
        p = lbody
        while p < lend:
            st, sln, sbody, send = _header(data, p, lend)
            if st == 8 and sln != 15:
                symbols.append(data[sbody:send].decode("utf-8"))
            elif st == 0 and sln != 15:
                raise _FALLBACK  # padding
            else:
                symbols.append(None)  # a non-string entry: a symbol with unknown text
            p = send
        pos = lend
    return tuple(symbols)


def _struct_fields(data: bytes, pos: int, end: int, texts: tuple[str | None, ...],
                   tree: Tree, out: dict[str, Any]) -> None:
    n_texts = len(texts)
    get = tree.get
    while pos < end:
        b = data[pos]
        pos += 1
        if b & 0x80:
            sid = b & 0x7F
        else:
            sid, pos = _var_uint(data, pos - 1, end)
        if sid >= n_texts or pos >= end:
            raise _FALLBACK
        name = texts[sid]
        if name is None:
            raise _FALLBACK  # $0 or a symbol without text: amazon.ion decides
        td = data[pos]
        t, ln = td >> 4, td & 0x0F
        vstart = pos
        pos += 1
        if ln == 15:
            if t == 15:
                raise _FALLBACK
            vend = pos
        elif t == 1:
            if ln > 1:
                raise _FALLBACK
            vend = pos
        else:
            if ln == 14 or (t == 13 and ln == 1):
                ln, pos = _var_uint(data, pos, end)
            elif t == 0 or t == 15:
                raise _FALLBACK  # padding or a reserved type
            vend = pos + ln
            if vend > end:
                raise _FALLBACK
        sub = get(name, _ABSENT)
        if sub is not _ABSENT:
            if sub is None:
                out[name] = _scalar(data, t, ln, td, vstart, pos, vend, texts)
            elif t == 13 and td != 0xDF:
                nested: dict[str, Any] = {}
                _struct_fields(data, pos, vend, texts, sub, nested)
                out[name] = nested
            elif t != 14:
                out[name] = _NOT_A_STRUCT
            else:
                raise _FALLBACK  # annotated: left to amazon.ion
        pos = vend


def _scalar(data: bytes, t: int, ln: int, td: int, vstart: int, pos: int, vend: int,
            texts: tuple[str | None, ...]) -> Any:
    if td & 0x0F == 15:
        return IonPyNull.from_value(_NULL_TYPES[t], None)
    if t == 8:
        return data[pos:vend].decode("utf-8")
    if t == 2:
        return int.from_bytes(data[pos:vend], "big")
    if t == 1:
        return ln == 1
    if t == 3:
        if ln == 0:
            raise _FALLBACK  # negative zero int is invalid Ion
        n = int.from_bytes(data[pos:vend], "big")
        if n == 0:
            raise _FALLBACK
        return -n
    if t == 7:
        sid = int.from_bytes(data[pos:vend], "big")
        if sid >= len(texts) or texts[sid] is None:
            raise _FALLBACK
        return IonPySymbol.from_value(IonType.SYMBOL, texts[sid])
    if t == 5:
        return _decimal(data, pos, vend)
    if t == 4:
        if ln == 0:
            return 0.0
        if ln == 8:
            return _unpack_f64(data, pos)[0]
        if ln == 4:
            return _unpack_f32(data, pos)[0]
        raise _FALLBACK
    if t in (6, 9, 10):
        # Timestamps and lobs hold no symbols: amazon.ion reads the scalar on its own.
        one = IVM + data[vstart:vend]
        check_framing(one)
        return simpleion.loads(one)
    raise _FALLBACK  # lists, sexps, whole structs, annotations


def _decimal(data: bytes, pos: int, end: int) -> Decimal:
    if pos == end:
        return Decimal(0)
    b = data[pos]
    pos += 1
    negative_exp = b & 0x40
    exp = b & 0x3F
    while not b & 0x80:
        if pos >= end:
            raise _FALLBACK
        b = data[pos]
        pos += 1
        exp = (exp << 7) | (b & 0x7F)
    if negative_exp:
        exp = -exp
    if pos == end:
        return Decimal((0, (0,), exp))
    head = data[pos]
    negative = head & 0x80
    mag = int.from_bytes(data[pos:end], "big")
    if negative:
        mag &= ~(0x80 << (8 * (end - pos - 1)))
    return Decimal((1 if negative else 0, tuple(map(int, str(mag))), exp))
