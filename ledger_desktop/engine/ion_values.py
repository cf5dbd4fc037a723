"""Small helpers around `amazon.ion` values: parsing, dumping, timestamps, addresses."""

from __future__ import annotations

import codecs
import datetime as _dt
import io
import os
import re
import time as _time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from amazon.ion import simpleion
from amazon.ion.core import IonType, Timestamp, TimestampPrecision
from amazon.ion.exceptions import IonException
from amazon.ion.simple_types import IonPyDict, IonPyList, IonPyText
from amazon.ion.symbols import SymbolToken

from .ion_framing import IVM, check_framing

if not simpleion.c_ext:  # pragma: no cover - guarded by a test too
    raise ImportError("amazon.ion's C extension is not in use; reinstall amazon.ion")
try:
    from amazon._ioncmodule import ionc_write as _ionc_write
except ImportError:  # pragma: no cover
    _ionc_write = None
try:
    from ._ionhash_c import binary_readable as _binary_readable
except ImportError:  # pragma: no cover - the C extension not built
    _binary_readable = None


# amazon.ion's C reader (ion-c) reads some legal Ion otherwise than written: a timestamp with
# more than 9 fractional digits (10 fail, more read as .000000000), a decimal of more than 34
# digits in text (trailing zeros dropped) or with an exponent near its limit (1d6144 read as
# 1.000...E+6144). Their Ion Hash then differs from QLDB's. Text that could hold one (seconds
# with 10 fractional digits, 35 digits with at most a point among them, a decimal's exponent
# of 4 digits) is read by amazon.ion's pure-Python reader, which keeps them; other text
# (nearly all) by ion-c, ~30x faster.
# Floats (17 significant digits, `e`) match none of these: they are common, and ion-c keeps them.
_ALTERS = r":\d\d\.\d{10}|[\d.]{36}|(?<![\w$])-?\d+(?:\.\d*)?[dD][+-]?\d{4}"
_ION_C_ALTERS_TEXT = re.compile(_ALTERS)
_ION_C_ALTERS_BYTES = re.compile(_ALTERS.encode())
# The scan of a whole export object must not cost a fifth of parsing it: _ALTERS alone reads
# 10-25 MB/s; two plain patterns every match needs (a run of 10 digits, a letter d and 4
# digits) read 70-130 MB/s, and _ALTERS is tried only around what they find.
_RUN_TEXT, _RUN_BYTES = re.compile(r"[0-9]{10,}"), re.compile(rb"[0-9]{10,}")
_EXP_TEXT, _EXP_BYTES = re.compile(r"[dD][+-]?[0-9]{4}"), re.compile(rb"[dD][+-]?[0-9]{4}")
# ion-c also refuses a `\U` escape of a code point past U+FFFF whose low 16 bits fall in
# D800-DFFF ("\U0001d800" is IERR_INVALID_UTF8), valid Ion that amazon.ion's Python writer
# writes for such characters; the same character as UTF-8 it reads.
_ESC = r"\\U(?:000[1-9a-fA-F]|0010)[dD][89a-fA-F][0-9a-fA-F]{2}"
_ESC_TEXT, _ESC_BYTES = re.compile(_ESC), re.compile(_ESC.encode())


def _text_alters(data: Any, run: re.Pattern, exp: re.Pattern, full: re.Pattern,
                 lob: tuple[Any, Any]) -> bool:
    for m in run.finditer(data):  # a fraction of 10+ digits, a decimal of 35+ digits
        if _outside_lobs(data, full.finditer(data, max(0, m.start() - 8), m.end() + 40), lob):
            return True
    # a decimal's 4-digit exponent (a longer mantissa holds a run of 10 digits: above)
    return any(_outside_lobs(data, full.finditer(data, max(0, m.start() - 40), m.end()), lob)
               for m in exp.finditer(data))


#: How far back a match looks for the `{{` of a blob or clob holding it (a hash's base64 is
#: 44 characters): bounded, so that a file with no blobs is not read back to its start at
#: each candidate.
_LOB_LOOKBACK = 4096


_BASE64_TEXT, _BASE64_BYTES = re.compile(r"[A-Za-z0-9+/=\s]*"), re.compile(rb"[A-Za-z0-9+/=\s]*")


