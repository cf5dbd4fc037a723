"""Hostile Ion binary that would crash or hang amazon.ion's C reader is refused first."""


def test_a_non_utf8_symbol_text_is_refused_before_amazon_ion_reads_it(tmp_path):
    """amazon.ion's C reader segfaults on a struct field named by a local symbol table symbol
    whose text is not UTF-8 (one flipped byte in a stored document can make one). Every reader
    of ours refuses it first; run in a child process so a regression crashes only the child."""
    import subprocess
    import sys

    blob = "e00100eae78183d487b281e7d38a2101"  # $ion_symbol_table::{symbols:[<0xe7>]}, {<$10>:1}
    code = (
        "from amazon.ion.exceptions import IonException\n"
        "from ledger_desktop.engine.ion_values import loads, loads_bare\n"
        "from ledger_desktop.engine.ion_binary_hash import ion_hash_binary\n"
        f"data = bytes.fromhex({blob!r})\n"
        "for read in (loads, loads_bare):\n"
        "    try:\n"
        "        read(data)\n"
        "    except IonException as e:\n"
        "        assert 'UTF-8' in str(e), e\n"
        "    else:\n"
        "        raise SystemExit('read without an error')\n"
        "try:\n"
        "    ion_hash_binary(data)\n"
        "except ValueError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('hashed without an error')\n"
        "print('refused')\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert run.stdout.strip() == "refused"
