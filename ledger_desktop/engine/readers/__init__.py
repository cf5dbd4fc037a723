"""Record readers for file import: Ion (text or binary), JSON, JSON Lines and CSV.

Every reader streams (memory stays bounded by one chunk plus one record), yields `Record`s
with the line and column where each document starts, and raises `ImportFileError` naming the
file, line, column (where known) and the reason.
"""

from __future__ import annotations

import os

from ..errors import ImportFileError
from .base import Record, RecordReader
from .csv_reader import CsvReader
from .ion_reader import IonBinaryReader, IonTextReader, is_ion_binary
from .json_reader import JsonLinesReader, JsonReader

#: File extensions and the format they mean.
EXTENSIONS = {
    ".ion": "ion", ".10n": "ion", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".csv": "csv", ".tsv": "csv",
}

FORMATS = ("ion", "json", "jsonl", "csv")


def detect_format(path: str | os.PathLike[str]) -> str:
    """The format of a file from its extension (Ion binary is recognised by its content)."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        try:
            if is_ion_binary(path):
                return "ion"
        except OSError as e:
            raise ImportFileError(f"cannot open: {e.strerror}", path) from None
        known = ", ".join(sorted(EXTENSIONS))
        raise ImportFileError(f"unknown file type {ext or '(no extension)'!r}; "
                              f"expected one of {known}", path)
    return fmt


def open_records(path: str | os.PathLike[str], *, fmt: str | None = None,
                 keep_strings: bool = False, infer_rows: int | None = None) -> RecordReader:
    """A reader for the documents in `path` (close it, or use it as a context manager).

    `infer_rows` (CSV only) infers column types from the first rows only, for previews.
    """
    path = os.fspath(path)
    fmt = fmt or detect_format(path)
    if fmt == "ion":
        try:
            binary = is_ion_binary(path)
        except OSError as e:
            raise ImportFileError(f"cannot open: {e.strerror}", path) from None
        return IonBinaryReader(path) if binary else IonTextReader(path)
    if fmt == "json":
        return JsonReader(path)
    if fmt == "jsonl":
        return JsonLinesReader(path)
    if fmt == "csv":
        return CsvReader(path, keep_strings=keep_strings, infer_rows=infer_rows)
    raise ImportFileError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", path)


__all__ = ["EXTENSIONS", "FORMATS", "Record", "RecordReader", "detect_format", "open_records"]
