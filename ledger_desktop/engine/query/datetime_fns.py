"""PartiQL's date and time functions over Ion timestamps (which keep their precision)."""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from amazon.ion.core import Timestamp, TimestampPrecision

from ..index_keys import timestamp_instant, utc_fields

PARTS = ("year", "month", "day", "hour", "minute", "second")
_PRECISION_OF_PART = {"year": TimestampPrecision.YEAR, "month": TimestampPrecision.MONTH,
                      "day": TimestampPrecision.DAY, "hour": TimestampPrecision.MINUTE,
                      "minute": TimestampPrecision.MINUTE, "second": TimestampPrecision.SECOND}


class DateError(ValueError):
    pass


def _precision(ts: Any) -> TimestampPrecision:
    p = getattr(ts, "precision", None)
    return p if p is not None else TimestampPrecision.SECOND


def _sub_micro_fraction(ts: Any) -> Decimal | None:
    """The fraction of a second when it has digits below the microsecond (`.123456789`),
    which a datetime's `microsecond` cuts off, else None."""
    frac = getattr(ts, "fractional_seconds", None)
    if isinstance(frac, Decimal) and isinstance(e := frac.as_tuple().exponent, int) and e < -6:
        return frac
    return None


def _rebuild(src: Any, when: _dt.datetime, precision: TimestampPrecision) -> Timestamp:
    fine = _sub_micro_fraction(src) if precision == TimestampPrecision.SECOND else None
    if fine is not None:
        # Whole units were added, so the fraction is the source's, to its last digit.
        return Timestamp(when.year, when.month, when.day, when.hour, when.minute, when.second,
                         when.microsecond, when.tzinfo, precision=precision,
                         fractional_seconds=fine)
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


def date_diff(part: str, a: Any, b: Any) -> int:
    """Whole `part` units from `a` to `b` (negative when b is earlier), truncated."""
    if part not in PARTS:
        raise DateError(f"unknown date part {part!r}; use one of {', '.join(PARTS)}")
    # Exact instants (every fractional digit; UTC may fall in year 0 or 10000 for a year-1
    # or year-9999 timestamp with an offset), not datetimes.
    x, y = timestamp_instant(a), timestamp_instant(b)
    if part in ("year", "month"):
        sign = 1
        if y < x:
            x, y, sign = y, x, -1
        fx, fy = utc_fields(x[0]) + (x[1],), utc_fields(y[0]) + (y[1],)
        months = (fy[0] - fx[0]) * 12 + (fy[1] - fx[1])
        if fy[2:] < fx[2:]:  # day, hour, minute, second, fraction digits
            months -= 1
        return sign * (months // 12 if part == "year" else months)
    seconds = y[0] - x[0] + _fraction(y[1]) - _fraction(x[1])
    unit = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}[part]
    return int(seconds / unit)  # toward zero


def _fraction(digits: str) -> Fraction:
    return Fraction(int(digits), 10 ** len(digits)) if digits else Fraction(0)


def extract(part: str, ts: Any) -> Any:
    if part in ("year", "month", "day", "hour", "minute"):
        return getattr(ts, part)
    if part == "second":
        fine = _sub_micro_fraction(ts)
        if fine is not None:  # "0.123456789" after the whole seconds, exactly
            return Decimal(f"{ts.second}{format(fine, 'f')[1:]}")
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
# A pattern is quoted text, runs of one letter (Java's DateTimeFormatter reads `yyyyy` as one
# five-letter field, never as `yyyy` + `y`), or other characters taken literally.
_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")
_MONTHS = list(calendar.month_name)
_MONTHS_ABBR = list(calendar.month_abbr)
# The longest run each letter allows, as in Java (QLDB's documented set, and its longer forms).
_MAX_RUN = {"y": 19, "M": 5, "d": 2, "H": 2, "h": 2, "a": 1, "m": 2, "s": 2, "S": 9, "n": 19,
            "X": 5, "x": 5}
_LETTERS = "y yy yyyy M MM MMM MMMM d dd a h hh H HH m mm s ss S… n X… x…"


def _tokens(pattern: str) -> list[str]:
    out = []
    for m in _TOKEN.finditer(pattern):
        tok = m.group(0)
        if tok[0].isalpha():
            limit = _MAX_RUN.get(tok[0])
            if limit is None:
                raise DateError(f"unsupported pattern letter {tok[0]!r} in {pattern!r}; "
                                f"the letters are {_LETTERS} (quote other text: 'T')")
            if len(tok) > limit:
                raise DateError(f"too many pattern letters {tok!r} in {pattern!r}: "
                                f"{tok[0]!r} takes at most {limit}")
        out.append(tok)
    return out


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


