"""Saved digests per ledger and the last-verification record (engine side, no Qt)."""

from __future__ import annotations

import base64
import json

import pytest

from ledger_desktop.engine import digest_file
from ledger_desktop.engine.blocks import BlockAddress
from ledger_desktop.engine.digest_store import DigestStore
from ledger_desktop.engine.errors import InputFormatError, UserError
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.model import Digest
from ledger_desktop.engine.sample import build_sample


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("store") / "s.ledger")


def test_add_list_dedupe_remove(sample_path, tmp_path):
    with Ledger.open(sample_path, read_only=True) as led:
        store = DigestStore(tmp_path / "digests", led.strand_id, led.ledger_name)
        assert store.digests() == []
        current = led.digest()
        older = led.digest_at(10)
    store.add(current, "today")
    store.add(older)
    store.add(current, "renamed")  # same tip and value: replaced, not duplicated
    listed = store.digests()
    assert [s.digest.tip.seq for s in listed] == [10, current.tip.seq]
    assert listed[1].label == "renamed" and listed[1].digest.digest == current.digest
    assert listed[0].digest == older.__class__(older.digest, older.tip, older.ledger_name,
                                               listed[0].digest.created)
    store.remove(listed[0].key)
    assert [s.digest.tip.seq for s in store.digests()] == [current.tip.seq]
    with pytest.raises(UserError):
        store.remove("nope")


def test_import_getdigest_json_and_refuse_other_strand(sample_path, tmp_path):
    with Ledger.open(sample_path, read_only=True) as led:
        d = led.digest()
        strand = led.strand_id
    f = tmp_path / "aws.json"
    f.write_text(json.dumps({"Digest": base64.b64encode(d.digest).decode(),
                             "DigestTipAddress": {"IonText": d.tip.text()}}))
    store = DigestStore(tmp_path, strand)
    saved = store.import_file(f)
    assert saved.digest.digest == d.digest and saved.source == str(f)
    other = Digest(d.digest, BlockAddress("SomeOtherStrand0000000", 3))
    with pytest.raises(UserError):
        store.add(other)
    with pytest.raises(InputFormatError):
        store.import_file(tmp_path / "missing.json")
    own = tmp_path / "own.digest.json"
    digest_file.write_digest(own, d)
    assert store.import_file(own).digest.digest == d.digest
    assert len(store.digests()) == 1


def test_damaged_file_is_reported_and_left_unchanged(tmp_path):
    store = DigestStore(tmp_path, "Strand123")
    store.path.write_text("{not json")
    with pytest.raises(InputFormatError, match="damaged"):
        store.digests()
    with pytest.raises(InputFormatError):
        store.add(Digest(b"\1" * 32, BlockAddress("Strand123", 0)))
    assert store.path.read_text() == "{not json"
    with pytest.raises(UserError):
        DigestStore(tmp_path, "../etc/passwd")


def test_verification_record_per_file(sample_path, tmp_path):
    with Ledger.open(sample_path, read_only=True) as led:
        report = led.verify()
        store = DigestStore(tmp_path, led.strand_id)
    assert store.last_verification(sample_path) is None
    rec = store.record_verification(sample_path, report)
    again = store.last_verification(sample_path)
    assert again == rec and again.ok and again.digest_b64 == report.digest_b64
    assert again.blocks == report.blocks_checked
    assert store.last_verification(tmp_path / "other.ledger") is None
