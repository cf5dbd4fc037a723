"""A forward-only window over a UTF-8 text file, refilled in chunks, for value scanners."""

from __future__ import annotations

import codecs
from typing import BinaryIO

from ..errors import ImportFileError
from .base import CHUNK_SIZE, LineCounter, locate_bad_utf8


class TextWindow:
    """`buf` holds the file's text from absolute offset `base`; `fill()` appends a chunk.

    Scanners work with absolute offsets and call `release(pos)` once everything before `pos`
    is consumed, so memory holds about one chunk plus the record being scanned.
    """

    def __init__(self, raw: BinaryIO, path: str, chunk_size: int = CHUNK_SIZE) -> None:
        self._raw = raw
        self._path = path
        self._chunk = chunk_size
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.base = 0
        self.eof = False
        self.lines = LineCounter()

    @property
    def end(self) -> int:
        """Absolute offset just past the text loaded so far."""
        return self.base + len(self.buf)

    def fill(self, at_least: int = 0) -> bool:
        """Load more text (at least `at_least` more chars when possible); False at end of file."""
        if self.eof:
            return False
        want = max(self._chunk, at_least)
        added = 0
        while added == 0 or added < at_least:
            data = self._raw.read(want)
            try:
                text = self._decoder.decode(data, final=not data)
            except UnicodeDecodeError as e:
                # Somewhere in this chunk: find the bad bytes' own line and column.
                line, column, reason = locate_bad_utf8(self._raw) or (
                    self.lines.at(self.buf, self.base, self.end)[0], None, e.reason)
                raise ImportFileError(f"not valid UTF-8 ({reason})", self._path, line,
                                      column) from None
            if text:
                self.buf += text
                added += len(text)
            if not data:
                self.eof = True
                break
        return added > 0

    def release(self, pos: int) -> None:
        """Forget text before absolute offset `pos` (after counting its lines)."""
        self.lines.at(self.buf, self.base, pos)
        cut = pos - self.base
        # Only cut once the consumed prefix is large, so cutting stays linear overall.
        if cut >= self._chunk:
            self.buf = self.buf[cut:]
            self.base = pos

    def char(self, pos: int) -> str:
        """The character at absolute `pos`, loading more text if needed; '' at end of file."""
        while pos >= self.end:
            if not self.fill():
                return ""
        return self.buf[pos - self.base]

    def position(self, pos: int) -> tuple[int, int]:
        """(line, column) of absolute offset `pos` (must not precede an earlier query)."""
        return self.lines.at(self.buf, self.base, pos)
