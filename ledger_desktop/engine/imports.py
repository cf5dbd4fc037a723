"""File import: documents from Ion, JSON, JSON Lines and CSV files into one table.

All or nothing: every batch of documents is one transaction (one journal block whose
statements are `INSERT INTO T ?`, one per document, with the document as the parameter), and
all the batches commit together in one SQLite transaction (`ledger.atomic()`). A bad record,
a cancel or Ctrl-C rolls everything back: the ledger is unchanged. Files are streamed, so
memory holds one batch, whatever the files' size.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .cancel import CancelToken, Progress
from .errors import ImportFileError, TableNotFoundError, UserError
from .gc_pause import paused_gc
from .ion_values import dumps_binary
from .readers import Record, detect_format, open_records

if TYPE_CHECKING:
    from .ledger import Ledger
    from .transaction import Transaction

DEFAULT_BATCH_SIZE = 1000
PREVIEW_INFER_ROWS = 10_000
#: Progress is reported every this many documents (and at the end).
PROGRESS_EVERY = 2000


@dataclass
class ImportResult:
    table_name: str
    table_id: str
    documents: int = 0
    blocks: int = 0
    created_table: bool = False
    per_file: list[tuple[str, int]] = field(default_factory=list)
    first_seq: int | None = None
    last_seq: int | None = None


def preview(path: str | os.PathLike[str], limit: int = 20, *,
            keep_strings: bool = False) -> list[Record]:
    """The first `limit` documents of a file (with their line numbers), for an import dialog.

    Raises ImportFileError if the file (up to those records) cannot be read. CSV column types
    are inferred from the first PREVIEW_INFER_ROWS rows, so a preview of a huge file is quick.
    """
    out: list[Record] = []
    with open_records(path, keep_strings=keep_strings, infer_rows=PREVIEW_INFER_ROWS) as reader:
        for rec in reader:
            if len(out) >= limit:
                break
            out.append(rec)
    return out


def _stored_bytes(value: Any, statement: str) -> int:
    """What one imported document adds to its transaction's size as the limit counts it: its
    Ion binary, its statement in the block (text, start time, digest) and its `documents`
    entry; an overestimate by a few dozen bytes. A value that cannot be written counts 0 and
    fails at its record when the batch commits."""
    try:
        blob = dumps_binary(value)
    except Exception:  # noqa: BLE001 - reported at commit, with its file and line
        return 0
    return len(blob) + len(statement) + 160


def import_files(ledger: Ledger, table_name: str, paths: Sequence[str | os.PathLike[str]], *,
                 create_table: bool = False, batch_size: int = DEFAULT_BATCH_SIZE,
                 keep_strings: bool = False, progress: Progress | None = None,
                 cancel: CancelToken | None = None) -> ImportResult:
    """Insert every document of `paths` into `table_name`, all or nothing."""
    if not paths:
        raise UserError("no files to import")
    if batch_size < 1:
        raise UserError("the batch size must be at least 1")
    cap = ledger.limits.documents_per_transaction
    if cap is not None:
        batch_size = min(batch_size, cap)
    for p in paths:  # missing files and unknown types fail before anything is written
        if not os.path.isfile(p):
            raise ImportFileError("no such file", os.fspath(p))
        detect_format(p)
    total = sum(os.path.getsize(p) for p in paths)
    statement = f"INSERT INTO {table_name} ?"
    # A ledger with a transaction size limit (QLDB-strict: 4 MB) closes a batch before its
    # documents would pass it, rather than fail the whole import at a batch of large ones.
    byte_cap = ledger.limits.transaction_bytes
    done_before = 0

    with ledger.atomic(), paused_gc():
        tx = ledger.begin()
        try:
            table_id = tx.table(table_name).table_id
            created = False
        except TableNotFoundError:
            if not create_table:
                raise TableNotFoundError(
                    f"no active table named {table_name!r} (use --create-table to create "
                    "it in the same import)") from None
            table_id = tx.create_table(table_name, tx.begin_statement(
                f"CREATE TABLE {table_name}"))
            created = True
        result = ImportResult(table_name, table_id, created_table=created)
        in_batch = 0
        batch_bytes = 0

        # Where each document of the open batch came from: a document that cannot be written
        # (found at commit, when it is written as Ion binary) is reported at its record.
        origin: dict[str, tuple[str, int | None, int | None]] = {}

        def commit(tx: Transaction) -> None:
            try:
                addr = tx.commit()
            except ImportFileError:
                raise
            except UserError as e:
                where = origin.get(getattr(e, "doc_id", None) or "")
                if where is None:
                    raise
                raise ImportFileError(str(e), *where) from None
            origin.clear()
            if addr is not None:
                result.blocks += 1
                if result.first_seq is None:
                    result.first_seq = addr.seq
                result.last_seq = addr.seq

        for path in paths:
            count = 0
            with open_records(path, keep_strings=keep_strings) as reader:
                for rec in reader:
                    if cancel is not None:
                        cancel.check()
                    if byte_cap is not None:
                        cost = _stored_bytes(rec.value, statement)
                        if in_batch and batch_bytes + cost > byte_cap:
                            commit(tx)
                            tx = ledger.begin()
                            in_batch = batch_bytes = 0
                        batch_bytes += cost
                    try:
                        doc_id = tx.insert(table_id, rec.value,
                                           tx.begin_statement(statement, (rec.value,)))
                        origin[doc_id] = (os.fspath(path), rec.line, rec.column)
                    except ImportFileError:
                        raise
                    except UserError as e:  # e.g. a document over the size limit
                        raise ImportFileError(str(e), os.fspath(path), rec.line,
                                              rec.column) from None
                    count += 1
                    in_batch += 1
                    if in_batch >= batch_size:
                        commit(tx)
                        tx = ledger.begin()
                        in_batch = batch_bytes = 0
                    if progress is not None and count % PROGRESS_EVERY == 0:
                        progress(done_before + reader.bytes_done, total)
                done_before += reader.total_bytes
            result.documents += count
            result.per_file.append((os.fspath(path), count))
            if progress is not None:
                progress(done_before, total)
        if cancel is not None:
            cancel.check()
        commit(tx)
    return result
