"""CSV (and TSV) with a header row.

Types are inferred per column, conservatively, in a first pass over the file: a column becomes
int, decimal or bool only when every non-empty cell in it is one (ints without leading zeros,
decimals as written, `true`/`false`); otherwise it stays text. Empty cells are null in typed
columns and "" in text columns. `keep_strings` skips inference: every cell is a string.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from .base import Record, RecordReader, locate_bad_utf8

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+\Z")
_BOOL = re.compile(r"(?:true|false)\Z", re.I)

# Candidate column types, narrowest first; a cell that fails one removes it.
INT, DECIMAL, BOOL = 1, 2, 4

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _kinds(cell: str) -> int:
    if _INT.match(cell):
        return INT | DECIMAL
    if _DECIMAL.match(cell):
        return DECIMAL
    if _BOOL.match(cell):
        return BOOL
    return 0


def _converter(kinds: int) -> Callable[[str], Any]:
    if kinds & INT:
        return lambda s: int(s) if s else None
    if kinds & DECIMAL:
        return lambda s: Decimal(s) if s else None
    if kinds & BOOL:
        return lambda s: (s.lower() == "true") if s else None
    return str


class CsvReader(RecordReader):
    def __init__(self, path: str, keep_strings: bool = False,
                 infer_rows: int | None = None) -> None:
        """`infer_rows` limits type inference to the first rows (for quick previews only: an
        import infers from every row, so a preview may show a column typed differently)."""
        super().__init__(path)
        self.keep_strings = keep_strings
        self.infer_rows = infer_rows
        self.delimiter = "\t" if self.path.lower().endswith(".tsv") else ","
        self._pass = 0 if keep_strings else 1

    @property
    def bytes_done(self) -> int:
        # Inference reads the file twice: report both passes on one scale.
        done = super().bytes_done
        if self.keep_strings:
            return done
        return done // 2 if self._pass == 1 else (self.total_bytes + done) // 2

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line where the row starts, cells), header included, with strict parsing."""
        self._raw.seek(0)
        text = io.TextIOWrapper(self._raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, delimiter=self.delimiter, strict=True)
        line = 1
        try:
            for row in reader:
                yield line, row
                line = reader.line_num + 1
        except csv.Error as e:
            raise self.error(f"malformed CSV ({e})", line) from None
        except UnicodeDecodeError as e:
            # The wrapper decodes ahead of the rows: find the bad bytes' own line.
            line, column, reason = locate_bad_utf8(self._raw) or (reader.line_num + 1, None,
                                                                  e.reason)
            raise self.error(f"not valid UTF-8 ({reason})", line, column) from None
        finally:
            # Give the file back (not closed) so the second pass can rewind it.
            with contextlib.suppress(ValueError):
                text.detach()

    def _header(self, rows: Iterator[tuple[int, list[str]]]) -> list[str]:
        try:
            _, header = next(rows)
        except StopIteration:
            raise self.error("empty file: a header row is required", 1) from None
        seen: set[str] = set()
        for i, name in enumerate(header, 1):
            if not name.strip():
                raise self.error(f"column {i} of the header has no name", 1, None)
            if name in seen:
                raise self.error(f"duplicate column name {name!r} in the header", 1, None)
            seen.add(name)
        return header

    def _checked(self, rows: Iterator[tuple[int, list[str]]], width: int
                 ) -> Iterator[tuple[int, list[str]]]:
        for line, row in rows:
            if not row or (len(row) == 1 and not row[0] and width != 1):
                continue  # blank line
            if len(row) != width:
                raise self.error(f"expected {width} fields (as in the header), found {len(row)}",
                                 line)
            yield line, row

    def _records(self) -> Iterator[Record]:
        if self.keep_strings:
            convert: list[Callable[[str], Any]] | None = None
        else:
            self._pass = 1
            rows = self._rows()
            header = self._header(rows)
            kinds = [INT | DECIMAL | BOOL] * len(header)
            filled = [False] * len(header)
            for n, (_, row) in enumerate(self._checked(rows, len(header))):
                if self.infer_rows is not None and n >= self.infer_rows:
                    break
                for i, cell in enumerate(row):
                    if cell and kinds[i]:
                        kinds[i] &= _kinds(cell)
                        filled[i] = True
            rows.close()
            # A column with no value at all stays text: nothing says it is anything else.
            convert = [_converter(k if f else 0) for k, f in zip(kinds, filled, strict=True)]
            self._pass = 2
        rows = self._rows()
        header = self._header(rows)
        for line, row in self._checked(rows, len(header)):
            if convert is None:
                doc = dict(zip(header, row, strict=True))
            else:
                doc = {}
                for i, (name, fn, cell) in enumerate(zip(header, convert, row, strict=True)):
                    try:
                        doc[name] = fn(cell)
                    except ValueError as e:  # an int of more digits than Python converts
                        raise self.error(f"field {name!r} (field {i + 1}): {e}", line) from None
            yield Record(doc, line, 1)
