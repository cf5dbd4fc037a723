"""System ids: 128 random bits in Base62, always 22 characters, as QLDB's ids look."""

from __future__ import annotations

import os

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 22


_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # two digits per division


def new_id() -> str:
    n = int.from_bytes(os.urandom(16), "big")  # 128 random bits; 62**22 > 2**128
    out = []
    for _ in range(11):
        n, r = divmod(n, 3844)
        out.append(_PAIRS[r])
    return "".join(reversed(out))


def is_id(text: str) -> bool:
    return len(text) == ID_LENGTH and all(c in _ALPHABET for c in text)