def _fraction_digits(ts: Any) -> str:
    """Nine digits of the second's fraction (an Ion timestamp may hold more than micro)."""
    frac = getattr(ts, "fractional_seconds", None)
    if isinstance(frac, Decimal):
        return f"{int(frac.scaleb(9).to_integral_value(rounding='ROUND_DOWN')):09d}"
    return f"{ts.microsecond:06d}000"


def to_string(ts: Any, pattern: str) -> str:
    """Format a timestamp with a Java-style pattern (yyyy MM dd HH mm ss SSS a X …)."""
    out = []
    for tok in _tokens(pattern):
        letter, n = tok[0], len(tok)
        if letter == "'":
            out.append(tok[1:-1].replace("''", "'") if n > 2 else "'")
        elif letter == "y":  # yy: two digits; y: as is; 3 or more: at least that many digits
            out.append(f"{ts.year % 100:02d}" if n == 2 else
                       str(ts.year) if n == 1 else f"{ts.year:0{n}d}")
        elif letter == "M":
            out.append(str(ts.month) if n == 1 else f"{ts.month:02d}" if n == 2 else
                       _MONTHS_ABBR[ts.month] if n == 3 else _MONTHS[ts.month] if n == 4 else
                       _MONTHS[ts.month][0])
        elif letter in "dHmsh":
            v = {"d": ts.day, "H": ts.hour, "m": ts.minute, "s": ts.second,
                 "h": ts.hour % 12 or 12}[letter]
            out.append(f"{v:02d}" if n == 2 else str(v))
        elif letter == "a":
            out.append("AM" if ts.hour < 12 else "PM")
        elif letter == "S":
            out.append(_fraction_digits(ts)[:n])
        elif letter == "n":
            out.append(f"{int(_fraction_digits(ts)):0{n}d}")
        elif letter in "Xx":
            out.append(_offset_text(ts, tok))
        else:
            out.append(tok)
    return "".join(out)


def to_timestamp(text: str, pattern: str) -> Timestamp:
    """Parse `text` with a Java-style pattern; the result's precision is the finest field.
    A one-letter field takes one or more digits; a padded one (yyyy MM dd HH hh mm ss)
    requires its digits, as QLDB documents."""
    regex = []
    fields: list[str] = []
    for tok in _tokens(pattern):
        letter, n = tok[0], len(tok)
        if letter == "'":
            regex.append(re.escape(tok[1:-1].replace("''", "'") if n > 2 else "'"))
        elif letter == "y" and n != 2:
            regex.append(r"(\d{1,4})" if n == 1 else rf"(\d{{{n},4}})" if n <= 4 else
                         rf"(0{{{n - 4}}}\d{{4}})")
            fields.append("year")
        elif letter == "y":
            regex.append(r"(\d{2})")
            fields.append("yy")
        elif letter == "M" and n in (3, 4):
            regex.append(r"([A-Za-z]+)")
            fields.append("month_name")
        elif letter == "M" and n == 5:
            raise DateError(f"{tok!r} (a month's first letter) cannot be parsed: it does not "
                            "say which month")
        elif letter in "MdHhms":
            regex.append(r"(\d{2})" if n == 2 else r"(\d{1,2})")
            fields.append({"M": "month", "d": "day", "H": "hour", "h": "hour12",
                           "m": "minute", "s": "second"}[letter])
        elif letter == "a":
            regex.append(r"((?i:AM|PM))")
            fields.append("ampm")
        elif letter == "S":
            regex.append(r"(\d{" + str(n) + "})")
            fields.append("fraction")
        elif letter == "n":
            raise DateError(f"{tok!r} (nanoseconds) cannot be parsed; use S… for the fraction")
        elif letter in "Xx":
            regex.append(r"(Z|[+-]\d{2}(?::?\d{2})?)")
            fields.append("offset")
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
        if not 1 <= int(vals["hour12"]) <= 12:  # '13 PM' was 13:00
            raise DateError(f"{vals['hour12']!r} in {text!r} is not an hour of a 12-hour "
                            "clock (1-12)")
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
            hours, mins = int(digits[:2]), int(digits[2:4] or 0)
            if hours > 23 or mins > 59:  # Ion's offsets: -23:59 to +23:59
                raise DateError(f"{o!r} in {text!r} is not a valid offset (hours 00-23, "
                                "minutes 00-59)")
            tz = _dt.timezone(sign * _dt.timedelta(hours=hours, minutes=mins))
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
    # The fraction as a Decimal keeps all of SSSSSSSSS's digits (`fractional_precision`
    # stops at 6); seconds without a fraction get none (not `.000000`).
    return Timestamp(year, month, day, hour, minute, second, micro,
                     tz if precision >= TimestampPrecision.MINUTE else None,
                     precision=precision,
                     fractional_seconds=Decimal("0." + frac_text) if frac_text else Decimal(0))
