"""`ledger query --param` reads Ion strings over 16,383 bytes, and an error quotes only the
start of a long parameter (crash probe, finding 8)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ledger_desktop.cli import main
from ledger_desktop.cli.query_cmds import parse_param
from ledger_desktop.engine.ledger import Ledger
from ledger_desktop.engine.sample import build_sample


def test_a_long_string_parameter_is_read() -> None:
    text = "a" * 20_000
    assert str(parse_param(f'"{text}"')) == text
    assert str(parse_param(f'{{p: "{text}"}}')["p"]) == text


def test_the_cli_inserts_a_long_string(tmp_path: Path) -> None:
    path = build_sample(tmp_path / "s.ledger")
    long = "é" * 10_000 + "a" * 20_000  # over the limit in characters and in UTF-8 bytes
    r = CliRunner().invoke(main, ["query", str(path), "INSERT INTO Vehicle ?", "--param",
                                  f'{{VIN: "long", note: "{long}"}}'])
    assert r.exit_code == 0, r.output[:500]
    with Ledger.open(path) as led:
        (row,) = led.execute("SELECT note FROM Vehicle WHERE VIN = 'long'").values
    assert str(row["note"]) == long


@pytest.mark.parametrize("bad", ['{p: "' + "a" * 20_000, "1 2 " + "3 " * 10_000],
                         ids=["unclosed", "several-values"])
def test_an_error_quotes_only_the_start_of_a_long_parameter(bad: str) -> None:
    with pytest.raises(click.BadParameter) as err:
        parse_param(bad)
    message = err.value.format_message()
    assert len(message) < 300, message
    assert repr(bad[:80]) in message and f"({len(bad):,} characters)" in message


def test_a_short_parameter_is_still_quoted_whole() -> None:
    with pytest.raises(click.BadParameter, match=r"'\{a: ' is not Ion text"):
        parse_param("{a: ")
