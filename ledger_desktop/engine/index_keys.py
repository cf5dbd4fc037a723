"""Canonical keys for index entries: values that PartiQL `=` finds equal share a key.

Numbers compare by value across int, decimal and float (1 = 1.0 = 1e0); strings and symbols
by their text; timestamps by the instant they denote. Containers use their Ion Hash, so only
identical values share a key. NULL and MISSING have no key: `x = NULL` is never true.
"""

from __future__ import annotations

import datetime as _dt
import math
from decimal import Decimal
from typing import Any

from amazon.ion.core import IonType

from .ion_hash import ion_hash
from .ion_values import ion_type


def _ion_type(value: Any) -> IonType | None:
    try:
        return ion_type(value)
    except TypeError:
        return None


def _number_key(value: Any) -> bytes:
    if isinstance(value, float):
        if math.isnan(value):
            return b"n:nan"
        if math.isinf(value):
            return b"n:+inf" if value > 0 else b"n:-inf"
        d = Decimal(repr(value))
    else:
        d = Decimal(value)
    if d == 0:
        return b"n:0"
    return b"n:" + format(d.normalize(), "E").encode()


def index_key(value: Any) -> bytes | None:
    """The canonical key of `value`, or None when it can equal nothing (null, missing)."""
    if value is None or getattr(value, "is_null", False) is True:
        return None
    t = _ion_type(value)
    if t is None or t == IonType.NULL:
        return None
    if type(value).__name__ == "IonPyNull":
        return None
    if t == IonType.BOOL:
        return b"b:1" if value else b"b:0"
    if t in (IonType.INT, IonType.FLOAT, IonType.DECIMAL):
        return _number_key(value)
    if t in (IonType.STRING, IonType.SYMBOL):
        text = value if isinstance(value, str) else getattr(value, "text", None)
        if text is None:
            return None
        return b"s:" + str(text).encode("utf-8")
    if t == IonType.TIMESTAMP:
        when = value
        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.UTC)
        utc = when.astimezone(_dt.UTC)
        return b"t:" + utc.strftime("%Y%m%d%H%M%S%f").encode()
    if t in (IonType.BLOB, IonType.CLOB):
        return b"x:" + bytes(value)
    return b"c:" + ion_hash(value)
