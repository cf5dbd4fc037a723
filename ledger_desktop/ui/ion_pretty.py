"""Pretty Ion text written a line at a time, fast enough for a whole block.

amazon.ion's pretty writer (`dumps(indent=...)`) is pure Python: about 0.19 MB/s, 17 s for a
block of 6,000 revisions, in one call that cannot be paced, cancelled or cut short. Here the
layout of containers is done in Python and every scalar, field name and annotation is written
by the C extension's compact writer (a few microseconds each): about 2.5 MB/s. The text comes
as a stream of lines, so a caller can stop after a prefix, pause for the GUI thread or check a
cancel token between two lines. No Qt here: threads run this.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from amazon.ion import simpleion
from amazon.ion.core import IonType
from amazon.ion.simple_types import IonPySymbol

from ..engine.diff import is_null
from ..engine.ion_values import float_text, ion_type
from .ionfmt import children

INDENT = "  "
_OPEN = {IonType.STRUCT: "{", IonType.LIST: "[", IonType.SEXP: "("}
_CLOSE = {IonType.STRUCT: "}", IonType.LIST: "]", IonType.SEXP: ")"}
#: symbol text -> how it is written ('x y', 'null', abc): field names repeat a lot
_symbols: dict[str, str] = {}


def _scalar(value: Any) -> str:
    if ion_type(value) == IonType.FLOAT and not is_null(value):
        # the shortest text that reads back the same (8885.99e0), as amazon.ion's pretty
        # writer and the grid write it; the C writer's 20 digits look like a wrong amount
        return _annotation_prefix(value) + float_text(value)
    return simpleion.dumps(value, binary=False, omit_version_marker=True).strip()


def symbol_text(text: str) -> str:
    """A field name or annotation as Ion writes it: bare when it may be, else quoted."""
    known = _symbols.get(text)
    if known is None:
        known = _scalar(IonPySymbol.from_value(IonType.SYMBOL, text))
        if len(_symbols) < 10_000:  # names, not data: a bound keeps odd input harmless
            _symbols[text] = known
    return known


def _annotation_prefix(value: Any) -> str:
    out = ""
    for a in getattr(value, "ion_annotations", ()) or ():
        text = getattr(a, "text", a)
        out += (symbol_text(text) if text is not None else f"${getattr(a, 'sid', 0)}") + "::"
    return out


def _is_container(value: Any) -> bool:
    return not is_null(value) and ion_type(value) in _OPEN


def _members(value: Any, kind: IonType) -> Iterator[tuple[str, Any]]:
    """(prefix, child): `name: ` in a struct, nothing in a list or s-expression. Lists are
    walked in place: listing 60,000 (label, child) pairs first would cost what we save."""
    if kind == IonType.STRUCT:
        for label, child in children(value):
            yield symbol_text(label) + ": ", child
    else:
        for child in value:
            yield "", child


def pretty_lines(value: Any) -> Iterator[str]:
    """`value` as pretty Ion text, one member per line (lines without their newline). Read
    back, it is the same value, as with `ion_text(value, pretty=True)`."""
    yield from _lines(value, "", "", "")


def _lines(value: Any, indent: str, prefix: str, suffix: str) -> Iterator[str]:
    if not _is_container(value):
        yield indent + prefix + _scalar(value) + suffix
        return
    kind = ion_type(value)
    head = indent + prefix + _annotation_prefix(value) + _OPEN[kind]
    if len(value) == 0:
        yield head + _CLOSE[kind] + suffix
        return
    yield head
    inner = indent + INDENT
    separator = "" if kind == IonType.SEXP else ","
    # Every member but the last ends with a comma. A struct's members may outnumber len()
    # (repeated names), so the last one is found by looking one member ahead.
    members = _members(value, kind)
    name, child = next(members)
    for following in members:
        yield from _lines(child, inner, name, separator)
        name, child = following
    yield from _lines(child, inner, name, "")
    yield indent + _CLOSE[kind] + suffix


def pretty_text(value: Any) -> str:
    """All of it at once: for small values (see `is_small`) on the GUI thread."""
    return "\n".join(pretty_lines(value))


def is_small(value: Any, budget: int) -> bool:
    """True when writing `value` is cheap: at most `budget` nodes, a long string or blob
    counting as one node per 256 characters. Looks at no more than about `budget` nodes, so
    asking about a 60,000-revision block costs what asking about a small one does."""
    stack = [value]
    while stack:
        v = stack.pop()
        budget -= 1 + (len(v) // 256 if isinstance(v, (str, bytes)) else 0)
        if budget < 0:
            return False
        if _is_container(v):
            if len(v) > budget:
                return False
            stack.extend(child for _, child in islice(children(v), budget + 1))
    return True
