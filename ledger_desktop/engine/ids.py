"""System ids: 22 Base62 characters, as QLDB's ids look, ordered by creation time.

The first 7 characters are the creation time in milliseconds since 1970 (Base62, so ids sort
by time as text until the year 2081; they stay unique after that), the other 15 are random
(about 89 bits). Within one millisecond a process's next id is its last one plus 1 to 62 (as
ULIDs do in their monotonic mode), so a process's ids sort in the order it made them: a table's
documents, kept in id order (storage.py), list in the order they were inserted. New documents'
ids also land at the right edge of the SQLite indexes keyed by document id instead of on a
random page each: a batched commit writes a few pages per index instead of one page per
document: bench/bench_engine.py's raw SQLite baseline writes 50,000 documents 2.4x faster with
these ids than with fully random ones.
"""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 22
TIME_CHARS = 7
_RANDOM_CHARS = ID_LENGTH - TIME_CHARS
_TIME_SPAN = 62 ** TIME_CHARS

# Each random byte below 248 (= 4 x 62) maps to one character, uniformly; bytes 248..255 are
# dropped (rejection sampling, so no character is more likely than another).
_TABLE = bytes(_ALPHABET.encode("ascii")[b % 62] for b in range(256))
_REJECT = bytes(range(248, 256))
_DIGIT = {c: i for i, c in enumerate(_ALPHABET)}
_last_ms = -1
_last_prefix = ""
_last_suffix = ""
# Random characters drawn 4 KiB of randomness at a time: one getrandom() call per ~250 ids
# instead of one per id (a commit makes two ids). A forked child starts a fresh pool and a
# fresh random suffix, so parent and child never hand out the same ids.
_POOL_BYTES = 4096
_pool = ""
_pool_pos = 0  # characters before it are used (an index: slicing 4 KiB per id costs more)
_pool_lock = threading.Lock()


def _reset_pool() -> None:
    global _pool, _pool_pos, _pool_lock, _last_ms
    _pool = ""
    _pool_pos = 0
    _last_ms = -1
    _pool_lock = threading.Lock()  # a lock held by another thread at fork stays held


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_pool)


def _time_prefix(ms: int) -> str:
    n = ms % _TIME_SPAN
    out = []
    for _ in range(TIME_CHARS):
        n, r = divmod(n, 62)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def _add(suffix: str, n: int) -> str | None:
    """`suffix` + n in Base62, None when it would not fit in its characters."""
    last = _DIGIT[suffix[-1]] + n
    if last < 62:  # no carry: the usual case
        return suffix[:-1] + _ALPHABET[last]
    chars = list(suffix)
    i = len(chars) - 1
    while n and i >= 0:
        n, digit = divmod(_DIGIT[chars[i]] + n, 62)
        chars[i] = _ALPHABET[digit]
        i -= 1
    return None if n else "".join(chars)


def _random_chars(n: int) -> str:
    """n random Base62 characters from the pool (the caller holds _pool_lock)."""
    global _pool, _pool_pos
    pos = _pool_pos
    if pos + n > len(_pool):
        pool = _pool[pos:]
        while len(pool) < n:
            pool += os.urandom(_POOL_BYTES).translate(_TABLE, _REJECT).decode("ascii")
        _pool, pos = pool, 0
    _pool_pos = pos + n
    return _pool[pos:pos + n]


def new_id() -> str:
    global _last_ms, _last_prefix, _last_suffix
    ms = time.time_ns() // 1_000_000
    with _pool_lock:  # two threads must never take the same characters
        suffix = None
        if ms <= _last_ms:  # same millisecond (or the clock went back): after the last id
            suffix = _add(_last_suffix, 1 + _DIGIT[_random_chars(1)])
        else:
            _last_ms, _last_prefix = ms, _time_prefix(ms)
        if suffix is None:
            suffix = _random_chars(_RANDOM_CHARS)
        _last_suffix = suffix
        return _last_prefix + suffix


def is_id(text: str) -> bool:
    return len(text) == ID_LENGTH and all(c in _ALPHABET for c in text)
