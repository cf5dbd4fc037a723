"""Hostile Ion binary that would crash or hang amazon.ion's C reader is refused first."""

import subprocess
import sys


def _refused_in_a_child(code: str, timeout: int) -> None:
    """Run `code` in a child Python with a timeout (a hang or crash there fails the test
    instead of the run) and expect it to print 'refused'."""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=timeout)
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert run.stdout.strip() == "refused"


def test_a_non_utf8_symbol_text_is_refused_before_amazon_ion_reads_it(tmp_path):
    """amazon.ion's C reader segfaults on a struct field named by a local symbol table symbol
    whose text is not UTF-8 (one flipped byte in a stored document can make one). Every reader
    of ours refuses it first; run in a child process so a regression crashes only the child."""
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
    _refused_in_a_child(code, timeout=60)


def test_a_hash_field_holding_a_large_int_is_a_finding_not_an_allocation(tmp_path):
    """`bytes(n)` of an int allocates n zero bytes: a tampered hash column or block field that
    holds 2**40 must be reported, not allocate a terabyte."""
    from ledger_desktop.engine.blocks import check_block
    from ledger_desktop.engine.ledger import Ledger
    from ledger_desktop.engine.sample import build_sample

    path = build_sample(tmp_path / "s.ledger")
    with Ledger.open(path, read_only=True) as led:
        block = led.block(3)
    block["entriesHashList"][0] = 2 ** 40
    failures = check_block(block)
    assert failures and "expected a hash (a blob), got int" in str(failures[0])
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("UPDATE blocks SET block_hash = ? WHERE seq = 3", (2 ** 40,))
    conn.commit()
    conn.close()
    with Ledger.open(path, read_only=True) as led:
        report = led.verify()
    assert not report.ok and report.first_failure.seq == 3


def test_a_lone_surrogate_field_name_is_refused_not_written(tmp_path):
    """amazon.ion's C writer loops forever on a field name holding a lone surrogate (JSON's
    "\\ud800" escape makes one): a JSON import names the line, a statement or parameter gets a
    query error. Run in a child process with a timeout, so a regression fails, not hangs."""
    src = tmp_path / "s.jsonl"
    src.write_text('{"ok": 1}\n{"a\\ude54b": [{"c": true}]}\n', encoding="utf-8")
    code = (
        "import sys, tempfile\n"
        "from ledger_desktop.engine.errors import QueryError, UserError\n"
        "from ledger_desktop.engine.imports import import_files\n"
        "from ledger_desktop.engine.ledger import Ledger\n"
        "led = Ledger.create(tempfile.mkdtemp() + '/x.ledger')\n"
        "led.execute('CREATE TABLE T')\n"
        "try:\n"
        f"    import_files(led, 'T', [{str(src)!r}])\n"
        "    raise SystemExit('imported')\n"
        "except UserError as e:\n"
        "    assert 'line 2' in str(e) and 'lone surrogate' in str(e), e\n"
        "for doc in ({'a\\ud854': 1}, {'a': [{'b\\udc00': 1}]}, {'a': 'x\\udc00'}):\n"
        "    try:\n"
        "        led.execute('INSERT INTO T ?', doc)\n"
        "        raise SystemExit('inserted')\n"
        "    except QueryError as e:\n"
        "        assert 'lone surrogate' in str(e)\n"
        "assert led.execute('SELECT COUNT(*) AS n FROM T').values[0]['n'] == 0\n"
        "assert led.verify().ok\n"
        "print('refused')\n")
    _refused_in_a_child(code, timeout=120)
