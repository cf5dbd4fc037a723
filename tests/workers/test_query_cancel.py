"""Cancel reaches a statement that joins rows in Python (no SQLite step to interrupt)."""

from __future__ import annotations

import threading

import pytest

from ledger_desktop.engine.cancel import CancelToken
from ledger_desktop.engine.errors import Cancelled
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample
from ledger_desktop.engine.statement_cancel import cancellable

# 5^8 = 390,625 rows, all computed in Python from five documents read at the start
BIG_JOIN = ("SELECT a.VIN FROM Vehicle a, Vehicle b, Vehicle c, Vehicle d, Vehicle e, "
            "Vehicle f, Vehicle g, Vehicle h")


def test_cancel_stops_a_join_computed_in_python(tmp_path):
    """Cancel showed "Cancelling…" for about 13 s, then the query finished, showed every row
    and committed its block: the SQLite progress handler never ran during the join."""
    path = build_sample(tmp_path / "s.ledger")
    with Ledger.open(path) as ledger:
        blocks = ledger.block_count()
        token = CancelToken()
        threading.Timer(0.3, token.cancel).start()
        # Cancelled, not a result: a join that ran to its end is never reported as cancelled
        with pytest.raises(Cancelled), cancellable(ledger, token):
            ledger.execute(BIG_JOIN)
        assert ledger.block_count() == blocks  # nothing committed
        assert ledger.cancel_token is None
        assert len(ledger.execute("SELECT VIN FROM Vehicle").values) == 5  # usable after
