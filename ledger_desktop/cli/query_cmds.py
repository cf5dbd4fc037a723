"""`ledger query` (one PartiQL statement) and `ledger shell` (an interactive shell like QLDB's)."""

from __future__ import annotations

import io
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from ..engine.cancel import CancelToken
from ..engine.errors import Cancelled, ConflictError, LedgerError, UserError
from ..engine.ledger import Ledger
from ..engine.query.formatting import FORMATS, format_values
from ..engine.query.params import ParameterError
from ..engine.query.params import parse_param as read_param
from ..engine.statement_cancel import cancellable
from .base import (
    EXIT_CANCELLED,
    EXIT_USAGE,
    Busy,
    ctrl_c_cancels,
    fail,
    handle_errors,
    main,
)

LEDGER_PATH = click.Path(dir_okay=False, path_type=Path)


def parse_param(text: str) -> Any:
    """A --param value: one Ion text value, read as the app's parameter fields read theirs."""
    try:
        return read_param(text)
    except ParameterError as e:
        raise click.BadParameter(str(e), param_hint="--param") from None


@main.command()
@click.argument("path", type=LEDGER_PATH)
@click.argument("statement")
@click.option("--param", "params", multiple=True, metavar="ION",
              help="A value for the next ? (Ion text, e.g. '\"VIN123\"' or 2019-01-01T). "
                   "Repeat for several.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table; ion (exact Ion text); json (JSON Lines, down-converted as QLDB's "
                   "JSON export does); csv.")
@handle_errors
def query(path: Path, statement: str, params: tuple[str, ...], fmt: str) -> None:
    """Run one PartiQL STATEMENT on the ledger at PATH in its own transaction.

    Like QLDB, every statement (reads included) is recorded in the journal.

    STATEMENT "-" reads the statement from standard input.

    \b
    Example:
      ledger query dmv.ledger "SELECT * FROM Vehicle WHERE VIN = ?" --param '"1N4AL11D75C109151"'
    """
    values = [parse_param(p) for p in params]
    busy = Busy()
    # Ctrl-C and SIGTERM: waiting for stdin, the command stops at once; while the statement
    # runs, it is cancelled and its transaction aborted (exit 130, nothing committed).
    with ctrl_c_cancels(CancelToken(), idle=busy.idle) as cancel:
        if statement == "-":
            # a BOM (Windows Notepad) is not part of the statement
            statement = utf8_text(_stdin_bytes().read(), "standard input"
                                  ).lstrip("\ufeff").strip().rstrip(";")
        _check_writable(path)
        with busy.working(), Ledger.open(path) as ledger, ledger.transaction() as tx:
            with cancellable(ledger, cancel):
                result = tx.execute(statement, *values)
            cancel.check()  # a signal during its last step: abort rather than commit
        # Committed: a signal from here on only cuts the printing short.
        try:
            if cancel.cancelled:
                raise KeyboardInterrupt
            if result.kind == "explain" and fmt == "table":
                click.echo("\n".join(result.plan))
                return
            text = format_values(result.values, fmt)
            if text:
                click.echo(text)
        except KeyboardInterrupt:
            fail("stopped; the statement was committed, but its results were not all printed",
                 EXIT_CANCELLED)


def _check_writable(path: Path) -> None:
    if not path.exists():
        raise click.BadParameter(f"{path} does not exist", param_hint="PATH")
    if not os.access(path, os.W_OK) or not os.access(path.resolve().parent, os.W_OK):
        fail(f"{path}: the file (or its folder) is read-only, and every statement, SELECT "
             "included, is recorded in the journal, as in QLDB; run statements on a writable "
             "copy (info, verify, digest, export and get-block read it where it is)", EXIT_USAGE)


# ---------------------------------------------------------------- shell
SHELL_HELP = """\
Statements are PartiQL and end with ';' (they may span lines).
Commands (with or without a trailing ';'):
  help                      this text
  tables                    list tables (active and dropped) with their ids
  indexes [TABLE]           list indexes
  format [table|ion|json|csv]  show or set the output format
  start transaction | begin open a transaction for several statements
  commit                    commit the open transaction (one block)
  abort | rollback          abandon the open transaction
  explain STATEMENT;        show the plan (index, document-id lookup or full scan)
  exit | quit               leave (an open transaction is aborted)
Outside a transaction, each statement runs and commits on its own, as in QLDB's shell."""


