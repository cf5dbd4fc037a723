"""Ledger.deleted_documents and Ledger.is_document: reaching documents the browser no longer
lists (app probe 2026-11-29b, item 8)."""

from __future__ import annotations

import time

from ledger_desktop.engine.ledger import Ledger


def _ids(result) -> list[str]:
    return [str(v["documentId"]) for v in result.values]


def test_lists_exactly_the_deleted_documents(tmp_path):
    with Ledger.create(tmp_path / "d.ledger") as led:
        led.execute("CREATE TABLE T")
        led.execute("CREATE TABLE U")
        kept, gone, updated_then_gone = _ids(led.execute(
            "INSERT INTO T << {'n': 1}, {'n': 2}, {'n': 3} >>"))
        (other,) = _ids(led.execute("INSERT INTO U {'n': 9}"))
        led.execute("UPDATE T SET n = 30 WHERE n = 3")
        led.execute("DELETE FROM T WHERE n = 2")
        led.execute("DELETE FROM T WHERE n = 30")
        led.execute("DELETE FROM U")
        table = led.table("T")
        deleted = led.deleted_documents(table.table_id)
        assert [d.doc_id for d in deleted] == [gone, updated_then_gone]
        first, second = deleted
        assert (first.version, second.version) == (1, 2)  # the DELETE's version
        history = led.document_history(updated_then_gone)
        assert history[-1].kind == "deleted"
        assert second.block_seq == history[-1].address.seq
        assert second.deleted_at == history[-1].tx_time
        assert second.tx_id == history[-1].tx_id
        assert first.block_seq < second.block_seq
        assert [d.doc_id for d in led.deleted_documents(led.table("U").table_id)] == [other]
        assert led.deleted_documents("no-such-table") == []
        assert led.is_document(kept) and led.is_document(gone)
        assert not led.is_document("0" * 22)


def test_cost_on_a_20000_revision_table(tmp_path):
    """10,000 documents, 9,000 updated, 1,000 deleted: 20,000 revisions of one table."""
    with Ledger.create(tmp_path / "big.ledger") as led:
        led.execute("CREATE TABLE T")
        for start in range(0, 10_000, 1_000):
            rows = ", ".join(f"{{'n': {n}}}" for n in range(start, start + 1_000))
            led.execute(f"INSERT INTO T << {rows} >>")
        led.execute("UPDATE T SET m = 1 WHERE n >= 1000")
        led.execute("DELETE FROM T WHERE n < 1000")
        table_id = led.table("T").table_id
        assert led._conn.execute("SELECT count(*) FROM revisions WHERE table_id=?",
                                 (table_id,)).fetchone()[0] == 20_000
        t0 = time.perf_counter()
        deleted = led.deleted_documents(table_id)
        elapsed = time.perf_counter() - t0
        assert len(deleted) == 1_000
        assert all(d.version == 1 for d in deleted)
        print(f"deleted_documents over 20,000 revisions: {elapsed * 1000:.1f} ms")
        # the read goes through the table's index and each document's versions, never a scan
        # of the whole journal's revisions
        from ledger_desktop.engine import storage
        from ledger_desktop.engine.deleted_documents import _DELETED

        plan = " | ".join(str(r[-1]) for r in led._conn.execute(
            "EXPLAIN QUERY PLAN " + _DELETED, (table_id, storage.KIND_DELETED)))
        assert "revisions_table_seq" in plan and "revisions_doc" in plan, plan
        assert "SCAN r " not in plan + " " and "SCAN later" not in plan, plan
