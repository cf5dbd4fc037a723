"""The root click group and the error-to-exit-code mapping shared by every command."""

from __future__ import annotations

import functools
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from amazon.ion.exceptions import IonException

from .. import __version__
from ..engine import errors, storage
from ..engine.cancel import CancelToken
from ..engine.ion_values import MAX_NESTING
from .whole_output import STDOUT_NAME, guard_stdout, settle_stdout

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_VERIFY_FAILED = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130  # Ctrl-C or SIGTERM


class _OneLineErrors(click.Group):
    """Usage errors as one line (`error: …`, exit 2), as every other error is, instead of
    Click's four-line block."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        guard_stdout()
        try:
            try:
                super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            except click.exceptions.NoArgsIsHelpError as e:  # bare `ledger`: its help
                click.echo(e.format_message(), err=True)
                sys.exit(e.exit_code)
            except click.UsageError as e:
                hint = f" (see '{e.ctx.command_path} --help')" if e.ctx is not None else ""
                fail(f"{e.format_message()}{hint}", e.exit_code)
            except click.ClickException as e:
                fail(e.format_message(), e.exit_code)
            except click.Abort:
                fail("interrupted; nothing was changed", EXIT_CANCELLED)
            unwritten = settle_stdout()
            if unwritten is not None:
                raise unwritten
        except BrokenPipeError:
            reader_gone()
        except OSError as e:  # the last of the output found the disk full
            fail(_os_error_line(e), EXIT_USAGE)
        sys.exit(EXIT_OK)


def reader_gone() -> None:
    """The reader of our output went away (`ledger info X | head -1`): not an error of ours,
    and not "bad usage". Later writes (and the flush at exit) would fail again, so standard
    output goes nowhere from here; the exit status is a shell's for a tool stopped by
    SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)  # 128 + SIGPIPE


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ledger")
def main() -> None:
    """Ledger Desktop's command line: a local, QLDB-compatible, verifiable ledger."""


def fail(message: str, code: int = EXIT_USAGE) -> None:
    unwritten = settle_stdout()  # output still buffered, which may not fit either
    click.echo(f"error: {message}", err=True)
    if unwritten is not None and not isinstance(unwritten, BrokenPipeError) \
            and STDOUT_NAME not in message:
        click.echo(f"error: {_os_error_line(unwritten)}", err=True)
    sys.exit(code)


def _os_error_line(e: OSError) -> str:
    if e.filename == STDOUT_NAME:
        return f"{STDOUT_NAME}: {e.strerror or e}; the output was cut short"
    where = f"{e.filename}: " if e.filename else ""
    return f"{where}{e.strerror or e}"


