"""The specialised transactionInfo hash equals the generic Ion Hash of the same struct."""

from __future__ import annotations

import hashlib

from amazon.ion.core import IonType
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


def _variants(draw_value):
    from amazon.ion.simple_types import IonPyInt, IonPyNull, IonPyText

    return st.one_of(
        draw_value,
        st.just(IonPyText.from_value(IonType.SYMBOL, "sym")),
        st.just(IonPyNull.from_value(IonType.STRING, None)),
        st.just(IonPyInt.from_value(IonType.INT, 1, ("ann",))),
        st.just(7), st.just("text"), st.just(b"\x01" * 32))


@settings(max_examples=150)
@given(statements, documents, st.data(), st.booleans())
def test_read_back_transaction_info_hashes_like_the_generic_hash(stmts, docs, data, bare):
    """What verify-export and streams read back: the usual shape takes the fast path, any
    deviation (a wrong type, a symbol, an annotation, a null, an extra or repeated field, an
    empty documents map) the generic one; the hash is always the generic Ion Hash."""
    from amazon.ion import simpleion

    from ledger_desktop.engine.tx_info_hash import transaction_info_hash_of

    ts = now_timestamp()
    stmt_structs = [struct(("statement", string(t)), ("startTime", ts), ("statementDigest", d))
                    for t, d, _second in stmts]
    doc_structs = [(doc_id, struct(("tableName", string(name)), ("tableId", string(tid)),
                                   ("statements", ion_list(list(ix)))))
                   for doc_id, name, tid, ix in docs]
    pairs = [("statements", ion_list(stmt_structs))]
    if docs or data.draw(st.booleans()):
        pairs.append(("documents", struct(*doc_structs)))
    change = data.draw(st.integers(0, 5))
    if change == 1 and stmt_structs:
        stmt_structs[0]["statement"] = data.draw(_variants(st.just("x")))
    elif change == 2 and doc_structs:
        doc_structs[0][1]["tableId"] = data.draw(_variants(st.just("y")))
    elif change == 3 and doc_structs:
        doc_structs[0][1]["statements"] = ion_list([data.draw(_variants(st.just(0)))])
    elif change == 4:
        pairs.append((data.draw(st.sampled_from(["statements", "extra"])), 1))
    info = struct(*pairs)
    if bare:
        info = simpleion.loads(simpleion.dumps(info, binary=True),
                               value_model=simpleion.IonPyValueModel.MAY_BE_BARE)
    assert transaction_info_hash_of(info) == ion_hash(info)