def split_statements(text: str) -> tuple[list[str], str]:
    """Complete ';'-terminated statements in `text` and the unfinished rest.

    Semicolons inside 'strings', "names", `Ion literals` and comments do not end a statement.
    """
    out: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"`":
            j = i + 1
            while j < n:
                if text[j] == ch:
                    if ch != "`" and j + 1 < n and text[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
            continue
        if ch == "-" and text.startswith("--", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        if ch == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if ch == ";":
            stmt = text[start:i].strip()
            if stmt:
                out.append(stmt)
            start = i + 1
        i += 1
    return out, text[start:]


class Shell:
    """The shell's state machine, independent of where lines come from (tested directly)."""

    def __init__(self, ledger: Ledger, write: Callable[[str], None], fmt: str = "table",
                 cancel: CancelToken | None = None, busy: Busy | None = None) -> None:
        self.ledger = ledger
        self._write = write
        self.fmt = fmt
        self.tx: Any = None
        self.buffer = ""
        self.done = False
        self.failed = False  # an error was reported (a piped script then exits 2)
        # A script (piped input) cannot look at an error before its `commit`: a statement that
        # fails inside a transaction rolls the transaction back, and what follows up to its
        # `commit` or `abort` is skipped, as psql does, so the block stays all or nothing.
        self.script = False
        self.rolled_back = False  # skipping to the end of a failed transaction
        # Set by Ctrl-C or SIGTERM: the running statement stops, and so does the shell
        # (Cancelled propagates; the caller aborts the open transaction).
        self.cancel = cancel
        self.busy = busy or Busy()  # inside engine work: a signal only sets `cancel`

    def write(self, text: str) -> None:
        if text.startswith("error:"):
            self.failed = True
        self._write(text)

    @property
    def prompt(self) -> str:
        name = self.ledger.ledger_name
        if self.buffer.strip():
            return " " * (len(name) + 1) + "> "
        return f"{name}{'*' if self.tx is not None else ''}> "

    def feed(self, line: str) -> None:
        """One line of input; raises Cancelled once `cancel` is set."""
        with self.busy.working():
            self._check_cancel()
            if not self.buffer.strip():
                cmd = line.strip().rstrip(";").strip()
                if self._command(cmd):
                    self._check_cancel()
                    return
            self.buffer += line + "\n"
            statements, self.buffer = split_statements(self.buffer)
            for stmt in statements:
                self._check_cancel()
                self._statement(stmt)
            self._check_cancel()

    def close(self) -> None:
        with self.busy.working():
            if self.tx is not None and not self.tx.done:
                self.tx.abort()
                self.write("the open transaction was aborted")
            self.tx = None

    def _check_cancel(self) -> None:
        if self.cancel is not None:
            self.cancel.check()

    # ------------------------------------------------------------ commands
    def _command(self, cmd: str) -> bool:
        words = cmd.split()
        if not words:
            return not self.buffer.strip() and not cmd
        head = words[0].lower()
        low = " ".join(w.lower() for w in words)
        if low in ("help", "?", "\\h"):
            self.write(SHELL_HELP)
        elif low in ("exit", "quit", "\\q"):
            self.close()
            self.done = True
        elif head == "tables" and len(words) == 1:
            self._tables()
        elif head == "indexes" and len(words) <= 2:
            self._indexes(words[1] if len(words) == 2 else None)
        elif head == "format" and len(words) <= 2:
            if len(words) == 2:
                if words[1].lower() not in FORMATS:
                    self.write(f"error: unknown format {words[1]!r}; use one of "
                               f"{', '.join(FORMATS)}")
                else:
                    self.fmt = words[1].lower()
            self.write(f"output format: {self.fmt}")
        elif self.rolled_back and low in ("commit", "commit transaction", "abort", "rollback",
                                          "abort transaction"):
            self.rolled_back = False
            self.write("transaction rolled back earlier (a statement in it failed); nothing it "
                       "did was written")
        elif self.rolled_back and head in ("start", "begin"):
            self.write(f"skipped (the failed transaction has not ended): {cmd[:60]}")
        elif low in ("start transaction", "begin", "begin transaction"):
            if self.tx is not None:
                self.write("error: a transaction is already open; commit or abort it first")
            else:
                try:
                    self.tx = self.ledger.begin()
                except LedgerError as e:
                    self.write(f"error: {e}")
                    return True
                self.write(f"transaction {self.tx.id} started")
        elif low in ("commit", "commit transaction"):
            self._commit()
        elif low in ("abort", "rollback", "abort transaction"):
            if self.tx is None:
                self.write("error: no transaction is open")
            else:
                self.tx.abort()
                self.tx = None
                self.write("transaction aborted; nothing was written")
        else:
            return False
        return True

    def _commit(self) -> None:
        if self.tx is None:
            self.write("error: no transaction is open")
            return
        tx, self.tx = self.tx, None
        try:
            address = tx.commit()
        except ConflictError as e:
            self.write(f"error: {e}; the transaction was aborted, run it again")
            return
        except LedgerError as e:
            self.write(f"error: {e}; the transaction was aborted")
            return
        if address is None:
            self.write("committed (no statements, no block written)")
        else:
            self.write(f"committed in block {address.text()}")

    def _tables(self) -> None:
        tables = self.ledger.tables(include_inactive=True)
        if not tables:
            self.write("(no tables)")
            return
        rows = [{"name": t.name, "tableId": t.table_id, "status": t.status,
                 "documents": self.ledger.count_documents(t.table_id) if t.active else 0,
                 "indexes": len(t.indexes)} for t in tables]
        self.write(format_values(rows, "table"))

    def _indexes(self, table: str | None) -> None:
        rows = []
        for t in self.ledger.tables(include_inactive=True):
            if table is not None and t.name != table:
                continue
            for ix in t.indexes:
                rows.append({"table": t.name, "field": ix.field, "indexId": ix.index_id,
                             "status": ix.status})
        if table is not None and not any(t.name == table for t in
                                         self.ledger.tables(include_inactive=True)):
            self.write(f"error: no table named {table!r}")
            return
        self.write(format_values(rows, "table") if rows else "(no indexes)")

    # ------------------------------------------------------------ statements
    def _execute(self, stmt: str) -> Any:
        """Run `stmt` in the open transaction, or in its own (committed unless cancelled)."""
        if self.cancel is None:
            return (self.tx if self.tx is not None else self.ledger).execute(stmt)
        if self.tx is not None:
            with cancellable(self.ledger, self.cancel):
                return self.tx.execute(stmt)
        with self.ledger.transaction() as tx:
            with cancellable(self.ledger, self.cancel):
                result = tx.execute(stmt)
            self.cancel.check()  # a signal during its last step: abort rather than commit
        return result

    def _statement(self, stmt: str) -> None:
        if self.rolled_back:
            line = " ".join(stmt.split())
            self.write(f"skipped (the failed transaction has not ended): {line[:60]}")
            return
        started = time.perf_counter()
        try:
            result = self._execute(stmt)
        except Cancelled:
            raise  # the shell stops; not a statement's error
        except (UserError, ConflictError, LedgerError) as e:
            self.write(f"error: {e}")
            if self.tx is not None and self.script and not self.tx.done:
                self.tx.abort()
                self.rolled_back = True
            if self.tx is not None and self.tx.done:
                self.tx = None
                self.write("the transaction was aborted; nothing it did was written" + (
                    "; statements up to its 'commit' or 'abort' are skipped"
                    if self.script else ""))
                self.rolled_back = self.script
            return
        ms = (time.perf_counter() - started) * 1000
        if result.kind == "explain":
            self.write("\n".join(result.plan))
            return
        text = format_values(result.values, self.fmt)
        if text:
            self.write(text)
        n = len(result.values)
        noun = {"dml": "document(s) changed", "ddl": "catalog change(s)"}.get(result.kind,
                                                                            "result(s)")
        where = " (in the open transaction)" if self.tx is not None else ""
        self.write(f"{n} {noun}; {result.documents_examined} document(s) examined; "
                   f"{ms:.1f} ms{where}")


def history_path() -> Path:
    env = os.environ.get("LEDGER_SHELL_HISTORY")
    if env:
        return Path(env)
    return Path.home() / ".ledger_desktop" / "shell_history"


_COMMENT = re.compile(r"--[^\n]*|/\*.*?(?:\*/|$)", re.DOTALL)


def _without_comments(text: str) -> str:
    return _COMMENT.sub(" ", text)


def utf8_text(data: bytes, what: str, line: int = 1) -> str:
    """`data` as UTF-8, or a UserError naming where it is not: the text layer's surrogate
    escapes turned such bytes into "text holds a lone surrogate" or "unexpected character
    '\\udcff'", which did not say the input was in another encoding."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        at_line = line + data.count(b"\n", 0, e.start)
        start = data.rfind(b"\n", 0, e.start) + 1
        column = len(data[start:e.start].decode("utf-8", "replace")) + 1
        raise UserError(f"{what} is not UTF-8 text: byte 0x{data[e.start]:02x} at line "
                        f"{at_line}, column {column} (save the file as UTF-8)") from None


def _stdin_bytes() -> Any:
    return getattr(sys.stdin, "buffer", None) or io.BytesIO(sys.stdin.read().encode())


def _utf8_lines(stream: Any) -> Iterator[str]:
    for n, raw in enumerate(stream, 1):
        yield utf8_text(raw, "the script", n)


def run_lines(shell: Shell, lines: Iterable[str]) -> None:
    shell.script = True
    try:
        for n, line in enumerate(lines):
            shell.feed((line.lstrip("\ufeff") if n == 0 else line).rstrip("\n"))  # a BOM
            if shell.done:
                return
    except UserError as e:  # the input itself cannot be read (not UTF-8)
        shell.write(f"error: {e}; nothing from there on was run")
        shell.close()
        return
    if _without_comments(shell.buffer).strip():  # a trailing `-- done` is not a statement
        shell.write("error: the last statement has no closing ';' and was not run")
    shell.close()


def run_interactive(shell: Shell, history: Path, input: Any = None, output: Any = None) -> None:
    """Read lines with prompt_toolkit (line editing, history kept in `history`)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    history.parent.mkdir(parents=True, exist_ok=True)
    session: PromptSession = PromptSession(history=FileHistory(str(history)), input=input,
                                           output=output)
    while not shell.done:
        try:
            line = session.prompt(shell.prompt)
        except KeyboardInterrupt:
            if shell.cancel is not None and shell.cancel.cancelled:
                raise  # SIGTERM at the prompt (Ctrl-C there is a key, not a signal)
            shell.buffer = ""
            continue
        except EOFError:
            break
        shell.feed(line)
    shell.close()


@main.command()
@click.argument("path", type=LEDGER_PATH)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Initial output format (change it with the 'format' command).")
@click.option("--history", "history", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="History file (default $LEDGER_SHELL_HISTORY or "
                                 "~/.ledger_desktop/shell_history).")
@handle_errors
def shell(path: Path, fmt: str, history: Path | None) -> None:
    """An interactive PartiQL shell on the ledger at PATH (type 'help').

    Statements end with ';' and may span lines; 'start transaction' ... 'commit' groups
    several statements into one block. With input from a pipe, lines are read as a script.
    """
    _check_writable(path)
    busy = Busy()
    # Ctrl-C and SIGTERM: a running statement is cancelled, the open transaction aborted,
    # and the shell ends with exit 130; waiting for a line, it ends at once.
    with ctrl_c_cancels(CancelToken(), idle=busy.idle) as cancel:
        with busy.working():
            ledger = Ledger.open(path)
        try:
            sh = Shell(ledger, click.echo, fmt, cancel=cancel, busy=busy)
            try:
                if sys.stdin.isatty():
                    click.echo(f"ledger shell on {path} ({ledger.ledger_name}); type 'help'")
                    run_interactive(sh, history or history_path())
                else:
                    run_lines(sh, _utf8_lines(_stdin_bytes()))
            except (KeyboardInterrupt, Cancelled):
                stopped = True
            else:
                stopped = False
            if stopped:
                sh.close()
        finally:
            with busy.working():
                ledger.close()
    if stopped:
        fail("stopped; statements committed before stay committed, the running statement "
             "and any open transaction were rolled back", EXIT_CANCELLED)
    if sh.failed and not sys.stdin.isatty():
        fail("the script had errors (each is printed above); statements outside a transaction "
             "ran as they were written, and a transaction with an error was rolled back whole",
             EXIT_USAGE)
