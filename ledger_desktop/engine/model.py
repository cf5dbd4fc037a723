"""Plain records the engine hands out: tables, indexes, documents, revisions, digests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .blocks import BlockAddress


@dataclass(frozen=True)
class IndexInfo:
    index_id: str
    field: str
    status: str = "ONLINE"

    @property
    def expr(self) -> str:
        return f"[{self.field}]"


@dataclass(frozen=True)
class TableInfo:
    table_id: str
    name: str
    status: str  # ACTIVE | INACTIVE
    indexes: tuple[IndexInfo, ...] = ()
    tags: Any = None

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"

    def index_on(self, field_name: str) -> IndexInfo | None:
        for ix in self.indexes:
            if ix.field == field_name:
                return ix
        return None


@dataclass
class Document:
    """The current (latest, not deleted) revision of a document, from the index storage."""

    doc_id: str
    table_id: str
    version: int
    data: Any
    block_seq: int
    hash: bytes | None = None
    tx_time: Any = None
    tx_id: str | None = None


@dataclass(frozen=True)
class RedactionRecord:
    """The block whose transaction redacted a revision (its `redactionInfo` names it)."""

    seq: int
    tx_id: str
    block_time: Any              # the block's Ion timestamp
    statements: tuple[str, ...]  # the transaction's statements (EXEC REDACT_REVISION …)

    def statement(self) -> str:
        """The statement that asked for the redaction: the one naming REDACT_REVISION, else
        the transaction's first (a redaction made through the API names what it likes)."""
        return next((s for s in self.statements if "REDACT_REVISION" in s.upper()),
                    self.statements[0] if self.statements else "")


@dataclass
class RevisionInfo:
    """One revision of a document from the journal, with its block's context."""

    doc_id: str
    version: int
    address: BlockAddress
    hash: bytes
    kind: str            # 'data' | 'deleted' | 'redacted'
    data: Any            # None unless kind == 'data'
    data_hash: bytes | None
    tx_time: Any
    tx_id: str
    table_id: str | None
    metadata: Any = None  # the metadata struct exactly as stored in the journal
    statements: list[str] = field(default_factory=list)  # statements that touched it
    #: for a redacted revision read `with_redactions`: the block that redacted it (None when
    #: this journal holds no such block, e.g. a partial import)
    redaction: RedactionRecord | None = None

    def to_ion(self) -> Any:
        """The committed-view struct QLDB returns for this revision."""
        from .ion_values import struct

        pairs: list[tuple[str, Any]] = [("blockAddress", self.address.to_ion()),
                                        ("hash", self.hash)]
        if self.kind == "data":
            pairs.append(("data", self.data))
        elif self.kind == "redacted":
            pairs.append(("dataHash", self.data_hash))
        pairs.append(("metadata", self.metadata))
        return struct(*pairs)


@dataclass(frozen=True)
class Digest:
    digest: bytes
    tip: BlockAddress
    ledger_name: str | None = None
    created: Any = None  # Ion timestamp when the digest was taken / saved

    def tip_text(self) -> str:
        return self.tip.text()


@dataclass
class BlockSummary:
    seq: int
    tx_id: str
    block_ts: str
    n_revisions: int
    has_redaction: bool
    is_foreign: bool
    block_hash: bytes
