"""Field-level differences between two Ion values (pure Python, no Qt).

Ion distinguishes values that Python would call equal: `1.0` and `1.00` (decimal scale),
`2024-01-01T` and `2024-01-01T00:00Z` (timestamp precision and offset), a string and a symbol,
a list and an s-expression, annotations. A revision diff must show those, so each change says
whether the *value* changed or only its Ion *representation* did.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from amazon.ion import simpleion
from amazon.ion.core import IonType

from .ion_values import ion_type

PathPart = str | int

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"      # a different value
RETYPED = "retyped"      # the same value in another Ion type or precision (e.g. 1.0 -> 1.00)


@dataclass(frozen=True)
class Change:
    path: tuple[PathPart, ...]
    kind: str
    old: Any = None
    new: Any = None
    old_type: str | None = None
    new_type: str | None = None
    note: str = ""

    @property
    def path_text(self) -> str:
        return path_text(self.path)


def path_text(path: tuple[PathPart, ...]) -> str:
    """`address.lines[2].zip`; names that are not identifiers are quoted."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}" if out else part
        else:
            out += f"[{_quote(part)}]"
    return out or "(document)"


def _quote(name: str) -> str:
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def is_null(value: Any) -> bool:
    return value is None or type(value).__name__ == "IonPyNull"


def type_name(value: Any) -> str:
    """`decimal`, `null.string`, `x::int` — the type as an Ion reader would say it."""
    name = ion_type(value).name.lower()
    if is_null(value):
        name = "null" if name == "null" else f"null.{name}"
    annotations = _annotations(value)
    return "::".join([*annotations, name]) if annotations else name


def _annotations(value: Any) -> list[str]:
    return [getattr(a, "text", a) or "" for a in getattr(value, "ion_annotations", ()) or ()]


def _is_container(t: IonType) -> bool:
    return t in (IonType.STRUCT, IonType.LIST, IonType.SEXP)


# -- comparing scalars ------------------------------------------------------------------------
def _text(value: Any) -> str:
    return getattr(value, "text", value) if ion_type(value) == IonType.SYMBOL else value


def _scalar_compare(a: Any, b: Any) -> tuple[bool, str]:
    """(same value?, representation note). An empty note with same value means identical."""
    ta, tb = ion_type(a), ion_type(b)
    if is_null(a) or is_null(b):
        if is_null(a) and is_null(b):
            return True, "" if ta == tb else f"{type_name(a)} → {type_name(b)}"
        return False, ""
    numeric = (IonType.INT, IonType.FLOAT, IonType.DECIMAL)
    if ta in numeric and tb in numeric:
        return _number_compare(a, b, ta, tb)
    if ta == tb == IonType.TIMESTAMP:
        return _timestamp_compare(a, b)
    texts = (IonType.STRING, IonType.SYMBOL)
    if ta in texts and tb in texts:
        same = _text(a) == _text(b)
        return same, "" if ta == tb else f"{ta.name.lower()} → {tb.name.lower()}"
    lobs = (IonType.BLOB, IonType.CLOB)
    if ta in lobs and tb in lobs:
        return bytes(a) == bytes(b), "" if ta == tb else f"{ta.name.lower()} → {tb.name.lower()}"
    if ta == tb:
        return a == b, ""
    return False, ""


def _number_compare(a: Any, b: Any, ta: IonType, tb: IonType) -> tuple[bool, str]:
    if ta == IonType.FLOAT or tb == IonType.FLOAT:
        fa, fb = float(a), float(b)
        same = fa == fb or (math.isnan(fa) and math.isnan(fb))
        same = same and math.copysign(1, fa) == math.copysign(1, fb)
    else:
        same = Decimal(a) == Decimal(b)
    if ta != tb:
        return same, f"{ta.name.lower()} → {tb.name.lower()}"
    if ta == IonType.DECIMAL:
        ea, eb = Decimal(a).as_tuple().exponent, Decimal(b).as_tuple().exponent
        notes = []
        if ea != eb and isinstance(ea, int) and isinstance(eb, int):
            notes.append(f"decimal scale {-ea} → {-eb}")
        if same and Decimal(a).is_signed() != Decimal(b).is_signed():
            notes.append("sign of zero")
        return same, ", ".join(notes)
    return same, ""


def _precision(ts: Any) -> str:
    precision = getattr(ts, "precision", None)
    name = precision.name.lower() if precision is not None else "second"
    frac = getattr(ts, "fractional_precision", None)
    if name == "second" and frac:
        return f"second+{frac} digits"
    return name


def _offset(ts: Any) -> str:
    if ts.tzinfo is None:
        return "unknown (-00:00)"  # follows "offset ": "offset unknown (-00:00) → +00:00"
    delta = ts.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _instant(ts: Any) -> Any:
    return ts.replace(tzinfo=None) if ts.tzinfo is None else ts


def _timestamp_compare(a: Any, b: Any) -> tuple[bool, str]:
    """Same instant? Then a difference in precision or offset is a representation change."""
    try:
        same = (_instant(a) == _instant(b)) if (a.tzinfo is None) == (b.tzinfo is None) \
            else a.replace(tzinfo=None) == b.replace(tzinfo=None)
    except TypeError:
        same = False
    notes = []
    pa, pb = _precision(a), _precision(b)
    if pa != pb:
        notes.append(f"timestamp precision {pa} → {pb}")
    oa, ob = _offset(a), _offset(b)
    if oa != ob:
        notes.append(f"offset {oa} → {ob}")
    if same and not notes and dumps(a) != dumps(b):
        notes.append("timestamp representation")
    return same, ", ".join(notes)


