"""One error hierarchy for the engine.

User errors (bad input) are distinguished from files that cannot be used, from optimistic
concurrency conflicts, from cancellation and from integrity failures, so the CLI and the app
can map each family to an exit code or a dialog without guessing.
"""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Base of every error the engine raises on purpose."""


class UserError(LedgerError):
    """The user's input is wrong; the message says what and where."""


class QueryError(UserError):
    """A PartiQL statement is malformed or cannot be evaluated."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 statement: str | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.statement = statement
        super().__init__(self.render())

    def render(self) -> str:
        where = f" at line {self.line}, column {self.column}" if self.line is not None else ""
        text = f"{self.message}{where}"
        if self.statement is not None and self.line is not None and self.column is not None:
            lines = self.statement.splitlines() or [""]
            if 1 <= self.line <= len(lines):
                src = lines[self.line - 1]
                text += f"\n  {src}\n  {' ' * (self.column - 1)}^"
        return text


class TableNotFoundError(UserError):
    pass


class TableExistsError(UserError):
    pass


class IndexError_(UserError):
    """An index cannot be created, found or used."""


class DocumentNotFoundError(UserError):
    pass


class RevisionNotFoundError(UserError):
    pass


class BlockNotFoundError(UserError):
    pass


class InvalidOperationError(UserError):
    """A valid request that the ledger's rules forbid (e.g. redacting the latest revision)."""


class LimitExceededError(UserError):
    """A QLDB-strict or engine limit was exceeded."""


class ReadOnlyError(UserError):
    """A write was attempted on a ledger opened read-only."""


class ImportFileError(UserError):
    """A record in an import file is malformed; names the file, line and column."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.reason = message
        self.file = file
        self.line = line
        self.column = column
        where = file or "<input>"
        if line is not None:
            where += f", line {line}"
            if column is not None:
                where += f", column {column}"
        super().__init__(f"{where}: {message}")


class InputFormatError(UserError):
    """A digest, proof, block or revision file cannot be read."""


class LedgerFileError(LedgerError):
    """The file cannot be used as a ledger."""


class NotALedgerError(LedgerFileError):
    pass


class NewerSchemaError(LedgerFileError):
    pass


class StorageError(LedgerError):
    """The environment failed (disk full, I/O error, locked database)."""

    def __init__(self, message: str = "") -> None:
        # SQLite's own words name neither the cause a person can act on nor what was kept
        if "database or disk is full" in message and "free some space" not in message:
            message = (f"{message}: the disk (or the folder's quota) is full; nothing of this "
                       "transaction was committed and the ledger is as it was; free some space "
                       "and try again")
        super().__init__(message)


class ConflictError(LedgerError):
    """Optimistic concurrency conflict: a concurrent commit changed what this transaction read."""


class Cancelled(LedgerError):
    """A cancel token stopped a long operation; nothing was committed by it."""


class IntegrityError(LedgerError):
    """Verification found that the ledger does not agree with its own hashes or a digest."""

    def __init__(self, message: str, report: Any = None) -> None:
        self.report = report
        super().__init__(message)
