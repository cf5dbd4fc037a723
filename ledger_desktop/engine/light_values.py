"""Plain Python values that tell amazon.ion's C writer their Ion type.

The writer looks up `ion_type` and `ion_annotations` on every value it writes; on a plain str,
int, bytes, dict or list both lookups fail, and each failure builds and clears an
AttributeError: writing a plain value costs 5-10x what writing an IonPy value costs (about
0.6 us against 0.08 us). IonPy values are slow to build in Python, though (about 1 us each).
These subclasses carry the two attributes as class attributes: as cheap to build as the plain
value and as cheap to write as an IonPy value. They are used for the values the export and
stream paths build themselves (revision wrappers, block addresses, metadata); they compare,
hash and behave as the plain values they extend. amazon.ion's pure-Python writer takes them
too (`to_event`, IonPy's own): `ion_hash.write_document` leaves a value ion-c's writer would
change to it, and a stream record holding one is built of these (reliability.md 117).
"""

from __future__ import annotations

from amazon.ion.core import IonType
from amazon.ion.simple_types import IonPyText

#: IonPy's event for the Python writer: it reads only `ion_type` and `ion_annotations`.
_to_event = IonPyText.to_event


class Struct(dict):
    __slots__ = ()
    ion_type = IonType.STRUCT
    ion_annotations = ()
    to_event = _to_event


class Text(str):
    __slots__ = ()
    ion_type = IonType.STRING
    ion_annotations = ()
    to_event = _to_event


class Int(int):
    __slots__ = ()
    ion_type = IonType.INT
    ion_annotations = ()
    to_event = _to_event


class Blob(bytes):
    __slots__ = ()
    ion_type = IonType.BLOB
    ion_annotations = ()
    to_event = _to_event


class List(list):
    __slots__ = ()
    ion_type = IonType.LIST
    ion_annotations = ()
    to_event = _to_event
