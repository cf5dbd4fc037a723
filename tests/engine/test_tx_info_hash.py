"""The specialised transactionInfo hash equals the generic Ion Hash of the same struct."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_desktop.engine.ion_hash import ion_hash
from ledger_desktop.engine.ion_values import ion_list, now_timestamp, string, struct
from ledger_desktop.engine.tx_info_hash import transaction_info_hash

# Repeated texts, tables and statement lists too: the hash caches what repeats (an import).
texts = st.one_of(st.sampled_from(["INSERT INTO T ?", "T", "a\x0bb"]),
                  st.text(min_size=1, max_size=40))
statements = st.lists(st.tuples(texts, st.binary(min_size=32, max_size=32),
                                st.booleans()), min_size=1, max_size=8)
documents = st.lists(st.tuples(texts, texts, texts,
                               st.lists(st.integers(0, 300), min_size=1, max_size=3)),
                     max_size=8, unique_by=lambda d: d[0])


@settings(max_examples=60)
@given(statements, documents)
def test_matches_generic_ion_hash(stmts, docs):
    import time

    ts = now_timestamp()
    time.sleep(0.002)
    later = now_timestamp()
    stmt_values = [(text, later if second else ts, digest) for text, digest, second in stmts]
    pairs = [("statements", ion_list([struct(("statement", string(t)), ("startTime", s),
                                              ("statementDigest", d))
                                       for t, s, d in stmt_values]))]
    if docs:
        pairs.append(("documents", struct(*[
            (doc_id, struct(("tableName", string(name)), ("tableId", string(tid)),
                            ("statements", ion_list(list(ix)))))
            for doc_id, name, tid, ix in docs])))
    assert transaction_info_hash(stmt_values, docs) == ion_hash(struct(*pairs))


def test_marker_bytes_in_digests_and_text():
    ts = now_timestamp()
    digest = bytes([0x0B, 0x0E, 0x0C] * 10 + [1, 2])
    value = struct(("statements", ion_list([struct(("statement", string("a\x0bb")),
                                                   ("startTime", ts),
                                                   ("statementDigest", digest))])))
    assert transaction_info_hash([("a\x0bb", ts, digest)], []) == ion_hash(value)
    assert len(hashlib.sha256().digest()) == 32
