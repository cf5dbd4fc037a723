"""How values look in the grid's cells."""

from __future__ import annotations

from amazon.ion import simpleion

from ledger_desktop.ui.ionfmt import cell_text


def test_a_float_cell_shows_the_shortest_exact_text():
    """8885.99 was shown as 8885.9899999999997817e+0 (docs/reliability.md 76)."""
    for ion, shown in (("8885.99e0", "8885.99e0"), ("0.1e0", "0.1e0"), ("1e300", "1e300"),
                       ("nan", "nan"), ("null.float", "null.float")):
        assert cell_text(simpleion.loads(ion)) == shown
    assert cell_text(simpleion.loads("1.50")) == "1.50"  # decimals keep their scale
