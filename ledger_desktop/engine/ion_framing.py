"""A framing check of Ion binary before amazon.ion's C extension reads it.

The C extension (ion-c) loops forever on some malformed binary: a local symbol table whose
`symbols` list holds a value running past the end of the data makes it skip beyond EOF again
and again (found by the byte-flip tests in tests/reliability/test_tampering.py). A tampered
ledger file or a hostile import file must give an error, never a hang, so every binary value
is checked first: each value's declared length must fit inside its container (and the data),
and each container's children must fill it exactly. Only lengths are checked; everything
else is left to the reader, which reports it as an `IonException`.
"""

from __future__ import annotations

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


def check_binary_framing(data: bytes) -> None:
    """Raise IonException if Ion binary `data` has a value that does not fit its container."""
    # An explicit stack of (end, in_struct) instead of recursion: nesting depth is unbounded.
    stack: list[tuple[int, bool]] = []
    pos, end, in_struct = 0, len(data), False
    while True:
        if pos >= end:
            if not stack:
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
        t, ln = td >> 4, td & 0x0F
        if t == 1 or ln == 15:
            continue
        header = bytearray(head)
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
        if ln > size - f.tell():  # checked before reading: a length can claim exabytes
            raise IonException(f"Ion binary: a value of {ln} bytes runs past the end of the "
                               "data")
        body = f.read(ln)
        if len(body) < ln:
            raise IonException(f"Ion binary: a value of {ln} bytes runs past the end of the "
                               "data")
        check_binary_framing(bytes(header) + body)
