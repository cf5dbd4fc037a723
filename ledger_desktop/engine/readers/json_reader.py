"""JSON documents: one object, an array of objects, concatenated objects, or JSON Lines.

Numbers follow Ion's reading of JSON text: integers become Ion ints, numbers with a fraction
become decimals (their digits kept), numbers with an exponent become floats.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..ion_values import float_from_text
from ..light_values import Struct, Text
from .base import MAX_RECORD_CHARS, Record, RecordReader, type_name
from .text_buffer import TextWindow

_WS = " \t\n\r"


def _parse_float(text: str) -> Decimal | float:
    # out of a float's range: a ValueError, which the reader reports at its line
    return float_from_text(text) if ("e" in text or "E" in text) else Decimal(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _check_text(text: str, what: str) -> None:
    # JSON's "\ud800" escape makes a lone surrogate, which is not Unicode text: Ion cannot
    # hold it, and amazon.ion's C writer loops forever on a field name holding one.
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ValueError(f"{what} holds a lone surrogate (\\u{ord(text[e.start]):04x}), "
                             "which is not valid Unicode text") from None


def _object(pairs: list[tuple[str, Any]]) -> Struct:
    # Objects and their string members as light values: the same Ion, but amazon.ion's C
    # writer (every imported document is written at commit) skips its failing attribute
    # lookups on them (see light_values), about 10% of an import.
    out = []
    for k, v in pairs:
        _check_text(k, "a field name")
        if type(v) is str:
            _check_text(v, f"field {k!r}")
            v = Text(v)
        out.append((k, v))
    struct = Struct(out)
    if len(struct) != len(out):
        # A dict keeps the last value of a repeated key: the others would be lost unseen.
        seen: set[str] = set()
        for k, _ in out:
            if k in seen:
                raise ValueError(f"the key {k!r} appears more than once in one object; "
                                 "keeping one value would lose the others")
            seen.add(k)
    return struct


DECODER = json.JSONDecoder(parse_float=_parse_float, parse_constant=_reject_constant,
                           object_pairs_hook=_object)


def _where(err: json.JSONDecodeError, line: int, column: int) -> tuple[int, int]:
    """Absolute (line, column) of an error inside a value that starts at (line, column)."""
    if err.lineno == 1:
        return line, column + err.colno - 1
    return line + err.lineno - 1, err.colno


class JsonReader(RecordReader):
    """A JSON file: top-level objects, or top-level arrays whose elements are objects."""

    def _records(self) -> Iterator[Record]:
        win = TextWindow(self._raw, self.path)
        pos = 0
        while True:
            pos = self._skip_ws(win, pos)
            c = win.char(pos)
            if not c:
                return
            if c == "[":
                yield from self._array(win, pos)
                pos = self._after_array
            else:
                value, pos = self._value(win, pos)
                yield self._document(value)

    def _skip_ws(self, win: TextWindow, pos: int) -> int:
        while True:
            c = win.char(pos)
            if c and c in _WS:
                pos += 1
                continue
            return pos

    def _value(self, win: TextWindow, pos: int) -> tuple[Record, int]:
        """Decode the value at absolute `pos`, loading more text while it is incomplete."""
        win.release(pos)
        line, column = win.position(pos)
        while True:
            try:
                value, end = DECODER.raw_decode(win.buf, pos - win.base)
            except json.JSONDecodeError as e:
                incomplete = not win.eof and (win.end - pos) < MAX_RECORD_CHARS
                if incomplete and win.fill(at_least=win.end - pos):
                    continue
                if not win.eof:
                    raise self.error("record too large (or a string never closes)",
                                     line, column) from None
                rel = json.JSONDecodeError(e.msg, win.buf[pos - win.base:],
                                           e.pos - (pos - win.base))
                raise self.error(e.msg, *_where(rel, line, column)) from None
            except (ValueError, RecursionError) as e:
                raise self.error(str(e) or "value nested too deeply", line, column) from None
            return Record(value, line, column), win.base + end

    def _array(self, win: TextWindow, pos: int) -> Iterator[Record]:
        pos = self._skip_ws(win, pos + 1)
        if win.char(pos) == "]":
            self._after_array = pos + 1
            return
        while True:
            rec, pos = self._value(win, pos)
            yield self._document(rec)
            pos = self._skip_ws(win, pos)
            c = win.char(pos)
            if c == ",":
                pos = self._skip_ws(win, pos + 1)
                continue
            if c == "]":
                self._after_array = pos + 1
                return
            win.release(pos)
            line, column = win.position(pos)
            found = repr(c) if c else "end of file"
            raise self.error(f"expected ',' or ']' in the array, found {found}", line, column)

    def _document(self, rec: Record) -> Record:
        if not isinstance(rec.value, dict):
            raise self.error(f"expected an object, found {type_name(rec.value)}",
                             rec.line, rec.column)
        return rec


class JsonLinesReader(RecordReader):
    """JSON Lines: one object per line; blank lines are skipped."""

    def _records(self) -> Iterator[Record]:
        decode = DECODER.decode
        for number, raw in enumerate(self._raw, 1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as e:
                column = len(raw[:e.start].decode("utf-8-sig", "replace")) + 1  # characters
                raise self.error(f"not valid UTF-8 ({e.reason})", number, column) from None
            if not text.strip():
                continue
            try:
                # without its line ending: a record cut short is then reported where it stops,
                # not at column 1 (the decoder placed the error past the line ending)
                value = decode(text.rstrip("\r\n"))
            except json.JSONDecodeError as e:
                raise self.error(e.msg, number, e.colno) from None
            except (ValueError, RecursionError) as e:
                raise self.error(str(e) or "value nested too deeply", number) from None
            if not isinstance(value, dict):
                raise self.error(f"expected an object, found {type_name(value)}", number, 1)
            yield Record(value, number, 1)