def dumps(value: Any) -> str:
    """Compact Ion text of a value (used as an identity key when aligning lists)."""
    return simpleion.dumps(value, binary=False, omit_version_marker=True)


# -- the diff ---------------------------------------------------------------------------------
def diff(old: Any, new: Any) -> list[Change]:
    """Every difference between two Ion values, outermost first, in document order.

    `old` or `new` may be `None` for a document that did not exist (or was deleted): then the
    whole value is one `added` or `removed` change at the root.
    """
    out: list[Change] = []
    _diff((), old, new, out)
    return out


def _diff(path: tuple[PathPart, ...], a: Any, b: Any, out: list[Change]) -> None:
    ta, tb = ion_type(a), ion_type(b)
    ann_a, ann_b = _annotations(a), _annotations(b)
    ann_note = f"annotations {'::'.join(ann_a) or '(none)'} → {'::'.join(ann_b) or '(none)'}" \
        if ann_a != ann_b else ""

    if _is_container(ta) and _is_container(tb) and not is_null(a) and not is_null(b) \
            and (ta == tb or {ta, tb} == {IonType.LIST, IonType.SEXP}):
        if ta != tb or ann_note:
            notes = [n for n in (f"{ta.name.lower()} → {tb.name.lower()}" if ta != tb else "",
                                 ann_note) if n]
            out.append(Change(path, RETYPED, a, b, type_name(a), type_name(b), ", ".join(notes)))
        if ta == IonType.STRUCT:
            _diff_struct(path, a, b, out)
        else:
            _diff_sequence(path, list(a), list(b), out)
        return

    if _is_container(ta) or _is_container(tb):
        if is_null(a) and is_null(b) and ta == tb and not ann_note:
            return
        out.append(Change(path, CHANGED, a, b, type_name(a), type_name(b),
                          _join(ann_note, f"{type_name(a)} → {type_name(b)}"
                                if type_name(a) != type_name(b) else "")))
        return

    same, note = _scalar_compare(a, b)
    note = _join(note, ann_note)
    if same and not note:
        return
    out.append(Change(path, RETYPED if same else CHANGED, a, b, type_name(a), type_name(b), note))


def _join(*notes: str) -> str:
    return ", ".join(n for n in notes if n)


def _fields(struct: Any) -> dict[str, list[Any]]:
    """Field name -> values in order (Ion structs may repeat a field name)."""
    result: dict[str, list[Any]] = {}
    getter = getattr(struct, "get_all_values", None)
    for key in struct:
        result[key] = list(getter(key)) if getter is not None else [struct[key]]
    return result


def _diff_struct(path: tuple[PathPart, ...], a: Any, b: Any, out: list[Change]) -> None:
    fa, fb = _fields(a), _fields(b)
    for name, values in fa.items():
        if name not in fb:
            for v in values:
                out.append(Change((*path, name), REMOVED, v, None, type_name(v), None))
            continue
        others = fb[name]
        if len(values) == 1 and len(others) == 1:
            _diff((*path, name), values[0], others[0], out)
        else:
            _diff_sequence((*path, name), values, others, out, repeated_field=True)
    for name, values in fb.items():
        if name not in fa:
            for v in values:
                out.append(Change((*path, name), ADDED, None, v, None, type_name(v)))


def _diff_sequence(path: tuple[PathPart, ...], a: list[Any], b: list[Any], out: list[Change],
                   repeated_field: bool = False) -> None:
    """Align elements so that one inserted item is one `added` change, not a cascade."""
    keys_a, keys_b = [dumps(v) for v in a], [dumps(v) for v in b]
    matcher = difflib.SequenceMatcher(a=keys_a, b=keys_b, autojunk=False)

    def at(i: int) -> tuple[PathPart, ...]:
        return path if repeated_field else (*path, i)

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):
            _diff(at(j1 + k), a[i1 + k], b[j1 + k], out)
        for i in range(i1 + paired, i2):
            out.append(Change(at(i), REMOVED, a[i], None, type_name(a[i]), None))
        for j in range(j1 + paired, j2):
            out.append(Change(at(j), ADDED, None, b[j], None, type_name(b[j])))


def diff_documents(old: Any, new: Any) -> list[Change]:
    """Diff two revisions' data where either may be missing (inserted, deleted, redacted)."""
    if old is None and new is None:
        return []
    if old is None:
        return [Change((), ADDED, None, new, None, type_name(new))]
    if new is None:
        return [Change((), REMOVED, old, None, type_name(old), None)]
    return diff(old, new)


def summary(changes: list[Change]) -> str:
    """`2 changed, 1 added, 1 type change` for a status line."""
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.kind] = counts.get(c.kind, 0) + 1
    if not counts:
        return "no differences"
    words = {CHANGED: "changed", ADDED: "added", REMOVED: "removed", RETYPED: "type changes"}
    return ", ".join(f"{counts[k]} {words[k]}" for k in (CHANGED, ADDED, REMOVED, RETYPED)
                     if k in counts)
