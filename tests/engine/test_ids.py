"""Ids are 22 Base62 characters, do not repeat, and sort by creation time."""

import time
from collections import Counter

from ledger_desktop.engine import ids
from ledger_desktop.engine.ids import ID_LENGTH, TIME_CHARS, is_id, new_id


def test_ids_are_22_base62_characters_and_unique():
    made = [new_id() for _ in range(20_000)]
    assert all(len(i) == ID_LENGTH and is_id(i) for i in made)
    assert len(set(made)) == len(made)


def test_ids_sort_by_creation_time():
    first = new_id()
    time.sleep(0.003)
    second = new_id()
    assert first[:TIME_CHARS] < second[:TIME_CHARS]
    assert sorted([second, first]) == [first, second]
    # the prefix is the time in milliseconds, in Base62
    assert ids._time_prefix(0) == "0000000"
    assert ids._time_prefix(61) == "000000z"
    assert ids._time_prefix(62) == "0000010"
    before = time.time_ns() // 1_000_000
    prefix = new_id()[:TIME_CHARS]
    after = time.time_ns() // 1_000_000
    decoded = 0
    for c in prefix:
        decoded = decoded * 62 + ids._ALPHABET.index(c)
    assert before <= decoded <= after


def test_a_burst_of_ids_sorts_in_the_order_they_were_made():
    made = [new_id() for _ in range(20_000)]  # many share a millisecond
    assert made == sorted(made)
    assert len({i[:TIME_CHARS] for i in made}) < len(made)


def test_ids_keep_their_order_when_the_clock_goes_back(monkeypatch):
    now = [time.time_ns() + 10**9]
    monkeypatch.setattr(ids.time, "time_ns", lambda: now[0])
    first = new_id()
    now[0] -= 5 * 10**9  # the clock is set back five seconds
    later = [new_id() for _ in range(100)]
    assert [first, *later] == sorted([first, *later])


def test_a_suffix_that_cannot_grow_falls_back_to_random_characters(monkeypatch):
    monkeypatch.setattr(ids.time, "time_ns", lambda: 10**18)
    first = new_id()
    monkeypatch.setattr(ids, "_last_suffix", "z" * 15)  # the largest suffix
    after = new_id()
    assert ids._add("z" * 15, 1) is None and ids._add("0z", 1) == "10"
    assert is_id(after) and after[:TIME_CHARS] == first[:TIME_CHARS] and after != first


def test_every_random_character_is_equally_likely():
    with ids._pool_lock:
        tails = ids._random_chars(450_000)
    counts = Counter(tails)
    assert set(counts) == set(ids._ALPHABET)
    expected = len(tails) / 62
    # about 7,258 each, standard deviation about 84: a biased mapping (bytes mod 62 without
    # rejection) would give the first 8 characters about 9,000
    assert max(counts.values()) < expected * 1.08
    assert min(counts.values()) > expected * 0.92


def test_a_forked_child_does_not_repeat_its_parents_ids():
    import os

    new_id()  # the pool now holds characters a careless child would reuse
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        os.write(w, ",".join(new_id() for _ in range(5)).encode())
        os._exit(0)
    os.close(w)
    child = b""
    while chunk := os.read(r, 4096):
        child += chunk
    os.close(r)
    os.waitpid(pid, 0)
    mine = [new_id() for _ in range(5)]
    theirs = child.decode().split(",")
    assert len(theirs) == 5
    assert not {i[ids.TIME_CHARS:] for i in mine} & {i[ids.TIME_CHARS:] for i in theirs}


def test_threads_never_share_ids():
    import threading

    made: list[list[str]] = [[] for _ in range(4)]

    def work(out: list[str]) -> None:
        for _ in range(5000):
            out.append(new_id())

    threads = [threading.Thread(target=work, args=(m,)) for m in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i[ids.TIME_CHARS:] for m in made for i in m]
    assert len(set(every)) == len(every) == 20_000
