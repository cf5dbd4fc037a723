"""Real QLDB values from `shared/vectors`: Ion Hash pairs, driver commit digests and the `dot`
vector, a real streamed block with its revision, and the KVS samples (one inconsistent)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from amazon.ion import simpleion
from vectors import b64, load_json, vector_path

from ledger_desktop.engine.ion_hash import (
    commit_digest,
    dot,
    fold,
    ion_hash,
    merkle_path,
    merkle_root,
    statement_hash,
)

QLDB_PAIRS = load_json("qldb-ionhash-sha256.json")["vectors"]
DRIVER = load_json("driver-commit-digests.json")
KVS = load_json("kvs-nodejs-samples.json")


# --- qldb-ionhash-sha256.json ---------------------------------------------------------------

@pytest.mark.parametrize("vector", QLDB_PAIRS, ids=[v["published_as"][:50] for v in QLDB_PAIRS])
def test_qldb_ion_hash_pairs(vector: dict[str, str]) -> None:
    value = simpleion.loads(vector["ion_text"])
    assert ion_hash(value) == b64(vector["sha256_ion_hash_b64"])


def test_qldb_pairs_cover_all_five() -> None:
    assert len(QLDB_PAIRS) == 5


# --- driver-commit-digests.json ---------------------------------------------------------------

@pytest.mark.parametrize("vector", DRIVER["vectors"], ids=[v["commitDigest_b64"] for v in DRIVER["vectors"]])
def test_driver_commit_digest(vector: dict[str, Any]) -> None:
    statements = [(s["statement"], s["parameters"]) for s in vector["statements"]]
    expected = b64(vector["commitDigest_b64"])
    assert bytes(vector["commitDigest_bytes"]) == expected
    assert commit_digest(vector["transactionId"], statements) == expected


def test_driver_vectors_count() -> None:
    assert len(DRIVER["vectors"]) == 4
    assert len(DRIVER["dot_vectors"]) == 1


def test_dot_vector() -> None:
    v = DRIVER["dot_vectors"][0]
    a, b = bytes.fromhex(v["a_hex"]), bytes.fromhex(v["b_hex"])
    assert a == hashlib.sha256(b"1").digest() and b == hashlib.sha256(b"2").digest()
    assert dot(a, b) == bytes.fromhex(v["dot_hex"])
    assert dot(b, a) == bytes.fromhex(v["dot_hex"])
    assert dot(a, b) != bytes.fromhex(v["wrong_if_unsigned_big_endian_order_hex"])


def test_commit_digest_folds_statement_hashes() -> None:
    """The commit digest is H(txId) dot each statement hash, parameters included."""
    params = [{"name": "Ann"}, 5]
    s = statement_hash("INSERT INTO Person ?", params)
    assert s == dot(dot(ion_hash("INSERT INTO Person ?"), ion_hash(params[0])), ion_hash(5))
    assert commit_digest("tx", [("INSERT INTO Person ?", params)]) == dot(ion_hash("tx"), s)
    assert commit_digest("tx", []) == ion_hash("tx")


# --- stream-dmv-block-seq3.ion ----------------------------------------------------------------

@pytest.fixture(scope="module")
def stream_records() -> list[Any]:
    text = vector_path("stream-dmv-block-seq3.ion").read_text(encoding="utf-8")
    records = simpleion.loads(text, single_value=False)
    assert [r["recordType"] for r in records] == ["BLOCK_SUMMARY", "REVISION_DETAILS",
                                                  "REVISION_DETAILS"]
    return records


def _revision_hash(revision: Any) -> bytes:
    return dot(ion_hash(revision["metadata"]), ion_hash(revision["data"]))


def test_block_summary_entries_hash(stream_records: list[Any]) -> None:
    block = stream_records[0]["payload"]
    entries = [bytes(h) for h in block["entriesHashList"]]
    assert merkle_root(entries) == bytes(block["entriesHash"])
    # four entries: dot(dot(e0, e1), dot(e2, e3))
    assert merkle_root(entries) == dot(dot(entries[0], entries[1]), dot(entries[2], entries[3]))


def test_block_summary_block_hash(stream_records: list[Any]) -> None:
    block = stream_records[0]["payload"]
    assert dot(bytes(block["entriesHash"]), bytes(block["previousBlockHash"])) == \
        bytes(block["blockHash"])


def test_block_summary_transaction_info_entry(stream_records: list[Any]) -> None:
    block = stream_records[0]["payload"]
    entries = [bytes(h) for h in block["entriesHashList"]]
    assert ion_hash(block["transactionInfo"]) == entries[3]


def test_block_summary_statement_digest(stream_records: list[Any]) -> None:
    block = stream_records[0]["payload"]
    (stmt,) = block["transactionInfo"]["statements"]
    assert ion_hash(stmt["statement"]) == bytes(stmt["statementDigest"])
    assert statement_hash(str(stmt["statement"])) == bytes(stmt["statementDigest"])


def test_block_summary_revisions_entry(stream_records: list[Any]) -> None:
    block = stream_records[0]["payload"]
    entries = [bytes(h) for h in block["entriesHashList"]]
    revision_hashes = [bytes(r["hash"]) for r in block["revisionSummaries"]]
    assert merkle_root(revision_hashes) == entries[1]


def test_reconstructed_revision_verifies(stream_records: list[Any]) -> None:
    summary = stream_records[0]["payload"]
    revision = stream_records[2]["payload"]["revision"]
    assert _revision_hash(revision) == bytes(revision["hash"])
    assert bytes(revision["hash"]) == bytes(summary["revisionSummaries"][0]["hash"])
    # A revision proof inside the block: revisions root -> entriesHash -> blockHash.
    entries = [bytes(h) for h in summary["entriesHashList"]]
    proof = merkle_path(entries, 1) + [bytes(summary["previousBlockHash"])]
    assert fold(_revision_hash(revision), proof) == bytes(summary["blockHash"])


def test_edited_revision_does_not_verify(stream_records: list[Any]) -> None:
    revision = stream_records[1]["payload"]["revision"]
    assert revision["data"]["FirstName"] == "Nova"
    assert _revision_hash(revision) != bytes(revision["hash"])


# --- kvs-nodejs-samples.json ------------------------------------------------------------------

def test_kvs_ledger_info_proof_is_inconsistent() -> None:
    info = KVS["sampleLedgerInfo"]
    proof = [bytes(p) for p in simpleion.loads(info["Proof"]["IonText"])]
    folded = fold(b64(info["RevisionHash"]), proof)
    assert folded != b64(info["LedgerDigest"]["Digest"])
    # ...and it lands exactly where the vector file says it does.
    assert folded == b64(KVS["expected"]["sampleLedgerInfo: fold result actually obtained"])


def test_kvs_revision_response_hash_verifies() -> None:
    response = KVS["sampleRevisionResponse"]
    revision = simpleion.loads(response["Revision"]["IonText"])
    assert _revision_hash(revision) == bytes(revision["hash"])
    # Any change to the document breaks it.
    revision["data"]["_val"] = "MyValue2"
    assert _revision_hash(revision) != bytes(revision["hash"])
