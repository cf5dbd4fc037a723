"""Build a ledger from a journal export (QLDB's or ours), verifying every block as it is read.

Blocks are stored verbatim (`Ledger.append_foreign_block`): original block addresses, document
and transaction ids, timestamps and hashes; system blocks and hash-only revisions as they are.
The index storage is brought up to date block by block. The whole import is one SQLite
transaction; any failure (a block that does not verify, a gap, a cancel) removes the new file.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .blocks import block_range
from .cancel import CancelToken, Progress
from .errors import InputFormatError, IntegrityError, UserError
from .export_verify import ExportVerifyReport, walk_export
from .exports import open_export
from .gc_pause import paused_gc
from .ledger import Ledger
from .model import Digest
from .new_file import built_whole, default_ledger_name


@dataclass
class JournalImportResult:
    path: Path
    ledger_name: str
    blocks: int
    revisions: int
    digest: Digest
    report: ExportVerifyReport


def import_journal(directory: str | os.PathLike[str], new_ledger: str | os.PathLike[str], *,
                   ledger_name: str | None = None, progress: Progress | None = None,
                   cancel: CancelToken | None = None) -> JournalImportResult:
    target = Path(new_ledger)
    if target.exists():
        raise UserError(f"{target} already exists; import-journal only creates new ledgers")
    source = open_export(directory)
    if source.format == "json":
        raise UserError(
            "a JSON export cannot become a ledger: JSON loses the Ion types of document data, "
            "so the revisions' hashes could never be verified again. Export in ion_text or "
            "ion_binary (verify-export still checks a JSON export's chain)")
    if not source.objects:
        raise UserError(f"{directory}: the export holds no data objects")
    if source.objects[0].first != 0:
        raise UserError(f"the export starts at block {source.objects[0].first}; a ledger needs "
                        "its whole journal from block 0 (export without --start-time)")
    report = ExportVerifyReport(str(directory), source.format, objects=len(source.objects))
    source_name = source.ledger_name if source.ledger_name and source.ledger_name.strip() \
        else None
    name = ledger_name or source_name or default_ledger_name(target)
    # Built under a hidden name and renamed when complete: a killed import left the ledger's
    # metadata and no block at `target`, which verified and took commits on the source's strand.
    with built_whole(target) as tmp:
        ledger = Ledger.create_imported(tmp, source.objects[0].strand_id, ledger_name=name)
        try:
            with ledger.atomic(), paused_gc():
                for block in walk_export(source, report, progress=progress, cancel=cancel):
                    _stop_on_failure(report)
                    try:
                        ledger.append_foreign_block(block)
                    except (KeyError, TypeError, ValueError, sqlite3.IntegrityError) as e:
                        # a block that verifies by membership but lacks what a ledger needs
                        raise InputFormatError(f"a block of the export cannot be stored "
                                               f"({type(e).__name__}: {e}); nothing was "
                                               "imported") from None
                _stop_on_failure(report)
                if report.blocks == 0:
                    raise UserError(f"{directory}: the export holds no blocks")
                _refuse_unrequested_redaction(report)
            digest = ledger.digest()
        finally:
            ledger.close()
    return JournalImportResult(target, name, report.blocks, report.revisions, digest, report)


def _refuse_unrequested_redaction(report: ExportVerifyReport) -> None:
    """A redacted revision of our own layout must be named by a redaction request in the
    journal, or `ledger verify` reports the journal as cut short after a redaction. An export
    whose range ends between a redaction's target and its request is a valid QLDB-style
    export, but it cannot become a ledger that verifies."""
    what = report.first_unrequested()
    if what is None:
        return
    seq = min(at[0] for at in report.unrequested.values())
    raise UserError(f"{what}, so the ledger built from it would fail 'ledger verify'; export "
                    "a range that ends after the block that redacts it (or before block "
                    f"{seq}); nothing was imported")


def _stop_on_failure(report: ExportVerifyReport) -> None:
    # Blocks of a data object that cannot be read are a failure naming the object and its
    # error (export_verify leaves them out of the gaps); the earlier finding is the one named.
    first = report.failures[0].seq if report.failures else None
    if report.gaps and (first is None or report.gaps[0][0] < first):
        a, b = report.gaps[0]
        raise IntegrityError(f"the export is missing {block_range(a, b)}; nothing was imported",
                             report)
    if report.failures:
        raise IntegrityError(f"{report.failures[0]}; nothing was imported", report)


