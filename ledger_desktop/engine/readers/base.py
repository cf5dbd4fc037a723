"""What every record reader shares: the record type, the reader protocol, byte-level progress."""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from ..errors import ImportFileError

#: Bytes read from disk per chunk; readers never hold more than a few chunks plus one record.
CHUNK_SIZE = 1 << 20

#: A single record (its text) may not grow beyond this while we look for its end; it bounds
#: memory when a file is malformed (e.g. a string that never closes).
MAX_RECORD_CHARS = 256 << 20


@dataclass(frozen=True, slots=True)
class Record:
    """One document read from a file, with where it starts (1-based; None when unknown)."""

    value: Any
    line: int | None
    column: int | None = None


# Python refuses to convert an integer of more than 4,300 digits (sys.int_info); its message
# advises a Python setting, which means nothing to someone importing a file.
_INT_LIMIT = re.compile(r"Exceeds the limit \((\d+) digits\) for integer string conversion"
                        r"(?:: value has (\d+) digits)?[^\n]*")


def _plain(reason: str) -> str:
    def say(m: re.Match[str]) -> str:
        size = f"{int(m.group(2)):,}" if m.group(2) else f"more than {int(m.group(1)):,}"
        return f"an integer of {size} digits; at most {int(m.group(1)):,} digits can be imported"
    return _INT_LIMIT.sub(say, reason)


class RecordReader:
    """Iterates the documents of one file; `bytes_done`/`total_bytes` drive progress bars.

    Subclasses implement `_records()`. Use as a context manager or call `close()`.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.name = os.path.basename(self.path)
        try:
            self._raw: BinaryIO = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as e:
            raise ImportFileError(f"cannot open: {e.strerror}", self.path) from None
        self.total_bytes = os.fstat(self._raw.fileno()).st_size

    @property
    def bytes_done(self) -> int:
        try:
            return min(self._raw.tell(), self.total_bytes)
        except (ValueError, OSError):
            return self.total_bytes

    def error(self, reason: str, line: int | None = None, column: int | None = None
              ) -> ImportFileError:
        return ImportFileError(_plain(reason), self.path, line, column)

    def __iter__(self) -> Iterator[Record]:
        return self._records()

    def _records(self) -> Iterator[Record]:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> RecordReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def locate_bad_utf8(raw: BinaryIO) -> tuple[int, int, str] | None:
    """(line, column, reason) of the first bytes of `raw` that are not UTF-8, read from the
    start; None when it all decodes. Readers that decode a chunk at a time learn only that
    some chunk is bad; this names the line to fix. Only called on that error path."""
    raw.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    line, column = 1, 1  # where the next character goes

    def advance(text: str) -> None:
        nonlocal line, column
        n = text.count("\n")
        if n:
            line += n
            column = len(text) - text.rfind("\n")
        else:
            column += len(text)

    while True:
        data = raw.read(CHUNK_SIZE)
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as e:
            # the bytes before the error are valid, and no newline hides in a partial sequence
            advance(bytes(e.object[:e.start]).decode("utf-8", "replace"))
            return line, column, str(e.reason)
        advance(text)
        if not data:
            return None


def type_name(value: Any) -> str:
    """A user-facing name for the type of a value that is not a document."""
    ion_type = getattr(value, "ion_type", None)
    if ion_type is not None:
        # a typed null is its own thing to a reader: "found struct" for null.struct misleads
        null = "null." if type(value).__name__ == "IonPyNull" and ion_type.name != "NULL" else ""
        return null + ion_type.name.lower()
    return {dict: "struct", list: "list", str: "string", int: "int", float: "float",
            bool: "bool", type(None): "null"}.get(type(value), type(value).__name__)


class LineCounter:
    """Maps absolute character offsets of a forward-only text scan to (line, column), 1-based.

    Offsets passed to `at` must not decrease; only the text between the last offset and the new
    one is counted, so the cost is linear in the file size.
    """

    def __init__(self) -> None:
        self.line = 1
        self._pos = 0          # absolute offset counted up to
        self._last_nl = -1     # absolute offset of the last newline before _pos

    def at(self, buf: str, base: int, pos: int) -> tuple[int, int]:
        """(line, column) of absolute offset `pos`; `buf[0]` is absolute offset `base`."""
        if pos > self._pos:
            start = max(self._pos - base, 0)
            end = pos - base
            n = buf.count("\n", start, end)
            if n:
                self.line += n
                self._last_nl = base + buf.rfind("\n", start, end)
            self._pos = pos
        return self.line, pos - self._last_nl
