"""A framing check of Ion binary before amazon.ion's C extension reads it.

The C extension (ion-c) loops forever on some malformed binary: a local symbol table whose
`symbols` list holds a value running past the end of the data makes it skip beyond EOF again
and again (found by the byte-flip tests in tests/reliability/test_tampering.py). A tampered
ledger file or a hostile import file must give an error, never a hang, so every binary value
is checked first: each value's declared length must fit inside its container (and the data),
and each container's children must fill it exactly. The C extension also crashes on a local
symbol table symbol that is not UTF-8, so those texts are checked too. Everything else is left
to the reader, which reports it as an `IonException`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import BinaryIO

from amazon.ion.exceptions import IonException

IVM = b"\xe0\x01\x00\xea"


def _var_uint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    value = 0
    while pos < end:
        b = data[pos]
        pos += 1
        value = (value << 7) | (b & 0x7F)
        if b & 0x80:
            return value, pos
    raise IonException(f"Ion binary: a length runs past its container at byte {pos}")


# The C Ion hasher returns a hash only for data that check_binary_framing accepts (tested in
# tests/engine/test_ion_hash_binary_paths.py), and does so many times faster than the walk
# below (bench/bench_hash.py compares the two hashers).
framed_by_c: Callable[[bytes], bytes | None] | None = None
if not os.environ.get("LEDGER_DESKTOP_NO_C_EXT"):
    try:
        from ._ionhash_c import hash_binary as framed_by_c
    except ImportError:  # pragma: no cover - the extension is optional
        pass


def check_framing(data: bytes) -> None:
    """`check_binary_framing(data)`, answered by the C Ion hasher when it hashes `data`; what
    it leaves or refuses gets the Python walk, which raises the IonException."""
    if framed_by_c is not None:
        try:
            if framed_by_c(data) is not None:
                return
        except ValueError:
            pass
    check_binary_framing(data)


def check_binary_framing(data: bytes) -> None:
    """Raise IonException if Ion binary `data` has a value that does not fit its container."""
    # An explicit stack of (end, in_struct) instead of recursion: nesting depth is unbounded.
    stack: list[tuple[int, bool]] = []
    pos, end, in_struct = 0, len(data), False
    while True:
        if pos >= end:
            if not stack:
                check_symbol_texts(data)
                return
            pos, (end, in_struct) = end, stack.pop()
            continue
        if in_struct:
            _, pos = _var_uint(data, pos, end)  # field name symbol id
            if pos >= end:
                raise IonException(f"Ion binary: a struct field has no value at byte {pos}")
        if not stack and data.startswith(IVM, pos):
            pos += 4
            continue
        td = data[pos]
        pos += 1
        t, ln = td >> 4, td & 0x0F
        if t == 1 or ln == 15:        # booleans and typed nulls have no body
            continue
        if ln == 14 or (t == 13 and ln == 1):
            ln, pos = _var_uint(data, pos, end)
        body_end = pos + ln
        if body_end > end:
            raise IonException(f"Ion binary: a value of {ln} bytes at byte {pos} runs past "
                               f"its container (which ends at byte {end})")
        if t in (11, 12, 13):
            stack.append((end, in_struct))
            end, in_struct = body_end, t == 13
        elif t == 14:
            annot_len, inner = _var_uint(data, pos, body_end)
            inner += annot_len
            if inner >= body_end:
                raise IonException(f"Ion binary: an annotation wrapper at byte {pos} holds "
                                   "no value")
            stack.append((end, in_struct))
            pos, end, in_struct = inner, body_end, False
        else:
            pos = body_end


_SID_ION_SYMBOL_TABLE, _SID_SYMBOLS = 3, 7
_valid_tables: set[bytes] = set()  # local symbol tables (their bytes) already checked
_VALID_TABLES_LIMIT = 1024


def _header(data: bytes, pos: int, end: int) -> tuple[int, int, int, int]:
    """(type, low nibble, body start, body end) of the value at `pos`."""
    td = data[pos]
    t, low = td >> 4, td & 0x0F
    if t == 1 or low == 15:
        return t, low, pos + 1, pos + 1
    if low == 14 or (t == 13 and low == 1):
        length, start = _var_uint(data, pos + 1, end)
        return t, low, start, start + length
    return t, low, pos + 1, pos + 1 + low


def check_symbol_texts(data: bytes) -> None:
    """Raise IonException if a top-level local symbol table holds a symbol text that is not
    UTF-8: amazon.ion's C reader crashes (segfault) on a struct field named by such a symbol
    (found by fuzzing). `data` must have passed the length checks of check_binary_framing.
    Documents of one shape share one table, so a table already checked is skipped."""
    pos, end = 0, len(data)
    try:
        while pos < end:
            if data.startswith(IVM, pos):
                pos += 4
                continue
            t, low, start, stop = _header(data, pos, end)
            wrapper_at, pos = pos, stop
            if t != 14 or low == 15:
                continue
            annot_length, ap = _var_uint(data, start, stop)
            first_sid, _ = _var_uint(data, ap, stop)
            value_at = ap + annot_length
            if first_sid != _SID_ION_SYMBOL_TABLE or value_at >= stop:
                continue
            table = data[wrapper_at:stop]
            if table in _valid_tables:
                continue
            st, slow, p, struct_end = _header(data, value_at, stop)
            if st != 13 or slow == 15:
                continue
            while p < struct_end:
                sid, p = _var_uint(data, p, struct_end)
                vt, vlow, q, p = _header(data, p, struct_end)
                if sid != _SID_SYMBOLS or vt != 11 or vlow == 15:
                    continue
                while q < p:
                    it, ilow, ip, q = _header(data, q, p)
                    if it == 8 and ilow != 15:
                        data[ip:q].decode("utf-8")
            if len(_valid_tables) >= _VALID_TABLES_LIMIT:
                _valid_tables.clear()
            _valid_tables.add(table)
    except UnicodeDecodeError:
        raise IonException("Ion binary: a local symbol table holds a symbol text that is not "
                           "UTF-8") from None
    except IndexError:
        raise IonException("Ion binary: malformed local symbol table") from None


def read_value_header(f: BinaryIO, head: bytes, size: int) -> tuple[int, int, bytes]:
    """(type, body length, header bytes) of the top-level value whose first byte `head` was
    just read from `f` (of `size` bytes), reading its VarUInt length if it has one. Booleans
    and typed nulls have no body. The length is checked against the bytes left before anyone
    reads it: a length can claim exabytes."""
    td = head[0]
    t, ln = td >> 4, td & 0x0F
    header = bytearray(head)
    if t == 1 or ln == 15:
        return t, 0, bytes(header)
    if ln == 14 or (t == 13 and ln == 1):
        ln = 0
        while True:
            b = f.read(1)
            if not b:
                raise IonException("Ion binary: a length runs past the end of the data")
            header += b
            ln = (ln << 7) | (b[0] & 0x7F)
            if b[0] & 0x80:
                break
    if ln > size - f.tell():
        raise IonException(f"Ion binary: a value of {ln} bytes runs past the end of the data")
    return t, ln, bytes(header)


def check_stream_framing(f: BinaryIO) -> None:
    """`check_binary_framing` for an Ion binary file, one top-level value in memory at a time.

    Reads `f` from its current position to the end; the caller seeks back before parsing.
    """
    here = f.tell()
    size = f.seek(0, 2)
    f.seek(here)
    while True:
        head = f.read(1)
        if not head:
            return
        td = head[0]
        if td == 0xE0:  # an Ion version marker
            if f.read(3) != IVM[1:]:
                raise IonException("Ion binary: malformed version marker")
            continue
        t, ln, header = read_value_header(f, head, size)
        if t == 1 or td & 0x0F == 15:
            continue
        body = f.read(ln)
        if len(body) < ln:
            raise IonException(f"Ion binary: a value of {ln} bytes runs past the end of the "
                               "data")
        check_binary_framing(header + body)
