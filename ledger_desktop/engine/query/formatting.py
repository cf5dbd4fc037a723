"""Rendering query results as a text table, Ion text, JSON Lines (QLDB's JSON down-conversion)
or CSV. Used by `ledger query`, `ledger shell` and anything else that prints results."""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..cancel import CancelToken, Progress
from ..ion_values import dumps_text, float_text
from ..json_down import to_json
from ..struct_columns import column_label, struct_cell, struct_columns
from .values import T_FLOAT, T_STRING, T_STRUCT, T_SYMBOL, tcode, text_of

FORMATS = ("table", "ion", "json", "csv")


def cell_text(v: Any) -> str:
    """One value as a table or CSV cell: strings and symbols bare, the rest as Ion text."""
    code = tcode(v)
    if code in (T_STRING, T_SYMBOL) and not getattr(v, "ion_annotations", ()):
        return text_of(v)
    if code == T_FLOAT and not getattr(v, "ion_annotations", ()) and v is not None:
        return float_text(v)
    return dumps_text(v)


def _rows(values: list[Any]) -> tuple[list[str], list[list[str]]]:
    if not values or any(tcode(v) != T_STRUCT for v in values):
        return ["value"], [[cell_text(v)] for v in values]
    cols = struct_columns(values)
    return [column_label(c) for c in cols], [_cells(v, cols) for v in values]


def _cells(v: Any, cols: list[tuple[str, int]]) -> list[str]:
    cells = []
    for c in cols:
        found, x = struct_cell(v, c)
        cells.append(cell_text(x) if found else "")
    return cells


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _clip(s: str, limit: int) -> str:
    s = s.replace("\n", " ")
    return s if len(s) <= limit else s[:limit - 1] + "…"


def format_table(values: list[Any], max_cell: int = 60) -> str:
    if not values:
        return "(no results)"
    cols, rows = _rows(values)
    rows = [[_clip(c, max_cell) for c in r] for r in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in rows]) for i, c in enumerate(cols)]

    def line(cells: list[str]) -> str:
        return " | ".join(c + " " * (w - _width(c))
                          for c, w in zip(cells, widths, strict=True)).rstrip()
    out = [line(cols), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out).rstrip()


def format_ion(values: Iterable[Any]) -> str:
    return "\n".join(dumps_text(v, pretty=True) for v in values)


def _json_names(v: Any) -> Any:
    """A result row for a JSON object: a repeated field name gets the grid's and the CSV's
    column name (`VIN (2)`); JSON readers keep only one of two equal keys."""
    if tcode(v) != T_STRUCT:
        return v
    cols = struct_columns([v])
    if all(n == 0 for _, n in cols):
        return v
    return {column_label(c): struct_cell(v, c)[1] for c in cols}


def format_json(values: Iterable[Any]) -> str:
    """JSON Lines: one down-converted value per line, as QLDB's JSON export writes them."""
    return "\n".join(to_json(_json_names(v)) for v in values)


def format_csv(values: list[Any]) -> str:
    if not values:  # no row, so no column either: an empty file, not a lone "value" header
        return ""
    cols, rows = _rows(values)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    w.writerows(rows)
    return buf.getvalue().rstrip("\n")


def format_values(values: list[Any], fmt: str) -> str:
    if fmt == "table":
        return format_table(values)
    if fmt == "ion":
        return format_ion(values)
    if fmt == "json":
        return format_json(values)
    if fmt == "csv":
        return format_csv(values)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


#: `write_values` formats by file extension (what a save dialog's file name says).
FORMAT_OF_SUFFIX = {".csv": "csv", ".jsonl": "json", ".json": "json", ".ndjson": "json",
                    ".ion": "ion"}
FILE_FORMATS = ("csv", "json", "ion")


def write_values(values: list[Any], path: str | os.PathLike[str], fmt: str,
                 progress: Progress | None = None, cancel: CancelToken | None = None) -> int:
    """Save results to `path` as CSV, JSON Lines or Ion text (one value per line); returns the
    number of values written. All or nothing: the file is written beside `path` under another
    name and takes its place only when complete, so a failure (a full disk) or Cancel leaves
    any file already at `path` as it was."""
    if fmt not in FILE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FILE_FORMATS)}")
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    total = len(values)
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n") if fmt == "csv" else None
            cols = None
            if writer is not None:
                structs = bool(values) and all(tcode(v) == T_STRUCT for v in values)
                cols = struct_columns(values) if structs else None
                writer.writerow([column_label(c) for c in cols] if cols is not None
                                else ["value"])
            for i, v in enumerate(values):
                if i % 1000 == 0:
                    if cancel is not None:
                        cancel.check()
                    if progress is not None:
                        progress(i, total)
                if writer is None:
                    f.write((to_json(_json_names(v)) if fmt == "json" else dumps_text(v))
                            + "\n")
                elif cols is None:
                    writer.writerow([cell_text(v)])
                else:
                    writer.writerow(_cells(v, cols))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(total, total)
    return total
