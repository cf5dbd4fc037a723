"""How Ion values look in cells, trees and the clipboard (Ion text, JSON, CSV)."""

from __future__ import annotations

import csv
import io
from typing import Any

from amazon.ion.core import IonType

from ..engine.diff import ion_type, is_null, type_name
from ..engine.ion_values import dumps_text, float_text
from ..engine.json_down import to_json
from ..engine.query.formatting import cell_text as result_cell_text
from ..engine.struct_columns import Column, column_label, struct_cell, struct_columns

MAX_CELL = 200


def cell_text(value: Any) -> str:
    """One line for a grid cell: strings bare, containers summarised, everything else Ion text."""
    t = ion_type(value)
    if is_null(value):
        return type_name(value)
    if t == IonType.STRING:
        text = str(value)
    elif t == IonType.STRUCT:
        text = "{" + ", ".join(str(k) for k in value) + "}"
    elif t in (IonType.LIST, IonType.SEXP):
        n = len(value)
        text = f"[{n} item{'s' if n != 1 else ''}]" if t == IonType.LIST else f"({n} items)"
    elif t in (IonType.BLOB, IonType.CLOB):
        text = f"<{len(value)} bytes>"
    elif t == IonType.FLOAT and not getattr(value, "ion_annotations", ()):
        text = float_text(value)
    else:
        text = ion_text(value)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


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
    return "\n".join(ion_text(v, pretty=True) for v in values)


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