def _outside_lobs(data: Any, matches: Iterator[re.Match], lob: tuple[Any, Any]) -> bool:
    """Whether a match lies anywhere but in a blob's base64: `{{78D4723L…}}` (a block's
    hashes, one in about 150,000) looks like a decimal with a 4-digit exponent, and sent
    whole export objects to the Python reader, 70x slower. In a blob means after a `{{` with
    only base64 between (a `{{` in a string is not a blob, and a clob is read as text)."""
    opening, closing = lob
    base64 = _BASE64_TEXT if isinstance(data, str) else _BASE64_BYTES
    for m in matches:
        start = m.start()
        since = max(0, start - _LOB_LOOKBACK)
        at = data.rfind(opening, since, start)
        if at < 0 or at < data.rfind(closing, since, start) \
                or base64.fullmatch(data, at + 2, start) is None:
            return True
    return False


def ion_c_alters(data: bytes | bytearray | memoryview | str) -> bool:
    """Whether ion-c could read `data` (Ion text or binary) otherwise than written. Binary is
    walked by the C extension's reader: well-formed, but refused by its strict mode."""
    if isinstance(data, str):
        return (_text_alters(data, _RUN_TEXT, _EXP_TEXT, _ION_C_ALTERS_TEXT, ("{{", "}}"))
                or _ESC_TEXT.search(data) is not None)
    if bytes(data[:4]) == IVM:
        return (_binary_readable is not None and not _binary_readable(data, True)
                and _binary_readable(data, False))
    return (_text_alters(data, _RUN_BYTES, _EXP_BYTES, _ION_C_ALTERS_BYTES, (b"{{", b"}}"))
            or _ESC_BYTES.search(data) is not None)


def load_python(data: bytes | str, single_value: bool = True) -> Any:
    """Ion value(s) read by amazon.ion's pure-Python reader (see `ion_c_alters`)."""
    buf = io.StringIO(data) if isinstance(data, str) else io.BytesIO(bytes(data))
    return simpleion.load_python(buf, single_value=single_value, parse_eagerly=True)


# amazon.ion's C reader holds each text value of Ion text (a string, symbol or clob) in a
# buffer of 16,383 bytes unless told more, and fails on a longer one (IERR_BUFFER_TOO_SMALL).
# Inputs that could hold one are read with a buffer as large as the whole input; smaller ones
# (nearly all) without the setting, which adds a fixed cost to each call.
TEXT_BUFFER_DEFAULT = 16_383


def text_buffer_limit(data: bytes | bytearray | str) -> int | None:
    """amazon.ion's `text_buffer_size_limit` for reading `data` (None: its default)."""
    n = 4 * len(data) if isinstance(data, str) else len(data)  # UTF-8 bytes, at most
    return n + 1 if n >= TEXT_BUFFER_DEFAULT else None


def file_text_buffer_limit(f: Any) -> int | None:
    """The same for reading an open file: as large as the file."""
    size = os.fstat(f.fileno()).st_size
    return size + 1 if size >= TEXT_BUFFER_DEFAULT else None


def check_text_utf8(data: bytes | bytearray | memoryview) -> None:
    """Ion text given as bytes must be UTF-8 before amazon.ion's C reader sees it: a quoted
    symbol holding bytes that are not (`'\\x8b'`) crashes it (segfault); a string is refused."""
    try:
        codecs.decode(data, "utf-8")
    except UnicodeDecodeError as e:
        raise IonException(f"Ion text is not valid UTF-8 at byte {e.start} ({e.reason})"
                           ) from None


