"""The top-level fields of an Ion binary struct as standalone Ion binary values.

Verification needs H(transactionInfo) and H(redactionInfo) of each stored block. Hashing them
as parsed values walks thousands of Python objects per block; hashing their bytes is several
times cheaper. `split_struct_fields(blob)` cuts a block body (version marker, local symbol
table, one struct) into `prefix + value` blobs, one per field in stored order: the prefix is
everything before the struct, so each blob reads with the same symbol table and
`ion_hash_binary(blob)` is the Ion Hash of that field's value, computed from exactly the
stored bytes.

Only lengths are read here; anything unexpected returns None and the caller hashes values.
"""

from __future__ import annotations

from amazon.ion.exceptions import IonException

from .ion_framing import IVM, _header, _var_uint

_SID_ION_SYMBOL_TABLE = 3


def _value_end(data: bytes, pos: int, end: int) -> int:
    """The end of the value whose type descriptor is at `pos`."""
    stop = _header(data, pos, end)[3]
    if stop > end:
        raise ValueError("a value runs past its container")
    return stop


def split_struct_fields(blob: bytes) -> list[bytes] | None:
    """Standalone Ion binary blobs of the top-level struct's field values, in stored order
    (duplicate names included); None when `blob` is not IVM, symbol tables and one struct."""
    try:
        return _split(bytes(blob))
    except (ValueError, IndexError, IonException):
        return None


def _split(data: bytes) -> list[bytes] | None:
    end = len(data)
    if not data.startswith(IVM):
        return None
    pos = 4
    while pos < end:
        td = data[pos]
        if td == 0xE0:
            if not data.startswith(IVM, pos):
                return None
            pos += 4
            continue
        t = td >> 4
        if t == 14:  # only `$ion_symbol_table::{...}` may stand before the struct
            wrapper_end = _value_end(data, pos, end)
            low = td & 0x0F
            p = pos + 1
            if low == 14:
                _, p = _var_uint(data, p, end)
            annot_len, p = _var_uint(data, p, wrapper_end)
            first, _ = _var_uint(data, p, wrapper_end)
            inner = p + annot_len
            if first != _SID_ION_SYMBOL_TABLE or inner >= wrapper_end or data[inner] >> 4 != 13:
                return None
            pos = wrapper_end
            continue
        if t != 13 or td & 0x0F == 15:
            return None
        return _fields(data, pos, end)
    return None


def _fields(data: bytes, pos: int, end: int) -> list[bytes] | None:
    prefix = data[:pos]
    struct_end = _value_end(data, pos, end)
    if struct_end != end:
        return None  # more values follow the struct
    td = data[pos]
    p = pos + 1
    if td & 0x0F in (1, 14):
        _, p = _var_uint(data, p, end)
    out = []
    while p < struct_end:
        _, p = _var_uint(data, p, struct_end)  # field name SID
        if p >= struct_end:
            return None
        vtd = data[p]
        stop = _value_end(data, p, struct_end)
        if vtd >> 4 == 0 and vtd != 0x0F:
            p = stop  # padding in place of a field
            continue
        out.append(prefix + data[p:stop])
        p = stop
    return out if p == struct_end else None
