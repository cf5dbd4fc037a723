"""Rendering query results as a text table, Ion text, JSON Lines (QLDB's JSON down-conversion)
or CSV. Used by `ledger query`, `ledger shell` and anything else that prints results."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..ion_values import dumps_text
from ..json_down import to_json
from ..struct_columns import column_label, struct_cell, struct_columns
from .values import T_STRING, T_STRUCT, T_SYMBOL, tcode, text_of

FORMATS = ("table", "ion", "json", "csv")


def cell_text(v: Any) -> str:
    """One value as a table or CSV cell: strings and symbols bare, the rest as Ion text."""
    code = tcode(v)
    if code in (T_STRING, T_SYMBOL) and not getattr(v, "ion_annotations", ()):
        return text_of(v)
    return dumps_text(v)


def _rows(values: list[Any]) -> tuple[list[str], list[list[str]]]:
    if not values or any(tcode(v) != T_STRUCT for v in values):
        return ["value"], [[cell_text(v)] for v in values]
    cols = struct_columns(values)
    rows = []
    for v in values:
        cells = []
        for c in cols:
            found, x = struct_cell(v, c)
            cells.append(cell_text(x) if found else "")
        rows.append(cells)
    return [column_label(c) for c in cols], rows


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


def format_json(values: Iterable[Any]) -> str:
    """JSON Lines: one down-converted value per line, as QLDB's JSON export writes them."""
    return "\n".join(to_json(v) for v in values)


def format_csv(values: list[Any]) -> str:
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