def check_text_stream_utf8(f: Any) -> None:
    """`check_text_utf8` of a whole Ion text file, a chunk at a time (from where it is)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    while True:
        chunk = f.read(1 << 20)
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as e:
            raise IonException(f"Ion text is not valid UTF-8 at byte {done + e.start} "
                               f"({e.reason})") from None
        if not chunk:
            return
        done += len(chunk)


def _check_input(data: bytes | str) -> None:
    if isinstance(data, bytes | bytearray):
        if data[:4] == IVM:
            check_framing(data)  # malformed binary can hang the C extension
        else:
            check_text_utf8(data)


def loads(data: bytes | str) -> Any:
    """One Ion value from text or binary, exactly as written: what ion-c would read otherwise
    (`ion_c_alters`: an 11-digit fraction it reads as .000000000, a 10-digit one it refuses)
    is read by amazon.ion's Python reader. Binary is walked by the C extension first (about
    a tenth of ion-c's parse of a small document), so a query or grid shows such a value as
    stored, not as ion-c misreads it."""
    _check_input(data)
    if ion_c_alters(data):
        return load_python(data)
    return simpleion.loads(data, text_buffer_size_limit=text_buffer_limit(data))


def loads_bare(data: bytes) -> Any:
    """One Ion value from binary with amazon.ion's MAY_BE_BARE value model: plain Python
    values (str, int, list, SymbolToken for symbols...) where no annotation needs keeping,
    2-3x cheaper than IonPy values and as faithful (`ion_type()` tells the Ion type)."""
    _check_input(data)
    if ion_c_alters(data):  # as `loads`: values ion-c would read otherwise
        return load_python(data)
    return simpleion.loads(data, value_model=simpleion.IonPyValueModel.MAY_BE_BARE,
                           text_buffer_size_limit=text_buffer_limit(data))


def loads_all(data: bytes | str) -> list[Any]:
    _check_input(data)
    if ion_c_alters(data):
        return list(load_python(data, single_value=False))
    return simpleion.loads(data, single_value=False,
                           text_buffer_size_limit=text_buffer_limit(data))


def dumps_binary(value: Any) -> bytes:
    if _ionc_write is None:  # pragma: no cover - amazon.ion without its C module layout
        return simpleion.dumps(value, binary=True)
    # The C writer itself: simpleion.dumps adds a file object and a context manager around
    # it, about 15% of a small document's cost, on every commit.
    try:
        return _ionc_write(value, True, False, False)
    except RecursionError as e:  # as simpleion reports it: too deep to write
        raise IonException("Ion value nesting is too deep to write") from e


#: Ints wider than this cannot be written: amazon.ion's C writer converts ints through their
#: decimal text, which Python limits to 4,300 digits, and it crashes (segfault) when that
#: conversion fails. 14,000 bits is about 4,214 digits.
MAX_INT_BITS = 14_000


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


#: How deep a stored value may nest: the document is level 0, its fields' values level 1. QLDB
#: publishes no depth limit; amazon.ion, the Python Ion Hash, the JSON writer and the app's
#: trees all recurse, and fail (RecursionError, "Container nesting exceeded") somewhere
#: between about 490 and 975 levels depending on the caller's stack. 100 is what the C writer
#: and hasher take (MAX_DEPTH in _ionhash_c.c) and far below every consumer (MongoDB's limit
#: for BSON documents is the same 100).
MAX_NESTING = 100


def too_deep(value: Any, limit: int = MAX_NESTING) -> str | None:
    """Why `value` nests deeper than `limit`, or None. Iterative: it must not itself fail on
    the values it is there to refuse."""
    stack = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > limit:
            return _too_deep_message(limit)
        if isinstance(v, str | bytes):
            continue
        if hasattr(v, "items"):
            stack.extend((x, depth + 1) for _k, x in v.items())
        elif isinstance(v, list | tuple):
            stack.extend((x, depth + 1) for x in v)
    return None


def _too_deep_message(limit: int) -> str:
    return (f"it nests lists or structs more than {limit} levels deep (at most {limit} are "
            "stored, so that every query, export and proof can read it back)")


def unstorable(value: Any) -> str | None:
    """Why amazon.ion's C writer cannot take `value` safely, or None. Besides over-wide ints
    (a crash), a Decimal NaN or infinity or a field name with a lone surrogate makes it loop
    forever (Ion decimals have neither; Ion text is Unicode); a Python value with no Ion type
    (a set, a date) or a field name that is not text it refuses with a vague TypeError.
    Values parsed from Ion, JSON or CSV never hold these; values built by statements and
    passed through the Python API may, so writes made by statements are checked first."""
    stack = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_NESTING:
            return _too_deep_message(MAX_NESTING)
        t = type(v)
        if isinstance(v, str):
            if not v.isascii() and _lone_surrogate(v):
                return "text holds a lone surrogate, which is not valid Unicode"
            continue
        if t is bool or v is None:
            continue
        if isinstance(v, SymbolToken):
            if v.text is not None and not v.text.isascii() and _lone_surrogate(v.text):
                return "a symbol holds a lone surrogate, which is not valid Unicode"
            continue
        if isinstance(v, int) and not isinstance(v, bool):
            if v.bit_length() > MAX_INT_BITS:
                return (f"an integer of about {int(v.bit_length() * 0.30103):,} digits is "
                        f"too large to store (at most about 4,200 digits)")
        elif isinstance(v, Decimal):
            if not v.is_finite():
                return f"decimal {v} cannot be stored: Ion decimals have no NaN or infinity"
        elif hasattr(v, "items"):  # IonPyDict's items() includes repeated field names
            for k, x in v.items():
                # amazon.ion's writer loops forever on a field name with a lone surrogate
                if isinstance(k, str) and not k.isascii() and _lone_surrogate(k):
                    return "a field name holds a lone surrogate, which is not valid Unicode"
                if not isinstance(k, str | SymbolToken):
                    return (f"a field name must be text, not {type(k).__name__} "
                            f"({str(k)[:40]!r})")
                stack.append((x, depth + 1))
        elif isinstance(v, list | tuple):
            stack.extend((x, depth + 1) for x in v)
        elif not isinstance(v, float | bytes | _dt.datetime) and not hasattr(v, "ion_type"):
            # amazon.ion says only "Cannot dump arbitrary object types"
            return (f"a Python {type(v).__name__} has no Ion type (Ion values are dict, list, "
                    "str, int, float, Decimal, bool, None, bytes, datetime or amazon.ion values)")
    return None


_INF = float("inf")


def float_from_text(text: str) -> float:
    """A number written with an exponent as an Ion float (64-bit); ValueError when it does not
    fit. Python turns 1e400 into infinity and 1e-400 into zero without a word, which would
    store another number than the one written."""
    value = float(text)
    if value in (_INF, -_INF) or (value == 0.0 and any(
            c in "123456789" for c in text.lower().partition("e")[0])):
        raise ValueError(f"the number {text} is beyond the range of a float (64-bit): it "
                         f"would be {value}; write it without an exponent for a decimal")
    return value


def float_text(value: float) -> str:
    """A float as the shortest Ion text that reads back as the same 64-bit value (8885.99e0),
    where amazon.ion writes 20 significant digits (8885.9899999999997817e+0): an amount that
    looks wrong to the reader, though it is the same float."""
    f = float(value)
    if f != f:
        return "nan"
    if f in (_INF, -_INF):
        return "+inf" if f > 0 else "-inf"
    mantissa, _, exponent = repr(f).partition("e")  # 1.5e-07, 1e+300
    return f"{mantissa}e{int(exponent or 0)}"


# What ion-c's text writer makes of a value it changed (9 fractional digits, 34-digit
# decimals, 4-digit exponents), and of some values it did not: such text is written again by
# amazon.ion's Python writer, which keeps every value exactly.
_ION_C_WROTE = re.compile(r":\d\d\.\d{9}|[\d.]{35}|(?<![\w$])-?\d+(?:\.\d*)?[dD][+-]?\d{4}")
_RUN9 = re.compile(r"[0-9]{9,}")


def dumps_text(value: Any, pretty: bool = False) -> str:
    indent = "  " if pretty else None
    text = simpleion.dumps(value, binary=False, indent=indent, omit_version_marker=True)
    if not _text_alters(text, _RUN9, _EXP_TEXT, _ION_C_WROTE, ("{{", "}}")):  # as above
        return text
    buf = io.BytesIO()
    try:
        simpleion.dump_python(value, buf, binary=False, indent=indent,
                              omit_version_marker=True)
    except Exception:  # a value only ion-c writes (light values): its text stands
        return text
    return buf.getvalue().decode("utf-8")


# The fractional seconds of each millisecond (Decimal('0.123'), Decimal('0.000')), as
# Timestamp's constructor derives them from the microseconds.
_MS_FRACTIONS = tuple(Decimal(ms).scaleb(-3) for ms in range(1000))


def timestamp_ms(when: _dt.datetime) -> Timestamp:
    """A UTC Ion timestamp with millisecond precision, as QLDB writes them.

    Built by Timestamp.__new__ with every attribute given, skipping __init__, which only
    derives and checks `fractional_seconds` (a Decimal quantized in a new Context: about 5 us,
    paid twice a commit, for the block and its statement). tests/engine/test_ion_values.py
    checks the result equals the constructor's for every millisecond."""
    when = when.astimezone(_dt.UTC)
    ms = when.microsecond // 1000
    return Timestamp.__new__(
        Timestamp, when.year, when.month, when.day, when.hour, when.minute, when.second,
        ms * 1000, _dt.UTC, precision=TimestampPrecision.SECOND, fractional_precision=3,
        fractional_seconds=_MS_FRACTIONS[ms])


