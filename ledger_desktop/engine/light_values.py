"""Plain Python values that tell amazon.ion's C writer their Ion type.

The writer looks up `ion_type` and `ion_annotations` on every value it writes; on a plain str,
int, bytes, dict or list both lookups fail, and each failure builds and clears an
AttributeError: writing a plain value costs 5-10x what writing an IonPy value costs (about
0.6 us against 0.08 us). IonPy values are slow to build in Python, though (about 1 us each).
These subclasses carry the two attributes as class attributes: as cheap to build as the plain
value and as cheap to write as an IonPy value. They are used for the values the export and
stream paths build themselves (revision wrappers, block addresses, metadata); they compare,
hash and behave as the plain values they extend.
"""

from __future__ import annotations

from amazon.ion.core import IonType


class Struct(dict):
    __slots__ = ()
    ion_type = IonType.STRUCT
    ion_annotations = ()


class Text(str):
    __slots__ = ()
    ion_type = IonType.STRING
    ion_annotations = ()


class Int(int):
    __slots__ = ()
    ion_type = IonType.INT
    ion_annotations = ()


class Blob(bytes):
    __slots__ = ()
    ion_type = IonType.BLOB
    ion_annotations = ()


class List(list):
    __slots__ = ()
    ion_type = IonType.LIST
    ion_annotations = ()
