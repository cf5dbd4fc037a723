"""Cancel a running statement from its cancel token.

The engine's `Ledger.execute` takes no cancel token, so while a statement runs (on an app
lane, or in `ledger query`/`ledger shell`) a SQLite progress handler is installed on that
ledger's connection, on the thread that runs the statement: the
handler aborts the current SQLite step once the token is cancelled, the statement fails and
its transaction is aborted, so nothing is committed. The token is also given to the ledger
(`Ledger.cancel_token`), whose query layer looks at it while it joins rows in Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .cancel import CancelToken
from .errors import Cancelled

#: SQLite virtual-machine instructions between two looks at the token.
CHECK_EVERY = 2000


@contextmanager
def cancellable(ledger: Any, token: CancelToken) -> Iterator[None]:
    conn = getattr(ledger, "_conn", None)
    install = getattr(conn, "set_progress_handler", None)
    if install is not None:
        install(lambda: 1 if token.cancelled else 0, CHECK_EVERY)
    had_token = hasattr(ledger, "cancel_token")
    if had_token:
        ledger.cancel_token = token  # the query layer's own loops look at it too
    try:
        yield
    except Exception:
        if token.cancelled:
            raise Cancelled("cancelled; nothing was committed") from None
        raise
    finally:
        if install is not None:
            install(None, 0)
        if had_token:
            ledger.cancel_token = None
    # A call that returned normally did its work (a write committed): never report it as
    # cancelled, even if Cancel was pressed a moment too late.