_last_now: tuple[int, Timestamp | None] = (-1, None)


def now_timestamp() -> Timestamp:
    """The current time as a UTC millisecond timestamp. Building a Timestamp costs a few
    microseconds; an import starts a statement per record, many within one millisecond, so
    the last one is reused while the millisecond lasts (timestamps are immutable)."""
    global _last_now
    ms = _time.time_ns() // 1_000_000
    last_ms, last = _last_now
    if ms == last_ms and last is not None:
        return last
    ts = timestamp_ms(_dt.datetime.fromtimestamp(ms // 1000, _dt.UTC).replace(
        microsecond=ms % 1000 * 1000))  # integer arithmetic: no float rounding of the ms
    _last_now = (ms, ts)
    return ts


def parse_timestamp(text: str) -> Timestamp:
    value = simpleion.loads(text)
    if getattr(value, "ion_type", None) != IonType.TIMESTAMP:
        raise ValueError(f"not an Ion timestamp: {text!r}")
    return value


def timestamp_text(ts: _dt.datetime) -> str:
    return dumps_text(ts)


def struct(*pairs: tuple[str, Any]) -> IonPyDict:
    """An ordered Ion struct from (name, value) pairs."""
    d = IonPyDict()
    for k, v in pairs:
        d[k] = v
    return d


