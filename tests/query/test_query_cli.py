"""`ledger query` and `ledger shell` end to end."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from ledger_desktop.cli import main
from ledger_desktop.cli.query_cmds import Shell, run_interactive, split_statements
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample

VIN = "1N4AL11D75C109151"


@pytest.fixture
def dmv(tmp_path):
    return build_sample(tmp_path / "dmv.ledger")


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def test_help():
    for cmd in ("query", "shell"):
        r = run(cmd, "--help")
        assert r.exit_code == 0 and "Usage" in r.output


def test_query_formats(dmv):
    stmt = "SELECT v.VIN, v.Year, v.Make FROM Vehicle AS v WHERE v.VIN = ?"
    r = run("query", dmv, stmt, "--param", f'"{VIN}"')
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split(" | ") == ["VIN              ", "Year", "Make"]
    assert lines[2].startswith(VIN) and "2011" in lines[2] and "Audi" in lines[2]
    r = run("query", dmv, stmt, "--param", f'"{VIN}"', "--format", "ion")
    assert r.output.strip() == '{\n  VIN: "1N4AL11D75C109151",\n  Year: 2011,\n  Make: "Audi"\n}'
    r = run("query", dmv, "SELECT r.PendingPenaltyTicketAmount AS amt, r.ValidFromDate AS d "
            "FROM VehicleRegistration r WHERE r.VIN = ?", "--param", f'"{VIN}"',
            "--format", "json")
    assert r.exit_code == 0, r.output
    assert r.output.strip() == '{"amt":90.25,"d":"2017-08-21"}'
    assert json.loads(r.output)["amt"] == 90.25
    r = run("query", dmv, "SELECT p.FirstName, p.Address FROM Person p WHERE p.GovId = ?",
            "--param", '"LEWISR261LL"', "--format", "csv")
    assert r.output.splitlines() == ["FirstName,Address",
                                     'Raul,"1719 University Street, Seattle, WA, 98109"']


def test_query_writes_dml_and_reports_errors(dmv):
    r = run("query", dmv, "INSERT INTO Vehicle VALUE {'VIN': 'NEW1'}")
    assert r.exit_code == 0 and "documentId" in r.output
    r = run("query", dmv, "SELECT COUNT(*) AS n FROM Vehicle WHERE VIN = 'NEW1'",
            "--format", "ion")
    assert "n: 1" in r.output
    r = run("query", dmv, "SELECT * FROM Vehicle\nWHERE VIN == 'x'")
    assert r.exit_code == 2
    assert "line 2, column 12" in r.output and "^" in r.output and "Traceback" not in r.output
    r = run("query", dmv, "SELECT * FROM Nope")
    assert r.exit_code == 2 and "no active table named 'Nope'" in r.output
    r = run("query", dmv, "SELECT * FROM Vehicle WHERE VIN = ?", "--param", "{bad")
    assert r.exit_code == 2 and "not Ion text" in r.output
    r = run("query", dmv.parent / "missing.ledger", "SELECT 1")
    assert r.exit_code == 2


def test_query_explain_prints_the_plan(dmv):
    r = run("query", dmv, "EXPLAIN SELECT * FROM Vehicle AS v WHERE v.VIN IN "
            "(SELECT VALUE r.VIN FROM VehicleRegistration AS r WHERE r.City = 'Kent')")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("v: index lookup on Vehicle.VIN (index ")
    assert lines[1:] == ["sub-query r: full scan of table VehicleRegistration; "
                         "1 filter predicate(s) (1 run on fields read before decoding: City)"]


def test_query_reads_the_statement_from_stdin(dmv):
    r = run("query", dmv, "-", "--format", "ion",
            input="SELECT COUNT(*) AS n\nFROM Vehicle;\n")
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "{\n  n: 5\n}"


def test_split_statements():
    done, rest = split_statements("SELECT ';' FROM t; SELECT `{a:\";\"}` -- ;\n FROM u;\nSEL")
    assert done == ["SELECT ';' FROM t", "SELECT `{a:\";\"}` -- ;\n FROM u"]
    assert rest == "\nSEL"


def test_shell_script(dmv):
    script = "\n".join([
        "help", "tables", "indexes Vehicle", "format ion",
        "SELECT v.Make FROM Vehicle v", "  WHERE v.VIN = '1N4AL11D75C109151';",
        "start transaction",
        "INSERT INTO Vehicle VALUE {'VIN': 'T1'};",
        "INSERT INTO Vehicle VALUE {'VIN': 'T2'};",
        "commit",
        "begin", "INSERT INTO Vehicle VALUE {'VIN': 'T3'};", "abort",
        "format csv", "SELECT COUNT(*) AS n FROM Vehicle WHERE VIN IN ('T1', 'T2', 'T3');",
        "explain SELECT * FROM Vehicle WHERE VIN = 'T1';",
        "SELECT * FROM Nope;",
        "exit",
    ])
    r = run("shell", dmv, input=script + "\n")
    # a piped script with an error exits 2 (it exited 0, so a script could not tell)
    assert r.exit_code == 2, r.output
    assert r.output.strip().splitlines()[-1].startswith("error: the script had errors")
    out = r.output
    assert "start transaction" in out  # the help text
    assert "VehicleRegistration" in out and "[VIN]" not in out
    assert 'Make: "Audi"' in out
    assert "committed in block" in out and "transaction aborted" in out
    assert "n\n2\n" in out
    assert "index lookup on Vehicle.VIN" in out
    assert "error: no active table named 'Nope'" in out
    with Ledger.open(dmv) as led:
        block = led.block(led.block_count() - 3)  # the committed transaction
        stmts = [str(s["statement"]) for s in block["transactionInfo"]["statements"]]
        assert stmts == ["INSERT INTO Vehicle VALUE {'VIN': 'T1'}",
                         "INSERT INTO Vehicle VALUE {'VIN': 'T2'}"]


def test_shell_aborts_an_open_transaction_on_exit(dmv):
    r = run("shell", dmv, input="start transaction\nINSERT INTO Vehicle VALUE {'VIN': 'Z'};\n")
    assert "the open transaction was aborted" in r.output
    assert r.exit_code == 0, r.output  # no statement failed
    r = run("query", dmv, "SELECT * FROM Vehicle WHERE VIN = 'Z'")
    assert "(no results)" in r.output


def test_interactive_shell_keeps_history_across_runs(dmv, tmp_path):
    history = tmp_path / "hist"
    for text in ("SELECT COUNT(*)\nFROM Vehicle;\nexit\n", "tables\nexit\n"):
        lines: list[str] = []
        with Ledger.open(dmv) as led, create_pipe_input() as inp:
            inp.send_text(text)
            sh = Shell(led, lines.append)
            run_interactive(sh, history, input=inp, output=DummyOutput())
        assert lines
    saved = history.read_text()
    assert "+SELECT COUNT(*)" in saved and "+FROM Vehicle;" in saved and "+tables" in saved


def test_statements_on_a_read_only_ledger_say_what_to_do(dmv, monkeypatch):
    """The message suggested opening the file "read-only (evidence mode)", which the CLI has
    no option for: every statement is journaled, so a statement needs a writable file."""
    import os

    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if (
        str(p) == str(dmv) and mode == os.W_OK) else real(p, mode, *a, **k))
    for args in (("query", dmv, "SELECT * FROM Vehicle"), ("shell", dmv)):
        r = run(*args, input="SELECT * FROM Vehicle;\n")
        assert r.exit_code == 2
        assert "read-only, and every statement, SELECT included, is recorded" in r.output
        assert "evidence mode" not in r.output


def test_a_piped_script_may_end_with_a_comment(dmv):
    """A trailing `-- done` was "the last statement has no closing ';'" (exit 2)."""
    for script in ("SELECT COUNT(*) FROM Vehicle;\n-- done\n",
                   "SELECT COUNT(*) FROM Vehicle; -- counted\n", "/* nothing */\n"):
        r = run("shell", dmv, input=script)
        assert r.exit_code == 0 and "no closing" not in r.output, (script, r.output)
    r = run("shell", dmv, input="SELECT COUNT(*) FROM Vehicle\n-- no semicolon\n")
    assert r.exit_code == 2 and "no closing ';'" in r.output


@pytest.mark.parametrize("failing", [
    "INSERT INTO Nope VALUE {'VIN': 'F2'};",  # found while compiling: the tx stayed open
    "UPDATE Vehicle AS v SET v.z = 10/0 WHERE v.VIN = 'F1';",  # found while running
])
def test_a_script_transaction_with_a_failed_statement_writes_nothing(dmv, failing):
    """A compile-time error left the transaction open, and the script's `commit` then wrote
    the statements around it (docs/reliability.md 72)."""
    with Ledger.open(dmv) as led:
        blocks = led.block_count()
    script = "\n".join(["start transaction", "INSERT INTO Vehicle VALUE {'VIN': 'F1'};", failing,
                        "INSERT INTO Vehicle VALUE {'VIN': 'F3'};", "commit",
                        "INSERT INTO Vehicle VALUE {'VIN': 'F4'};"])
    r = run("shell", dmv, input=script + "\n")
    assert r.exit_code == 2, r.output
    assert "skipped (the failed transaction has not ended): INSERT INTO Vehicle VALUE " \
           "{'VIN': 'F3'}" in r.output
    assert "transaction rolled back earlier" in r.output
    assert "committed in block" not in r.output
    with Ledger.open(dmv) as led:
        assert led.block_count() == blocks + 1  # F4's
        vins = sorted(str(d["VIN"]) for d in led.execute(
            "SELECT VIN FROM Vehicle WHERE VIN IN ('F1', 'F2', 'F3', 'F4')"))
        assert vins == ["F4"]  # after the transaction, statements run again
        assert led.verify().ok


def test_interactively_a_failed_statement_leaves_the_transaction_to_the_user(dmv):
    lines: list[str] = []
    with Ledger.open(dmv) as led:
        sh = Shell(led, lines.append)
        for line in ("start transaction", "INSERT INTO Vehicle VALUE {'VIN': 'I1'};",
                     "INSERT INTO Nope VALUE {'VIN': 'I2'};", "commit"):
            sh.feed(line)
        assert any(x.startswith("committed in block") for x in lines), lines
        assert [str(d["VIN"]) for d in led.execute(
            "SELECT VIN FROM Vehicle WHERE VIN = 'I1'")] == ["I1"]


def test_a_statement_file_with_a_bom_runs(dmv):
    """Notepad's UTF-8 BOM was "unexpected character '\\ufeff' at line 1, column 1"."""
    r = run("query", dmv, "-", "--format", "csv", input="\ufeffSELECT COUNT(*) AS n FROM Vehicle")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["n", "5"]
    r = run("shell", dmv, input="\ufeffSELECT COUNT(*) AS n FROM Vehicle;\n")
    assert r.exit_code == 0, r.output
    assert "unexpected character" not in r.output


def test_statement_bytes_that_are_not_utf8_are_named(dmv):
    """Latin-1 bytes were "text holds a lone surrogate" or "unexpected character '\\udcff'"."""
    runner = CliRunner()
    r = runner.invoke(main, ["query", str(dmv), "-"],
                      input=b"SELECT * FROM Vehicle\nWHERE Make = 'Citro\xebn'")
    assert r.exit_code == 2
    assert r.output.strip() == ("error: standard input is not UTF-8 text: byte 0xeb at line "
                                "2, column 20 (save the file as UTF-8)")
    r = runner.invoke(main, ["shell", str(dmv)],
                      input=b"start transaction\nINSERT INTO Vehicle VALUE {'VIN': 'U1'};\n"
                            b"INSERT INTO Vehicle VALUE {'VIN': '\xff'};\ncommit\n")
    assert r.exit_code == 2
    assert "error: the script is not UTF-8 text: byte 0xff at line 3, column 36" in r.output
    assert "nothing from there on was run" in r.output
    assert "committed" not in r.output
    assert "(no results)" in run("query", dmv, "SELECT * FROM Vehicle WHERE VIN = 'U1'").output
