"""How Ion values look in cells, trees and the clipboard (Ion text, JSON, CSV)."""

from __future__ import annotations

import csv
import html
import io
from decimal import Decimal
from typing import Any

from amazon.ion.core import IonType

from ..engine.diff import ion_type, is_null, type_name
from ..engine.ion_values import dumps_text
from ..engine.json_down import to_json
from ..engine.query.formatting import cell_text as result_cell_text
from ..engine.struct_columns import Column, column_label, struct_cell, struct_columns

MAX_CELL = 200
TIP_CHARS = 3_000   # a tooltip shows this much of a value's pretty Ion text
TIP_LINE = 160      # and this much of each line

# What kind of value a cell shows, for its style (models/cell_style.py): a string and the
# number or null it reads like must not look the same ('5' and 5, 'null' and null).
STRING, NUMBER, NULL, SYMBOL, OTHER, CONTAINER, MISSING = range(7)
_NUMBERS = (IonType.INT, IonType.DECIMAL, IonType.FLOAT)
KINDS = {IonType.STRING: STRING, IonType.INT: NUMBER, IonType.DECIMAL: NUMBER,
          IonType.FLOAT: NUMBER, IonType.SYMBOL: SYMBOL, IonType.STRUCT: CONTAINER,
          IonType.LIST: CONTAINER, IonType.SEXP: CONTAINER}


def cell_text(value: Any) -> str:
    """One line for a grid cell (see `cell`)."""
    return cell(value)[0]


def cell(value: Any) -> tuple[str, int]:
    """(text, kind) for a grid cell: strings bare (an empty or blank one quoted, so it is not
    taken for a missing field), numbers as an analyst writes them (`number_text`), containers
    summarised, everything else Ion text. The Ion views keep the exact Ion text."""
    t = ion_type(value)
    if is_null(value):
        return type_name(value), NULL
    kind = KINDS.get(t, OTHER)
    if t == IonType.STRING:
        text = str(value)
        if not text.strip():
            text = '"' + text + '"'
    elif t == IonType.STRUCT:
        text = "{" + ", ".join(str(k) for k in value) + "}"
    elif t in (IonType.LIST, IonType.SEXP):
        n = len(value)
        text = f"[{n} item{'s' if n != 1 else ''}]" if t == IonType.LIST else f"({n} items)"
    elif t in (IonType.BLOB, IonType.CLOB):
        text = f"<{len(value)} bytes>"
    elif t in _NUMBERS and not getattr(value, "ion_annotations", ()):
        text = number_text(value, t)
    else:
        text = ion_text(value)
    text = text.replace("\n", " ")
    return (text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"), kind


def number_text(value: Any, t: IonType) -> str:
    """A number as an analyst reads it, its type still told apart: a decimal keeps its scale
    (`90.25`, `1.50`, `3` for Ion's `3d0`), a float always has a point or an exponent
    (`1000.0`, `8885.99`, `1e+300`, where Ion writes `1000.0e0`), an int is digits."""
    if t == IonType.INT:
        return str(int(value))
    if t == IonType.FLOAT:
        f = float(value)
        if f != f:
            return "nan"
        return repr(f) if f not in (_INF, -_INF) else ("+inf" if f > 0 else "-inf")
    d = Decimal(value)
    # positional while it stays short; 1E+30 and 1E-12 are clearer than their zeros
    return format(d, "f") if -8 <= d.adjusted() <= 20 else str(d)


_INF = float("inf")


def tooltip(value: Any, found: bool = True) -> str:
    """A cell's tooltip (rich text, so a value holding `<b>` is shown as written): the
    value's pretty Ion text, cut at about TIP_CHARS, and its Ion type."""
    if not found:
        return "<i>missing</i>: this value has no such field"
    from .ion_pretty import pretty_lines  # it imports this module

    lines: list[str] = []
    size = 0
    for line in pretty_lines(value):  # a stream: a huge value costs what its prefix does
        if size > TIP_CHARS:
            lines.append("…")
            break
        lines.append(line if len(line) <= TIP_LINE else line[:TIP_LINE - 1] + "…")
        size += len(lines[-1])
    return (f"<pre>{html.escape(chr(10).join(lines))}</pre>"
            f"<i>{html.escape(type_name(value))}</i>")


def ion_text(value: Any, pretty: bool = False) -> str:
    return dumps_text(value, pretty=pretty).strip()


def is_container(value: Any) -> bool:
    return not is_null(value) and ion_type(value) in (IonType.STRUCT, IonType.LIST, IonType.SEXP)


def children(value: Any) -> list[tuple[str, Any]]:
    """(label, child) pairs of a struct, list or s-expression."""
    t = ion_type(value)
    if t == IonType.STRUCT:
        getter = getattr(value, "get_all_values", None)
        out: list[tuple[str, Any]] = []
        for k in value:
            for v in (getter(k) if getter is not None else [value[k]]):
                out.append((str(k), v))
        return out
    return [(f"[{i}]", v) for i, v in enumerate(value)]


def as_ion(values: list[Any]) -> str:
    """Pretty Ion text as the document pane writes it (`ion_pretty`): text as it reads
    ("Müller", not "M\\xfcller" as amazon.ion's pretty writer escaped it), and written
    about ten times faster."""
    from .ion_pretty import pretty_text  # it imports this module

    return "\n".join(pretty_text(v) for v in values)


def as_json(values: list[Any]) -> str:
    if len(values) == 1:
        return to_json(values[0])
    return "[\n" + ",\n".join(to_json(v) for v in values) + "\n]"


def as_csv(values: list[Any], columns: list[Column] | None = None) -> str:
    """Top-level fields as columns (a repeated name gets one per value, `k (2)`), each cell
    as Query › Save Results writes CSV (`formatting.cell_text`): text bare, other values as
    Ion text (`{{aGk=}}`, `null.int`, `{a:[1,2]}`), a missing field empty. Copy wrote JSON
    instead: a blob cell held its own quote marks and a null was empty, like a missing field."""
    if columns is None:
        columns = struct_columns([v for v in values
                                  if ion_type(v) == IonType.STRUCT and not is_null(v)])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([column_label(c) for c in columns])
    for v in values:
        row = []
        for c in columns:
            found, field = struct_cell(v, c) if ion_type(v) == IonType.STRUCT and \
                not is_null(v) else (False, None)
            row.append(result_cell_text(field) if found else "")
        writer.writerow(row)
    return buf.getvalue()


