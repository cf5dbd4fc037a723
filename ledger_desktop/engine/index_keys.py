"""Canonical keys for index entries: values that PartiQL `=` finds equal share a key.

Numbers compare by value across int, decimal and float (1 = 1.0 = 1e0); strings and symbols
by their text; timestamps by the instant they denote, to the microsecond: timestamps that
differ only below it share a key, and a lookup keeps the documents whose value is the same
instant to the last fractional digit (`same_instant`), as the query's own filter does. The
keys stay those the index entries of existing ledgers were written with. Containers use their
Ion Hash, so only identical values share a key. NULL and MISSING have no key: `x = NULL` is
never true.
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


_DAY = 86400
_CYCLE_DAYS = 146097  # the Gregorian calendar repeats every 400 years (of 146097 days)
_DATE_DAYS = _dt.date.max.toordinal()  # days in years 1-9999


def fraction_digits(ts: Any) -> str:
    """The digits of a timestamp's fraction of a second, without trailing zeros ("" for none).

    amazon.ion keeps Ion's fraction in `fractional_seconds` (a Decimal: `.123456789` is more
    than `microsecond` holds). Digit strings of equal fractions are equal, and they order as
    the fractions do ("05" < "1" < "12")."""
    frac = getattr(ts, "fractional_seconds", None)
    if not isinstance(frac, Decimal):  # a plain datetime
        return f"{ts.microsecond:06d}".rstrip("0")
    _sign, digits, exponent = frac.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return ""  # zero (0d1)
    return "".join(map(str, digits)).rjust(-exponent, "0").rstrip("0")


def timestamp_instant(ts: Any) -> tuple[int, str]:
    """The exact instant of a timestamp: whole seconds since 0001-01-01T00:00Z and the digits
    of the fraction (`fraction_digits`); an unknown offset counts as UTC. Defined, unlike
    datetime's `astimezone`, when the offset moves the instant out of years 1-9999
    (`0001-01-01T00:00+01:00` is 0000-12-31T23:00Z), and ordered as the instants are."""
    seconds = (_dt.date(ts.year, ts.month, ts.day).toordinal() - 1) * _DAY \
        + ts.hour * 3600 + ts.minute * 60 + ts.second
    offset = ts.utcoffset()
    if offset is not None:
        seconds -= offset // _dt.timedelta(seconds=1)
    return seconds, fraction_digits(ts)


def utc_fields(seconds: int) -> tuple[int, int, int, int, int, int]:
    """Year, month, day, hour, minute and second (UTC) of `timestamp_instant`'s seconds, also
    in years 0 and 10000, where an offset can take a timestamp of year 1 or 9999."""
    days, rest = divmod(seconds, _DAY)
    shift = 0
    if days < 0:
        days, shift = days + _CYCLE_DAYS, -400
    elif days >= _DATE_DAYS:
        days, shift = days - _CYCLE_DAYS, 400
    date = _dt.date.fromordinal(days + 1)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return date.year + shift, date.month, date.day, hour, minute, second


def _timestamp_key(value: Any) -> bytes:
    seconds, digits = timestamp_instant(value)
    year, month, day, hour, minute, second = utc_fields(seconds)
    micro = int(digits[:6].ljust(6, "0"))
    if 1 <= year <= 9999:
        # The encoding stored index entries have: strftime's, whose %Y is not zero-padded on
        # Linux (year 7 is "7"); changing it would orphan the entries of existing ledgers.
        text = _dt.datetime(year, month, day, hour, minute, second, micro).strftime(
            "%Y%m%d%H%M%S%f")
    else:
        # Year 0 or 10000: only a query's literal or parameter, never a stored document (Ion
        # binary holds the UTC instant, in years 1-9999). Its 17 digits with a leading 0, or
        # 21 digits, are no other year's key.
        text = f"{year}{month:02d}{day:02d}{hour:02d}{minute:02d}{second:02d}{micro:06d}"
    return b"t:" + text.encode()


def same_instant(a: Any, b: Any) -> bool:
    """False only for two timestamps that share an index key but not their instant (they
    differ below the microsecond): what a lookup by key must still tell apart."""
    if _ion_type(a) != IonType.TIMESTAMP or _ion_type(b) != IonType.TIMESTAMP:
        return True
    return timestamp_instant(a) == timestamp_instant(b)


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
        return _timestamp_key(value)
    if t in (IonType.BLOB, IonType.CLOB):
        return b"x:" + bytes(value)
    return b"c:" + ion_hash(value)
