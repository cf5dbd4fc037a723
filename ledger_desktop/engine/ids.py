"""System ids: 22 random Base62 characters (about 131 bits), as QLDB's ids look."""

from __future__ import annotations

import os

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 22

# Each random byte below 248 (= 4 x 62) maps to one character, uniformly; bytes 248..255 are
# dropped (rejection sampling, so no character is more likely than another). One translate
# call does both, far cheaper than base-62 division of a 128-bit integer.
_TABLE = bytes(_ALPHABET.encode("ascii")[b % 62] for b in range(256))
_REJECT = bytes(range(248, 256))


def new_id() -> str:
    while True:
        chars = os.urandom(ID_LENGTH + 6).translate(_TABLE, _REJECT)
        if len(chars) >= ID_LENGTH:  # fails about once in 10^7 draws
            return chars[:ID_LENGTH].decode("ascii")


def is_id(text: str) -> bool:
    return len(text) == ID_LENGTH and all(c in _ALPHABET for c in text)
