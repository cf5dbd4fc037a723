"""PartiQL's date and time functions over Ion timestamps (which keep their precision)."""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from decimal import Decimal
from typing import Any

from amazon.ion.core import Timestamp, TimestampPrecision

PARTS = ("year", "month", "day", "hour", "minute", "second")
_PRECISION_OF_PART = {"year": TimestampPrecision.YEAR, "month": TimestampPrecision.MONTH,
                      "day": TimestampPrecision.DAY, "hour": TimestampPrecision.MINUTE,
                      "minute": TimestampPrecision.MINUTE, "second": TimestampPrecision.SECOND}


class DateError(ValueError):
    pass


def _precision(ts: Any) -> TimestampPrecision:
    p = getattr(ts, "precision", None)
    return p if p is not None else TimestampPrecision.SECOND


def _rebuild(src: Any, when: _dt.datetime, precision: TimestampPrecision) -> Timestamp:
    frac = getattr(src, "fractional_precision", None) if precision == TimestampPrecision.SECOND \
        else None
    if precision == TimestampPrecision.SECOND and frac is None and when.microsecond:
        frac = 6
    tz = when.tzinfo if precision >= TimestampPrecision.MINUTE else None
    return Timestamp(when.year, when.month, when.day, when.hour, when.minute, when.second,
                     when.microsecond if frac else 0, tz, precision=precision,
                     fractional_precision=frac)


def date_add(part: str, amount: int, ts: Any) -> Timestamp:
    """`ts` moved by `amount` units; the result is at least as precise as the unit."""
    if part not in PARTS:
        raise DateError(f"unknown date part {part!r}; use one of {', '.join(PARTS)}")
    precision = max(_precision(ts), _PRECISION_OF_PART[part])
    base = _dt.datetime(ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second,
                        ts.microsecond, ts.tzinfo)
    if part in ("year", "month"):
        months = amount * (12 if part == "year" else 1)
        total = base.year * 12 + (base.month - 1) + months
        year, month = divmod(total, 12)
        month += 1
        if not 1 <= year <= 9999:
            raise DateError("the result is outside the years 1 to 9999")
        day = min(base.day, calendar.monthrange(year, month)[1])
        when = base.replace(year=year, month=month, day=day)
    else:
        unit = {"day": _dt.timedelta(days=1), "hour": _dt.timedelta(hours=1),
                "minute": _dt.timedelta(minutes=1), "second": _dt.timedelta(seconds=1)}[part]
        try:
            when = base + unit * amount
        except OverflowError:
            raise DateError("the result is outside the years 1 to 9999") from None
    return _rebuild(ts, when, precision)


def _aware(ts: Any) -> _dt.datetime:
    d = _dt.datetime(ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second, ts.microsecond,
                     ts.tzinfo or _dt.UTC)
    return d.astimezone(_dt.UTC)


def date_diff(part: str, a: Any, b: Any) -> int:
    """Whole `part` units from `a` to `b` (negative when b is earlier), truncated."""
    if part not in PARTS:
        raise DateError(f"unknown date part {part!r}; use one of {', '.join(PARTS)}")
    x, y = _aware(a), _aware(b)
    if part in ("year", "month"):
        sign = 1
        if y < x:
            x, y, sign = y, x, -1
        months = (y.year - x.year) * 12 + (y.month - x.month)
        rest_x = (x.day, x.hour, x.minute, x.second, x.microsecond)
        rest_y = (y.day, y.hour, y.minute, y.second, y.microsecond)
        if rest_y < rest_x:
            months -= 1
        return sign * (months // 12 if part == "year" else months)
    seconds = (y - x).total_seconds()
    unit = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}[part]
    return int(seconds / unit)