def handle_errors(fn: F) -> F:
    """Turn engine errors into one clear line and the documented exit code (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except errors.IntegrityError as e:
            fail(str(e), EXIT_VERIFY_FAILED)
        except errors.Cancelled:
            fail("cancelled; nothing was changed", EXIT_CANCELLED)
        except (errors.UserError, errors.LedgerFileError, errors.ConflictError) as e:
            fail(str(e), EXIT_USAGE)
        except errors.StorageError as e:
            fail(f"storage error: {_with_cause(str(e), kwargs)}", EXIT_USAGE)
        except KeyboardInterrupt:
            fail("interrupted; nothing was changed", EXIT_CANCELLED)
        except sqlite3.DatabaseError as e:  # damaged pages found by a read
            explained = _with_cause(str(e), kwargs)
            if explained != str(e):  # a side file that cannot be written, not damage
                fail(f"storage error: {explained}", EXIT_USAGE)
            fail(f"the ledger file is damaged (SQLite: {e}); `ledger verify` reports what it "
                 "can still check", EXIT_USAGE)
        except BrokenPipeError:
            reader_gone()
        except OSError as e:  # a path the command cannot create, read or write
            fail(_os_error_line(e), EXIT_USAGE)
        except RecursionError:  # a value from a file (an export, a proof) nested too deep
            fail("a value is nested too deeply to process (Python's recursion limit); "
                 f"ledgers store at most {MAX_NESTING} levels", EXIT_USAGE)
        except IonException as e:  # amazon.ion's own reader or writer refusing a value
            fail(f"Ion error: {str(e).strip()}", EXIT_USAGE)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:  # noqa: BLE001 - the contract: one line, never a traceback
            if os.environ.get("LEDGER_TRACEBACK"):
                raise
            fail(f"unexpected error ({type(e).__name__}: {e}). "
                 "Set LEDGER_TRACEBACK=1 to see where, and please report it", EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


def _with_cause(message: str, kwargs: dict[str, Any]) -> str:
    """`message` with what storage can tell of its cause. Errors do not carry the ledger's
    path; the commands that write a ledger name it PATH."""
    path = kwargs.get("path")
    if isinstance(path, str | os.PathLike):
        return storage.explain_readonly(path, message)
    return message


@contextmanager
def ctrl_c_cancels(token: CancelToken,
                   idle: Callable[[], bool] | None = None) -> Iterator[CancelToken]:
    """Ctrl-C and SIGTERM set the cancel token instead of stopping the operation mid-way.

    KeyboardInterrupt can land inside amazon.ion's C extension, which then crashes; a token
    is checked between records, so the operation stops cleanly, rolls back and removes its
    partial output. SIGTERM (`timeout`, systemd, `docker stop`) used to kill it mid-way and
    leave that output behind. A second signal of either kind interrupts at once, and so does
    the first one while `idle()` is true (the shell waiting for a line: nothing is under way
    to roll back, and nothing would look at the token).
    """
    if threading.current_thread() is not threading.main_thread():
        yield token
        return
    owner = os.getpid()
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: object) -> None:
        if os.getpid() != owner:
            # A worker forked meanwhile (export -j) inherited this handler: it reacts as
            # before, so that its parent's terminate() still ends it.
            signal.signal(signum, _restorable(previous[signum]))
            signal.raise_signal(signum)
            return
        if token.cancelled or (idle is not None and idle()):
            token.cancel()
            raise KeyboardInterrupt
        token.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        if signum == signal.SIGTERM and signal.getsignal(signum) == signal.SIG_IGN:
            continue  # ignored by whoever started us, on purpose: it stays so
        previous[signum] = signal.signal(signum, handler)
    try:
        yield token
    except Exception as e:
        if token.cancelled and not isinstance(e, errors.Cancelled):
            # A failure after the cancel is its consequence: systemd sends SIGTERM to every
            # process of the service, so export's workers die and their pool reports itself
            # broken. The operation has cleaned up on its way out.
            raise errors.Cancelled("cancelled") from e
        raise
    finally:
        for signum, old in previous.items():
            signal.signal(signum, _restorable(old))


class Busy:
    """Whether a command is inside engine work, for `ctrl_c_cancels(idle=busy.idle)`: a
    signal then cancels the work cooperatively; outside it, it stops the command at once."""

    def __init__(self) -> None:
        self.active = False

    def idle(self) -> bool:
        return not self.active

    @contextmanager
    def working(self) -> Iterator[None]:
        before, self.active = self.active, True
        try:
            yield
        finally:
            self.active = before


def _restorable(handler: Any) -> Any:
    # signal.signal() gives None for a handler not set from Python; the default is the
    # closest thing to put back.
    return signal.SIG_DFL if handler is None else handler


def output_file(stdout_ok: bool = False) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """Callback for an option naming a file to write (declare it with `path_type=str`):
    `--json -q` would otherwise write a file named "-q". With `stdout_ok`, '-' is passed on
    for the command to write to standard output."""
    def check(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is None or (stdout_ok and value == "-"):
            return value
        if str(value).startswith("-"):
            raise click.BadParameter(f"{value!r} looks like an option; give a file name "
                                     "(./-name for a file whose name starts with '-')")
        return Path(value)
    return check


def nonblank(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    """Callback for a name option: `--name ""` fell back to the default silently."""
    if value is not None and not str(value).strip():
        raise click.BadParameter("must not be empty (leave the option out for the default)")
    return value
