"""Table columns over structs whose field names may repeat (Ion allows it; so does PartiQL's
`SELECT r.VIN, v.VIN`). Kept apart from the query package so the app's result grid can use it
without loading the PartiQL layer."""

from __future__ import annotations

from typing import Any

from amazon.ion.simple_types import IonPyDict

Column = tuple[str, int]  # (field name, occurrence of that name in a struct, from 0)


def fields_of(v: Any) -> list[tuple[str, Any]]:
    """Every (name, value) field of a struct, repeated names included."""
    if isinstance(v, IonPyDict):
        return list(v.iteritems())
    return list(v.items())


def struct_columns(structs: list[Any]) -> list[Column]:
    """Columns in first-seen order; a name a struct repeats gets a column per value."""
    cols: dict[Column, None] = {}
    for v in structs:
        seen: dict[str, int] = {}
        for k, _ in fields_of(v):
            n = seen.get(k, 0)
            seen[k] = n + 1
            cols.setdefault((str(k), n), None)
    return list(cols)


def column_label(column: Column) -> str:
    name, n = column
    return name if n == 0 else f"{name} ({n + 1})"


def struct_cell(v: Any, column: Column) -> tuple[bool, Any]:
    """(found, value): the column's value in struct `v` (its n-th field of that name).

    amazon.ion's structs keep the values of one name together: looked up by name, not by
    listing every field of the struct for each cell (a 2,000-field row cost about 1 s in CSV
    output, and a column of 60,000 rows 75 ms instead of 11)."""
    name, n = column
    if isinstance(v, IonPyDict):
        try:
            found = v.get_all_values(name)
        except KeyError:
            return False, None
        return (True, found[n]) if n < len(found) else (False, None)
    if n == 0:
        return (True, v[name]) if name in v else (False, None)
    found = [x for k, x in fields_of(v) if k == name]
    return (True, found[n]) if n < len(found) else (False, None)
