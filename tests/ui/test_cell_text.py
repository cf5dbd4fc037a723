"""How values look in the grid's cells."""

from __future__ import annotations

from amazon.ion import simpleion

from ledger_desktop.ui.ionfmt import cell_text


def test_a_float_cell_shows_the_shortest_exact_text():
    """8885.99 was shown as 8885.9899999999997817e+0 (docs/reliability.md 76); then as Ion's
    8885.99e0, which analysts read as garbage (probe 2026-11-29b LOW 16)."""
    for ion, shown in (("8885.99e0", "8885.99"), ("0.1e0", "0.1"), ("1e300", "1e+300"),
                       ("1e3", "1000.0"), ("nan", "nan"), ("-inf", "-inf"),
                       ("null.float", "null.float")):
        assert cell_text(simpleion.loads(ion)) == shown
    assert cell_text(simpleion.loads("1.50")) == "1.50"  # decimals keep their scale


def test_numbers_read_as_an_analyst_writes_them_and_keep_their_type():
    """A CSV's decimal 3 showed as `3d0` and JSON's 1e3 as `1000.0e0` (probe LOW 16). A
    decimal keeps its scale, a float always has a point or an exponent, the Ion views and the
    tooltip keep the exact Ion."""
    from ledger_desktop.ui.ionfmt import NUMBER, cell, tooltip

    for ion, shown in (("3d0", "3"), ("3.", "3"), ("90.25", "90.25"), ("1.50", "1.50"),
                       ("-0.00", "-0.00"), ("3d2", "300"), ("1d-3", "0.001"),
                       ("1d30", "1E+30"), ("12345678901234567890123", "12345678901234567890123"),
                       ("1000e0", "1000.0"), ("5", "5")):
        assert cell(simpleion.loads(ion)) == (shown, NUMBER), ion
    assert "3d0" in tooltip(simpleion.loads("3d0")) and "decimal" in tooltip(simpleion.loads("3d0"))
    assert cell_text(simpleion.loads("a::3d0")) == "a::3d0"  # annotated: Ion text, as written


def test_strings_nulls_and_missing_fields_are_told_apart():
    """'null' and null, '5' and 5, '' and a missing field looked the same (probe MEDIUM 7)."""
    from ledger_desktop.ui.ionfmt import NULL, NUMBER, STRING, SYMBOL, cell, tooltip

    v = simpleion.loads("{a: \"null\", b: null, c: \"\", e: 5, f: \"5\", g: abc, h: \"abc\", "
                        "i: null.string}")
    assert cell(v["a"]) == ("null", STRING) and cell(v["b"]) == ("null", NULL)
    assert cell(v["e"]) == ("5", NUMBER) and cell(v["f"]) == ("5", STRING)
    assert cell(v["g"]) == ("abc", SYMBOL) and cell(v["h"]) == ("abc", STRING)
    assert cell(v["c"]) == ('""', STRING)  # an empty string is not an empty (missing) cell
    assert cell(v["i"]) == ("null.string", NULL)
    assert "<i>string</i>" in tooltip(v["a"]) and "<i>null</i>" in tooltip(v["b"])
    assert "missing" in tooltip(None, found=False)


def test_a_container_tooltip_shows_its_ion_cut_short():
    """A nested cell's tooltip repeated its summary `{Name, Addr}` (probe MEDIUM 7): it shows
    the pretty Ion, escaped, and a big value only its first few thousand characters."""
    import html
    import timeit

    from ledger_desktop.ui.ionfmt import TIP_CHARS, tooltip

    v = simpleion.loads('{Name: "<b>Mary</b>", Addr: {City: "Everett", Zip: "98208"}}')
    tip = html.unescape(tooltip(v))
    assert 'Name: "<b>Mary</b>"' in tip and 'City: "Everett"' in tip and "<i>struct</i>" in tip
    big = simpleion.loads("[" + ",".join(f'{{n: {i}, s: "{"x" * 400}"}}'
                                         for i in range(20_000)) + "]")
    tip = tooltip(big)
    assert len(tip) < TIP_CHARS * 2 and "…" in tip
    assert timeit.timeit(lambda: tooltip(big), number=5) / 5 < 0.05  # fine on hover


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
