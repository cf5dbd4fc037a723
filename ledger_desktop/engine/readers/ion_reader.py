"""Ion documents: a stream of structs or a list of structs, in Ion text or Ion binary.

Ion text is cut into top-level values (and the elements of top-level lists) by a small scanner
that tracks lines, so every record and every error has a line and column; each value is then
parsed by the C extension. Ion binary is streamed by the C extension (no lines in binary:
errors name the value's index).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from amazon.ion import simpleion
from amazon.ion.core import IonType
from amazon.ion.exceptions import IonException
from amazon.ion.simple_types import IonPyNull

from ..ion_framing import check_stream_framing
from ..ion_values import ion_c_alters, load_python, text_buffer_limit
from .base import MAX_RECORD_CHARS, Record, RecordReader, type_name
from .text_buffer import TextWindow

ION_BINARY_MARKER = b"\xe0\x01\x00\xea"

_SPECIAL = re.compile(r"[\"'/{}\[\]()]")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_LONG_STRING = re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.S)
_QUOTED_SYMBOL = re.compile(r"'(?:[^'\\]|\\.)*'", re.S)
_BARE_TOKEN = re.compile(r"[^\s{}\[\](),\"'/]+")
_LOB_STOP = re.compile(r"[\"']|\}\}")
_WS = " \t\n\r\v\f"
# Plain Python values where Ion allows: the same Ion, parsed and hashed faster than IonPy objects.
BARE = simpleion.IonPyValueModel.MAY_BE_BARE
_SYMBOL_TABLE = re.compile(r"\s*(?:\$ion_symbol_table|'\$ion_symbol_table')\s*::")
_POSITION = re.compile(r"^(.*?) at position (\d+)(.*)$", re.S)


class _Unclosed(Exception):
    """The scanner reached the end of the file inside a value."""


class IonTextReader(RecordReader):
    def _records(self) -> Iterator[Record]:
        win = TextWindow(self._raw, self.path)
        self._win = win
        pos = self._skip(win, 0)
        while win.char(pos):
            if win.char(pos) == "[":
                pos = yield from self._list(win, pos)
            else:
                start = pos
                pos = self._value_end(win, pos)
                rec = self._parse(win, start, pos)
                if rec is not None:
                    yield rec
            pos = self._skip(win, pos)

    # -- scanning ------------------------------------------------------------------------

    def _skip(self, win: TextWindow, pos: int) -> int:
        """Skip whitespace and comments."""
        self._comment_at = pos
        try:
            return self._skip_unchecked(win, pos)
        except _Unclosed:
            line, column = win.position(self._comment_at)
            raise self.error("a comment never ends (missing '*/')", line, column) from None

    def _skip_unchecked(self, win: TextWindow, pos: int) -> int:
        while True:
            c = win.char(pos)
            if c and c in _WS:
                pos += 1
            elif c == "/" and win.char(pos + 1) == "/":
                pos = self._find(win, "\n", pos + 2, pos, inclusive=True, eof_ok=True)
            elif c == "/" and win.char(pos + 1) == "*":
                self._comment_at = pos
                pos = self._find(win, "*/", pos + 2, pos, inclusive=True)
            else:
                return pos

    def _find(self, win: TextWindow, text: str, pos: int, start: int, *, inclusive: bool,
              eof_ok: bool = False) -> int:
        while True:
            i = win.buf.find(text, pos - win.base)
            if i >= 0:
                return win.base + i + (len(text) if inclusive else 0)
            self._grow(win, start, eof_ok)
            if win.eof and eof_ok and win.buf.find(text, pos - win.base) < 0:
                return win.end

    def _grow(self, win: TextWindow, start: int, eof_ok: bool = False) -> None:
        if win.end - start > MAX_RECORD_CHARS:
            line, column = win.position(start)
            raise self.error("record too large (or a string never closes)", line, column)
        if not win.fill() and not eof_ok:
            raise _Unclosed()

    def _match(self, win: TextWindow, pattern: re.Pattern[str], pos: int, start: int) -> int:
        """End of `pattern` matched at `pos`, reading on while the match may be cut short."""
        while True:
            m = pattern.match(win.buf, pos - win.base)
            if m is not None and (m.end() < len(win.buf) or win.eof):
                return win.base + m.end()
            if win.eof:
                raise _Unclosed()
            self._grow(win, start)

    def _container_end(self, win: TextWindow, pos: int, start: int) -> int:
        """`pos` is at an opening bracket; return the offset after its closing one."""
        depth = 0
        while True:
            m = _SPECIAL.search(win.buf, pos - win.base)
            if m is None:
                pos = win.end
                self._grow(win, start)
                continue
            pos = win.base + m.start()
            c = m.group()
            if c in "{[(":
                if c == "{" and win.char(pos + 1) == "{":
                    pos = self._lob_end(win, pos, start)
                    continue
                depth += 1
                pos += 1
            elif c in "}])":
                depth -= 1
                pos += 1
                if depth == 0:
                    return pos
            elif c == '"':
                pos = self._match(win, _STRING, pos, start)
            elif c == "'":
                long = win.char(pos + 1) == "'" and win.char(pos + 2) == "'"
                pos = self._match(win, _LONG_STRING if long else _QUOTED_SYMBOL, pos, start)
            else:  # "/": a comment, or an operator inside an s-expression
                nxt = win.char(pos + 1)
                if nxt == "/":
                    pos = self._find(win, "\n", pos + 2, start, inclusive=True, eof_ok=True)
                elif nxt == "*":
                    pos = self._find(win, "*/", pos + 2, start, inclusive=True)
                else:
                    pos += 1

    def _lob_end(self, win: TextWindow, pos: int, start: int) -> int:
        pos += 2
        while True:
            m = _LOB_STOP.search(win.buf, pos - win.base)
            if m is None:
                pos = max(pos, win.end - 1)
                self._grow(win, start)
                continue
            pos = win.base + m.start()
            if m.group() == "}}":
                return pos + 2
            if m.group() == '"':
                pos = self._match(win, _STRING, pos, start)
            else:
                long = win.char(pos + 1) == "'" and win.char(pos + 2) == "'"
                pos = self._match(win, _LONG_STRING if long else _QUOTED_SYMBOL, pos, start)

    def _value_end(self, win: TextWindow, pos: int) -> int:
        """Offset just after the value (with its annotations) that starts at `pos`."""
        start = pos
        try:
            while True:
                c = win.char(pos)
                annotation = False
                if c in ("{", "[", "("):
                    if c == "{" and win.char(pos + 1) == "{":
                        return self._lob_end(win, pos, start)
                    return self._container_end(win, pos, start)
                if c == '"':
                    return self._match(win, _STRING, pos, start)
                if c == "'":
                    if win.char(pos + 1) == "'" and win.char(pos + 2) == "'":
                        return self._match(win, _LONG_STRING, pos, start)
                    pos = self._match(win, _QUOTED_SYMBOL, pos, start)
                else:
                    m = _BARE_TOKEN.match(win.buf, pos - win.base)
                    if m is None:
                        return pos + 1  # a stray delimiter: the parser will name it
                    pos = self._match(win, _BARE_TOKEN, pos, start)
                    annotation = win.buf[pos - win.base - 2:pos - win.base] == "::"
                after = self._skip(win, pos)
                if not annotation and win.char(after) == ":" and win.char(after + 1) == ":":
                    after, annotation = self._skip(win, after + 2), True
                if not annotation:
                    return pos
                pos = after
        except _Unclosed:
            line, column = win.position(start)
            raise self.error("the value starting here never ends (unclosed bracket, string "
                             "or comment)", line, column) from None

    def _list(self, win: TextWindow, pos: int):  # -> Generator[Record, None, int]
        """Yield the elements of the top-level list at `pos`; return the offset after it."""
        pos = self._skip(win, pos + 1)
        while True:
            c = win.char(pos)
            if c == "]":
                return pos + 1
            if not c:
                line, column = win.position(pos)
                raise self.error("the list never ends (missing ']')", line, column)
            start = pos
            pos = self._value_end(win, pos)
            rec = self._parse(win, start, pos)
            if rec is not None:
                yield rec
            pos = self._skip(win, pos)
            c = win.char(pos)
            if c == ",":
                pos = self._skip(win, pos + 1)
            elif c != "]":
                line, column = win.position(pos)
                found = repr(c) if c else "end of file"
                raise self.error(f"expected ',' or ']' in the list, found {found}", line, column)

    # -- parsing -------------------------------------------------------------------------

    def _parse(self, win: TextWindow, start: int, end: int) -> Record | None:
        win.release(start)
        line, column = win.position(start)
        text = win.buf[start - win.base:end - win.base]
        if text == "$ion_1_0" or _SYMBOL_TABLE.match(text):
            # The version marker, and local symbol tables, which amazon.ion reads as system
            # values (no user value: it returns None, which read as a null document).
            return None
        try:
            if ion_c_alters(text):  # values ion-c would change: the Python reader keeps them
                value = load_python(text)
            else:
                value = simpleion.loads(text, value_model=BARE,
                                        text_buffer_size_limit=text_buffer_limit(text))
        except (IonException, ValueError) as e:
            raise self._diagnose(text, line, column, e) from None
        annotations = getattr(value, "ion_annotations", ())
        if annotations and annotations[0].text == "$ion_symbol_table":
            return None  # local symbol tables only matter for symbol ids, unused in text
        return _document(self, value, line, column)

    def _diagnose(self, text: str, line: int, column: int, err: Exception) -> Exception:
        """Locate an error inside one value with the (slower) pure-Python Ion reader."""
        try:
            simpleion.load_python(io.StringIO(text))
        except Exception as e:  # noqa: BLE001 - any parser failure is what we want to report
            m = _POSITION.match(str(e))
            if m:
                offset = int(m.group(2)) - 1
                reason = m.group(1).strip()
                extra = _tidy(m.group(3).split("Pending value")[0].strip(" ."))
                if extra:
                    reason += f" ({extra})"
                newlines = text.count("\n", 0, offset)
                if newlines:
                    return self.error(reason, line + newlines,
                                      offset - text.rfind("\n", 0, offset))
                return self.error(reason, line, column + offset)
            return self.error(str(e) or type(e).__name__, line, column)
        return self.error(f"invalid Ion ({str(err).strip()})", line, column)


_SYMBOL_TOKEN = re.compile(r"SymbolToken\(text='((?:[^'\\]|\\.)*)'[^)]*\)")
_DANGLING = re.compile(r"in unknown value contained in STRUCT\. Dangling field name \('(.*)'\)"
                       r" and/or annotation\(s\) \(None\) at end of container")


def _tidy(detail: str) -> str:
    """The pure-Python reader's detail without its internals: SymbolToken(text='Amount',
    sid=None, location=None) is the field name Amount."""
    detail = _SYMBOL_TOKEN.sub(lambda m: f"'{m.group(1)}'", detail)
    m = _DANGLING.fullmatch(detail)
    if m:
        return f"field {m.group(1)} has no value"
    return detail.replace(" and/or annotation(s) (None)", "")


class IonBinaryReader(RecordReader):
    """Ion binary, streamed value by value; a top-level list is read as one value."""

    def _records(self) -> Iterator[Record]:
        index = 0
        try:  # malformed framing can hang amazon.ion's C extension: check it first
            check_stream_framing(self._raw)
        except IonException as e:
            raise self.error(f"invalid Ion binary ({str(e).strip()})") from None
        self._raw.seek(0)
        values = simpleion.load(self._raw, single_value=False, parse_eagerly=False,
                                value_model=BARE)
        while True:
            index += 1
            try:
                value = next(values)
            except StopIteration:
                return
            except (IonException, ValueError) as e:
                raise self.error(f"value {index}: invalid Ion binary ({str(e).strip()})"
                                 ) from None
            ion_type = getattr(value, "ion_type", IonType.LIST if type(value) is list else None)
            if ion_type == IonType.LIST and not getattr(value, "ion_annotations", ()):
                for i, item in enumerate(value, 1):
                    yield _document(self, item, None, None, f"value {index}, element {i}")
            else:
                yield _document(self, value, None, None, f"value {index}")


def _document(reader: RecordReader, value: Any, line: int | None, column: int | None,
              where: str = "") -> Record:
    if getattr(value, "ion_type", None) != IonType.STRUCT or isinstance(value, IonPyNull):
        prefix = f"{where}: " if where else ""
        raise reader.error(f"{prefix}expected a struct, found {type_name(value)}", line, column)
    return Record(value, line, column)


def is_ion_binary(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == ION_BINARY_MARKER
