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


def test_copy_as_csv_writes_cells_as_save_results_does():
    """Copy as CSV wrote a blob as `"aGk="` (quote marks inside the cell's value), a null as
    an empty cell and a struct as JSON; Save Results wrote Ion text (docs/reliability.md 79)."""
    import csv
    import io

    from ledger_desktop.engine.query.formatting import format_csv
    from ledger_desktop.ui.ionfmt import as_csv

    values = simpleion.loads('{a: {{aGk=}}, b: null.int, c: {x: [1, 2]}, d: 8885.99e0, '
                             'e: "t", f: 2020-01-01T} {a: {{}}, e: "u"}', single_value=False)
    copied = as_csv(values)
    assert copied.rstrip("\n") == format_csv(values)
    rows = list(csv.reader(io.StringIO(copied)))
    assert rows[1] == ["{{aGk=}}", "null.int", "{x:[1,2]}", "8885.99e0", "t", "2020-01-01"]
    assert rows[2] == ["{{}}", "", "", "", "u", ""]  # missing fields are empty
