"""Ion -> JSON down-conversion, following the Ion cookbook rules that QLDB's JSON exports use.

| Ion | JSON |
| typed nulls | null |
| int, decimal | number, full precision (decimal digits kept as written) |
| float | number; nan and +-inf become null |
| timestamp | string in Ion text form, e.g. "2019-09-16T19:37:05.344Z" |
| symbol, string | string |
| clob | string: bytes 0x20-0x7E as ASCII, others as \\u00XX |
| blob | base64 string |
| struct | object; list, sexp: array |
| annotations | dropped |

The conversion is lossy by design (types are not recoverable), which is why JSON exports cannot
be re-hashed; plain Python values (dict, list, str, int, Decimal, bytes, datetime ...) work too.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
from decimal import Decimal
from typing import Any

from amazon.ion.core import IonType, Timestamp, TimestampPrecision
from amazon.ion.simple_types import (
    IonPyBytes,
    IonPyDict,
    IonPyInt,
    IonPyList,
    IonPyNull,
    IonPyText,
    IonPyTimestamp,
)
from amazon.ion.symbols import SymbolToken

from . import light_values as light
from .ion_values import dumps_text

_string = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


def to_json(value: Any) -> str:
    """Compact JSON text for one Ion value."""
    out: list[str] = []
    _emit(value, out)
    return "".join(out)


def timestamp_text(ts: _dt.datetime) -> str:
    """The Ion text form of a timestamp (its precision and offset kept)."""
    precision = getattr(ts, "precision", None)
    off = ts.utcoffset()
    if (precision in (None, TimestampPrecision.SECOND) and off is not None and not off
            and getattr(ts, "fractional_precision", 3) == 3):
        # QLDB's own timestamps (UTC, milliseconds): the common case, formatted directly.
        return (f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}T{ts.hour:02d}:{ts.minute:02d}:"
                f"{ts.second:02d}.{ts.microsecond // 1000:03d}Z")
    if not isinstance(ts, Timestamp):
        return ts.isoformat()
    bare = IonPyTimestamp.from_value(IonType.TIMESTAMP, ts)  # without annotations
    # dumps_text: ion-c's writer cuts a fraction of more than 9 digits to 9 (reliability 117)
    return dumps_text(bare)


def _clob(data: bytes) -> str:
    parts = ['"']
    for b in data:
        if 0x20 <= b <= 0x7E:
            parts.append("\\" + chr(b) if b in (0x22, 0x5C) else chr(b))
        else:
            parts.append(f"\\u{b:04x}")
    parts.append('"')
    return "".join(parts)


_keys: dict[str, str] = {}  # field name -> its JSON text (names repeat from value to value)


def _key(k: Any) -> str:
    if type(k) is not str:
        return _string(str(getattr(k, "text", k)))
    text = _keys.get(k)
    if text is None:
        text = _string(k)
        if len(_keys) < 65536:
            _keys[k] = text
    return text


def _struct(v: Any, out: list[str]) -> None:
    out.append("{")
    first = True
    # IonPyDict.items() builds a list from iteritems(); hasattr-free dispatch by exact type
    for k, item in (v.iteritems() if type(v) is IonPyDict else v.items()):
        if not first:
            out.append(",")
        first = False
        out.append(_key(k))
        out.append(":")
        _emit(item, out)
    out.append("}")


def _sequence(v: Any, out: list[str]) -> None:
    out.append("[")
    for i, item in enumerate(v):
        if i:
            out.append(",")
        _emit(item, out)
    out.append("]")


def _text(v: Any, out: list[str]) -> None:
    if getattr(v, "ion_type", None) == IonType.SYMBOL:
        _emit_slow(v, out)
    else:
        out.append(_string(v))


def _bytes(v: Any, out: list[str]) -> None:
    if getattr(v, "ion_type", None) == IonType.CLOB:
        out.append(_clob(bytes(v)))
    else:
        out.append('"' + base64.b64encode(bytes(v)).decode("ascii") + '"')


def _exact_int(v: Any, out: list[str]) -> None:
    out.append(str(int(v)))


def _plain_text(v: str, out: list[str]) -> None:  # str and light.Text are never symbols
    out.append(_string(v))


def _plain_blob(v: bytes, out: list[str]) -> None:  # bytes and light.Blob are never clobs
    out.append('"' + base64.b64encode(v).decode("ascii") + '"')


def _plain_decimal(v: Decimal, out: list[str]) -> None:
    out.append(str(v) if v.is_finite() else "null")


def _plain_float(v: float, out: list[str]) -> None:
    out.append(repr(v) if math.isfinite(v) else "null")


def _plain_timestamp(v: Any, out: list[str]) -> None:
    out.append('"' + timestamp_text(v) + '"')


def _symbol(v: Any, out: list[str]) -> None:
    text = getattr(v, "text", None)
    out.append("null" if text is None else _string(text))


# The types amazon.ion and plain Python produce most, by exact type: a dict lookup instead of a
# chain of isinstance checks (the chain below still handles everything else). Plain types skip
# the `ion_type` lookup, which fails on them (a caught AttributeError each time).
_FAST = {
    dict: _struct, IonPyDict: _struct, list: _sequence, IonPyList: _sequence, tuple: _sequence,
    str: _plain_text, IonPyText: _text, bytes: _plain_blob, IonPyBytes: _bytes, int: _exact_int,
    IonPyInt: lambda v, out: _emit_slow(v, out),  # may carry a bool's ion_type
    SymbolToken: _symbol, bool: lambda v, out: out.append("true" if v else "false"),
    type(None): lambda v, out: out.append("null"), IonPyNull: lambda v, out: out.append("null"),
    Decimal: _plain_decimal, float: _plain_float, Timestamp: _plain_timestamp,
    light.Struct: _struct, light.List: _sequence, light.Text: _plain_text,
    light.Int: _exact_int, light.Blob: _plain_blob,
}


def _emit(v: Any, out: list[str]) -> None:
    fast = _FAST.get(type(v))
    if fast is not None:
        fast(v, out)
    else:
        _emit_slow(v, out)


def _emit_slow(v: Any, out: list[str]) -> None:
    ion_type = getattr(v, "ion_type", None)
    if v is None or isinstance(v, IonPyNull):
        out.append("null")
    elif ion_type == IonType.STRUCT or (ion_type is None and isinstance(v, dict)):
        _struct(v, out)
    elif ion_type in (IonType.LIST, IonType.SEXP) or (
            ion_type is None and isinstance(v, list | tuple) and not isinstance(v, SymbolToken)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _emit(item, out)
        out.append("]")
    elif ion_type == IonType.STRING or (ion_type is None and isinstance(v, str)):
        out.append(_string(v))
    elif ion_type == IonType.SYMBOL or isinstance(v, SymbolToken):
        _symbol(v, out)
    elif isinstance(v, bool) or ion_type == IonType.BOOL:  # IonPyBool is an int, not a bool
        out.append("true" if v else "false")
    elif isinstance(v, int):
        out.append(str(int(v)))
    elif isinstance(v, float):
        out.append(repr(float(v)) if math.isfinite(v) else "null")
    elif isinstance(v, Decimal):
        out.append(str(Decimal(v)) if v.is_finite() else "null")
    elif isinstance(v, _dt.datetime):
        out.append('"' + timestamp_text(v) + '"')
    elif ion_type == IonType.CLOB:
        out.append(_clob(bytes(v)))
    elif isinstance(v, bytes | bytearray | memoryview):
        out.append('"' + base64.b64encode(bytes(v)).decode("ascii") + '"')
    else:
        raise TypeError(f"cannot convert {type(v).__name__} to JSON")