def string(text: str) -> IonPyText:
    return IonPyText.from_value(IonType.STRING, text)


def block_address(strand_id: str, seq: int) -> IonPyDict:
    return struct(("strandId", string(strand_id)), ("sequenceNo", seq))


def ion_list(items: list[Any]) -> IonPyList:
    return IonPyList.from_value(IonType.LIST, items)


def iter_stream(data: bytes | str) -> Iterator[Any]:
    """Top-level values of an Ion stream, one at a time."""
    if isinstance(data, bytes):
        check_framing(data)
    yield from simpleion.load(_as_file(data), single_value=False, parse_eagerly=False,
                              text_buffer_size_limit=text_buffer_limit(data))


def _as_file(data: bytes | str):
    import io

    return io.BytesIO(data if isinstance(data, bytes) else data.encode("utf-8"))


def ion_type(value: Any) -> IonType:
    """The Ion type of an amazon.ion value or of a plain Python value."""
    t = getattr(value, "ion_type", None)
    if t is not None:
        return t
    if isinstance(value, SymbolToken):
        return IonType.SYMBOL
    if value is None:
        return IonType.NULL
    if isinstance(value, bool):
        return IonType.BOOL
    if isinstance(value, int):
        return IonType.INT
    if isinstance(value, float):
        return IonType.FLOAT
    if isinstance(value, Decimal):
        return IonType.DECIMAL
    if isinstance(value, Timestamp) or hasattr(value, "isoformat"):
        return IonType.TIMESTAMP
    if isinstance(value, str):
        return IonType.STRING
    if isinstance(value, bytes | bytearray):
        return IonType.BLOB
    if isinstance(value, dict):
        return IonType.STRUCT
    if isinstance(value, list | tuple):
        return IonType.LIST
    raise TypeError(f"not an Ion value: {type(value).__name__}")
