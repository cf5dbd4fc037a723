"""Bulk chain columns and block search for the chain view (engine side, no Qt)."""

from __future__ import annotations

import numpy as np
import pytest

from ledger_desktop.engine.cancel import CancelToken
from ledger_desktop.engine.chain_data import (
    FLAG_REDACTION,
    _parse_times,
    find_blocks,
    load_chain_arrays,
)
from ledger_desktop.engine.errors import Cancelled, InputFormatError
from ledger_desktop.engine.ion_values import parse_timestamp
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = build_sample(tmp_path_factory.mktemp("chain") / "s.ledger")
    led = Ledger.open(path, read_only=True)
    yield led
    led.close()


def test_arrays_match_block_summaries(sample):
    seen = []
    arrays = load_chain_arrays(sample, progress=lambda d, t: seen.append((d, t)), chunk=7)
    n = sample.block_count()
    summaries = sample.block_summaries(0, n - 1)
    assert len(arrays) == n
    assert arrays.seq.tolist() == list(range(n))
    assert arrays.n_revisions.tolist() == [s.n_revisions for s in summaries]
    assert [bool(f & FLAG_REDACTION) for f in arrays.flags] == [s.has_redaction
                                                               for s in summaries]
    assert any(s.has_redaction for s in summaries)
    for s, ms in zip(summaries, arrays.ts_ms, strict=True):
        assert int(parse_timestamp(s.block_ts).timestamp() * 1000) == ms
    assert seen[-1] == (n, n) and len(seen) == -(-n // 7)


def test_times_parse_unusual_forms_exactly():
    got = _parse_times(["2019-06-05T17:53:30Z", "2019-06-05T19:53:30.5+02:00"])
    assert got.tolist() == [1559757210000, 1559757210500]
    assert _parse_times([]).dtype == np.int64


def test_cancel_stops_loading(sample):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        load_chain_arrays(sample, cancel=token)


def test_find_block_document_and_transaction(sample):
    n = sample.block_count()
    assert find_blocks(sample, "3").seqs == [3]
    assert find_blocks(sample, f'{{strandId:"{sample.strand_id}",sequenceNo:4}}').seqs == [4]
    assert find_blocks(sample, str(n + 5)).kind == "none"
    assert find_blocks(sample, "{strandId:\"OtherStrand\",sequenceNo:1}").kind == "none"
    tx = sample.block_summaries(5, 5)[0].tx_id
    found = find_blocks(sample, tx)
    assert (found.kind, found.seqs) == ("transaction", [5])
    # a document whose history spans several blocks
    doc = sample._conn.execute("SELECT doc_id FROM revisions WHERE doc_id IS NOT NULL AND "
                               "kind != 4 GROUP BY doc_id HAVING count(*) > 1 LIMIT 1"
                               ).fetchone()[0]
    found = find_blocks(sample, doc)
    history = sorted({r.address.seq for r in sample.document_history(doc)})
    assert found.kind == "document" and found.seqs == history and len(history) > 1
    assert find_blocks(sample, "A" * 22).kind == "none"
    with pytest.raises(InputFormatError):
        find_blocks(sample, "not an id!")
    with pytest.raises(InputFormatError):
        find_blocks(sample, "  ")