def extract(part: str, ts: Any) -> Any:
    if part in ("year", "month", "day", "hour", "minute"):
        return getattr(ts, part)
    if part == "second":
        frac = getattr(ts, "fractional_precision", None)
        if frac:
            return Decimal(ts.second) + Decimal(ts.microsecond).scaleb(-6).quantize(
                Decimal(1).scaleb(-frac))
        return ts.second
    if part in ("timezone_hour", "timezone_minute"):
        off = ts.utcoffset()
        minutes = 0 if off is None else int(off.total_seconds() // 60)
        sign = -1 if minutes < 0 else 1
        h, m = divmod(abs(minutes), 60)
        return sign * (h if part == "timezone_hour" else m)
    raise DateError(f"unknown date part {part!r}; use one of {', '.join(PARTS)}, "
                    "timezone_hour, timezone_minute")


# ---------------------------------------------------------------- TO_STRING / TO_TIMESTAMP
_TOKEN = re.compile(r"'(?:[^']|'')*'|yyyy|yy|y|MMMM|MMM|MM|M|dd|d|HH|H|hh|h|a|mm|m|ss|s|"
                    r"SSSSSSSSS|SSSSSS|SSS|SS|S|n|XXXXX|XXXX|XXX|XX|X|xxxxx|xxxx|xxx|xx|x|"
                    r"[A-Za-z]|[^A-Za-z']+")
_MONTHS = list(calendar.month_name)
_MONTHS_ABBR = list(calendar.month_abbr)


def _offset_text(ts: Any, tok: str) -> str:
    off = ts.utcoffset()
    minutes = 0 if off is None else int(off.total_seconds() // 60)
    if tok.startswith("X") and minutes == 0:
        return "Z"
    sign = "-" if minutes < 0 else "+"
    h, m = divmod(abs(minutes), 60)
    n = len(tok)
    if n == 1:
        return f"{sign}{h:02d}" + (f"{m:02d}" if m else "")
    if n in (2, 4):
        return f"{sign}{h:02d}{m:02d}"
    return f"{sign}{h:02d}:{m:02d}"


def to_string(ts: Any, pattern: str) -> str:
    """Format a timestamp with a Java-style pattern (yyyy MM dd HH mm ss SSS a X …)."""
    out = []
    for tok in _TOKEN.findall(pattern):
        if tok.startswith("'"):
            out.append(tok[1:-1].replace("''", "'") if len(tok) > 2 else "'")
        elif tok in ("yyyy", "y"):
            out.append(f"{ts.year:04d}" if tok == "yyyy" else str(ts.year))
        elif tok == "yy":
            out.append(f"{ts.year % 100:02d}")
        elif tok == "MMMM":
            out.append(_MONTHS[ts.month])
        elif tok == "MMM":
            out.append(_MONTHS_ABBR[ts.month])
        elif tok == "MM":
            out.append(f"{ts.month:02d}")
        elif tok == "M":
            out.append(str(ts.month))
        elif tok in ("dd", "d"):
            out.append(f"{ts.day:02d}" if tok == "dd" else str(ts.day))
        elif tok in ("HH", "H"):
            out.append(f"{ts.hour:02d}" if tok == "HH" else str(ts.hour))
        elif tok in ("hh", "h"):
            h12 = ts.hour % 12 or 12
            out.append(f"{h12:02d}" if tok == "hh" else str(h12))
        elif tok == "a":
            out.append("AM" if ts.hour < 12 else "PM")
        elif tok in ("mm", "m"):
            out.append(f"{ts.minute:02d}" if tok == "mm" else str(ts.minute))
        elif tok in ("ss", "s"):
            out.append(f"{ts.second:02d}" if tok == "ss" else str(ts.second))
        elif tok.startswith("S"):
            out.append(f"{ts.microsecond:06d}{'000'}"[:len(tok)])
        elif tok == "n":
            out.append(str(ts.microsecond * 1000))
        elif tok[0] in "Xx":
            out.append(_offset_text(ts, tok))
        elif tok.isalpha() and len(tok) == 1:
            raise DateError(f"unsupported pattern letter {tok!r} in {pattern!r}")
        else:
            out.append(tok)
    return "".join(out)


def to_timestamp(text: str, pattern: str) -> Timestamp:
    """Parse `text` with a Java-style pattern; the result's precision is the finest field."""
    regex = []
    fields: list[str] = []
    for tok in _TOKEN.findall(pattern):
        if tok.startswith("'"):
            regex.append(re.escape(tok[1:-1].replace("''", "'") if len(tok) > 2 else "'"))
        elif tok in ("yyyy", "y"):
            regex.append(r"(\d{1,4})")
            fields.append("year")
        elif tok == "yy":
            regex.append(r"(\d{2})")
            fields.append("yy")
        elif tok in ("MMMM", "MMM"):
            regex.append(r"([A-Za-z]+)")
            fields.append("month_name")
        elif tok in ("MM", "M", "dd", "d", "HH", "H", "hh", "h", "mm", "m", "ss", "s"):
            regex.append(r"(\d{2})" if len(tok) == 2 else r"(\d{1,2})")
            fields.append({"M": "month", "d": "day", "H": "hour", "h": "hour12",
                           "m": "minute", "s": "second"}[tok[0]])
        elif tok == "a":
            regex.append(r"(AM|PM|am|pm)")
            fields.append("ampm")
        elif tok.startswith("S"):
            regex.append(r"(\d{" + str(len(tok)) + "})")
            fields.append("fraction")
        elif tok[0] in "Xx":
            regex.append(r"(Z|[+-]\d{2}(?::?\d{2})?)")
            fields.append("offset")
        elif tok.isalpha() and len(tok) == 1:
            raise DateError(f"unsupported pattern letter {tok!r} in {pattern!r}")
        else:
            regex.append(re.escape(tok))
    m = re.fullmatch("".join(regex), text)
    if m is None:
        raise DateError(f"{text!r} does not match the pattern {pattern!r}")
    vals: dict[str, Any] = {}
    for name, val in zip(fields, m.groups(), strict=True):
        vals[name] = val
    if "year" in vals:
        year = int(vals["year"])
    elif "yy" in vals:
        yy = int(vals["yy"])
        year = 2000 + yy if yy < 70 else 1900 + yy
    else:
        year = 1970
    if "month_name" in vals:
        names = [n.lower() for n in _MONTHS]
        abbrs = [n.lower() for n in _MONTHS_ABBR]
        low = vals["month_name"].lower()
        month = names.index(low) if low in names else abbrs.index(low) if low in abbrs else 0
        if not month:
            raise DateError(f"unknown month name {vals['month_name']!r}")
    else:
        month = int(vals.get("month", 1))
    day = int(vals.get("day", 1))
    hour = int(vals.get("hour", 0))
    if "hour12" in vals:
        hour = int(vals["hour12"]) % 12 + (12 if vals.get("ampm", "AM").upper() == "PM" else 0)
    minute = int(vals.get("minute", 0))
    second = int(vals.get("second", 0))
    frac_text = vals.get("fraction")
    micro = int((frac_text + "000000")[:6]) if frac_text else 0
    tz: _dt.tzinfo | None = None
    if "offset" in vals:
        o = vals["offset"]
        if o == "Z":
            tz = _dt.UTC
        else:
            sign = -1 if o[0] == "-" else 1
            digits = o[1:].replace(":", "")
            mins = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
            tz = _dt.timezone(sign * _dt.timedelta(minutes=mins))
    if "second" in vals or frac_text:
        precision = TimestampPrecision.SECOND
    elif "minute" in vals or "hour" in vals or "hour12" in vals:
        precision = TimestampPrecision.MINUTE
    elif "day" in vals:
        precision = TimestampPrecision.DAY
    elif "month" in vals or "month_name" in vals:
        precision = TimestampPrecision.MONTH
    else:
        precision = TimestampPrecision.YEAR
    if precision >= TimestampPrecision.MINUTE and tz is None:
        tz = _dt.UTC
    try:
        _dt.datetime(year, month, day, hour, minute, second, micro)
    except ValueError as e:
        raise DateError(f"{text!r} is not a valid date: {e}") from None
    return Timestamp(year, month, day, hour, minute, second, micro if frac_text else 0,
                     tz if precision >= TimestampPrecision.MINUTE else None,
                     precision=precision,
                     fractional_precision=len(frac_text) if frac_text else None)
